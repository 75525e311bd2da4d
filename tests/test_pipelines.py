"""The pipelines in process, with Scrapy's test crawler: extract → store, without the network;
and what the spider and the pipelines tell each other (items one way, signals the other)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from trafilatura.utils import trim

from archive.crawl_memory import Validators, pending_failures, validators
from archive.errors import ArchiveError
from archive.pages import raw_pages
from archive.runs import get_runs, start_run
from archive.schema import PAGE_FIELDS
from archive.store import Archive
from archive.walk import WalkSteps
from crawler.spiders.bienphong import BienphongSpider
from crawler.state import ARTICLES_HANDED_OUT
from pipelines.extract import ExtractPipeline
from pipelines.extraction import Extraction, explain
from pipelines.items import ExtractedArticle, FailedPage, FetchedPage, PageValidators
from pipelines.signals import listing_exhausted
from pipelines.stats import RunCounts
from pipelines.store import StorePipeline, close_run
from tests.helpers.records import RECORD_KEYS
from tests.mirror import Site
from tests.mirror.render import article_page, section_page, section_url
from tests.mirror.site import SECTION_BY_SLUG, SECTIONS, WWW

SITE = Site(articles=30, seed=3)
FETCHED_AT = datetime(2026, 11, 30, 5, tzinfo=UTC)
CHOKE_MARK = b"<!-- the extractor chokes here -->"
SINCE = "2100-01-01T00:00:00+07:00"  # later than every article of the mirror


def fetched(index: int, mark: bytes = b"", listing: str | None = None) -> FetchedPage:
    article = SITE.article(index)
    body = article_page(SITE, article).encode("utf-8") + mark
    return FetchedPage(
        article.url, article.url, 200, {}, body, FETCHED_AT, article.post_id, listing=listing
    )


def make_crawler(db: Path, **settings: Any) -> Crawler:
    """A crawler with its spider, which opens the crawl's archive at `db` (as under
    `scrapy crawl`) and holds it for the pipelines."""
    settings |= {"BIENPHONG_DB": str(db), "BIENPHONG_RUN_OPTIONS": {"command": "crawl"}}
    crawler = get_crawler(BienphongSpider, settings_dict=settings)
    crawler.spider = BienphongSpider.from_crawler(crawler)
    return crawler


def spider_of(crawler: Crawler) -> BienphongSpider:
    assert isinstance(crawler.spider, BienphongSpider)
    return crawler.spider


def pipelines(db: Path, **settings: Any) -> tuple[ExtractPipeline, StorePipeline]:
    crawler = make_crawler(db, **settings)
    return ExtractPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)


def store_all(store: StorePipeline, items: list[Any], reason: str = "finished") -> None:
    """One run of the store pipeline over `items`, closed as Scrapy closes it."""
    store.open_spider()
    for item in items:
        store.process_item(item)
    store.spider_closed(reason)


def choke_on_mark(body: bytes, *args: Any, **kwargs: Any) -> Extraction:
    """The extractor, except that it breaks on a marked page."""
    if CHOKE_MARK in body:
        raise ValueError("unexpected markup")
    return explain(body, *args, **kwargs)


def generic_only(body: bytes, *args: Any, **kwargs: Any) -> Extraction:
    """The extractor without its site rules, as for markup no rule has seen."""
    return explain(body, *args, **kwargs, site_rules=False)


# -- extract ----------------------------------------------------------------------------------


def test_a_fetched_page_becomes_its_true_record(tmp_path: Path) -> None:
    extract_pipeline, _ = pipelines(tmp_path / "archive.db")

    result = extract_pipeline.process_item(fetched(4))

    assert isinstance(result, ExtractedArticle)
    truth = SITE.article(4).truth()
    assert truth == {key: result.record[key] for key in truth}
    assert "2026-11-30T05:00:00+00:00" == result.record["fetched_at"]


def test_a_page_the_extractor_chokes_on_costs_that_page_only_and_is_kept_for_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    monkeypatch.setattr("pipelines.extract.explain", choke_on_mark)
    pages = [fetched(1), fetched(2, CHOKE_MARK), fetched(3)]

    results = [extract_pipeline.process_item(page) for page in pages]
    store_all(store, results)

    assert [ExtractedArticle, FailedPage, ExtractedArticle] == [type(r) for r in results]
    assert "extraction failed: ValueError: unexpected markup" == results[1].reason
    assert 1 == extract_pipeline.stats.get_value("archive/extract/errors")
    choked = pages[1]
    with Archive(db, readonly=True) as archive:
        run = get_runs(archive, 1)[0]
        assert [(choked.post_id, results[1].reason)] == [
            (f["post_id"], f["reason"]) for f in run.failures
        ]
        assert (2, 1) == (run.new, run.failed)
        assert [choked.body] == [raw.body for raw in raw_pages(archive, choked.post_id)]
        assert None is archive.get_article(choked.post_id)
        assert [(choked.url, choked.post_id)] == pending_failures(archive)  # retried first


def test_trafilaturas_caches_are_reset_after_every_so_many_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract_pipeline, _ = pipelines(tmp_path / "archive.db")
    monkeypatch.setattr("pipelines.extract.explain", generic_only)  # trafilatura on every page
    monkeypatch.setattr("pipelines.extract.RESET_CACHES_EVERY", 3)
    sizes = []

    for index in range(6):
        extract_pipeline.process_item(fetched(index))
        sizes.append(trim.cache_info().currsize)

    assert [True, True, False, True, True, False] == [size > 0 for size in sizes]
    assert 2 == extract_pipeline.stats.get_value("archive/extract/cache_resets")


# -- store ------------------------------------------------------------------------------------


def test_the_store_commits_each_article_and_closes_the_run(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    extracted = [extract_pipeline.process_item(fetched(i)) for i in range(3)]

    store.open_spider()
    for index, item in enumerate(extracted):
        store.process_item(item)
        with Archive(db, readonly=True) as reader:  # committed at once, before the run ends
            assert index + 1 == len(reader.known_post_ids())
    store.spider_closed("finished")

    with Archive(db, readonly=True) as archive:
        run_row = get_runs(archive, 1)[0]
    assert ("finished", 3, 0) == (run_row.outcome, run_row.new, run_row.failed)
    assert [
        "authors",
        "body",
        "images",
        "modified_at",
        "published_at",
        "sapo",
        "section",
        "source",
        "tags",
        "title",
        "video_url",
    ] == sorted(run_row.fill_rates or {})
    assert 0.0 == run_row.generic_share


def test_the_watched_fields_are_the_records_fields_read_from_the_page() -> None:
    """Drift and provenance cover every field the page gives: all but the URL's and the crawl's."""
    from_url_or_crawl = {"post_id", "url", "kind", "word_count", "fetched_at", "extractor_version"}
    assert [key for key in RECORD_KEYS if key not in from_url_or_crawl] == list(PAGE_FIELDS)


def test_the_archive_keeps_where_each_field_came_from(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    page = fetched(4)

    store_all(store, [extract_pipeline.process_item(page)])

    with Archive(db, readonly=True) as archive:
        stored = archive.provenance(page.post_id)
    expected = explain(page.body, page.url, FETCHED_AT).provenance
    assert expected == stored
    assert stored is not None
    assert "rules:" == stored["title"][:6]


def test_a_run_the_generic_path_read_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    monkeypatch.setattr("pipelines.extract.explain", generic_only)

    store_all(store, [extract_pipeline.process_item(fetched(i)) for i in range(4)])

    with Archive(db, readonly=True) as archive:
        run_row = get_runs(archive, 1)[0]
        stored = archive.provenance(SITE.article(0).post_id)
    assert (4, 1.0) == (run_row.new, run_row.generic_share)
    assert stored is not None
    assert "generic" == stored["body"][:7]


def test_a_write_that_fails_stops_the_run_and_drops_what_comes_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    extracted = [extract_pipeline.process_item(fetched(i)) for i in range(3)]
    store.open_spider()
    store.process_item(extracted[0])
    assert store.archive is not None

    def disk_full(*args: Any, **kwargs: Any) -> str:
        raise ArchiveError(f"cannot save article 1 in {db}: database or disk is full")

    monkeypatch.setattr(store.archive, "save_article", disk_full)
    for item in extracted[1:]:
        with pytest.raises(DropItem):
            store.process_item(item)
    store.spider_closed("finished")  # as Scrapy closes it, had it finished anyway

    message = f"cannot save article 1 in {db}: database or disk is full"
    assert message == store.stats.get_value("archive/error")  # `run_crawl` raises it
    with Archive(db, readonly=True) as archive:
        assert {SITE.article(0).post_id} == archive.known_post_ids()
        assert "archive_error" == get_runs(archive, 1)[0].outcome


# -- the spider and the pipelines -------------------------------------------------------------


LISTED = Site(articles=600, seed=3)  # enough for listings of several pages


def listing_response(section_slug: str) -> HtmlResponse:
    """The first page of a section's listing, as the spider receives it."""
    section = next(s for s in SECTIONS if s.slug == section_slug)
    url = section_url(section)
    request = scrapy.Request(url, meta={"role": "listing"})
    body = section_page(LISTED, section, 1).encode("utf-8")
    return HtmlResponse(url, body=body, encoding="utf-8", request=request)


