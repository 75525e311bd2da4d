"""`bienphong`: the command line over the archive. Each command is a few lines over the library.

Errors are one line on stderr, `bienphong: error: ...`, never a traceback. Exit statuses:
0 done; 1 the command could not run (archive missing, unreadable or newer, bad date or section,
unwritable output, unknown article); 2 usage error, or a command or format of a later release;
75 (EX_TEMPFAIL) another crawl or reextract holds the archive.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import click

from archive import __version__
from archive.dates import DateError, day_after, parse_day
from archive.export import LATER_FORMATS, ExportError, export_jsonl
from archive.lock import EX_TEMPFAIL, ArchiveBusy
from archive.store import DEFAULT_PATH, Archive, ArchiveError
from crawler.urls import CANONICAL_ORIGIN, SECTION_SLUGS

FC = TypeVar("FC", bound=Callable[..., Any])
EXIT_CANNOT_RUN = 1
EXIT_USAGE = 2


class CliError(click.ClickException):
    """One line on stderr; the command could not run."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file: Any = None) -> None:
        click.echo(f"bienphong: error: {self.format_message()}", err=True)


class CliUsageError(CliError):
    """One line on stderr; a usage error, or a feature of a later release."""

    exit_code = EXIT_USAGE


class CliBusy(CliError):
    """One line on stderr; another run holds the archive: try again later."""

    exit_code = EX_TEMPFAIL


class BienphongGroup(click.Group):
    """Turns domain errors and click's usage errors into CliError's one line."""

    def invoke(self, ctx: click.Context) -> Any:
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


