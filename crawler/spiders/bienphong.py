"""The bienphong spider: discovery (robots → sitemaps, feeds, listings, home, tags, related links),
canonical URLs, and deduplication by post id before anything is fetched.

What to fetch is the plan's business (`crawler.plan`): new articles always, archived ones only
when corrected or asked for; on an archive an earlier run walked, one feed form per section is
asked, conditionally, and a section's listing only when its feed does not reach back to the
archive, listings stop after a run of archived ids, and sitemaps are asked conditionally. Every
listing ends when its pages stop listing anything new. Under --since a listing's next page
waits for its page's articles, and a link known to be older ends it unfetched.

Where the crawl has got to is one object, `CrawlState` (`crawler.state`, pure); the spider
builds the requests it asks for. A whole walk (the first crawl, or --full) hands the store its
steps as it goes (`archive.walk`): a walk cut short resumes, asking the pages it had not read
and the articles it had not fetched, and no other.

The crawl's archive is opened once: `bienphong crawl` hands its open archive in (the spider
argument `archive`); under `scrapy crawl bienphong` the spider takes the lock and opens it, and
closes both when the engine stops. The pipelines read that archive (`spider.archive`) and
nothing else of the spider: the spider hands them what it scraped as items (pages, failures,
the validators feeds and listings sent, a whole walk's steps), and a pipeline tells the spider
something through a signal of the crawler's (`pipelines.signals`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from functools import partial, wraps
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.crawl_memory import Validators
from archive.lock import ArchiveLock
from archive.site import (
    CANONICAL_ORIGIN,
    SECTION_SLUGS,
    PageKind,
    canonical_url,
    is_address,
    is_site_url,
    page_kind,
    post_id,
)
from archive.store import Archive
from archive.walk import WalkArticle, WalkBegin, WalkPage, WalkSteps
from crawler import discovery
from crawler.compat import robots_sitemaps
from crawler.logs import quiet_the_noise
from crawler.middlewares import whole
from crawler.plan import CrawlPlan, load_plan
from crawler.robots import SLOT
from crawler.state import CrawlState, WaitingArticle
from crawler.stopping import NotSent
from pipelines import stats as keys
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage, PageValidators
from pipelines.signals import listing_exhausted

# Retries of earlier failures first, then articles, then discovery; monthly sitemaps come
# last: by then listings have named most of their articles. The articles wanted wait in the
# crawl's state, a few at a time in Scrapy's hands (`CrawlState.hand_out`).
PRIORITY = {
    "retry": 30, "article": 20, "sitemap": 10, "feed": 10, "listing": 0,
    "tag": -10, "month-sitemap": -20,
}  # fmt: skip
# Answers whose validators a later run sends back (not robots.txt: its Sitemap lines are read
# on every run, and a 304 would hide them).
CONDITIONAL_ROLES = ("sitemap", "month-sitemap", "feed", "listing")
Output = scrapy.Request | PageValidators | FailedPage | WalkSteps  # discovery callbacks yield
Reader = Callable[["BienphongSpider", Response], Iterator[Output]]


def discovery_page(read: Reader) -> Reader:
    """A feed, sitemap or listing callback, with what every one of them does first: a page
    still cut short after the retries is a failure to record (and retry first next run), not
    a page to read a part of; one answered 200 or 304 hands on its validators; only a 200 is
    read. A page not read tells `not_read`. A whole walk's steps follow what the page led to."""

    @wraps(read)
    def callback(spider: BienphongSpider, response: Response) -> Iterator[Output]:
        failed = spider.truncated(response)
        if failed is not None:
            yield failed
        for seen in [] if failed else spider.seen(response):
            spider.state.walk_validated(seen.url, seen.validators)
            yield seen
        if failed is None and response.status == 200:
            yield from read(spider, response)
        else:
            spider.not_read(response, unchanged=failed is None and response.status == 304)
        if failed is None:  # answered: a walk that resumes does not ask it again
            spider.state.walk_read(response.meta.get("redirect_urls", [response.url])[0])
        spider.note_overflow()
        yield from spider.walk_steps()
        yield from spider.articles_to_fetch()

    return callback


