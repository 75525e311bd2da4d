"""Pipeline 100: a fetched article page → its article record, by the pure extraction
(`pipelines.extraction.explain`); what needs the crawl stays here: --since, failures, stats."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from trafilatura.external import jt_stoplist_init
from trafilatura.meta import reset_caches

from archive.dates import parse_iso, setting_time
from pipelines import stats as keys
from pipelines.extraction import explain
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage
from pipelines.signals import listing_exhausted

# trafilatura (the generic path) and the libraries under it (htmldate, courlan, justext) keep
# module-level caches for speed, and its documentation advises resetting them in long runs to
# give the memory back (`trafilatura.meta.reset_caches`), so that a multi-day crawl stays flat.
# A reset costs a full garbage collection, and justext's stop words built again on the next
# page that needs them: once every thousand pages, it is lost in the pages' own extraction.
RESET_CACHES_EVERY = 1_000


class ExtractPipeline:
    def __init__(self, crawler: Crawler, since: datetime | None) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.since = since
        self.extracted = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler, setting_time(crawler.settings.get("BIENPHONG_SINCE"), "BIENPHONG_SINCE")
        )

    def open_spider(self) -> None:
        # justext's stop words of every language (tens of MiB, never released) are built on the
        # first page the generic path falls back on: built now, the crawl's memory is flat from
        # its start, and a late jump cannot be taken for growth.
        jt_stoplist_init()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):  # failures and validators go on to the store
            return item
        try:
            return self.extract(item)
        finally:
            self.extracted += 1
            if self.extracted % RESET_CACHES_EVERY == 0:
                reset_caches()
                self.stats.inc_value(keys.CACHE_RESETS)

    def extract(self, page: FetchedPage) -> ExtractedArticle | FailedPage:
        try:
            found = explain(
                page.body,
                page.url,
                page.fetched_at,
                section_hint=page.section_hint,
                content_type=page.headers.get("content-type"),
            )
        except Exception as error:  # a page the rules choke on is recorded, kept, not lost
            self.stats.inc_value(keys.EXTRACT_ERRORS)
            reason = f"extraction failed: {type(error).__name__}: {error}"
            return FailedPage(page.url, page.post_id, reason, page=page)
        if self._too_old(found.record):
            if page.listing:  # the spider pages that listing no further
                self.crawler.signals.send_catch_log(signal=listing_exhausted, listing=page.listing)
            self.stats.inc_value(keys.OLDER_THAN_SINCE)
            raise DropItem(f"published before --since: {page.url}", log_level="INFO")
        return ExtractedArticle(found.record, page, found.provenance)

    def _too_old(self, record: dict[str, Any]) -> bool:
        published = parse_iso(record.get("published_at"))
        return bool(self.since and published and published < self.since)
