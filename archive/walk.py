"""A whole walk of the site, written as it goes, so that one cut short continues where it stopped.

A whole walk is a crawl of the whole site that is not incremental: the first crawl of an
archive, or `--full`. At the polite pace it takes days, so it is done in pieces: a run paused
at its time box, stopped by a signal or killed by a reboot leaves the walk behind, and the next
whole walk of the same kind (`--refetch` or not) resumes it. Each run of the walk hands the
store what it did (`WalkSteps`: the feeds, sitemaps and listing pages it asked for, those it
read, the articles it asked for), written every few seconds and when the run ends. A resumed
walk asks the pages not read yet and the articles not fetched yet, and reads no page again.

An article counts as fetched when the archive holds it; under `--refetch`, when a run of the
walk stored a page of it. A kill loses the steps of the last few seconds only: the pages read in
them are read again. The run that finishes the walk forgets it, and what its pages said of
themselves becomes the validators of the next incremental run (`crawl_memory`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from archive.crawl_memory import Validators
from archive.dates import parse_iso, site_iso
from archive.site import SITE_TZ

if TYPE_CHECKING:
    from archive.store import Archive


@dataclass(frozen=True)
class WalkPage:
    """A feed, sitemap or listing page the walk asked for: enough to ask it again."""

    url: str
    role: str  # the spider's request role (feed, sitemap, month-sitemap, listing, tag)
    section: str | None = None  # a feed's section
    lastmod: datetime | None = None  # a child sitemap's <lastmod> in its index


@dataclass(frozen=True)
class WalkArticle:
    url: str
    post_id: int
    section_hint: str | None = None


@dataclass(frozen=True)
class WalkBegin:
    """Handed to the store as a whole walk's run starts: it begins a walk, or resumes one."""

    refetch: bool
    resumes: int | None  # the run that began the walk it resumes


@dataclass
class WalkSteps:
    """What a run of the walk did since its steps were last handed on."""

    asked: dict[str, WalkPage] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)
    articles: dict[int, WalkArticle] = field(default_factory=dict)
    validators: dict[str, Validators] = field(default_factory=dict)  # of pages read

    def __bool__(self) -> bool:
        return bool(self.asked or self.read or self.articles or self.validators)

    def add(self, later: WalkSteps) -> None:
        self.asked |= later.asked
        self.read |= later.read
        self.articles |= later.articles
        self.validators |= later.validators


@dataclass(frozen=True)
class WalkSoFar:
    """An unfinished walk, as the run that resumes it needs it."""

    begun_run: int
    read: frozenset[str]  # pages read: not asked again
    waiting: list[WalkPage]  # pages asked, not read yet
    articles: list[WalkArticle]  # articles asked, not fetched yet
    fetched: frozenset[int]  # post ids asked and fetched: not asked again


@dataclass(frozen=True)
class WalkProgress:
    """How far an unfinished walk has come, as far as it knows the site so far."""

    begun_run: int
    pages_read: int
    pages_known: int
    articles_fetched: int
    articles_known: int
    goes_on: str = "crawl"  # the command that goes on with it: `crawl --full` for a --full's

    def line(self) -> str:
        return (
            f"The whole crawl begun by run {self.begun_run} has read "
            f"{self.pages_read:,} of the {self.pages_known:,} feeds, sitemaps and listing pages "
            f"it knows, and fetched {self.articles_fetched:,} of the {self.articles_known:,} "
            f"articles they named; the next {self.goes_on} goes on"
        )


def resumable_walk(archive: Archive, refetch: bool) -> WalkSoFar | None:
    """The unfinished walk a whole walk (`--refetch` or not, as `refetch`) goes on with. Not
    one whose last run finished (killed before it could forget the walk)."""
    row = archive.read_one(
        "SELECT begun_run, begun_at, refetch FROM walk"
        " WHERE run_id NOT IN (SELECT id FROM runs WHERE outcome = 'finished')",
        (),
        "read the walk",
    )
    if row is None or bool(row[2]) != refetch:
        return None
    begun_run, begun_at = row[0], row[1]
    pages = archive.read(
        "SELECT url, role, section, lastmod, read FROM walk_pages", (), "read the walk"
    )
    read: set[str] = set()
    waiting: list[WalkPage] = []
    for url, role, section, lastmod, was_read in pages:
        if was_read:
            read.add(url)
        else:
            waiting.append(WalkPage(url, role, section, parse_iso(lastmod, SITE_TZ)))
    fetched, params = _fetched(refetch, begun_at)
    articles: list[WalkArticle] = []
    done: set[int] = set()
    sql = f"SELECT url, post_id, section_hint, {fetched} FROM walk_articles w ORDER BY post_id"
    for url, post_id, section_hint, was_fetched in archive.read(sql, params, "read the walk"):
        if was_fetched:
            done.add(post_id)
        else:
            articles.append(WalkArticle(url, post_id, section_hint))
    return WalkSoFar(begun_run, frozenset(read), waiting, articles, frozenset(done))


