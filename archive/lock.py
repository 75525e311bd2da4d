"""One writer run at a time per archive: an advisory lock on `<archive>.lock`, and one on the
archive file itself.

The locks are `flock`s held by the running process, so the operating system drops them when the
process ends, however it ends: a crawl killed with SIGKILL leaves a file behind but no lock, and
the next run goes ahead. The lock file, named from the archive's resolved path, holds the pid
for the message; the lock on the archive file (taken when it exists) holds against its other
names, hard links, which no path resolves to one. An `flock` does not meet SQLite's own locks
(POSIX record locks) on Linux; the descriptor stays open until SQLite has closed the file, as
closing any descriptor of a file drops the process's record locks on it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from archive.errors import ArchiveError

EX_TEMPFAIL = 75  # sysexits.h: try again later


class ArchiveBusy(Exception):
    """Another run holds the archive; the message is one line for the user."""


class ArchiveLock:
    def __init__(self, db: Path | str) -> None:
        # Beside the file itself, whatever spelling or symbolic link named it: every path to
        # one archive takes one lock.
        self.archive = Path(db).resolve()
        self.path = Path(f"{self.archive}.lock")
        self._fd: int | None = None
        self._archive_fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:  # a read-only folder: no writer can run here, now or later
            raise ArchiveError(f"cannot create the lock {self.path}: {error.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            archive = self.path.with_suffix("")
            raise ArchiveBusy(
                f"another crawl or reextract (pid {holder}) is running on {archive}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        try:
            self._archive_fd = os.open(self.archive, os.O_RDONLY)
        except OSError:  # not made yet (its first crawl makes it), or not a file to lock
            return
        try:
            fcntl.flock(self._archive_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise ArchiveBusy(
                f"another crawl or reextract is running on {self.archive} under another name"
                " (a hard link to the same file)"
            ) from None

    def held(self) -> bool:
        """Whether a live process holds the lock now (asked without taking it, and without
        writing: the lock file is only read)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:  # no lock file: no run ever took it
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops the shared lock, if taken
        return False

    def release(self) -> None:
        if self._archive_fd is not None:
            os.close(self._archive_fd)  # closing drops its flock
            self._archive_fd = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
