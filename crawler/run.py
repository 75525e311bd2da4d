"""Run one crawl of the site into an archive: the library call behind `bienphong crawl`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from twisted.python.failure import Failure

from archive.dates import site_iso
from archive.errors import ArchiveError
from archive.runs import Run, get_run
from archive.site import CANONICAL_ORIGIN
from archive.store import Archive
from archive.walk import WalkProgress, walk_progress
from crawler.logs import Verbosity, log_level, project_log
from pipelines import stats as keys
from pipelines.stats import RunCounts

LIVE_BASE_URL = CANONICAL_ORIGIN


@dataclass(frozen=True)
class CrawlOptions:
    db: Path
    base_url: str = LIVE_BASE_URL
    delay: float = 1.0
    concurrency: int = 4
    since: datetime | None = None
    max_articles: int | None = None
    sections: tuple[str, ...] = ()
    full: bool = False
    refetch: bool = False
    recheck_since: datetime | None = None
    timeout: float = 30.0  # seconds for one page before it counts as failed (and is retried)
    verify_certificates: bool = True  # the site's TLS certificate checked (--insecure: not)
    max_duration: timedelta | None = None  # a time box: the crawl pauses when it is up
    log_file: Path | None = None  # the crawl's log, appended to; else stderr
    verbosity: Verbosity = "normal"


@dataclass(frozen=True)
class CrawlSummary:
    """What `bienphong crawl` reports: the run's account as the archive holds it (what
    `bienphong runs` shows), and what only the process knows."""

    run: Run
    duration_seconds: float = 0.0
    offsite: int = 0  # links, requests and redirects to other hosts, dropped
    interrupted: str | None = None  # the signal that stopped the crawl (SIGINT, ...)
    walk: WalkProgress | None = None  # the whole walk it leaves for the next crawl to go on

    @property
    def outcome(self) -> str:
        """The run's outcome; `interrupted` for one stopped at once (a second signal), which
        could not close its run."""
        return "interrupted" if self.run.outcome == "running" else self.run.outcome


def crawl_settings(options: CrawlOptions) -> Settings:
    """The project's Scrapy settings with the command's options laid over them."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides: dict[str, Any] = {
        "BIENPHONG_DB": str(options.db),
        "BIENPHONG_BASE_URL": options.base_url.rstrip("/"),
        "BIENPHONG_SINCE": options.since,
        "BIENPHONG_FULL": options.full,
        "BIENPHONG_REFETCH": options.refetch,
        "BIENPHONG_RECHECK_SINCE": options.recheck_since,
        "BIENPHONG_MAX_ARTICLES": options.max_articles,
        "BIENPHONG_SECTIONS": list(options.sections),
        "BIENPHONG_RUN_OPTIONS": run_options(options),
        "BIENPHONG_LOCK_HELD": True,
        "BIENPHONG_PROGRESS": True,
        "DOWNLOAD_DELAY": options.delay,
        "AUTOTHROTTLE_ENABLED": options.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(options.delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency,
        "CONCURRENT_REQUESTS": max(16, options.concurrency),
        "DOWNLOAD_TIMEOUT": options.timeout,
        "DOWNLOAD_VERIFY_CERTIFICATES": options.verify_certificates,
        "LOG_LEVEL": log_level(options.verbosity),
        "BIENPHONG_MAX_DURATION": options.max_duration.total_seconds()
        if options.max_duration
        else 0,
        "LOG_FILE": None if options.log_file is None else str(options.log_file),
    }
    settings.setdict(overrides, priority="cmdline")
    return settings


def run_options(options: CrawlOptions) -> dict[str, Any]:
    """The options as the `runs` table records them."""
    return {
        "command": "crawl",
        "base_url": options.base_url,
        "delay": options.delay,
        "concurrency": options.concurrency,
        "since": options.since and site_iso(options.since),
        "max_articles": options.max_articles,
        "sections": list(options.sections),
        "full": options.full,
        "refetch": options.refetch,
        "recheck_since": options.recheck_since and site_iso(options.recheck_since),
        "timeout": options.timeout,
        "insecure": not options.verify_certificates,
        "max_duration": options.max_duration and options.max_duration.total_seconds(),
    }


def run_crawl(options: CrawlOptions, archive: Archive) -> CrawlSummary:
    """Crawl once into `archive`, in this process (Scrapy's reactor runs once per process).
    The caller holds the archive's lock (`bienphong crawl` takes it before it opens the
    archive) and closes the archive after."""
    from crawler.spiders.bienphong import BienphongSpider

    started = time.monotonic()
    process = CrawlerProcess(crawl_settings(options))
    project_log(options.verbosity, options.log_file)
    crawler = process.create_crawler(BienphongSpider)
    failed: list[BaseException] = []

    # A crawl that cannot start (its archive cannot be read: say, a damaged file) fails its
    # deferred before any stats exist; taken here, it is the error, not "Unhandled error".
    def keep(failure: Failure) -> None:
        failed.append(failure.value or RuntimeError(str(failure)))

    process.crawl(crawler, archive=archive).addErrback(keep)
    # The crawl's own handlers (crawler.stopping) hold the signals from the moment it is made;
    # Scrapy's, installed as the reactor starts, would take a signal while it starts up for a
    # stop nothing records.
    process.start(install_signal_handlers=not crawler.settings.getbool("BIENPHONG_PROMPT_STOP"))
    if failed:
        if isinstance(failed[0], ArchiveError | KeyboardInterrupt):  # a signal before the crawl
            raise failed[0]
        raise ArchiveError(f"the crawl could not start: {failed[0]!r}") from failed[0]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if stats.get(keys.ERROR):  # a write failed: what was committed before it stays
        raise ArchiveError(f"crawl stopped: {stats[keys.ERROR]}")
    run = get_run(archive, int(stats.get(keys.RUN_ID, 0)))
    if run is None:
        raise ArchiveError(f"the crawl could not start a run in {archive.path}")
    return CrawlSummary(
        run=run,
        duration_seconds=round(time.monotonic() - started, 1),
        offsite=RunCounts.of(stats).offsite,
        interrupted=stats.get(keys.INTERRUPTED),
        walk=walk_progress(archive),
    )
