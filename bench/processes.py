"""Helpers the crawl-side benchmarks share: a mirror subprocess, timed child processes, and
crawls of a mirror into an archive. Every process started here is stopped here."""

from __future__ import annotations

import atexit
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIENPHONG = Path(sys.executable).with_name("bienphong")
# Loopback only, and never through a proxy.
CLEAN_ENV = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


def quick() -> bool:
    """`BENCH_QUICK=1`: smaller sizes, for trying the benchmarks out (figures say so)."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


@dataclass
class MirrorProcess:
    process: subprocess.Popen[str]
    base_url: str

    def control(self, path: str) -> Any:
        """A `/__mirror/...` endpoint's JSON answer (loopback, no proxy)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"{self.base_url}/__mirror/{path}", timeout=120) as answer:
            return json.loads(answer.read())


@contextmanager
def mirror(articles: int, seed: int = 1, *args: str) -> Iterator[MirrorProcess]:
    """`python -m tests.mirror --port 0 --weight real ...` as a subprocess, stopped on exit:
    pages as heavy as the real site's (about 250 KB), whatever the mirror's default."""
    command = [sys.executable, "-m", "tests.mirror", "--port", "0", "--weight", "real"]
    command += ["--articles", str(articles), "--seed", str(seed), *args]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://127."):
            raise RuntimeError(f"the mirror did not start: {' '.join(command)}")
        yield MirrorProcess(process, base_url)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@dataclass(frozen=True)
class Finished:
    seconds: float
    peak_rss_mib: float  # the child's, with its own children's (if any) added
    stdout: str
    processes: int  # how many processes the child's tree counted, itself included
    cpu_seconds: float  # user + system CPU time of the child and the children it waited for


def timed_process(command: list[str]) -> Finished:
    """Run a child to its end: wall seconds, CPU seconds, the peak resident set of its process
    tree, and its standard output.

    Each process's peak is its VmHWM, read from /proc while it runs (every POLL seconds, so
    the last fraction of a second may be missed); the tree's peak is the sum of its processes'
    peaks, an upper bound (they need not all peak at once). Not `ru_maxrss`: Linux carries the
    parent's high-water mark into a child across fork and exec, so a child of a large
    benchmark process would report the parent's size. CPU time is the growth of this
    process's RUSAGE_CHILDREN across the run: the child's, since no other child of the
    benchmark ends meanwhile (a mirror subprocess runs on until after).
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = _children_cpu()
        began = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=CLEAN_ENV, stdout=out, stderr=err)
        peaks: dict[int, float] = {}
        try:
            while process.poll() is None:
                for pid in _tree(process.pid):
                    peaks[pid] = max(peaks.get(pid, 0.0), status_mib(pid, "VmHWM"))
                time.sleep(POLL)
        except BaseException:
            process.kill()
            process.wait()
            raise
        seconds = time.perf_counter() - began
        cpu = _children_cpu() - before
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:3])} failed: {err.read().strip()[-500:]}")
        return Finished(seconds, sum(peaks.values()), out.read(), len(peaks), cpu)


POLL = 0.1


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree(root: int) -> list[int]:
    """`root` and its descendants, from /proc's parent ids."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(parents.get(pid, []))
    return found


def status_mib(pid: int | str, field: str) -> float:
    """A memory figure of a running process (`field`: VmRSS, VmHWM) in MiB, from
    /proc/PID/status (`pid` "self" for this one); 0 once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def crawl_command(db: Path, base_url: str, *args: str) -> list[str]:
    command = [str(BIENPHONG), "crawl", "--db", str(db), "--base-url", base_url]
    return [*command, "--delay", "0", *args]


# -- crawled archives, shared by the benchmarks of one `python -m bench` process -------------

_ARCHIVES: dict[tuple[int, int], tuple[Path, float]] = {}
_FOLDER: list[Path] = []
INITIAL_CONCURRENCY = 8  # only to build archives faster; the crawl benchmark uses the default


def scratch_folder() -> Path:
    """A folder of this process's, removed at its exit."""
    if not _FOLDER:
        _FOLDER.append(Path(tempfile.mkdtemp(prefix="bench-archives-")))
        atexit.register(shutil.rmtree, _FOLDER[0], True)
    return _FOLDER[0]


def crawled_archive(articles: int, seed: int = 1) -> tuple[Path, float]:
    """An archive of a whole crawl of `Site(articles, seed)` at day 0 (new per day 10, no
    edits), made once per process by `bienphong crawl`; its path and the crawl's seconds.
    Callers copy it before crawling it again."""
    key = (articles, seed)
    if key not in _ARCHIVES:
        db = scratch_folder() / f"crawled-{articles}-{seed}.db"
        with mirror(articles, seed, "--edits-per-day", "0", "--no-log-requests") as site:
            finished = timed_process(
                crawl_command(db, site.base_url, "--concurrency", str(INITIAL_CONCURRENCY))
            )
        if f"articles: {articles} new" not in finished.stdout:
            raise RuntimeError(f"the crawl of {articles} articles: {finished.stdout.strip()}")
        _ARCHIVES[key] = (db, finished.seconds)
    return _ARCHIVES[key]


def copy_archive(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite archive (the backup API, WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
