"""The worst queries the limits allow, on a 20,000-article archive: time and memory of each.

Issue 15 asks that no query of any shape take more than a second or 100 MB on a 20,000-article
archive. The archive is `bench.corpus`'s synthetic one. Each query runs in a fresh Python
process: a warm-up search, then the query as the reader's web page runs it
(`search.results`: ranked page of 20, and beside it the exact count and the facets: the
figure), then as the export reads it (every record selected, streamed: in the note, since it
grows with the matches, as an export must). The
process reports its peak resident memory: the interpreter, SQLite's cache and the query's
work together, so the figure bounds what the query costs from above.

The shapes are chosen at the limits in `archive.search`: the longest query, the most words,
the deepest parentheses, the widest prefixes, the most tone placements (one spelling in the
index since schema version 6, so no longer expanded; kept as shapes), the most authors; and
words with the smallest section as a filter (`in_section`).

Then the hostile site (issue 27), crawled by `bienphong crawl` from the mirror playing it: six
listing pages of 220,000 links each (the mirror's `crowded` fault; the crawl's peak resident
set beside the same crawl of the site as served, target ≤ 300 MB), and a listing that loops
over its last six pages for ever (`cycling`; the listing pages fetched against its own, and
what they cost at the crawl's default pace).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from archive.search import (
    MAX_AUTHOR_CHARS,
    MAX_AUTHORS,
    MAX_QUERY_DEPTH,
    MAX_QUERY_PREFIXES,
    MAX_QUERY_TERMS,
    MAX_QUERY_WORDS,
    MIN_PREFIX_CHARS,
)
from archive.vietnamese import fold
from bench import Row
from bench.corpus import Corpus, build
from bench.processes import Finished, crawl_command, mirror, quick, timed_process
from crawler.discovery import LINKS_PER_PAGE
from crawler.settings import DOWNLOAD_DELAY
from crawler.state import STALE_PAGES
from tests.mirror.faults import CROWDED_LINKS, CYCLE_PAGES
from tests.mirror.site import Site

SIZE = 20_000
Shape = tuple[str, str, tuple[str, ...]]  # (name, query, author names)
Shaped = tuple[str, str, tuple[str, ...], tuple[str, ...]]  # and sections


def shapes(common: list[str]) -> list[Shape]:
    """The worst queries within the limits; `common` are the corpus's most frequent words."""
    most = common[:MAX_QUERY_TERMS]
    widest = [f"{word[:MIN_PREFIX_CHARS]}*" for word in common if len(word) >= MIN_PREFIX_CHARS]
    prefixes = list(dict.fromkeys(widest))[:MAX_QUERY_PREFIXES]
    mixed = most[: MAX_QUERY_TERMS - MAX_QUERY_PREFIXES] + prefixes
    deep = "(" * MAX_QUERY_DEPTH + f"{most[0]} OR {most[1]}" + ")" * MAX_QUERY_DEPTH
    authors = tuple((f"Hòa Thủy {n} " * 20)[:MAX_AUTHOR_CHARS] for n in range(MAX_AUTHORS))
    # Two phrases that hold MAX_QUERY_WORDS common words between them.
    first = common[: MAX_QUERY_WORDS // 2]
    second = common[MAX_QUERY_WORDS // 2 : MAX_QUERY_WORDS]
    return [
        ("the most common word", most[0], ()),
        ("500 characters: the most common word repeated", (f"{most[0]} " * 250)[:500], ()),
        (f"the {MAX_QUERY_TERMS} most common words, AND", " ".join(most), ()),
        (f"the {MAX_QUERY_TERMS} most common words, OR", " OR ".join(most), ()),
        (f"{MAX_QUERY_PREFIXES} widest prefixes, OR", " OR ".join(prefixes), ()),
        (f"{len(mixed)} common words and widest prefixes, OR", " OR ".join(mixed), ()),
        (
            f"two phrases of {MAX_QUERY_WORDS // 2} common words",
            f'"{" ".join(first)}" OR "{" ".join(second)}"',
            (),
        ),
        (
            f"a phrase of {MAX_QUERY_WORDS} two-placement words",
            '"' + " ".join(["hoà"] * MAX_QUERY_WORDS) + '"',
            (),
        ),
        ("a four-word phrase of two-placement words", '"hoà hòa thủy khỏe"', ()),
        (f"parentheses {MAX_QUERY_DEPTH} deep", deep, ()),
        ("a chain of NOTs", " NOT ".join(most), ()),
        (f"{MAX_AUTHORS} authors of {MAX_AUTHOR_CHARS} characters", most[0], authors),
    ]


def in_section(common: list[str], rare: str, section: str) -> list[Shaped]:
    """Words with a section filter, the smallest section: SQLite, left to choose, once read
    the section's articles and asked the index about each (5 s for a rare phrase at 200,000
    articles, minutes for a prefix)."""
    widest = [f"{word[:MIN_PREFIX_CHARS]}*" for word in common if len(word) >= MIN_PREFIX_CHARS]
    return [
        ("a rare phrase in the smallest section", rare, (), (section,)),
        ("the widest prefix in the smallest section", widest[0], (), (section,)),
        ("the most common word in the smallest section", common[0], (), (section,)),
    ]


CHILD = """
import json, sys, time
from archive import search
from archive.store import Archive
db, query = sys.argv[1], sys.argv[2]
authors, sections = json.loads(sys.argv[3]), json.loads(sys.argv[4])
with Archive(db, readonly=True) as archive:
    search.search(archive, search.Filters.of("don"))
    began = time.perf_counter()
    filters = search.Filters.of(query, authors=tuple(authors), sections=tuple(sections))
    page, _ = search.results(archive, filters, limit=20)
    page_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    selected = sum(1 for _ in search.records(archive, filters))
    export_ms = (time.perf_counter() - began) * 1000
    # VmHWM, not ru_maxrss: Linux carries the parent's peak across exec into ru_maxrss.
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0])
print(json.dumps({"ms": page_ms, "export_ms": export_ms, "kib": peak, "total": page.total}))
"""


def measure(
    db: Path, query: str, authors: tuple[str, ...], sections: tuple[str, ...] = ()
) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), query, json.dumps(authors), json.dumps(sections)],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, float] = json.loads(done.stdout)
    return found


