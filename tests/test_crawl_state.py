"""Where a crawl has got to (`crawler.state`), without Scrapy: which articles and pages it asks
for, how a listing's paging ends, when a section's listing waits for its feeds."""

from __future__ import annotations

from datetime import datetime

from archive.site import SITE_TZ
from crawler.discovery import Link
from crawler.plan import CrawlPlan
from crawler.state import ARTICLES_HANDED_OUT, STALE_PAGES, CrawlState, WaitingArticle

WWW = "https://www.bienphong.com.vn"
SINCE = datetime(2025, 1, 1, tzinfo=SITE_TZ)


def link(post_id: int, published: datetime | None = None) -> Link:
    return Link(f"{WWW}/tin-post{post_id}.html", post_id, published=published)


def test_an_article_is_asked_for_once_whatever_led_to_it() -> None:
    state = CrawlState(CrawlPlan())

    assert [True, False] == [state.wants(link(450001)), state.wants(link(450001))]
    assert not state.claim(450001)  # a retry of it is not asked again either
    assert state.claim(450002)


def test_articles_are_handed_out_in_turn_never_more_than_the_bound_at_once() -> None:
    state = CrawlState(CrawlPlan())
    for post_id in range(450001, 450001 + ARTICLES_HANDED_OUT + 3):
        state.queue(WaitingArticle(f"{WWW}/tin-post{post_id}.html", post_id, "article"))

    first = [article.post_id for article in state.hand_out()]
    none_yet = state.hand_out()
    state.article_done()
    state.article_done()
    next_two = [article.post_id for article in state.hand_out()]
    # Scrapy idle: nothing is in its hands, whatever the count says (a request without item).
    last = [article.post_id for article in state.idle()]

    assert list(range(450001, 450001 + ARTICLES_HANDED_OUT)) == first
    assert [] == none_yet
    assert [450001 + ARTICLES_HANDED_OUT, 450002 + ARTICLES_HANDED_OUT] == next_two
    assert [450003 + ARTICLES_HANDED_OUT] == last
    assert (0, 1) == (len(state.waiting), state.handed_out)


def test_max_articles_counts_new_articles_only() -> None:
    state = CrawlState(CrawlPlan(max_articles=2, archived={450001: None}, full=True, refetch=True))

    asked = [state.wants(link(post_id)) for post_id in (450001, 450002, 450003, 450004)]

    assert [True, True, True, False] == asked
    assert (2, True) == (state.new_articles, state.enough_articles)


def test_under_since_a_date_learned_from_a_feed_spares_the_fetch() -> None:
    state = CrawlState(CrawlPlan(since=SINCE))
    older = link(450001, published=datetime(2024, 12, 31, tzinfo=SITE_TZ))

    assert not state.wants(older)
    # Named again without a date (a listing), it is still known to be older.
    assert state.older_than_since(link(450001))
    assert state.wants(link(450002, published=SINCE))


def test_a_listing_that_stops_listing_anything_new_ends_once_with_its_reason() -> None:
    state = CrawlState(CrawlPlan())
    ended = [state.walk("/kinh-te/", number, [450001, 450002]) for number in range(1, 6)]

    assert [None] * STALE_PAGES + [
        f"ended at page {STALE_PAGES + 1}: {STALE_PAGES} pages in a row listed nothing new",
        None,  # said once
    ] == ended
    assert state.listing("/kinh-te/").ended


def test_held_pages_of_a_listing_are_asked_once_its_pages_articles_are_through() -> None:
    state = CrawlState(CrawlPlan(since=SINCE))
    state.hold("/kinh-te/", {450001, 450002}, [(f"{WWW}/kinh-te/trang-2.html", "listing")])

    assert [] == state.article_through("/kinh-te/", 450001)
    assert [(f"{WWW}/kinh-te/trang-2.html", "listing")] == state.article_through(
        "/kinh-te/", 450002
    )
    assert [] == state.article_through("/kinh-te/", 450002)  # released once


def test_held_pages_of_a_listing_that_ended_meanwhile_are_dropped() -> None:
    state = CrawlState(CrawlPlan(since=SINCE))
    state.hold("/kinh-te/", {450001}, [(f"{WWW}/kinh-te/trang-2.html", "listing")])
    state.end_listing("/kinh-te/")  # an article older than --since came through it

    assert [] == state.article_through("/kinh-te/", 450001)


def test_a_sections_listing_is_walked_only_when_none_of_its_feeds_covers_it() -> None:
    state = CrawlState(CrawlPlan())
    state.expect_feeds("kinh-te", 2)
    state.expect_feeds("xa-hoi", 2)

    assert [False, True] == [
        state.feed_read("kinh-te", covers=False),
        state.feed_read("kinh-te", covers=False),
    ]
    assert [False, False] == [
        state.feed_read("xa-hoi", covers=True),
        state.feed_read("xa-hoi", covers=False),  # the section is settled already
    ]
