"""The archive store on hand-made records: upserts, versions, NFC, raw pages, runs, errors."""

from __future__ import annotations

import random
import sqlite3
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from archive import schema
from archive.dates import utc_iso
from archive.errors import ArchiveError
from archive.pages import raw_pages, save_page
from archive.runs import finish_run, get_runs, record_failure, start_run
from archive.schema import SCHEMA_VERSION
from archive.store import WAL_KEPT_BYTES, Archive
from tests.helpers.records import HTML, RECORD_KEYS, make_page, make_record, record_row
from tests.helpers.runs import a_run


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive(tmp_path / "bienphong.db", clock=iter_clock()) as opened:
        yield opened


def iter_clock() -> Callable[[], str]:
    """Readings t1, t2, ... as 2025-03-01T00:00:01+00:00, 2025-03-01T00:00:02+00:00, ..."""
    ticks = iter(range(1, 10_000))
    return lambda: f"2025-03-01T00:00:{next(ticks):02d}+00:00"


def article_row(archive: Archive, post_id: int) -> dict[str, Any]:
    return dict(archive.db.table("articles").get(post_id))


def count(archive: Archive, table: str) -> int:
    return archive.db.table(table).count


# Opening


def test_new_archive_is_wal_with_schema_version_and_busy_timeout(archive: Archive) -> None:
    assert "wal" == archive.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert SCHEMA_VERSION == archive.db.execute("PRAGMA user_version").fetchone()[0]
    assert 10_000 == archive.db.execute("PRAGMA busy_timeout").fetchone()[0]
    assert {"articles", "pages", "runs", "failures", "versions", "http_validators"} <= set(
        archive.db.table_names()
    )


