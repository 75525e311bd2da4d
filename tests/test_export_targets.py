"""Where an export and a writer's lock land whatever the path names: an export over a pipe or a
symbolic link writes through it, as `cp` and a shell's redirection do, and never renames a file
over it (before, `--output /dev/null` left a regular file in place of the device, with a
manifest beside it); every spelling of one archive, a symbolic link included, takes one lock
(before, two crawls wrote one archive through a link), a hard link too. An export stopped by a
signal leaves nothing; what one killed outright left, the next to the same path sweeps away
(before, 129 MB of hidden `.partial` files stayed)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from archive.lock import ArchiveLock
from tests.helpers.cli import BIENPHONG, invoke
from tests.helpers.crawl import wait_for
from tests.helpers.fixtures import CrawledArchive
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


@pytest.mark.parametrize("spelling", ["link", "dotted", "hard link"])
def test_every_path_to_one_archive_takes_one_lock(db: Path, tmp_path: Path, spelling: str) -> None:
    other = tmp_path / "sub"
    other.mkdir()
    named = {
        "link": tmp_path / "link.db",
        "dotted": other / ".." / "archive.db",
        "hard link": tmp_path / "same.db",
    }[spelling]
    if spelling == "link":
        named.symlink_to(db)
    elif spelling == "hard link":
        os.link(db, named)
    held = ArchiveLock(db)
    held.acquire()
    try:
        result = invoke("reextract", "--db", str(named))
    finally:
        held.release()

    assert 75 == result.exit_code, result.output
    if spelling == "hard link":  # no path leads from one name to the other: the file's lock
        message = f"another crawl or reextract is running on {named} under another name"
    else:
        message = f"another crawl or reextract (pid {os.getpid()}) is running on {db}"
    assert message in result.output


def export_caught_writing(db: Path, output: str, *args: str) -> subprocess.Popen[str]:
    """`bienphong export` into `output`, frozen (SIGSTOP) as soon as its temporary file (or
    folder) is there: caught in the middle of writing, whatever this machine's speed."""
    command = [BIENPHONG, "export", "--db", str(db), "--output", output, *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    named = Path(output)
    partial = f".{named.name}.*.partial"
    wait_for(lambda: any(named.parent.glob(partial)) or process.poll() is not None, 60)
    process.send_signal(signal.SIGSTOP)
    assert process.poll() is None, "the export ended before it was caught"
    return process


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=str)
def test_an_export_stopped_by_a_signal_leaves_nothing_and_says_so(
    crawled_archive: CrawledArchive, tmp_path: Path, stop: signal.Signals
) -> None:
    output = tmp_path / "out" / "all.warc"
    output.parent.mkdir()
    process = export_caught_writing(crawled_archive.db, str(output), "--format", "warc")
    process.send_signal(stop)
    process.send_signal(signal.SIGCONT)
    stdout, stderr = process.communicate(timeout=60)

    assert (128 + stop, "", f"bienphong: error: stopped by {stop.name}\n") == (
        process.returncode,
        stdout,
        stderr,
    )
    assert [] == list(output.parent.iterdir())


@pytest.mark.parametrize("output_name", ["all.jsonl", "notes/"])
def test_what_a_killed_export_left_the_next_export_to_the_path_sweeps_away(
    crawled_archive: CrawledArchive, tmp_path: Path, output_name: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    output = f"{folder}/{output_name}"
    form = ("--format", "markdown") if output_name.endswith("/") else ("--format", "jsonl")
    killed = export_caught_writing(crawled_archive.db, output, *form)
    killed.kill()
    killed.communicate(timeout=60)
    left = [path.name for path in folder.iterdir()]
    name = Path(output).name
    other = folder / f".{name}.elsewhere.1.abcd.partial"  # another host's: not ours to judge
    other.touch()

    again = invoke("export", "--db", str(crawled_archive.db), *form, "--output", output)

    assert 0 == again.exit_code, again.output
    assert 1 == len(left) and left[0].endswith(".partial")
    assert sorted([name, f"{name}.manifest.json", other.name]) == sorted(
        path.name for path in folder.iterdir()
    )
