"""`bienphong backup`: a consistent copy of the archive while a crawl writes to it, which
replaces nothing unasked."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers.cli import BIENPHONG, assert_one_line_error, invoke
from tests.helpers.crawl import archived, start_crawl, wait_for
from tests.helpers.environment import without_proxies
from tests.helpers.fixtures import CrawledArchive, MakeMirror


def bienphong(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIENPHONG, *args], capture_output=True, text=True, env=without_proxies(), check=False
    )


def test_a_copy_made_while_a_crawl_writes_is_one_moment_of_the_archive(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=200, seed=41)
    held = max(record["post_id"] for record in mirror.site.truth())  # newest: fetched early
    release = mirror.hold(held)  # the crawl cannot end before the copy is made
    db, copy = tmp_path / "archive.db", tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()
    process = start_crawl(db, mirror, "--concurrency", "2")
    try:
        # Once the crawl wrote the archive's first page (a file it just made is empty).
        wait_for(lambda: db.exists() and db.stat().st_size > 0 and len(archived(db)) >= 20)
        committed = set(archived(db))  # before the copy began: in it, wherever they lie
        made = bienphong("backup", "--db", str(db), str(copy))
        assert process.poll() is None  # the copy was made while the crawl ran
    finally:
        release.set()
    _, stderr = process.communicate(timeout=300)

    assert 0 == process.returncode, stderr
    assert (0, f"bienphong: {db} copied to {copy}\n", "") == (
        made.returncode,
        made.stdout,
        made.stderr,
    )
    assert [copy.name] == sorted(path.name for path in copy.parent.iterdir())  # no -wal, -shm
    checked = bienphong("stats", "--check", "--db", str(copy))
    assert (0, f"bienphong: {copy}: no damage found\n") == (checked.returncode, checked.stderr)
    copied, final = archived(copy), archived(db)
    assert committed <= set(copied)
    assert len(copied) < 200 == len(final)
    assert {post_id: final[post_id] for post_id in copied} == copied


def test_an_existing_copy_is_replaced_only_with_force(
    crawled_archive: CrawledArchive, tmp_path: Path
) -> None:
    db, copy = str(crawled_archive.db), tmp_path / "copy.db"
    copy.write_bytes(b"yesterday's copy")

    refused = invoke("backup", "--db", db, str(copy))
    assert_one_line_error(f"{copy} exists: give --force to replace it", refused)
    assert b"yesterday's copy" == copy.read_bytes()

    assert 0 == invoke("backup", "--db", db, str(copy), "--force").exit_code
    assert sorted(archived(crawled_archive.db)) == sorted(archived(copy))


def test_a_folder_takes_a_copy_under_the_archives_name(
    crawled_archive: CrawledArchive, tmp_path: Path
) -> None:
    result = invoke("backup", "--db", str(crawled_archive.db), str(tmp_path))

    copy = tmp_path / crawled_archive.db.name
    assert 0 == result.exit_code, result.output
    assert f"bienphong: {crawled_archive.db} copied to {copy}\n" == result.stdout
    assert sorted(archived(crawled_archive.db)) == sorted(archived(copy))


def test_the_archive_is_never_its_own_copy_and_a_missing_folder_is_one_line(
    crawled_archive: CrawledArchive, tmp_path: Path
) -> None:
    db = crawled_archive.db
    before = db.read_bytes()

    itself = invoke("backup", "--db", str(db), str(db), "--force")
    nowhere = invoke("backup", "--db", str(db), str(tmp_path / "no" / "copy.db"))

    assert_one_line_error(f"{db} is the archive itself: give another path", itself)
    assert_one_line_error(
        f"cannot write {tmp_path / 'no' / 'copy.db'}: no directory {tmp_path / 'no'}", nowhere
    )
    assert before == db.read_bytes()
