"""Archive size: bytes per article in records, search index and raw pages, at N = 20,000
articles, and how the raw pages' compression compares with `gzip -6` and a few alternatives.

The archive is made by a whole `bienphong crawl` of the mirror (`python -m tests.mirror
--articles N --seed 1`, day 0). Bytes per table come from SQLite's `dbstat` virtual table
(pages per table and index × page size), grouped: records (`articles` and its indexes,
`versions`, `runs`, `failures`, `http_validators`, a whole walk's memory: empty once it
finished), search index (the `articles_fts` tables)
and raw pages (`pages` and its index). The compression figures re-compress the stored pages'
bytes: `gzip -6` is Python's gzip at level 6 (the same deflate as the `gzip` tool, checked
against `gzip -6` itself on a sample), and the alternatives are zlib with a preset dictionary
and zstd (`backports.zstd`) with and without a dictionary trained on a sample of the pages; a
dictionary would have to be stored once in the archive. The dictionaries are trained on 200
pages that are not among those compared; the mirror's text is drawn from small pools, so their
gains here are an upper bound for the real site's pages. `BENCH_QUICK=1` uses N = 5,000.
"""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from backports import zstd

from bench import Row
from bench.processes import crawled_archive, quick

SEED = 1
SAMPLE = 200  # pages checked with the gzip tool, and pages a dictionary is trained on
EVERY = 10  # the codecs are compared on every 10th stored page (2,000 of 20,000)
# Tables and indexes by the group they count in; the first prefix that fits wins.
GROUPS = {
    "search index": ("articles_fts",),
    "raw pages": ("pages", "idx_pages_"),
    "records": ("articles", "idx_articles_", "versions", "idx_versions_", "runs", "failures",
                "idx_failures_", "http_validators", "sqlite_autoindex_http_validators", "walk",
                "sqlite_autoindex_walk"),
}  # fmt: skip


def size() -> int:
    return 5_000 if quick() else 20_000


def group_of(name: str) -> str:
    for group, prefixes in GROUPS.items():
        if any(name.startswith(prefix) for prefix in prefixes):
            return group
    return "schema"


def table_bytes(db: Path) -> dict[str, int]:
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    conn.close()
    found: dict[str, int] = {}
    for name, total in rows:
        found[group_of(name)] = found.get(group_of(name), 0) + int(total)
    return found


def raw_pages(db: Path) -> list[tuple[bytes, bytes]]:
    """(stored zlib bytes, the page as received) of every stored page."""
    with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT codec, body FROM pages ORDER BY id").fetchall()
    conn.close()
    assert all(codec == "zlib" for codec, _ in rows)
    return [(body, zlib.decompress(body)) for _, body in rows]


def gzip_tool(page: bytes) -> int:
    return len(subprocess.run(["gzip", "-6", "-c"], input=page, capture_output=True).stdout)


def measured(compress: Callable[[bytes], bytes], found: list[bytes]) -> tuple[int, float]:
    """Total compressed bytes and milliseconds per page."""
    began = time.perf_counter()
    total = sum(len(compress(page)) for page in found)
    return total, (time.perf_counter() - began) * 1000 / len(found)


def run() -> list[Row]:
    articles = size()
    db, _ = crawled_archive(articles, SEED)
    groups = table_bytes(db)
    stored = raw_pages(db)
    pages = [page for _, page in stored]
    raw = sum(len(page) for page in pages)
    rows = [
        Row(
            f"{group} per article",
            groups.get(group, 0) / articles,
            "bytes",
            f"N = {articles:,}, from dbstat",
        )
        for group in ("records", "search index", "raw pages", "schema")
    ]
    file_size = db.stat().st_size
    rows.append(Row("archive file per article", file_size / articles, "bytes",
                    f"{file_size / 1e6:,.0f} MB for {articles:,} articles"))  # fmt: skip
    rows.append(Row("raw page as received", raw / len(pages), "bytes", "mean, uncompressed"))
    zlib_total = sum(len(body) for body, _ in stored)
    # trained on, and checked with the gzip tool: pages the codecs are not compared on
    sample = pages[EVERY // 2 :: EVERY * max(1, len(pages) // (SAMPLE * EVERY))][:SAMPLE]
    tool = sum(gzip_tool(page) for page in sample)
    python_gzip = sum(len(gzip.compress(page, 6, mtime=0)) for page in sample)
    zdict = b"".join(sample[:20])[-32_768:]
    trained = zstd.train_dict(sample, 64 * 1024)
    candidates: dict[str, Callable[[bytes], bytes]] = {
        "zlib level 6 (stored today)": lambda p: zlib.compress(p, 6),
        "gzip -6": lambda p: gzip.compress(p, 6, mtime=0),
        "zlib level 9": lambda p: zlib.compress(p, 9),
        "zlib level 6, 32 kB preset dictionary": lambda p: _zlib_dict(p, zdict),
        "zstd level 3": lambda p: zstd.compress(p, 3),
        "zstd level 19": lambda p: zstd.compress(p, 19),
        "zstd level 3, 64 kB trained dictionary": lambda p: zstd.compress(p, 3, zstd_dict=trained),
        "zstd level 19, 64 kB trained dictionary": lambda p: zstd.compress(
            p, 19, zstd_dict=trained
        ),
    }
    rows.append(Row("stored raw pages (zlib 6)", zlib_total / len(pages), "bytes/page",
                    f"{raw / zlib_total:.2f}× smaller than received"))  # fmt: skip
    compared = pages[::EVERY]
    compared_raw = sum(len(page) for page in compared)
    baseline = sum(len(body) for body, _ in stored[::EVERY])
    for name, compress in candidates.items():
        total, ms = measured(compress, compared)
        rows.append(
            Row(
                f"{name}: size vs stored",
                total / baseline,
                "×",
                f"{total / len(compared):,.0f} bytes/page, {compared_raw / total:.2f}× smaller "
                f"than received, {ms:.2f} ms/page to compress; {len(compared):,} pages",
            )
        )
    rows.append(Row("gzip -6 tool / Python gzip level 6", tool / python_gzip, "×",
                    f"on {len(sample)} pages: the same deflate"))  # fmt: skip
    return rows


def _zlib_dict(page: bytes, zdict: bytes) -> bytes:
    compressor = zlib.compressobj(6, zdict=zdict)
    return compressor.compress(page) + compressor.flush()
