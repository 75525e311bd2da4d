"""Scheduled crawls against the mirror: incremental cost, corrections as versions, reextract,
the lock, failures retried first, and markup drift flagged."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive.drift import is_drift
from archive.lock import ArchiveLock
from archive.site import SECTION_SLUGS
from archive.store import Archive
from crawler import settings
from pipelines.extraction import Extraction, explain
from pipelines.reextract import reextract
from tests.helpers.cli import BIENPHONG, logged
from tests.helpers.crawl import archived, article_fetches, crawl, new_or_corrected
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Faults, Mirror


def bienphong(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIENPHONG, *args], capture_output=True, text=True, timeout=300, check=False
    )


def overhead(mirror: Mirror) -> list[str]:
    """The requests of a crawl that were not article pages, as sorted paths."""
    return sorted(hit.path for hit in mirror.hits if "-post" not in hit.path)


def recrawl_after_one_day(make_mirror: MakeMirror, tmp_path: Path, articles: int) -> Mirror:
    # What the count of articles costs, not what a page weighs: light pages.
    mirror = make_mirror(articles=articles, seed=21, new_per_day=10, edits_per_day=0, weighty=False)
    db = tmp_path / f"archive-{articles}.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.set_day(1)
    mirror.clear_hits()
    assert 0 == crawl(db, mirror).returncode
    return mirror


def test_new_articles_cost_k_fetches_and_an_overhead_that_does_not_grow(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    small = recrawl_after_one_day(make_mirror, tmp_path, 300)
    large = recrawl_after_one_day(make_mirror, tmp_path, 1200)

    for mirror, base in ((small, 300), (large, 1200)):
        new_ids = {mirror.site.post_id(i) for i in range(base, base + 10)}
        assert {post_id: 1 for post_id in new_ids} == dict(article_fetches(mirror))
    assert overhead(small) == overhead(large)
    assert len(overhead(large)) <= 32, " ".join(overhead(large))
    assert [] == [path for path in overhead(large) if path.startswith("/tag/") or "page=" in path]


def test_a_correction_is_one_version_on_recheck_and_an_unchanged_refetch_none(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=120, seed=4, new_per_day=0, edits_per_day=3, sitemaps=False)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.set_day(1)
    edited = {mirror.site.post_id(index) for index in mirror.site.edits}

    first = crawl(db, mirror, "--recheck-since", "2010-01-01")
    again = crawl(db, mirror, "--recheck-since", "2010-01-01")

    assert "articles: 0 new, 3 updated, 117 unchanged, 0 failed" in first.stdout
    assert "articles: 0 new, 0 updated, 120 unchanged, 0 failed" in again.stdout
    with Archive(db) as archive:
        versions = {post_id: len(archive.versions(post_id)) for post_id in archive.known_post_ids()}
    assert dict.fromkeys(edited, 1) == {k: v for k, v in versions.items() if v}
    post_id = min(edited)
    history = json.loads(bienphong("history", str(post_id), "--db", str(db), "--json").stdout)
    truth = mirror.site.article_by_id(post_id)
    assert truth is not None
    assert [truth.title, truth.body] == [history[-1]["title"], history[-1]["body"]]
    assert 2 == len(history)
    assert history[0]["seen_at"] < history[1]["seen_at"]


def test_sitemap_lastmod_brings_corrections_without_a_recheck(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=150, seed=8, new_per_day=0, edits_per_day=2, weighty=False)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.set_day(1)
    mirror.clear_hits()

    result = crawl(db, mirror)

    edited = {mirror.site.post_id(index) for index in mirror.site.edits}
    assert "articles: 0 new, 2 updated, 0 unchanged, 0 failed" in result.stdout
    assert dict.fromkeys(edited, 1) == dict(article_fetches(mirror))
    records = archived(db)
    for post_id in edited:
        article = mirror.site.article_by_id(post_id)
        assert article is not None
        assert article.truth()["title"] == records[post_id]["title"]


def test_reextract_changes_only_the_records_whose_rules_changed(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=80, seed=13)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    template_b = {
        mirror.site.post_id(i) for i in range(80) if mirror.site.article(i).template == "B"
    }

    def improved_rules(html: bytes, url: str, fetched_at: Any, **hints: Any) -> Extraction:
        """A rule change that touches template B pages only."""
        found = explain(html, url, fetched_at, **hints)
        if b'class="article-main"' in html:
            found.record["title"] = found.record["title"].upper()
            found.record["extractor_version"] = "test-rules"
        return found

    same_rules = bienphong("reextract", "--db", str(db))
    assert "0 updated, 80 unchanged, 0 failed" in same_rules.stdout

    with Archive(db) as archive:
        summary = reextract(archive, extractor=improved_rules)
        changed = {pid for pid in archive.known_post_ids() if archive.versions(pid)}
        versions = {pid: archive.get_article(pid) for pid in template_b}

    assert (len(template_b), 80 - len(template_b), 0) == (
        summary.updated,
        summary.unchanged,
        summary.failed,
    )
    assert template_b == changed
    assert {"test-rules"} == {record["extractor_version"] for record in versions.values() if record}


def test_a_second_run_exits_75_and_touches_nothing(make_mirror: MakeMirror, tmp_path: Path) -> None:
    mirror = make_mirror(articles=10, seed=2)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.clear_hits()

    # The holder has the archive open, as a crawl has: its -wal and -shm files exist.
    with ArchiveLock(db), Archive(db) as holder:
        holder.db.execute("SELECT count(*) FROM articles").fetchone()
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        before = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]
        busy_crawl = crawl(db, mirror)
        busy_reextract = bienphong("reextract", "--db", str(db))
        after = [hashlib.sha256(path.read_bytes()).hexdigest() for path in files]

    for result in (busy_crawl, busy_reextract):
        assert 75 == result.returncode
        assert [
            f"bienphong: error: another crawl or reextract (pid {os.getpid()}) is running on {db}"
        ] == (result.stderr.splitlines())
    assert [] == mirror.hits
    assert before == after  # every byte of the archive, its -wal and its -shm


def test_a_lock_left_by_a_killed_process_does_not_block_the_next_run(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=10, seed=2)
    db = tmp_path / "archive.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert "locked" == holder.stdout.readline().strip()
    assert 75 == crawl(db, mirror).returncode

    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    holder.stdout.close()
    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    assert 10 == len(archived(db))


HOLD_LOCK = """
import sys, time
from archive.drift import is_drift
from archive.lock import ArchiveLock
from archive.site import SECTION_SLUGS
lock = ArchiveLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(300)
"""


def test_failed_pages_are_recorded_and_retried_first_by_the_next_run(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=60, seed=9)
    broken = mirror.site.post_id(30)
    mirror.faults = Faults.parse(f"broken:{broken}")
    db = tmp_path / "archive.db"

    assert 0 == crawl(db, mirror).returncode
    runs = json.loads(bienphong("runs", "--db", str(db), "--json").stdout)
    assert [(broken, "HTTP 500")] == [(f["post_id"], f["reason"]) for f in runs[0]["failures"]]
    assert broken not in archived(db)

    mirror.faults = Faults()
    mirror.clear_hits()
    assert 0 == crawl(db, mirror).returncode

    paths = [hit.path for hit in mirror.hits if hit.path != "/robots.txt"]
    # Retried first: in the first batch in flight. The mirror logs a batch's requests in the
    # order they arrive, so not necessarily first (a feed was logged before it once).
    retried = [i for i, path in enumerate(paths) if path.endswith(f"-post{broken}.html")]
    assert retried and retried[0] < settings.CONCURRENT_REQUESTS, retried
    assert mirror.site.article_by_id(broken) is not None
    assert broken in archived(db)


def test_a_template_switch_that_hides_dates_is_flagged_as_drift(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    before = make_mirror(articles=100, seed=6, new_per_day=20, edits_per_day=0)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, before).returncode
    redesigned = make_mirror(articles=100, seed=6, new_per_day=20, edits_per_day=0, template="D")
    redesigned.set_day(1)

    result = crawl(db, redesigned)

    warning = (
        "possible markup drift: published_at found in 0% of new articles, "
        "against 100% over the last 1 runs"
    )
    assert 3 == result.returncode  # finished, but it needs a look
    assert ("WARNING", warning) in logged(result.stdout)
    runs = json.loads(bienphong("runs", "--db", str(db), "--json").stdout)
    assert [warning, []] == [runs[0]["warnings"][0], runs[1]["warnings"]]
    assert runs[0]["warnings"][1].startswith("possible redesign: the site rules read 0% of")
    assert 0.0 == runs[0]["fill_rates"]["published_at"]


def drift_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The drift warnings a crawl logged."""
    return [text for level, text in logged(result.stdout) if is_drift(text)]


