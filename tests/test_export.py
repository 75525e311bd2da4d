"""`bienphong export` in every format, read back with each format's own reader.

Expected values come from the mirror's truth (the crawled archive matches it field for field), or
from the archive itself for what only a crawl knows (fetch times, raw pages), never from the
exporter's output. Also: manifests, filters, empty sets, bad input, interruption, hostile slugs.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

import archive
from archive import export as export_module
from archive import search as search_module
from archive.pages import raw_pages
from archive.store import Archive
from bienphong.cli import cli
from tests.helpers.cli import assert_one_line_error, invoke
from tests.helpers.fixtures import CrawledArchive
from tests.helpers.records import RECORD_KEYS, make_page, make_record

FRONT_MATTER = ["post_id", "url", "title", "published_at", "authors", "section", "tags"]
UTC7 = timezone(timedelta(hours=7))
CANONICAL = re.compile(r"https://www\.bienphong\.com\.vn/(?:[a-z-]+/)?([a-z0-9-]+)-post(\d+)\.html")
NOTHING = " (nothing matched: the output is empty)"


def run(db: Path, *args: str) -> Result:
    return invoke("export", "--db", str(db), *args)


@pytest.fixture(scope="module")
def site_truth(crawled_archive: CrawledArchive) -> list[dict[str, Any]]:
    """The mirror's records in the archive's order: published_at, then post id."""
    records = list(crawled_archive.site.truth())
    return sorted(records, key=lambda r: (r["published_at"], r["post_id"]))


@pytest.fixture(scope="module")
def archived(crawled_archive: CrawledArchive) -> dict[int, dict[str, Any]]:
    with Archive(crawled_archive.db, readonly=True) as store:
        return {record["post_id"]: record for record in store.iter_articles()}


@pytest.fixture
def db(crawled_archive: CrawledArchive) -> Path:
    return crawled_archive.db


def ids_of(records: list[dict[str, Any]]) -> list[int]:
    return [record["post_id"] for record in records]


def read_manifest(output: Path) -> dict[str, Any]:
    name = str(output).rstrip("/")
    manifest: dict[str, Any] = json.loads(Path(f"{name}.manifest.json").read_text("utf-8"))
    return manifest


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_name(record: dict[str, Any]) -> str:
    """`YYYY-MM-DD-slug-POSTID.md`, from the truth's date and canonical URL."""
    found = CANONICAL.fullmatch(record["url"])
    assert found is not None
    return f"{record['published_at'][:10]}-{found.group(1)}-{record['post_id']}.md"


def front_matter(document: str) -> tuple[dict[str, Any], str]:
    assert document.startswith("---\n")
    head, text = document[4:].split("\n---\n", 1)
    loaded: dict[str, Any] = yaml.safe_load(head)
    return loaded, text


# jsonl


def test_jsonl_holds_every_record_as_the_truth_has_it(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]], archived: dict[int, Any]
) -> None:
    output = tmp_path / "all.jsonl"
    result = run(db, "--format", "jsonl", "--output", str(output))
    assert (0, f"bienphong: exported 300 articles to {output}\n") == (
        result.exit_code,
        result.stderr,
    )
    records = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    assert ids_of(site_truth) == ids_of(records)
    assert [RECORD_KEYS] * 300 == [list(record) for record in records]
    for truth, record in zip(site_truth, records, strict=True):
        assert truth == {key: record[key] for key in truth}
        assert archived[truth["post_id"]]["fetched_at"] == record["fetched_at"]


def test_jsonl_and_csv_go_to_stdout(db: Path, site_truth: list[dict[str, Any]]) -> None:
    result = run(db, "--output", "-", "--section", "kinh-te")
    expected = [r for r in site_truth if r["section"] == "kinh-te"]
    assert ids_of(expected) == [json.loads(line)["post_id"] for line in result.stdout.splitlines()]
    assert f"bienphong: exported {len(expected)} articles to stdout\n" == result.stderr
    result = run(db, "--format", "csv", "--output", "-", "--section", "kinh-te")
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [str(post_id) for post_id in ids_of(expected)] == [row["post_id"] for row in rows]


