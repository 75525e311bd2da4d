"""`bienphong runs --check`: a monitor's one question, "is the last crawl fine and recent?",
answered with an exit status and one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from archive.lock import ArchiveLock
from archive.runs import finish_run, start_run
from archive.store import Archive
from tests.helpers.cli import assert_one_line_error, invoke

LONG_AGO = "2026-01-01T00:00:00+00:00"
CRAWL = {"command": "crawl"}


def write_run(
    db: Path,
    outcome: str = "finished",
    options: dict[str, str] = CRAWL,
    reason: str | None = None,
    warnings: tuple[str, ...] = (),
    clock: Callable[[], str] | None = None,
    failed: int = 0,
) -> int:
    """A run written into the archive at `db` as a crawl writes one."""
    with Archive(db) if clock is None else Archive(db, clock=clock) as archive:
        run_id = start_run(archive, options)
        if outcome != "running":
            counts = {"pages_fetched": 100, "new": 40, "failed": failed}
            finish_run(archive, run_id, outcome, counts, None, list(warnings), reason=reason)
    return run_id


def check(db: Path, *args: str) -> tuple[int, str, str]:
    result = invoke("runs", "--check", "--db", str(db), *args)
    return result.exit_code, result.stdout, result.stderr


def test_a_clean_recent_crawl_is_fine_and_a_reextract_after_it_is_not_judged(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    run_id = write_run(db)
    write_run(db, options={"command": "reextract"})

    code, out, err = check(db, "--max-age", "26h")

    assert (0, "") == (code, err)
    assert out.startswith(f"ok: the last crawl (run {run_id}) finished cleanly at 20")


@pytest.mark.parametrize(
    ("written", "line"),
    [
        (
            {"outcome": "unreachable", "reason": "cannot reach 127.0.0.1:9: connection refused"},
            "ended unreachable: cannot reach 127.0.0.1:9: connection refused",
        ),
        (
            {"outcome": "refused", "reason": "robots.txt of www.bienphong.com.vn answered 503"},
            "ended refused: robots.txt of www.bienphong.com.vn answered 503",
        ),
        (
            {"outcome": "failed", "reason": "failed more pages than it read (80 failed, 20 read)"},
            "ended failed: failed more pages than it read (80 failed, 20 read)",
        ),
        (
            {"outcome": "shutdown", "reason": "stopped by SIGTERM"},
            "ended shutdown: stopped by SIGTERM",
        ),
        (
            {"warnings": ("possible redesign: the site rules read 0% of the articles", "x")},
            "needs a look: 1 drift warning",
        ),
        ({"failed": 9}, "needs a look: 9 failed pages of 100, over 5%"),
        ({"outcome": "running"}, "was killed before it could close its run"),
    ],
    ids=["unreachable", "refused", "failed", "stopped", "drift", "failures", "killed"],
)
def test_a_last_crawl_that_is_not_fine_is_status_3_and_one_line(
    tmp_path: Path, written: dict[str, object], line: str
) -> None:
    db = tmp_path / "a.db"
    write_run(db)  # an earlier crawl was fine: the last one is judged
    run_id = write_run(db, **written)  # type: ignore[arg-type]

    code, out, err = check(db)

    assert (3, "", f"bienphong: warning: the last crawl (run {run_id}) {line}\n") == (
        code,
        out,
        err,
    )


def test_a_crawl_too_long_ago_none_at_all_or_one_running_now(tmp_path: Path) -> None:
    old, empty, live = tmp_path / "old.db", tmp_path / "empty.db", tmp_path / "live.db"
    run_id = write_run(old, clock=lambda: LONG_AGO)
    Archive(empty).close()
    live_id = write_run(live, outcome="running")

    with ArchiveLock(live):  # a crawl holds the archive now
        running = check(live, "--max-age", "1h")

    assert (
        3,
        "",
        f"bienphong: warning: the last crawl (run {run_id}) finished at {LONG_AGO}: older than"
        " 26 h\n",
    ) == check(old, "--max-age", "26h")
    assert (3, "", f"bienphong: warning: no crawl run yet in {empty}\n") == check(empty)
    assert 0 == running[0]
    assert running[1].startswith(f"ok: a crawl is running (run {live_id}, since 20")


def test_a_bad_max_age_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    write_run(db)

    bad = invoke("runs", "--check", "--max-age", "a day", "--db", str(db))
    alone = invoke("runs", "--max-age", "1d", "--db", str(db))

    assert_one_line_error(
        "invalid duration 'a day': give a number and s, m, h or d, such as 26h", bad
    )
    assert_one_line_error("--max-age goes with --check", alone, exit_code=2)
