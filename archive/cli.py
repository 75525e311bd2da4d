"""`bienphong`: the command line over the archive. Each command is a few lines over the library.

Errors are one line on stderr, `bienphong: error: ...`, never a traceback. Exit statuses:
0 done; 1 the command could not run (archive missing, unreadable or newer, bad date or section,
unwritable output, unknown article, a saved page that cannot be read); 2 usage error (for
`extract`, also a page whose address is unknown: no canonical link on the site and no --url),
or a malformed search query; 75 (EX_TEMPFAIL) another crawl or reextract holds the archive.
"""

from __future__ import annotations

import gzip
import json
import sys
import textwrap
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click

from archive import __version__
from archive.dates import DateError, parse_day, parse_iso
from archive.export import (
    FORMATS,
    ExportError,
    ExportUsageError,
    read_ids,
)
from archive.export import export as run_export
from archive.history import article_history, diff_records
from archive.lock import EX_TEMPFAIL, ArchiveBusy, ArchiveLock
from archive.schema import PAGE_FIELDS
from archive.search import MAX_LIMIT, MAX_OFFSET, SORTS
from archive.site import (
    CANONICAL_ORIGIN,
    MAX_POST_ID,
    SECTION_SLUGS,
    canonical_url,
    is_site_url,
    post_id,
)
from archive.store import DEFAULT_PATH, Archive, ArchiveError, check_writable

FC = TypeVar("FC", bound=Callable[..., Any])
EXIT_CANNOT_RUN = 1
EXIT_USAGE = 2


# Every character str.splitlines() breaks at, written as its escape.
LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