@pytest.mark.parametrize("format_", ["parquet", "markdown", "warc"])
def test_a_binary_format_cannot_go_to_stdout(db: Path, format_: str) -> None:
    result = run(db, "--format", format_, "--output", "-")
    assert_one_line_error(
        f"--format {format_} cannot go to stdout: give --output a path", result, 2
    )


# csv


def test_csv_opens_as_utf8_with_one_row_per_record(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]]
) -> None:
    output = tmp_path / "all.csv"
    # As archived (a body may start with "- "): neutralised cells have a test of their own.
    assert 0 == run(db, "--format", "csv", "--output", str(output), "--raw-csv").exit_code
    assert output.read_bytes().startswith(b"\xef\xbb\xbfpost_id,url,kind,")
    with open(output, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert RECORD_KEYS == reader.fieldnames
    assert len(site_truth) == len(rows)
    for truth, row in zip(site_truth, rows, strict=True):
        assert str(truth["post_id"]) == row["post_id"]
        assert truth["title"] == row["title"]
        assert truth["body"] == row["body"]
        assert (truth["sapo"] or "") == row["sapo"]
        assert "; ".join(truth["authors"]) == row["authors"]
        assert "; ".join(truth["tags"]) == row["tags"]
        assert truth["images"] == json.loads(row["images"])
        assert (truth["source"] or "") == row["source"]
        assert truth["published_at"] == row["published_at"]
        assert str(truth["word_count"]) == row["word_count"]
    assert any(row["authors"].count("; ") for row in rows)  # the join is exercised


# parquet


def test_parquet_has_typed_columns_and_the_truths_values(
    db: Path,
    tmp_path: Path,
    site_truth: list[dict[str, Any]],
    archived: dict[int, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("archive.formats.BATCH_ROWS", 128)
    output = tmp_path / "all.parquet"
    assert 0 == run(db, "--format", "parquet", "--output", str(output)).exit_code
    parquet = pq.ParquetFile(output)
    assert 3 == parquet.metadata.num_row_groups  # 128 + 128 + 44: written in batches
    table = parquet.read()
    assert RECORD_KEYS == table.column_names
    types = {name: table.schema.field(name).type for name in table.column_names}
    assert pa.int64() == types["post_id"]
    assert pa.string() == types["title"]
    assert pa.list_(pa.string()) == types["authors"]
    assert pa.list_(pa.string()) == types["tags"]
    assert pa.timestamp("us", tz="+07:00") == types["published_at"]
    assert pa.timestamp("us", tz="+07:00") == types["modified_at"]
    assert pa.timestamp("us", tz="UTC") == types["fetched_at"]
    image = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])
    assert pa.list_(image) == types["images"]
    times = ("published_at", "modified_at")
    for truth, row in zip(site_truth, table.to_pylist(), strict=True):
        assert {k: v for k, v in truth.items() if k not in times} == {
            key: row[key] for key in truth if key not in times
        }
        published = datetime.fromisoformat(truth["published_at"])
        assert (published, timedelta(hours=7)) == (
            row["published_at"],
            row["published_at"].utcoffset(),
        )
        modified = truth["modified_at"] and datetime.fromisoformat(truth["modified_at"])
        assert modified == row["modified_at"]
        fetched = datetime.fromisoformat(archived[truth["post_id"]]["fetched_at"])
        assert (fetched, timedelta(0)) == (row["fetched_at"], row["fetched_at"].utcoffset())


# markdown


def check_markdown(documents: dict[str, str], site_truth: list[dict[str, Any]]) -> None:
    assert sorted(expected_name(truth) for truth in site_truth) == sorted(documents)
    for truth in site_truth:
        matter, text = front_matter(documents[expected_name(truth)])
        assert {key: truth[key] for key in FRONT_MATTER} == matter
        assert FRONT_MATTER == list(matter)
        paragraphs = [f"# {truth['title']}", truth["sapo"], truth["body"]]
        assert "\n" + "\n\n".join(p for p in paragraphs if p) + "\n" == text


def test_markdown_zip_has_one_document_per_article(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]]
) -> None:
    output = tmp_path / "texts.zip"
    assert 0 == run(db, "--format", "markdown", "--output", str(output)).exit_code
    with zipfile.ZipFile(output) as bundle:
        assert bundle.testzip() is None
        documents = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist()}
    check_markdown(documents, site_truth)
    manifest = read_manifest(output)
    assert (300, sha256(output)) == (manifest["count"], manifest["sha256"])


