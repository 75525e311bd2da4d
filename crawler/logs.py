"""The crawl's log, as an operator reads it: every line stamped with its time (Scrapy's own
LOG_FORMAT and LOG_DATEFORMAT), the project's lines under the logger `bienphong`, and no line
from a library that is advice to a developer or noise about something the crawl handles itself.

Verbosity: `quiet` keeps warnings and errors (and the summary `bienphong crawl` prints); the
default adds the project's progress lines; `verbose` adds Scrapy's own INFO lines. Scrapy's
root handler (LOG_LEVEL, LOG_FILE) writes the libraries' lines; the project's logger has a
handler of its own, to the same place in the same form, so that its INFO lines are written
while the libraries' are not.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Literal

from scrapy.settings import default_settings

Verbosity = Literal["quiet", "normal", "verbose"]
PROJECT = logging.getLogger("bienphong")
# (logger, the start of its message) that is noise: what it says, the crawl handles and counts.
NOISE = (
    # trafilatura's reset_caches (every thousand pages) asks htmldate to clear a cache that a
    # function of its does not have: nothing is wrong, and nothing is left uncleared that could be.
    ("htmldate.meta", "impossible to clear cache"),
    # An answer cut short: the request fails, is retried, and is recorded when it stays cut
    # (`truncated page`, `bienphong runs`); the advice to process broken responses is not ours.
    ("scrapy.core.downloader.handlers.http11", "Got data loss in"),
)


class DropNoise(logging.Filter):
    """Drops the records of one logger whose message starts with `start`."""

    def __init__(self, start: str) -> None:
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.start)


def quiet_the_noise() -> None:
    """The NOISE filters on their loggers, once."""
    for name, start in NOISE:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropNoise) and f.start == start for f in logger.filters):
            logger.addFilter(DropNoise(start))


def log_level(verbosity: Verbosity) -> str:
    """Scrapy's LOG_LEVEL: what of the libraries' lines is written."""
    return "INFO" if verbosity == "verbose" else "WARNING"


def project_log(verbosity: Verbosity, log_file: Path | None) -> None:
    """The project's logger writes its own lines (INFO, or WARNING when quiet) to `log_file`,
    else stderr, stamped as Scrapy stamps its lines."""
    handler: logging.Handler = (
        logging.StreamHandler(sys.stderr)
        if log_file is None
        else logging.FileHandler(log_file, encoding="utf-8")
    )
    handler.setFormatter(
        logging.Formatter(default_settings.LOG_FORMAT, default_settings.LOG_DATEFORMAT)
    )
    for old in PROJECT.handlers[:]:
        PROJECT.removeHandler(old)
        old.close()
    PROJECT.addHandler(handler)
    PROJECT.propagate = False
    PROJECT.setLevel(logging.WARNING if verbosity == "quiet" else logging.INFO)
