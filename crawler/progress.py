"""What a crawl has done so far, for the person or the log watching it (a Scrapy extension,
enabled by `bienphong crawl`).

On a terminal: one line redrawn every second (pages, articles new/updated/unchanged/failed,
pages a second, and how far along when `--max-articles` gives the total). Off a terminal (a
log, a journal): the same as a line of the crawl's log every minute (`crawler.logs`: stamped
with its time, under the logger `bienphong`). When a signal asks the crawl to stop
(`crawler.stopping`), it says so, naming the signal, and how to stop it at once.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.logs import PROJECT
from crawler.stopping import crawl_stopping
from pipelines.stats import RunCounts

CLEAR = "\r\x1b[K"  # back to the start of the line, and erase it


def stopping_line(signal_name: str) -> str:
    """What a crawl says when `signal_name` (`SIGTERM`) asks it to stop."""
    again = "Ctrl-C again" if signal_name == "SIGINT" else f"{signal_name} again"
    return (
        f"{signal_name}: stopping: no further page is asked, what was fetched is being"
        f" archived ({again} to stop at once)"
    )


def progress_line(stats: dict[str, Any], seconds: float, total: int | None) -> str:
    """`pages 1,204 · articles 310 new, 2 updated, 880 unchanged, 1 failed · 3.1 pages/s`."""
    pages = stats.get("response_received_count", 0)
    done = RunCounts.of(stats)
    rate = pages / seconds if seconds > 0 else 0.0
    line = (
        f"pages {pages:,} · articles {done.new:,} new, {done.updated:,} updated, "
        f"{done.unchanged:,} unchanged, {done.failed:,} failed · {rate:.1f} pages/s"
    )
    if total:
        line += f" · {done.saved:,} of {total:,} ({done.saved / total:.0%})"
    return line


class Progress:
    def __init__(self, crawler: Any, interactive: bool, write: Callable[[str], Any]) -> None:
        self.crawler = crawler
        self.interactive = interactive
        self.write = write
        self.interval = (
            1.0 if interactive else crawler.settings.getfloat("BIENPHONG_PROGRESS_INTERVAL", 60.0)
        )
        self.total = crawler.settings.getint("BIENPHONG_MAX_ARTICLES") or None
        self.started = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        if not crawler.settings.getbool("BIENPHONG_PROGRESS"):
            raise NotConfigured
        progress = cls(crawler, sys.stderr.isatty(), sys.stderr.write)
        crawler.signals.connect(progress.engine_started, signal=signals.engine_started)
        crawler.signals.connect(progress.stopping, signal=crawl_stopping)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def engine_started(self) -> None:
        self.started = time.monotonic()
        self.task = create_looping_call(self.show)
        self.task.start(self.interval, now=False)

    def stopping(self, signal_name: str) -> None:
        self.say(stopping_line(signal_name), level=logging.WARNING)

    def show(self) -> None:
        line = progress_line(
            self.crawler.stats.get_stats(), time.monotonic() - self.started, self.total
        )
        self.say(line, redraw=True)

    def say(self, text: str, redraw: bool = False, level: int = logging.INFO) -> None:
        """On the terminal, redrawn or as a line of its own; off it, a line of the log."""
        if not self.interactive:
            PROJECT.log(level, text)
            return
        try:  # the terminal may be gone (SIGHUP): the crawl goes on without it
            self.write(f"{CLEAR}{text}" + ("" if redraw else "\n"))
            sys.stderr.flush()
        except (OSError, ValueError):
            self.interactive, self.write = False, lambda _: None

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.interactive:
            self.say("", redraw=True)  # the summary takes the line's place