def check_sections(sections: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [slug for slug in sections if slug not in SECTION_SLUGS]
    if unknown:
        raise CliError(f"unknown section {unknown[0]!r}; valid: {', '.join(SECTION_SLUGS)}")
    return sections


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(
            f"invalid --base-url {url!r}: give an http(s) address such as {CANONICAL_ORIGIN}"
        )
    return url.rstrip("/")


def optional_day(text: str | None) -> datetime | None:
    return None if text is None else parse_day(text)


@click.group(name="bienphong", cls=BienphongGroup)
@click.version_option(__version__, prog_name="bienphong")
def cli() -> None:
    """The archive of record for bienphong.com.vn (Báo Biên phòng).

    Crawl the site into one SQLite file, then show, search and export what it holds.
    Errors are one line on stderr, "bienphong: error: ...".

    \b
    Exit status:
      0  done
      1  the command could not run: a missing, unreadable or newer archive, a bad
         date or section, an unwritable output, an unknown article
      2  a usage error, or a feature of a later release

    \b
    Example:
      bienphong crawl --since 7d
      bienphong show 532158
    """


@cli.command()
@db_option
@click.option(
    "--base-url",
    default=CANONICAL_ORIGIN,
    show_default=True,
    help="Fetch from this address (a mirror); stored URLs stay canonical.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests (AutoThrottle adjusts); 0 for a local mirror.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--since", metavar="DATE", help="Only articles published since DATE: YYYY-MM-DD or Nd."
)
@click.option(
    "--max-articles", type=click.IntRange(min=1), metavar="N", help="Stop after N articles."
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    metavar="SLUG",
    help="Only this section (repeatable), e.g. kinh-te.",
)
def crawl(
    db: Path,
    base_url: str,
    delay: float,
    concurrency: int,
    since: str | None,
    max_articles: int | None,
    sections: tuple[str, ...],
) -> None:
    """Bring the archive up to date with the site, then print a summary.

    Pages that fail are recorded in the run (see `bienphong runs`); the crawl still exits 0.
    It exits 1 only when it cannot run: bad arguments, an unusable archive.

    \b
    Example:
      bienphong crawl --since 7d --section kinh-te --section xa-hoi
      bienphong crawl --base-url http://127.0.0.1:8765 --delay 0
    """
    from crawler import run as crawler_run  # Scrapy loads only for a crawl

    options = crawler_run.CrawlOptions(
        db=db,
        base_url=check_base_url(base_url),
        delay=delay,
        concurrency=concurrency,
        since=optional_day(since),
        max_articles=max_articles,
        sections=check_sections(sections),
    )
    Archive(db).close()  # an archive the crawl cannot write stops it here, with one line
    summary = crawler_run.run_crawl(options)
    click.echo(
        f"Crawl finished in {format_duration(summary.duration_seconds)} (run {summary.run_id})\n"
        f"articles: {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed\n"
        f"pages fetched: {summary.pages_fetched}"
    )
    for warning in summary.warnings:
        click.echo(f"warning: {warning}")
    if summary.failed:
        click.echo("failed pages are listed by: bienphong runs --limit 1")


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@cli.command()
@db_option
@click.argument("post_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the article record as JSON.")
def show(db: Path, post_id: int, as_json: bool) -> None:
    """Print one archived article, by its post id (the number in -postID.html).

    \b
    Example:
      bienphong show 532158
      bienphong show 532158 --json | jq .authors
    """
    with Archive(db, readonly=True) as archive:
        record = archive.get_article(post_id)
    if record is None:
        raise CliError(f"no article {post_id} in {db}")
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(format_record(record))


def format_record(record: dict[str, Any]) -> str:
    """The record as a reader would skim it: header lines, the sapo, the body, the images."""
    meta = [
        record["url"],
        f"post {record['post_id']} · {record['kind']} · {record['section'] or 'no section'}",
        f"published {record['published_at'] or 'unknown'}"
        + (f" · modified {record['modified_at']}" if record["modified_at"] else ""),
        "by "
        + (", ".join(record["authors"]) or "no byline")
        + (f" · source {record['source']}" if record["source"] else ""),
    ]
    if record["tags"]:
        meta.append("tags: " + ", ".join(record["tags"]))
    if record["video_url"]:
        meta.append(f"video: {record['video_url']}")
    parts = [record["title"], "\n".join(meta), record["sapo"] or "", record["body"]]
    images = [
        f"  {image['url']}\n    {image.get('caption') or ''}"
        + (f" (Ảnh: {image['credit']})" if image.get("credit") else "")
        for image in record["images"]
    ]
    if images:
        parts.append("images:\n" + "\n".join(images))
    parts.append(
        f"{record['word_count']} words · fetched {record['fetched_at']}"
        f" · extractor {record['extractor_version']}"
    )
    return "\n\n".join(part for part in parts if part)


@cli.command()
@db_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(("jsonl", *LATER_FORMATS)),
    default="jsonl",
    show_default=True,
    help="jsonl now; csv, parquet, markdown and warc arrive with issue 6.",
)
@click.option("--output", required=True, metavar="PATH|-", help="The file to write; - for stdout.")
@click.option(
    "--since", metavar="DATE", help="Only articles published since DATE (YYYY-MM-DD, Nd)."
)
@click.option("--until", metavar="DATE", help="Only articles published up to DATE, inclusive.")
@click.option("--section", "sections", multiple=True, metavar="SLUG", help="Only this section.")
def export(
    db: Path,
    format_: str,
    output: str,
    since: str | None,
    until: str | None,
    sections: tuple[str, ...],
) -> None:
    """Write the archived articles out, one record a line with the article-record keys.

    The file appears under its name only when complete.

    \b
    Example:
      bienphong export --format jsonl --output articles.jsonl
      bienphong export --output - --since 2024-01-01 --section kinh-te | head
    """
    if format_ in LATER_FORMATS:
        later(f"export --format {format_}", 6)
    start, end = optional_day(since), optional_day(until)
    filters: dict[str, Any] = {
        "since": start and start.isoformat(),
        "until": end and day_after(end).isoformat(),
        "sections": check_sections(sections),
    }
    with Archive(db, readonly=True) as archive:
        count = export_jsonl(archive.iter_articles(**filters), output)
    where = "stdout" if output == "-" else output
    empty = " (nothing matched: the output is empty)" if count == 0 else ""
    click.echo(f"bienphong: exported {count} articles to {where}{empty}", err=True)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as a JSON list.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, metavar="N")
