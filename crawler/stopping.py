"""Stopping promptly: on the first SIGINT, SIGTERM or SIGHUP, or when the crawl's time box
(`--max-duration`, BIENPHONG_MAX_DURATION seconds) is up, no further request is sent.

Scrapy's own first signal stops the crawl gracefully: it waits for every request the engine has
handed to the downloader, and at the polite pace a dozen of them wait in the download slot for
their turn, a second apart, or for a 429's `Retry-After`. This extension (enabled by default)
takes the signals instead, from the moment the crawl is made (`crawler.run` starts the reactor
without Scrapy's handlers, which would take a signal while the crawl starts up for a stop that
nothing records): the first signal records its name (`archive/interrupted`), tells the crawl's
components (the signal `crawl_stopping`, with `signal_name`), fails the requests still waiting
in the downloader before they are sent (`crawler.compat.drop_waiting_requests`), ending any
pause, and stops the crawler as Scrapy's handler would (at once, or as the engine starts). What
is in flight finishes; what was fetched goes through the pipelines and is archived; the run is
closed as `shutdown`, or `paused` at its time box. SIGHUP (the terminal closed) stops the crawl
as SIGTERM does. A second signal stops the reactor at once, as Scrapy's second does.
"""

from __future__ import annotations

import contextlib
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
        self.started = False  # the engine has started: a stop can be acted on
        self.before: dict[int, Any] = {}  # the handlers in force before the crawl's

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        if not crawler.settings.getbool("BIENPHONG_PROMPT_STOP"):
            raise NotConfigured
        stop = cls(crawler)
        crawler.signals.connect(stop.engine_started, signal=signals.engine_started)
        crawler.signals.connect(stop.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(stop.engine_stopped, signal=signals.engine_stopped)
        stop.take_signals()
        return stop

    def take_signals(self) -> None:
        """The crawl's handlers from the moment it is made (`crawler.run` starts the
        reactor without Scrapy's), so a signal while it starts up is a stop like any other."""
        for number in HANDLED:
            self.before[number] = signal.getsignal(number)
            signal.signal(number, self.signalled)

    def signalled(self, number: int, frame: Any) -> None:
        from twisted.internet import reactor

        stats = self.crawler.stats
        if stats.get_value(keys.INTERRUPTED) is not None:  # the second: stop at once
            for again in HANDLED:
                signal.signal(again, signal.SIG_IGN)
            reactor.callFromThread(self.stop_at_once)
            return
        name = signal.Signals(number).name
        stats.set_value(keys.INTERRUPTED, name)
        stats.set_value(keys.STOPPING, True)
        self.crawler.signals.send_catch_log(signal=crawl_stopping, signal_name=name)
        # In the reactor's turn: no new request leaves the engine, and those waiting in the
        # downloader are dropped. Before the engine started, it does this as it starts.
        reactor.callFromThread(self.stop_gracefully)

    def stop_gracefully(self) -> None:
        if not self.started or not self.crawler.crawling:
            return
        self.drop_waiting()
        deferred_from_coro(self.crawler.stop_async())

    def stop_at_once(self) -> None:
        """Stop the reactor. Its shutdown waits for CrawlerProcess's graceful stop of a crawler
        still crawling, so the graceful stop begins first: a second signal that came in the
        first one's handler (signal handlers nest) is queued before the first one's stop."""
        self.stop_gracefully()
        _stop_reactor()

    def engine_started(self) -> None:
        self.started = True
        seconds = self.crawler.settings.getfloat("BIENPHONG_MAX_DURATION")
        if seconds > 0:
            self.time_box = call_later(seconds, self.time_up)
        if self.crawler.stats.get_value(keys.STOPPING):  # signalled while starting up
            call_later(0, self.stop_gracefully)  # once the engine runs

    def engine_stopped(self) -> None:
        """The handlers from before the crawl again; none once a signal stopped it (the
        process is on its way out, a second signal would only break that)."""
        stopped = self.crawler.stats.get_value(keys.INTERRUPTED) is not None
        for number, handler in self.before.items():
            signal.signal(number, signal.SIG_IGN if stopped else handler)

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


def _stop_reactor() -> None:
    from twisted.internet import reactor

    running: Any = reactor  # the installed reactor, whatever twisted's stubs say it is
    with contextlib.suppress(RuntimeError):  # stopped already, or stopping
        running.stop()