class BienphongSpider(scrapy.Spider):
    name = "bienphong"

    def __init__(self, *args: Any, archive: Archive | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.archive = archive  # the crawl's one open archive (see the module's docstring)
        self.state = CrawlState(CrawlPlan())
        self.owned: tuple[ArchiveLock | None, Archive] | None = None  # opened here: closed here

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BienphongSpider:
        spider: BienphongSpider = super().from_crawler(crawler, *args, **kwargs)
        quiet_the_noise()
        settings = crawler.settings
        if spider.archive is None:  # `scrapy crawl bienphong`: the lock, then the archive
            held = settings.getbool("BIENPHONG_LOCK_HELD")
            lock = None if held else ArchiveLock(settings.get("BIENPHONG_DB"))
            if lock is not None:
                lock.acquire()
            spider.archive = Archive(settings.get("BIENPHONG_DB"))
            spider.owned = (lock, spider.archive)
            crawler.signals.connect(spider.engine_stopped, signal=signals.engine_stopped)
        spider.state = CrawlState(load_plan(settings, spider.archive))
        crawler.signals.connect(spider.stop_paging, signal=listing_exhausted)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        for done in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider.article_done, signal=done)
        return spider

    @property
    def plan(self) -> CrawlPlan:
        return self.state.plan

    def engine_stopped(self) -> None:
        """Every component has written its last: the archive and the lock opened here close."""
        if self.owned is not None:
            lock, archive = self.owned
            archive.close()
            if lock is not None:
                lock.release()
            self.owned = None

    def stop_paging(self, listing: str) -> None:
        """Ask no further pages of `listing` (`listing_exhausted`: older than --since)."""
        self.state.end_listing(listing)

    # -- requests ---------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.plan.whole_walk:  # first, so that the store begins (or resumes) the walk
            resumes = self.plan.resumes
            yield WalkBegin(self.plan.refetch, None if resumes is None else resumes.begun_run)
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        """Earlier failures and rechecks first, then feeds, listings, sitemaps and home; going
        on with an unfinished walk, those it has not asked yet, then the pages it asked and
        did not read, and the articles it did not fetch."""
        plan, site = self.plan, CANONICAL_ORIGIN
        walk = plan.resumes
        # A walk's pages are asked as it asked them, and those it read not at all.
        known = set() if walk is None else walk.read | {page.url for page in walk.waiting}
        for url, pid in [*plan.retry, *plan.recheck]:
            self.retry_article(url, pid)
        retries = self.articles_to_fetch()  # first (the rest wait their turn)
        starts = [(url, self.retry_page) for url in plan.retry_pages]
        for slug in plan.sections or SECTION_SLUGS:
            feeds = plan.feed_urls(slug)
            starts += [(url, partial(self.feed, section=slug)) for url in feeds]
            if plan.incremental:  # the listing only if its feed does not reach the archive
                self.state.expect_feeds(slug, len(feeds))
            else:
                starts.append((f"{site}/{slug}/", self.section_listing))
        if not plan.sections:
            starts += [(f"{site}/sitemap.xml", self.sitemap), (f"{site}/", self.home)]
        requests = [*retries, *(ask(url) for url, ask in starts if url not in known)]
        if walk is not None:
            requests += [self.resumed_page(page) for page in walk.waiting]
            for article in walk.articles:
                self.resumed_article(article)
        requests += self.articles_to_fetch()
        return [r for r in requests if r is not None]

    def feed(self, url: str, section: str) -> scrapy.Request:
        return self.page(url, self.parse_feed, "feed", section=section)

    def section_listing(self, url: str) -> scrapy.Request:
        return self.page(url, self.parse_listing, "listing")

    def sitemap(self, url: str) -> scrapy.Request:
        return self.page(url, self.parse_sitemap, "sitemap")

    def home(self, url: str) -> scrapy.Request:
        return self.page(url, self.parse_home, "listing")

    def resumed_article(self, article: WalkArticle) -> None:
        """An article the walk asked for and did not fetch, once per crawl."""
        if self.state.claim(article.post_id):
            waiting = WaitingArticle(article.url, article.post_id, "article", article.section_hint)
            self.state.queue(waiting)

    def resumed_page(self, page: WalkPage) -> scrapy.Request:
        """A page the walk asked for and did not read, as it was asked."""
        meta: dict[str, Any] = {"section": page.section} if page.section else {}
        if page.lastmod is not None:
            meta["lastmod"] = page.lastmod
        callback = self.parse_home if page_kind(page.url) == PageKind.HOME else self.parse_listing
        if page.role == "feed":
            callback = self.parse_feed
        elif page.role in ("sitemap", "month-sitemap"):
            callback = self.parse_sitemap
        return self.page(page.url, callback, page.role, **meta)

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
            self.state.first_request(url)
            self.state.walk_asked(WalkPage(url, role, meta.get("section"), meta.get("lastmod")))
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.page_failed,
            priority=PRIORITY[role] if priority is None else priority,
            headers=headers,
            # Articles are deduplicated by post id (CrawlState.claim): Scrapy's URL
            # fingerprints would only hold one more entry per article in memory.
            dont_filter=role in ("article", "retry"),
            meta={"download_slot": SLOT, "role": role, "handle_httpstatus_list": [304, 404]} | meta,
        )

    def listing_page(self, url: str, role: str) -> scrapy.Request | None:
        """A listing or tag page, the first time the crawl comes across it. Every article
        page links a handful of tags: thousands of repeats that Scrapy's dupefilter would drop
        only after building, passing through the middlewares and fingerprinting each."""
        if not self.state.first_request(url):
            return None
        return self.page(url, self.parse_listing, role)

    def retry_article(self, url: str, pid: int) -> None:
        """An article asked again first (an earlier failure, a recheck), once per crawl."""
        if self.state.claim(pid):
            self.state.queue(WaitingArticle(url, pid, "retry"))

    def article(
        self, link: discovery.Link, section: str | None = None, listing: str | None = None
    ) -> bool:
        """Whether the crawl wants the article a page named: if so, it waits its turn to be
        fetched (`articles_to_fetch`)."""
        if not is_site_url(link.url):  # elsewhere: never fetched, and never claims a post id
            self.crawler.stats.inc_value(keys.OFFSITE_LINKS)
            return False
        if not self.state.wants(link):
            return False
        if self.state.enough_articles:
            # Enough: the feeds, sitemaps and listings still queued are dropped unasked.
            self.crawler.stats.set_value(keys.DISCOVERY_DONE, True)
        self.state.walk_article(WalkArticle(link.url, link.post_id, section))
        self.state.queue(WaitingArticle(link.url, link.post_id, "article", section, listing))
        return True

    def articles(self, links: list[discovery.Link]) -> None:
        for link in links:
            self.article(link)

    def articles_to_fetch(self, idle: bool = False) -> list[scrapy.Request]:
        """The requests of the waiting articles whose turn it is (none once the crawl is
        stopping: what was not fetched, the next run finds again)."""
        if self.crawler.stats.get_value(keys.STOPPING):
            return []
        turn = self.state.idle() if idle else self.state.hand_out()
        return [
            self.page(
                article.url,
                self.parse_article,
                article.role,
                post_id=article.post_id,
                section_hint=article.section,
                listing=article.listing,
            )
            for article in turn
        ]

    def idle(self) -> None:
        """Scrapy has nothing left to do: the crawl ends, unless articles still wait (handed
        out as others go through, they may outlast what Scrapy holds, say when a request
        ended without an item)."""
        requests = self.articles_to_fetch(idle=True)
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def tag_pages(self, urls: list[str]) -> Iterator[scrapy.Request]:
        """Tag pages, when the plan walks them (`CrawlPlan.follows_tags`)."""
        if self.plan.follows_tags:
            for url in urls:
                if request := self.listing_page(url, "tag"):
                    yield request

    # -- what every discovery page does first ------------------------------------------------

    def truncated(self, response: Response) -> FailedPage | None:
        """A feed, sitemap or listing still cut short after the retries."""
        if response.status == 200 and not whole(response):
            return FailedPage(canonical_url(response.url), None, "truncated page")
        return None

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

    def not_read(self, response: Response, unchanged: bool) -> None:
        """A page not read (cut short, 304, 404): a section's feed still counts as read, and
        covers the section when it did not change since the last walk."""
        if response.meta.get("role") == "feed":
            self.feed_read(feed_section(response), covers=unchanged)

    # -- discovery --------------------------------------------------------------------------

    def robots_parsed(self, robotparser: RobotParser, request: scrapy.Request) -> None:
        """The sitemaps robots.txt names, from the copy Scrapy's robots middleware fetched
        before the crawl's first request (so robots.txt is asked once, not twice)."""
        if self.plan.sections:
            return
        for url in robots_sitemaps(robotparser):
            # not asked already, nor read by a walk resumed
            if is_address(url) and url not in self.state.requested:
                self.crawler.engine.crawl(self.page(url, self.parse_sitemap, "sitemap"))

    @discovery_page
    def parse_sitemap(self, response: Response) -> Iterator[Output]:
        _, links, children = discovery.sitemap_entries(
            response.body, response.url, self.state.overflow
        )
        depth = response.meta.get("sitemap_depth", 0) + 1
        for url, lastmod in children:
            if not self.plan.wants_sitemap(url, lastmod) or url in self.state.requested:
                continue
            if self.state.follows_sitemap(depth):
                meta = {"lastmod": lastmod, "sitemap_depth": depth}
                yield self.page(url, self.parse_sitemap, "month-sitemap", **meta)
            else:
                self.crawler.stats.set_value(keys.SITEMAPS_UNFOLLOWED, self.state.sitemap_bounds())
        self.articles(links)

    @discovery_page
    def parse_feed(self, response: Response) -> Iterator[Output]:
        section = feed_section(response)
        links = discovery.feed_links(response.body, response.url, self.state.overflow)
        for link in links:
            self.article(link, section)
        self.feed_read(section, covers=any(link.post_id in self.plan.archived for link in links))
        return iter(())  # its articles wait their turn (`discovery_page` hands them out)

    def feed_read(self, section: str | None, covers: bool) -> None:
        """Incremental: a section's feed that reaches back to an archived article (or did not
        change) lists everything new in the section, and its listing is not asked; once
        none of its feeds did, the listing is walked as usual."""
        if self.state.feed_read(section, covers):
            url = f"{CANONICAL_ORIGIN}/{section}/"
            self.crawler.engine.crawl(self.page(url, self.parse_listing, "listing"))

    @discovery_page
    def parse_home(self, response: Response) -> Iterator[Output]:
        found = discovery.html_links(response.body, response.url, self.state.overflow)
        self.articles(found.articles)
        for url in found.sections:
            known = discovery.section_of_listing(url) in SECTION_SLUGS
            if known and self.plan.incremental:  # known ones: their feeds decide
                continue
            if request := self.listing_page(url, "listing"):
                yield request
        yield from self.tag_pages(found.tags)

    @discovery_page
    def parse_listing(self, response: Response) -> Iterator[Output]:
        """A section or tag page: its articles, then its next pages until a page lists none,
        an article older than --since turns up, or (incremental) archived ids run long."""
        state = self.state
        found = discovery.html_links(response.body, response.url, self.state.overflow)
        section = discovery.section_of_listing(response.url)
        listing = discovery.listing_key(response.url)
        fetching: set[int] = set()
        for link in found.articles:
            if state.older_than_since(link):  # newest first: the rest are older still
                state.end_listing(listing)
                break
            state.count_known(listing, link.post_id)
            if self.article(link, section, listing=listing):
                fetching.add(link.post_id)
        self.walk(listing, response.url, [link.post_id for link in found.articles])
        ended = state.listing(listing).ended
        if found.articles and not ended:
            role = "listing" if section else "tag"
            pages = [(url, role) for url in found.next_pages if state.first_request(url)]
            if self.plan.since is not None and fetching:
                # The next page waits until this page's articles tell whether it is needed.
                state.hold(listing, fetching, pages)
            else:
                yield from (self.page(url, self.parse_listing, role) for url, role in pages)
        if not found.next_pages or ended:
            state.done_walking(listing)

    def walk(self, listing: str, url: str, post_ids: list[int]) -> None:
        """Page no further a listing whose pages have stopped listing anything new, or that
        reached the page cap; said in the run's warnings (`bienphong runs`)."""
        ended = self.state.walk(listing, discovery.listing_page_number(url), post_ids)
        if ended:
            where = canonical_url(listing)  # the listing's first page, as the user knows it
            ended_before = self.crawler.stats.get_value(keys.ENDED_LISTINGS, [])
            self.crawler.stats.set_value(keys.ENDED_LISTINGS, [*ended_before, (where, ended)])

    def article_done(self, item: Any, **_: Any) -> None:
        """An article went through the pipelines (kept, dropped as older than --since, or
        failed): the next waiting one is handed out; and once all of a listing page's have,
        its next page is asked, unless one of them ended the listing."""
        page = item.page if isinstance(item, ExtractedArticle | FailedPage) else item
        if isinstance(page, FetchedPage) or (isinstance(item, FailedPage) and item.post_id):
            self.state.article_done()
            for request in self.articles_to_fetch():
                self.crawler.engine.crawl(request)
        if isinstance(page, FetchedPage) and page.listing:
            self.article_resolved(page.listing, page.post_id)

    def article_resolved(self, listing: str | None, pid: int | None) -> None:
        for url, role in self.state.article_through(listing, pid):
            self.crawler.engine.crawl(self.page(url, self.parse_listing, role))

    # -- articles ---------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        url = canonical_url(response.url)
        pid = post_id(url) or meta["post_id"]
        reason = None
        if response.status != 200:
            reason = f"HTTP {response.status}"
        elif not whole(response):  # still cut short after the retries
            reason = "truncated page"
        if reason is not None:
            yield FailedPage(url, pid, reason)
            self.article_resolved(meta.get("listing"), meta.get("post_id"))
            return
        listing = meta.get("listing")
        if pid != meta.get("post_id"):
            # Redirected to another post id: the one the listing named is through, and what
            # came in its place tells the listing nothing (--since decides on dates).
            self.article_resolved(listing, meta.get("post_id"))
            listing = None
        yield FetchedPage(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=_headers(response),
            body=response.body,
            fetched_at=datetime.now(UTC),
            post_id=pid,
            section_hint=meta.get("section_hint"),
            listing=listing,
        )
        if self.plan.follows_page_links:
            links, tags = discovery.page_links(response.body, response.url, self.state.overflow)
            self.articles(links)
            yield from self.tag_pages(tags)
            self.note_overflow()
        yield from self.walk_steps()
        yield from self.articles_to_fetch()

    def note_overflow(self) -> None:
        """Links past what a page is read for, as the run's warning says them (so far)."""
        if warning := self.state.overflow_warning():
            self.crawler.stats.set_value(keys.LINKS_UNFOLLOWED, warning)

    def walk_steps(self) -> Iterator[WalkSteps]:
        """A whole walk's steps since they were last handed to the store, if any."""
        if steps := self.state.take_walk_steps():
            yield steps

    def page_failed(self, failure: Failure) -> Iterator[FailedPage]:
        """Every page the crawl needed and could not get is a recorded failure: an article,
        and a feed, sitemap or listing too (the articles only it lists would go missing), but
        not a request refused before it was sent (another host's, or robots.txt's), nor one
        not sent because the crawl is stopping (the next run finds it again)."""
        if isinstance(failure.value, NotSent):
            return
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


def feed_section(response: Response) -> str | None:
    """The section a feed stands for: the one it was asked for, or its URL's."""
    return response.meta.get("section") or discovery.section_of_listing(response.url)


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
