"""Stopping promptly: on the first SIGINT, SIGTERM or SIGHUP, or when the crawl's time box
(`--max-duration`, BIENPHONG_MAX_DURATION seconds) is up, no further request is sent.

Scrapy's own first signal stops the crawl gracefully: it waits for every request the engine has
handed to the downloader, and at the polite pace a dozen of them wait in the download slot for
their turn, a second apart, or for a 429's `Retry-After`. This extension (enabled by default)
wraps Scrapy's handlers: the first signal records its name (`archive/interrupted`), tells the
crawl's components (the signal `crawl_stopping`, with `signal_name`), and fails the requests
still waiting in the downloader before they are sent (`crawler.compat.drop_waiting_requests`),
ending any pause. What is in flight finishes; what was fetched goes through the pipelines and is
archived; the run is closed as `shutdown`, or `paused` at its time box. SIGHUP (the terminal
closed) stops the crawl as SIGTERM does. A second signal is Scrapy's: it stops at once.
"""

from __future__ import annotations

import signal
from typing import Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro

from crawler.compat import drop_waiting_requests
from pipelines import stats as keys

crawl_stopping = object()
"""Sent once, with `signal_name` (`SIGTERM`), when a signal asks the crawl to stop."""
HANDLED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class NotSent(IgnoreRequest):
    """A request dropped before it was sent, the crawl stopping: nothing failed."""


class PromptStop:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.time_box: Any = None  # the timer of --max-duration

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        if not crawler.settings.getbool("BIENPHONG_PROMPT_STOP"):
            raise NotConfigured
        stop = cls(crawler)
        crawler.signals.connect(stop.engine_started, signal=signals.engine_started)
        crawler.signals.connect(stop.spider_closed, signal=signals.spider_closed)
        return stop

    def engine_started(self) -> None:
        seconds = self.crawler.settings.getfloat("BIENPHONG_MAX_DURATION")
        if seconds > 0:
            self.time_box = call_later(seconds, self.time_up)
        # Scrapy installed its SIGINT and SIGTERM handlers as the crawl started.
        for signum in HANDLED:
            scrapy_handler = signal.getsignal(signal.SIGTERM if signum == signal.SIGHUP else signum)
            if callable(scrapy_handler):
                signal.signal(signum, self._wrapped(scrapy_handler))

    def _wrapped(self, scrapy_handler: Any) -> Any:
        def stopping(number: int, frame: Any) -> None:
            if self.crawler.stats.get_value(keys.INTERRUPTED) is None:
                name = signal.Signals(number).name
                self.crawler.stats.set_value(keys.INTERRUPTED, name)
                self.crawler.stats.set_value(keys.STOPPING, True)
                self.crawler.signals.send_catch_log(signal=crawl_stopping, signal_name=name)
            # SIGHUP is handed over as SIGTERM: Scrapy has no handler of its own for it.
            scrapy_handler(signal.SIGTERM if number == signal.SIGHUP else number, frame)
            # In the reactor's turn, after Scrapy's graceful stop began (no new request leaves
            # the engine), the requests waiting in the downloader are dropped.
            from twisted.internet import reactor

            reactor.callFromThread(self.drop_waiting)

        return stopping

    def time_up(self) -> None:
        """The time box is up: the crawl ends as a first signal would end it, `paused`."""
        if self.crawler.stats.get_value(keys.STOPPING) or not self.crawler.crawling:
            return
        self.crawler.stats.set_value(keys.STOPPING, True)
        self.drop_waiting()
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="paused"))

    def spider_closed(self) -> None:
        if self.time_box is not None:  # cancel() does nothing to a timer that fired
            self.time_box.cancel()

    def drop_waiting(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.downloader is not None:
            drop_waiting_requests(engine, NotSent("not sent: the crawl is stopping"))