def test_markdown_folder_and_its_manifest_of_files(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]]
) -> None:
    output = tmp_path / "texts"
    result = run(db, "--format", "markdown", "--output", f"{output}/")
    assert (0, f"bienphong: exported 300 articles to {output}/\n") == (
        result.exit_code,
        result.stderr,
    )
    documents = {path.name: path.read_text("utf-8") for path in output.iterdir()}
    check_markdown(documents, site_truth)
    manifest = read_manifest(output)
    assert "sha256" not in manifest
    assert {name: sha256(output / name) for name in documents} == manifest["files"]
    assert ["texts", "texts.manifest.json"] == sorted(p.name for p in tmp_path.iterdir())


def test_markdown_into_a_folder_that_holds_files_is_refused(db: Path, tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "notes.txt").write_text("keep me")
    result = run(db, "--format", "markdown", "--output", f"{tmp_path}/texts/")
    assert_one_line_error(
        f"cannot write {tmp_path}/texts/: it exists and is not an empty folder", result, 1
    )
    assert ["notes.txt"] == [p.name for p in (tmp_path / "texts").iterdir()]


def hostile(post_id: int, url: str, **changes: Any) -> dict[str, Any]:
    return make_record(post_id=post_id, url=url, **changes)


def test_markdown_names_come_from_sanitised_slugs(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    base = "https://www.bienphong.com.vn"
    records = [
        hostile(101, f"{base}/../../etc/passwd-post101.html"),
        hostile(102, f"{base}/a/..%2F..%2F.bashrc-post102.html"),
        hostile(103, f"{base}/Đồn Biên phòng: \\ ~ *-post103.html?x=/../y"),
        hostile(104, f"{base}/..-post104.html", published_at="../../2025-02-14"),
        hostile(105, "http://[::1/x/ĐƯỜNG%00BIÊN-post105.html", title="---\nevil: true"),
        hostile(106, f"{base}/{'a' * 200}-post106.html"),
        hostile(107, "..\\..\\windows\\system32-post107.html", published_at=None),
    ]
    with Archive(db) as store:
        for record in records:
            store.save_article(record, make_page(), None)
    output = tmp_path / "out" / "texts"
    output.parent.mkdir()
    assert 0 == run(db, "--format", "markdown", "--output", f"{output}/").exit_code
    expected = [
        f"2025-02-14-{'a' * 150}-106.md",
        "2025-02-14-bashrc-102.md",
        "2025-02-14-don-bien-phong-103.md",
        "2025-02-14-duong-bien-105.md",
        "2025-02-14-passwd-101.md",
        "undated-article-104.md",
        "undated-windows-system32-107.md",
    ]
    assert expected == sorted(path.name for path in output.iterdir())
    assert ["texts", "texts.manifest.json"] == sorted(p.name for p in output.parent.iterdir())
    assert all(path.is_file() and not path.is_symlink() for path in output.iterdir())
    matter, _ = front_matter((output / "2025-02-14-duong-bien-105.md").read_text("utf-8"))
    assert "---\nevil: true" == matter["title"]  # YAML keeps the hostile title a string
    zipped = tmp_path / "out" / "texts.zip"
    assert 0 == run(db, "--format", "markdown", "--output", str(zipped)).exit_code
    with zipfile.ZipFile(zipped) as bundle:
        assert expected == sorted(bundle.namelist())


# warc


def warc_records(path: Path) -> list[tuple[int, Any, bytes]]:
    """(offset, record, content) for each record, with the offset where its gzip member starts."""
    found = []
    with open(path, "rb") as handle:
        iterator = ArchiveIterator(handle)
        for record in iterator:
            content = record.content_stream().read()
            found.append((iterator.get_record_offset(), record, content))
    return found


def test_warc_holds_the_stored_responses(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]]
) -> None:
    output = tmp_path / "pages.warc.gz"
    assert 0 == run(db, "--format", "warc", "--output", str(output)).exit_code
    found = warc_records(output)
    assert ["warcinfo"] + ["response"] * 300 == [record.rec_type for _, record, _ in found]
    data = output.read_bytes()
    assert [b"\x1f\x8b"] * 301 == [data[offset : offset + 2] for offset, _, _ in found]
    assert "WARC/1.1" == found[0][1].rec_headers.protocol
    assert b"software: bienphong-archive/" in found[0][2]
    with Archive(db, readonly=True) as store:
        for truth, (_, record, content) in zip(site_truth, found[1:], strict=True):
            (page,) = raw_pages(store, truth["post_id"])
            headers = record.rec_headers
            assert truth["url"] == headers.get_header("WARC-Target-URI")
            assert "WARC/1.1" == headers.protocol
            warc_date = datetime.fromisoformat(headers.get_header("WARC-Date"))
            assert page.fetched_at == warc_date
            assert page.body == content
            assert "200 OK" == record.http_headers.statusline
            assert "HTTP/1.1" == record.http_headers.protocol
            assert page.headers["content-type"] == record.http_headers.get_header("Content-Type")
            assert str(len(page.body)) == record.http_headers.get_header("Content-Length")
    manifest = read_manifest(output)
    assert (300, 300, sha256(output)) == (
        manifest["count"],
        manifest["responses"],
        manifest["sha256"],
    )


