"""The crawl's other processes: extraction workers and the archive's writer.

Scrapy runs everything on one reactor thread, and that thread is what limits the crawl.
Extraction is CPU-bound Python (lxml, trafilatura, the site rules); on a thread it still
waited for the GIL. The archive's writes are mostly SQLite, which gives up the GIL, but an
article takes a dozen statements, each giving it up and taking it back. So both run in
processes of their own (docs/benchmarks.md, `profiling`).

A worker is spoken to over a socket pair the event loop watches: calls are written without
blocking and answers read by one task. No helper thread in the crawl's process (a
ProcessPoolExecutor keeps two per pool) contends with the reactor for the GIL.

Workers are spawned, not forked: a fork would copy the reactor, its threads and the archive
lock's descriptor. They run below the crawl in priority, so they fill the reactor's gaps
instead of taking its core, and on Linux they die with it (PR_SET_PDEATHSIG): a crawl killed
with SIGKILL leaves no worker behind holding the archive.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from archive.store import Archive

if TYPE_CHECKING:  # the extractor itself loads in the workers only
    from pipelines.extraction import Extraction

T = TypeVar("T")
Explain = Callable[..., "Extraction"]

WORKER_NICENESS = 10
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
STOP_TIMEOUT = 10.0  # seconds a worker has to finish its calls and exit once told to


class WorkerDied(Exception):
    """A worker process ended before it answered."""


def default_processes() -> int:
    """Extraction workers: one per core beyond the reactor's own, and at least one."""
    return max(1, (os.cpu_count() or 2) - 1)


class WorkerProcess:
    """A spawned process that runs the functions it is sent, one at a time, in order.

    `call(fn, *args)` returns a future of `fn(*args)` as the worker returned or raised it.
    `fn` and its arguments travel by pickle: a module-level function and plain data.
    """

    def __init__(
        self,
        name: str,
        process: multiprocessing.process.BaseProcess,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.name = name
        self.process = process
        self.reader = reader
        self.writer = writer
        self.pending: deque[asyncio.Future[Any]] = deque()
        self.died: WorkerDied | None = None
        self.answers = asyncio.get_running_loop().create_task(self._read_answers())

    @classmethod
    async def start(cls, name: str, setup: Callable[..., None], *args: Any) -> WorkerProcess:
        """A new worker, `name` in messages, that calls `setup(*args)` before its first call.
        It logs as this process does (Scrapy's LOG_LEVEL, LOG_FORMAT, LOG_FILE)."""
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("spawn")
        serving = (theirs, setup, args, LogTarget.of_this_process())
        process = context.Process(target=_serve, args=serving, daemon=True)
        # Born with the stop signals blocked (a mask survives fork and exec), so a Ctrl-C or a
        # systemd stop sent to the whole group cannot reach it before `_serve` ignores them.
        # Here they only wait the few milliseconds of the spawn.
        before = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        return cls(name, process, reader, writer)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> asyncio.Future[T]:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self.died is not None:
            future.set_exception(self.died)
            return future
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(struct.pack("!Q", len(payload)) + payload)
        self.pending.append(future)
        return future

    @property
    def load(self) -> int:
        return len(self.pending)

    async def stop(self) -> None:
        """Let the worker finish what it was sent, then end it."""
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)
        self.writer.close()  # the worker reads the end of its input and exits
        await self._ended(STOP_TIMEOUT)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.answers.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.answers

    async def _ended(self, timeout: float) -> None:
        """Wait (without blocking the loop) up to `timeout` seconds for the process to end."""
        deadline = time.monotonic() + timeout
        while self.process.is_alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def _read_answers(self) -> None:
        try:
            while True:
                (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
                answer = await self.reader.readexactly(size)
                future = self.pending.popleft()
                try:
                    ok, value = pickle.loads(answer)
                except Exception as error:  # say, an exception class that cannot be rebuilt
                    ok, value = False, RuntimeError(f"unreadable answer: {error!r}")
                if future.cancelled():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self._ended(1.0)  # its input closed as it died: wait to read how it ended
            status = self.process.exitcode
            self.died = WorkerDied(f"the {self.name} process ended (exit status {status})")
            while self.pending:
                future = self.pending.popleft()
                if not future.done():
                    future.set_exception(self.died)


@dataclass(frozen=True)
class LogTarget:
    """Where and how a process logs: its root handler's level and format, and its file (None:
    standard error). A worker logs like its crawl, so a library's warning in a worker (say,
    trafilatura's) shows as it would have in the crawl, or not at all."""

    level: int
    format: str | None
    datefmt: str | None
    filename: str | None

    @classmethod
    def of_this_process(cls) -> LogTarget | None:
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.FileHandler):
                filename: str | None = handler.baseFilename
            elif isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
                filename = None
            else:  # a test's capture, say: nothing a worker could write to
                continue
            formatter = handler.formatter or logging.Formatter()
            return cls(handler.level, formatter._fmt, formatter.datefmt, filename)
        return None

    def install(self) -> None:
        handler = (
            logging.FileHandler(self.filename, encoding="utf-8")
            if self.filename
            else logging.StreamHandler(sys.stderr)
        )
        handler.setFormatter(logging.Formatter(self.format, self.datefmt))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(self.level)


