"""A consistent copy of the archive while a crawl writes to it or a reader reads it:
`bienphong backup`.

`cp` of a WAL database under a writer copies the file and its log at two moments. SQLite's
online backup API copies the pages as one read transaction sees them: one moment, every commit
up to it and none after, while the writer goes on (a WAL reader blocks no writer). The copy is
made beside the destination and takes its name only when whole, as one file in rollback
journal mode (no -wal or -shm to carry along).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.errors import ArchiveError, sqlite_errors
from archive.export import partial_path, sweep_partials
from archive.store import Archive


def backup_path(archive: Archive, destination: Path) -> Path:
    """Where the copy goes: `destination`, or the archive's file name inside it when it is
    a folder."""
    return destination / archive.path.name if destination.is_dir() else destination


def backup(archive: Archive, destination: Path, force: bool = False) -> Path:
    """Copy `archive` to `destination` (a file, or a folder to copy it into); the copy's
    path. ArchiveError when the destination exists and `force` is not given, is the archive
    itself, or cannot be written; nothing is left behind then."""
    target = backup_path(archive, destination)
    if target.exists() and target.resolve() == archive.path.resolve():
        raise ArchiveError(f"{target} is the archive itself: give another path")
    if target.exists() and not force:
        raise ArchiveError(f"{target} exists: give --force to replace it")
    if not target.parent.is_dir():
        raise ArchiveError(f"cannot write {target}: no directory {target.parent}")
    partial = partial_path(target)  # what a killed backup left, the next one sweeps away
    try:
        sweep_partials(target)
        partial.touch(0o600, exist_ok=False)
    except OSError as error:
        raise ArchiveError(f"cannot write in {target.parent}: {error.strerror}") from None
    try:
        _copy(archive, partial, target)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _copy(archive: Archive, partial: Path, target: Path) -> None:
    with sqlite_errors(target, "write a copy"):
        copy = sqlite3.connect(partial)
        try:
            archive.db.conn.backup(copy)  # all pages in one step: one read transaction
            copy.execute("PRAGMA journal_mode = DELETE")
            copy.commit()
        finally:
            copy.close()
