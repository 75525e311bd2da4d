"""A page saved from the site, as `bienphong extract` reads it: a file or stdin, gzipped or
not, with when it was saved and, unless the user gives it, the address it states."""

from __future__ import annotations

import gzip
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from archive.dates import parse_iso
from archive.site import CANONICAL_ORIGIN
from bienphong.errors import CliError, CliUsageError
from pipelines.extraction import stated_address


def page_name(file: Path) -> str:
    return "stdin" if str(file) == "-" else str(file)


def read_page(file: Path) -> tuple[bytes, datetime]:
    """The page's bytes, decompressed when gzipped, and when it was saved (now for stdin)."""
    name = page_name(file)
    try:
        if name == "stdin":
            data = sys.stdin.buffer.read()
            saved = datetime.now(UTC)
        else:
            data = file.read_bytes()
            saved = datetime.fromtimestamp(file.stat().st_mtime, UTC)
    except OSError as error:
        raise CliError(f"cannot read {name}: {error.strerror or error}") from error
    if name.endswith(".gz") or data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise CliError(f"cannot decompress {name}: {error}") from error
    if not data.strip():
        raise CliError(f"{name} is empty: nothing to extract")
    return data, saved


def check_page_url(url: str) -> str:
    """An absolute http(s) address: the site's article, or another newspaper's page read with
    --generic to see what the generic path makes of markup nobody here wrote."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliUsageError(
            f"invalid --url {url!r}: give the page's absolute address, such as "
            f"{CANONICAL_ORIGIN}/don-bien-phong-post532158.html"
        )
    return url


def page_url(html: bytes, name: str) -> str:
    """The address the page states for itself; else a usage error."""
    address = stated_address(html)
    if address is None:
        raise CliUsageError(
            f"{name} has no canonical link to an article on www.bienphong.com.vn: "
            "give the page's address with --url"
        )
    return address


def parse_fetched_at(text: str) -> datetime:
    when = parse_iso(text, UTC)
    if when is None:
        raise CliError(
            f"invalid --fetched-at {text!r}: give an ISO 8601 time such as 2025-02-15T01:00:00Z"
        )
    return when
