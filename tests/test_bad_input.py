"""Bad input from the user: every command against unusable archives and bad arguments answers
with one line on stderr and a documented exit status, never a traceback; the query parser and
the extractor take anything without an exception escaping. docs/reliability.md lists them."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.runs import get_runs
from archive.schema import SCHEMA_VERSION
from archive.store import Archive
from bienphong.cli import cli
from crawler import run as crawler_run
from pipelines.extraction import extract
from tests.helpers.cli import BIENPHONG, logged
from tests.helpers.crawl import archived
from tests.helpers.fixtures import MakeMirror
from tests.helpers.records import one_article_archive

LOOPBACK_NOWHERE = "http://127.0.0.1:9"  # discard port: nothing may be fetched anyway
COMMANDS = {
    "crawl": ["crawl", "--base-url", LOOPBACK_NOWHERE],
    "search": ["search", "bien"],
    "show": ["show", "532158"],
    "history": ["history", "532158"],
    "export": ["export", "--output", "{tmp}/out.jsonl"],
    "runs": ["runs"],
    "stats": ["stats"],
    "reextract": ["reextract"],
    "stats --rebuild-index": ["stats", "--rebuild-index"],
    "serve": ["serve", "--port", "9"],
    "backup": ["backup", "{tmp}/copy.db"],
}
WRITERS = ("crawl", "reextract", "stats --rebuild-index")


@pytest.fixture(autouse=True)
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A crawl or a server that got past the checks would record itself here, not run."""
    started: list[str] = []
    monkeypatch.setattr(crawler_run, "run_crawl", lambda options, archive: started.append("crawl"))
    monkeypatch.setattr(uvicorn.Server, "run", lambda *args, **kwargs: started.append("serve"))
    return started


def invoke(args: list[str], db: Path, tmp_path: Path) -> Result:
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    return CliRunner().invoke(cli, [*args, "--db", str(db)])


def assert_one_line(expected: str, result: Result, exit_code: int = 1) -> None:
    assert "Traceback" not in result.output
    assert (exit_code, 1) == (result.exit_code, len(result.stderr.splitlines())), result.output
    assert result.stderr.startswith("bienphong: error: ")
    assert expected in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def newer_schema(path: Path) -> None:
    Archive(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text)")


def read_only(path: Path) -> None:
    Archive(path).close()
    path.chmod(0o444)


ARCHIVES: dict[str, tuple[Callable[[Path], object], str]] = {
    "missing": (lambda path: None, "no archive at {db}"),
    "not-sqlite": (lambda path: path.write_text("notes, not an archive\n"), "is not an SQLite"),
    "empty": (lambda path: path.write_bytes(b""), "is an empty file, not a bienphong archive"),
    "foreign": (foreign_sqlite, "is an SQLite database but not a bienphong archive"),
    "newer-schema": (newer_schema, f"has schema version {SCHEMA_VERSION + 1}, newer than"),
    "directory": (lambda path: path.mkdir(), "is a directory, not an archive file"),
    "read-only": (read_only, "archive {db} is read-only"),
}
CASES = [
    (command, state)
    for command in COMMANDS
    for state in ARCHIVES
    if not (command == "crawl" and state == "missing")  # a crawl makes a new archive
    and (state != "read-only" or command in WRITERS)  # readers read a read-only archive
]


@pytest.mark.parametrize(("command", "state"), CASES)
def test_every_command_refuses_an_unusable_archive_with_one_line(
    tmp_path: Path, nothing_runs: list[str], command: str, state: str
) -> None:
    db = tmp_path / "archive.db"
    make, message = ARCHIVES[state]
    make(db)
    before = db.read_bytes() if db.is_file() else None

    result = invoke(COMMANDS[command], db, tmp_path)

    assert_one_line(message.format(db=db), result)
    assert [] == nothing_runs
    assert before == (db.read_bytes() if db.is_file() else None)  # untouched, or still absent
    assert not (tmp_path / "out.jsonl").exists()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return one_article_archive(tmp_path / "archive.db")


