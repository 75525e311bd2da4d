"""A whole crawl done in pieces: paused at its time box, stopped by a signal or killed, the next
crawl goes on where it stopped, reading no feed, sitemap or listing page again and fetching no
article twice; together the pieces archive what one crawl would, and leave the next incremental
run the same memory. (How many pages the pieces fetch against one crawl is `bench crawl`'s.)"""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.runs import Run, get_runs
from archive.store import Archive
from tests.helpers.cli import invoke
from tests.helpers.crawl import (
    archived,
    article_fetches,
    assert_archive_holds_the_truth,
    crawl,
    crawling,
    wait_for,
)
from tests.helpers.fixtures import MakeMirror
from tests.helpers.mirror_pages import POST_ID
from tests.mirror import Mirror

# A page at a time, about 150 a second: a second's time box is a part of a 400-article walk.
PACE = ("--delay", "0", "--concurrency", "1")
# About 10 pages a second: a signal lands well inside a 150-article walk.
SLOW = ("--delay", "0.02", "--concurrency", "1")
LOST_SECONDS = 3.0  # the walk is written every 2 s, and a little while items go through
WALK_LINE = re.compile(
    r"The whole crawl begun by run \d+ has read ([\d,]+) of the ([\d,]+) feeds, sitemaps and"
    r" listing pages it knows, and fetched ([\d,]+) of the ([\d,]+) articles they named;"
    r" the next (crawl[\w -]*) goes on"
)


def discovery_reads(mirror: Mirror, since: float = 0.0) -> Counter[str]:
    """How often each feed, sitemap and listing page was answered (robots.txt apart: every
    crawl asks it), from `since` on."""
    return Counter(
        hit.path
        for hit in mirror.hits
        if hit.at >= since
        and hit.status in (200, 304)
        and not POST_ID.search(hit.path)
        and hit.path != "/robots.txt"
    )


def first_read(mirror: Mirror, path: str) -> float:
    return min(hit.at for hit in mirror.hits if hit.path == path)


def runs_of(db: Path) -> list[Run]:
    with Archive(db, readonly=True) as archive:
        return get_runs(archive, None)


def crawl_in_pieces(db: Path, mirror: Mirror, *args: str) -> list[str | None]:
    """Crawls of a second each until one finishes; what each said goes on with the walk, when
    it said how far the walk has come."""
    said = []
    for _ in range(60):  # a guard against a walk that never ends
        piece = crawl(db, mirror, *PACE, "--max-duration", "1s", *args)
        assert 0 == piece.returncode, piece.stderr
        found = WALK_LINE.search(piece.stdout)
        said.append(None if found is None else found.group(5))
        if "Crawl finished" in piece.stdout:
            return said
    raise AssertionError("the walk never finished")


def test_a_whole_crawl_in_pieces_reads_each_page_once_and_archives_the_truth(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=150, seed=71)
    db = tmp_path / "archive.db"

    said = crawl_in_pieces(db, mirror)

    assert_archive_holds_the_truth(db, mirror)
    assert [] == [path for path, reads in discovery_reads(mirror).items() if reads > 1]
    assert {1} == set(article_fetches(mirror).values())
    runs = runs_of(db)
    pieces = len(runs)
    assert pieces >= 3, "the time box cut the walk into too few pieces to show anything"
    assert ["finished"] + ["paused"] * (pieces - 1) == [run.outcome for run in runs]
    assert [] == [warning for run in runs for warning in run.warnings]
    # Every paused piece says how far the walk has come; the last, nothing more.
    assert ["crawl"] * (pieces - 1) + [None] == said


def test_how_far_the_walk_has_come_is_what_the_archive_holds(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=150, seed=72)
    db = tmp_path / "archive.db"

    # Its feeds first, then some of their articles, not all.
    piece = crawl(db, mirror, *PACE, "--max-duration", "1s")
    listed = invoke("runs", "--db", str(db))
    found = WALK_LINE.search(listed.output)
    assert found is not None, listed.output
    read, pages, fetched, articles = (int(n.replace(",", "")) for n in found.groups()[:4])

    assert 0 == piece.returncode, piece.stderr
    assert listed.output.startswith("The whole crawl begun by run 1 has read ")
    assert len(archived(db)) == fetched
    assert sum(discovery_reads(mirror).values()) == read
    assert 0 < read < pages
    assert 0 < fetched < articles <= 150


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_a_whole_crawl_stopped_or_killed_goes_on_where_it_stopped(
    make_mirror: MakeMirror, tmp_path: Path, stop: signal.Signals
) -> None:
    mirror = make_mirror(articles=150, seed=73)
    db = tmp_path / "archive.db"
    with crawling(db, mirror, *SLOW) as process:
        # Past a few writes of the walk (every 2 s), well before its end.
        wait_for(lambda: len(article_fetches(mirror)) >= 60)
        sent = time.monotonic()
        process.send_signal(stop)
        process.communicate(timeout=60)  # a guard against a hang
    kept = set(archived(db))

    after = crawl(db, mirror)

    assert 0 == after.returncode, after.stderr
    assert_archive_holds_the_truth(db, mirror)
    assert [] == [post_id for post_id in kept if article_fetches(mirror)[post_id] > 1]
    # A clean stop wrote every step: no page is read again. A kill loses the steps of its
    # last seconds (written every 2 s): only pages first read in them are read again.
    lost = float("inf") if stop == signal.SIGTERM else sent - LOST_SECONDS
    assert [] == [
        path
        for path, reads in discovery_reads(mirror).items()
        if reads > 1 and first_read(mirror, path) < lost
    ]
    outcomes = [run.outcome for run in runs_of(db)]
    assert ["finished", "shutdown" if stop == signal.SIGTERM else "interrupted"] == outcomes


def test_a_refetch_in_pieces_fetches_every_article_once_more(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=150, seed=74)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode

    said = crawl_in_pieces(db, mirror, "--full", "--refetch")

    assert ["crawl --full --refetch"] * (len(said) - 1) + [None] == said
    assert len(said) >= 3, "the time box cut the walk into too few pieces to show anything"
    assert {2} == set(article_fetches(mirror).values())
    assert [] == [path for path, reads in discovery_reads(mirror).items() if reads > 2]
    with Archive(db, readonly=True) as archive:
        assert {0} == {run.new for run in get_runs(archive, None)[:-1]}


def test_after_a_walk_in_pieces_the_next_run_asks_what_it_asks_after_one_walk(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    at_once, in_pieces = make_mirror(articles=150, seed=75), make_mirror(articles=150, seed=75)
    assert 0 == crawl(tmp_path / "once.db", at_once).returncode
    crawl_in_pieces(tmp_path / "pieces.db", in_pieces)
    since = {at_once: len(at_once.hits), in_pieces: len(in_pieces.hits)}

    for mirror, db in ((at_once, "once.db"), (in_pieces, "pieces.db")):
        assert 0 == crawl(tmp_path / db, mirror).returncode

    def asked(mirror: Mirror) -> list[tuple[str, int, bool]]:
        hits = mirror.hits[since[mirror] :]
        return sorted((hit.path, hit.status, hit.conditional) for hit in hits)

    assert asked(at_once) == asked(in_pieces)
    assert any(conditional for _, _, conditional in asked(in_pieces))
