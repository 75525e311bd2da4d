"""`python -m tests.mirror`: serve on a free loopback port, print the truth, refuse bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.store import Archive
from bienphong.display import EMPTY_ARCHIVE
from tests.helpers.cli import invoke
from tests.helpers.crawl import archived
from tests.helpers.environment import without_proxies
from tests.helpers.loopback import fetch
from tests.helpers.records import RECORD_KEYS, make_page, make_record
from tests.mirror import Site

ROOT = Path(__file__).resolve().parent.parent
SITE_KEYS = RECORD_KEYS[:-2]  # the truth lacks what a crawl sets: fetched_at, extractor_version


def mirror_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.mirror", *args]


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A mirror subprocess of 50 articles, seed 3, and the base URL it printed."""
    process = subprocess.Popen(
        mirror_command("--port", "0", "--articles", "50", "--seed", "3", "--sitemaps", "off"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        yield process, process.stdout.readline().strip()
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_serve_prints_its_base_url_first_and_serves(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, base_url = served
    assert base_url.startswith("http://127.0.0.1:")
    assert int(base_url.rsplit(":", 1)[1]) > 0
    article = Site(articles=50, seed=3).article(10)
    response = fetch(base_url, article.path)
    assert 200 == response.status
    assert article.title in response.text
    assert 404 == fetch(base_url, "/sitemap.xml").status
    assert process.poll() is None


def test_serve_moves_the_day_and_logs_hits_over_http(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    _, base_url = served
    fetch(base_url, "/robots.txt")
    assert {"day": 2, "articles": 70} == json.loads(fetch(base_url, "/__mirror/day/2").body)
    hits = json.loads(fetch(base_url, "/__mirror/hits").body)
    assert [("/robots.txt", 200)] == [(h["path"], h["status"]) for h in hits]


def test_truth_prints_one_json_line_per_article() -> None:
    done = subprocess.run(
        mirror_command("truth", "--articles", "20", "--seed", "3"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert 20 == len(lines)
    records = [json.loads(line) for line in lines]
    assert [SITE_KEYS] == list({tuple(r): list(r) for r in records}.values())
    assert list(Site(articles=20, seed=3).truth()) == records
    assert "" == done.stderr


def test_truth_into_a_reader_that_stops_early_ends_quietly() -> None:
    # `| head -1`: the reader closes the pipe after one line of 2,000.
    process = subprocess.Popen(
        mirror_command("truth", "--articles", "2000"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    assert 0 == process.wait(timeout=120)
    assert b"" == process.stderr.read()
    process.stderr.close()
    assert next(iter(Site(articles=2000).truth())) == json.loads(first)


def test_truth_at_a_later_day_holds_the_new_articles() -> None:
    done = subprocess.run(
        mirror_command("truth", "--articles", "20", "--seed", "3", "--day", "2"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert 40 == len(done.stdout.splitlines())


@pytest.mark.parametrize(
    "args",
    [
        ["--faults", "bogus:1"],
        ["--faults", "503"],
        ["--faults", "503:0.7,429:0.7"],
        ["--articles", "0"],
        ["--host", "0.0.0.0"],
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(args: list[str]) -> None:
    done = subprocess.run(
        mirror_command("--port", "0", "--articles", "20", *args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert 2 == done.returncode
    assert "" == done.stdout
    assert 1 == len(done.stderr.splitlines()), done.stderr
    assert done.stderr.startswith("mirror: ")


def test_the_demo_crawls_the_mirror_into_an_archive_and_says_what_to_try(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    demo = subprocess.run(
        [sys.executable, "-m", "tests.mirror.demo", "--db", str(db), "--articles", "40"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=without_proxies(),
        check=False,
    )
    planned = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert 0 == demo.returncode, demo.stderr
    assert sorted(r["post_id"] for r in Site(articles=40, seed=1).truth()) == sorted(archived(db))
    assert f"search bien phong --db {db}\n" in demo.stdout
    assert f"serve --db {db}" in demo.stdout
    assert any(line.endswith("-m tests.mirror.demo") for line in planned.stdout.splitlines())


def test_search_on_an_archive_with_no_article_yet_says_so(tmp_path: Path) -> None:
    empty, holding = tmp_path / "bienphong.db", tmp_path / "holding.db"
    Archive(empty).close()  # what a first crawl that could not reach the site leaves
    with Archive(holding) as archive:
        archive.save_article(make_record(), make_page(), None)

    result = invoke("search", "bien", "--db", str(empty))
    missed = invoke("search", "zzzz", "--db", str(holding))

    assert (0, f"{EMPTY_ARCHIVE}\n") == (result.exit_code, result.stdout)
    assert (0, "no articles match\n") == (missed.exit_code, missed.stdout)
