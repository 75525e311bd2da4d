"""Pipeline 300: each extracted article committed to the archive as soon as it is extracted.

The archive is written by a process of its own (`pipelines.workers.ArchiveWriter`), one call
at a time and in order; what it does there is `pipelines.writes`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from archive.drift import generic_path
from archive.lock import ArchiveLock
from archive.schema import PAGE_FIELDS
from archive.store import ArchiveError
from crawler.items import ExtractedArticle
from pipelines.workers import ArchiveWriter, WorkerDied
from pipelines.writes import close_run, open_run, store_item

# Fields whose fill rate per run tells whether the site's markup has drifted: every field of
# the record read from the page (the extractor's EXTRACTED_FIELDS, without importing it here).
FILL_FIELDS = PAGE_FIELDS
# The stat that carries a write error (a full disk, say) to `run_crawl`, which raises it.
ERROR_STAT = "archive/error"


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("BIENPHONG_DB")
        self.in_process = not crawler.settings.getbool("BIENPHONG_ARCHIVE_PROCESS", True)
        self.writer: ArchiveWriter | None = None
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

    async def open_spider(self) -> None:
        if self.lock is not None:
            self.lock.acquire()
        self.writer = ArchiveWriter(self.path, in_process=self.in_process)
        options = self.crawler.settings.getdict("BIENPHONG_RUN_OPTIONS")
        try:
            await self.writer.start()
            self.run_id = await self.writer.run(open_run, options)
        except (ArchiveError, WorkerDied) as error:
            self.stop(error)
            return
        self.stats.set_value("archive/run_id", self.run_id)

    async def process_item(self, item: Any) -> Any:
        if self.stats.get_value(ERROR_STAT) or self.writer is None:
            raise DropItem("the archive cannot be written", log_level="DEBUG")
        try:
            outcome = await self.writer.run(store_item, item, self.run_id)
        except (ArchiveError, WorkerDied) as error:
            self.stop(error)
            raise DropItem(str(error), log_level="DEBUG") from error
        self.stats.inc_value(f"archive/store/{outcome}")
        if isinstance(item, ExtractedArticle):
            for field in FILL_FIELDS:
                if item.record.get(field):
                    self.stats.inc_value(f"archive/fill/{field}")
            if generic_path(item.provenance):
                self.stats.inc_value("archive/generic")
        return item

    def stop(self, error: Exception) -> None:
        """A write failed (a full disk, an archive gone read-only): what is committed stays
        committed; the crawl stops rather than fetch pages it cannot keep."""
        self.stats.set_value(ERROR_STAT, str(error))
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="archive_error"))

    async def spider_closed(self, reason: str) -> None:
        # Scrapy closes the spider once every item is through: no write is still on its way.
        if self.writer is not None:
            if self.run_id:
                await self._on_archive_error(self._finish(self.writer, reason))
            await self._on_archive_error(self.writer.stop())
        if self.lock is not None:
            self.lock.release()

    async def _on_archive_error(self, step: Awaitable[None]) -> None:
        """Await a closing step; an error is kept for `run_crawl`, which raises it. Should
        the run stay "running", the next crawl marks it interrupted."""
        try:
            await step
        except (ArchiveError, WorkerDied) as error:
            self.stats.set_value(ERROR_STAT, self.stats.get_value(ERROR_STAT) or str(error))

    async def _finish(self, writer: ArchiveWriter, reason: str) -> None:
        stats = self.stats.get_stats()
        counts = {
            key: stats.get(f"archive/store/{key}", 0)
            for key in ("new", "updated", "unchanged", "failed")
        }
        counts["pages_fetched"] = stats.get("downloader/response_count", 0)
        saved = counts["new"] + counts["updated"] + counts["unchanged"]
        fill = {f: stats.get(f"archive/fill/{f}", 0) / saved for f in FILL_FIELDS} if saved else {}
        generic = stats.get("archive/generic", 0) / saved if saved else None
        reason = "archive_error" if stats.get(ERROR_STAT) else reason
        spider = self.crawler.spider
        plan = getattr(spider, "plan", None)
        # Validators vouch that nothing below a page changed: only a whole walk may keep them.
        whole_walk = reason == "finished" and plan is not None and not plan.bounded
        validators = getattr(spider, "seen_validators", {}) if whole_walk else None
        warnings = await writer.run(
            close_run, self.run_id, reason, counts, fill, validators, generic
        )
        self.stats.set_value("archive/warnings", warnings)
