"""The runs: each crawl and re-extraction, with its options, outcome, counts, fill rates,
warnings and the pages it could not archive (the `runs` and `failures` tables).

A run's account is written as it goes (`count_run`, every few seconds of a crawl) and closed
once (`finish_run`), so a live run and a killed one show what they did. `Run` is that account
as the archive holds it: what `bienphong crawl` prints at the end, `bienphong runs` lists and
`runs --check` judges.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from archive.dates import parse_iso
from archive.drift import is_drift
from archive.lock import ArchiveLock

if TYPE_CHECKING:
    from archive.store import Archive

# A run's counts, as columns of `runs`; `failed` is failed_articles + failed_pages.
RUN_COUNTS = (
    "pages_fetched",
    "new",
    "updated",
    "unchanged",
    "failed",
    "failed_articles",
    "failed_pages",
)
# How a run can end, as `outcome` holds it (`running` while it runs, or when it was killed).
OUTCOMES = (
    "running", "finished", "failed", "unreachable", "refused", "archive_error", "shutdown",
    "paused",
)  # fmt: skip
# A run that finished with more failed pages than this share of the pages it fetched needs a
# look (`bienphong crawl` exits 3, `runs --check` says so): the site is failing, or the network.
FAILED_SHARE = 0.05


@dataclass(frozen=True)
class Run:
    """One run as the archive holds it."""

    id: int
    started_at: str
    finished_at: str | None
    outcome: str
    reason: str | None  # why it ended so: the site unreachable or refusing, a signal, ...
    options: dict[str, Any]  # how it was asked: its command and bounds (--since, --section...)
    pages_fetched: int
    new: int
    updated: int
    unchanged: int
    failed: int  # failed_articles + failed_pages
    failed_articles: int
    failed_pages: int  # feeds, sitemaps and listings
    counted_at: str | None  # when the counts were last written
    fill_rates: dict[str, float] | None  # field → share of the run's new articles with it
    generic_share: float | None
    templates: dict[str, int] | None  # the site rules' template → the articles it read
    warnings: list[str]
    failures: list[dict[str, Any]] = field(default_factory=list)  # url, post_id, reason

    @property
    def command(self) -> str:
        return str(self.options.get("command", "crawl"))

    @property
    def saved(self) -> int:
        return self.new + self.updated + self.unchanged

    def concerns(self) -> list[str]:
        """Why a run that ended well still needs a look: its drift warnings, or more failed
        pages than FAILED_SHARE of those it fetched; none when nothing does."""
        found = []
        if drift := [warning for warning in self.warnings if is_drift(warning)]:
            found.append(f"{len(drift)} drift warning{'s' if len(drift) > 1 else ''}")
        if self.failed > FAILED_SHARE * max(self.pages_fetched, 1):
            found.append(
                f"{self.failed} failed pages of {self.pages_fetched}, over {FAILED_SHARE:.0%}"
            )
        return found

    def as_json(self) -> dict[str, Any]:
        """The run as `bienphong runs --json` prints it (docs/operations.md, field by field)."""
        return asdict(self)


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


def _checked(counts: dict[str, int]) -> dict[str, int]:
    unknown = sorted(set(counts) - set(RUN_COUNTS))
    if unknown:
        raise ValueError(f"unknown run counts {unknown}; expected some of {list(RUN_COUNTS)}")
    return dict(counts)


def count_run(archive: Archive, run_id: int, counts: dict[str, int]) -> None:
    """Write a running run's counts so far (keys among RUN_COUNTS)."""
    row = _checked(counts) | {"counted_at": archive.now()}
    with archive.doing(f"count run {run_id}"):
        archive.db.table("runs").update(run_id, row)


def finish_run(
    archive: Archive,
    run_id: int,
    outcome: str,
    counts: dict[str, int],
    fill_rates: dict[str, float] | None,
    warnings: list[str] | None = None,
    generic_share: float | None = None,
    reason: str | None = None,
    templates: dict[str, int] | None = None,
) -> None:
    """Close a run with its outcome, why (`reason`, when it did not simply finish) and counts
    (keys among RUN_COUNTS; missing ones stay 0), and the share of its articles that the
    generic path read, when known."""
    now = archive.now()
    row: dict[str, Any] = _checked(counts) | {
        "finished_at": now,
        "counted_at": now,
        "outcome": outcome,
        "reason": reason,
        "fill_rates": None if fill_rates is None else json.dumps(fill_rates, sort_keys=True),
        "warnings": json.dumps(warnings or [], ensure_ascii=False),
        "generic_share": generic_share,
        "templates": None if templates is None else json.dumps(templates, sort_keys=True),
    }
    with archive.doing(f"finish run {run_id}"):
        archive.db.table("runs").update(run_id, row)


