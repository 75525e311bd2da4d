"""robots.txt as RFC 9309 says: asked before anything else, and every request that waited for it
obeys it; a 4xx allows everything, a 5xx, a 429 or no answer allows nothing (the run ends
`refused`, exit 3, and the next run asks again); Crawl-delay slows the crawl, up to a ceiling
past which it does not crawl. Each answer is served by the mirror in place of its robots.txt."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from archive.runs import get_runs
from archive.store import Archive
from crawler.robots import CRAWL_DELAY_MAX
from tests.helpers.cli import logged
from tests.helpers.crawl import assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Answer, Mirror

ROBOTS = "robots.txt of www.bienphong.com.vn"
TEXT = "text/plain; charset=utf-8"


def outcome(db: Path) -> tuple[str, str | None]:
    with Archive(db, readonly=True) as archive:
        last = get_runs(archive, 1)[0]
    return last.outcome, last.reason


def paths(mirror: Mirror) -> list[str]:
    return [hit.path for hit in mirror.hits]


def test_rules_that_forbid_the_site_let_no_request_through(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=20, seed=81)
    mirror.robots = Answer(200, b"User-agent: *\nDisallow: /\n", TEXT)
    db = tmp_path / "archive.db"

    refused = crawl(db, mirror)
    still = crawl(db, mirror, "--warnings-ok")  # a refusal is no warning to wave through

    why = f"{ROBOTS} disallows the site's home page to this crawler"
    assert (3, 3) == (refused.returncode, still.returncode), refused.stderr
    assert ["/robots.txt"] * 2 == paths(mirror)  # the feeds and listings that waited, too
    assert ("refused", why) == outcome(db)
    assert [("WARNING", why)] == logged(refused.stderr)
    assert logged(refused.stdout)[0][1].startswith("Crawl refused by robots.txt in ")


def test_requests_that_waited_for_robots_obey_it(make_mirror: MakeMirror, tmp_path: Path) -> None:
    mirror = make_mirror(articles=30, seed=82)
    # The feeds are among the first requests, all asked while robots.txt is on its way.
    mirror.robots = Answer(200, b"User-agent: *\nDisallow: /rss/\n", TEXT)
    db = tmp_path / "archive.db"

    crawled = crawl(db, mirror)

    assert 0 == crawled.returncode, crawled.stderr
    assert [] == [path for path in paths(mirror) if path.startswith("/rss/")]
    assert "/robots.txt" == paths(mirror)[0]
    assert_archive_holds_the_truth(db, mirror)  # the listings and sitemaps name every article


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_robots_txt_that_fails_allows_nothing_until_it_answers(
    make_mirror: MakeMirror, tmp_path: Path, status: int
) -> None:
    mirror = make_mirror(articles=20, seed=83)
    # No pause asked: the retries come at once.
    mirror.robots = Answer(status, b"busy", TEXT, headers=(("Retry-After", "0"),))
    db = tmp_path / "archive.db"

    refused = crawl(db, mirror)
    asked = paths(mirror)
    mirror.robots = None
    after = crawl(db, mirror)

    why = (
        f"{ROBOTS} answered {status}: RFC 9309 says to crawl nothing until it answers;"
        " the next crawl asks again"
    )
    assert 3 == refused.returncode, refused.stderr
    assert [("WARNING", why)] == logged(refused.stderr)
    assert ["/robots.txt"] * 5 == asked  # asked, retried four times, and nothing else
    assert 0 == after.returncode, after.stderr
    assert_archive_holds_the_truth(db, mirror)
    with Archive(db, readonly=True) as archive:
        assert [("finished", None), ("refused", why)] == [
            (run.outcome, run.reason) for run in get_runs(archive)
        ]


def test_a_robots_txt_that_is_not_there_allows_everything(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=20, seed=84)
    mirror.robots = Answer(404, b"not found", TEXT)
    db = tmp_path / "archive.db"

    crawled = crawl(db, mirror)

    assert 0 == crawled.returncode, crawled.stderr
    assert ("finished", None) == outcome(db)
    assert_archive_holds_the_truth(db, mirror)


def test_a_crawl_delay_over_the_ceiling_is_not_crawled(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=20, seed=85)
    mirror.robots = Answer(200, b"User-agent: *\nCrawl-delay: 3600\n", TEXT)
    db = tmp_path / "archive.db"

    refused = crawl(db, mirror)

    why = (
        f"{ROBOTS} asks for a Crawl-delay of 3600 s, over the {CRAWL_DELAY_MAX:g} s this"
        " crawler keeps to: not crawling"
    )
    assert 3 == refused.returncode, refused.stderr
    assert ["/robots.txt"] == paths(mirror)
    assert ("refused", why) == outcome(db)


def gaps(mirror: Mirror) -> list[float]:
    """Seconds between the requests after robots.txt, one after the other."""
    times = [hit.at for hit in mirror.hits if hit.path != "/robots.txt"]
    return [later - earlier for earlier, later in pairwise(times)]


def test_a_crawl_delay_slows_the_crawl_to_it(make_mirror: MakeMirror, tmp_path: Path) -> None:
    # One section of a small site: a handful of pages, one at a time, with no delay of its own.
    one_section = ("--section", "kinh-te", "--concurrency", "1")
    unruled = make_mirror(articles=10, seed=86)
    ruled = make_mirror(articles=10, seed=86)
    ruled.robots = Answer(200, b"User-agent: *\nCrawl-delay: 0.4\n", TEXT)

    for mirror, db in ((unruled, "unruled.db"), (ruled, "ruled.db")):
        done = crawl(tmp_path / db, mirror, *one_section)
        assert 0 == done.returncode, done.stderr

    # Scrapy spreads each delay over ±50% of it (DOWNLOAD_DELAY_JITTER): 0.2 s at least.
    assert min(gaps(ruled)) >= 0.2
    assert min(gaps(unruled)) < 0.2  # the measure can tell the two apart
    assert len(gaps(ruled)) >= 3
