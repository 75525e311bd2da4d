"""pipelines.workers: a worker process runs what it is sent, in order, and answers as it ran."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from typing import Any

import pytest

from pipelines.workers import WorkerDied, WorkerProcess


class NeedsTwoArguments(Exception):
    """Pickles, but cannot be rebuilt from its pickle (its __init__ wants two arguments)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(first + second)


def raise_needs_two() -> None:
    raise NeedsTwoArguments("a", "b")


def log_a_warning_and_an_error() -> None:
    logger = logging.getLogger("trafilatura.core")
    logger.warning("a warning from a library")
    logger.error("an error from a library")


def nothing() -> None:
    """A worker's setup that does nothing."""


def run(steps: Any) -> Any:
    return asyncio.run(steps)


def test_answers_come_back_in_order_as_returned_or_raised() -> None:
    async def steps() -> list[Any]:
        worker = await WorkerProcess.start("test worker", nothing)
        calls = [worker.call(divmod, 17, 5), worker.call(int, "x"), worker.call(pow, 2, 10)]
        answers = await asyncio.gather(*calls, return_exceptions=True)
        await worker.stop()
        return [repr(answer) for answer in answers]

    assert [
        "(3, 2)",
        "ValueError(\"invalid literal for int() with base 10: 'x'\")",
        "1024",
    ] == run(steps())


def test_an_exception_that_cannot_travel_is_reported_not_lost() -> None:
    async def steps() -> None:
        worker = await WorkerProcess.start("test worker", nothing)
        try:
            with pytest.raises(RuntimeError, match=r"^unreadable answer: TypeError"):
                await worker.call(raise_needs_two)
            assert 4 == await worker.call(len, "abcd")  # and the worker goes on
        finally:
            await worker.stop()

    run(steps())


def test_stop_signals_are_left_to_the_crawl_and_stop_ends_the_process() -> None:
    async def steps() -> tuple[int, bool]:
        worker = await WorkerProcess.start("test worker", nothing)
        pid = await worker.call(os.getpid)
        os.kill(pid, signal.SIGINT)  # Ctrl-C reaches the whole group; the crawl decides
        os.kill(pid, signal.SIGTERM)
        answer = await worker.call(abs, -3)
        await worker.stop()
        return answer, worker.process.is_alive()

    assert (3, False) == run(steps())


def test_a_dead_worker_fails_what_it_held_and_what_comes_after() -> None:
    async def steps() -> list[str]:
        worker = await WorkerProcess.start("test worker", nothing)
        held = worker.call(os._exit, 4)
        outcomes = []
        for call in (held, worker.call(abs, -1)):
            with pytest.raises(WorkerDied) as died:
                await call
            outcomes.append(str(died.value))
        outcomes.append(str(await asyncio.gather(worker.call(abs, -2), return_exceptions=True)))
        await worker.stop()
        return outcomes

    message = "the test worker process ended (exit status 4)"
    assert [message, message, f"[WorkerDied('{message}')]"] == run(steps())


def test_a_worker_logs_as_its_crawl_does(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As Scrapy's configure_logging leaves the crawl: one root handler, on stderr (pytest's
    # own handlers set aside).
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s: %(message)s"))
    monkeypatch.setattr(logging.getLogger(), "handlers", [handler])

    async def steps() -> None:
        worker = await WorkerProcess.start("test worker", nothing)
        await worker.call(log_a_warning_and_an_error)
        await worker.stop()

    run(steps())

    assert ["[trafilatura.core] ERROR: an error from a library"] == (
        capfd.readouterr().err.splitlines()
    )


def test_a_worker_of_a_process_without_a_log_says_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    async def steps() -> None:
        worker = await WorkerProcess.start("test worker", nothing)
        await worker.call(log_a_warning_and_an_error)
        await worker.stop()

    run(steps())

    assert "" == capfd.readouterr().err