def test_warc_drops_wire_headers_that_no_longer_describe_the_body(tmp_path: Path) -> None:
    db = tmp_path / "one.db"
    page = make_page()
    headers = page.headers | {"Content-Encoding": "gzip", "Content-Length": "12", "X-A": "b\r\nc"}
    with Archive(db) as store:
        store.save_article(make_record(), replace(page, headers=headers), None)
    output = tmp_path / "one.warc.gz"
    assert 0 == run(db, "--format", "warc", "--output", str(output)).exit_code
    _, record, content = warc_records(output)[1]
    assert [
        ("Content-Type", "text/html; charset=utf-8"),
        ("ETag", '"abc"'),
        ("X-A", "b c"),
        ("Content-Length", str(len(page.body))),
    ] == record.http_headers.headers
    assert page.body == content
    assert gzip.decompress(output.read_bytes())  # a valid gzip stream throughout


# manifests


@pytest.mark.parametrize("format_", ["jsonl", "csv", "parquet", "markdown", "warc"])
def test_every_export_to_a_path_has_a_manifest(
    db: Path, tmp_path: Path, format_: str, archived: dict[int, Any]
) -> None:
    output = tmp_path / f"kinh-te.{format_}"
    args = ["--format", format_, "--output", str(output), "--section", "kinh-te"]
    assert 0 == run(db, *args, "--since", "2020-01-01").exit_code
    selected = [
        r
        for r in archived.values()
        if r["section"] == "kinh-te" and r["published_at"] >= "2020-01-01"
    ]
    manifest = read_manifest(output)
    fetched = sorted(record["fetched_at"] for record in selected)
    assert {
        "format": format_,
        "output": output.name,
        "count": len(selected),
        "sha256": sha256(output),
        "filters": {
            "query": None,
            "since": "2020-01-01",
            "until": None,
            "sections": ["kinh-te"],
            "authors": [],
            "tags": [],
            "ids": None,
            "runs": [],
            "changed_since": None,
        },
        "archive": str(db.resolve()),
        "fetched_at": {"first": fetched[0], "last": fetched[-1]},
        "version": archive.__version__,
        "runs": [1],  # the one crawl wrote every article
        "last_run": 1,
        "damaged": [],
    } == {key: value for key, value in manifest.items() if key not in ("exported_at", "responses")}
    exported_at = datetime.fromisoformat(manifest["exported_at"])
    assert timedelta(0) == exported_at.utcoffset()
    assert 5 < len(selected) < 300


# filters


