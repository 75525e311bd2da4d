"""The commands that write the archive: `crawl` (the site into it) and `reextract` (its stored
pages through the extractor again). Each takes the archive's lock: exit 75 while another
runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from archive.dates import parse_duration
from archive.lock import ArchiveLock
from archive.site import CANONICAL_ORIGIN
from archive.store import Archive, check_writable
from bienphong.crawl_log import CrawlLog
from bienphong.display import format_crawl
from bienphong.errors import CliAttention, CliError, CliInterrupted, CliUsageError, report_to
from bienphong.options import check_sections, db_option, existing, optional_day, writable

if TYPE_CHECKING:  # Scrapy loads only for a crawl
    from crawler.run import CrawlSummary


def check_base_url(url: str) -> str:
    """An http(s) origin, with a port that is one, and no user name or password (the site
    asks for none, and the runs table would keep it)."""
    parts = urlsplit(url)
    invalid = f"invalid --base-url {url!r}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CliError(f"{invalid}: give an http(s) address such as {CANONICAL_ORIGIN}")
    try:
        port = parts.port  # a ValueError for one out of range
    except ValueError:
        port = 0
    if port == 0:
        raise CliError(f"{invalid}: its port is not a number from 1 to 65535")
    if parts.username is not None or parts.password is not None:
        raise CliError(f"{invalid}: no user name or password in it")
    return url.rstrip("/")


def check_log_file(path: Path | None) -> Path | None:
    """A log file the crawl can append to (made when missing); one line when it cannot."""
    if path is not None:
        try:
            path.open("a", encoding="utf-8").close()
        except OSError as error:
            raise CliError(f"cannot write the log {path}: {error.strerror}") from None
    return path


@click.command()
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
    "--since",
    metavar="DATE",
    help="Only articles published since DATE: YYYY-MM-DD, DD/MM/YYYY or Nd.",
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
@click.option(
    "--insecure",
    is_flag=True,
    help="Do not check the site's TLS certificate (its authority and its name): for a "
    "mirror of your own, never for the archive of record.",
)
@click.option(
    "--max-duration",
    metavar="DURATION",
    help="Pause the crawl when DURATION is up (90m, 5h): it ends cleanly, exit 0, and a "
    "whole crawl goes on where it stopped next time.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Append the crawl's log (stamped lines, the summary included) to PATH.",
)
@click.option(
    "--warnings-ok",
    is_flag=True,
    help="Exit 0 when the crawl finished with warnings or failed pages (instead of 3).",
)
@click.option("--quiet", is_flag=True, help="Log warnings, errors and the summary only.")
@click.option("--verbose", is_flag=True, help="Log Scrapy's own lines too.")
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
    insecure: bool,
    max_duration: str | None,
    log_file: Path | None,
    warnings_ok: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Bring the archive up to date with the site, then print a summary.

    On an archive that an earlier whole crawl walked, only what is new is fetched: listings
    stop after a run of archived articles, and feeds, sitemaps and listings are asked with
    the validators they sent last time. A changed article becomes a new version (see
    `bienphong history`). A whole crawl (the first, or --full) cut short (--max-duration, a
    signal, a reboot) is taken up by the next one where it stopped: the pages it read are not
    read again. Pages that fail are recorded in the run (see `bienphong runs`) and retried
    first by the next crawl; the crawl still exits 0, or 3 when they are over 5% of the pages
    it fetched or it found drift (--warnings-ok: 0), and 3 when robots.txt lets it take
    nothing. It exits 1 when it cannot run (bad arguments, an unusable archive, a TLS
    certificate that is not the site's) or cannot write (a full disk: what was committed
    stays), and 75 when another crawl holds the archive.

    Off a terminal every line it writes is a stamped line of its log (the summary on stdout,
    the rest on stderr); --log-file appends them all to a file instead.

    \b
    Example:
      bienphong crawl --since 7d --section kinh-te --section xa-hoi
      bienphong crawl --recheck-since 2025-01-01
      bienphong crawl --base-url http://127.0.0.1:8765 --delay 0
    """
    if refetch and not full:
        raise CliUsageError("--refetch goes with --full")
    if quiet and verbose:
        raise CliUsageError("--quiet and --verbose ask for opposite things: give one")
    log = CrawlLog(check_log_file(log_file))
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
        verify_certificates=not insecure,
        max_duration=None if max_duration is None else parse_duration(max_duration),
        log_file=log_file,
        verbosity="quiet" if quiet else "verbose" if verbose else "normal",
    )
    check_writable(db)  # a path no crawl could write: one line, and no lock file made
    # The lock before the archive is opened: a refused second crawl leaves the archive and its
    # -wal and -shm files byte for byte as they were.
    # The archive is opened once, before Scrapy loads (one that the crawl cannot use is one
    # line), and handed to the crawl.
    with ArchiveLock(db), Archive(db) as archive:
        report_to(log)  # from here on the crawl runs: its errors are lines of its log
        summary = crawler_run.run_crawl(options, archive)
    if summary.outcome == "unreachable":  # the run keeps the same line as its reason
        line = summary.run.reason or "the site could not be reached"
        offline = "; without the network, 'make demo' tries the tool on the shipped mirror"
        raise CliError(line + (offline if options.base_url == CANONICAL_ORIGIN else ""))
    log.summary(format_crawl(summary))
    if summary.outcome == "refused":  # the site's rules: a look, not a fault of the crawl's
        raise CliAttention(summary.run.reason or "robots.txt lets the crawl take nothing")
    if summary.outcome == "failed":
        raise CliError("the crawl failed more pages than it read: see 'bienphong runs --limit 1'")
    if summary.outcome == "interrupted":  # a second Ctrl-C: Scrapy stopped at once
        raise CliInterrupted(
            "stopped at once: the pages in flight were not archived (the next crawl gets them)"
        )
    if needs_a_look(summary) and not warnings_ok:
        raise CliAttention(needs_a_look(summary))


def needs_a_look(summary: CrawlSummary) -> str:
    """Why a crawl that ended well still asks for a look (exit status 3); "" when nothing
    does (`archive.runs.Run.concerns`)."""
    concerns = summary.run.concerns()
    if not concerns:
        return ""
    return f"the crawl needs a look: {'; '.join(concerns)}: see 'bienphong runs --limit 1'"


@click.command()
@db_option
@click.option(
    "--since",
    metavar="DATE",
    help="Only articles published since DATE: YYYY-MM-DD, DD/MM/YYYY or Nd.",
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
