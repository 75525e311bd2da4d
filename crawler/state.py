"""What one crawl has asked for and learned so far: the spider's memory between callbacks.

Pure: no Scrapy. The plan (`crawler.plan`) says what the crawl sets out to do; this state says
where it has got to: which post ids and pages it asked for, what each listing has shown, which
feeds are still to be read, (under --since) what dates it learned without fetching, and (on a
whole walk) the steps not yet handed to the store to be written (`archive.walk`). The spider
(`crawler.spiders.bienphong`) asks it which article or page to request, and builds the
requests.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from archive.crawl_memory import Validators
from archive.walk import WalkArticle, WalkPage, WalkSoFar, WalkSteps
from crawler.discovery import LINKS_PER_PAGE, Link, Overflow
from crawler.plan import CrawlPlan

# A listing ends after this many pages in a row that list nothing new: no post id it had not
# listed before (a listing that repeats itself, or loops back, with any period, for ever).
STALE_PAGES = 3
# Sitemaps are followed this many indexes deep at most (the site: one index, then a sitemap a
# month), and no more than SITEMAPS_MAX of them a crawl (the site: a few hundred).
SITEMAP_DEPTH_MAX = 3
SITEMAPS_MAX = 5_000
# Articles handed to Scrapy at a time (queued, downloading, or in the pipelines); the others
# wait in the crawl's state, a few words each. Listings and sitemaps name nearly every article
# of the site in a whole crawl's first minute, and as Scrapy requests in its scheduler they
# held about 1.8 KB each: memory that grew with the site (docs/benchmarks.md, profiling).
ARTICLES_HANDED_OUT = 128


@dataclass
class ListingWalk:
    """One listing's pages so far, to tell when paging it on would find nothing."""

    listed: set[int] = field(default_factory=set)  # every post id its pages listed so far
    stale: int = 0  # pages in a row that listed nothing new

    def page(self, number: int, post_ids: list[int], cap: int) -> str | None:
        """After page `number` listed `post_ids`: None to page on, else why the listing ends."""
        new = set(post_ids) - self.listed
        self.listed |= new
        self.stale = 0 if new else self.stale + 1
        if self.stale >= STALE_PAGES:
            return f"ended at page {number}: {STALE_PAGES} pages in a row listed nothing new"
        if number >= cap:
            return f"ended at page {number}: the cap on pages a listing is followed to"
        return None


@dataclass
class Listing:
    """One listing (a section's or a tag's pages, by `discovery.listing_key`) as it is paged."""

    known_run: int = 0  # archived post ids in a row so far (incremental: a long run ends it)
    walk: ListingWalk | None = None  # its pages so far, while it is being paged
    ended: bool = False  # no further page is asked
    # Under --since: the articles of its last page still going through the pipelines, and
    # its next pages (url, role), asked once those are known to be recent enough.
    awaiting: set[int] = field(default_factory=set)
    held: list[tuple[str, str]] = field(default_factory=list)


class WaitingArticle(NamedTuple):
    """An article the crawl wants, not yet handed to Scrapy: what its request is made of."""

    url: str
    post_id: int
    role: str  # "article", or "retry" (an earlier failure, a recheck: asked first)
    section: str | None = None  # the section whose listing or feed named it
    listing: str | None = None  # the listing that named it (--since pages it on)