def test_filters_select_what_the_truth_says(
    db: Path, tmp_path: Path, site_truth: list[dict[str, Any]]
) -> None:
    def exported(*args: str) -> list[int]:
        result = run(db, "--output", "-", *args)
        assert 0 == result.exit_code, result.stderr
        return [json.loads(line)["post_id"] for line in result.stdout.splitlines()]

    since, until = site_truth[100]["published_at"][:10], site_truth[200]["published_at"][:10]
    in_window = [r for r in site_truth if since <= r["published_at"][:10] <= until]
    assert ids_of(in_window) == exported("--since", since, "--until", until)
    assert 100 <= len(in_window) < 110

    both = [r for r in in_window if r["section"] in ("xa-hoi", "video")]
    args = ("--section", "xa-hoi", "--section", "video", "--since", since, "--until", until)
    assert ids_of(both) == exported(*args)

    (author, _), *_ = Counter(a for r in site_truth for a in r["authors"]).most_common(1)
    by_author = [r for r in site_truth if author in r["authors"]]
    assert ids_of(by_author) == exported("--author", author)
    assert 1 < len(by_author) < 300

    wanted = [site_truth[7], site_truth[250], site_truth[42]]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(
        f"# three articles and one the archive lacks\n{wanted[0]['post_id']}\n"
        f"{wanted[1]['post_id']} {wanted[2]['post_id']}\n999999999\n"
    )
    by_published = sorted(wanted, key=lambda r: (r["published_at"], r["post_id"]))
    assert ids_of(by_published) == exported("--ids", str(ids_file))


def test_a_query_selects_with_the_search_language(
    db: Path, site_truth: list[dict[str, Any]]
) -> None:
    title = next(r["title"] for r in site_truth[150:] if re.fullmatch(r"[\w ]{25,}", r["title"]))
    expected = [
        r
        for r in site_truth
        if title.lower() in " ".join((r["title"], r["sapo"] or "", r["body"])).lower()
    ]
    result = run(db, "--output", "-", "--query", f'"{title}"')
    assert 0 == result.exit_code, result.stderr
    assert ids_of(expected) == [json.loads(line)["post_id"] for line in result.stdout.splitlines()]


@pytest.mark.parametrize("format_", ["jsonl", "parquet"])
def test_a_malformed_query_is_one_line_status_2_and_writes_nothing(
    db: Path, tmp_path: Path, format_: str
) -> None:
    output = tmp_path / "out.x"
    result = run(db, "--format", format_, "--output", str(output), "--query", "biên AND")
    assert_one_line_error("the query ends with an operator: add a term after it", result, 2)
    assert [] == list(tmp_path.iterdir())


# empty sets


@pytest.mark.parametrize("format_", ["jsonl", "csv", "parquet", "markdown", "warc"])
def test_an_empty_set_writes_an_empty_output_and_says_so(
    db: Path, tmp_path: Path, format_: str
) -> None:
    output = tmp_path / f"none.{format_}"
    result = run(db, "--format", format_, "--output", str(output), "--since", "2100-01-01")
    assert (0, f"bienphong: exported 0 articles to {output}{NOTHING}\n") == (
        result.exit_code,
        result.stderr,
    )
    if format_ == "jsonl":
        assert b"" == output.read_bytes()
    elif format_ == "csv":
        assert ("\ufeff" + ",".join(RECORD_KEYS) + "\r\n").encode() == output.read_bytes()
    elif format_ == "parquet":
        table = pq.read_table(output)
        assert (0, RECORD_KEYS) == (table.num_rows, table.column_names)
        assert pa.timestamp("us", tz="+07:00") == table.schema.field("published_at").type
    elif format_ == "markdown":
        assert [] == zipfile.ZipFile(output).namelist()
    else:
        assert ["warcinfo"] == [record.rec_type for _, record, _ in warc_records(output)]
    assert (0, None) == (
        read_manifest(output)["count"],
        read_manifest(output)["fetched_at"]["first"],
    )


def test_an_empty_set_as_a_folder_is_an_empty_folder(db: Path, tmp_path: Path) -> None:
    output = tmp_path / "none"
    result = run(db, "--format", "markdown", "--output", f"{output}/", "--ids", "/dev/null")
    assert (0, f"bienphong: exported 0 articles to {output}/{NOTHING}\n") == (
        result.exit_code,
        result.stderr,
    )
    assert [] == list(output.iterdir())
    assert {} == read_manifest(output)["files"]


