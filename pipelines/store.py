"""Pipeline 300: each extracted article committed to the archive as soon as it is extracted,
each failed page recorded (with its raw page, when one came), a whole walk's steps written as
it goes (`archive.walk`), and the run closed with its counts, fill rates and drift warnings.

The archive is the crawl's one open archive, which the spider holds (`spider.archive`:
handed in by `bienphong crawl`, or opened by the spider under `scrapy crawl`); the pipeline
writes into it and leaves closing it to whoever opened it."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from archive.crawl_memory import Validators, save_validators
from archive.dates import FIRST_YEAR
from archive.drift import fill_drift, generic_path, lost_drift, rules_drift, site_template
from archive.errors import ArchiveError
from archive.pages import RawPage, save_page
from archive.runs import (
    count_run,
    finish_run,
    get_runs,
    mark_interrupted_runs,
    record_failure,
    start_run,
)
from archive.schema import PAGE_FIELDS
from archive.store import Archive
from archive.walk import (
    WalkBegin,
    WalkSteps,
    end_walk,
    save_walk_steps,
    take_walk,
    walk_validators,
)
from pipelines import stats as keys
from pipelines.extraction.dates import OUT_OF_YEARS
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage, PageValidators
from pipelines.stats import RunCounts

COUNT_EVERY = 2.0  # seconds between writes of a running run's counts and walk


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.options = crawler.settings.getdict("BIENPHONG_RUN_OPTIONS")
        self.archive: Archive | None = None
        self.run_id = 0
        self.validators: dict[str, Validators] = {}  # kept at the end of a whole walk
        self.counted = -COUNT_EVERY  # when the run's counts were last written (never)
        self.walked = time.monotonic()  # when the walk's steps were last written
        self.walk_begun: int | None = None  # the run that began the whole walk this one walks
        self.walk = WalkSteps()  # its steps not written yet

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
        if isinstance(item, WalkSteps):
            self.walk.add(item)
            self.save_walk_if_due()
            return item
        if self.stats.get_value(keys.ERROR) or self.archive is None:
            raise DropItem("the archive cannot be written", log_level="DEBUG")
        try:
            if isinstance(item, WalkBegin):
                take_walk(self.archive, self.run_id, item)
                self.walk_begun = self.run_id if item.resumes is None else item.resumes
                return item
            outcome = store_item(self.archive, item, self.run_id, self.compare)
        except ArchiveError as error:
            self.stop(error)
            raise DropItem(str(error), log_level="DEBUG") from error
        self.stats.inc_value(keys.stored(outcome))
        if isinstance(item, ExtractedArticle):
            self.count_article(item, outcome)
        self.count_if_due()
        return item

    def count_article(self, item: ExtractedArticle, outcome: str) -> None:
        """What drift reads: the fields found in new articles, the template that read it,
        and whether the generic path did."""
        if outcome == "new":
            for field in PAGE_FIELDS:
                if item.record.get(field):
                    self.stats.inc_value(keys.filled(field))
        if name := site_template(item.provenance):
            self.stats.inc_value(keys.template(name))
        for source in (item.provenance or {}).values():
            if source.startswith(OUT_OF_YEARS):
                self.stats.inc_value(keys.DATES_OUT_OF_YEARS)
        if generic_path(item.provenance):
            self.stats.inc_value(keys.GENERIC)

    def compare(self, previous: dict[str, Any], record: dict[str, Any]) -> None:
        """An article fetched again: each field its earlier version had and this one lacks."""
        for field in PAGE_FIELDS:
            if previous.get(field) and not record.get(field):
                self.stats.inc_value(keys.lost(field))

    def count_if_due(self) -> None:
        """The run's counts so far into the archive, every COUNT_EVERY seconds: a live run,
        and a killed one, show what they did."""
        if self.archive is None or time.monotonic() < self.counted + COUNT_EVERY:
            return
        self.counted = time.monotonic()
        try:
            count_run(self.archive, self.run_id, RunCounts.of(self.stats.get_stats()).as_row())
        except ArchiveError as error:
            self.stop(error)

    def save_walk_if_due(self) -> None:
        """A whole walk's steps into the archive, every COUNT_EVERY seconds: a walk killed
        resumes from there."""
        if time.monotonic() < self.walked + COUNT_EVERY:
            return
        self.walked = time.monotonic()
        try:
            self.save_walk()
        except ArchiveError as error:
            self.stop(error)

    def save_walk(self) -> None:
        if self.archive is not None and self.walk_begun is not None and self.walk:
            save_walk_steps(self.archive, self.walk)
            self.walk = WalkSteps()

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
            if not self.stats.get_value(keys.ERROR):
                self.save_walk()
            stats = self.stats.get_stats()
            outcome, warnings = close_run(
                self.archive, self.run_id, reason, stats, self.validators, self.walk_begun
            )
            self.stats.set_value(keys.OUTCOME, outcome)
            self.stats.set_value(keys.WARNINGS, warnings)
        except ArchiveError as error:  # kept for `run_crawl`, which raises it; a run left
            # "running" is marked interrupted by the next crawl
            self.stats.set_value(keys.ERROR, self.stats.get_value(keys.ERROR) or str(error))
        finally:
            self.archive = None


def raw_page(page: FetchedPage) -> RawPage:
    return RawPage(page.url, page.final_url, page.status, page.headers, page.body, page.fetched_at)


def store_item(
    archive: Archive,
    item: ExtractedArticle | FailedPage,
    run_id: int,
    compare: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> str:
    """The item into the archive: "new", "updated", "unchanged", "failed" (an article), or
    "pages_failed" (a feed, sitemap or listing). `compare` is handed an article's earlier
    record and the new one, when it replaces a readable one."""
    if isinstance(item, FailedPage):
        if item.page is not None and item.post_id is not None:  # kept for `reextract`
            save_page(archive, raw_page(item.page), item.post_id, run_id)
        record_failure(archive, run_id, item.url, item.post_id, item.reason)
        return "failed" if item.post_id is not None else "pages_failed"
    replaced = None if compare is None else partial(_compared, compare, item.record)
    page = raw_page(item.page)
    return archive.save_article(item.record, page, run_id, item.provenance, replaced)


def _compared(
    compare: Callable[[dict[str, Any], dict[str, Any]], None],
    record: dict[str, Any],
    previous: dict[str, Any],
) -> None:
    compare(previous, record)


def close_run(
    archive: Archive,
    run_id: int,
    reason: str,
    stats: dict[str, Any],
    validators: dict[str, Validators],
    walk_begun: int | None = None,
) -> tuple[str, list[str]]:
    """Record how the run ended, from the crawl's stats: its outcome and drift warnings (both
    returned), counts, fill rates and the share of its articles the generic path read. A run
    that finished keeps `validators` (the spider sends them only from a crawl of the whole
    site), and one that finished a whole walk (begun by run `walk_begun`) those of the walk's
    earlier runs too, and forgets the walk. A run of a walk done in pieces is compared, for
    drift, with the runs before the walk, as the walk done at once would be: its pieces are
    slices of the site's years, unlike one another. A run that reached its end but failed
    more pages than it read is `failed`."""
    done = RunCounts.of(stats)
    new, saved = done.new, done.saved
    fill = {f: stats.get(keys.filled(f), 0) / new for f in PAGE_FIELDS} if new else {}
    generic = stats.get(keys.GENERIC, 0) / saved if saved else None
    templates = keys.with_prefix(stats, keys.template)
    outcome, why = ended_as(reason, stats, done)
    walk_done = outcome == "finished" and walk_begun is not None
    if walk_done:
        validators = walk_validators(archive) | validators
    # Validators vouch that nothing below a page changed: only a walk that missed no page.
    if outcome == "finished" and not done.failed_pages:
        save_validators(archive, validators)
    earlier = get_runs(archive, 20, before=walk_begun or run_id)
    warnings = fill_drift(fill, new, earlier)
    warnings += lost_drift(keys.with_prefix(stats, keys.lost), saved - new)
    warnings += rules_drift(templates, saved, earlier)
    ended = stats.get(keys.ENDED_LISTINGS, [])
    warnings += [f"listing {listing} {why}" for listing, why in ended]
    for unfollowed in (keys.SITEMAPS_UNFOLLOWED, keys.LINKS_UNFOLLOWED):
        if stats.get(unfollowed):
            warnings.append(stats[unfollowed])
    if out_of_years := stats.get(keys.DATES_OUT_OF_YEARS):
        warnings.append(
            f"{out_of_years} dates out of the years a newspaper carries (before {FIRST_YEAR}, or"
            " after the year after the fetch) stored as unknown: `bienphong show --explain`"
            " names each page's"
        )
    finish_run(archive, run_id, outcome, done.as_row(), fill, warnings, generic, why, templates)
    if walk_done:  # a kill before this leaves a walk whose run finished: not resumed
        end_walk(archive)
    return outcome, warnings


def ended_as(reason: str, stats: dict[str, Any], done: RunCounts) -> tuple[str, str | None]:
    """How a run ended (Scrapy's close `reason`, unless a write failed or it failed more
    pages than it read), and why, in one line (None for a run that simply finished)."""
    if stats.get(keys.ERROR):
        return "archive_error", str(stats[keys.ERROR])
    if reason == "unreachable":
        return reason, stats.get(keys.UNREACHABLE)
    if reason == "refused":
        return reason, stats.get(keys.REFUSED)
    if reason == "shutdown":
        signal_name = stats.get(keys.INTERRUPTED)
        return reason, f"stopped by {signal_name}" if signal_name else "stopped"
    if reason == "paused":
        return reason, "its time box (--max-duration) was up: the next crawl goes on"
    if reason == "finished" and done.failed > done.pages_read:
        why = f"failed more pages than it read ({done.failed} failed, {done.pages_read} read)"
        return "failed", why
    return reason, None
