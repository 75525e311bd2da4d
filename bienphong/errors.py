"""How the command line fails: one line on stderr, `bienphong: error: ...`, never a traceback,
and a documented exit status.

0 done; 1 the command could not run (archive missing, unreadable or newer, bad date or
section, unwritable output, unknown article, a saved page that cannot be read); 2 usage
error (for `extract`, also a page whose address is unknown: no canonical link, og:url or
shortlink to an article on the site, and no --url), or a malformed search query; 3 a crawl
that finished but needs a look (a drift warning, failed pages over the share:
`CliAttention`); 75 (EX_TEMPFAIL) another crawl or reextract holds the archive; 130 a crawl
stopped at once by a second Ctrl-C; 128 + N a command a signal stopped (`stopped`: 130
SIGINT, 143 SIGTERM, 129 SIGHUP; `bienphong.launch`).
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, NoReturn

import click

from archive.dates import DateError
from archive.errors import ArchiveError
from archive.export import ExportError
from archive.lock import EX_TEMPFAIL, ArchiveBusy
from bienphong.crawl_log import CrawlLog
from bienphong.launch import ignore_signals, stopped_status

EXIT_CANNOT_RUN = 1
EXIT_USAGE = 2
EXIT_ATTENTION = 3
# Every character str.splitlines() breaks at, written as its escape.
LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


# Where a command that keeps a log (`bienphong crawl`) puts it, in the click context's `meta`,
# which every context of one invocation shares: its error is then a line of that log too.
LOG_KEY = "bienphong.crawl_log"


def report_to(log: CrawlLog) -> None:
    """From now on in this invocation, an error is a line of `log` (`bienphong.crawl_log`)."""
    click.get_current_context().meta[LOG_KEY] = log


class CliError(click.ClickException):
    """One line on stderr; the command could not run."""

    exit_code = EXIT_CANNOT_RUN
    level = "ERROR"
    log: CrawlLog | None = None  # the command's log, when it keeps one

    def show(self, file: Any = None) -> None:
        # One line whatever the user typed into the message (a host, a query with a newline).
        message = self.format_message().translate(LINE_BREAKS)
        if self.log is not None:
            self.log.error(message, self.level)
        else:
            click.echo(f"bienphong: {self.level.lower()}: {message}", err=True)


class CliUsageError(CliError):
    """One line on stderr; a usage error, or a malformed search query."""

    exit_code = EXIT_USAGE


class CliAttention(CliError):
    """One line on stderr, a warning; the command ran, but what it found needs a look (a
    crawl with drift warnings, or too many failed pages; a last run that is not fine)."""

    exit_code = EXIT_ATTENTION
    level = "WARNING"


class CliInterrupted(CliError):
    """One line on stderr; stopped at once by a second Ctrl-C (128 + SIGINT, as shells do)."""

    exit_code = 130


def stopped(error: KeyboardInterrupt, log: CrawlLog | None = None) -> NoReturn:
    """A signal stopped the command: one line on stderr (or the command's log), and 128 + the
    signal's number, as a shell tells a command a signal ended."""
    ignore_signals()
    name, status = stopped_status(error)
    line = CliError(f"stopped by {name}")
    line.log = log
    line.show()
    sys.exit(status)


class CliBusy(CliError):
    """One line on stderr; another run holds the archive: try again later."""

    exit_code = EX_TEMPFAIL


# The output's device is full or failing (`bienphong search bien > /dev/full`): what a command
# writes to stdout cannot go anywhere. Files a command writes itself say so in their own words.
OUTPUT_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


class BienphongGroup(click.Group):
    """Turns domain errors and click's usage errors into CliError's one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except KeyboardInterrupt as error:  # while the arguments were read
            stopped(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke(ctx)
        except CliError as error:
            error.log = ctx.meta.get(LOG_KEY)
            raise
        except KeyboardInterrupt as error:  # SIGINT, or SIGTERM and SIGHUP (bienphong.launch)
            stopped(error, ctx.meta.get(LOG_KEY))

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CliError:
            raise
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else ctx.command_path
            message = f"{error.format_message().rstrip('.')} (see '{where} --help')"
            raise CliUsageError(message) from error
        except ArchiveBusy as error:
            raise CliBusy(str(error)) from error
        except (ArchiveError, DateError, ExportError) as error:
            raise CliError(str(error)) from error
        except OSError as error:
            if error.errno not in OUTPUT_FULL:
                raise
            # Nothing more reaches the output: the interpreter's last flush would fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise CliError(f"cannot write the output: {error.strerror or error}") from error
