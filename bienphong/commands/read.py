"""The commands that read one thing of the archive: an article (`show`), its versions
(`history`), the runs (`runs`), the whole (`stats`, and a copy of it, `backup`); and
`extract`, which reads a saved page with no archive at all."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from archive import search as searching
from archive.backup import backup as copy_archive
from archive.check import find_damage
from archive.dates import parse_duration
from archive.history import article_history, diff_records
from archive.lock import ArchiveLock
from archive.pages import Recompressed, give_space_back
from archive.pages import recompress as recompress_pages
from archive.runs import last_crawl_verdict, runs_as_they_stand
from archive.site import MAX_POST_ID
from archive.store import Archive
from archive.walk import walk_progress
from bienphong.display import (
    format_fields,
    format_record,
    format_runs,
    format_sections,
    format_stats,
)
from bienphong.errors import CliAttention, CliError, CliUsageError
from bienphong.options import (
    db_option,
    existing,
    explain_option,
    json_option,
    limit_option,
    writable,
)
from bienphong.saved_page import check_page_url, page_name, page_url, parse_fetched_at, read_page


@click.command()
@db_option
@click.argument("post_id", type=click.IntRange(1, MAX_POST_ID))
@json_option("Print the article record as JSON.")
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


@click.command()
@db_option
@click.argument("post_id", type=click.IntRange(1, MAX_POST_ID))
@json_option("Print the versions as a JSON list.")
@click.option(
    "--diff",
    nargs=2,
    type=click.IntRange(min=1),
    metavar="A B",
    help="What changed from version A to version B (numbers as listed; the current is the"
    " last): each field, and each paragraph of the body that changed, word by word.",
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


@click.command()
@db_option
@json_option("Print the sections as a JSON list.")
def sections(db: Path, as_json: bool) -> None:
    """List the site's sections: slug (what --section takes), name, the articles the archive
    holds in each, and the newest one's publication day. A section the archive holds that the
    site no longer lists comes last.

    \b
    Example:
      bienphong sections
      bienphong sections --json | jq '.[] | select(.articles > 0) | .slug'
    """
    with Archive(db, readonly=True) as archive:
        found = archive.sections()
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        click.echo(format_sections(found))


@click.command()
@db_option
@json_option("Print the runs as a JSON list (docs/operations.md: field by field).")
@limit_option
@click.option(
    "--check",
    is_flag=True,
    help="Instead, judge the last crawl: exit 0 when it is fine, else 3 with one line why.",
)
@click.option(
    "--max-age",
    metavar="DURATION",
    help="With --check: the last crawl must have ended within DURATION (90m, 26h, 2d).",
)
def runs(db: Path, as_json: bool, limit: int, check: bool, max_age: str | None) -> None:
    """List the latest crawl runs, newest first, with their counts and failed pages.

    Under each run: `reason`, why it ended as it did when it did not simply finish; `found`,
    the share of its new articles in which each field of the record read from the page was
    found (a date, authors, a sapo, a body, images, tags, ...); `generic path`, the share of
    its articles that no site rule handled; `failed`, each page that could not be archived
    (retried first by the next crawl); `warning`, what the run found odd, drift among it. A
    run whose process died without closing it (SIGKILL, a power cut) shows as `interrupted`.
    Above them, when a whole crawl (the first, or --full) was cut short, how far it has come:
    the next such crawl goes on with it.

    --check is for monitoring: it judges the last crawl run (not reextract's) and exits 0
    when it finished (or paused at its time box) with no drift warning and few failed pages,
    within --max-age, or when a crawl is running now; otherwise 3, with one line saying why
    (failed, unreachable, drift, stopped, killed, too old, none yet).

    \b
    Example:
      bienphong runs --limit 5
      bienphong runs --json | jq '.[0].failures'
      bienphong runs --check --max-age 26h
    """
    if max_age is not None and not check:
        raise CliUsageError("--max-age goes with --check")
    if check:
        age = None if max_age is None else parse_duration(max_age)
        with Archive(db, readonly=True) as archive:
            fine, line = last_crawl_verdict(archive, datetime.now(UTC), age)
        if not fine:
            raise CliAttention(line)
        click.echo(f"ok: {line}")
        return
    with Archive(db, readonly=True) as archive:
        listed = runs_as_they_stand(archive, limit)
        walk = walk_progress(archive)
    if as_json:
        click.echo(json.dumps([run.as_json() for run in listed], ensure_ascii=False, indent=2))
    elif not listed:
        click.echo(f"no runs yet in {db}")
    else:
        click.echo(format_runs(listed, walk))


@click.command()
@db_option
@json_option("Print the figures as a JSON object.")
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
@click.option(
    "--recompress",
    is_flag=True,
    help="First rewrite the raw pages stored with zlib with the archive's page dictionary and"
    " give the space back (takes the lock; safe to interrupt, run again to go on).",
)
def stats(db: Path, as_json: bool, rebuild_index: bool, check: bool, recompress: bool) -> None:
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

    Raw pages are stored with zstd and a dictionary trained on the archive's own pages (one
    for each design of the site); pages stored before it, with zlib, stay readable.
    --recompress rewrites those with the current dictionary, a few hundred pages a
    transaction, then gives the space back: at once on an archive made since schema 12,
    else by one VACUUM (it needs as much free disk as the archive, once).

    \b
    Example:
      bienphong stats
      bienphong stats --db /srv/bienphong.db --json
      bienphong stats --rebuild-index
      bienphong stats --check
      bienphong stats --recompress
    """
    if check:
        with Archive(db, readonly=True) as archive:
            problems = find_damage(archive) + searching.check_index(archive)
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
    if recompress:
        with ArchiveLock(writable(existing(db))), Archive(db) as archive:
            done = recompress_pages(archive, _recompress_progress)
            vacuumed = give_space_back(archive)
        click.echo(
            f"bienphong: {done.pages:,} pages recompressed: {done.before / 1e6:,.1f} MB →"
            f" {done.after / 1e6:,.1f} MB; {vacuumed}",
            err=True,
        )
        if done.damaged:
            click.echo(
                f"bienphong: warning: {done.damaged} pages do not read back and were left as"
                " they are: 'bienphong stats --check' names them",
                err=True,
            )
    with Archive(db, readonly=True) as archive:
        figures = archive.stats() | {"search_index": searching.index_status(archive)}
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(format_stats(figures))


def _recompress_progress(done: Recompressed) -> None:
    click.echo(f"bienphong: {done.pages:,} pages recompressed", err=True)


@click.command()
@click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option(
    "--url",
    metavar="URL",
    help="The page's address (...-postID.html; another site's page too, with --generic). "
    "Default: its canonical link, og:url or shortlink, the first that names an article on"
    " www.bienphong.com.vn.",
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
         (no canonical link, og:url or shortlink to an article on the site,
         and no --url)

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


@click.command()
@db_option
@click.argument("destination", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace DESTINATION when it exists.")
def backup(db: Path, destination: Path, force: bool) -> None:
    """Copy the archive to DESTINATION (a file, or a folder to copy it into), consistent while
    a crawl writes to it.

    The copy holds every commit up to the moment it began and none after: SQLite's online
    backup, not a copy of the file and its write-ahead log at two moments. It appears under its
    name only when whole, as one file (no -wal or -shm beside it), and passes `bienphong stats
    --check`. An existing DESTINATION is replaced only with --force.

    \b
    Example:
      bienphong backup /backups/bienphong.db
      bienphong backup /backups/ --force
    """
    with Archive(db, readonly=True) as archive:
        copied = copy_archive(archive, destination, force)
    click.echo(f"bienphong: {db} copied to {copied}")
