"""What one crawl sets out to do, from its options and what the archive already holds.

Pure: no Scrapy. The spider asks the plan which links to fetch and which listings to keep paging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.crawl_memory import (
    Validators,
    last_complete_run_started,
    pending_failures,
    pending_page_failures,
    site_stamps,
    urls_published_since,
    validators,
)
from archive.dates import setting_time
from archive.site import CANONICAL_ORIGIN, SECTIONS
from archive.store import Archive
from archive.walk import WalkSoFar, resumable_walk

from .discovery import Link, section_of_listing

LEGACY_FEED_IDS = dict(SECTIONS)  # section → the number in its older feed URL
# Stop paging a listing (newest first) after this many archived post ids in a row.
KNOWN_RUN_DEFAULT = 10
# No listing is paged past this page (the site's largest section fills about 2,500).
LISTING_PAGE_CAP_DEFAULT = 10_000


@dataclass
class CrawlPlan:
    since: datetime | None = None
    max_articles: int | None = None
    sections: tuple[str, ...] = ()
    full: bool = False  # walk everything again, whatever earlier runs saw
    refetch: bool = False  # with full: fetch archived articles again too
    known_run: int = KNOWN_RUN_DEFAULT
    listing_page_cap: int = LISTING_PAGE_CAP_DEFAULT
    # archived post_id → the site's time of our version (modified, else published)
    archived: dict[int, datetime | None] = field(default_factory=dict)
    walked_at: datetime | None = None  # start of the last finished, unbounded run
    validators: dict[str, Validators] = field(default_factory=dict)
    retry: list[tuple[str, int]] = field(default_factory=list)  # failed earlier, not archived
    retry_pages: list[str] = field(default_factory=list)  # feeds, sitemaps, listings: the same
    recheck: list[tuple[str, int]] = field(default_factory=list)  # --recheck-since
    resumes: WalkSoFar | None = None  # the unfinished whole walk this one goes on with

    @property
    def incremental(self) -> bool:
        """An earlier run walked the whole site: this one looks only at what changed since."""
        return self.walked_at is not None and not self.full

    @property
    def bounded(self) -> bool:
        return bool(self.since or self.max_articles or self.sections)

    @property
    def whole_walk(self) -> bool:
        """A walk of the whole site, all of it asked (the first crawl, or --full): written as
        it goes, so that one cut short resumes where it stopped (`archive.walk`)."""
        return not self.incremental and not self.bounded

    @property
    def follows_page_links(self) -> bool:
        """Whether an article page's links (related stories, its tags) are followed. Not
        under --since (they lead to older articles as readily as to newer ones), nor under
        --section: a link carries no section, so only the sections' own feeds and listings
        keep a crawl in them."""
        return self.since is None and not self.sections

    @property
    def follows_tags(self) -> bool:
        """Whether tag pages are walked: they mix years and sections, so only a walk of the
        whole site gains by them."""
        return self.follows_page_links and not self.incremental

    def wants(self, link: Link) -> bool:
        """Fetch this article? New ones yes; archived ones only when asked or corrected since."""
        dated = link.published or link.lastmod
        if self.since is not None and dated is not None and dated < self.since:
            return False
        if link.post_id not in self.archived or (self.full and self.refetch):
            return True
        # A sitemap's <lastmod> after the site's time of our version: corrected since.
        stamp = self.archived[link.post_id]
        return bool(link.lastmod and stamp and link.lastmod > stamp)

    def feed_urls(self, section: str) -> list[str]:
        """The section's feed in both URL forms; on an incremental run only the form an
        earlier walk saw answer (both again on --full, or when neither is known)."""
        forms = [f"{CANONICAL_ORIGIN}/rss/{section}.rss"]
        if section in LEGACY_FEED_IDS:
            forms.append(f"{CANONICAL_ORIGIN}/rss/{section}-{LEGACY_FEED_IDS[section]}.rss")
        answered = [url for url in forms if url in self.validators]
        return answered[:1] if self.incremental and answered else forms

    def wants_sitemap(self, url: str, lastmod: datetime | None) -> bool:
        """A child sitemap: skipped when older than --since, or (incremental) when the index
        gives the same <lastmod> as when an earlier walk read it."""
        if self.since is not None and lastmod is not None and lastmod < self.since:
            return False
        seen = self.validators.get(url)
        unchanged = lastmod is not None and seen is not None and seen.lastmod == lastmod
        return not (self.incremental and unchanged)

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a page an earlier run saw, when incremental."""
        seen = self.validators.get(url)
        if not self.incremental or seen is None:
            return {}
        headers = {"If-None-Match": seen.etag} if seen.etag else {}
        if seen.last_modified:
            headers["If-Modified-Since"] = seen.last_modified
        return headers


def load_plan(settings: Any, archive: Archive) -> CrawlPlan:
    """The plan from the crawl's Scrapy settings and the archive's memory of earlier runs.

    Under --section, what earlier runs left to retry is kept to the sections' own feeds and
    listings (a failed article or sitemap names no section: the next whole run retries it),
    and --recheck-since to the sections' articles."""
    sections = tuple(settings.getlist("BIENPHONG_SECTIONS"))
    recheck_since = setting_time(settings.get("BIENPHONG_RECHECK_SINCE"), "BIENPHONG_RECHECK_SINCE")
    retry_pages = pending_page_failures(archive)
    if sections:
        retry_pages = [url for url in retry_pages if section_of_listing(url) in sections]
    plan = CrawlPlan(
        since=setting_time(settings.get("BIENPHONG_SINCE"), "BIENPHONG_SINCE"),
        max_articles=settings.getint("BIENPHONG_MAX_ARTICLES") or None,
        sections=sections,
        full=settings.getbool("BIENPHONG_FULL"),
        refetch=settings.getbool("BIENPHONG_REFETCH"),
        known_run=settings.getint("BIENPHONG_KNOWN_RUN", KNOWN_RUN_DEFAULT),
        listing_page_cap=settings.getint("BIENPHONG_LISTING_PAGE_CAP", LISTING_PAGE_CAP_DEFAULT),
        archived=site_stamps(archive),
        walked_at=last_complete_run_started(archive),
        validators=validators(archive),
        retry=[] if sections else pending_failures(archive),
        retry_pages=retry_pages,
        recheck=urls_published_since(archive, recheck_since, sections) if recheck_since else [],
    )
    if plan.whole_walk:
        plan.resumes = resumable_walk(archive, plan.refetch)
    return plan
