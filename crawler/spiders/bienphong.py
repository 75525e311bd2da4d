"""The bienphong spider: discovery (robots → sitemaps, feeds, listings, home, tags, related links),
canonical URLs, and deduplication by post id before anything is fetched."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.store import Archive
from crawler import discovery
from crawler.items import FailedPage, FetchedPage
from crawler.urls import CANONICAL_ORIGIN, SECTION_SLUGS, SECTIONS, canonical_url

# One download slot for both hosts: they are one server, and politeness is per server.
SLOT = "bienphong.com.vn"
# Articles first, so listings do not pile up thousands of pending requests.
PRIORITY = {"article": 20, "sitemap": 10, "feed": 10, "listing": 0, "tag": -10}


class BienphongSpider(scrapy.Spider):
    name = "bienphong"
    allowed_domains = ("bienphong.com.vn",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheduled: set[int] = set()
        self.known: set[int] = set()
        self.since: datetime | None = None
        self.max_articles: int | None = None
        self.sections: tuple[str, ...] = ()
        self.exhausted_listings: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BienphongSpider:
        spider: BienphongSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        since = settings.get("BIENPHONG_SINCE")
        spider.since = datetime.fromisoformat(since) if since else None
        spider.max_articles = settings.getint("BIENPHONG_MAX_ARTICLES") or None
        spider.sections = tuple(settings.getlist("BIENPHONG_SECTIONS"))
        with Archive(settings.get("BIENPHONG_DB")) as archive:
            spider.known = archive.known_post_ids()
        return spider

    # -- start ------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_list():
            yield request

    def start_requests_list(self) -> list[scrapy.Request]:
        site = CANONICAL_ORIGIN
        sections = self.sections or SECTION_SLUGS
        legacy = dict(SECTIONS)
        requests = []
        for slug in sections:
            requests.append(self.page(f"{site}/rss/{slug}.rss", self.parse_feed, "feed"))
            if slug in legacy:
                feed = f"{site}/rss/{slug}-{legacy[slug]}.rss"
                requests.append(self.page(feed, self.parse_feed, "feed"))
            requests.append(self.page(f"{site}/{slug}/", self.parse_listing, "listing"))
        if not self.sections:
            requests.append(self.page(f"{site}/robots.txt", self.parse_robots, "sitemap"))
            requests.append(self.page(f"{site}/sitemap.xml", self.parse_sitemap, "sitemap"))
            requests.append(self.page(f"{site}/", self.parse_home, "listing"))
        return requests

    def page(self, url: str, callback: Any, role: str, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.page_failed,
            priority=PRIORITY[role],
            meta={"download_slot": SLOT, "role": role, "handle_httpstatus_list": [404], **meta},
        )

    # -- discovery --------------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        for url in discovery.robots_sitemaps(response.text if response.status == 200 else ""):
            yield self.page(url, self.parse_sitemap, "sitemap")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        _, links, children = discovery.sitemap_entries(response.body, response.url)
        for url, lastmod in children:
            if self.since is None or lastmod is None or lastmod >= self.since:
                yield self.page(url, self.parse_sitemap, "sitemap")
        for link in links:
            yield from self.article(link)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        section = discovery.section_of_listing(response.url)
        for link in discovery.feed_links(response.body, response.url):
            yield from self.article(link, section)

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        found = discovery.html_links(response.body, response.url)
        for link in found.articles:
            yield from self.article(link)
        for url in found.sections:
            yield self.page(url, self.parse_listing, "listing")
        if self.since is None:
            for url in found.tags:
                yield self.page(url, self.parse_listing, "tag")

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """A section or tag page: its articles, then its next pages until a page lists none."""
        if response.status != 200:
            return
        found = discovery.html_links(response.body, response.url)
        section = discovery.section_of_listing(response.url)
        role = "listing" if section else "tag"
        for link in found.articles:
            yield from self.article(link, section, listing=discovery.listing_key(response.url))
        if not found.articles or discovery.listing_key(response.url) in self.exhausted_listings:
            return
        for url in found.next_pages:
            yield self.page(url, self.parse_listing, role)

    def article(
        self, link: discovery.Link, section: str | None = None, listing: str | None = None
    ) -> Iterator[scrapy.Request]:
        """One request per post id per crawl, whatever URL form led to it."""
        if link.post_id in self.scheduled or link.post_id in self.known:
            return
        dated = link.published or link.lastmod
        if self.since is not None and dated is not None and dated < self.since:
            return
        if self.max_articles is not None and len(self.scheduled) >= self.max_articles:
            return
        self.scheduled.add(link.post_id)
        yield self.page(
            link.url, self.parse_article, "article",
            post_id=link.post_id, section_hint=section, listing=listing,
        )  # fmt: skip

    # -- articles ---------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        url = canonical_url(response.url)
        if response.status != 200:
            yield FailedPage(url, meta["post_id"], f"HTTP {response.status}")
            return
        if not _complete(response.body):
            assert response.request is not None
            retry = get_retry_request(response.request, spider=self, reason="truncated page")
            yield retry or FailedPage(url, meta["post_id"], "truncated page")
            return
        yield FetchedPage(
            url=url,
            final_url=response.url,
            status=response.status,
            headers=_headers(response),
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            post_id=meta["post_id"],
            section_hint=meta.get("section_hint"),
            listing=meta.get("listing"),
        )
        if self.since is None:
            found = discovery.html_links(response.body, response.url)
            for link in found.articles:
                yield from self.article(link)
            for url in found.tags:
                yield self.page(url, self.parse_listing, "tag")

    def page_failed(self, failure: Failure) -> Iterator[FailedPage]:
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("role") == "article":
            reason = failure.getErrorMessage() or type(failure.value).__name__
            yield FailedPage(request.url, request.meta.get("post_id"), reason)


def _complete(body: bytes) -> bool:
    """A whole HTML document: a page cut short in transit lacks its closing tag."""
    return b"</html>" in body[-2048:].lower()


def _headers(response: Response) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for name, values in response.headers.items()
    }
