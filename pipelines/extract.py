"""Pipeline 100: a fetched article page → its article record (pure extraction underneath).

The extraction itself runs on worker processes (`pipelines.workers`); the pipeline keeps what
needs the crawl: --since, failures, stats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import ExtractedArticle, FailedPage, FetchedPage
from pipelines.workers import ExtractionWorkers, default_processes


class ExtractPipeline:
    def __init__(
        self, crawler: Crawler, since: datetime | None, workers: ExtractionWorkers
    ) -> None:
        self.crawler = crawler
        self.since = since
        self.workers = workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        since = crawler.settings.get("BIENPHONG_SINCE")
        processes = crawler.settings.get("BIENPHONG_EXTRACT_PROCESSES")
        workers = ExtractionWorkers(default_processes() if processes is None else int(processes))
        return cls(crawler, datetime.fromisoformat(since) if since else None, workers)

    async def open_spider(self) -> None:
        await self.workers.start()

    async def close_spider(self) -> None:
        await self.workers.stop()

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FailedPage):
            return item
        page: FetchedPage = item
        fetched_at = datetime.fromisoformat(page.fetched_at)
        try:
            found = await self.workers.extract(page.body, page.url, fetched_at, page.section_hint)
        except Exception as error:  # a page the rules choke on is recorded, kept, not lost
            self.crawler.stats.inc_value("archive/extract/errors")
            reason = f"extraction failed: {type(error).__name__}: {error}"
            return FailedPage(page.url, page.post_id, reason, page=page)
        if self._too_old(found.record):
            # Listings are newest first: one article older than --since ends that listing.
            if page.listing and self.crawler.spider is not None:
                self.crawler.spider.exhausted_listings.add(page.listing)  # type: ignore[attr-defined]
            self.crawler.stats.inc_value("archive/extract/older_than_since")
            raise DropItem(f"published before --since: {page.url}", log_level="INFO")
        return ExtractedArticle(found.record, page, found.provenance)

    def _too_old(self, record: dict[str, Any]) -> bool:
        published = record.get("published_at")
        return bool(self.since and published and datetime.fromisoformat(published) < self.since)