class CliError(click.ClickException):
    """One line on stderr; the command could not run."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file: Any = None) -> None:
        # One line whatever the user typed into the message (a host, a query with a newline).
        message = self.format_message().translate(LINE_BREAKS)
        click.echo(f"bienphong: error: {message}", err=True)


class CliUsageError(CliError):
    """One line on stderr; a usage error, or a malformed search query."""

    exit_code = EXIT_USAGE


class CliInterrupted(CliError):
    """One line on stderr; stopped at once by a second Ctrl-C (128 + SIGINT, as shells do)."""

    exit_code = 130


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
         date or section, an unwritable output, an unknown article, a saved page
         that cannot be read
      2  a usage error, or a malformed search query; for extract, a page whose
         address is unknown (no canonical link on the site, and no --url)
     75  another crawl or reextract holds the archive: try again later

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
@click.option(
    "--full",
    is_flag=True,
    help="Walk every listing, sitemap and tag page again (archived articles are not refetched).",
)
@click.option("--refetch", is_flag=True, help="With --full: fetch archived articles again too.")
@click.option(
    "--recheck-since",
    metavar="DATE",
    help="Fetch archived articles published since DATE again and keep any correction.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up on one page after SECONDS (it is retried, then recorded as failed).",
)
def crawl(
    db: Path,
    base_url: str,
    delay: float,
    concurrency: int,
    since: str | None,
    max_articles: int | None,
    sections: tuple[str, ...],
    full: bool,
    refetch: bool,
    recheck_since: str | None,
    timeout: float,
) -> None:
    """Bring the archive up to date with the site, then print a summary.

    On an archive that an earlier whole crawl walked, only what is new is fetched: listings
    stop after a run of archived articles, and feeds, sitemaps and listings are asked with
    the validators they sent last time. A changed article becomes a new version (see
    `bienphong history`). Pages that fail are recorded in the run (see `bienphong runs`) and
    retried first by the next crawl; the crawl still exits 0. It exits 1 when it cannot run
    (bad arguments, an unusable archive) or cannot write (a full disk: what was committed
    stays), and 75 when another crawl holds the archive.

    \b
    Example:
      bienphong crawl --since 7d --section kinh-te --section xa-hoi
      bienphong crawl --recheck-since 2025-01-01
      bienphong crawl --base-url http://127.0.0.1:8765 --delay 0
    """
    if refetch and not full:
        raise CliUsageError("--refetch goes with --full")
    from crawler import run as crawler_run  # Scrapy loads only for a crawl

    options = crawler_run.CrawlOptions(
        db=db,
        base_url=check_base_url(base_url),
        delay=delay,
        concurrency=concurrency,
        since=optional_day(since),
        max_articles=max_articles,
        sections=check_sections(sections),
        full=full,
        refetch=refetch,
        recheck_since=optional_day(recheck_since),
        timeout=timeout,
    )
    check_writable(db)  # a path no crawl could write: one line, and no lock file made
    # The lock before the archive is opened: a refused second crawl leaves the archive and its
    # -wal and -shm files byte for byte as they were.
    # The archive is opened once, before Scrapy loads (one that the crawl cannot use is one
    # line), and handed to the crawl.
    with ArchiveLock(db), Archive(db) as archive:
        summary = crawler_run.run_crawl(options, archive)
    if summary.unreachable:  # recorded as `unreachable` in `bienphong runs`
        raise CliError(summary.unreachable)
    ended = f"interrupted ({summary.interrupted})" if summary.interrupted else "finished"
    click.echo(
        f"Crawl {ended} in {format_duration(summary.duration_seconds)} (run {summary.run_id})\n"
        f"articles: {summary.new} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed\n"
        f"pages fetched: {summary.pages_fetched}"
    )
    if summary.pages_failed:
        click.echo(f"feeds, sitemaps and listings failed: {summary.pages_failed}")
    if summary.offsite:
        click.echo(f"requests to other hosts dropped: {summary.offsite}")
    for warning in summary.warnings:
        click.echo(f"warning: {warning}")
    if summary.failed or summary.pages_failed:
        click.echo("failed pages are listed by: bienphong runs --limit 1")
    if summary.outcome == "failed":
        raise CliError("the crawl failed more pages than it read: see 'bienphong runs --limit 1'")
    if summary.outcome == "interrupted":  # a second Ctrl-C: Scrapy stopped at once
        raise CliInterrupted(
            "stopped at once: the pages in flight were not archived (the next crawl gets them)"
        )


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def explain_option(function: FC) -> FC:
    return click.option(
        "--explain",
        "explain_",
        is_flag=True,
        help="Say where each field came from (the rule or heuristic that found it); "
        "with --json, a 'provenance' key after the record's.",
    )(function)


@cli.command()
@db_option
@click.argument("post_id", type=click.IntRange(1, MAX_POST_ID))
@click.option("--json", "as_json", is_flag=True, help="Print the article record as JSON.")
@explain_option
def show(db: Path, post_id: int, as_json: bool, explain_: bool) -> None:
    """Print one archived article, by its post id (the number in -postID.html).

    --explain lists the record field by field, each with the rule or heuristic that found it
    (articles archived before this was recorded have none until `bienphong reextract`).

    \b
    Example:
      bienphong show 532158
      bienphong show 532158 --json | jq .authors
      bienphong show 532158 --explain
    """
    with Archive(db, readonly=True) as archive:
        record = archive.get_article(post_id)
        provenance = archive.provenance(post_id) if explain_ else None
    if record is None:
        raise CliError(f"no article {post_id} in {db}")
    if as_json:
        extra = {"provenance": provenance} if explain_ else {}
        click.echo(json.dumps(record | extra, ensure_ascii=False, indent=2))
    elif not explain_:
        click.echo(format_record(record))
    elif provenance is None:
        click.echo(format_fields(record))
        click.echo("provenance: not recorded for this article (bienphong reextract records it)")
    else:
        click.echo(format_fields(record, provenance))


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
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option(
    "--url",
    metavar="URL",
    help="The page's address (...-postID.html; another site's page too, with --generic). "
    "Default: its canonical link, when that is an article on www.bienphong.com.vn.",
)
@click.option(
    "--fetched-at",
    metavar="ISO",
    help="When the page was fetched, ISO 8601 (UTC unless it names an offset). Default: the "
    "file's modification time; now for stdin.",
)
@click.option(
    "--generic", is_flag=True, help="Skip the site rules: read the page as markup no rule knows."
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@explain_option
def extract(
    file: Path,
    url: str | None,
    fetched_at: str | None,
    generic: bool,
    as_json: bool,
    explain_: bool,
) -> None:
    """Extract the article record from a saved page: no archive, no network.

    FILE is an article page as the site serves it (- reads stdin; a .gz file is
    decompressed). The record is the one a crawl would archive; it is printed a field a line
    with the body shortened, or whole with --json. --explain adds where each field came from
    (the rule or heuristic); --generic shows what the fallback for unseen markup makes of it.

    \b
    Exit status:
      0  done
      1  the page cannot be read (an empty file, a broken .gz), a bad --fetched-at
      2  a usage error: a missing FILE, a bad --url, a page whose address is unknown
         (no canonical link to an article on the site, and no --url)

    \b
    Example:
      bienphong extract saved/don-bien-phong-post532158.html --explain
      bienphong extract page.html.gz --generic --json | jq .authors
      curl -s "$PAGE_URL" | bienphong extract - --url "$PAGE_URL"
    """
    from pipelines.extraction import explain  # the extractor loads for this command only

    address = check_page_url(url) if url else None
    when = parse_fetched_at(fetched_at) if fetched_at else None
    html, modified = read_page(file)
    address = address or page_url(html, page_name(file))
    try:
        found = explain(html, address, when or modified, site_rules=not generic)
    except Exception as error:  # a rule that breaks on this page: one line, as a crawl says it
        raise CliError(f"extraction failed: {type(error).__name__}: {error}") from error
    if as_json:
        extra = {"provenance": found.provenance} if explain_ else {}
        click.echo(json.dumps(found.record | extra, ensure_ascii=False, indent=2))
    else:
        click.echo(format_fields(found.record, found.provenance if explain_ else None))


def page_name(file: Path) -> str:
    return "stdin" if str(file) == "-" else str(file)


def read_page(file: Path) -> tuple[bytes, datetime]:
    """The page's bytes, decompressed when gzipped, and when it was saved (now for stdin)."""
    name = page_name(file)
    try:
        if name == "stdin":
            data = sys.stdin.buffer.read()
            saved = datetime.now(UTC)
        else:
            data = file.read_bytes()
            saved = datetime.fromtimestamp(file.stat().st_mtime, UTC)
    except OSError as error:
        raise CliError(f"cannot read {name}: {error.strerror or error}") from error
    if name.endswith(".gz") or data.startswith(b"\x1f\x8b"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise CliError(f"cannot decompress {name}: {error}") from error
    if not data.strip():
        raise CliError(f"{name} is empty: nothing to extract")
    return data, saved


def check_page_url(url: str) -> str:
    """An absolute http(s) address: the site's article, or another newspaper's page read with
    --generic to see what the generic path makes of markup nobody here wrote."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliUsageError(
            f"invalid --url {url!r}: give the page's absolute address, such as "
            f"{CANONICAL_ORIGIN}/don-bien-phong-post532158.html"
        )
    return url


def page_url(html: bytes, name: str) -> str:
    """The page's canonical link, when it names an article on the site; else a usage error."""
    from pipelines.extraction.page import Page

    canonical = Page.parse(html, f"{CANONICAL_ORIGIN}/").canonical
    if canonical and is_site_url(canonical) and post_id(canonical) is not None:
        return canonical_url(canonical)
    raise CliUsageError(
        f"{name} has no canonical link to an article on www.bienphong.com.vn: "
        "give the page's address with --url"
    )


def parse_fetched_at(text: str) -> datetime:
    when = parse_iso(text, UTC)
    if when is None:
        raise CliError(
            f"invalid --fetched-at {text!r}: give an ISO 8601 time such as 2025-02-15T01:00:00Z"
        )
    return when


BODY_PREVIEW = 160  # characters of the body `format_fields` shows


def format_fields(record: dict[str, Any], provenance: dict[str, str] | None = None) -> str:
    """The record a field a line, the body shortened; with `provenance`, each field read from
    the page followed by where it came from (`[not found]` when it was not)."""
    width = max(len(key) for key in record)
    lines = []
    for key, value in record.items():
        text, more = _field_text(key, value)
        if provenance is not None and key in PAGE_FIELDS:
            text += f"  [{provenance.get(key, 'not found')}]"
        lines.append(f"{key:<{width}}  {text}".rstrip())
        lines.extend(f"{'':<{width}}  {line}" for line in more)
    return "\n".join(lines)


def _field_text(key: str, value: Any) -> tuple[str, list[str]]:
    """A field's value on one line, and the lines under it (one per image)."""
    if key == "images":
        return str(len(value)), [
            image["url"]
            + (f" · {image['caption']}" if image.get("caption") else "")
            + (f" (Ảnh: {image['credit']})" if image.get("credit") else "")
            for image in value
        ]
    if value is None or value == "" or value == []:
        return "-", []
    if isinstance(value, list):
        return ", ".join(str(item) for item in value), []
    if key == "body":
        return textwrap.shorten(value, BODY_PREVIEW, placeholder=" …"), []
    return str(value), []


@cli.command()
@db_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl, csv (UTF-8 with a BOM), parquet, markdown (a zip, or a folder for PATH/), warc.",
)
@click.option(
    "--output",
    required=True,
    metavar="PATH|-",
    help="The file to write (a folder when it ends with / for markdown); - is stdout (jsonl, csv).",
)
@click.option(
    "--query", metavar="Q", help="Only articles matching Q, as `bienphong search` reads it."
)
@click.option(
    "--since", metavar="DATE", help="Only articles published since DATE (YYYY-MM-DD, Nd)."
)
@click.option("--until", metavar="DATE", help="Only articles published up to DATE, inclusive.")
@click.option(
    "--section", "sections", multiple=True, metavar="SLUG", help="Only this section (repeatable)."
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="NAME",
    help="Only this author, or any part of a name, with or without diacritics (repeatable).",
)
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable)."
)
@click.option(
    "--ids",
    "ids_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Only the post ids listed in FILE (numbers separated by spaces or lines; # comments).",
)
@click.option(
    "--raw-csv",
    is_flag=True,
    help="Write CSV cells as archived, even those a spreadsheet would run as formulas.",
)
def export(
    db: Path,
    format_: str,
    output: str,
    query: str | None,
    since: str | None,
    until: str | None,
    sections: tuple[str, ...],
    authors: tuple[str, ...],
    tags: tuple[str, ...],
    ids_file: Path | None,
    raw_csv: bool,
) -> None:
    """Write a set of articles out: the whole archive, or what the filters select.

    jsonl: one article record a line, its keys as `bienphong show --json` prints them.
    csv: UTF-8 with a byte-order mark (spreadsheets then read Vietnamese correctly), a header
    row of the same keys, authors and tags joined with "; ", images as JSON; a cell that
    starts like a formula (=, +, -, @) gets a leading ' so no spreadsheet runs it (--raw-csv
    keeps it as archived). markdown escapes <, > and & in the text.
    parquet: typed columns, lists as lists, times as timestamps with their time zone.
    markdown: one YYYY-MM-DD-slug-POSTID.md a article, YAML front matter then the text, in a zip
    (or a folder when PATH ends with /). warc: the stored raw responses, WARC/1.1, gzip per record.

    Records come in published order. The output appears under its name only when complete,
    beside PATH.manifest.json (filters, count, sha256, archive, fetch times, version).
    An empty selection writes an empty output and says so.

    \b
    Exit status:
      0  done (also when nothing matched)
      1  the export could not run: a missing or unusable archive, a bad date or
         section, an unwritable output, a missing --ids file or one that holds
         something other than post ids; or it ran, but left out damaged articles
         (each named on stderr and in the manifest's "damaged")
      2  a usage error: an unknown format, a malformed query, a format that
         cannot go to stdout

    \b
    Example:
      bienphong export --format jsonl --output articles.jsonl
      bienphong export --output - --since 2024-01-01 --section kinh-te | head
      bienphong export --format markdown --author "Thu Hà" --output texts/
    """
    from archive.search import Filters, QueryError

    try:
        selection = Filters.for_days(
            query,
            optional_day(since),
            optional_day(until),
            check_sections(sections),
            authors,
            None if ids_file is None else read_ids(ids_file),
            tags,
        )
    except QueryError as error:
        raise CliUsageError(str(error)) from error
    typed: dict[str, Any] = {"query": query, "since": since, "until": until}
    typed |= {"sections": list(sections), "authors": list(authors), "tags": list(tags)}
    typed["ids"] = None if ids_file is None else str(ids_file)
    progress = sys.stderr.isatty()  # a progress bar for a person, none for a log
    with Archive(db, readonly=True) as archive:
        try:
            result = run_export(
                archive,
                selection,
                format_,
                output,
                filters=typed,
                progress=progress,
                raw_csv=raw_csv,
            )
        except ExportUsageError as error:
            raise CliUsageError(str(error)) from error
    for damaged in result.damaged:
        click.echo(f"bienphong: warning: left out: {damaged}", err=True)
    if result.closed:  # `| head` had what it wanted: nothing to say, nothing failed
        return
    where = "stdout" if output == "-" else output
    empty = " (nothing matched: the output is empty)" if result.count == 0 else ""
    click.echo(f"bienphong: exported {result.count} articles to {where}{empty}", err=True)
    if result.damaged:
        raise CliError(
            f"{len(result.damaged)} damaged articles left out (named above;"
            " 'bienphong stats --check' lists all the damage)"
        )


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the runs as a JSON list.")
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True, metavar="N"
)
def runs(db: Path, as_json: bool, limit: int) -> None:
    """List the latest crawl runs, newest first, with their counts and failed pages.

    Under each run: `found`, the share of its articles in which each field of the record
    read from the page was found (a date, authors, a sapo, a body, images, tags, ...);
    `generic path`, the share of its articles that no site rule handled (a jump there is the
    first sign of a redesign); `failed`, each page that could not be archived (retried first
    by the next crawl); `warning`, a field found far less often than in the recent runs,
    which usually means the site changed its markup. A run whose process died without
    closing it (SIGKILL, a power cut) shows as `interrupted`.

    \b
    Example:
      bienphong runs --limit 5
      bienphong runs --json | jq '.[0].failures'
    """
    with Archive(db, readonly=True) as archive:
        rows = archive.get_runs(limit)
    if not ArchiveLock(db).held():  # a run still `running` with no crawl alive was killed
        for row in rows:
            if row["outcome"] == "running":
                row["outcome"] = "interrupted"
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
        if row and row["fill_rates"]:
            rates = ", ".join(f"{k} {v:.0%}" for k, v in sorted(row["fill_rates"].items()))
            lines.append(f"    found: {rates}")
        if row and row.get("generic_share") is not None:
            lines.append(f"    generic path: {row['generic_share']:.0%}")
        for failure in row["failures"] if row else []:
            post = f" (post {failure['post_id']})" if failure["post_id"] is not None else ""
            lines.append(f"    failed: {failure['url']}{post}: {failure['reason']}")
        for warning in row["warnings"] if row else []:
            lines.append(f"    warning: {warning}")
    return "\n".join(line.rstrip() for line in lines)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as a JSON object.")
