"""What a scheduled crawl remembers between runs: when the last whole walk began, the site's
own time of each archived version, what feeds, sitemaps and listings said of themselves (the
`http_validators` table), and the pages earlier runs could not archive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from archive.dates import parse_iso, site_iso
from archive.site import SITE_TZ

if TYPE_CHECKING:
    from archive.store import Archive


@dataclass(frozen=True)
class Validators:
    """What a page said about itself: HTTP validators, and a sitemap index's <lastmod> of it."""

    etag: str | None = None
    last_modified: str | None = None  # as the server wrote it, to be sent back as it is
    lastmod: datetime | None = None


def site_stamps(archive: Archive) -> dict[int, datetime | None]:
    """post_id → the site's own time of the archived version (modified, else published).

    Compared with a sitemap's <lastmod>, it tells a correction.
    """
    sql = "SELECT post_id, coalesce(modified_at, published_at) FROM articles"
    with archive.doing("read articles"):
        return {row[0]: parse_iso(row[1]) for row in archive.db.execute(sql)}


def last_complete_run_started(archive: Archive) -> datetime | None:
    """When the newest finished, unbounded run began: what it walked needs no second look.

    A run bounded by --since, --max-articles or --section, or one that did not finish,
    walked part of the site only, so the next run walks it all again.
    """
    sql = (
        "SELECT max(started_at) FROM runs WHERE outcome = 'finished'"
        " AND coalesce(json_extract(options, '$.command'), 'crawl') = 'crawl'"
        " AND json_extract(options, '$.since') IS NULL"
        " AND json_extract(options, '$.max_articles') IS NULL"
        " AND coalesce(json_array_length(options, '$.sections'), 0) = 0"
    )
    with archive.doing("read runs"):
        return parse_iso(archive.db.execute(sql).fetchone()[0])


def pending_failures(archive: Archive) -> list[tuple[str, int]]:
    """(url, post_id) of articles that failed in some run and are still not archived."""
    sql = (
        "SELECT url, post_id FROM failures WHERE post_id IS NOT NULL"
        " AND post_id NOT IN (SELECT post_id FROM articles) GROUP BY post_id ORDER BY max(id)"
    )
    with archive.doing("read failures"):
        return [(row[0], row[1]) for row in archive.db.execute(sql)]


def pending_page_failures(archive: Archive) -> list[str]:
    """URLs of the feeds, sitemaps and listings the latest run before this one could not
    read: the next run asks them first (what only they list is not archived yet)."""
    sql = (
        "SELECT DISTINCT url FROM failures WHERE post_id IS NULL AND run_id ="
        " (SELECT max(id) FROM runs WHERE finished_at IS NOT NULL) ORDER BY url"
    )
    with archive.doing("read failures"):
        return [row[0] for row in archive.db.execute(sql)]


def urls_published_since(
    archive: Archive, since: datetime, sections: Sequence[str] = ()
) -> list[tuple[str, int]]:
    """(url, post_id) of archived articles published since `since` (of `sections` only, when
    given), for rechecks."""
    sql = "SELECT url, post_id FROM articles WHERE published_at >= ?"
    params: list[Any] = [site_iso(since)]
    if sections:
        sql += f" AND section IN ({', '.join('?' * len(sections))})"
        params += sections
    with archive.doing("read articles"):
        rows = archive.db.execute(f"{sql} ORDER BY published_at", params)
        return [(row[0], row[1]) for row in rows]


def validators(archive: Archive) -> dict[str, Validators]:
    """What earlier runs saw of feeds, sitemaps and listings, by URL."""
    sql = "SELECT url, etag, last_modified, lastmod FROM http_validators"
    with archive.doing("read validators"):
        return {
            row[0]: Validators(row[1], row[2], parse_iso(row[3], SITE_TZ))
            for row in archive.db.execute(sql)
        }


def save_validators(archive: Archive, found: dict[str, Validators]) -> None:
    now = archive.now()
    rows = [
        {
            "url": url,
            "etag": seen.etag,
            "last_modified": seen.last_modified,
            "lastmod": seen.lastmod and site_iso(seen.lastmod),
            "checked_at": now,
        }
        for url, seen in found.items()
    ]
    with archive.doing("save validators"), archive.db.atomic():
        archive.db.table("http_validators").upsert_all(rows, pk="url")