def _serve(
    sock: socket.socket,
    setup: Callable[..., None],
    args: tuple[Any, ...],
    log: LogTarget | None,
) -> None:
    """The worker's loop: call what arrives, answer (ok, value), until its input ends.

    Stop signals are ignored: a Ctrl-C or systemd's stop reaches every process of the group,
    and the crawl, stopping gracefully, still needs its workers to finish and close the run.
    The crawl ends them by closing their input; if it dies, so do they (PR_SET_PDEATHSIG).
    """
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    os.nice(WORKER_NICENESS)
    _die_with_parent()
    if log is not None:
        log.install()
    else:  # a handler, so that Python's last resort does not print warnings anyway
        logging.getLogger().addHandler(logging.NullHandler())
    setup(*args)
    while True:
        try:
            (size,) = struct.unpack("!Q", _read(sock, 8))
            fn, fn_args, kwargs = pickle.loads(_read(sock, size))
        except EOFError:
            return
        try:
            answer: tuple[bool, Any] = (True, fn(*fn_args, **kwargs))
        except Exception as error:
            answer = (False, error)
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # an answer or exception that cannot travel
            payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))
        sock.sendall(struct.pack("!Q", len(payload)) + payload)


def _read(sock: socket.socket, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        count = sock.recv_into(view[got:])
        if not count:
            raise EOFError
        got += count
    return buffer


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the crawl's process ends, however it ends."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() == 1:  # the crawl died before the request took hold
            os._exit(1)


# -- extraction ------------------------------------------------------------------------------


class ExtractionWorkers:
    """`await workers.extract(...)` runs `function` (the extractor's `explain`: the record and
    its provenance) on a worker process, or, with `processes=0`, right here on the calling
    thread.

    A worker that dies (a page that crashes lxml, the OOM killer) costs the pages it had:
    they fail with WorkerDied, and the next page gets a new worker.
    """

    def __init__(self, processes: int, function: Explain | None = None) -> None:
        if processes < 0:
            raise ValueError(f"extraction processes must be 0 or more, not {processes}")
        self.processes = processes
        self.function = function or _extractor()
        self.workers: list[WorkerProcess] = []
        self.replacing = asyncio.Lock()

    async def start(self) -> None:
        self.workers = [
            await WorkerProcess.start("extraction worker", _nothing) for _ in range(self.processes)
        ]

    async def extract(
        self, body: bytes, url: str, fetched_at: datetime, section_hint: str | None
    ) -> Extraction:
        if not self.processes:
            return self.function(body, url, fetched_at, section_hint=section_hint)
        if not self.workers:
            await self.start()
        index = min(range(len(self.workers)), key=lambda i: self.workers[i].load)
        if self.workers[index].died is not None:
            await self._replace(index)
        worker = self.workers[index]
        return await worker.call(self.function, body, url, fetched_at, section_hint=section_hint)

    async def _replace(self, index: int) -> None:
        """A new worker for a dead one, once, however many pages find it dead at once."""
        dead = self.workers[index]
        async with self.replacing:
            if self.workers[index] is dead:
                await dead.stop()
                self.workers[index] = await WorkerProcess.start("extraction worker", _nothing)

    async def stop(self) -> None:
        for worker in self.workers:
            await worker.stop()
        self.workers = []


def _extractor() -> Explain:
    # Imported here: the archive's writer process imports this module and never extracts.
    from pipelines.extraction import explain

    return explain


def _nothing() -> None:
    """An extraction worker's setup: the extractor is imported with the first call."""


# -- the archive's writer --------------------------------------------------------------------


class ArchiveWriter:
    """The crawl's archive, open in a process of its own (or, with `in_process=True`, here).

    `await writer.run(fn, *args)` calls `fn(archive, *args)` there and returns what it
    returns; calls run one at a time, in the order they were made. The archive opens at the
    first call; ArchiveError and other exceptions come back to the caller as raised.
    """

    def __init__(self, path: str, *, in_process: bool = False) -> None:
        self.path = path
        self.in_process = in_process
        self.worker: WorkerProcess | None = None
        self.archive: Archive | None = None  # in_process only

    async def start(self) -> None:
        if not self.in_process:
            self.worker = await WorkerProcess.start("archive's writer", _open_later, self.path)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if not self.in_process:
            assert self.worker is not None, "ArchiveWriter.start() comes first"
            return await self.worker.call(_on_archive, fn, *args)
        if self.archive is None:
            self.archive = Archive(self.path)
        return fn(self.archive, *args)

    async def stop(self) -> None:
        """Close the archive and end its process, once every call made has finished."""
        if self.worker is not None:
            try:
                await self.worker.call(_close_archive)
            finally:
                await self.worker.stop()
        elif self.archive is not None:
            self.archive.close()
            self.archive = None


_writer_path: list[str] = []  # in the writer process: where its archive is
_writer_archive: list[Archive] = []  # and the archive, once open


def _open_later(path: str) -> None:
    _writer_path.append(path)


def _on_archive(fn: Callable[..., T], *args: Any) -> T:
    if not _writer_archive:
        _writer_archive.append(Archive(_writer_path[0]))
    return fn(_writer_archive[0], *args)


def _close_archive() -> None:
    while _writer_archive:
        _writer_archive.pop().close()
