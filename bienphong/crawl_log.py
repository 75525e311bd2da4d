"""Where the lines `bienphong crawl` writes itself go: its summary on stdout, an error on
stderr, and, with `--log-file`, both in that file too.

On a terminal a line is as a person reads it. Elsewhere (cron's mail, systemd's journal, a
file) every line is a line of the crawl's log, stamped as Scrapy stamps its own (LOG_FORMAT,
LOG_DATEFORMAT): `2026-12-07 00:17:33 [bienphong] INFO: Crawl finished in 10.6 s (run 1)`. With
`--log-file`, the summary goes to the file and to stdout only when stdout is a terminal, so a
scheduled crawl that went well writes nothing for cron to mail; an error goes to stderr too.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import click

STAMP = "%Y-%m-%d %H:%M:%S"  # Scrapy's LOG_DATEFORMAT
WARNING = "warning: "  # a summary line that is a warning starts so


def stamped(line: str, level: str = "INFO") -> str:
    """`line` as a line of the crawl's log; a summary's `warning: ...` at level WARNING."""
    if line.startswith(WARNING):
        level, line = "WARNING", line.removeprefix(WARNING)
    return f"{time.strftime(STAMP)} [bienphong] {level}: {line}"


@dataclass(frozen=True)
class CrawlLog:
    """The crawl's own lines, for a log file (`None`: stdout and stderr only)."""

    file: Path | None = None

    def summary(self, text: str) -> None:
        if self.file is not None:
            self._append([stamped(line) for line in text.splitlines()])
        if self.file is None or _is_terminal(sys.stdout):
            self._echo(text, sys.stdout)

    def error(self, message: str, level: str = "ERROR") -> None:
        """The line the crawl ends with when it did not end well (`level` WARNING: it ran,
        but needs a look)."""
        if self.file is not None:
            self._append([stamped(message, level)])
        if _is_terminal(sys.stderr):
            click.echo(f"bienphong: {level.lower()}: {message}", err=True)
        else:
            click.echo(stamped(message, level), err=True)

    def _echo(self, text: str, stream: TextIO) -> None:
        if _is_terminal(stream):
            click.echo(text)
        else:
            click.echo("\n".join(stamped(line) for line in text.splitlines()))

    def _append(self, lines: list[str]) -> None:
        try:
            with self.file.open("a", encoding="utf-8") as log:  # type: ignore[union-attr]
                log.writelines(f"{line}\n" for line in lines)
        except OSError as error:  # the log's disk: say so where it can still be read
            click.echo(f"bienphong: error: cannot write {self.file}: {error.strerror}", err=True)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a file
        return False
