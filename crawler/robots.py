"""robots.txt as RFC 9309 says, before any other request of the crawl.

Scrapy's own robots middleware lets through the requests that waited while robots.txt was
downloading (it hands the parser to the first of them only), reads a server error's page as
rules (so a 503 allows everything), and ignores `Crawl-delay`. This middleware takes its place:

- every request to a host waits for that host's robots.txt, which is asked first;
- 2xx: its rules. 4xx: no rules, everything allowed (RFC 9309 2.3.1.3). A 429, a 5xx after
  the retries, or no answer: everything disallowed (2.3.1.4). The run ends `refused` with the
  reason, and the next run asks again;
- rules that forbid the site's home page to this crawler also end the run `refused`: the
  site does not want it;
- `Crawl-delay` slows the pace to it, up to CRAWL_DELAY_MAX seconds. A longer one ends the
  run `refused`: at that pace, a crawl of the site would take years.

A refused run says so in one line (`bienphong runs`), exits 3, and `runs --check` reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.compat import robots_crawl_delay, slow_download_slot
from pipelines import stats as keys

CRAWL_DELAY_MAX = 60.0  # seconds: the slowest pace a Crawl-delay may ask of a crawl
# One download slot for both hosts (robots.txt included): they are one server, and politeness
# is per server.
SLOT = "bienphong.com.vn"
FORBIDDEN = "Forbidden by robots.txt"


@dataclass(frozen=True)
class Rules:
    """What a host's robots.txt allows: `parser` None allows everything; `refused` says why
    the crawl may take nothing from the host."""

    parser: RobotParser | None = None
    refused: str | None = None
    crawl_delay: float | None = None

    def allows(self, url: str, user_agent: str) -> bool:
        if self.refused is not None:
            return False
        return self.parser is None or bool(self.parser.allowed(url, user_agent))


def rules_from(host: str, status: int | None, parser: RobotParser | None, user_agent: str) -> Rules:
    """The rules of `host` from its robots.txt answer: `status` (None: no answer at all), and
    the parser of its body when it came with a 2xx."""
    robots = f"robots.txt of {host}"
    if status is None or status == 429 or status >= 500:
        answered = "did not answer" if status is None else f"answered {status}"
        return Rules(
            refused=f"{robots} {answered}: RFC 9309 says to crawl nothing until it answers;"
            " the next crawl asks again"
        )
    if not 200 <= status < 300 or parser is None:
        return Rules()  # unavailable (4xx): no rules
    if not parser.allowed(f"https://{host}/", user_agent):
        return Rules(parser, refused=f"{robots} disallows the site's home page to this crawler")
    delay = robots_crawl_delay(parser, user_agent)
    if delay is not None and delay > CRAWL_DELAY_MAX:
        return Rules(
            parser,
            refused=f"{robots} asks for a Crawl-delay of {delay:g} s, over the"
            f" {CRAWL_DELAY_MAX:g} s this crawler keeps to: not crawling",
        )
    return Rules(parser, crawl_delay=delay)


class SiteRobotsMiddleware:
    """The downloader middleware (in the place of Scrapy's robots middleware, at 100)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.user_agent: str = crawler.settings.get("USER_AGENT")
        self.rules: dict[str, Rules] = {}  # by host
        self.waiting: dict[str, list[Deferred[Rules]]] = {}  # by host, while robots.txt comes

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        parts = urlsplit(request.url)
        rules = await self.rules_of(parts.scheme, parts.netloc)
        if not rules.allows(request.url, self.user_agent):
            self.crawler.stats.inc_value("robotstxt/forbidden")
            raise IgnoreRequest(rules.refused or FORBIDDEN)

    async def rules_of(self, scheme: str, host: str) -> Rules:
        if host in self.rules:
            return self.rules[host]
        waiter: Deferred[Rules] = Deferred()
        first = host not in self.waiting
        self.waiting.setdefault(host, []).append(waiter)
        if first:
            deferred_from_coro(self.ask(scheme, host))
        return await maybe_deferred_to_future(waiter)

    async def ask(self, scheme: str, host: str) -> None:
        """Ask `host`'s robots.txt (before anything else: every request waits for it), and
        hand its rules to every request that waited."""
        request = Request(
            f"{scheme}://{host}/robots.txt",
            priority=1000,
            meta={"dont_obey_robotstxt": True, "download_slot": SLOT},
            callback=NO_CALLBACK,
        )
        response: Response | None = None
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception:  # no answer, whatever the reason: nothing may be crawled
            response = None
        rules = await self.read(host, response, request)
        self.rules[host] = rules
        if rules.refused is not None:
            self.refuse(rules.refused)
        elif rules.crawl_delay:
            slow_download_slot(self.crawler, SLOT, rules.crawl_delay)
        for waiter in self.waiting.pop(host):
            waiter.callback(rules)

    async def read(self, host: str, response: Response | None, request: Request) -> Rules:
        status = None if response is None else response.status
        if status is not None:
            self.crawler.stats.inc_value(f"robotstxt/response_status_count/{status}")
        parser = None
        if response is not None and 200 <= response.status < 300:
            parser = ProtegoRobotParser.from_crawler(self.crawler, response.body)
            await self.crawler.signals.send_catch_log_async(
                signal=signals.robots_parsed, robotparser=parser, request=request
            )
        return rules_from(host, status, parser, self.user_agent)

    def refuse(self, why: str) -> None:
        """The run ends `refused`, unless it is already ending (the site is unreachable,
        a signal came): the first reason stands."""
        stats = self.crawler.stats
        if stats.get_value(keys.UNREACHABLE) or stats.get_value(keys.STOPPING):
            return
        if stats.get_value(keys.REFUSED) is None and self.crawler.crawling:
            stats.set_value(keys.REFUSED, why)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="refused"))