BAD_DATE = "invalid date 'yesterday-ish': use YYYY-MM-DD, DD/MM/YYYY, or Nd for N days ago (7d)"
UNKNOWN_SECTION = "unknown section 'the-gioi' (bienphong sections lists them): chinh-tri, "
BAD_QUERY = "the query ends with an operator"
BAD_ARGUMENTS = [
    (["crawl", "--base-url", LOOPBACK_NOWHERE, "--since", "yesterday-ish"], BAD_DATE, 1),
    (["crawl", "--base-url", LOOPBACK_NOWHERE, "--recheck-since", "yesterday-ish"], BAD_DATE, 1),
    (["search", "bien", "--since", "yesterday-ish"], BAD_DATE, 1),
    (["search", "bien", "--until", "yesterday-ish"], BAD_DATE, 1),
    (["export", "--output", "-", "--since", "yesterday-ish"], BAD_DATE, 1),
    (["export", "--output", "-", "--until", "yesterday-ish"], BAD_DATE, 1),
    (["reextract", "--since", "yesterday-ish"], BAD_DATE, 1),
    (["crawl", "--base-url", LOOPBACK_NOWHERE, "--section", "the-gioi"], UNKNOWN_SECTION, 1),
    (["search", "bien", "--section", "the-gioi"], UNKNOWN_SECTION, 1),
    (["export", "--output", "-", "--section", "the-gioi"], UNKNOWN_SECTION, 1),
    (["search", "bien AND"], BAD_QUERY, 2),
    (["search", '"biên giới" OR'], BAD_QUERY, 2),
    (["export", "--output", "-", "--query", "bien AND"], BAD_QUERY, 2),
    (["search", "x" * 501], "the query is 501 characters long; at most 500 are searched", 2),
    (["search", "(" * 1000], "the query is 1,000 characters long", 2),
    (["search", "(" * 400 + "bien"], "the query nests parentheses more than 8 deep", 2),
    (["search", "bien" + " NOT bien" * 40], "the query has 41 terms", 2),
    (["search", "bien" + " NOT bien" * 100], "the query is 904 characters long", 2),
    (["search", "a* OR b*"], "the prefix a* is too short", 2),
    (["export", "--output", "-", "--query", "x" * 501], "the query is 501 characters", 2),
    (
        ["search", "bien", *(arg for n in range(21) for arg in ("--author", f"Tác giả {n}"))],
        "21 authors given; at most 20 are searched at once",
        2,
    ),
    (["export", "--output", "{tmp}/no/such/dir/out.jsonl"], "no/such/dir", 1),
    (["export", "--output", "{tmp}"], str(Path("{tmp}")), 1),
    (["export", "--format", "parquet", "--output", "-"], "stdout", 2),
    (["show", "abc"], "'abc' is not a valid integer", 2),
    (["show", "99999999999999999999"], "is not in the range 1<=x<=999999999", 2),
    (["history", "9223372036854775808"], "is not in the range 1<=x<=999999999", 2),
    (["search", "bien", "--offset", "9223372036854775808"], "0<=x<=1000000", 2),
    (["search", "bien", "--limit", "9223372036854775808"], "1<=x<=1000", 2),
    (["runs", "--limit", "0"], "1<=x<=1000", 2),
    (["search", "bien", "--since", "1899-12-31"], "no article is dated before 1900", 1),
    (["export", "--output", "-", "--until", "0999-01-01"], "no article is dated before 1900", 1),
    (["history", "532158", "--diff", "1", "9"], "has 1 versions, not 9", 1),
    (["serve", "--port", "70000"], "70000 is not in the range", 2),
    (["crawl", "--base-url", "127.0.0.1:8765"], "invalid --base-url", 1),
    (
        ["crawl", "--base-url", "http://127.0.0.1:99999"],
        "invalid --base-url 'http://127.0.0.1:99999': its port is not a number from 1 to 65535",
        1,
    ),
    (
        ["crawl", "--base-url", "http://127.0.0.1:0"],
        "invalid --base-url 'http://127.0.0.1:0': its port is not a number from 1 to 65535",
        1,
    ),
    (
        ["crawl", "--base-url", "http://user:pass@127.0.0.1:8765"],
        "invalid --base-url 'http://user:pass@127.0.0.1:8765': no user name or password in it",
        1,
    ),
    (
        ["export", "--output", "-", "--ids", "/dev/zero"],
        "--ids file /dev/zero, line 1: longer than 10,000 characters",
        1,
    ),
    (["crawl", "--base-url", LOOPBACK_NOWHERE, "--timeout", "0"], "0.1", 2),
]


@pytest.mark.parametrize(
    ("args", "message", "status"), BAD_ARGUMENTS, ids=[" ".join(a[0])[:60] for a in BAD_ARGUMENTS]
)
def test_bad_arguments_are_one_line_with_their_status(
    db: Path, tmp_path: Path, nothing_runs: list[str], args: list[str], message: str, status: int
) -> None:
    result = invoke(args, db, tmp_path)

    assert_one_line(message.replace("{tmp}", str(tmp_path)), result, status)
    assert [] == nothing_runs


