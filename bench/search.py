"""Search latency at N = 20,000 and 200,000 articles, against the same queries as LIKE scans.

The archives are synthetic: titles, sapos and paragraphs of the offline mirror's articles
(`tests.mirror.Site`, seed 1), recombined by a seeded generator into new articles with their own
post ids, sections, authors and dates over ten years, and written in bulk into a real archive
(schema, triggers and index as `bienphong crawl` leaves them). Each of 20 queries runs
`archive.search.search` (ranked page of 20, total count, snippets) REPEAT times; p50 and p95
are over all those runs. The LIKE figures run the same words as `LIKE '%word%'` over the text
(the folded copies for unaccented words), counting matches and taking the 20 newest.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from archive import schema
from archive.search import Filters, search
from archive.store import Archive
from archive.vietnamese import fold, has_diacritics, words
from bench import Row
from tests.mirror.site import SECTIONS, Site

SIZES = (20_000, 200_000)
POOL = 2_000  # mirror articles whose text is recombined
REPEAT = 5
LIKE_REPEAT = 2
SEED = 11
# (query, filters): accented, unaccented, phrases, prefixes, boolean, filtered.
QUERIES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("biển", {}),
    ("Đảng ủy", {}),
    ("đảo", {}),
    ("phòng chống ma túy", {}),
    ("bien", {}),
    ("don bien phong", {}),
    ("dang uy bdbp", {}),
    ("ma tuy", {}),
    ("tuan tra", {}),
    ('"tuần tra song phương"', {}),
    ('"don bien phong"', {}),
    ('"bien gioi"', {}),
    ("bien*", {}),
    ("chuy*", {}),
    ("phòng*", {}),
    ("đảo OR đạo", {}),
    ("dao NOT đảo", {}),
    ("bien", {"sections": ("kinh-te",)}),
    ("tuan tra", {"since": "2024-01-01"}),
    ("Đảng", {"authors": ("Ngọc Tú",)}),
)


def pool() -> list[dict[str, Any]]:
    site = Site(articles=POOL, seed=1)
    return [site.article(i).truth() for i in range(POOL)]


def generate(count: int, source: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """`count` article rows (with folded copies) recombined from `source`, seeded."""
    rng = random.Random(SEED)
    paragraphs = [p for r in source for p in r["body"].split("\n\n") if p]
    folded_paragraphs = [fold(p) for p in paragraphs]
    titles = [(r["title"], fold(r["title"])) for r in source]
    sapos = [(r["sapo"], fold(r["sapo"])) for r in source if r["sapo"]]
    authors = sorted({a for r in source for a in r["authors"]})
    start = 1_700_000_000 - 3600 * 24 * 3650
    for n in range(count):
        picked = rng.sample(range(len(paragraphs)), rng.randint(3, 6))
        title, sapo = rng.choice(titles), rng.choice(sapos)
        moment = start + n * (3600 * 24 * 3650 // count)
        published = time.strftime("%Y-%m-%dT%H:%M:00+07:00", time.gmtime(moment + 7 * 3600))
        yield {
            "post_id": 100_000 + n,
            "url": f"https://www.bienphong.com.vn/bai-{n}-post{100_000 + n}.html",
            "kind": "article",
            "section": rng.choice(SECTIONS).slug,
            "title": title[0],
            "sapo": sapo[0],
            "body": "\n\n".join(paragraphs[i] for i in picked),
            "authors": json.dumps(
                rng.sample(authors, rng.choice((0, 1, 1, 2))), ensure_ascii=False
            ),
            "source": None,
            "published_at": published,
            "modified_at": None,
            "tags": "[]",
            "images": "[]",
            "video_url": None,
            "word_count": 0,
            "fetched_at": "2026-01-01T00:00:00+00:00",
            "extractor_version": "bench",
            "first_seen_at": published,
            "updated_at": published,
            "last_seen_at": published,
            "title_folded": title[1],
            "sapo_folded": sapo[1],
            "body_folded": "\n\n".join(folded_paragraphs[i] for i in picked),
        }


def build(path: Path, count: int, source: list[dict[str, Any]]) -> float:
    """A real archive of `count` synthetic articles at `path`; seconds taken to write it."""
    began = time.perf_counter()
    Archive(path).close()
    with Archive(path) as archive, archive.db.atomic():
        archive.db.table("articles").insert_all(generate(count, source), batch_size=2000)
    return time.perf_counter() - began


def timed(function: Callable[[], object]) -> float:
    began = time.perf_counter()
    function()
    return (time.perf_counter() - began) * 1000


def like_scan(archive: Archive, query: str, filters: dict[str, Any]) -> None:
    """The query's words as LIKE '%word%' over title, sapo and body: count, and 20 newest."""
    where, params = [], []
    for word in (w.group() for w in words(query) if w.group() not in ("OR", "NOT", "AND")):
        columns = schema.SEARCH_FIELDS if has_diacritics(word) else schema.FOLDED_FIELDS
        where.append("(" + " OR ".join(f"{c} LIKE ?" for c in columns) + ")")
        params += [f"%{word.lower() if has_diacritics(word) else fold(word)}%"] * len(columns)
    extra, extra_params = Filters.of(None, **filters).where()
    sql = f"FROM articles a WHERE {' AND '.join(where)} AND {extra}"
    archive.db.execute(f"SELECT count(*) {sql}", [*params, *extra_params]).fetchone()
    archive.db.execute(
        f"SELECT post_id {sql} ORDER BY published_at DESC LIMIT 20", [*params, *extra_params]
    ).fetchall()


