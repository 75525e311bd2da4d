"""Pipeline 300: each extracted article committed to the archive as soon as it is extracted,
each failed page recorded (with its raw page, when one came), and the run closed with its
counts, fill rates and drift warnings.

The archive is the crawl's one open archive, which the spider holds (`spider.archive`:
handed in by `bienphong crawl`, or opened by the spider under `scrapy crawl`); the pipeline
writes into it and leaves closing it to whoever opened it."""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from archive.crawl_memory import Validators, save_validators
from archive.drift import drift_warnings, generic_path
from archive.errors import ArchiveError
from archive.pages import RawPage, save_page
from archive.runs import finish_run, get_runs, mark_interrupted_runs, record_failure, start_run
from archive.schema import PAGE_FIELDS
from archive.store import Archive
from pipelines import stats as keys
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage, PageValidators
from pipelines.stats import RunCounts


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.options = crawler.settings.getdict("BIENPHONG_RUN_OPTIONS")
        self.archive: Archive | None = None
        self.run_id = 0
        self.validators: dict[str, Validators] = {}  # kept at the end of a whole walk

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        # The run is closed on spider_closed, the first moment the close reason is known
        # (pipelines close before it): a crawl stopped by a signal is not taken for a whole walk.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        archive = getattr(self.crawler.spider, "archive", None)
        if not isinstance(archive, Archive):
            raise TypeError("the store pipeline needs a spider that holds the crawl's archive")
        try:
            self.archive = archive
            mark_interrupted_runs(self.archive)  # the lock is ours: a "running" run was killed
            self.run_id = start_run(self.archive, self.options)
        except ArchiveError as error:
            self.stop(error)
            return
        self.stats.set_value(keys.RUN_ID, self.run_id)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageValidators):
            self.validators[item.url] = item.validators
            return item
        if self.stats.get_value(keys.ERROR) or self.archive is None:
            raise DropItem("the archive cannot be written", log_level="DEBUG")
        try:
            outcome = store_item(self.archive, item, self.run_id)
        except ArchiveError as error:
            self.stop(error)
            raise DropItem(str(error), log_level="DEBUG") from error
        self.stats.inc_value(keys.stored(outcome))
        if isinstance(item, ExtractedArticle):
            for field in PAGE_FIELDS:  # a fill rate each, for drift
                if item.record.get(field):
                    self.stats.inc_value(keys.filled(field))
            if generic_path(item.provenance):
                self.stats.inc_value(keys.GENERIC)
        return item

    def stop(self, error: Exception) -> None:
        """A write failed (a full disk, an archive gone read-only): what is committed stays
        committed; the crawl stops rather than fetch pages it cannot keep."""
        self.stats.set_value(keys.ERROR, str(error))
        if self.crawler.crawling:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="archive_error"))

    def spider_closed(self, reason: str) -> None:
        # Scrapy closes the spider once every item is through: nothing is left to write.
        if self.archive is None or not self.run_id:
            return
        try:
            stats = self.stats.get_stats()
            outcome, warnings = close_run(self.archive, self.run_id, reason, stats, self.validators)
            self.stats.set_value(keys.OUTCOME, outcome)
            self.stats.set_value(keys.WARNINGS, warnings)
        except ArchiveError as error:  # kept for `run_crawl`, which raises it; a run left
            # "running" is marked interrupted by the next crawl
            self.stats.set_value(keys.ERROR, self.stats.get_value(keys.ERROR) or str(error))
        finally:
            self.archive = None


def raw_page(page: FetchedPage) -> RawPage:
    return RawPage(page.url, page.final_url, page.status, page.headers, page.body, page.fetched_at)


def store_item(archive: Archive, item: ExtractedArticle | FailedPage, run_id: int) -> str:
    """The item into the archive: "new", "updated", "unchanged", "failed" (an article), or
    "pages_failed" (a feed, sitemap or listing)."""
    if isinstance(item, FailedPage):
        if item.page is not None and item.post_id is not None:  # kept for `reextract`
            save_page(archive, raw_page(item.page), item.post_id, run_id)
        record_failure(archive, run_id, item.url, item.post_id, item.reason)
        return "failed" if item.post_id is not None else "pages_failed"
    return archive.save_article(item.record, raw_page(item.page), run_id, item.provenance)


def close_run(
    archive: Archive,
    run_id: int,
    reason: str,
    stats: dict[str, Any],
    validators: dict[str, Validators],
) -> tuple[str, list[str]]:
    """Record how the run ended, from the crawl's stats: its outcome and drift warnings (both
    returned), counts, fill rates and the share of its articles the generic path read. A run
    that finished keeps `validators` (the spider sends them only from a crawl of the whole
    site). A run that reached its end but failed more pages than it read is `failed`."""
    done = RunCounts.of(stats)
    saved = done.saved
    fill = {f: stats.get(keys.filled(f), 0) / saved for f in PAGE_FIELDS} if saved else {}
    generic = stats.get(keys.GENERIC, 0) / saved if saved else None
    reason = "archive_error" if stats.get(keys.ERROR) else reason
    if reason == "finished" and done.failed > done.pages_read:
        reason = "failed"
    # Validators vouch that nothing below a page changed: only a walk that missed no page.
    if reason == "finished" and not done.failed_pages:
        save_validators(archive, validators)
    warnings = drift_warnings(fill, saved, get_runs(archive, 20)[1:])
    ended = stats.get(keys.ENDED_LISTINGS, [])
    warnings += [f"listing {listing} {why}" for listing, why in ended]
    counts = {
        "new": done.new,
        "updated": done.updated,
        "unchanged": done.unchanged,
        "failed": done.failed,  # the run's failures: articles, feeds, sitemaps, listings
        "pages_fetched": done.pages_fetched,
    }
    finish_run(archive, run_id, reason, counts, fill, warnings, generic)
    return reason, warnings
