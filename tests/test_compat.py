"""What `crawler.compat` relies on in Scrapy, checked against the installed Scrapy: the day a
release moves one of these internals, a test here fails and names it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.extensions.throttle import AutoThrottle
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from archive.site import CANONICAL_ORIGIN
from crawler import compat


class Timer:
    """Stands in for the timer `call_later` returns: it remembers what it would call."""

    def __init__(self, seconds: float, function: Callable[..., Any], *args: Any) -> None:
        self.seconds, self.function, self.args = seconds, function, args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        self.function(*self.args)


def test_a_paused_download_slot_holds_its_queue_until_its_timer_fires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timers: list[Timer] = []

    def call_later(seconds: float, function: Callable[..., Any], *args: Any) -> Timer:
        timers.append(Timer(seconds, function, *args))
        return timers[-1]

    monkeypatch.setattr(compat, "call_later", call_later)
    downloader = Downloader(get_crawler())
    request = Request(f"{CANONICAL_ORIGIN}/", meta={"download_slot": "site"})
    slot = Slot(concurrency=4, delay=0.0, jitter=0.0)
    downloader.slots["site"] = slot  # `Downloader.slots`, keyed by `get_slot_key`
    engine = type("Engine", (), {"downloader": downloader})()

    assert compat.pause_download_slot(engine, request, 30.0)
    assert compat.pause_download_slot(engine, request, 45.0)  # a later answer asks longer

    assert [(30.0, True), (45.0, False)] == [(t.seconds, t.cancelled) for t in timers]
    latercall: object = slot.latercall
    assert timers[-1] is latercall  # `Slot.latercall`, the slot's own timer
    slot.queue.append((request, Deferred()))
    downloader._process_queue(slot)  # what the downloader does as a request is queued
    assert 1 == len(slot.queue)  # held: nothing sent while the timer is set
    slot.queue.clear()
    timers[-1].fire()  # `Downloader._latercall`: the slot runs its queue again
    assert None is slot.latercall


def test_a_slot_that_is_gone_is_not_paused() -> None:
    downloader = Downloader(get_crawler())
    engine = type("Engine", (), {"downloader": downloader})()

    assert not compat.pause_download_slot(engine, Request(f"{CANONICAL_ORIGIN}/"), 30.0)


def test_the_sitemaps_of_robots_txt_come_from_scrapys_protego_parser() -> None:
    body = b"User-agent: *\nDisallow: /admin/\nSitemap: https://www.bienphong.com.vn/sitemap.xml\n"
    parser = ProtegoRobotParser.from_crawler(get_crawler(), body)

    assert ["https://www.bienphong.com.vn/sitemap.xml"] == compat.robots_sitemaps(parser)


def test_the_http_handler_keeps_twice_the_idle_connections_scrapy_gives_it() -> None:
    # In a process of its own: the handler's pool needs a reactor, which the test process
    # must not install.
    script = (
        "from scrapy.utils.reactor import install_reactor\n"
        "install_reactor('twisted.internet.asyncioreactor.AsyncioSelectorReactor')\n"
        "from scrapy.utils.test import get_crawler\n"
        "from crawler.middlewares import SiteAddressHandler\n"
        "crawler = get_crawler(settings_dict={'CONCURRENT_REQUESTS_PER_DOMAIN': 3,\n"
        "    'BIENPHONG_BASE_URL': 'http://127.0.0.1:9'})\n"
        "print(SiteAddressHandler.from_crawler(crawler)._pool.maxPersistentPerHost)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )

    assert ("6", "") == (done.stdout.strip(), done.stderr.strip())


def test_requests_waiting_in_a_slot_are_failed_and_its_pause_ended() -> None:
    downloader = Downloader(get_crawler())
    slot = Slot(concurrency=1, delay=1.0, jitter=0.0)
    downloader.slots["site"] = slot  # `Downloader.slots`
    timer = Timer(120.0, downloader._latercall, slot)
    slot.latercall = timer  # type: ignore[assignment]  # a Retry-After pause, say
    waiting = [Deferred[object]() for _ in range(3)]
    failures: list[str] = []
    for number, deferred in enumerate(waiting):
        request = Request(f"{CANONICAL_ORIGIN}/a-post{number + 1}.html")
        slot.queue.append((request, deferred))  # type: ignore[arg-type]  # `Slot.queue`
        deferred.addErrback(lambda failure: failures.append(str(failure.value)))
    engine = type("Engine", (), {"downloader": downloader})()

    dropped = compat.drop_waiting_requests(engine, RuntimeError("stopping"))

    assert (3, ["stopping"] * 3) == (dropped, failures)
    assert (0, None, True) == (len(slot.queue), slot.latercall, timer.cancelled)


def test_the_crawl_delay_of_robots_txt_comes_from_scrapys_protego_parser() -> None:
    body = b"User-agent: *\nCrawl-delay: 2.5\n\nUser-agent: slowbot\nCrawl-delay: 9\n"
    parser = ProtegoRobotParser.from_crawler(get_crawler(), body)

    assert 2.5 == compat.robots_crawl_delay(parser, "bienphong-archive/1.0")
    assert 9.0 == compat.robots_crawl_delay(parser, "slowbot")
    no_delay = ProtegoRobotParser.from_crawler(get_crawler(), b"User-agent: *\nDisallow:\n")
    assert None is compat.robots_crawl_delay(no_delay, "bienphong-archive/1.0")


def test_a_slowed_slot_keeps_its_delay_under_autothrottle_and_when_made_again() -> None:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 1.0})
    throttle = AutoThrottle(crawler)
    throttle.mindelay, throttle.maxdelay = 1.0, 30.0  # as at spider_opened
    # `crawler.extensions.middlewares`, where the running crawl's AutoThrottle is found
    crawler.extensions = SimpleNamespace(middlewares=[object(), throttle])  # type: ignore[assignment]
    downloader = Downloader(crawler)
    downloader.slots["site"] = Slot(concurrency=1, delay=1.0, jitter=0.0)
    crawler.engine = type("Engine", (), {"downloader": downloader})()

    compat.slow_download_slot(crawler, "site", 45.0)

    assert 45.0 == downloader.slots["site"].delay  # `Slot.delay`
    assert (45.0, 45.0) == (throttle.mindelay, throttle.maxdelay)  # AutoThrottle's bounds
    # Scrapy drops a slot idle for a while; `Downloader._get_slot` makes it again with the
    # delay of `Downloader.per_slot_settings`.
    assert {"delay": 45.0} == downloader.per_slot_settings["site"]