@click.option(
    "--rebuild-index",
    is_flag=True,
    help="First rewrite every article's spelled and folded copies and rebuild the search"
    " index (takes the lock).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Instead, read the whole archive back and say what is damaged (exit 1 if anything).",
)
def stats(db: Path, as_json: bool, rebuild_index: bool, check: bool) -> None:
    """Show what the archive holds: articles by kind and section, raw pages, size, and
    whether the search index holds every article.

    --check runs SQLite's integrity check, reads every record, version and raw page back
    (a page must decompress to its sha256), checks that every word of the search index is
    in its list of words (`index_words`, which date order spells a prefix out from) and
    checks the index against the articles (FTS5's integrity check; skipped on a read-only
    archive). It prints one line a problem, at most 100, and exits 1 when it found any;
    minutes on a large archive.
    A damaged article is repaired by `bienphong reextract` (from its raw page) or by the
    next crawl that fetches it; a damaged index by --rebuild-index.

    \b
    Example:
      bienphong stats
      bienphong stats --db /srv/bienphong.db --json
      bienphong stats --rebuild-index
      bienphong stats --check
    """
    from archive import search as searching

    if check:
        with Archive(db, readonly=True) as archive:
            problems = archive.check() + searching.check_index(archive)
        for problem in problems:
            click.echo(problem)
        if problems:
            raise CliError(f"{db} is damaged: {len(problems)} problems (listed above)")
        click.echo(f"bienphong: {db}: no damage found", err=True)
        return
    if rebuild_index:
        with ArchiveLock(writable(existing(db))), Archive(db) as archive:
            rewritten = searching.rebuild_index(archive)
        click.echo(
            f"bienphong: search index rebuilt ({rewritten} articles' copies rewritten)", err=True
        )
    with Archive(db, readonly=True) as archive:
        figures = archive.stats() | {"search_index": searching.index_status(archive)}
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
    index = figures["search_index"]
    state = "complete" if index["complete"] else "INCOMPLETE: run bienphong stats --rebuild-index"
    click.echo(f"search index  {index['indexed']} of {index['articles']} articles ({state})")


