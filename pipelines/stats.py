"""The crawl's own stats, each key named once, and a run's counts read from them in one place.

Every component of a crawl writes what it did to Scrapy's stats collector (`crawler.stats`)
under these keys: the spider and the downloader components (`crawler/`), the pipelines and the
progress line. `RunCounts.of` reads a crawl's counts back from the stats, for the runs table
(`pipelines.store.close_run`), the summary `bienphong crawl` prints (`crawler.run`) and the
progress line (`crawler.progress`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Set by the store pipeline.
RUN_ID = "archive/run_id"
OUTCOME = "archive/outcome"  # how the run was closed, as `bienphong runs` shows it
WARNINGS = "archive/warnings"  # the run's warnings (drift, listings ended)
ERROR = "archive/error"  # a write error (a full disk): `run_crawl` raises it
GENERIC = "archive/generic"  # articles the generic path read


def stored(outcome: str) -> str:
    """Items the store pipeline took, by outcome: new, updated, unchanged, failed (an
    article) or pages_failed (a feed, sitemap or listing)."""
    return f"archive/store/{outcome}"


def filled(field: str) -> str:
    """New articles in which a field of the record read from the page was found."""
    return f"archive/fill/{field}"


def lost(field: str) -> str:
    """Articles fetched again whose earlier version had a field this one lacks."""
    return f"archive/lost/{field}"


def template(name: str) -> str:
    """Articles a template of the site rules read (`A-2020`)."""
    return f"archive/template/{name}"


def with_prefix(stats: Mapping[str, Any], key: Callable[[str], str]) -> dict[str, int]:
    """The stats of one family (`filled`, `lost`, `template`), by what follows its prefix."""
    prefix = key("")
    return {name[len(prefix) :]: int(n) for name, n in stats.items() if name.startswith(prefix)}


# Set by the extract pipeline.
EXTRACT_ERRORS = "archive/extract/errors"
OLDER_THAN_SINCE = "archive/extract/older_than_since"
CACHE_RESETS = "archive/extract/cache_resets"
# Set by the spider.
OFFSITE_LINKS = "archive/discovery/offsite_links"  # links to other hosts, never fetched
DISCOVERY_DONE = "archive/discovery/done"  # --max-articles has all it asked for
ENDED_LISTINGS = "archive/listings/ended"  # (listing, why) of listings paged no further
SITEMAPS_UNFOLLOWED = "archive/sitemaps/unfollowed"  # the warning: sitemaps left unasked
LINKS_UNFOLLOWED = "archive/links/unfollowed"  # the warning: links past a page's cap
DATES_OUT_OF_YEARS = "archive/extract/dates_out_of_years"  # dates stored as unknown
# Set by the downloader components.
OFFSITE_DROPPED = "archive/fetch/offsite_dropped"  # requests to other hosts, dropped
OFFSITE_REDIRECTS = "archive/fetch/offsite_redirects"
REDIRECT_LOOPS = "archive/fetch/redirect_loops"
TRUNCATED = "archive/fetch/truncated"  # answers cut short, retried
RETRY_AFTER_WAITS = "archive/fetch/retry_after_waits"
UNREACHABLE = "archive/fetch/unreachable"  # the one line saying why, when it was
REFUSED = "archive/fetch/refused"  # why robots.txt lets the crawl take nothing, when so
# Set by `crawler.stopping`: the crawl is stopping (a signal, or its time box), so nothing more
# is sent; and the signal that stopped it, by name.
STOPPING = "archive/stopping"
INTERRUPTED = "archive/interrupted"


@dataclass(frozen=True)
class RunCounts:
    """What a crawl did, as its stats say."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed_articles: int = 0
    failed_pages: int = 0  # feeds, sitemaps and listings that could not be read
    pages_fetched: int = 0  # answers downloaded, whatever their status
    pages_read: int = 0  # answers a crawl can read: 200, and 304 (unchanged since last time)
    offsite: int = 0  # links, requests and redirects to other hosts, dropped

    @classmethod
    def of(cls, stats: Mapping[str, Any]) -> RunCounts:
        def count(key: str) -> int:
            return int(stats.get(key, 0))

        return cls(
            new=count(stored("new")),
            updated=count(stored("updated")),
            unchanged=count(stored("unchanged")),
            failed_articles=count(stored("failed")),
            failed_pages=count(stored("pages_failed")),
            pages_fetched=count("downloader/response_count"),
            pages_read=sum(
                count(f"downloader/response_status_count/{status}") for status in (200, 304)
            ),
            offsite=sum(count(key) for key in (OFFSITE_LINKS, OFFSITE_DROPPED, OFFSITE_REDIRECTS)),
        )

    @property
    def saved(self) -> int:
        """Articles archived: new, updated or unchanged."""
        return self.new + self.updated + self.unchanged

    @property
    def failed(self) -> int:
        """Every page the crawl could not archive: articles, feeds, sitemaps and listings."""
        return self.failed_articles + self.failed_pages

    def as_row(self) -> dict[str, int]:
        """The counts as the runs table holds them (`archive.runs.RUN_COUNTS`)."""
        return {
            "pages_fetched": self.pages_fetched,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "failed_articles": self.failed_articles,
            "failed_pages": self.failed_pages,
        }