def run() -> list[Row]:
    return query_rows() + site_rows()


HOSTILE_SECTION = "kinh-te"
CROWDED_PAGES = 6


def site_rows() -> list[Row]:
    """The crawl against the hostile site's pages: memory on crowded pages, pages asked of a
    cycling listing."""
    articles = 2_000 if quick() else 5_000
    listing = f"/{HOSTILE_SECTION}/"
    pages = [listing] + [f"{listing}?page={n}" for n in range(2, CROWDED_PAGES + 1)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-hostile-site-") as folder:
        served = site_crawl(Path(folder) / "served.db", articles, ())
        crowded = site_crawl(
            Path(folder) / "crowded.db", articles, ("--faults", "crowded:" + "+".join(pages))
        )
        unfollowed = [line for line in crowded.stdout.splitlines() if "not followed" in line]
        rows += [
            Row(
                f"crawl peak RSS, {CROWDED_PAGES} listing pages of {CROWDED_LINKS:,} links,"
                f" N = {articles:,}",
                crowded.peak_rss_mib,
                "MiB",
                f"target ≤ 300 MB; the same crawl of the site as served {served.peak_rss_mib:.0f}"
                f" MiB; {crowded.seconds:.0f} s against {served.seconds:.0f} s; each page read"
                f" for {LINKS_PER_PAGE:,} links, the run says: "
                + (unfollowed[0].split("WARNING: ")[-1] if unfollowed else "nothing"),
            )
        ]
        site = Site(articles, seed=1)
        own = site.section_pages(HOSTILE_SECTION)
        with mirror(
            articles, 1, "--edits-per-day", "0", "--faults", f"cycling:{HOSTILE_SECTION}"
        ) as m:
            timed_process(
                crawl_command(Path(folder) / "cycling.db", m.base_url, "--section", HOSTILE_SECTION)
            )
            hits = m.control("hits")
        asked = [h["path"] for h in hits if h["path"].startswith(listing)]
        rows.append(
            Row(
                f"listing pages fetched, a listing that loops over its last {CYCLE_PAGES} pages,"
                f" N = {articles:,}",
                len(asked),
                "pages",
                f"its own {own} pages and {STALE_PAGES} that list nothing new ({len(set(asked))}"
                f" distinct); at the default pace of {DOWNLOAD_DELAY:.0f} s a request, about"
                f" {len(asked) * DOWNLOAD_DELAY:.0f} s (before issue 27: 10,000 pages, 2.8 hours)",
            )
        )
    return rows


def site_crawl(db: Path, articles: int, mirror_args: tuple[str, ...]) -> Finished:
    """A whole crawl of the mirror (with `mirror_args`), as an operator runs it."""
    args = ("--edits-per-day", "0", "--no-log-requests", *mirror_args)
    with mirror(articles, 1, *args) as site:
        return timed_process(crawl_command(db, site.base_url, "--warnings-ok"))


def query_rows() -> list[Row]:
    rows: list[Row] = []
    worst_ms = worst_mib = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as folder:
        db = Path(folder) / "hostile.db"
        corpus = Corpus()
        build(db, SIZE, corpus)
        common = list(dict.fromkeys(fold(word) for word in corpus.vocabulary))
        with sqlite3.connect(db) as conn:
            smallest = conn.execute(
                "SELECT section FROM article_facts GROUP BY section ORDER BY count(*) LIMIT 1"
            ).fetchone()[0]
        conn.close()
        rare = corpus.queries()[-4][0]  # a person of story 300: matches in other sections
        every = [(*shape, ()) for shape in shapes(common)] + in_section(common, rare, smallest)
        for name, query, authors, sections in every:
            found = measure(db, query, authors, sections)
            mib = found["kib"] / 1024
            worst_ms, worst_mib = max(worst_ms, found["ms"]), max(worst_mib, mib)
            note = (
                f"{len(query)} characters, {found['total']:,.0f} match; exporting them"
                f" {found['export_ms']:,.0f} ms; process peak RSS {mib:.1f} MiB"
            )
            rows.append(Row(f"{name}, N = {SIZE:,}", found["ms"], "ms", note))
    rows += [
        Row("slowest shape", worst_ms, "ms", "target ≤ 1,000 ms: page of 20, count, facets"),
        Row(
            "most memory for one shape",
            worst_mib,
            "MiB",
            "target ≤ 100 MiB: the whole process's peak RSS (Python, SQLite, page, export)",
        ),
    ]
    return rows
