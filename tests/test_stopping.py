"""Stopping promptly: after the first SIGINT, SIGTERM or SIGHUP no further request leaves the
crawl, every page it fetched before is archived or recorded, and the log names the signal. At
the polite pace and during a `Retry-After` pause alike. (How fast it exits is `bench crawl`'s.)"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.runs import get_runs
from archive.store import Archive
from crawler.progress import stopping_line
from tests.helpers.cli import logged
from tests.helpers.crawl import archived, article_fetches, crawl, crawling, wait_for
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Mirror


def stop_after_a_request(mirror: Mirror, process: object, stop: signal.Signals) -> float:
    """Send `stop` just after the crawl sent a request (the next waits its turn under the
    delay, so none is on its way as the signal lands); when it was sent."""
    seen = len(mirror.hits)
    wait_for(lambda: len(mirror.hits) > seen)
    sent = time.monotonic()
    process.send_signal(stop)  # type: ignore[attr-defined]
    return sent


def failed_post_ids(db: Path) -> set[int]:
    with Archive(db, readonly=True) as archive:
        return {f["post_id"] for run in get_runs(archive) for f in run.failures}


@pytest.mark.parametrize(
    "stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda stop: stop.name
)
def test_after_the_signal_no_request_leaves_and_what_was_fetched_is_archived(
    make_mirror: MakeMirror, tmp_path: Path, stop: signal.Signals
) -> None:
    mirror = make_mirror(articles=200, seed=64)
    db = tmp_path / "archive.db"
    # One section, so that articles come after a few feeds and listings at this pace.
    polite = ("--delay", "0.4", "--concurrency", "2", "--section", "kinh-te")
    with crawling(db, mirror, *polite) as process:
        wait_for(lambda: len(article_fetches(mirror)) >= 3)
        sent = stop_after_a_request(mirror, process, stop)
        stdout, stderr = process.communicate(timeout=120)  # a guard against a hang

    assert 0 == process.returncode, stderr
    assert [] == [hit.path for hit in mirror.hits if hit.at > sent]
    fetched = set(article_fetches(mirror))
    assert set() == fetched - set(archived(db)) - failed_post_ids(db)
    assert [("WARNING", stopping_line(stop.name))] == logged(stderr)
    assert logged(stdout)[0][1].startswith(f"Crawl interrupted ({stop.name}) in ")
    with Archive(db, readonly=True) as archive:
        assert ["shutdown"] == [run.outcome for run in get_runs(archive)]


def test_a_signal_during_a_retry_after_pause_ends_the_pause(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    # Every page answers 503 twice, asking for two minutes' peace: the crawl pauses the server.
    mirror = make_mirror("503:1.0,retry-after:120", articles=40, seed=65)
    db = tmp_path / "archive.db"
    with crawling(db, mirror, "--delay", "0.4", "--concurrency", "1") as process:
        # One request at a time: after the first 503 nothing is in flight, and the server is
        # left alone for its two minutes.
        wait_for(lambda: any(hit.fault == "503" for hit in mirror.hits))
        sent = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)  # a guard: the pause alone is 120 s

    assert 0 == process.returncode, stderr
    assert [] == [hit.path for hit in mirror.hits if hit.at > sent]
    with Archive(db, readonly=True) as archive:
        assert ["shutdown"] == [run.outcome for run in get_runs(archive)]


def test_a_crawl_pauses_cleanly_when_its_time_box_is_up_and_the_next_goes_on(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=120, seed=69)
    db = tmp_path / "archive.db"
    boxed = ("--max-duration", "2s", "--delay", "0.3", "--concurrency", "1")

    # One section at three pages a second: its feeds, its listing, then articles, not all of
    # them in 2 s.
    paused = crawl(db, mirror, *boxed, "--section", "kinh-te")
    kept = set(archived(db))
    after = crawl(db, mirror)

    assert 0 == paused.returncode, paused.stderr
    assert logged(paused.stdout)[0][1].startswith("Crawl paused at its time box in ")
    assert 0 < len(kept) < 120
    assert 0 == after.returncode, after.stderr
    assert sorted(r["post_id"] for r in mirror.site.truth()) == sorted(archived(db))
    with Archive(db, readonly=True) as archive:
        runs = get_runs(archive)
    assert [
        ("finished", None),
        ("paused", "its time box (--max-duration) was up: the next crawl goes on"),
    ] == [(run.outcome, run.reason) for run in runs]


# Moments across a crawl's start-up on this machine (about 1.3 s from the command to its first
# request): the interpreter's imports, the command's, the archive opened, Scrapy made and
# started, robots.txt asked. Wherever one lands, the end is one of two, both told in one line.
START_UP = [0.1, 0.3, 0.5, 0.7, 0.9, 1.1, 1.3, 1.6]


@pytest.mark.parametrize("moment", START_UP)
@pytest.mark.parametrize("twice", [False, True], ids=["once", "twice"])
def test_a_signal_at_any_moment_of_start_up_ends_the_crawl_in_one_line(
    make_mirror: MakeMirror, tmp_path: Path, moment: float, twice: bool
) -> None:
    mirror = make_mirror(articles=40, seed=66)
    db = tmp_path / "archive.db"
    stop = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP][START_UP.index(moment) % 3]
    with crawling(db, mirror, "--delay", "0.4", "--concurrency", "1") as process:
        time.sleep(moment)
        process.send_signal(stop)
        if twice:
            time.sleep(0.05)
            process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=60)

    # Before the crawl's log begins, a line is `bienphong: error: ...`; after, a stamped one.
    lines = [line.split("[bienphong] ")[-1] for line in stderr.splitlines()]
    lines = [line.replace("bienphong: error: ", "ERROR: ") for line in lines]
    runs = []
    if db.exists() and db.stat().st_size:
        with Archive(db, readonly=True) as archive:
            runs = [run.outcome for run in get_runs(archive)]
    if lines[-1:] == [f"ERROR: stopped by {stop.name}"]:  # before the crawl began: it did not
        assert ([], [], "") == (runs, lines[:-1], stdout), stderr
        assert 128 + stop == process.returncode  # as a shell tells a command a signal ended
    elif process.returncode == 130:  # the second signal stopped it at once
        assert twice, stderr
        assert runs in ([], ["interrupted"], ["running"])
        assert lines[-1].startswith("ERROR: stopped at once"), stderr
    else:  # the crawl had begun: it stopped as a first signal stops it (the second too late)
        assert 0 == process.returncode, stderr
        assert ["shutdown"] == runs
        assert [f"WARNING: {stopping_line(stop.name)}"] == lines
        assert logged(stdout)[0][1].startswith(f"Crawl interrupted ({stop.name}) in ")
    assert not any("Traceback" in line or "Aborted" in line for line in lines)


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def get_value(self, key: str) -> object:
        return self.values.get(key)

    def set_value(self, key: str, value: object) -> None:
        self.values[key] = value


def test_a_second_signal_inside_the_firsts_handler_still_stops_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Signal handlers nest: a second signal landing while the first's handler says "stopping"
    queues its stop before the first's graceful one. Stopping the reactor then runs Scrapy's
    graceful stop of a crawler still crawling, which waits for the pages in flight; so the
    graceful stop must have begun before the reactor is told to stop."""
    from twisted.internet import reactor

    from crawler import stopping

    done: list[str] = []
    queued: list[Callable[[], object]] = []
    signal_module = signal  # the receiver's keyword hides the module

    class Crawler:
        crawling = True
        engine = None
        stats = _Stats()

        class signals:
            @staticmethod
            def send_catch_log(signal: object, signal_name: str) -> None:
                prompt.signalled(int(signal_module.SIGINT), None)  # the second, nested

        async def stop_async(self) -> None:
            Crawler.crawling = False
            done.append("graceful stop begun")

    crawler = Crawler()
    prompt = stopping.PromptStop(crawler)
    prompt.started = True
    monkeypatch.setattr(reactor, "callFromThread", lambda call, *args: queued.append(call))
    monkeypatch.setattr(stopping, "_stop_reactor", lambda: done.append("reactor stopped"))
    before = {number: signal.getsignal(number) for number in stopping.HANDLED}
    try:
        prompt.signalled(int(signal.SIGINT), None)
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    for call in queued:  # the reactor's turn, in the order the handlers queued them
        call()

    assert ["graceful stop begun", "reactor stopped"] == done
