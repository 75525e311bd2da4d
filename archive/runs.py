"""Crawl and re-extraction runs as a reader of the archive sees them."""

from __future__ import annotations

from typing import Any

from archive.lock import ArchiveLock
from archive.store import Archive


def runs_as_they_stand(archive: Archive, limit: int | None = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first (`Archive.get_runs`), a run still `running` that no
    live process holds the lock for shown as `interrupted`: its process was killed (SIGKILL,
    a power cut) before it could close the run, which the next crawl marks so."""
    rows = archive.get_runs(limit)
    if not ArchiveLock(archive.path).held():
        for row in rows:
            if row["outcome"] == "running":
                row["outcome"] = "interrupted"
    return rows
