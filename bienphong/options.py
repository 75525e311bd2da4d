"""The options the commands share, each written once (as sqlite-utils' `output_options`), and
what they become: an archive path, a day, a selection of articles."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from archive.dates import parse_day, parse_iso
from archive.search import MAX_LIMIT, Filters, QueryError
from archive.site import SECTION_SLUGS
from archive.store import DEFAULT_PATH, check_writable
from bienphong.errors import CliError, CliUsageError

FC = TypeVar("FC", bound=Callable[..., Any])


def db_option(function: FC) -> FC:
    return click.option(
        "--db",
        type=click.Path(path_type=Path),
        default=DEFAULT_PATH,
        envvar="BIENPHONG_DB",
        show_default=True,
        show_envvar=True,
        help="The archive file.",
    )(function)


def json_option(help: str) -> Callable[[FC], FC]:
    """`--json`: print for a script to read, as `help` says."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def limit_option(function: FC) -> FC:
    return click.option(
        "--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True, metavar="N"
    )(function)


def explain_option(function: FC) -> FC:
    return click.option(
        "--explain",
        "explain_",
        is_flag=True,
        help="Say where each field came from (the rule or heuristic that found it); "
        "with --json, a 'provenance' key after the record's.",
    )(function)


# What narrows a set of articles, for `search` and `export` alike (`selection` reads them).
SELECTION_OPTIONS = (
    click.option(
        "--since",
        metavar="DATE",
        help="Only articles published since DATE (YYYY-MM-DD, DD/MM/YYYY, Nd).",
    ),
    click.option("--until", metavar="DATE", help="Only articles published up to DATE, inclusive."),
    click.option(
        "--section",
        "sections",
        multiple=True,
        metavar="SLUG",
        help="Only this section (repeatable).",
    ),
    click.option(
        "--author",
        "authors",
        multiple=True,
        metavar="NAME",
        help="Only this author, or any part of a name, with or without diacritics (repeatable).",
    ),
    click.option(
        "--tag",
        "tags",
        multiple=True,
        metavar="TAG",
        help="Only articles with this tag (repeatable).",
    ),
)


def selection_options(function: FC) -> FC:
    for option in reversed(SELECTION_OPTIONS):
        function = option(function)
    return function


def selection(
    query: str | None,
    since: str | None,
    until: str | None,
    sections: tuple[str, ...],
    authors: tuple[str, ...],
    tags: tuple[str, ...],
    ids: Collection[int] | None = None,
) -> Filters:
    """The articles the selection options ask for; a malformed query is a usage error."""
    try:
        return Filters.for_days(
            query,
            optional_day(since),
            optional_day(until),
            check_sections(sections),
            authors,
            ids,
            tags,
        )
    except QueryError as error:
        raise CliUsageError(str(error)) from error


def check_sections(sections: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [slug for slug in sections if slug not in SECTION_SLUGS]
    if unknown:
        raise CliError(
            f"unknown section {unknown[0]!r} (bienphong sections lists them):"
            f" {', '.join(SECTION_SLUGS)}"
        )
    return sections


def parse_moment(text: str, option: str) -> datetime:
    """A day (YYYY-MM-DD, its midnight on the site's clock; Nd) or an ISO 8601 time (UTC
    unless it names an offset), as `option` takes it."""
    if "T" not in text and ":" not in text:
        return parse_day(text)
    moment = parse_iso(text, UTC)
    if moment is None:
        raise CliError(
            f"invalid {option} {text!r}: use YYYY-MM-DD, Nd, or an ISO 8601 time such as"
            " 2026-12-06T02:00:00+00:00"
        )
    return moment


def optional_day(text: str | None) -> datetime | None:
    return None if text is None else parse_day(text)


def existing(db: Path) -> Path:
    """The archive a command rewrites must exist: only a crawl makes a new one."""
    if not db.exists():
        raise CliError(f"no archive at {db} (run 'bienphong crawl' to make one)")
    return db


def writable(db: Path) -> Path:
    """A writer asks the file system before it takes the lock: a read-only archive or folder
    is one line and status 1, never 75 (try again later), and no lock file is left."""
    check_writable(db)
    return db
