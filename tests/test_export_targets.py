"""Where an export and a writer's lock land whatever the path names: an export over a pipe or a
symbolic link writes through it, as `cp` and a shell's redirection do, and never renames a file
over it (before, `--output /dev/null` left a regular file in place of the device, with a
manifest beside it); every spelling of one archive, a symbolic link included, takes one lock
(before, two crawls wrote one archive through a link)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from archive.lock import ArchiveLock
from tests.helpers.cli import invoke
from tests.helpers.records import one_article_archive


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return one_article_archive(tmp_path / "archive.db")


def test_an_export_into_a_pipe_writes_through_it_and_leaves_it_a_pipe(
    db: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()

    result = invoke("export", "--db", str(db), "--output", str(pipe))
    reader.join(timeout=30)
    expected = invoke("export", "--db", str(db), "--output", "-")

    assert 0 == result.exit_code, result.output
    assert [expected.stdout.encode()] == received
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    beside = [path.name for path in tmp_path.iterdir() if not path.name.startswith("archive.db")]
    assert ["pipe"] == beside  # no manifest, no temporary file


def test_an_export_over_a_symbolic_link_writes_its_target_and_leaves_the_link(
    db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "exports" / "latest.jsonl"
    target.parent.mkdir()
    target.write_text("yesterday's\n", encoding="utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)

    result = invoke("export", "--db", str(db), "--output", str(link))
    expected = invoke("export", "--db", str(db), "--output", "-")

    assert 0 == result.exit_code, result.output
    assert link.is_symlink() and target == link.resolve()
    assert expected.stdout == target.read_text(encoding="utf-8")
    assert (tmp_path / "latest.jsonl.manifest.json").is_file()


@pytest.mark.parametrize("spelling", ["link", "dotted"])
def test_every_path_to_one_archive_takes_one_lock(db: Path, tmp_path: Path, spelling: str) -> None:
    other = tmp_path / "sub"
    other.mkdir()
    named = {"link": tmp_path / "link.db", "dotted": other / ".." / "archive.db"}[spelling]
    if spelling == "link":
        named.symlink_to(db)
    held = ArchiveLock(db)
    held.acquire()
    try:
        result = invoke("reextract", "--db", str(named))
    finally:
        held.release()

    assert 75 == result.exit_code, result.output
    assert f"another crawl or reextract (pid {os.getpid()}) is running on {db}" in result.output
