"""The runs: each crawl and re-extraction, with its options, outcome, counts, fill rates,
warnings and the pages it could not archive (the `runs` and `failures` tables)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from archive.lock import ArchiveLock

if TYPE_CHECKING:
    from archive.store import Archive

RUN_COUNTS = ("pages_fetched", "new", "updated", "unchanged", "failed")


def start_run(archive: Archive, options: dict[str, Any]) -> int:
    """A new run, outcome "running"; options are stored as JSON (paths, dates as text)."""
    row = {
        "started_at": archive.now(),
        "outcome": "running",
        "options": json.dumps(options, ensure_ascii=False, default=str, sort_keys=True),
    }
    with archive.doing("start a run"):
        run_id = archive.db.table("runs").insert(row).last_pk
    assert isinstance(run_id, int)
    return run_id


def record_failure(
    archive: Archive, run_id: int | None, url: str, post_id: int | None, reason: str
) -> None:
    row = {
        "run_id": run_id,
        "url": url,
        "post_id": post_id,
        "reason": reason,
        "failed_at": archive.now(),
    }
    with archive.doing(f"record a failure of {url}"):
        archive.db.table("failures").insert(row)


def finish_run(
    archive: Archive,
    run_id: int,
    outcome: str,
    counts: dict[str, int],
    fill_rates: dict[str, float] | None,
    warnings: list[str] | None = None,
    generic_share: float | None = None,
) -> None:
    """Close a run with its outcome and counts (keys among RUN_COUNTS; missing ones stay 0),
    and the share of its articles that the generic path read, when known."""
    unknown = sorted(set(counts) - set(RUN_COUNTS))
    if unknown:
        raise ValueError(f"unknown run counts {unknown}; expected some of {list(RUN_COUNTS)}")
    row: dict[str, Any] = dict(counts) | {
        "finished_at": archive.now(),
        "outcome": outcome,
        "fill_rates": None if fill_rates is None else json.dumps(fill_rates, sort_keys=True),
        "warnings": json.dumps(warnings or [], ensure_ascii=False),
        "generic_share": generic_share,
    }
    with archive.doing(f"finish run {run_id}"):
        archive.db.table("runs").update(run_id, row)


def get_runs(archive: Archive, limit: int | None = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first, JSON decoded, each with its `failures`."""
    sql = "SELECT * FROM runs ORDER BY id DESC LIMIT ?"
    failures_sql = "SELECT url, post_id, reason FROM failures WHERE run_id = ? ORDER BY id"
    with archive.doing("read runs"):
        runs = list(archive.db.query(sql, [-1 if limit is None else limit]))
        for run in runs:
            for key in ("options", "fill_rates", "warnings"):
                run[key] = None if run[key] is None else json.loads(run[key])
            run["failures"] = list(archive.db.query(failures_sql, [run["id"]]))
    return runs


def runs_as_they_stand(archive: Archive, limit: int | None = 20) -> list[dict[str, Any]]:
    """The latest runs (`get_runs`), a run still `running` that no live process holds the
    lock for shown as `interrupted`: its process was killed (SIGKILL, a power cut) before it
    could close the run, which the next crawl marks so."""
    rows = get_runs(archive, limit)
    if not ArchiveLock(archive.path).held():
        for row in rows:
            if row["outcome"] == "running":
                row["outcome"] = "interrupted"
    return rows


def mark_interrupted_runs(archive: Archive) -> int:
    """Runs still "running" belong to a killed process (the caller holds the lock)."""
    with archive.doing("close interrupted runs"), archive.db.atomic():
        cursor = archive.db.execute(
            "UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'"
        )
    return cursor.rowcount