def take_walk(archive: Archive, run_id: int, begin: WalkBegin) -> None:
    """Run `run_id` walks the whole site: it resumes the walk there is, or forgets any (one
    of the other kind, or none) and begins one."""
    with archive.doing("begin the walk"), archive.db.atomic():
        if begin.resumes is not None:
            archive.db.execute("UPDATE walk SET run_id = ?", (run_id,))
            return
        _forget(archive)
        archive.db.execute(
            "INSERT INTO walk (id, begun_run, begun_at, refetch, run_id)"
            " SELECT 1, id, started_at, ?, id FROM runs WHERE id = ?",
            (int(begin.refetch), run_id),
        )


def save_walk_steps(archive: Archive, steps: WalkSteps) -> None:
    """The steps into the walk, in one transaction: the pages read, what they said of
    themselves, and every request their reading made."""
    asked = [
        (page.url, page.role, page.section, page.lastmod and site_iso(page.lastmod))
        for page in steps.asked.values()
    ]
    seen = [(v.etag, v.last_modified, url) for url, v in steps.validators.items()]
    articles = [(a.post_id, a.url, a.section_hint) for a in steps.articles.values()]
    with archive.doing("save the walk"), archive.db.atomic():
        db = archive.db.conn
        db.executemany(
            "INSERT OR IGNORE INTO walk_pages (url, role, section, lastmod) VALUES (?, ?, ?, ?)",
            asked,
        )
        db.executemany("UPDATE walk_pages SET read = 1 WHERE url = ?", [(u,) for u in steps.read])
        db.executemany(
            "UPDATE walk_pages SET validated = 1, etag = ?, last_modified = ? WHERE url = ?", seen
        )
        db.executemany(
            "INSERT OR IGNORE INTO walk_articles (post_id, url, section_hint) VALUES (?, ?, ?)",
            articles,
        )


def walk_validators(archive: Archive) -> dict[str, Validators]:
    """What the walk's pages said of themselves as they were read, by URL."""
    sql = "SELECT url, etag, last_modified, lastmod FROM walk_pages WHERE validated"
    return {
        url: Validators(etag, modified, parse_iso(lastmod, SITE_TZ))
        for url, etag, modified, lastmod in archive.read(sql, (), "read the walk")
    }


def end_walk(archive: Archive) -> None:
    """The walk is finished: forgotten."""
    with archive.doing("end the walk"), archive.db.atomic():
        _forget(archive)


def _forget(archive: Archive) -> None:
    for table in ("walk", "walk_pages", "walk_articles"):
        archive.db.execute(f"DELETE FROM {table}")


def walk_progress(archive: Archive) -> WalkProgress | None:
    """How far the unfinished walk has come; None when there is none."""
    row = archive.read_one(
        "SELECT begun_run, begun_at, refetch, (SELECT count(*) FROM walk_pages WHERE read),"
        " (SELECT count(*) FROM walk_pages), (SELECT count(*) FROM walk_articles),"
        " (SELECT json_extract(options, '$.full') FROM runs WHERE id = begun_run) FROM walk",
        (),
        "read the walk",
    )
    if row is None or not (row[4] or row[5]):  # none, or nothing asked yet: nothing to say
        return None
    begun_run, begun_at, refetch, read, pages, articles, full = row
    fetched, params = _fetched(bool(refetch), begun_at)
    sql = f"SELECT count(*) FROM walk_articles w WHERE {fetched}"
    done = archive.read_value(sql, params, "read the walk") or 0
    goes_on = "crawl --full --refetch" if refetch else "crawl --full" if full else "crawl"
    return WalkProgress(begun_run, read, pages, done, articles, goes_on)


def _fetched(refetch: bool, begun_at: str) -> tuple[str, tuple[str, ...]]:
    """SQL true when the walk fetched the article `w` (a row of walk_articles), and its
    parameters. Archived, or under --refetch, a page of it stored since the walk began (the
    pages' unique index covers post_id and fetched_at: their bodies are not read)."""
    if refetch:
        sql = "EXISTS (SELECT 1 FROM pages p WHERE p.post_id = w.post_id AND p.fetched_at >= ?)"
        return sql, (begun_at,)
    return "w.post_id IN (SELECT post_id FROM articles)", ()
