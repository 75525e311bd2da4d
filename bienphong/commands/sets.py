"""The commands over sets of articles: `search` (a page of results), `export` (a whole set,
in a file format) and `serve` (both, and more, on a web page)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from archive import search as searching
from archive.export import FORMATS, ExportUsageError, read_ids
from archive.export import export as run_export
from archive.runs import get_run
from archive.search import MAX_OFFSET, SORTS
from archive.store import Archive
from bienphong.display import EMPTY_ARCHIVE, format_hits
from bienphong.errors import CliError, CliUsageError
from bienphong.options import (
    db_option,
    json_option,
    limit_option,
    parse_moment,
    selection,
    selection_options,
)


@click.command()
@db_option
@click.argument("query", nargs=-1)
@limit_option
@click.option(
    "--offset", type=click.IntRange(0, MAX_OFFSET), default=0, metavar="N", help="Skip N."
)
@selection_options
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Best matches first, or by publication date (newest needs no ranking).",
)
@json_option("Print the results as a JSON list.")
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
    chosen = selection(" ".join(query), since, until, sections, authors, tags)
    with Archive(db, readonly=True) as archive:
        page = searching.search(archive, chosen, limit=limit, offset=offset, sort=sort)
        empty = page.total == 0 and not archive.holds_articles()
    if as_json:
        click.echo(json.dumps([hit.as_json() for hit in page.hits], ensure_ascii=False, indent=2))
    else:
        click.echo(EMPTY_ARCHIVE if empty else format_hits(page, offset, sys.stdout.isatty()))


@click.command()
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
@selection_options
@click.option(
    "--ids",
    "ids_file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Only the post ids listed in FILE (numbers separated by spaces or lines; # comments).",
)
@click.option(
    "--run",
    "run_ids",
    multiple=True,
    type=click.IntRange(min=1),
    metavar="N",
    help="Only the articles whose current version run N wrote: new or changed by that crawl"
    " or reextract (repeatable; `bienphong runs` lists them).",
)
@click.option(
    "--changed-since",
    metavar="WHEN",
    help="Only the articles whose current version was written (archived or changed) since"
    " WHEN: YYYY-MM-DD, Nd, or an ISO 8601 time such as a manifest's exported_at.",
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
    run_ids: tuple[int, ...],
    changed_since: str | None,
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
    beside PATH.manifest.json (filters, count, sha256, archive, fetch times, version, and the
    runs that wrote what it holds). An empty selection writes an empty output and says so.

    To keep a copy in step with scheduled crawls, export what each run wrote (--run N, the
    run number `bienphong runs` shows), or what was written since the last export
    (--changed-since with the last manifest's exported_at): new articles and corrected ones,
    each as it now reads.

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
      bienphong export --run 42 --output run-42.jsonl
      bienphong export --changed-since 2026-12-06T02:00:00+00:00 --output changed.jsonl
    """
    ids = None if ids_file is None else read_ids(ids_file)
    chosen = selection(query, since, until, sections, authors, tags, ids)
    moment = None if changed_since is None else parse_moment(changed_since, "--changed-since")
    chosen = replace(chosen, runs=run_ids, changed_since=moment)
    typed: dict[str, Any] = {"query": query, "since": since, "until": until}
    typed |= {"sections": list(sections), "authors": list(authors), "tags": list(tags)}
    typed["ids"] = None if ids_file is None else str(ids_file)
    typed |= {"runs": list(run_ids), "changed_since": changed_since}
    progress = sys.stderr.isatty()  # a progress bar for a person, none for a log
    with Archive(db, readonly=True) as archive:
        if unknown := [n for n in run_ids if get_run(archive, n) is None]:
            raise CliError(f"no run {unknown[0]} in {db} (bienphong runs lists them)")
        try:
            result = run_export(
                archive,
                chosen,
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


@click.command()
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
    /export.jsonl?q=... (the result set as JSON lines); for scripts, /search.json and
    /search.csv (a results page) and /article/POST_ID.json; for feed readers, /search.atom?q=...
    (a search's latest matches). Nothing on the web can write to the archive. It listens on
    loopback only unless --host says otherwise; Ctrl-C stops it. A port already in use is one
    line and exit status 1.

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
