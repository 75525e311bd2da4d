"""Raw pages stored with zstd and dictionaries trained on the archive's own pages (issue 30):
a new dictionary when the site's design changes, every generation read back, and pages stored
with zlib before dictionaries recompressed on request."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from archive import pages as raw
from archive.pages import TRAIN_PAGES, raw_pages, recompress
from archive.store import Archive
from tests.helpers.cli import invoke
from tests.helpers.crawl import assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import MakeMirror


def stored(db: Path) -> list[tuple[int, str, int | None, int, int]]:
    """(post id, codec, dictionary id, received bytes, stored bytes) of every page, in order."""
    with sqlite3.connect(db) as connection:
        sql = "SELECT post_id, codec, dictionary_id, size, length(body) FROM pages ORDER BY id"
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


def test_a_redesign_trains_a_new_dictionary_and_both_generations_read_back(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(
        articles=2 * TRAIN_PAGES, seed=70, new_per_day=TRAIN_PAGES + 20, edits_per_day=0,
        redesign_day=1,
    )  # fmt: skip
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    first = {post_id for post_id, *_ in stored(db)}
    mirror.set_day(1)  # every page in a new design, and TRAIN_PAGES + 20 new articles
    assert 0 == crawl(db, mirror).returncode

    pages = stored(db)
    second = [page for page in pages if page[0] not in first]
    assert 2 * TRAIN_PAGES == len(first)
    assert TRAIN_PAGES + 20 == len(second)
    # Day 0: the first TRAIN_PAGES pages trained dictionary 1, which rewrote them and the rest
    # used. Day 1: the new design compressed badly with it, so the newest TRAIN_PAGES pages
    # trained dictionary 2, which rewrote them and the rest used.
    assert {("zstd", 1)} == {
        (codec, used) for post_id, codec, used, *_ in pages if post_id in first
    }
    assert {("zstd", 2)} == {(page[1], page[2]) for page in second}
    for generation in (pages[: len(first)], second):
        received = sum(page[3] for page in generation)
        assert received / sum(page[4] for page in generation) > 15  # zlib: under 5
    checked = invoke("stats", "--check", "--db", str(db))
    assert (0, f"bienphong: {db}: no damage found\n") == (checked.exit_code, checked.stderr)
    with Archive(db, readonly=True) as archive:
        for post_id in (pages[0][0], second[-1][0]):  # one of each generation
            (page,) = raw_pages(archive, post_id)
            assert post_id == int(page.url.rsplit("-post", 1)[1].removesuffix(".html"))
    reextracted = invoke("reextract", "--db", str(db))
    assert 0 == reextracted.exit_code, reextracted.stderr
    assert_archive_holds_the_truth(db, mirror)

    shown = invoke("stats", "--db", str(db)).stdout
    assert "  dictionary  1: " in shown and "  dictionary  2: " in shown
    assert f"from {TRAIN_PAGES - TRAIN_PAGES // raw.HELD_OUT} pages" in shown
    assert f"; {2 * TRAIN_PAGES} pages use it" in shown
    assert f"; {TRAIN_PAGES + 20} pages use it" in shown


def test_pages_stored_with_zlib_are_recompressed_on_request_and_the_space_given_back(
    make_mirror: MakeMirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = make_mirror(articles=TRAIN_PAGES - 10, seed=71)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    before = stored(db)
    assert {("zlib", None)} == {(codec, used) for _, codec, used, *_ in before}  # too few yet
    with Archive(db) as archive:
        sha256 = {post_id: hashlib.sha256(page.body).hexdigest()
                  for post_id, *_ in before for page in raw_pages(archive, post_id)}  # fmt: skip
        # Stopped after its first batch (Ctrl-C), then run again: it goes on from there.
        monkeypatch.setattr(raw, "RECOMPRESS_BATCH", 20)

        def interrupt(done: raw.Recompressed) -> None:
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            recompress(archive, interrupt)
    assert 20 == sum(codec == "zstd" for _, codec, *_ in stored(db))
    size_before = db.stat().st_size

    result = invoke("stats", "--recompress", "--db", str(db))

    assert 0 == result.exit_code, result.stderr
    assert f"bienphong: {TRAIN_PAGES - 30} pages recompressed: " in result.stderr
    assert "; incremental vacuum: " in result.stderr
    after = stored(db)
    assert {("zstd", 1)} == {(codec, used) for _, codec, used, *_ in after}
    assert sum(page[4] for page in after) * 4 < sum(page[4] for page in before)
    assert db.stat().st_size * 2 < size_before
    with Archive(db, readonly=True) as archive:
        read_back = {
            post_id: hashlib.sha256(page.body).hexdigest()
            for post_id, *_ in after
            for page in raw_pages(archive, post_id)
        }
    assert sha256 == read_back
    checked = invoke("stats", "--check", "--db", str(db))
    assert 0 == checked.exit_code, checked.stdout