def next_pages(spider: BienphongSpider, response: HtmlResponse) -> list[str]:
    return [
        output.url
        for output in spider.parse_listing(response)
        if isinstance(output, scrapy.Request) and output.meta["role"] == "listing"
    ]


def test_an_article_older_than_since_ends_the_listing_that_named_it(tmp_path: Path) -> None:
    crawler = make_crawler(tmp_path / "archive.db", BIENPHONG_SINCE=SINCE)
    spider = spider_of(crawler)
    extract_pipeline = ExtractPipeline.from_crawler(crawler)
    heard: list[str] = []

    def hear(listing: str) -> None:
        heard.append(listing)

    crawler.signals.connect(hear, signal=listing_exhausted)
    paged = [s.slug for s in SECTIONS if LISTED.section_pages(s.slug) > 1][:2]

    with pytest.raises(DropItem, match="published before --since"):
        extract_pipeline.process_item(fetched(4, listing=f"/{paged[0]}/"))

    assert [f"/{paged[0]}/"] == heard
    assert 1 == crawler.stats.get_value("archive/extract/older_than_since")
    assert [] == next_pages(spider, listing_response(paged[0]))
    # Another listing goes on, its next page asked once its page's articles are through.
    crawled: list[scrapy.Request] = []
    crawler.engine = SimpleNamespace(crawl=crawled.append)  # type: ignore[assignment]
    outputs = list(spider.parse_listing(listing_response(paged[1])))
    asked = [o for o in outputs if isinstance(o, scrapy.Request) and o.meta["role"] == "article"]
    assert [] == [
        o for o in outputs if isinstance(o, scrapy.Request) and o.meta["role"] == "listing"
    ]
    for request in asked:
        assert [] == crawled
        page = FetchedPage(
            request.url, request.url, 200, {}, b"", FETCHED_AT, request.meta["post_id"]
        )
        spider.article_done(replace(page, listing=request.meta["listing"]))
    assert [section_url(SECTION_BY_SLUG[paged[1]], 2)] == [r.url for r in crawled]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [({}, 1), ({"BIENPHONG_SINCE": SINCE}, 0), ({"BIENPHONG_SECTIONS": ["kinh-te"]}, 0)],
    ids=["whole-walk", "since", "section"],
)
def test_the_spider_hands_validators_to_the_store_only_from_a_whole_walk(
    tmp_path: Path, settings: dict[str, Any], expected: int
) -> None:
    spider = spider_of(make_crawler(tmp_path / "archive.db", **settings))
    url = f"{WWW}/rss/kinh-te.rss"
    request = scrapy.Request(url, meta={"role": "feed"})
    response = HtmlResponse(url, status=304, headers={"ETag": '"v1"'}, request=request)

    outputs = list(spider.parse_feed(response))

    validators = Validators('"v1"', None, None)
    handed = [o for o in outputs if isinstance(o, PageValidators)]
    assert [PageValidators(url, validators)] * expected == handed
    # A whole walk writes down the page as read, with what it said (`archive.walk`).
    steps = [o for o in outputs if isinstance(o, WalkSteps)]
    assert [WalkSteps(read={url}, validators={url: validators})] * expected == steps
    assert len(handed + steps) == len(outputs)


