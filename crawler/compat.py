"""The crawl's only reach into Scrapy internals, where Scrapy offers no public API.

Everything else goes through Scrapy's public API: settings, signals, documented middleware
and handler hooks, `get_retry_request`, `engine.crawl` and `engine.close_spider_async`. Each
function here names what it relies on, and tests/test_compat.py fails, naming it, the day a
Scrapy release moves it.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.extensions.throttle import AutoThrottle
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.utils.asyncio import call_later


def pause_download_slot(engine: Any, request: Request, seconds: float) -> bool:
    """Hold every request of `request`'s download slot for `seconds` (those in flight
    finish); False when the slot is gone. Through the slot's own timer, the one its
    download delay uses: `Downloader.slots`, `Slot.latercall` and `Downloader._latercall`,
    which runs the slot's queue again."""
    downloader = engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return False
    if slot.latercall is not None:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)
    return True


def drop_waiting_requests(engine: Any, reason: Exception) -> int:
    """Fail with `reason` every request waiting in a download slot, not sent yet (for its
    turn under the download delay, or a pause), and end the pauses; how many. Through
    `Downloader.slots`, each `Slot.queue` of (request, the deferred its download awaits) and
    `Slot.latercall`."""
    dropped = 0
    for slot in list(engine.downloader.slots.values()):
        if slot.latercall is not None:
            slot.latercall.cancel()
            slot.latercall = None
        while slot.queue:
            _, waiting = slot.queue.popleft()
            waiting.errback(reason)
            dropped += 1
    return dropped


def robots_sitemaps(parser: RobotParser) -> list[str]:
    """The Sitemap lines of a robots.txt, from the Protego parser Scrapy's robots middleware
    built (`ProtegoRobotParser.rp`); none from another parser."""
    if not isinstance(parser, ProtegoRobotParser):
        return []
    return list(parser.rp.sitemaps)


def robots_crawl_delay(parser: RobotParser, user_agent: str) -> float | None:
    """A robots.txt's Crawl-delay for `user_agent`, in seconds, from the Protego parser
    Scrapy's `ProtegoRobotParser` wraps (`.rp`, whose `crawl_delay` Scrapy does not expose);
    None from another parser."""
    if not isinstance(parser, ProtegoRobotParser):
        return None
    delay = parser.rp.crawl_delay(user_agent)
    return None if delay is None else float(delay)


def slow_download_slot(crawler: Any, slot_key: str, seconds: float) -> None:
    """At least `seconds` between requests of the download slot `slot_key`, from now on:
    the slot's delay (`Downloader.slots`, `Slot.delay`), the delay a slot of that key is made
    with when Scrapy makes it again after a while idle (`Downloader.per_slot_settings`, the
    DOWNLOAD_SLOTS setting as the downloader read it), and AutoThrottle's floor and ceiling,
    which would otherwise adjust the delay below it (`AutoThrottle.mindelay` and `.maxdelay`,
    found among `crawler.extensions.middlewares`)."""
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(slot_key)
    if slot is not None:
        slot.delay = max(slot.delay, seconds)
    settings = downloader.per_slot_settings.setdefault(slot_key, {})
    settings["delay"] = max(settings.get("delay", 0.0), seconds)
    for extension in crawler.extensions.middlewares:
        if isinstance(extension, AutoThrottle):
            extension.mindelay = max(extension.mindelay, seconds)
            extension.maxdelay = max(extension.maxdelay, seconds)


def widen_connection_pool(handler: Any, factor: int) -> None:
    """Keep `factor` times as many idle connections per host as Scrapy's HTTP/1.1 handler
    does (CONCURRENT_REQUESTS_PER_DOMAIN): its Twisted pool, `HTTP11DownloadHandler._pool`."""
    handler._pool.maxPersistentPerHost *= factor