@dataclass
class CrawlState:
    """Where one crawl has got to, beside its plan."""

    plan: CrawlPlan
    scheduled: set[int] = field(default_factory=set)  # post ids asked for (once a crawl)
    requested: set[str] = field(default_factory=set)  # feeds, sitemaps, listings, tags asked
    new_articles: int = 0  # articles not archived yet, asked for (--max-articles)
    listings: dict[str, Listing] = field(default_factory=dict)
    feeds_unread: dict[str, int] = field(default_factory=dict)  # incremental: section → feeds
    # Under --since: post id → a date learned without fetching (a feed's pubDate, a sitemap's).
    dated: dict[int, datetime] = field(default_factory=dict)
    walk_steps: WalkSteps | None = None  # a whole walk's, since they were last handed on
    sitemaps: int = 0  # sitemaps named by an index and asked
    overflow: Overflow = field(default_factory=Overflow)  # links past what a page is read for
    sitemaps_past_bounds: int = 0  # those not asked: too deep, or too many
    waiting: deque[WaitingArticle] = field(default_factory=deque)  # wanted, not handed out
    handed_out: int = 0  # articles handed to Scrapy and not through the pipelines yet

    def __post_init__(self) -> None:
        if self.plan.whole_walk:
            self.walk_steps = WalkSteps()
        if self.plan.resumes is not None:
            self.resume(self.plan.resumes)

    def resume(self, walk: WalkSoFar) -> None:
        """Go on with an unfinished walk: no page it asked for is asked again but those it
        did not read (`waiting`, asked first), no article it fetched."""
        self.requested |= walk.read | {page.url for page in walk.waiting}
        self.scheduled |= walk.fetched

    # A whole walk's steps

    def walk_asked(self, page: WalkPage) -> None:
        if self.walk_steps is not None:
            self.walk_steps.asked[page.url] = page

    def walk_article(self, article: WalkArticle) -> None:
        if self.walk_steps is not None:
            self.walk_steps.articles[article.post_id] = article

    def walk_validated(self, url: str, validators: Validators) -> None:
        if self.walk_steps is not None:
            self.walk_steps.validators[url] = validators

    def walk_read(self, url: str) -> None:
        if self.walk_steps is not None:
            self.walk_steps.read.add(url)

    def take_walk_steps(self) -> WalkSteps | None:
        """The steps since they were last taken, to hand to the store; None when none."""
        steps = self.walk_steps
        if not steps:
            return None
        self.walk_steps = WalkSteps()
        return steps

    # Articles

    def claim(self, post_id: int) -> bool:
        """One request per post id per crawl, whatever URL form led to it: True the first
        time `post_id` is asked for."""
        if post_id in self.scheduled:
            return False
        self.scheduled.add(post_id)
        return True

    def wants(self, link: Link) -> bool:
        """Whether to fetch `link`'s article: not known to be older than --since, not asked
        for yet, wanted by the plan, and (a new one) within --max-articles. Claims it."""
        plan = self.plan
        if plan.since is not None:
            self.learn_date(link)
            if self.older_than_since(link):
                return False
        if link.post_id in self.scheduled or not plan.wants(link):
            return False
        new = link.post_id not in plan.archived
        if new and self.enough_articles:
            return False
        self.scheduled.add(link.post_id)
        self.new_articles += new
        return True

    def queue(self, article: WaitingArticle) -> None:
        """An article wanted (and claimed): handed to Scrapy in its turn (`hand_out`)."""
        self.waiting.append(article)

    def hand_out(self) -> list[WaitingArticle]:
        """The waiting articles to hand to Scrapy now, in the order they were wanted: as many
        as keep `ARTICLES_HANDED_OUT` of them in Scrapy's hands."""
        count = min(len(self.waiting), ARTICLES_HANDED_OUT - self.handed_out)
        self.handed_out += count
        return [self.waiting.popleft() for _ in range(count)]

    def article_done(self) -> None:
        """An article handed out went through the pipelines, or failed: one more may go."""
        self.handed_out = max(self.handed_out - 1, 0)

    def idle(self) -> list[WaitingArticle]:
        """Scrapy has nothing left to do: none of the articles handed out is in its hands
        any more (whatever the count says), so the next ones go."""
        self.handed_out = 0
        return self.hand_out()

    @property
    def enough_articles(self) -> bool:
        """--max-articles has all the new articles it asked for."""
        limit = self.plan.max_articles
        return limit is not None and self.new_articles >= limit

    def learn_date(self, link: Link) -> None:
        """Under --since, what a feed or sitemap said of an article's date: its publication,
        or a <lastmod> before --since (published before it too)."""
        since = self.plan.since
        lastmod = link.lastmod if link.lastmod and since and link.lastmod < since else None
        learned = link.published or lastmod
        if learned is not None:
            self.dated.setdefault(link.post_id, learned)

    def older_than_since(self, link: Link) -> bool:
        """Known, without fetching it, to be published before --since."""
        since = self.plan.since
        known = self.dated.get(link.post_id) or link.published
        return since is not None and known is not None and known < since

    # Feeds, sitemaps and listings

    def first_request(self, url: str) -> bool:
        """True the first time the crawl asks for the page at `url` (not an article)."""
        if url in self.requested:
            return False
        self.requested.add(url)
        return True

    def follows_sitemap(self, depth: int) -> bool:
        """Whether to ask a sitemap an index named, `depth` indexes down: within the depth and
        the count a crawl follows (`sitemap_bounds` says what was left)."""
        if depth > SITEMAP_DEPTH_MAX or self.sitemaps >= SITEMAPS_MAX:
            self.sitemaps_past_bounds += 1
            return False
        self.sitemaps += 1
        return True

    def sitemap_bounds(self) -> str | None:
        """The run's warning when sitemaps were left unasked (an index chain with no end)."""
        if not self.sitemaps_past_bounds:
            return None
        count = self.sitemaps_past_bounds
        return (
            f"{count:,} sitemap{'s' if count > 1 else ''} not followed: past {SITEMAP_DEPTH_MAX}"
            f" indexes deep, or past the {SITEMAPS_MAX:,} sitemaps a crawl reads"
        )

    def overflow_warning(self) -> str | None:
        """The run's warning when pages named more links than a page is read for."""
        left = self.overflow
        if not left.links:
            return None
        return (
            f"{left.links:,} link{'s' if left.links > 1 else ''} not followed on {left.pages:,}"
            f" page{'s' if left.pages > 1 else ''} that named more than the"
            f" {LINKS_PER_PAGE:,} a page is read for (50,000 a sitemap)"
        )

    def listing(self, key: str) -> Listing:
        return self.listings.setdefault(key, Listing())

    def end_listing(self, key: str) -> None:
        """Ask no further pages of the listing (older than --since, a run of archived ids)."""
        self.listing(key).ended = True

    def count_known(self, key: str, post_id: int) -> None:
        """Incremental: a listing ends after `plan.known_run` archived post ids in a row."""
        listing = self.listing(key)
        listing.known_run = listing.known_run + 1 if post_id in self.plan.archived else 0
        if self.plan.incremental and listing.known_run >= self.plan.known_run:
            listing.ended = True

    def walk(self, key: str, number: int, post_ids: list[int]) -> str | None:
        """After page `number` of a listing listed `post_ids`: why the listing ends now (it
        stopped listing anything new, or reached the page cap), else None."""
        listing = self.listing(key)
        listing.walk = listing.walk or ListingWalk()
        ended = listing.walk.page(number, post_ids, self.plan.listing_page_cap)
        if ended is None or listing.ended:
            return None
        listing.ended = True
        return ended

    def done_walking(self, key: str) -> None:
        """The listing has no further page to ask: its pages so far are not needed."""
        self.listing(key).walk = None

    def hold(self, key: str, fetching: set[int], pages: list[tuple[str, str]]) -> None:
        """Under --since: the listing's next `pages` wait for the articles of this page."""
        listing = self.listing(key)
        listing.awaiting, listing.held = set(fetching), pages

    def article_through(self, key: str | None, post_id: int | None) -> list[tuple[str, str]]:
        """An article a listing named went through the pipelines (kept, dropped as older
        than --since, or failed): the listing's held pages once all of its page's have, and
        unless one of them ended it."""
        listing = self.listings.get(key or "")
        if listing is None or not listing.awaiting:
            return []
        listing.awaiting.discard(post_id or 0)
        if listing.awaiting:
            return []
        pages, listing.held = listing.held, []
        return [] if listing.ended else pages

    def expect_feeds(self, section: str, feeds: int) -> None:
        """Incremental: the section's listing waits for its `feeds` to be read."""
        self.feeds_unread[section] = feeds

    def feed_read(self, section: str | None, covers: bool) -> bool:
        """A feed of `section` was read (or failed): whether its listing must be walked now,
        none of its feeds having reached back to an archived article (or been unchanged)."""
        if section not in self.feeds_unread:
            return False
        self.feeds_unread[section] -= 1
        if not covers and self.feeds_unread[section]:
            return False
        del self.feeds_unread[section]
        return not covers