@cli.command()
@db_option
@click.argument("query", nargs=-1)
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True, metavar="N"
)
@click.option(
    "--offset", type=click.IntRange(0, MAX_OFFSET), default=0, metavar="N", help="Skip N."
)
@click.option("--since", metavar="DATE", help="Published since DATE (YYYY-MM-DD, Nd).")
@click.option("--until", metavar="DATE", help="Published up to DATE, inclusive.")
@click.option("--section", "sections", multiple=True, metavar="SLUG", help="Only this section.")
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="NAME",
    help="Only this author, or any part of a name, with or without diacritics (repeatable).",
)
@click.option(
    "--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable)."
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Best matches first, or by publication date (newest needs no ranking).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as a JSON list.")
def search(
    db: Path,
    query: tuple[str, ...],
    limit: int,
    offset: int,
    since: str | None,
    until: str | None,
    sections: tuple[str, ...],
    authors: tuple[str, ...],
    tags: tuple[str, ...],
    sort: str,
    as_json: bool,
) -> None:
    """Search the archive the way a Vietnamese reader types; best matches first.

    A word typed without diacritics finds every accented form (`bien` finds biên, biển;
    `dang` finds Đảng); typed with them, that spelling only (`biển`). Also "phrases",
    prefixes (bien*), AND, OR, NOT and parentheses. With no QUERY, the newest articles
    that the filters select. A query that cannot be read exits 2.

    \b
    Example:
      bienphong search don bien phong --since 30d
      bienphong search '"tuần tra song phương" OR biển' --section quoc-te --json
      bienphong search ma tuy --sort newest --author Thủy
      bienphong search --tag "Ngư dân bám biển"
    """
    from archive import search as searching

    try:
        filters = searching.Filters.for_days(
            " ".join(query),
            optional_day(since),
            optional_day(until),
            check_sections(sections),
            authors,
            tags=tags,
        )
    except searching.QueryError as error:
        raise CliUsageError(str(error)) from error
    with Archive(db, readonly=True) as archive:
        page = searching.search(archive, filters, limit=limit, offset=offset, sort=sort)
    if as_json:
        click.echo(json.dumps([hit.as_json() for hit in page.hits], ensure_ascii=False, indent=2))
    else:
        click.echo(format_hits(page, offset, styled=sys.stdout.isatty()))


def format_hits(page: Any, offset: int, styled: bool) -> str:
    """Search results as a reader skims them; matched words bold on a terminal, else **word**."""
    from archive.search import plain

    def marked(segments: list[tuple[str, bool]]) -> str:
        if not styled:
            return plain(segments)
        return "".join(click.style(t, bold=True, fg="yellow") if hit else t for t, hit in segments)

    blocks = []
    for hit in page.hits:
        day = (hit.published_at or "undated")[:10]
        title = click.style(hit.title, bold=True) if styled else hit.title
        authors = ", ".join(hit.authors) or "no byline"
        blocks.append(
            f"{day}  {hit.section or '-'}  {title}\n"
            f"  post {hit.post_id} · {authors} · {hit.url}\n  {marked(hit.snippet)}"
        )
    if not page.hits:
        return f"no articles match ({page.total} in all)" if offset else "no articles match"
    last = offset + len(page.hits)
    more = f"; more with --offset {last}" if last < page.total else ""
    blocks.append(f"{offset + 1}-{last} of {page.total} articles{more}")
    return "\n\n".join(blocks)


@cli.command()
@db_option
@click.argument("post_id", type=click.IntRange(1, MAX_POST_ID))
@click.option("--json", "as_json", is_flag=True, help="Print the versions as a JSON list.")
@click.option(
    "--diff",
    nargs=2,
    type=click.IntRange(min=1),
    metavar="A B",
    help="Word diff from version A to version B (numbers as listed; the current is the last).",
)
def history(db: Path, post_id: int, as_json: bool, diff: tuple[int, int] | None) -> None:
    """List an article's versions, oldest first, the current record last.

    A version is kept each time a crawl (or reextract) found the article changed: a corrected
    title or paragraph, new tags, a new date. --json prints a list of records, each with the
    article-record keys plus `seen_at` (when that version was first seen).

    \b
    Example:
      bienphong history 532158
      bienphong history 532158 --diff 1 2
      bienphong history 532158 --json
    """
    with Archive(db, readonly=True) as archive:
        versions = article_history(archive, post_id)
    if as_json:
        click.echo(json.dumps(versions, ensure_ascii=False, indent=2))
    elif diff:
        first, second = diff
        if max(first, second) > len(versions):
            raise CliError(f"article {post_id} has {len(versions)} versions, not {max(diff)}")
        changes = diff_records(versions[first - 1], versions[second - 1])
        for field, text in changes:
            click.echo(f"{field}: {text}")
        if not changes:
            click.echo(f"versions {first} and {second} read the same")
    else:
        for number, version in enumerate(versions, start=1):
            mark = " (current)" if number == len(versions) else ""
            click.echo(f"{number}  seen {version['seen_at']}{mark}  {version['title']}")


@cli.command()
@db_option
@click.option(
    "--since", metavar="DATE", help="Only articles published since DATE: YYYY-MM-DD or Nd."
)
def reextract(db: Path, since: str | None) -> None:
    """Re-run extraction over the stored raw pages, without the network.

    After the extraction rules improve, this brings every record up to them: a record whose
    output changed takes it (and the new extractor_version), the older one is kept as a version
    (see `bienphong history`). It takes the archive's lock like a crawl: exit 75 while a crawl
    runs.

    \b
    Example:
      bienphong reextract
      bienphong reextract --since 2024-01-01
    """
    from pipelines.reextract import reextract as run_reextract  # loads the extractor only here

    start = optional_day(since)
    with ArchiveLock(writable(existing(db))), Archive(db) as archive:
        summary = run_reextract(archive, since=start)
    for damaged in summary.damaged:
        click.echo(f"bienphong: warning: not re-extracted: {damaged}", err=True)
    click.echo(
        f"Reextract finished (run {summary.run_id}): {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
    )


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 takes any free one (the line printed names it).",
)
def serve(db: Path, host: str, port: int) -> None:
    """Serve a read-only reader's site over the archive: search, facets, articles.

    Pages: / (latest), /search?q=&section=&author=&since=&until=&page=, /article/POST_ID,
    /export.jsonl?q=... (the result set as JSON lines). Nothing on the web can write to the
    archive. It listens on loopback only unless --host says otherwise; Ctrl-C stops it.
    A port already in use is one line and exit status 1.

    \b
    Example:
      bienphong serve --port 8000
      bienphong serve --db /srv/bienphong.db --host 0.0.0.0 --port 8080
    """
    from archive import web  # Starlette and uvicorn load only to serve

    try:
        web.serve(db, host, port)
    except web.ServeError as error:
        raise CliError(str(error)) from error