def test_drift_is_silent_over_normal_days_rechecks_and_refetches_of_an_unchanged_site(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=100, seed=66, new_per_day=15, edits_per_day=3)
    db = tmp_path / "archive.db"
    results = [crawl(db, mirror)]
    for day in (1, 2, 3):
        mirror.set_day(day)
        results.append(crawl(db, mirror))
    results.append(crawl(db, mirror, "--recheck-since", "2000-01-01"))
    results.append(crawl(db, mirror, "--full", "--refetch"))

    assert [(0, [])] * 6 == [(result.returncode, drift_of(result)) for result in results]


@pytest.mark.parametrize("template", ["D", "X"])
@pytest.mark.parametrize("met_by", ["new articles", "a full refetch"])
def test_each_redesign_the_mirror_serves_is_drift_however_the_crawl_meets_it(
    make_mirror: MakeMirror, tmp_path: Path, template: str, met_by: str
) -> None:
    db = tmp_path / "archive.db"
    before = make_mirror(articles=60, seed=67, new_per_day=20, edits_per_day=0)
    assert 0 == crawl(db, before).returncode
    before.set_day(1)
    assert 0 == crawl(db, before).returncode
    redesigned = make_mirror(
        articles=60, seed=67, new_per_day=20, edits_per_day=0, template=template
    )
    redesigned.set_day(2 if met_by == "new articles" else 1)

    args = () if met_by == "new articles" else ("--full", "--refetch")
    result = crawl(db, redesigned, *args)

    assert 3 == result.returncode, result.stderr
    assert [] != drift_of(result)


