"""The `bienphong` command line through click's CliRunner, over hand-made archives.

No crawl runs here: `crawl` is checked for its argument handling and for the options it hands
to `crawler.run.run_crawl`, which the tests replace.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from archive import search as search_module
from archive.dates import DateError, parse_day
from archive.lock import ArchiveLock
from archive.runs import finish_run, record_failure, start_run
from archive.site import SITE_TZ
from archive.store import Archive
from bienphong.cli import cli
from crawler import run as crawler_run
from tests.helpers.cli import assert_one_line_error, invoke, logged
from tests.helpers.records import RECORD_KEYS, make_page, make_record
from tests.helpers.runs import a_run

VERBS = [
    "backup",
    "crawl",
    "export",
    "extract",
    "history",
    "reextract",
    "runs",
    "search",
    "sections",
    "serve",
    "show",
    "stats",
]
SECTIONS = (
    "chinh-tri, theo-guong-bac, quan-su-quoc-phong, phap-luat, kinh-te, xa-hoi, van-hoa, "
    "phong-su, quoc-te, chu-quyen-bien-gioi-bien-dao-viet-nam, bien-phong-toan-dan, the-thao, "
    "phong-su-anh, video"
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """An archive of three articles, a correction, and one finished run with a failure."""
    path = tmp_path / "bienphong.db"
    with Archive(path, clock=lambda: "2025-03-01T00:00:00+00:00") as archive:
        run_id = start_run(archive, {"since": "2025-02-01"})
        archive.save_article(make_record(), make_page(), run_id)
        archive.save_article(
            make_record(
                post_id=201765,
                kind="video",
                section="video",
                title="Tuần tra biên giới Việt - Lào",
                authors=[],
                published_at="2025-01-05T07:00:00+07:00",
                video_url="https://files.bienphong.com.vn/v.mp4",
            ),
            make_page(),
            run_id,
        )
        archive.save_article(
            make_record(post_id=450000, section="kinh-te", source="TTXVN", published_at=None),
            make_page(),
            run_id,
        )
        record_failure(archive, run_id, "https://www.bienphong.com.vn/a-post9.html", 9, "HTTP 500")
        counts = {"new": 3, "updated": 0, "unchanged": 0, "failed": 1, "pages_fetched": 12}
        finish_run(archive, run_id, "finished", counts, {"authors": 0.67})
    return path


# Help


def test_the_group_has_exactly_its_verbs() -> None:
    assert VERBS == sorted(cli.commands)


@pytest.mark.parametrize("verb", VERBS)
def test_every_command_has_help_with_an_example(verb: str) -> None:
    result = invoke(verb, "--help")
    assert 0 == result.exit_code
    assert "Example:\n" in result.stdout
    assert f"bienphong {verb}" in result.stdout.split("Example:")[1]
    takes_db = verb != "extract"  # extract reads a saved page, never the archive
    assert takes_db == ("--db PATH" in result.stdout)
    assert takes_db == ("env var: BIENPHONG_DB" in result.stdout)


def test_the_group_help_has_an_example_and_the_exit_statuses() -> None:
    result = invoke("--help")
    assert 0 == result.exit_code
    assert "Example:\n    bienphong crawl --since 7d\n    bienphong show 532158\n" in result.stdout
    assert "Exit status:\n    0  done\n    1  the command could not run" in result.stdout


def test_a_usage_error_is_one_line_with_status_2() -> None:
    assert_one_line_error(
        "Invalid value for '--concurrency': 0 is not in the range x>=1 "
        "(see 'bienphong crawl --help')",
        invoke("crawl", "--concurrency", "0"),
        exit_code=2,
    )


# show


def test_show_prints_the_article_for_a_reader(db: Path) -> None:
    result = invoke("show", "532158", "--db", str(db))
    assert 0 == result.exit_code
    assert [
        "Đồn Biên phòng tuần tra song phương",
        "",
        "https://www.bienphong.com.vn/don-bien-phong-tuan-tra-post532158.html",
        "post 532158 · article · bien-phong-toan-dan (Biên phòng toàn dân)",
        "published 2025-02-14T16:30:00+07:00",
        "by Nông Văn Tuấn, Thu Hà",
        "tags: BĐBP Lào Cai, tuần tra",
        "",
        "Sáng 14-2, Đồn Biên phòng phối hợp tuần tra.",
        "",
        "Đoạn một.",
        "",
        "Đoạn hai.",
        "",
        "images:",
        "  https://files.bienphong.com.vn//bbpmedia/media/730/2025/2/14/a.jpg",
        "    Quang cảnh hội nghị. (Ảnh: Nông Văn Tuấn)",
        "",
        "4 words · fetched 2025-02-15T01:00:00+00:00 · extractor bienphong-1",
    ] == result.stdout.splitlines()


def test_sections_lists_every_section_with_its_name_articles_and_newest(db: Path) -> None:
    result = invoke("sections", "--db", str(db))
    assert 0 == result.exit_code
    lines = result.stdout.splitlines()
    assert ["SLUG", "NAME", "ARTICLES", "NEWEST"] == lines[0].split()
    assert 15 == len(lines)  # the header and the site's 14 sections
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["bien-phong-toan-dan"].endswith(
        "Biên phòng toàn dân                      1         2025-02-14"
    )
    assert rows["video"].split()[-2:] == ["1", "2025-01-05"]
    assert rows["kinh-te"].split()[-2:] == ["1", "-"]  # its one article is undated
    assert rows["chinh-tri"].split()[-2:] == ["0", "-"]
    found = json.loads(invoke("sections", "--json", "--db", str(db)).stdout)
    assert {
        "slug": "chu-quyen-bien-gioi-bien-dao-viet-nam",
        "name": "Chủ quyền biên giới, biển, đảo Việt Nam",
        "articles": 0,
        "newest": None,
    } == found[9]
    assert {"slug": "video", "name": "Video", "articles": 1} | {
        "newest": "2025-01-05T07:00:00+07:00"
    } == found[13]


def test_history_diff_shows_only_the_paragraphs_that_changed(db: Path) -> None:
    body = "Đoạn một.\n\nĐoạn hai có một câu.\n\nĐoạn ba."
    corrected = "Đoạn một.\n\nĐoạn hai có một câu sửa lại.\n\nĐoạn ba.\n\nĐoạn bốn thêm."
    with Archive(db) as archive:
        for text in (body, corrected, "Đoạn một.\n\nĐoạn ba.\n\nĐoạn bốn thêm."):
            archive.save_article(make_record(body=text), make_page(), None)
    # Version 1 is the fixture's; 2, 3 and 4 (the current) these.
    second_to_third = invoke("history", "532158", "--diff", "2", "3", "--db", str(db))
    assert [
        "body ¶2: Đoạn hai có một [-câu.-] {+câu sửa lại.+}",
        "body ¶4 (added): {+Đoạn bốn thêm.+}",
    ] == second_to_third.stdout.splitlines()
    third_to_fourth = invoke("history", "532158", "--diff", "3", "4", "--db", str(db))
    assert ["body ¶2 (removed): [-Đoạn hai có một câu sửa lại.-]"] == (
        third_to_fourth.stdout.splitlines()
    )


def test_search_and_runs_name_the_sections_beside_their_slugs(db: Path) -> None:
    result = invoke("search", "--section", "video", "--db", str(db))
    assert result.stdout.startswith("2025-01-05  video (Video)  Tuần tra biên giới Việt - Lào\n")
    with Archive(db) as archive:
        run_id = start_run(archive, {"command": "crawl", "sections": ["kinh-te", "the-thao"]})
        finish_run(archive, run_id, "finished", {"new": 0, "pages_fetched": 1}, None)
    runs = invoke("runs", "--limit", "1", "--db", str(db)).stdout
    assert "    sections: kinh-te (Kinh tế), the-thao (Thể thao)\n" in runs


def test_show_json_prints_the_article_record(db: Path) -> None:
    result = invoke("show", "450000", "--json", "--db", str(db))
    assert 0 == result.exit_code
    record = json.loads(result.stdout)
    assert RECORD_KEYS == list(record)
    assert (
        make_record(post_id=450000, section="kinh-te", source="TTXVN", published_at=None) == record
    )
    assert '"authors": [\n    "Nông Văn Tuấn",' in result.stdout  # readable, not \u escapes


def test_show_explain_lists_each_field_with_where_it_came_from(db: Path) -> None:
    provenance = {"title": "rules:A-2020", "body": "rules:A-2020", "published_at": "meta"}
    with Archive(db) as archive:
        archive.save_article(make_record(), None, None, provenance)
    result = invoke("show", "532158", "--explain", "--db", str(db))
    assert 0 == result.exit_code
    assert [
        "post_id            532158",
        "url                https://www.bienphong.com.vn/don-bien-phong-tuan-tra-post532158.html",
        "kind               article",
        "section            bien-phong-toan-dan  [not found]",
        "title              Đồn Biên phòng tuần tra song phương  [rules:A-2020]",
        "sapo               Sáng 14-2, Đồn Biên phòng phối hợp tuần tra.  [not found]",
        "body               Đoạn một. Đoạn hai.  [rules:A-2020]",
        "authors            Nông Văn Tuấn, Thu Hà  [not found]",
        "source             -  [not found]",
        "published_at       2025-02-14T16:30:00+07:00  [meta]",
        "modified_at        -  [not found]",
        "tags               BĐBP Lào Cai, tuần tra  [not found]",
        "images             1  [not found]",
        "                   https://files.bienphong.com.vn//bbpmedia/media/730/2025/2/14/a.jpg"
        " · Quang cảnh hội nghị. (Ảnh: Nông Văn Tuấn)",
        "video_url          -  [not found]",
        "word_count         4",
        "fetched_at         2025-02-15T01:00:00+00:00",
        "extractor_version  bienphong-1",
    ] == result.stdout.splitlines()
    as_json = json.loads(invoke("show", "532158", "--explain", "--json", "--db", str(db)).stdout)
    assert [*RECORD_KEYS, "provenance"] == list(as_json)
    assert provenance == as_json["provenance"]


def test_show_explain_of_an_article_archived_without_provenance(db: Path) -> None:
    result = invoke("show", "450000", "--explain", "--db", str(db))
    assert 0 == result.exit_code
    assert (
        "provenance: not recorded for this article (bienphong reextract records it)"
        == (result.stdout.splitlines()[-1])
    )
    assert "source             TTXVN" in result.stdout.splitlines()
    as_json = json.loads(invoke("show", "450000", "--explain", "--json", "--db", str(db)).stdout)
    assert None is as_json["provenance"]


def test_show_of_an_unknown_id_is_one_line_and_status_1(db: Path) -> None:
    assert_one_line_error(f"no article 999 in {db}", invoke("show", "999", "--db", str(db)))


def test_show_without_an_archive_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = invoke("show", "1", "--db", str(path))
    assert_one_line_error(f"no archive at {path} (run 'bienphong crawl' to make one)", result)
    assert not path.exists()


def test_show_of_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Sổ tay\n" * 500)
    assert_one_line_error(
        f"{path} is not an SQLite database", invoke("show", "1", "--db", str(path))
    )


def test_the_archive_path_comes_from_bienphong_db(db: Path) -> None:
    result = invoke("show", "532158", "--json", env={"BIENPHONG_DB": str(db)})
    assert 0 == result.exit_code
    assert 532158 == json.loads(result.stdout)["post_id"]


# export


def read_jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_export_jsonl_to_a_file(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "articles.jsonl"
    result = invoke("export", "--format", "jsonl", "--output", str(output), "--db", str(db))
    assert (0, f"bienphong: exported 3 articles to {output}\n") == (result.exit_code, result.stderr)
    text = output.read_text(encoding="utf-8")
    records = read_jsonl(text)
    assert [450000, 201765, 532158] == [record["post_id"] for record in records]  # undated first
    assert [RECORD_KEYS] * 3 == [list(record) for record in records]
    assert make_record() == records[2]
    assert "Nông Văn Tuấn" in text  # ensure_ascii=False
    assert [] == [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_export_jsonl_to_stdout(db: Path) -> None:
    result = invoke("export", "--output", "-", "--db", str(db))
    assert 0 == result.exit_code
    records = read_jsonl(result.stdout)
    assert [RECORD_KEYS] * 3 == [list(record) for record in records]
    assert ["Nông Văn Tuấn", "Thu Hà"] == records[2]["authors"]
    assert "bienphong: exported 3 articles to stdout\n" == result.stderr


def test_export_filters_by_date_and_section(db: Path) -> None:
    result = invoke(
        "export", "--output", "-", "--since", "2025-01-05", "--until", "2025-02-14", "--db", str(db)
    )
    assert [201765, 532158] == [record["post_id"] for record in read_jsonl(result.stdout)]
    result = invoke("export", "--output", "-", "--section", "kinh-te", "--db", str(db))
    assert [450000] == [record["post_id"] for record in read_jsonl(result.stdout)]


def test_export_of_an_empty_set_writes_an_empty_file_and_says_so(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "none.jsonl"
    result = invoke("export", "--output", str(output), "--since", "2030-01-01", "--db", str(db))
    assert 0 == result.exit_code
    assert (
        f"bienphong: exported 0 articles to {output} (nothing matched: the output is empty)\n"
        == (result.stderr)
    )
    assert "" == output.read_text()


def test_an_interrupted_export_leaves_the_old_file_and_no_partial_one(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out" / "articles.jsonl"
    output.parent.mkdir()
    output.write_text("the previous export\n")
    real = search_module.records

    def interrupted(archive: Archive, selection: Any) -> Any:
        for number, record in enumerate(real(archive, selection)):
            if number == 2:
                raise KeyboardInterrupt
            yield record

    monkeypatch.setattr(search_module, "records", interrupted)
    result = invoke("export", "--output", str(output), "--db", str(db))
    assert 1 == result.exit_code  # click's Abort for Ctrl-C
    assert ["articles.jsonl"] == sorted(p.name for p in output.parent.iterdir())
    assert "the previous export\n" == output.read_text()


def test_export_to_a_missing_directory_is_one_line(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "nowhere" / "a.jsonl"
    result = invoke("export", "--output", str(output), "--db", str(db))
    assert_one_line_error(f"cannot write {output}: No such file or directory", result)


def test_export_with_a_bad_date_is_one_line(db: Path) -> None:
    result = invoke("export", "--output", "-", "--until", "tomorrow", "--db", str(db))
    assert_one_line_error(
        "invalid date 'tomorrow': use YYYY-MM-DD, DD/MM/YYYY, or Nd for N days ago (7d)", result
    )


@pytest.mark.parametrize("command", ["search", "export"])
def test_until_before_since_is_a_usage_error(db: Path, command: str) -> None:
    dates = ("--since", "2025-02-01", "--until", "2025-01-31")
    output = ("--output", "-") if command == "export" else ()
    result = invoke(command, *output, *dates, "--db", str(db))
    assert_one_line_error("--until 2025-01-31 is before --since 2025-02-01", result, exit_code=2)


# runs and stats


def test_runs_lists_the_runs_with_their_failures(db: Path) -> None:
    result = invoke("runs", "--db", str(db))
    assert 0 == result.exit_code
    assert [
        "RUN  STARTED                    OUTCOME   PAGES  NEW  UPDATED  UNCHANGED  FAILED",
        "1    2025-03-01T00:00:00+00:00  finished  12     3    0        0          1",
        "    found: authors 67%",
        "    failed: https://www.bienphong.com.vn/a-post9.html (post 9): HTTP 500",
    ] == result.stdout.splitlines()


def test_runs_shows_the_share_the_generic_path_read(db: Path) -> None:
    with Archive(db, clock=lambda: "2025-03-02T00:00:00+00:00") as archive:
        run_id = start_run(archive, {})
        counts = {"new": 25, "pages_fetched": 30}
        finish_run(archive, run_id, "finished", counts, {"body": 1.0}, generic_share=0.12)
    result = invoke("runs", "--limit", "1", "--db", str(db))
    assert [
        "RUN  STARTED                    OUTCOME   PAGES  NEW  UPDATED  UNCHANGED  FAILED",
        "2    2025-03-02T00:00:00+00:00  finished  30     25   0        0          0",
        "    found: body 100%",
        "    generic path: 12%",
    ] == result.stdout.splitlines()
    runs = json.loads(invoke("runs", "--json", "--db", str(db)).stdout)
    assert [0.12, None] == [run["generic_share"] for run in runs]


def test_runs_json_and_limit(db: Path) -> None:
    with ArchiveLock(db), Archive(db) as archive:  # a crawl, alive
        start_run(archive, {})
        result = invoke("runs", "--json", "--limit", "1", "--db", str(db))
    assert 0 == result.exit_code
    runs = json.loads(result.stdout)
    assert [(2, "running")] == [(run["id"], run["outcome"]) for run in runs]
    # Its process gone without closing the run (no one holds the lock): interrupted.
    runs = json.loads(invoke("runs", "--json", "--limit", "1", "--db", str(db)).stdout)
    assert [(2, "interrupted")] == [(run["id"], run["outcome"]) for run in runs]
    result = invoke("runs", "--json", "--db", str(db))
    run = json.loads(result.stdout)[1]
    assert (3, 12, {"authors": 0.67}) == (run["new"], run["pages_fetched"], run["fill_rates"])
    assert [
        {"url": "https://www.bienphong.com.vn/a-post9.html", "post_id": 9, "reason": "HTTP 500"}
    ] == (run["failures"])


def test_stats(db: Path) -> None:
    result = invoke("stats", "--json", "--db", str(db))
    assert 0 == result.exit_code
    figures = json.loads(result.stdout)
    assert figures.pop("db_bytes") > 0
    assert {
        "articles": 3,
        "by_kind": {"article": 2, "video": 1},
        "by_section": {"bien-phong-toan-dan": 1, "kinh-te": 1, "video": 1},
        "raw_pages": 3,
        "raw_page_storage": {
            "codecs": {"zlib": {"pages": 3, "received_bytes": 34521, "stored_bytes": 603}},
            "dictionaries": [],
        },
        "versions": 0,
        "runs": 1,
        "search_index": {
            "articles": 3,
            "indexed": 3,
            "missing": 0,
            "unfolded": 0,
            "complete": True,
        },
    } == figures
    text = invoke("stats", "--db", str(db)).stdout.splitlines()
    assert ["articles      3", "  by kind     article: 2", "  by kind     video: 1"] == text[:3]
    assert "raw pages     3" in text
    assert "  zlib        3 pages, 0.2 KB stored a page (11.5 KB received, 57.2× smaller)" in text


# crawl


class FakeRunCrawl:
    """Stands in for crawler.run.run_crawl: records the options, returns a summary of `run`."""

    def __init__(self) -> None:
        self.calls: list[crawler_run.CrawlOptions] = []
        self.run = a_run(
            id=7, new=10, updated=2, unchanged=30, failed=1, failed_articles=1, pages_fetched=61
        )

    def __call__(
        self, options: crawler_run.CrawlOptions, archive: Archive
    ) -> crawler_run.CrawlSummary:
        self.calls.append(options)
        return crawler_run.CrawlSummary(self.run, duration_seconds=83.4)


@pytest.fixture
def run_crawl(monkeypatch: pytest.MonkeyPatch) -> FakeRunCrawl:
    fake = FakeRunCrawl()
    monkeypatch.setattr(crawler_run, "run_crawl", fake)
    return fake


def test_crawl_hands_the_options_to_run_crawl_and_prints_the_summary(
    run_crawl: FakeRunCrawl, tmp_path: Path
) -> None:
    path = tmp_path / "a.db"
    drift = "possible markup drift: published_at found in 40% of new articles, against 95%"
    run_crawl.run = replace(run_crawl.run, warnings=[drift])
    result = invoke(
        "crawl",
        *("--db", str(path), "--base-url", "http://127.0.0.1:8765/", "--delay", "0"),
        *("--concurrency", "2", "--since", "2024-01-01", "--max-articles", "5"),
        *("--section", "kinh-te", "--section", "xa-hoi"),
    )
    assert 3 == result.exit_code  # finished, but with a warning: it needs a look
    assert [
        (
            "WARNING",
            "the crawl needs a look: 1 drift warning: see 'bienphong runs --limit 1'",
        )
    ] == logged(result.stderr)
    assert [
        crawler_run.CrawlOptions(
            db=path,
            base_url="http://127.0.0.1:8765",
            delay=0.0,
            concurrency=2,
            since=datetime(2024, 1, 1, tzinfo=SITE_TZ),
            max_articles=5,
            sections=("kinh-te", "xa-hoi"),
        )
    ] == run_crawl.calls
    assert [  # off a terminal, lines of the crawl's log
        ("INFO", "Crawl finished in 1 min 23 s (run 7)"),
        ("INFO", "articles: 10 new, 2 updated, 30 unchanged, 1 failed"),
        ("INFO", "pages fetched: 61"),
        ("WARNING", drift),
        ("INFO", "failed pages are listed by: bienphong runs --limit 1"),
    ] == logged(result.stdout)


def test_a_crawl_with_warnings_or_many_failed_pages_exits_3_unless_warnings_are_ok(
    run_crawl: FakeRunCrawl, tmp_path: Path
) -> None:
    db = ("--db", str(tmp_path / "a.db"))
    clean = invoke("crawl", *db)
    run_crawl.run = replace(run_crawl.run, failed=4, failed_pages=3)  # 4 of 61 pages: 6.6%
    failing = invoke("crawl", *db)
    run_crawl.run = replace(run_crawl.run, warnings=["possible markup drift: ..."])
    allowed = invoke("crawl", *db, "--warnings-ok")

    assert (0, "") == (clean.exit_code, clean.stderr)
    assert 3 == failing.exit_code
    assert [
        (
            "WARNING",
            "the crawl needs a look: 4 failed pages of 61, over 5%: see 'bienphong runs --limit 1'",
        )
    ] == logged(failing.stderr)
    assert (0, "") == (allowed.exit_code, allowed.stderr)


def test_crawl_defaults(run_crawl: FakeRunCrawl, tmp_path: Path) -> None:
    path = tmp_path / "env.db"
    result = invoke("crawl", env={"BIENPHONG_DB": str(path)})
    assert 0 == result.exit_code
    assert [crawler_run.CrawlOptions(db=path)] == run_crawl.calls
    assert (1.0, 4, "https://www.bienphong.com.vn") == (
        run_crawl.calls[0].delay,
        run_crawl.calls[0].concurrency,
        run_crawl.calls[0].base_url,
    )


def test_crawl_since_days_ago(
    run_crawl: FakeRunCrawl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("archive.dates.site_today", lambda: date(2025, 3, 10))
    invoke("crawl", "--since", "7d", "--db", str(tmp_path / "a.db"))
    expected = datetime(2025, 3, 3, tzinfo=SITE_TZ)
    assert [expected] == [options.since for options in run_crawl.calls]


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--since", "yesterday-ish"],
            "invalid date 'yesterday-ish': use YYYY-MM-DD, DD/MM/YYYY, or Nd for N days ago (7d)",
        ),
        (["--since", "2024-02-30"], "no such date '2024-02-30'"),
        (
            ["--section", "kinh-te", "--section", "the-gioi"],
            f"unknown section 'the-gioi' (bienphong sections lists them): {SECTIONS}",
        ),
        (
            ["--base-url", "127.0.0.1:8765"],
            "invalid --base-url '127.0.0.1:8765': give an http(s) address such as "
            "https://www.bienphong.com.vn",
        ),
    ],
)
def test_crawl_with_bad_arguments_is_one_line_and_status_1(
    run_crawl: FakeRunCrawl, tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "a.db"
    assert_one_line_error(message, invoke("crawl", "--db", str(path), *args))
    assert [] == run_crawl.calls
    assert not path.exists()


def test_crawl_on_an_unusable_archive_is_one_line_and_status_1(
    run_crawl: FakeRunCrawl, tmp_path: Path
) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()
    path.chmod(0o444)
    assert_one_line_error(f"archive {path} is read-only", invoke("crawl", "--db", str(path)))
    assert [] == run_crawl.calls


def test_crawl_with_a_missing_directory_is_one_line_and_status_1(
    run_crawl: FakeRunCrawl, tmp_path: Path
) -> None:
    path = tmp_path / "no" / "a.db"
    result = invoke("crawl", "--db", str(path))
    assert_one_line_error(f"cannot create archive {path}: no directory {path.parent}", result)


# Dates the user types


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=SITE_TZ)),
        (" 2024-01-31 ", datetime(2024, 1, 31, tzinfo=SITE_TZ)),
        ("0d", datetime(2025, 3, 10, tzinfo=SITE_TZ)),
        ("7d", datetime(2025, 3, 3, tzinfo=SITE_TZ)),
        ("365d", datetime(2024, 3, 10, tzinfo=SITE_TZ)),
        ("31/01/2024", datetime(2024, 1, 31, tzinfo=SITE_TZ)),  # as a Vietnamese reader writes
        ("1/2/2025", datetime(2025, 2, 1, tzinfo=SITE_TZ)),
    ],
)
def test_parse_day(text: str, expected: datetime) -> None:
    assert expected == parse_day(text, today=date(2025, 3, 10))


@pytest.mark.parametrize(
    "text", ["", "yesterday", "7", "d7", "-7d", "2024-1-31", "31/01/24", "2024/01/31", "7 d"]
)
def test_parse_day_refuses_other_forms(text: str) -> None:
    with pytest.raises(DateError) as error:
        parse_day(text)
    assert (
        f"invalid date {text.strip()!r}: use YYYY-MM-DD, DD/MM/YYYY, or Nd for N days ago (7d)"
        == str(error.value)
    )


def test_a_crawl_that_failed_more_than_it_read_exits_1_after_its_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = a_run(id=3, failed=34, failed_articles=4, failed_pages=30, outcome="failed")
    failed = crawler_run.CrawlSummary(run)
    monkeypatch.setattr(crawler_run, "run_crawl", lambda options, archive: failed)
    result = invoke("crawl", "--db", str(tmp_path / "a.db"))
    assert 1 == result.exit_code
    assert ("INFO", "feeds, sitemaps and listings failed: 30") in logged(result.stdout)
    assert [
        ("ERROR", "the crawl failed more pages than it read: see 'bienphong runs --limit 1'")
    ] == logged(result.stderr)
