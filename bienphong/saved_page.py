"""A page saved from the site, as `bienphong extract` reads it: a file or stdin, gzipped or
not, with when it was saved and, unless the user gives it, the address it states."""

from __future__ import annotations

import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from archive.dates import parse_iso
from archive.site import CANONICAL_ORIGIN, PAGE_MAX_BYTES
from bienphong.errors import CliError, CliUsageError


def page_name(file: Path) -> str:
    return "stdin" if str(file) == "-" else str(file)


TOO_LARGE = f"{PAGE_MAX_BYTES // 2**20} MB: no article page is so large (the crawl's bound too)"


def read_page(file: Path) -> tuple[bytes, datetime]:
    """The page's bytes, decompressed when gzipped, and when it was saved (now for stdin)."""
    name = page_name(file)
    try:
        if name == "stdin":
            data = sys.stdin.buffer.read(PAGE_MAX_BYTES + 1)
            saved = datetime.now(UTC)
        else:
            with file.open("rb") as opened:
                data = opened.read(PAGE_MAX_BYTES + 1)
            saved = datetime.fromtimestamp(file.stat().st_mtime, UTC)
    except OSError as error:
        raise CliError(f"cannot read {name}: {error.strerror or error}") from error
    if name.endswith(".gz") or data.startswith(b"\x1f\x8b"):
        data = unpacked(data, name)
    if len(data) > PAGE_MAX_BYTES:
        raise CliError(f"{name} is over {TOO_LARGE}")
    if not data.strip():
        raise CliError(f"{name} is empty: nothing to extract")
    return data, saved


def unpacked(data: bytes, name: str) -> bytes:
    """A gzipped page's bytes, no more than one byte past PAGE_MAX_BYTES unpacked: a small
    file that unpacks to gigabytes is refused, not unpacked."""
    out = bytearray()
    try:
        while data and len(out) <= PAGE_MAX_BYTES:
            member = zlib.decompressobj(wbits=31)  # gzip, member by member
            out += member.decompress(data, PAGE_MAX_BYTES + 1 - len(out))
            if member.unconsumed_tail:  # more to unpack than the bound allows
                break
            if not member.eof:
                raise EOFError("the file ends before its compressed data does")
            data = member.unused_data
    except (EOFError, zlib.error) as error:
        raise CliError(f"cannot decompress {name}: {error}") from error
    if len(out) > PAGE_MAX_BYTES:
        raise CliError(f"{name} unpacks to over {TOO_LARGE}")
    return bytes(out)


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
    """The address the page states for itself (its canonical link, og:url or shortlink, when
    one names an article on the site); else a usage error."""
    from pipelines.extraction import stated_address  # the extractor loads for extract only

    address = stated_address(html)
    if address is None:
        raise CliUsageError(
            f"{name} names no article on www.bienphong.com.vn (no canonical link, og:url or"
            " shortlink to one): give the page's address with --url"
        )
    return address


def parse_fetched_at(text: str) -> datetime:
    when = parse_iso(text, UTC)
    if when is None:
        raise CliError(
            f"invalid --fetched-at {text!r}: give an ISO 8601 time such as 2025-02-15T01:00:00Z"
        )
    return when