def runs(db: Path, as_json: bool, limit: int) -> None:
    """List the latest crawl runs, newest first, with their counts and failed pages.

    \b
    Example:
      bienphong runs --limit 5
      bienphong runs --json | jq '.[0].failures'
    """
    with Archive(db, readonly=True) as archive:
        rows = archive.get_runs(limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        click.echo(f"no runs yet in {db}")
    else:
        click.echo(format_runs(rows))


def format_runs(rows: list[dict[str, Any]]) -> str:
    columns = ("id", "started_at", "outcome", "pages_fetched", "new", "updated", "unchanged")
    header = ("RUN", "STARTED", "OUTCOME", "PAGES", "NEW", "UPDATED", "UNCHANGED", "FAILED")
    table = [header] + [(*(str(row[key]) for key in columns), str(row["failed"])) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = []
    for line, row in zip(table, [None, *rows], strict=True):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        for failure in row["failures"] if row else []:
            lines.append(
                f"    failed: {failure['url']} (post {failure['post_id']}): {failure['reason']}"
            )
        for warning in row["warnings"] if row else []:
            lines.append(f"    warning: {warning}")
    return "\n".join(line.rstrip() for line in lines)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
def stats(db: Path, as_json: bool) -> None:
    """Show what the archive holds: articles by kind and section, raw pages, size.

    \b
    Example:
      bienphong stats
      bienphong stats --db /srv/bienphong.db --json
    """
    with Archive(db, readonly=True) as archive:
        figures = archive.stats()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles      {figures['articles']}")
    for key, label in (("by_kind", "by kind"), ("by_section", "by section")):
        for name, count in figures[key].items():
            click.echo(f"  {label:<11} {name}: {count}")
    click.echo(f"raw pages     {figures['raw_pages']}")
    click.echo(f"versions      {figures['versions']}")
    click.echo(f"runs          {figures['runs']}")
    click.echo(f"archive size  {figures['db_bytes'] / 1e6:.1f} MB ({figures['db_bytes']} bytes)")


def later(what: str, issue: int) -> NoReturn:
    raise CliUsageError(f"'{what}' arrives with issue {issue}, in a later release")


# The verbs of later releases exist now, with their help, and say which issue brings them.
LATER_SETTINGS = {"ignore_unknown_options": True, "allow_extra_args": True}


@cli.command(context_settings=LATER_SETTINGS)
@db_option
@click.argument("query", nargs=-1)
def search(db: Path, query: tuple[str, ...]) -> None:
    """Search the archive the way a Vietnamese reader types (issue 5, a later release).

    \b
    Example:
      bienphong search "don bien phong" --since 30d
    """
    later("search", 5)


@cli.command(context_settings=LATER_SETTINGS)
@db_option
@click.argument("post_id", nargs=-1)
def history(db: Path, post_id: tuple[str, ...]) -> None:
    """List an article's earlier versions, oldest first (issue 4, a later release).

    \b
    Example:
      bienphong history 532158 --json
    """
    later("history", 4)


@cli.command(context_settings=LATER_SETTINGS)
@db_option
@click.argument("args", nargs=-1)
def reextract(db: Path, args: tuple[str, ...]) -> None:
    """Re-run extraction over the stored raw pages, offline (issue 4, a later release).

    \b
    Example:
      bienphong reextract --since 2024-01-01
    """
    later("reextract", 4)


@cli.command(context_settings=LATER_SETTINGS)
@db_option
@click.argument("args", nargs=-1)
def serve(db: Path, args: tuple[str, ...]) -> None:
    """Serve a read-only reader's site over the archive (issue 5, a later release).

    \b
    Example:
      bienphong serve --port 8000
    """
    later("serve", 5)