def percentile(samples: list[float], share: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[round(share * 100) - 1]


def measure(path: Path) -> dict[str, float]:
    fts: list[float] = []
    like: list[float] = []
    with Archive(path, readonly=True) as archive:
        for query, filters in QUERIES:
            search(archive, Filters.of(query, **filters))  # warm the page cache
            ranked = partial(search, archive, Filters.of(query, **filters))
            scan = partial(like_scan, archive, query, filters)
            fts += [timed(ranked) for _ in range(REPEAT)]
            like += [timed(scan) for _ in range(LIKE_REPEAT)]
    return {
        "p50": percentile(fts, 0.50),
        "p95": percentile(fts, 0.95),
        "like_p50": percentile(like, 0.50),
        "like_p95": percentile(like, 0.95),
    }


def run() -> list[Row]:
    source = pool()
    figures: dict[int, dict[str, float]] = {}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        for size in SIZES:
            path = Path(folder) / f"search-{size}.db"
            seconds = build(path, size, source)
            figures[size] = measure(path)
            megabytes = path.stat().st_size / 1e6
            note = f"written in bulk in {seconds:.0f} s; the archive file is {megabytes:,.0f} MB"
            rows.append(Row(f"archive of {size:,} synthetic articles", size, "articles", note))
            path.unlink()
    small, large = SIZES
    samples = f"{len(QUERIES)} queries × {REPEAT} runs"
    for size in SIZES:
        f = figures[size]
        rows += [
            Row(
                f"search p50, N = {size:,}", f["p50"], "ms", f"FTS5, page of 20 + count; {samples}"
            ),
            Row(f"search p95, N = {size:,}", f["p95"], "ms", samples),
            Row(f"LIKE scan p50, N = {size:,}", f["like_p50"], "ms", f"{LIKE_REPEAT} runs each"),
            Row(f"LIKE scan p95, N = {size:,}", f["like_p95"], "ms", "the same words, no ranking"),
        ]
    rows += [
        Row(
            "search p50 growth, 200k / 20k",
            figures[large]["p50"] / figures[small]["p50"],
            "×",
            "10× the articles",
        ),
        Row(
            "search p95 growth, 200k / 20k", figures[large]["p95"] / figures[small]["p95"], "×", ""
        ),
        Row(
            "LIKE p50 growth, 200k / 20k",
            figures[large]["like_p50"] / figures[small]["like_p50"],
            "×",
            "",
        ),
        Row(
            "LIKE p50 / search p50, N = 200k",
            figures[large]["like_p50"] / figures[large]["p50"],
            "×",
            "how much slower the scan is",
        ),
    ]
    return rows
