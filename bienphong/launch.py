"""The `bienphong` entry point: signals first, then the command line.

The handlers go in before anything heavy is imported, so that a signal at any moment of
start-up ends the command the same way: SIGTERM and SIGHUP raise KeyboardInterrupt, as SIGINT
does, with the signal's name, and the finally-blocks run (a half-written export is removed, the
archive closed); the command line turns it into one line and 128 + the signal's number, as a
shell reports a command a signal ended. A crawl takes the signals over as it starts
(`crawler.stopping`): its first signal stops it gracefully.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, NoReturn

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop(number: int, frame: Any) -> NoReturn:
    raise KeyboardInterrupt(signal.Signals(number).name)


def ignore_signals() -> None:
    """Stopping already: a further signal would only break the way out (a second
    KeyboardInterrupt in the middle of the one line and the exit)."""
    for number in STOPPING:
        signal.signal(number, signal.SIG_IGN)


def stopped_status(error: KeyboardInterrupt) -> tuple[str, int]:
    """The signal's name and the exit status (128 + its number) of a command it stopped; a
    KeyboardInterrupt without a name is Python's own, from SIGINT."""
    name = str(error.args[0]) if error.args else "SIGINT"
    number = signal.Signals[name] if name in signal.Signals.__members__ else signal.SIGINT
    return name, 128 + number


def main() -> NoReturn:
    for number in STOPPING:
        signal.signal(number, stop)
    try:
        from bienphong.cli import cli

        cli()
    except KeyboardInterrupt as error:  # before the command line could say it in its words
        ignore_signals()
        name, status = stopped_status(error)
        print(f"bienphong: error: stopped by {name}", file=sys.stderr)
        sys.exit(status)
    sys.exit(0)