# -- arbitrary input to the pure parsers (the query parser's own test is in test_search.py) -------

URL = "https://www.bienphong.com.vn/tin-bien-gioi-post532158.html"
FETCHED = datetime(2025, 2, 14, 9, 30, tzinfo=UTC)
PIECES = [
    "<html>", "</html>", "<head>", "<body>", "</body>", "<div class='bp-detail-text-content'>",
    "<div class=\"detail-content\">", "</div>", "<p>", "</p>", "<h1>", "</h1>", "<br>", "<!--",
    "-->", '<meta property="article:published_time" content="', '<meta charset="bogus">', '">',
    '<script type="application/ld+json">', "</script>", '{"@type":"NewsArticle","datePublished":',
    '"2025-02-30T99:00"', '"author":[{"@type":"Person","name":', "}", "]", "[", '<link rel="',
    'canonical" href="', "javascript:alert(1)", "http://example.com/x-post1.html", "Biên phòng - ",
    "Ảnh: ", "Bài và ảnh: ", "Theo TTXVN", "Nguồn: ", "14/02/2025 16:30", "Cập nhật: ",
    "99/99/9999 99:99", "<img src=\"", "<figcaption>", "\x00", "&#0;", "&#xD800;", "<![CDATA[",
    "]]>", "<?xml version='1.0' encoding='latin-1'?>", "\ufeff", "\u0301", "e\u0302\u0301",
    '<a href="', "http://[ccpa-preferences]", "http://[::1", '<img src="http://[x]/a.jpg">',
]  # fmt: skip
HTML = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(HTML | HTML.map(lambda text: text.encode("utf-8")) | st.binary(max_size=2000))
def test_the_extractor_takes_any_html_or_bytes_without_raising(html: str | bytes) -> None:
    record = extract(html, URL, FETCHED)

    assert 532158 == record["post_id"]
    assert isinstance(record["body"], str)
    assert len(record["body"].split()) == record["word_count"]


@pytest.mark.parametrize("command", [["search", "bien", "--json"], ["export", "--output", "-"]])
def test_the_last_day_of_the_calendar_bounds_nothing(db: Path, command: list[str]) -> None:
    result = CliRunner().invoke(cli, [*command, "--until", "9999-12-31", "--db", str(db)])
    assert 0 == result.exit_code, result.output
    assert "532158" in result.stdout


@pytest.mark.parametrize(
    ("listed", "message"),
    [
        ("1" * 5000, "line 2: '11111111111111111111...(5,000 characters)' is not a post id"),
        ("1000000000", "line 2: '1000000000' is not a post id"),
        ("0", "line 2: '0' is not a post id"),
    ],
)
def test_an_ids_file_with_a_number_that_is_no_post_id_is_one_line(
    db: Path, tmp_path: Path, listed: str, message: str
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text(f"# chosen\n532158 {listed}\n", encoding="utf-8")

    result = invoke(["export", "--output", "-", "--ids", str(ids)], db, tmp_path)

    assert_one_line(f"--ids file {ids}, {message}", result, 1)


@pytest.mark.parametrize(
    "command",
    [
        ["search", "biên phòng"],
        ["show", "532158"],
        ["runs"],
        ["stats"],
        ["export", "--output", "-"],
    ],
    ids=lambda command: command[0],
)
def test_output_to_a_full_device_is_one_line(db: Path, command: list[str]) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:  # every write: ENOSPC
        done = subprocess.run(
            [BIENPHONG, *command, "--db", str(db)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )

    assert (1, "bienphong: error: cannot write the output: No space left on device\n") == (
        done.returncode,
        done.stderr,
    )


def test_a_crawl_whose_summary_meets_a_full_device_says_so_and_keeps_what_it_archived(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=20, seed=98)
    db = tmp_path / "archive.db"
    command = [BIENPHONG, "crawl", "--db", str(db), "--base-url", mirror.base_url, "--delay", "0"]
    with open("/dev/full", "w", encoding="utf-8") as full:  # the summary goes to stdout
        done = subprocess.run(
            command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False
        )

    assert 1 == done.returncode
    assert [("ERROR", "cannot write the output: No space left on device")] == logged(done.stderr)
    assert {r["post_id"] for r in mirror.site.truth()} == set(archived(db))
    with Archive(db, readonly=True) as archive:
        assert ["finished"] == [run.outcome for run in get_runs(archive)]