def get_runs(archive: Archive, limit: int | None = 20, before: int | None = None) -> list[Run]:
    """The latest runs (before run `before`, when given), newest first, each with its
    `failures`."""
    sql = "SELECT * FROM runs WHERE id < ? ORDER BY id DESC LIMIT ?"
    failures_sql = "SELECT url, post_id, reason FROM failures WHERE run_id = ? ORDER BY id"
    with archive.doing("read runs"):
        params = [2**63 - 1 if before is None else before, -1 if limit is None else limit]
        rows = list(archive.db.query(sql, params))
        return [_run(row, list(archive.db.query(failures_sql, [row["id"]]))) for row in rows]


def get_run(archive: Archive, run_id: int) -> Run | None:
    with archive.doing("read runs"):
        row = next(archive.db.query("SELECT * FROM runs WHERE id = ?", [run_id]), None)
        if row is None:
            return None
        failures = archive.db.query(
            "SELECT url, post_id, reason FROM failures WHERE run_id = ? ORDER BY id", [run_id]
        )
        return _run(row, list(failures))


def _run(row: dict[str, Any], failures: list[dict[str, Any]]) -> Run:
    def decoded(key: str, default: Any) -> Any:
        return default if row[key] is None else json.loads(row[key])

    return Run(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        outcome=row["outcome"],
        reason=row["reason"],
        options=decoded("options", {}),
        pages_fetched=row["pages_fetched"] or 0,
        new=row["new"] or 0,
        updated=row["updated"] or 0,
        unchanged=row["unchanged"] or 0,
        failed=row["failed"] or 0,
        failed_articles=row["failed_articles"] or 0,
        failed_pages=row["failed_pages"] or 0,
        counted_at=row["counted_at"],
        fill_rates=decoded("fill_rates", None),
        generic_share=row["generic_share"],
        templates=decoded("templates", None),
        warnings=decoded("warnings", []),
        failures=failures,
    )


def runs_as_they_stand(archive: Archive, limit: int | None = 20) -> list[Run]:
    """The latest runs (`get_runs`), a run still `running` that no live process holds the
    lock for shown as `interrupted`: its process was killed (SIGKILL, a power cut, a second
    Ctrl-C) before it could close the run, which the next crawl marks so."""
    runs = get_runs(archive, limit)
    if ArchiveLock(archive.path).held():
        return runs
    return [
        replace(run, outcome="interrupted") if run.outcome == "running" else run for run in runs
    ]


def mark_interrupted_runs(archive: Archive) -> int:
    """Runs still "running" belong to a killed process (the caller holds the lock)."""
    with archive.doing("close interrupted runs"), archive.db.atomic():
        cursor = archive.db.execute(
            "UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'"
        )
    return cursor.rowcount


def spoken(delta: timedelta) -> str:
    """`26 h`, `2 d`, `90 min`, `45 s`: a duration as `--max-age` takes it."""
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def last_crawl_verdict(
    archive: Archive, now: datetime, max_age: timedelta | None = None
) -> tuple[bool, str]:
    """Whether the last crawl run (not a re-extraction) is fine, and one line saying so or
    why not: it finished (or paused at its time box) with no concern, within `max_age` of
    `now`; or a crawl is running now."""
    crawls = [run for run in runs_as_they_stand(archive, None) if run.command == "crawl"]
    if not crawls:
        return False, f"no crawl run yet in {archive.path}"
    last = crawls[0]
    name = f"the last crawl (run {last.id})"
    if last.outcome == "running":
        return True, f"a crawl is running (run {last.id}, since {last.started_at})"
    if last.outcome not in ("finished", "paused"):
        why = {"interrupted": "was killed before it could close its run"}.get(
            last.outcome, f"ended {last.outcome}"
        )
        return False, f"{name} {why}" + (f": {last.reason}" if last.reason else "")
    if concerns := last.concerns():
        return False, f"{name} needs a look: {'; '.join(concerns)}"
    ended = parse_iso(last.finished_at) or now
    if max_age is not None and now - ended > max_age:
        return False, f"{name} {last.outcome} at {last.finished_at}: older than {spoken(max_age)}"
    return True, f"{name} {last.outcome} cleanly at {last.finished_at}"
