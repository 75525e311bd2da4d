"""Damaged archives: a record field that is not JSON, a raw page that no longer decompresses, a
b-tree page overwritten on disk. Each command names what is damaged in one line; export and
reextract leave the damaged article out (or repair it) and go on with the rest; `stats --check`
lists the damage. docs/reliability.md lists these cases.

The archives are copies of the mirror-crawled one, damaged here with plain SQL or bytes; the
expected records are the mirror's truth.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from bienphong.cli import cli
from tests.helpers.cli import BIENPHONG, logged
from tests.helpers.fixtures import CrawledArchive
from tests.mirror import Mirror


def bienphong(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", str(db)])


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def damaged(crawled_archive: CrawledArchive, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A copy of the crawled archive with the three oldest articles' records damaged thus:
    the first's authors not JSON, the second's raw page not zstd; the third is left whole."""
    db = tmp_path / "damaged.db"
    shutil.copy(crawled_archive.db, db)
    truth = {record["post_id"]: record for record in crawled_archive.site.truth()}
    with sqlite3.connect(db) as connection:
        first, second = (
            row[0]
            for row in connection.execute(
                "SELECT post_id FROM articles ORDER BY published_at, post_id LIMIT 2"
            )
        )
        connection.execute("UPDATE articles SET authors = 'Thu Hà' WHERE post_id = ?", [first])
        connection.execute("UPDATE pages SET body = x'00ff00ff' WHERE post_id = ?", [second])
    return db, {"first": first, "second": second, "truth": truth}


def test_show_and_history_name_a_damaged_record_in_one_line(
    damaged: tuple[Path, dict[str, Any]],
) -> None:
    db, found = damaged
    for command in ("show", "history"):
        result = bienphong(db, command, str(found["first"]))
        assert_no_traceback(result)
        assert 1 == result.exit_code
        assert [
            f"bienphong: error: article {found['first']} is damaged: its authors field in {db}"
            " is not JSON (Expecting value: line 1 column 1 (char 0))"
        ] == result.stderr.splitlines()


def test_an_export_leaves_damaged_articles_out_names_them_and_goes_on(
    damaged: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db, found = damaged
    total = len(found["truth"])
    output = tmp_path / "out.jsonl"
    result = bienphong(db, "export", "--output", str(output))
    assert_no_traceback(result)
    assert 1 == result.exit_code
    assert [
        f"bienphong: warning: left out: article {found['first']} is damaged: its authors field"
        f" in {db} is not JSON (Expecting value: line 1 column 1 (char 0))",
        f"bienphong: exported {total - 1} articles to {output}",
        "bienphong: error: 1 damaged articles left out (named above; 'bienphong stats --check'"
        " lists all the damage)",
    ] == result.stderr.splitlines()
    exported = [json.loads(line)["post_id"] for line in output.read_text().splitlines()]
    assert sorted(set(found["truth"]) - {found["first"]}) == sorted(exported)
    manifest = json.loads(Path(f"{output}.manifest.json").read_text())
    assert [found["first"]] == [entry["post_id"] for entry in manifest["damaged"]]

    warc = tmp_path / "out.warc.gz"
    result = bienphong(db, "export", "--format", "warc", "--output", str(warc))
    assert_no_traceback(result)
    assert 1 == result.exit_code
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert 2 == len(warnings)
    assert f"article {found['second']} is damaged: its raw page" in warnings[1]
    assert (
        "cannot be read (Unable to decompress Zstandard data: Unknown frame descriptor)"
        in (warnings[1])
    )
    with warc.open("rb") as handle:
        uris = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    left_out = {found["truth"][found["first"]]["url"], found["truth"][found["second"]]["url"]}
    assert sorted(r["url"] for r in found["truth"].values() if r["url"] not in left_out) == sorted(
        uris
    )


def test_reextract_repairs_a_damaged_record_names_a_damaged_page_and_goes_on(
    damaged: tuple[Path, dict[str, Any]],
) -> None:
    db, found = damaged
    result = bienphong(db, "reextract")
    assert_no_traceback(result)
    assert 0 == result.exit_code
    assert 1 == len(result.stderr.splitlines())
    assert result.stderr.startswith(
        f"bienphong: warning: not re-extracted: article {found['second']} is damaged: its raw page"
    )
    assert "1 failed" in result.stdout
    shown = json.loads(bienphong(db, "show", str(found["first"]), "--json").stdout)
    assert found["truth"][found["first"]]["authors"] == shown["authors"]
    runs = json.loads(bienphong(db, "runs", "--json").stdout)
    assert [found["second"]] == [failure["post_id"] for failure in runs[0]["failures"]]


def test_search_and_the_web_read_past_a_damaged_authors_field(
    damaged: tuple[Path, dict[str, Any]],
) -> None:
    db, found = damaged
    title = found["truth"][found["first"]]["title"]
    result = bienphong(db, "search", f'"{title}"', "--json")
    assert 0 == result.exit_code, result.output
    hits = json.loads(result.stdout)
    assert found["first"] in [hit["post_id"] for hit in hits]
    assert [] == next(hit["authors"] for hit in hits if hit["post_id"] == found["first"])


def test_stats_check_lists_the_damage_and_exits_1(damaged: tuple[Path, dict[str, Any]]) -> None:
    db, found = damaged
    result = bienphong(db, "stats", "--check")
    assert_no_traceback(result)
    assert 1 == result.exit_code
    assert [
        f"article {found['first']} is damaged: its authors field in {db} is not JSON"
        " (Expecting value: line 1 column 1 (char 0))",
    ] == result.stdout.splitlines()[:1]
    assert f"article {found['second']} is damaged: its raw page" in result.stdout.splitlines()[1]
    assert 2 == len(result.stdout.splitlines())
    assert [f"bienphong: error: {db} is damaged: 2 problems (listed above)"] == (
        result.stderr.splitlines()
    )


def test_stats_check_on_a_whole_archive_finds_nothing(crawled_archive: CrawledArchive) -> None:
    result = bienphong(crawled_archive.db, "stats", "--check")
    assert 0 == result.exit_code, result.output
    assert "" == result.stdout
    assert [f"bienphong: {crawled_archive.db}: no damage found"] == result.stderr.splitlines()


def overwrite_table_root(db: Path, table: str) -> None:
    """The first bytes of `table`'s root b-tree page overwritten, as a bad disk would."""
    with sqlite3.connect(db) as connection:
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", [table]
        ).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    with db.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 16)


def test_a_byte_flipped_archive_is_one_line_for_a_crawl_and_named_by_check(
    crawled_archive: CrawledArchive, tmp_path: Path
) -> None:
    db = tmp_path / "flipped.db"
    shutil.copy(crawled_archive.db, db)
    overwrite_table_root(db, "http_validators")
    with Mirror(crawled_archive.site) as served:
        crawl = subprocess.run(
            [BIENPHONG, "crawl", "--db", str(db), "--base-url", served.base_url, "--delay", "0"],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert "Traceback" not in crawl.stderr and "Unhandled error" not in crawl.stderr
    assert 1 == crawl.returncode
    assert [  # a line of the crawl's log: the crawl had begun
        (
            "ERROR",
            f"cannot read validators in {db}: database disk image is malformed"
            " (the file is damaged: 'bienphong stats --check' says where)",
        )
    ] == logged(crawl.stderr)
    check = bienphong(db, "stats", "--check")
    assert_no_traceback(check)
    assert 1 == check.exit_code
    assert check.stdout.splitlines()[0].startswith("sqlite: ")
    # The articles' own table is whole: search still answers.
    assert 0 == bienphong(db, "search", "bien", "--json").exit_code