# bad input


def test_an_unknown_format_is_a_usage_error(db: Path) -> None:
    result = run(db, "--format", "xlsx", "--output", "-")
    assert_one_line_error(
        "Invalid value for '--format': 'xlsx' is not one of 'jsonl', 'csv', 'parquet', "
        "'markdown', 'warc' (see 'bienphong export --help')",
        result,
        2,
    )


@pytest.mark.parametrize("format_", ["jsonl", "parquet", "warc"])
def test_an_unwritable_path_is_one_line_status_1(db: Path, tmp_path: Path, format_: str) -> None:
    (tmp_path / "file").write_text("")
    output = tmp_path / "file" / "out.x"
    result = run(db, "--format", format_, "--output", str(output))
    assert_one_line_error(f"cannot write {output}: Not a directory", result, 1)
    missing = tmp_path / "missing" / "out.x"
    result = run(db, "--format", format_, "--output", str(missing))
    assert_one_line_error(f"cannot write {missing}: No such file or directory", result, 1)


def test_a_missing_ids_file_is_one_line_status_1(db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "ids.txt"
    result = run(db, "--output", "-", "--ids", str(missing))
    assert_one_line_error(f"cannot read --ids file {missing}: No such file or directory", result, 1)


def test_an_ids_file_with_something_else_is_one_line_status_1(db: Path, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("532158\n\n532159 bài-viết-post532160.html\n")
    result = run(db, "--output", "-", "--ids", str(ids))
    assert_one_line_error(
        f"--ids file {ids}, line 3: 'bài-viết-post532160.html' is not a post id", result, 1
    )


def test_the_help_documents_formats_and_exit_statuses() -> None:
    result = CliRunner().invoke(cli, ["export", "--help"])
    assert 0 == result.exit_code
    text = " ".join(result.stdout.split())
    assert "UTF-8 with a byte-order mark" in text
    assert "Exit status: 0 done (also when nothing matched) 1 the export could not run" in text
    assert "2 a usage error: an unknown format, a malformed query" in text


# interruption


@pytest.mark.parametrize(
    "format_, name",
    [
        ("jsonl", "out.jsonl"),
        ("csv", "out.csv"),
        ("parquet", "out.parquet"),
        ("markdown", "out.zip"),
        ("markdown", "texts/"),
        ("warc", "out.warc.gz"),
    ],
)
def test_an_interrupted_export_leaves_nothing_under_the_final_name(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format_: str, name: str
) -> None:
    real = search_module.records

    def interrupted(store: Archive, selection: Any) -> Iterator[dict[str, Any]]:
        for number, record in enumerate(real(store, selection)):
            if number == 150:
                raise KeyboardInterrupt
            yield record

    monkeypatch.setattr(search_module, "records", interrupted)
    monkeypatch.setattr("archive.formats.BATCH_ROWS", 100)  # a row group is written first
    folder = tmp_path / "out"
    folder.mkdir()
    if not name.endswith("/"):
        (folder / name).write_text("the previous export\n")
    result = run(db, "--format", format_, "--output", str(folder / name))
    assert 1 == result.exit_code  # click's Abort for Ctrl-C
    if name.endswith("/"):
        assert [] == sorted(p.name for p in folder.iterdir())
    else:
        assert [name] == sorted(p.name for p in folder.iterdir())
        assert "the previous export\n" == (folder / name).read_text()


def test_records_stream_through_the_writer(db: Path, tmp_path: Path) -> None:
    """The writer has written records before the selection is exhausted: nothing is listed."""
    output = tmp_path / "out.jsonl"
    seen: list[int] = []
    real = search_module.records

    def watched(store: Archive, selection: Any, damaged: Any) -> Iterator[dict[str, Any]]:
        for record in real(store, selection, damaged):
            partial = list(tmp_path.glob(".out.jsonl.*.partial"))
            seen.append(partial[0].stat().st_size if partial else -1)
            yield record

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_module, "records", watched)
        assert 0 == run(db, "--output", str(output)).exit_code
    assert 300 == len(seen)
    assert 0 < seen[-1]  # the file grew while records were still coming


def test_parquet_times_are_instants_whatever_their_spelling(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    with Archive(db) as store:
        first = make_record(
            fetched_at="2025-02-15T08:00:00+07:00", modified_at="2025-02-14T20:15:00+00:00"
        )
        store.save_article(first, make_page(), None)
        late = make_record(post_id=2, fetched_at="2025-02-15T01:30:00Z")
        store.save_article(late, make_page(), None)
    output = tmp_path / "two.parquet"
    assert 0 == run(db, "--format", "parquet", "--output", str(output)).exit_code
    table = pq.read_table(output)
    assert [None, datetime(2025, 2, 15, 3, 15, tzinfo=UTC7)] == table["modified_at"].to_pylist()
    assert [None, timedelta(hours=7)] == [
        moment and moment.utcoffset() for moment in table["modified_at"].to_pylist()
    ]
    fetched = table["fetched_at"].to_pylist()
    assert [
        datetime(2025, 2, 15, 1, 30, tzinfo=UTC),
        datetime(2025, 2, 15, 1, 0, tzinfo=UTC),
    ] == fetched
    assert {"first": "2025-02-15T08:00:00+07:00", "last": "2025-02-15T01:30:00Z"} == (
        read_manifest(output)["fetched_at"]
    )


def test_the_progress_line_passes_every_record_through_and_writes_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    records = [make_record(post_id=n) for n in range(1, 251)]
    assert records == list(export_module.with_progress(iter(records), every=100))
    captured = capsys.readouterr()
    assert ("", True) == (captured.out, "exporting: 250 articles" in captured.err)


# What a page carried, made harmless


@pytest.fixture
def carried_markup(tmp_path: Path) -> Path:
    db = tmp_path / "hostile.db"
    record = make_record(
        title='=HYPERLINK("http://evil.example","Biên giới")',
        sapo="+1+cmd|' /C calc'!A0",
        body="Đoạn một <script>alert(1)</script> & <b>đậm</b>.\n\n-2+3 tuần tra",
        authors=["@Thu Hà"],
    )
    with Archive(db) as archive:
        archive.save_article(record, make_page(), None)
    return db


def test_csv_cells_a_spreadsheet_would_run_are_neutralised_unless_raw(
    carried_markup: Path, tmp_path: Path
) -> None:
    def row(*extra: str) -> dict[str, str]:
        output = tmp_path / f"out{len(extra)}.csv"
        assert (
            0 == run(carried_markup, "--format", "csv", "--output", str(output), *extra).exit_code
        )
        return next(csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines()))

    neutral, raw = row(), row("--raw-csv")
    assert '\'=HYPERLINK("http://evil.example","Biên giới")' == neutral["title"]
    assert "'+1+cmd|' /C calc'!A0" == neutral["sapo"]
    assert "'@Thu Hà" == neutral["authors"]
    assert neutral["body"].startswith("Đoạn một")  # text that starts as text is left alone
    assert '=HYPERLINK("http://evil.example","Biên giới")' == raw["title"]
    assert "@Thu Hà" == raw["authors"]


def test_markdown_shows_the_markup_a_page_carried_and_never_runs_it(
    carried_markup: Path, tmp_path: Path
) -> None:
    output = tmp_path / "texts/"
    assert 0 == run(carried_markup, "--format", "markdown", "--output", f"{output}/").exit_code
    (document,) = output.glob("*.md")
    text = document.read_text(encoding="utf-8")
    assert "Đoạn một &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;." in text
    assert "<script>" not in text and "<b>" not in text


def test_a_reader_that_closes_stdout_ends_the_export_quietly_with_status_0(db: Path) -> None:
    command = [str(Path(sys.executable).with_name("bienphong")), "export", "--output", "-"]
    process = subprocess.Popen(
        [*command, "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # `| head -1`
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert 0 == process.wait(timeout=120)  # a guard against a hang
    assert b"" == stderr
    assert json.loads(first)["post_id"]
