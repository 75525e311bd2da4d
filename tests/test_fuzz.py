"""Every entry point fed long, nested, numeric and Unicode-heavy input (hypothesis): each
command answers with a documented exit status and, when it fails, one line on stderr and no
traceback; each web page answers 200, 400 or 404 (never a 500) with the security headers.
A per-example deadline of 10 s is a hang guard, not a speed target (those are in `bench
hostile`): the limits in archive/search/query.py and selection.py keep every query far below
it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import uvicorn
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bienphong.cli import cli
from crawler import run as crawler_run
from tests.helpers.fixtures import CrawledArchive
from tests.helpers.loopback import fetch
from tests.helpers.runs import a_run
from tests.helpers.web import assert_security_headers, serving

FUZZ = settings(
    max_examples=100,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PIECES = ["bien", "đảo", "Hòa", "hoà", "Đ", '"', "(", ")", "*", "AND", "OR", "NOT", "-", ":"]
PIECES += ["\u0301", "_", "NEAR", "'", "\\", "+", "\n", "\t", "9" * 30, "-1", "0", "1e309"]
PIECES += ["2024-02-30", "9999-12-31", "0001-01-01", "7d", "99999d", "%", "?", "&", "#"]
PIECES += ["\u2028", "\x0b", "\r", "\x00", "\ufeff", "𝔟𝔦𝔢𝔫"]
# Long, nested, numeric and Unicode-heavy text: what a pasted page or an attacker sends.
TEXT = (
    st.lists(st.sampled_from(PIECES), max_size=300).map(" ".join)
    | st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
    | st.integers(min_value=-(10**30), max_value=10**30).map(str)
    | st.integers(min_value=1, max_value=2000).map(lambda n: "(" * n + "bien" + ")" * (n // 2))
    | st.text(max_size=2000)
    | st.text(st.characters(min_codepoint=0x300, max_codepoint=0x1EFF), max_size=600)
)
NUMBER = st.integers(min_value=-(10**25), max_value=10**25).map(str) | TEXT
STATUSES = {0, 1, 2}  # done; could not run; usage error (bienphong/errors.py's docstring)


@pytest.fixture(autouse=True)
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crawl or a server that got past the checks is stubbed: the arguments are fuzzed.
    The crawl's stub reports a run that fetched nothing, as the command reads its summary."""
    nothing_fetched = crawler_run.CrawlSummary(a_run())
    monkeypatch.setattr(crawler_run, "run_crawl", lambda options, archive: nothing_fetched)
    monkeypatch.setattr(uvicorn.Server, "run", lambda *args, **kwargs: None)


def assert_answers(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    assert "Traceback" not in result.output
    assert result.exit_code in STATUSES, (args, result.exit_code, result.output)
    if result.exit_code:
        assert 1 == len(result.stderr.splitlines()), (args, result.stderr)
        assert result.stderr.startswith("bienphong: error: ")


@pytest.fixture(scope="module")
def db(crawled_archive: CrawledArchive) -> str:
    return str(crawled_archive.db)


@FUZZ
@given(query=TEXT, author=TEXT, since=TEXT, limit=NUMBER, offset=NUMBER)
def test_search(db: str, query: str, author: str, since: str, limit: str, offset: str) -> None:
    assert_answers(["search", query, "--db", db, "--json", "--limit", limit, "--offset", offset])
    assert_answers(["search", query, "--db", db, "--author", author, "--since", since])


@FUZZ
@given(post_id=NUMBER)
def test_show_and_history(db: str, post_id: str) -> None:
    assert_answers(["show", post_id, "--db", db])
    assert_answers(["history", post_id, "--db", db])


@FUZZ
@given(query=TEXT, until=TEXT, section=TEXT, fmt=st.sampled_from(["jsonl", "csv", "x", ""]))
def test_export(db: str, query: str, until: str, section: str, fmt: str) -> None:
    assert_answers(["export", "--db", db, "--output", "-", "--format", fmt, "--query", query])
    assert_answers(["export", "--db", db, "--output", "-", "--until", until, "--section", section])


@FUZZ
@given(limit=NUMBER)
def test_runs_and_stats(db: str, limit: str) -> None:
    assert_answers(["runs", "--db", db, "--limit", limit])
    assert_answers(["stats", "--db", db])


@FUZZ
@given(since=TEXT, most=NUMBER, base_url=TEXT, timeout=NUMBER, section=TEXT)
def test_crawl_arguments(
    tmp_path_factory: pytest.TempPathFactory,
    since: str,
    most: str,
    base_url: str,
    timeout: str,
    section: str,
) -> None:
    db = str(tmp_path_factory.mktemp("fuzz") / "crawl.db")
    assert_answers(["crawl", "--db", db, "--since", since, "--max-articles", most])
    assert_answers(["crawl", "--db", db, "--base-url", base_url, "--timeout", timeout])
    assert_answers(["crawl", "--db", db, "--section", section])


@FUZZ
@given(since=TEXT)
def test_reextract_arguments(tmp_path_factory: pytest.TempPathFactory, since: str) -> None:
    # A missing archive: the arguments are checked, then the archive; nothing is made.
    db = tmp_path_factory.mktemp("fuzz") / "missing.db"
    assert_answers(["reextract", "--db", str(db), "--since", since])
    assert not db.exists()


@FUZZ
@given(host=TEXT, port=NUMBER)
def test_serve_arguments(db: str, host: str, port: str) -> None:
    assert_answers(["serve", "--db", db, "--host", host, "--port", port])


@pytest.fixture(scope="module")
def site(crawled_archive: CrawledArchive) -> Iterator[str]:
    with serving(crawled_archive.db) as base_url:
        yield base_url


@FUZZ
@given(q=TEXT, author=TEXT, since=TEXT, until=TEXT, page=NUMBER, section=TEXT)
def test_web_pages(
    site: str, q: str, author: str, since: str, until: str, page: str, section: str
) -> None:
    fields = {"q": q, "author": author, "since": since, "until": until, "section": section}
    query = urlencode(fields | {"page": page})
    for path in (f"/search?{query}", f"/export.jsonl?{urlencode(fields)}"):
        answer = fetch(site, path, timeout=30)
        assert answer.status in (200, 400), (path, answer.status)
        assert_security_headers(answer.headers)


@FUZZ
@given(post_id=NUMBER)
def test_web_article(site: str, post_id: str) -> None:
    path = "/article/" + urlencode({"": post_id})[1:]
    answer = fetch(site, path, timeout=30)
    assert answer.status in (200, 404), (path, answer.status)
    assert_security_headers(answer.headers)


def test_the_fuzz_reaches_both_answers(db: str) -> None:
    """The strategies are not all refused: a plain search answers 0, a bad one 2."""
    assert 0 == CliRunner().invoke(cli, ["search", "bien", "--db", db]).exit_code
    assert 2 == CliRunner().invoke(cli, ["search", "(" * 1000, "--db", db]).exit_code