def test_feeds_sitemaps_and_listings_are_asked_conditionally(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=200, seed=12, weighty=False)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.clear_hits()

    result = crawl(db, mirror)  # nothing changed on the site since

    assert "articles: 0 new, 0 updated, 0 unchanged, 0 failed" in result.stdout
    feeds = [hit for hit in mirror.hits if hit.path.startswith("/rss/")]
    listings = [hit for hit in mirror.hits if hit.path.endswith("/") and hit.path != "/"]
    # One feed form per section, the one the first walk saw answer; unchanged feeds leave
    # their listings unasked.
    assert sorted(f"/rss/{slug}.rss" for slug in SECTION_SLUGS) == sorted(h.path for h in feeds)
    assert [304] * 14 == [hit.status for hit in feeds]
    assert [] == listings
    assert 304 == next(h.status for h in mirror.hits if h.path == "/sitemap.xml")
    # robots.txt is read whole, once (by Scrapy's middleware): its Sitemap lines lead to the
    # news sitemap
    assert [200] == [h.status for h in mirror.hits if h.path == "/robots.txt"]
    assert 304 == next(h.status for h in mirror.hits if h.path == "/sitemaps/news.xml")
    assert [] == [hit.path for hit in mirror.hits if "-post" in hit.path]


def test_full_walks_again_without_fetching_and_refetch_fetches_all(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=60, seed=14)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode

    def monthly_sitemaps_asked(*args: str) -> int:
        mirror.clear_hits()
        assert 0 == crawl(db, mirror, *args).returncode
        assert {} == dict(article_fetches(mirror))
        return sum(1 for hit in mirror.hits if hit.path.startswith("/sitemaps/posts-"))

    months = [month for month in mirror.site.months() if mirror.site.month_range(*month)]
    assert (0, len(months)) == (
        monthly_sitemaps_asked(),  # incremental: the index says no month changed
        monthly_sitemaps_asked("--full"),
    )
    mirror.clear_hits()
    refetch = crawl(db, mirror, "--full", "--refetch")

    assert "articles: 0 new, 0 updated, 60 unchanged, 0 failed" in refetch.stdout
    assert dict.fromkeys(archived(db), 1) == dict(article_fetches(mirror))
    assert 2 == bienphong("crawl", "--db", str(db), "--refetch").returncode


