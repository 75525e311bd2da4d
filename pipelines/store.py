"""Pipeline 300: each extracted article committed to the archive as soon as it is extracted."""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from archive.drift import drift_warnings
from archive.lock import ArchiveLock
from archive.store import Archive, ArchiveError, RawPage
from crawler.items import FailedPage, FetchedPage
from pipelines.extract import ExtractedArticle

# Fields whose fill rate per run tells whether the site's markup has drifted.
FILL_FIELDS = ("published_at", "authors", "sapo", "body", "images")
# The stat that carries a write error (a full disk, say) to `run_crawl`, which raises it.
ERROR_STAT = "archive/error"


def raw_page(page: FetchedPage) -> RawPage:
    return RawPage(page.url, page.final_url, page.status, page.headers, page.body, page.fetched_at)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("BIENPHONG_DB")
        self.archive: Archive | None = None
        self.run_id = 0
        # `bienphong crawl` holds the lock already; `scrapy crawl bienphong` takes it here.
        held = crawler.settings.getbool("BIENPHONG_LOCK_HELD")
        self.lock = None if held else ArchiveLock(self.path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        # The run is closed on spider_closed, the first moment the close reason is known
        # (pipelines close before it): a crawl stopped by a signal is not taken for a whole walk.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        if self.lock is not None:
            self.lock.acquire()
        try:
            self.archive = Archive(self.path)
            self.archive.mark_interrupted_runs()  # the lock is ours: a "running" run was killed
            options = self.crawler.settings.getdict("BIENPHONG_RUN_OPTIONS")
            self.run_id = self.archive.start_run(options)
        except ArchiveError as error:
            self.stop(error)
            return
        self.stats.set_value("archive/run_id", self.run_id)

    def process_item(self, item: Any) -> Any:
        if self.stats.get_value(ERROR_STAT):
            raise DropItem("the archive cannot be written", log_level="DEBUG")
        try:
            return self._store(item)
        except ArchiveError as error:
            self.stop(error)
            raise DropItem(str(error), log_level="DEBUG") from error

    def stop(self, error: ArchiveError) -> None:
        """A write failed (a full disk, an archive gone read-only): what is committed stays
        committed; the crawl stops rather than fetch pages it cannot keep."""
        self.stats.set_value(ERROR_STAT, str(error))
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="archive_error"))

    def _store(self, item: Any) -> Any:
        assert self.archive is not None
        if isinstance(item, FailedPage):
            if item.page is not None and item.post_id is not None:  # kept for `reextract`
                self.archive.save_page(raw_page(item.page), item.post_id, self.run_id)
            self.archive.record_failure(self.run_id, item.url, item.post_id, item.reason)
            self.stats.inc_value("archive/store/failed")
            return item
        extracted: ExtractedArticle = item
        outcome = self.archive.save_article(extracted.record, raw_page(extracted.page), self.run_id)
        self.stats.inc_value(f"archive/store/{outcome}")
        for field in FILL_FIELDS:
            if extracted.record.get(field):
                self.stats.inc_value(f"archive/fill/{field}")
        return item

    def spider_closed(self, reason: str) -> None:
        if self.archive is not None:
            try:
                self._finish(reason)
            except ArchiveError as error:  # the run stays "running": the next run marks it
                self.stats.set_value(ERROR_STAT, self.stats.get_value(ERROR_STAT) or str(error))
            self.archive.close()
        if self.lock is not None:
            self.lock.release()

    def _finish(self, reason: str) -> None:
        assert self.archive is not None
        stats = self.stats.get_stats()
        counts = {
            key: stats.get(f"archive/store/{key}", 0)
            for key in ("new", "updated", "unchanged", "failed")
        }
        counts["pages_fetched"] = stats.get("downloader/response_count", 0)
        saved = counts["new"] + counts["updated"] + counts["unchanged"]
        fill = {f: stats.get(f"archive/fill/{f}", 0) / saved for f in FILL_FIELDS} if saved else {}
        warnings = drift_warnings(fill, saved, self.archive.get_runs(20)[1:])
        reason = "archive_error" if stats.get(ERROR_STAT) else reason
        spider = self.crawler.spider
        plan = getattr(spider, "plan", None)
        # Validators vouch that nothing below a page changed: only a whole walk may keep them.
        if reason == "finished" and plan is not None and not plan.bounded:
            self.archive.save_validators(getattr(spider, "seen_validators", {}))
        self.archive.finish_run(self.run_id, reason, counts, fill, warnings)
        self.stats.set_value("archive/warnings", warnings)
