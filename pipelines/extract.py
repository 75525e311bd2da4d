"""Pipeline 100: a fetched article page → its article record (pure extraction underneath)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.items import FailedPage, FetchedPage
from pipelines.extraction import extract


@dataclass
class ExtractedArticle:
    record: dict[str, Any]
    page: FetchedPage


class ExtractPipeline:
    def __init__(self, crawler: Crawler, since: datetime | None) -> None:
        self.crawler = crawler
        self.since = since

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        since = crawler.settings.get("BIENPHONG_SINCE")
        return cls(crawler, datetime.fromisoformat(since) if since else None)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FailedPage):
            return item
        page: FetchedPage = item
        try:
            record = extract(
                page.body, page.url, datetime.fromisoformat(page.fetched_at),
                section_hint=page.section_hint,
            )  # fmt: skip
        except Exception as error:  # a page the rules choke on is recorded, kept, not lost
            self.crawler.stats.inc_value("archive/extract/errors")
            reason = f"extraction failed: {type(error).__name__}: {error}"
            return FailedPage(page.url, page.post_id, reason, page=page)
        if self._too_old(record):
            # Listings are newest first: one article older than --since ends that listing.
            if page.listing and self.crawler.spider is not None:
                self.crawler.spider.exhausted_listings.add(page.listing)  # type: ignore[attr-defined]
            self.crawler.stats.inc_value("archive/extract/older_than_since")
            raise DropItem(f"published before --since: {page.url}", log_level="INFO")
        return ExtractedArticle(record, page)

    def _too_old(self, record: dict[str, Any]) -> bool:
        published = record.get("published_at")
        return bool(self.since and published and datetime.fromisoformat(published) < self.since)
