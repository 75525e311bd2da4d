"""Read-only archives: an archive in a folder nobody may write (a read-only mount, another
user's folder) is read by every reading command and `serve`, and refused by every writer with
one line and status 1, never 75. docs/reliability.md lists these cases.

The tests run as whoever runs them, root included, so file modes prove nothing: the folder is
made read-only by a read-only bind mount in a user and mount namespace of its own
(`unshare -rm`), where even root gets EROFS. The outputs are compared with the same command's
on the same archive in a writable folder.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import BIENPHONG
from tests.helpers.fixtures import CrawledArchive
from tests.helpers.loopback import fetch

# Mount FOLDER read-only over itself, then run the command: only this process tree sees it.
READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def unshare_works() -> bool:
    try:
        probe = subprocess.run(
            ["unshare", "-rm", "sh", "-c", READ_ONLY, "/tmp", "true"], capture_output=True
        )
    except FileNotFoundError:
        return False
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(
    not unshare_works(),
    reason="needs unshare -rm (user and mount namespaces) for a read-only mount",
)


def in_read_only(folder: Path, *command: str) -> list[str]:
    return ["unshare", "-rm", "sh", "-c", READ_ONLY, str(folder), *command]


@pytest.fixture
def folder(crawled_archive: CrawledArchive, tmp_path: Path) -> Path:
    """A folder holding a copy of the crawled archive, closed (no -wal, no -shm)."""
    shutil.copy(crawled_archive.db, tmp_path / "bienphong.db")
    return tmp_path


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def reading_commands(crawled_archive: CrawledArchive) -> list[list[str]]:
    post_id = str(next(iter(crawled_archive.site.truth()))["post_id"])
    return [
        ["search", "bien", "--json"],
        ["show", post_id, "--json"],
        ["history", post_id, "--json"],
        ["stats", "--json"],
        ["runs", "--json"],
        ["export", "--output", "-"],
    ]


def test_every_reading_command_reads_an_archive_in_a_read_only_folder(
    crawled_archive: CrawledArchive, folder: Path
) -> None:
    db = folder / "bienphong.db"
    commands = [[BIENPHONG, *args, "--db", str(db)] for args in reading_commands(crawled_archive)]
    # Read-only first, while no -shm exists: SQLite cannot make one there, so the archive is
    # opened immutable.
    read_only = [run(in_read_only(folder, *command)) for command in commands]
    assert ["bienphong.db"] == sorted(path.name for path in folder.iterdir())
    writable = [run(command) for command in commands]
    for command, ro, rw in zip(commands, read_only, writable, strict=True):
        assert (0, 0) == (ro.returncode, rw.returncode), (command, ro.stderr, rw.stderr)
        if "stats" in command:  # the size counts the -wal a writable folder grows
            figures = [json.loads(out.stdout) for out in (rw, ro)]
            assert [True, True] == [f.pop("db_bytes") > 0 for f in figures]
            assert figures[0] == figures[1]
        else:
            assert rw.stdout == ro.stdout, command


def test_commits_in_a_wal_that_cannot_be_read_in_place_are_one_line_that_says_what_to_do(
    crawled_archive: CrawledArchive, folder: Path, tmp_path: Path
) -> None:
    db = folder / "bienphong.db"
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the commit stays in the -wal
    version = writer.execute("PRAGMA user_version").fetchone()[0]
    writer.execute(f"PRAGMA user_version = {version}")  # a commit, of what was there
    copied = tmp_path / "copied"
    copied.mkdir()
    for name in ("bienphong.db", "bienphong.db-wal"):
        shutil.copy(folder / name, copied / name)
    writer.close()  # the folder's own archive is checkpointed; the copy keeps its -wal
    assert (copied / "bienphong.db-wal").stat().st_size > 0
    db = copied / "bienphong.db"
    before = {path.name: path.read_bytes() for path in copied.iterdir()}

    for args in reading_commands(crawled_archive):
        refused = run(in_read_only(copied, BIENPHONG, *args, "--db", str(db)))
        assert 1 == refused.returncode, args
        assert [
            f"bienphong: error: archive {db} cannot be read in its read-only folder: its last"
            " commits are in bienphong.db-wal, which SQLite reads only with a bienphong.db-shm"
            " it cannot make there; copy bienphong.db and bienphong.db-wal together to a"
            " folder you can write, and read the copy"
        ] == refused.stderr.splitlines(), args
    assert before == {path.name: path.read_bytes() for path in copied.iterdir()}
    assert 0 == run([BIENPHONG, "stats", "--check", "--db", str(db)]).returncode  # as it says


def test_stats_check_on_a_read_only_folder_says_the_index_check_was_skipped(
    folder: Path,
) -> None:
    check = run(
        in_read_only(folder, BIENPHONG, "stats", "--check", "--db", str(folder / "bienphong.db"))
    )
    assert 1 == check.returncode
    assert ["search index: FTS5 integrity check skipped: the archive is read-only"] == (
        check.stdout.splitlines()
    )


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "--base-url", "http://127.0.0.1:9"],
        ["reextract"],
        ["stats", "--rebuild-index"],
    ],
)
def test_a_writer_on_a_read_only_folder_is_one_line_and_status_1(
    folder: Path, args: list[str]
) -> None:
    db = folder / "bienphong.db"
    before = db.read_bytes()
    refused = run(in_read_only(folder, BIENPHONG, *args, "--db", str(db)))
    assert 1 == refused.returncode
    assert [f"bienphong: error: archive {db} is read-only"] == refused.stderr.splitlines()
    assert before == db.read_bytes()
    assert ["bienphong.db"] == sorted(path.name for path in folder.iterdir())  # no lock file


def test_a_lock_that_cannot_be_created_is_status_1_not_75(folder: Path) -> None:
    db = folder / "bienphong.db"
    (folder / "bienphong.db.lock").mkdir()  # what no lock file can be
    refused = run([BIENPHONG, "reextract", "--db", str(db)])
    assert 1 == refused.returncode
    assert [
        f"bienphong: error: cannot create the lock {db}.lock: Is a directory"
    ] == refused.stderr.splitlines()


def test_serve_reads_an_archive_in_a_read_only_folder(
    crawled_archive: CrawledArchive, folder: Path
) -> None:
    db = folder / "bienphong.db"
    command = [BIENPHONG, "serve", "--port", "0", "--db", str(db)]
    with subprocess.Popen(
        in_read_only(folder, *command), stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()  # bienphong: serving ... on http://127.0.0.1:PORT/ ...
            base_url = line.split(" on ", 1)[1].split("/ ", 1)[0]
            page = fetch(base_url, "/search?q=bien")
            assert 200 == page.status
            found = re.findall(r'<a class="title" href="/article/(\d+)', page.text)
            truth = {record["post_id"] for record in crawled_archive.site.truth()}
            assert 20 == len(found) and {int(n) for n in found} <= truth
        finally:
            server.terminate()
            server.wait(timeout=30)
