"""End to end: the real `bienphong crawl` command against the mirror, asserting on the archive."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive.pages import raw_pages
from archive.runs import get_runs
from archive.store import Archive
from crawler.state import ARTICLES_HANDED_OUT
from tests.helpers.crawl import archived, article_fetches, assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import Fetch, MakeMirror
from tests.helpers.held import crawl_counting_held
from tests.helpers.mirror_pages import POST_ID


@pytest.mark.parametrize("sitemaps", [True, False], ids=["sitemaps-on", "sitemaps-off"])
def test_crawl_archives_every_article_once_equal_to_the_truth(
    make_mirror: MakeMirror, tmp_path: Path, sitemaps: bool
) -> None:
    mirror = make_mirror(articles=250, seed=7, sitemaps=sitemaps)
    db = tmp_path / "archive.db"

    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    truth = assert_archive_holds_the_truth(db, mirror)
    assert {post_id: 1 for post_id in truth} == dict(article_fetches(mirror))
    assert [] == [hit.path for hit in mirror.hits if hit.path.startswith("/tim-kiem")]
    assert "articles: 250 new, 0 updated, 0 unchanged, 0 failed" in result.stdout


def test_a_whole_crawl_hands_scrapy_its_articles_a_bounded_number_at_a_time(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    # The sitemaps name every article of the site in the first seconds; held as Scrapy
    # requests, they were memory that grew with the site.
    mirror = make_mirror(articles=400, seed=9, weighty=False)
    db = tmp_path / "archive.db"

    result, most_held = crawl_counting_held(db, mirror, tmp_path / "held")

    assert 0 == result.returncode, result.stderr
    truth = assert_archive_holds_the_truth(db, mirror)
    assert {post_id: 1 for post_id in truth} == dict(article_fetches(mirror))
    # At most the bound at once, and the bound is what limits: not the site's size.
    assert ARTICLES_HANDED_OUT // 2 <= most_held <= ARTICLES_HANDED_OUT


def test_a_second_crawl_fetches_only_what_is_new(make_mirror: MakeMirror, tmp_path: Path) -> None:
    mirror = make_mirror(articles=300, seed=11, new_per_day=7, edits_per_day=0, weighty=False)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.set_day(1)
    mirror.clear_hits()

    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    new_ids = {mirror.site.post_id(i) for i in range(300, 307)}
    assert {post_id: 1 for post_id in new_ids} == dict(article_fetches(mirror))
    assert sorted(r["post_id"] for r in mirror.site.truth()) == sorted(archived(db))


def test_crawl_stores_the_raw_page_and_a_run(
    make_mirror: MakeMirror, tmp_path: Path, fetch: Fetch
) -> None:
    mirror = make_mirror(articles=40, seed=5)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    first = mirror.site.article(0)

    with Archive(db) as archive:
        pages = raw_pages(archive, first.post_id)
        runs = get_runs(archive, 10)

    assert [first.url] == [page.url for page in pages]
    assert fetch(mirror.base_url, first.path).body == pages[0].body
    assert [40] == [run.new for run in runs]
    with sqlite3.connect(db) as connection:
        assert "wal" == connection.execute("PRAGMA journal_mode").fetchone()[0]


def test_crawl_with_an_unreadable_archive_exits_1_with_one_line(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=5, seed=1)
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("these are notes, not an archive\n")

    result = crawl(not_sqlite, mirror)

    assert 1 == result.returncode
    assert 1 == len(result.stderr.strip().splitlines()), result.stderr
    assert "Traceback" not in result.stderr
    assert [] == mirror.hits


def test_pages_in_markup_no_rule_has_seen_extract_to_the_truth(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    """Template X draws class names, nesting and the element of each field per article."""
    mirror = make_mirror(articles=150, seed=17, template="X")
    db = tmp_path / "archive.db"

    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    assert_archive_holds_the_truth(db, mirror)


# Bounds


def test_since_keeps_every_article_published_since_and_fetches_few_others(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=1500, seed=56, weighty=False)
    truth = sorted(mirror.site.truth(), key=lambda r: r["published_at"], reverse=True)
    day = truth[119]["published_at"][:10]  # about 120 articles on or after that day
    expected = sorted(r["post_id"] for r in truth if r["published_at"][:10] >= day)
    db = tmp_path / "archive.db"

    result = crawl(db, mirror, "--since", day)

    assert 0 == result.returncode, result.stderr
    assert expected == sorted(archived(db))
    fetched = {hit.path for hit in mirror.hits if POST_ID.search(hit.path)}
    assert len(fetched) <= 1.2 * len(expected), (len(fetched), len(expected))


def test_max_articles_stops_discovery_once_it_has_them(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=300, seed=57)
    db = tmp_path / "archive.db"

    result = crawl(db, mirror, "--max-articles", "1")

    assert 0 == result.returncode, result.stderr
    assert 1 == len(archived(db))
    assert 1 == len([hit for hit in mirror.hits if POST_ID.search(hit.path)])
    # The feeds, sitemaps and listings still queued when the first feed named an article were
    # dropped unasked: fewer requests than the crawl starts with (44 and robots.txt).
    assert len(mirror.hits) < 45


def test_a_section_bound_keeps_the_crawl_in_its_sections_on_a_new_and_a_walked_archive(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=300, seed=12, new_per_day=40, edits_per_day=0, weighty=False)
    chosen = {"kinh-te", "quoc-te"}
    bound = [arg for section in sorted(chosen) for arg in ("--section", section)]
    db = tmp_path / "archive.db"

    assert 0 == crawl(db, mirror, *bound).returncode  # a new archive
    truth = {record["post_id"]: record["section"] for record in mirror.site.truth()}
    first = set(article_fetches(mirror))
    mirror.set_day(1)
    mirror.clear_hits()
    assert 0 == crawl(db, mirror).returncode  # a whole walk: the archive is walked
    mirror.set_day(2)
    mirror.clear_hits()
    assert 0 == crawl(db, mirror, *bound).returncode  # an incremental run, bounded
    truth |= {record["post_id"]: record["section"] for record in mirror.site.truth()}
    later = set(article_fetches(mirror))

    assert chosen == {truth[post_id] for post_id in first}
    assert {post_id for post_id, section in truth.items() if section in chosen} <= set(archived(db))
    assert later and {truth[post_id] for post_id in later} <= chosen
    others = [hit.path for hit in mirror.hits if not POST_ID.search(hit.path)]
    assert [] == [path for path in others if "/tag/" in path or "sitemap" in path or path == "/"]