@pytest.mark.parametrize(
    ("reason", "kept"), [("finished", True), ("shutdown", False), ("archive_error", False)]
)
def test_validators_are_kept_only_when_the_walk_finished(
    tmp_path: Path, reason: str, kept: bool
) -> None:
    db = tmp_path / "archive.db"
    _, store = pipelines(db)
    seen = PageValidators(f"{WWW}/rss/kinh-te.rss", Validators('"v1"', None, None))

    store_all(store, [seen], reason)

    with Archive(db, readonly=True) as archive:
        assert ({seen.url: seen.validators} if kept else {}) == validators(archive)
        assert reason == get_runs(archive, 1)[0].outcome


def test_a_run_that_failed_more_pages_than_it_read_is_failed(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        counts = {"archive/store/new": 2, "archive/store/failed": 3}
        many_failed = counts | {"archive/store/pages_failed": 8}
        read = {
            "downloader/response_status_count/200": 9,
            "downloader/response_status_count/304": 1,
        }
        assert (
            "failed"
            == close_run(archive, start_run(archive, {}), "finished", many_failed | read, {})[0]
        )
        assert (
            "finished"
            == close_run(archive, start_run(archive, {}), "finished", counts | read, {})[0]
        )
        assert ["finished", "failed"] == [run.outcome for run in get_runs(archive)]
        assert [3, 11] == [run.failed for run in get_runs(archive)]


def test_a_runs_counts_are_read_from_the_crawls_stats() -> None:
    stats = {
        "archive/store/new": 5,
        "archive/store/updated": 2,
        "archive/store/unchanged": 7,
        "archive/store/failed": 1,
        "archive/store/pages_failed": 3,
        "downloader/response_count": 40,
        "downloader/response_status_count/200": 30,
        "downloader/response_status_count/304": 4,
        "downloader/response_status_count/500": 6,
        "archive/discovery/offsite_links": 2,
        "archive/fetch/offsite_dropped": 1,
        "archive/fetch/offsite_redirects": 1,
    }

    counts = RunCounts.of(stats)

    assert RunCounts(5, 2, 7, 1, 3, 40, 34, 4) == counts
    assert (14, 4) == (counts.saved, counts.failed)


def test_links_past_what_a_page_is_read_for_are_a_warning_of_the_run(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    _, store = pipelines(db)
    store.open_spider()
    spider = spider_of(store.crawler)
    url = f"{WWW}/kinh-te/"
    links = "".join(f'<a href="/a-post{450_001 + n}.html">A</a>' for n in range(2_100))
    response = HtmlResponse(
        url,
        body=f"<html><body>{links}</body></html>".encode(),
        request=scrapy.Request(url, meta={"role": "listing"}),
    )

    asked = [o for o in spider.parse_listing(response) if isinstance(o, scrapy.Request)]
    store_all(store, [])

    # Read up to the cap; the articles past the first few wait in the crawl's state.
    assert (ARTICLES_HANDED_OUT, 2_000) == (len(asked), len(asked) + len(spider.state.waiting))
    with Archive(db, readonly=True) as archive:
        assert [
            "100 links not followed on 1 page that named more than the 2,000 a page is read"
            " for (50,000 a sitemap)"
        ] == get_runs(archive)[0].warnings
