"""The raw pages: every article response as received, compressed, beside the record made of it,
so that re-extraction never needs a recrawl (the `pages` table)."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from archive.dates import parse_iso, utc_iso
from archive.errors import ArchiveError, DamagedArticle, stored_json

if TYPE_CHECKING:
    from archive.store import Archive

# codec name -> (compress, decompress). The name is stored with each page, so it can change.
CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "zlib": (lambda data: zlib.compress(data, 6), zlib.decompress),
}
DEFAULT_CODEC = "zlib"


@dataclass(frozen=True)
class RawPage:
    """An article response as received: what re-extraction needs instead of the network."""

    url: str  # canonical
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes  # uncompressed, as received
    fetched_at: datetime  # aware


def insert_page(db: Database, page: RawPage, post_id: int, run_id: int | None) -> None:
    """The page into the `pages` table, in the caller's transaction (a page kept twice, the
    same response of the same fetch, is kept once)."""
    compress, _ = CODECS[DEFAULT_CODEC]
    db.execute(
        "INSERT OR IGNORE INTO pages (post_id, url, final_url, status, headers, codec, body,"
        " size, sha256, fetched_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            post_id,
            page.url,
            page.final_url,
            page.status,
            json.dumps(page.headers, ensure_ascii=False),
            DEFAULT_CODEC,
            compress(page.body),
            len(page.body),
            hashlib.sha256(page.body).hexdigest(),
            utc_iso(page.fetched_at),
            run_id,
        ],
    )


def save_page(archive: Archive, page: RawPage, post_id: int, run_id: int | None) -> None:
    """Keep a raw page without a record (say, one extraction failed on), for reextract."""
    with archive.doing(f"save page {page.url}"), archive.db.atomic():
        insert_page(archive.db, page, post_id, run_id)


def raw_pages(archive: Archive, post_id: int) -> list[RawPage]:
    """The stored responses for an article, oldest first, decompressed."""
    sql = "SELECT * FROM pages WHERE post_id = ? ORDER BY fetched_at, id"
    with archive.doing(f"read pages of {post_id}"):
        rows = list(archive.db.query(sql, [post_id]))
    return [raw_page_of(row, archive.path) for row in rows]


def raw_page_of(row: dict[str, Any], path: Path) -> RawPage:
    """The page a row of `pages` holds; DamagedArticle when it cannot be read back."""
    codec = CODECS.get(row["codec"])
    if codec is None:
        raise ArchiveError(f"page {row['id']} in {path} uses unknown codec {row['codec']}")
    what = f"its raw page {row['id']} in {path}"
    try:
        body = codec[1](row["body"])
    except (zlib.error, TypeError) as error:
        message = f"article {row['post_id']} is damaged: {what} cannot be read ({error})"
        raise DamagedArticle(row["post_id"], message) from error
    fetched_at = parse_iso(row["fetched_at"], UTC)
    if fetched_at is None:
        message = f"article {row['post_id']} is damaged: {what} has no fetch time"
        raise DamagedArticle(row["post_id"], message)
    return RawPage(
        url=row["url"],
        final_url=row["final_url"],
        status=row["status"],
        headers=stored_json(row["headers"], row["post_id"], f"the headers of {what}"),
        body=body,
        fetched_at=fetched_at,
    )


def check_page(row: dict[str, Any], path: Path) -> None:
    """DamagedArticle unless the row's page reads back to the bytes its sha256 names."""
    page = raw_page_of(row, path)
    if hashlib.sha256(page.body).hexdigest() != row["sha256"]:
        raise DamagedArticle(
            row["post_id"],
            f"article {row['post_id']} is damaged: its raw page {row['id']} in {path}"
            " does not match its sha256",
        )
