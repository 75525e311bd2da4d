"""The bienphong spider: discovery (robots → sitemaps, feeds, listings, home, tags, related links),
canonical URLs, and deduplication by post id before anything is fetched.

What to fetch is the plan's business (`crawler.plan`): new articles always, archived ones only
when corrected or asked for; on an archive an earlier run walked, one feed form per section is
asked, conditionally, and a section's listing only when its feed does not reach back to the
archive, listings stop after a run of archived ids, and sitemaps are asked conditionally. Every
listing ends when its pages stop listing anything new. Under --since a listing's next page
waits for its page's articles, and a link known to be older ends it unfetched.

The spider and the pipelines share no attributes. The spider hands the pipelines what it
scraped as items (pages, failures, the validators feeds and listings sent); a pipeline tells
the spider something through a signal of the crawler's (`pipelines.signals`), which the spider
connects to in `from_crawler`, as Scrapy's own extensions do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.dates import utc_now
from archive.site import (
    CANONICAL_ORIGIN,
    SECTION_SLUGS,
    PageKind,
    canonical_url,
    is_site_url,
    page_kind,
    post_id,
)
from archive.store import Archive, Validators
from crawler import discovery
from crawler.middlewares import DISCOVERY_DONE, complete
from crawler.plan import CrawlPlan, ListingWalk, load_plan
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage, PageValidators
from pipelines.signals import ENDED_LISTINGS, listing_exhausted

# One download slot for both hosts: they are one server, and politeness is per server.
SLOT = "bienphong.com.vn"
# Retries of earlier failures first, then articles, so listings do not pile up requests.
# Monthly sitemaps come last: by then listings have named most of their articles, so the few
# they add wait in the queue instead of all of a month's (memory flat as the archive grows).
PRIORITY = {
    "retry": 30, "article": 20, "sitemap": 10, "feed": 10, "listing": 0,
    "tag": -10, "month-sitemap": -20,
}  # fmt: skip
# Answers whose validators a later run sends back (not robots.txt: its Sitemap lines are read
# on every run, and a 304 would hide them).
CONDITIONAL_ROLES = ("sitemap", "month-sitemap", "feed", "listing")
Output = scrapy.Request | PageValidators | FailedPage  # what discovery callbacks yield


class BienphongSpider(scrapy.Spider):
    name = "bienphong"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = CrawlPlan()
        self.scheduled: set[int] = set()
        self.requested: set[str] = set()  # pages other than articles asked for so far
        self.exhausted_listings: set[str] = set()
        self.known_runs: dict[str, int] = {}  # listing → archived ids in a row so far
        self.walks: dict[str, ListingWalk] = {}  # listings being paged → their pages so far
        self.new_scheduled = 0  # articles not archived yet, asked for (--max-articles)
        self.feeds_pending: dict[str, int] = {}  # incremental: section → its feeds unread
        # Under --since: post id → a date learned without fetching (a feed's pubDate, a
        # sitemap's); listing → its page's articles still being fetched, and its next pages,
        # asked only once those are known to be recent enough.
        self.dated: dict[int, datetime] = {}
        self.awaiting: dict[str, set[int]] = {}
        self.held_pages: dict[str, list[scrapy.Request]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BienphongSpider:
        spider: BienphongSpider = super().from_crawler(crawler, *args, **kwargs)
        with Archive(crawler.settings.get("BIENPHONG_DB")) as archive:
            spider.plan = load_plan(crawler.settings, archive)
        crawler.signals.connect(spider.stop_paging, signal=listing_exhausted)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        for done in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.article_done, signal=done)
        return spider

    def stop_paging(self, listing: str) -> None:
        """Ask no further pages of `listing` (`listing_exhausted`, or a run of archived ids)."""
        self.exhausted_listings.add(listing)

    # -- start ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        """Earlier failures and rechecks first, then feeds, listings, sitemaps and home."""
        plan, site = self.plan, CANONICAL_ORIGIN
        requests = [self.fetch_article(url, pid, "retry") for url, pid in plan.retry]
        requests += [self.fetch_article(url, pid, "retry") for url, pid in plan.recheck]
        requests += [self.retry_page(url) for url in plan.retry_pages]
        for slug in plan.sections or SECTION_SLUGS:
            feeds = plan.feed_urls(slug)
            requests += [self.page(url, self.parse_feed, "feed", section=slug) for url in feeds]
            if plan.incremental:  # the listing only if its feed does not reach the archive
                self.feeds_pending[slug] = len(feeds)
            else:
                requests.append(self.page(f"{site}/{slug}/", self.parse_listing, "listing"))
        if not plan.sections:
            requests.append(self.page(f"{site}/sitemap.xml", self.parse_sitemap, "sitemap"))
            requests.append(self.page(f"{site}/", self.parse_home, "listing"))
        return [r for r in requests if r is not None]

    def retry_page(self, url: str) -> scrapy.Request | None:
        """A feed, sitemap or listing that an earlier run could not read, asked again first."""
        kind = page_kind(url)
        read: dict[PageKind, tuple[Any, str]] = {
            PageKind.FEED: (self.parse_feed, "feed"),
            PageKind.SITEMAP: (self.parse_sitemap, "sitemap"),
            PageKind.HOME: (self.parse_home, "listing"),
            PageKind.SECTION: (self.parse_listing, "listing"),
            PageKind.TAG: (self.parse_listing, "tag"),
        }
        if kind not in read:
            return None
        callback, role = read[kind]
        return self.page(url, callback, role, priority=PRIORITY["retry"])

    def page(
        self, url: str, callback: Any, role: str, priority: int | None = None, **meta: Any
    ) -> scrapy.Request:
        headers = self.plan.conditional_headers(url) if role in CONDITIONAL_ROLES else {}
        if role not in ("article", "retry"):
            self.requested.add(url)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.page_failed,
            priority=PRIORITY[role] if priority is None else priority,
            headers=headers,
            # Articles are deduplicated by post id (fetch_article): Scrapy's URL fingerprints
            # would only hold one more entry per article in memory.
            dont_filter=role in ("article", "retry"),
            meta={"download_slot": SLOT, "role": role, "handle_httpstatus_list": [304, 404]} | meta,
        )

    def listing_page(self, url: str, role: str) -> Iterator[scrapy.Request]:
        """A listing or tag page, the first time the crawl comes across it. Every article
        page links a handful of tags: thousands of repeats that Scrapy's dupefilter would drop
        only after building, passing through the middlewares and fingerprinting each."""
        if url not in self.requested:
            yield self.page(url, self.parse_listing, role)

    def fetch_article(self, url: str, pid: int, role: str = "article", **meta: Any) -> Any:
        """One request per post id per crawl, whatever URL form led to it."""
        if pid in self.scheduled:
            return None
        self.scheduled.add(pid)
        return self.page(url, self.parse_article, role, post_id=pid, **meta)

    def seen(self, response: Response) -> Iterator[PageValidators]:
        """What a feed, sitemap or listing said of itself (answered 200 or 304), for the store
        to keep for the next run; only from a crawl of the whole site, as only a whole walk
        vouches for what lies below a page."""
        role, status = response.meta.get("role"), response.status
        if self.plan.bounded or role not in CONDITIONAL_ROLES or status not in (200, 304):
            return
        before = self.plan.validators.get(response.url, Validators())
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        yield PageValidators(
            response.url,
            Validators(
                etag.decode("latin-1") if etag else before.etag,
                modified.decode("latin-1") if modified else before.last_modified,
                response.meta.get("lastmod"),
            ),
        )

    def truncated(self, response: Response) -> FailedPage | None:
        """A feed, sitemap or listing still cut short after the retries: a failure to record
        (and retry first next run), not a page to read a part of."""
        if response.status == 200 and not complete(response.body, response.meta.get("role")):
            return FailedPage(canonical_url(response.url), None, "truncated page")
        return None

    # -- discovery --------------------------------------------------------------------------

    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """The sitemaps robots.txt names, from the copy Scrapy's robots middleware fetched
        before the crawl's first request (so robots.txt is asked once, not twice)."""
        if self.plan.sections or not isinstance(robotparser, ProtegoRobotParser):
            return
        for url in robotparser.rp.sitemaps:
            self.crawler.engine.crawl(self.page(url, self.parse_sitemap, "sitemap"))

    def parse_sitemap(self, response: Response) -> Iterator[Output]:
        if failed := self.truncated(response):
            yield failed
            return
        yield from self.seen(response)
        if response.status != 200:
            return
        _, links, children = discovery.sitemap_entries(response.body, response.url)
        for url, lastmod in children:
            if self.plan.wants_sitemap(url, lastmod):
                stamp = lastmod.isoformat() if lastmod else None
                yield self.page(url, self.parse_sitemap, "month-sitemap", lastmod=stamp)
        for link in links:
            yield from self.article(link)

    def parse_feed(self, response: Response) -> Iterator[Output]:
        section = response.meta.get("section") or discovery.section_of_listing(response.url)
        if failed := self.truncated(response):
            self.feed_read(section, covers=False)
            yield failed
            return
        yield from self.seen(response)
        if response.status != 200:  # 304: nothing in it changed since the last walk
            self.feed_read(section, covers=response.status == 304)
            return
        links = discovery.feed_links(response.body, response.url)
        for link in links:
            yield from self.article(link, section)
        self.feed_read(section, covers=any(link.post_id in self.plan.archived for link in links))

    def feed_read(self, section: str | None, covers: bool) -> None:
        """Incremental: a section's feed that reaches back to an archived article (or did not
        change) lists everything new in the section, and its listing is not asked; once
        none of its feeds did, the listing is walked as usual."""
        if section not in self.feeds_pending:
            return
        self.feeds_pending[section] -= 1
        if covers or self.feeds_pending[section] == 0:
            del self.feeds_pending[section]
            if not covers:
                url = f"{CANONICAL_ORIGIN}/{section}/"
                self.crawler.engine.crawl(self.page(url, self.parse_listing, "listing"))

    def parse_home(self, response: Response) -> Iterator[Output]:
        if failed := self.truncated(response):
            yield failed
            return
        yield from self.seen(response)
        if response.status != 200:
            return
        found = discovery.html_links(response.body, response.url)
        for link in found.articles:
            yield from self.article(link)
        for url in found.sections:
            known = discovery.section_of_listing(url) in SECTION_SLUGS
            if not (known and self.plan.incremental):  # known ones: their feeds decide
                yield from self.listing_page(url, "listing")
        yield from self.tag_pages(found.tags)

    def parse_listing(self, response: Response) -> Iterator[Output]:
        """A section or tag page: its articles, then its next pages until a page lists none,
        an article older than --since turns up, or (incremental) archived ids run long."""
        if failed := self.truncated(response):
            yield failed
            return
        yield from self.seen(response)
        if response.status != 200:
            return
        found = discovery.html_links(response.body, response.url)
        section = discovery.section_of_listing(response.url)
        listing = discovery.listing_key(response.url)
        fetching: set[int] = set()
        for link in found.articles:
            if self.older_than_since(link):  # newest first: the rest are older still
                self.stop_paging(listing)
                break
            self.count_known(listing, link.post_id)
            for request in self.article(link, section, listing=listing):
                fetching.add(link.post_id)
                yield request
        self.walk(listing, response.url, [link.post_id for link in found.articles])
        if found.articles and listing not in self.exhausted_listings:
            role = "listing" if section else "tag"
            pages = [r for url in found.next_pages for r in self.listing_page(url, role)]
            if self.plan.since is not None and fetching:
                # The next page waits until this page's articles tell whether it is needed.
                self.awaiting[listing], self.held_pages[listing] = fetching, pages
            else:
                yield from pages
        if not found.next_pages or listing in self.exhausted_listings:
            self.walks.pop(listing, None)  # done with: its pages so far are not needed

    def older_than_since(self, link: discovery.Link) -> bool:
        """Known, without fetching it, to be published before --since."""
        since = self.plan.since
        known = self.dated.get(link.post_id) or link.published
        return since is not None and known is not None and known < since

    def article_done(self, item: Any, **_: Any) -> None:
        """An article fetched from a listing page went through the pipelines (kept, dropped as
        older than --since, or failed): once all of the page's have, its next page is asked,
        unless one of them ended the listing."""
        page = item.page if isinstance(item, ExtractedArticle | FailedPage) else item
        if isinstance(page, FetchedPage) and page.listing:
            self.article_resolved(page.listing, page.post_id)

    def article_resolved(self, listing: str | None, pid: int | None) -> None:
        waiting = self.awaiting.get(listing or "")
        if waiting is None:
            return
        waiting.discard(pid or 0)
        if waiting:
            return
        del self.awaiting[listing or ""]
        pages = self.held_pages.pop(listing or "", [])
        if listing not in self.exhausted_listings:
            for request in pages:
                self.crawler.engine.crawl(request)

    def walk(self, listing: str, url: str, post_ids: list[int]) -> None:
        """Page no further a listing whose pages have stopped listing anything new, or that
        reached the page cap; said in the run's warnings (`bienphong runs`)."""
        walk = self.walks.setdefault(listing, ListingWalk())
        number = discovery.listing_page_number(url)
        ended = walk.page(number, post_ids, self.plan.listing_page_cap)
        if ended and listing not in self.exhausted_listings:
            self.stop_paging(listing)
            where = canonical_url(listing)  # the listing's first page, as the user knows it
            ended_before = self.crawler.stats.get_value(ENDED_LISTINGS, [])
            self.crawler.stats.set_value(ENDED_LISTINGS, [*ended_before, (where, ended)])

    def count_known(self, listing: str, pid: int) -> None:
        run = self.known_runs.get(listing, 0) + 1 if pid in self.plan.archived else 0
        self.known_runs[listing] = run
        if self.plan.incremental and run >= self.plan.known_run:
            self.stop_paging(listing)

    def tag_pages(self, urls: list[str]) -> Iterator[scrapy.Request]:
        """Tag pages mix years, so they only help a walk of the whole site."""
        if self.plan.since is None and not self.plan.incremental:
            for url in urls:
                yield from self.listing_page(url, "tag")

    def article(
        self, link: discovery.Link, section: str | None = None, listing: str | None = None
    ) -> Iterator[scrapy.Request]:
        plan = self.plan
        if not is_site_url(link.url):  # elsewhere: never fetched, and never claims a post id
            self.crawler.stats.inc_value("archive/discovery/offsite_links")
            return
        if plan.since is not None:
            learned = link.published or (
                link.lastmod if link.lastmod and link.lastmod < plan.since else None
            )
            if learned is not None:  # a lastmod before --since: published before it too
                self.dated.setdefault(link.post_id, learned)
            if self.older_than_since(link):
                return
        if link.post_id in self.scheduled or not plan.wants(link):
            return
        new = link.post_id not in plan.archived
        if new and plan.max_articles is not None and self.new_scheduled >= plan.max_articles:
            return
        request = self.fetch_article(
            link.url, link.post_id, section_hint=section, listing=listing
        )  # fmt: skip
        if request is not None:
            self.new_scheduled += new
            if plan.max_articles is not None and self.new_scheduled >= plan.max_articles:
                # Enough: the feeds, sitemaps and listings still queued are dropped unasked.
                self.crawler.stats.set_value(DISCOVERY_DONE, True)
            yield request

    # -- articles ---------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        url = canonical_url(response.url)
        pid = post_id(url) or meta["post_id"]
        reason = None
        if response.status != 200:
            reason = f"HTTP {response.status}"
        elif not complete(response.body, "article"):  # still cut short after the retries
            reason = "truncated page"
        if reason is not None:
            yield FailedPage(url, pid, reason)
            self.article_resolved(meta.get("listing"), meta.get("post_id"))
            return
        yield FetchedPage(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=_headers(response),
            body=response.body,
            fetched_at=utc_now(),
            post_id=pid,
            section_hint=meta.get("section_hint"),
            listing=meta.get("listing"),
        )
        if self.plan.since is None:
            links, tags = discovery.page_links(response.body, response.url)
            for link in links:
                yield from self.article(link)
            yield from self.tag_pages(tags)

    def page_failed(self, failure: Failure) -> Iterator[FailedPage]:
        """Every page the crawl needed and could not get is a recorded failure: an article,
        and a feed, sitemap or listing too (the articles only it lists would go missing), but
        not a request refused before it was sent (another host's, or robots.txt's)."""
        request = failure.request  # type: ignore[attr-defined]
        first = request.meta.get("redirect_urls", [request.url])[0]  # before any redirect
        if request.meta.get("role") == "feed":
            self.feed_read(request.meta.get("section"), covers=False)
        if request.meta.get("role") in ("article", "retry"):
            self.article_resolved(request.meta.get("listing"), request.meta.get("post_id"))
            yield FailedPage(
                canonical_url(first), request.meta.get("post_id"), failure_reason(failure)
            )
        elif not isinstance(failure.value, IgnoreRequest) or "redirect" in str(failure.value):
            yield FailedPage(canonical_url(first), None, failure_reason(failure))


def failure_reason(failure: Failure) -> str:
    """A short reason for the runs table: `HTTP 500`, `TimeoutError: ...`."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if "DOWNLOAD_MAXSIZE" in message or "download max size" in message:
        return "page too large: over DOWNLOAD_MAXSIZE, not archived"
    if isinstance(failure.value, IgnoreRequest) and message:
        return message  # a redirect off the site or in a loop, as the middleware put it
    name = type(failure.value).__name__
    return f"{name}: {message}" if message and message != name else name


def _headers(response: Response) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for name, values in response.headers.items()
    }