def test_reopening_keeps_the_articles(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as first:
        first.save_article(make_record(), make_page(), None)
    with Archive(tmp_path / "a.db") as second:
        assert {532158} == second.known_post_ids()


def test_readonly_open_reads_a_closed_wal_archive_and_cannot_write(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as writer:
        writer.save_article(make_record(), make_page(), None)
    with Archive(tmp_path / "a.db", readonly=True) as reader:
        assert "Đồn Biên phòng tuần tra song phương" == reader.get_article(532158)["title"]  # type: ignore[index]
        with pytest.raises(ArchiveError) as error:
            reader.save_article(make_record(title="Khác"), make_page(), None)
    message = (
        f"cannot save article 532158 in {tmp_path / 'a.db'}: attempt to write a readonly database"
    )
    assert message == str(error.value)


def test_readonly_open_of_a_missing_file_does_not_create_it(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as error:
        Archive(tmp_path / "missing.db", readonly=True)
    message = f"no archive at {tmp_path / 'missing.db'} (run 'bienphong crawl' to make one)"
    assert message == str(error.value)
    assert not (tmp_path / "missing.db").exists()


def test_a_file_that_is_not_sqlite_is_an_archive_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are not the pages you are looking for\n" * 100)
    for readonly in (False, True):
        with pytest.raises(ArchiveError) as error:
            Archive(path, readonly=readonly)
        assert f"{path} is not an SQLite database" == str(error.value)


def test_another_programs_sqlite_file_is_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    conn.close()
    with pytest.raises(ArchiveError) as error:
        Archive(path)
    assert f"{path} is an SQLite database but not a bienphong archive" == str(error.value)


def test_a_missing_directory_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as error:
        Archive(tmp_path / "nowhere" / "bienphong.db")
    nowhere = tmp_path / "nowhere"
    assert f"cannot create archive {nowhere / 'bienphong.db'}: no directory {nowhere}" == str(
        error.value
    )
    assert not nowhere.exists()


def test_a_directory_is_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as error:
        Archive(tmp_path)
    assert f"{tmp_path} is a directory, not an archive file" == str(error.value)


def test_a_read_only_file_is_an_archive_error(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()
    path.chmod(0o444)
    with pytest.raises(ArchiveError) as error:
        Archive(path)
    assert f"archive {path} is read-only" == str(error.value)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    Archive(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    for readonly in (False, True):
        with pytest.raises(ArchiveError) as error:
            Archive(path, readonly=readonly)
        assert (
            f"archive {path} has schema version 99, newer than this bienphong knows "
            f"({SCHEMA_VERSION}): "
            "upgrade bienphong"
        ) == str(error.value)


# Articles


def test_get_article_returns_the_record_keys_in_order(archive: Archive) -> None:
    assert "new" == archive.save_article(make_record(), make_page(), None)
    record = archive.get_article(532158)
    assert record is not None
    assert RECORD_KEYS == list(record)
    assert make_record() == record
    assert ["Nông Văn Tuấn", "Thu Hà"] == record["authors"]
    assert "Quang cảnh hội nghị." == record["images"][0]["caption"]


def test_get_article_of_an_unknown_id_is_none(archive: Archive) -> None:
    assert None is archive.get_article(1)


def test_lists_are_stored_as_json_text_under_the_record_keys(archive: Archive) -> None:
    archive.save_article(make_record(), make_page(), None)
    assert '["Nông Văn Tuấn", "Thu Hà"]' == article_row(archive, 532158)["authors"]


def test_saving_the_same_record_twice_is_unchanged_and_moves_only_last_seen(
    archive: Archive,
) -> None:
    archive.save_article(make_record(), make_page(), None)
    before = article_row(archive, 532158)
    assert "unchanged" == archive.save_article(make_record(), make_page(), None)
    after = article_row(archive, 532158)
    assert "2025-03-01T00:00:01+00:00" == before["last_seen_at"]
    assert "2025-03-01T00:00:02+00:00" == after["last_seen_at"]
    assert before | {"last_seen_at": after["last_seen_at"]} == after
    assert 0 == count(archive, "versions")
    assert 1 == count(archive, "pages")  # the same response stored twice is one row


def test_a_refetch_with_equal_content_is_unchanged_and_keeps_its_page(archive: Archive) -> None:
    archive.save_article(make_record(), make_page(), None)
    later = datetime(2025, 2, 20, 1, tzinfo=UTC)
    result = archive.save_article(
        make_record(fetched_at=utc_iso(later)), make_page(fetched_at=later), None
    )
    assert "unchanged" == result
    assert "2025-02-15T01:00:00+00:00" == archive.get_article(532158)["fetched_at"]  # type: ignore[index]
    assert 0 == count(archive, "versions")
    assert 2 == count(archive, "pages")


def test_a_corrected_title_updates_the_article_and_keeps_the_previous_as_a_version(
    archive: Archive,
) -> None:
    archive.save_article(make_record(), make_page(), None)
    corrected = make_record(title="Đồn Biên phòng tuần tra song phương (đã sửa)")
    assert "updated" == archive.save_article(corrected, make_page(), None)
    assert "Đồn Biên phòng tuần tra song phương (đã sửa)" == archive.get_article(532158)["title"]  # type: ignore[index]
    versions = archive.versions(532158)
    assert 1 == len(versions)
    assert (
        make_record()
        | {
            "seen_at": "2025-03-01T00:00:01+00:00",
            "replaced_at": "2025-03-01T00:00:02+00:00",
        }
        == versions[0]
    )
    row = article_row(archive, 532158)
    assert "2025-03-01T00:00:01+00:00" == row["first_seen_at"]
    assert "2025-03-01T00:00:02+00:00" == row["updated_at"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Tiêu đề mới"),
        ("sapo", None),
        ("body", "Đoạn một đã sửa."),
        ("authors", ["Thu Hà", "Nông Văn Tuấn"]),
        ("tags", []),
        ("published_at", "2025-02-14T16:31:00+07:00"),
        ("modified_at", "2025-02-15T08:00:00+07:00"),
        ("source", "TTXVN"),
        (
            "images",
            [{"url": "https://files.bienphong.com.vn/b.jpg", "caption": None, "credit": None}],
        ),
        ("video_url", "https://files.bienphong.com.vn/v.mp4"),
        ("section", "kinh-te"),
        ("kind", "video"),
    ],
)
def test_every_content_field_makes_a_version(archive: Archive, field: str, value: Any) -> None:
    archive.save_article(make_record(), make_page(), None)
    assert "updated" == archive.save_article(make_record(**{field: value}), make_page(), None)
    assert value == archive.get_article(532158)[field]  # type: ignore[index]
    assert [make_record()[field]] == [version[field] for version in archive.versions(532158)]


def test_each_change_adds_one_version_oldest_first(archive: Archive) -> None:
    for title in ("Một", "Hai", "Ba", "Ba"):
        archive.save_article(make_record(title=title), make_page(), None)
    assert ["Một", "Hai"] == [version["title"] for version in archive.versions(532158)]


def test_decomposed_input_is_stored_nfc(archive: Archive) -> None:
    decomposed = make_record(
        title=unicodedata.normalize("NFD", "Đồn Biên phòng tuần tra song phương"),
        authors=[unicodedata.normalize("NFD", "Nông Văn Tuấn")],
        images=[
            {
                "url": "https://x/a.jpg",
                "caption": unicodedata.normalize("NFD", "Ảnh đẹp"),
                "credit": None,
            }
        ],
    )
    assert "Nông Văn Tuấn" != decomposed["authors"][0]  # the input really is decomposed
    archive.save_article(decomposed, make_page(), None)
    record = archive.get_article(532158)
    assert record is not None
    assert "Đồn Biên phòng tuần tra song phương" == record["title"]
    assert ["Nông Văn Tuấn"] == record["authors"]
    assert "Ảnh đẹp" == record["images"][0]["caption"]
    assert "unchanged" == archive.save_article(
        make_record(authors=["Nông Văn Tuấn"], images=record["images"]), make_page(), None
    )


def test_a_record_with_missing_or_unknown_keys_is_refused(archive: Archive) -> None:
    record = make_record(template="B")
    del record["sapo"]
    with pytest.raises(ValueError) as error:
        archive.save_article(record, make_page(), None)
    assert "not an article record: missing ['sapo'], unknown ['template']" == str(error.value)
    assert 0 == count(archive, "pages")


def test_known_post_ids(archive: Archive) -> None:
    assert set() == archive.known_post_ids()
    for post_id in (201765, 532158):
        archive.save_article(make_record(post_id=post_id), make_page(), None)
    assert {201765, 532158} == archive.known_post_ids()


def test_iter_articles_streams_by_published_at_then_post_id(archive: Archive) -> None:
    dates = {3: "2025-02-14T16:30:00+07:00", 1: "2025-02-15T08:00:00+07:00", 2: None}
    dates |= {4: "2025-02-14T16:30:00+07:00"}
    for post_id, published_at in dates.items():
        archive.save_article(
            make_record(post_id=post_id, published_at=published_at), make_page(), None
        )
    articles = archive.iter_articles()
    assert isinstance(articles, Iterator)
    assert [2, 3, 4, 1] == [record["post_id"] for record in articles]


def test_iter_articles_reads_the_rows_a_condition_selects(archive: Archive) -> None:
    rows = [
        (1, "2025-01-31T23:59:00+07:00", "kinh-te"),
        (2, "2025-02-01T00:00:00+07:00", "kinh-te"),
        (3, "2025-02-28T10:00:00+07:00", "xa-hoi"),
        (4, "2025-03-01T00:00:00+07:00", "kinh-te"),
        (5, None, "kinh-te"),
    ]
    for post_id, published_at, section in rows:
        record = make_record(post_id=post_id, published_at=published_at, section=section)
        archive.save_article(record, make_page(), None)

    def ids(where: str, *params: str) -> list[int]:
        return [record["post_id"] for record in archive.iter_articles(where, params)]

    february = "a.published_at >= ? AND a.published_at < ?"
    assert [2, 3] == ids(february, "2025-02-01T00:00:00+07:00", "2025-03-01T00:00:00+07:00")
    assert [5, 1, 2, 4] == ids("a.section = ?", "kinh-te")


# Raw pages


def test_raw_page_is_stored_compressed_and_comes_back_byte_for_byte(archive: Archive) -> None:
    archive.save_article(make_record(), make_page(), None)
    row = archive.db.execute("SELECT codec, body, size FROM pages").fetchone()
    assert "zlib" == row[0]
    assert HTML == zlib.decompress(row[1])
    assert len(row[1]) < len(HTML) // 10
    assert len(HTML) == row[2]
    assert [make_page()] == raw_pages(archive, 532158)


def test_every_fetch_keeps_its_raw_page_oldest_first(archive: Archive) -> None:
    first = make_page(b"<html>v1</html>", datetime(2025, 2, 15, 1, tzinfo=UTC))
    second = make_page("<html>v2 – đã sửa</html>".encode(), datetime(2025, 2, 20, 1, tzinfo=UTC))
    archive.save_article(make_record(title="v2"), second, None)
    archive.save_article(make_record(title="v1"), first, None)
    assert [first, second] == raw_pages(archive, 532158)


def test_save_page_keeps_a_page_without_a_record(archive: Archive) -> None:
    save_page(archive, make_page(), 532158, None)
    assert [make_page()] == raw_pages(archive, 532158)
    assert None is archive.get_article(532158)


# Runs and failures


def test_a_run_from_start_to_finish(archive: Archive) -> None:
    run_id = start_run(archive, {"since": "2025-02-01", "sections": ["kinh-te"], "db": Path("x")})
    assert "running" == get_runs(archive)[0].outcome
    archive.save_article(make_record(), make_page(), run_id)
    record_failure(archive, run_id, "https://www.bienphong.com.vn/x-post1.html", 1, "HTTP 500")
    counts = {"new": 1, "updated": 0, "unchanged": 0, "failed": 1, "pages_fetched": 7}
    finish_run(
        archive,
        run_id,
        "finished",
        counts,
        {"authors": 1.0},
        warnings=["sapo fill 10%"],
        generic_share=0.25,
    )
    assert [
        a_run(
            id=run_id,
            started_at="2025-03-01T00:00:01+00:00",
            finished_at="2025-03-01T00:00:04+00:00",
            outcome="finished",
            options={"db": "x", "sections": ["kinh-te"], "since": "2025-02-01"},
            pages_fetched=7,
            new=1,
            failed=1,
            counted_at="2025-03-01T00:00:04+00:00",
            fill_rates={"authors": 1.0},
            warnings=["sapo fill 10%"],
            generic_share=0.25,
            failures=[
                {
                    "url": "https://www.bienphong.com.vn/x-post1.html",
                    "post_id": 1,
                    "reason": "HTTP 500",
                }
            ],
        )
    ] == get_runs(archive)
    assert [run_id] == [row[0] for row in archive.db.execute("SELECT run_id FROM pages")]


def test_get_runs_is_newest_first_and_limited(archive: Archive) -> None:
    ids = [start_run(archive, {}) for _ in range(3)]
    assert [ids[2], ids[1]] == [run.id for run in get_runs(archive, limit=2)]


def test_finish_run_refuses_unknown_counts(archive: Archive) -> None:
    run_id = start_run(archive, {})
    with pytest.raises(ValueError, match=r"unknown run counts \['fetched'\]"):
        finish_run(archive, run_id, "finished", {"fetched": 3}, None)


def test_stats(archive: Archive) -> None:
    archive.save_article(make_record(post_id=1), make_page(), None)
    archive.save_article(make_record(post_id=2, kind="video", section=None), make_page(), None)
    archive.save_article(make_record(post_id=2, kind="video", title="Sửa"), make_page(), None)
    figures = archive.stats()
    assert figures.pop("db_bytes") > 0
    assert {
        "articles": 2,
        "by_kind": {"article": 1, "video": 1},
        "by_section": {"bien-phong-toan-dan": 2},
        "raw_pages": 2,
        # too few pages for a dictionary: zlib, 11,507 bytes of HTML in 201
        "raw_page_storage": {
            "codecs": {"zlib": {"pages": 2, "received_bytes": 23014, "stored_bytes": 402}},
            "dictionaries": [],
        },
        "versions": 1,
        "runs": 0,
    } == figures


def test_an_older_archive_is_brought_up_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 1)
    conn.close()

    with Archive(path) as archive:
        version = archive.db.execute("PRAGMA user_version").fetchone()[0]
        tables = set(archive.db.table_names())

    assert SCHEMA_VERSION == version
    assert {"articles", "pages", "runs", "failures", "versions", "http_validators"} <= tables


def test_an_archive_of_schema_3_gains_provenance_and_keeps_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 3)
        row = record_row(make_record())
        times = dict.fromkeys(("first_seen_at", "updated_at", "last_seen_at"), "2025-03-01")
        database.table("articles").insert(row | times)
        database.table("runs").insert(
            {"started_at": "2025-03-01", "outcome": "ok", "options": "{}"}
        )
    conn.close()
    # A reader cannot migrate: it says how to.
    with pytest.raises(ArchiveError) as refused:
        Archive(path, readonly=True)
    assert (
        f"archive {path} is of schema version 3, older than this bienphong's {SCHEMA_VERSION}:"
        " upgrade it"
        " with `bienphong stats --rebuild-index` or a crawl (about a minute a 100,000 articles)"
    ) == str(refused.value)

    with Archive(path) as archive:
        version = archive.db.execute("PRAGMA user_version").fetchone()[0]
        article = archive.get_article(532158)
        before = archive.provenance(532158)
        runs = get_runs(archive)
        archive.save_article(make_record(), None, None, {"title": "rules:A-2020"})
        after = archive.provenance(532158)

    assert SCHEMA_VERSION == version
    assert make_record() == article
    assert None is before
    assert [None] == [run.generic_share for run in runs]
    assert {"title": "rules:A-2020"} == after  # an unchanged record takes its provenance


def test_an_archive_of_schema_10_credits_each_article_to_the_run_that_last_wrote_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v10.db"
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 10)
        for started in ("2025-03-01T00:00:00+00:00", "2025-03-02T00:00:00+00:00"):
            database.table("runs").insert({"started_at": started, "outcome": "ok", "options": "{}"})
        written = {
            1: "2025-02-28T23:00:00+00:00",  # before any run: another tool's
            2: "2025-03-01T00:05:00+00:00",
            3: "2025-03-02T00:00:00+00:00",
        }
        for post_id, updated in written.items():
            record = make_record(post_id=post_id)
            row = record_row(record)
            times = {"first_seen_at": updated, "updated_at": updated, "last_seen_at": updated}
            copies = schema.old_spelled_columns(row) | schema.folded_columns(row)  # version 10's
            database.table("articles").insert(row | copies | times)
    conn.close()
    with Archive(path) as archive:
        found = dict(archive.db.execute("SELECT post_id, run_id FROM articles ORDER BY post_id"))
    assert {1: None, 2: 1, 3: 2} == found


def test_an_archive_of_schema_12_stores_an_old_style_copy_only_where_the_text_is_not_one(
    tmp_path: Path,
) -> None:
    # The site prints the old tone placement (Hòa, Đảng ủy): the copy was the text again.
    path = tmp_path / "v12.db"
    records = {
        1: make_record(post_id=1, title="Khánh Hòa tuần tra", body="Đảng ủy đồn.\n\nHòa bình."),
        2: make_record(post_id=2, title="Khánh Hoà tuần tra", sapo="UỶ BAN", body="Sức khoẻ."),
    }
    times = dict.fromkeys(schema.ARTICLE_TIMES, "2025-03-01T00:00:00+00:00")
    with sqlite3.connect(path) as conn:
        database = Database(conn)
        schema.migrate_to(database, 12)
        for record in records.values():
            row = record_row(record)
            copies = schema.old_spelled_columns(row) | schema.folded_columns(row)
            database.table("articles").insert(row | copies | times)
    conn.close()

    with Archive(path) as archive:
        stored = archive.db.execute(
            "SELECT post_id, title_old_spelling, sapo_old_spelling, body_old_spelling"
            " FROM articles ORDER BY post_id"
        ).fetchall()
        spelled = archive.db.execute(
            "SELECT title_spelled, sapo_spelled, body_spelled, title_spelled_old, sapo_spelled_old,"
            " body_spelled_old FROM articles WHERE post_id = 2"
        ).fetchone()
        table = Database(archive.db.conn).table("articles")
        # sqlite-utils sends a query as typed: either placement finds both spellings.
        typed = {query: [r["post_id"] for r in table.search(query)] for query in ("hoà", "hòa")}
        integrity = archive.check_by_writing(
            "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
        )

    # Post 1 is read as written; post 2 keeps version 10's copies (lower case).
    assert [(1, None, None, None), (2, "khánh hòa tuần tra", "ủy ban", "sức khỏe.")] == stored
    assert (
        "khánh hoà tuần tra", "uỷ ban", "sức khoẻ.", "khánh hòa tuần tra", "ủy ban", "sức khỏe."
    ) == spelled  # fmt: skip
    assert {"hoà": [1, 2], "hòa": [1, 2]} == {q: sorted(found) for q, found in typed.items()}
    assert None is integrity


def test_provenance_is_kept_beside_the_record_not_in_it(archive: Archive) -> None:
    provenance = {"title": "rules:A-2020", "body": "rules:A-2020", "published_at": "meta"}
    assert "new" == archive.save_article(make_record(), make_page(), None, provenance)
    assert provenance == archive.provenance(532158)
    assert RECORD_KEYS == list(archive.get_article(532158) or {})
    assert (
        '{"title": "rules:A-2020", "body": "rules:A-2020", "published_at": "meta"}'
        == article_row(archive, 532158)["provenance"]
    )


def test_a_changed_record_without_provenance_drops_the_old_one(archive: Archive) -> None:
    archive.save_article(make_record(), make_page(), None, {"title": "rules:A-2020"})
    assert "unchanged" == archive.save_article(make_record(), make_page(), None)
    assert {"title": "rules:A-2020"} == archive.provenance(532158)
    assert "updated" == archive.save_article(make_record(title="Sửa"), make_page(), None)
    assert None is archive.provenance(532158)
    assert None is archive.provenance(1)  # no such article


def test_a_wal_a_long_reader_let_grow_is_cut_back_once_the_reader_is_done(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    wal = tmp_path / "archive.db-wal"
    noise = random.Random(7)
    writer = Archive(db)
    writer.save_article(make_record(), make_page(), None)
    idle = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)  # a reader that holds nothing
    reader = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")  # a slow export: one snapshot while the crawl writes
    assert 1 == reader.execute("SELECT count(*) FROM articles").fetchone()[0]

    def write(pages: int) -> None:  # pages that do not compress: 200 KB each in the WAL
        for _ in range(pages):
            writer.save_article(make_record(), make_page(noise.randbytes(200_000)), None)

    write(120)
    held = wal.stat().st_size
    reader.execute("COMMIT")  # the reader is done
    write(2)  # the next commits checkpoint every page and start the WAL over
    after = wal.stat().st_size
    writer.close()  # a reader is still open: the writer does not delete the WAL, it empties it
    closed = wal.stat().st_size
    idle.close()
    reader.close()

    assert held > 20 * 1024 * 1024 > WAL_KEPT_BYTES >= after
    assert 0 == closed