def test_history_shows_a_word_diff_between_versions(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=40, seed=4, new_per_day=0, edits_per_day=1)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    before = {r["post_id"]: r for r in mirror.site.truth()}
    mirror.set_day(1)
    (post_id,) = (mirror.site.post_id(index) for index in mirror.site.edits)
    assert 0 == crawl(db, mirror, "--recheck-since", "2010-01-01").returncode
    after = mirror.site.article_by_id(post_id)
    assert after is not None

    result = bienphong("history", str(post_id), "--db", str(db), "--diff", "1", "2")

    old, new = before[post_id], after.truth()
    reading = ("title", "sapo", "body", "authors", "tags", "published_at", "modified_at")
    changed = [field for field in reading if old[field] != new[field]]
    assert "modified_at" in changed
    # The body a paragraph at a time: only those the correction changed.
    pairs = list(zip(old["body"].split("\n\n"), new["body"].split("\n\n"), strict=True))
    edited = [k for k, (was, now) in enumerate(pairs, start=1) if was != now]
    labels = [
        label
        for field in changed
        for label in ([f"body ¶{k}" for k in edited] if field == "body" else [field])
    ]
    lines = result.stdout.splitlines()
    assert labels == [line.split(":")[0] for line in lines]
    assert all("{+" in line for line in lines)
    edited_field = changed[0]
    added = set(new[edited_field].split()) - set(old[edited_field].split())
    assert added <= set(result.stdout.replace("{+", " ").replace("+}", " ").split())
    if edited:  # no paragraph it left alone is printed
        unchanged = [was for was, now in pairs if was == now]
        assert not any(paragraph in result.stdout for paragraph in unchanged)


def test_an_export_follows_the_crawls_by_run_or_by_time(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=40, seed=4, new_per_day=3, edits_per_day=1)
    db = tmp_path / "archive.db"

    def export(name: str, *args: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        output = tmp_path / name
        done = bienphong("export", "--output", str(output), *args, "--db", str(db))
        assert 0 == done.returncode, done.stderr
        records = [json.loads(line) for line in output.read_text().splitlines()]
        return records, json.loads(Path(f"{output}.manifest.json").read_text())

    assert 0 == crawl(db, mirror).returncode
    everything, first = export("first.jsonl")
    assert ([1], 1) == (first["runs"], first["last_run"])
    day_0 = {r["post_id"] for r in mirror.site.truth()}
    assert day_0 == {r["post_id"] for r in everything}
    mirror.set_day(1)
    assert 0 == crawl(db, mirror, "--recheck-since", "2010-01-01").returncode
    truth = {r["post_id"]: r for r in mirror.site.truth()}
    edited = {mirror.site.post_id(index) for index in mirror.site.edits}
    written = sorted(new_or_corrected(mirror, day_0))
    assert len(written) == 4

    by_run, by_run_manifest = export("run-2.jsonl", "--run", "2")
    assert written == sorted(r["post_id"] for r in by_run)
    assert ([2], 2) == (by_run_manifest["runs"], by_run_manifest["last_run"])
    for record in by_run:  # each as it now reads
        expected = truth[record["post_id"]]
        assert {k: v for k, v in record.items() if k in expected} == expected
    # Since the first export began, to the second: what run 1 wrote in that second comes
    # again (at least once, never lost).
    by_time, by_time_manifest = export("since.jsonl", "--changed-since", first["exported_at"])
    with Archive(db, readonly=True) as archive:
        same_second = {
            post_id
            for (post_id,) in archive.db.execute(
                "SELECT post_id FROM articles WHERE run_id = 1 AND updated_at = ?",
                [first["exported_at"]],
            )
        }
    assert sorted({*written, *same_second}) == sorted(r["post_id"] for r in by_time)
    assert ([1, 2] if same_second else [2]) == by_time_manifest["runs"]
    earlier, _ = export("run-1.jsonl", "--run", "1")
    assert sorted(day_0 - edited) == sorted(r["post_id"] for r in earlier)
    missing = bienphong("export", "--output", "-", "--run", "3", "--db", str(db))
    assert (1, f"bienphong: error: no run 3 in {db} (bienphong runs lists them)\n") == (
        missing.returncode,
        missing.stderr,
    )


def test_more_new_articles_than_a_feed_holds_are_found_through_the_listing(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    # No sitemaps, and more new articles in some sections than their feed's 20 items: those
    # sections' feeds do not reach back to the archive, so their listings are walked.
    mirror = make_mirror(
        articles=100, seed=22, new_per_day=400, edits_per_day=0, sitemaps=False, weighty=False
    )
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    mirror.set_day(1)
    mirror.clear_hits()

    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    assert "articles: 400 new, 0 updated, 0 unchanged, 0 failed" in result.stdout
    truth = sorted(record["post_id"] for record in mirror.site.truth())
    assert truth == sorted(archived(db))
    walked = {hit.path for hit in mirror.hits if hit.path.endswith("/") and hit.path != "/"}
    assert walked and len(walked) < 14  # the listings of the busy sections only
