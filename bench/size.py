"""Archive size at the real site's weight: bytes per article by part at N = 20,000 and 50,000
articles, projected to 500,000, and what the raw pages' trained dictionaries make of pages of
about 250 KB against zlib level 6.

One archive grows: a whole `bienphong crawl` of the mirror (`python -m tests.mirror --articles
20000 --seed 1`, real weight, day 0) is measured, then the mirror moves to day 1 with 30,000
new articles and the next crawl brings them in, and it is measured again; the projection to
500,000 extends the growth per article between the two. Bytes by part come from SQLite's
`dbstat` (pages per table and index × page size):

- records: `articles` (less its copies below) and its indexes, `versions`, `runs`,
  `failures`, `http_validators`, the walk's tables (empty once a walk finished);
- spelled and folded copies: the columns of `articles` the store writes beside the text for the
  index (schema.STORED_COPIES), their bytes counted from the rows (`length` of each as a blob),
  and taken off `articles`;
- search index: the FTS5 tables;
- narrow tables: `article_facts`, the authors' and tags' tables, the index's words and blocks;
- raw pages: `pages`, its indexes and `page_dictionaries`;
- the rest: SQLite's schema, free and pointer-map pages.

Raw pages are measured on every 10th stored page of the 50,000 (5,000 pages): the bytes stored
against zlib level 6 of the same pages, and the time to compress and read back one page each
way. The training's peak memory is the growth of the resident set of a process of its own
while it trains a dictionary as the archive does (archive/pages.py); Linux's peak is reset
before. Last, whether the mirror's gain flatters: zstd at the archive's level with another
page of the same site as the dictionary, on pairs of real pages of one site
(../shared/realpages) and on pairs of mirror pages. `BENCH_QUICK=1` uses 2,000 and 5,000
articles.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from backports import zstd

from archive.pages import HELD_OUT, TRAIN_PAGES, ZLIB_LEVEL, ZSTD_LEVEL, trained_dictionary
from archive.schema.fields import STORED_COPIES
from archive.store import Archive
from bench import Row
from bench.mirror import real_pairs
from bench.processes import (
    INITIAL_CONCURRENCY,
    ROOT,
    crawl_command,
    mirror,
    quick,
    scratch_folder,
    status_mib,
    timed_process,
)

SEED = 1
EVERY = 10  # the raw-page figures read every 10th stored page
PROJECTED = 500_000
COPIES = "spelled and folded copies"
# Tables and indexes by the part they count in; the first prefix that fits wins.
PARTS = {
    "search index (FTS5)": ("articles_fts",),
    "narrow tables": ("article_facts", "article_authors", "article_tags", "author_names",
                      "tag_names", "index_words", "article_blocks", "idx_article_",
                      "sqlite_autoindex_author_names", "sqlite_autoindex_tag_names",
                      "sqlite_autoindex_index_words"),
    "raw pages": ("pages", "idx_pages_", "page_dictionaries"),
    "records": ("articles", "idx_articles_", "versions", "idx_versions_", "runs", "failures",
                "idx_failures_", "http_validators", "sqlite_autoindex_http_validators", "walk",
                "sqlite_autoindex_walk"),
}  # fmt: skip
ORDER = ("records", COPIES, "search index (FTS5)", "narrow tables", "raw pages", "the rest")


def sizes() -> tuple[int, int]:
    return (2_000, 5_000) if quick() else (20_000, 50_000)


def part_of(name: str) -> str:
    for part, prefixes in PARTS.items():
        if any(name.startswith(prefix) for prefix in prefixes):
            return part
    return "the rest"


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)


def part_bytes(db: Path) -> dict[str, int]:
    """Bytes of the archive file by part (ORDER); they add up to the file."""
    copies = " + ".join(f"coalesce(length(CAST([{c}] AS BLOB)), 0)" for c in STORED_COPIES)
    conn = _read_only(db)
    try:
        tables = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
        copied = conn.execute(f"SELECT SUM({copies}) FROM articles").fetchone()[0] or 0
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    finally:
        conn.close()
    found = dict.fromkeys(ORDER, 0)
    for name, total in tables:
        found[part_of(name)] += int(total)
    found["records"] -= copied
    found[COPIES] = copied
    found["the rest"] += page_size * pages - sum(found.values())  # free and pointer-map pages
    return found


def grown_archive(first: int, then: int) -> tuple[Path, dict[int, tuple[dict[str, int], int]]]:
    """The archive of a whole crawl of `first` articles, grown to `then` by the next day's crawl;
    its path and, at each size, its bytes by part and its file size."""
    db = scratch_folder() / f"size-{first}-{then}.db"
    measured = {}
    args = ("--new-per-day", str(then - first), "--edits-per-day", "0", "--no-log-requests")
    with mirror(first, SEED, *args) as site:
        for day, new in ((0, first), (1, then - first)):
            site.control(f"day/{day}")
            command = crawl_command(db, site.base_url, "--concurrency", str(INITIAL_CONCURRENCY))
            finished = timed_process(command)
            if f"articles: {new} new" not in finished.stdout:
                raise RuntimeError(f"the crawl of day {day}: {finished.stdout.strip()}")
            Archive(db).close()  # folds the write-ahead log into the file
            measured[first if day == 0 else then] = (part_bytes(db), db.stat().st_size)
    return db, measured


def part_rows(measured: dict[int, tuple[dict[str, int], int]]) -> list[Row]:
    (small, (parts_small, file_small)), (large, (parts_large, file_large)) = sorted(
        measured.items()
    )
    rows = []
    for part in ORDER:
        growth = (parts_large[part] - parts_small[part]) / (large - small)
        projected = parts_large[part] + growth * (PROJECTED - large)
        note = f"N = {large:,}; {parts_small[part] / small:,.0f} at N = {small:,}"
        if part == "the rest":  # the schema and the free pages: not a part of each article
            note += "; does not grow with the archive"
        else:
            note += f"; grows {growth:,.0f} an article"
            note += f": {projected / PROJECTED:,.0f} at {PROJECTED:,}"
        rows.append(Row(f"{part} per article", parts_large[part] / large, "bytes", note))
    growth = (file_large - file_small) / (large - small)
    projected = file_large + growth * (PROJECTED - large)
    rows.append(
        Row(
            "archive file per article",
            file_large / large,
            "bytes",
            f"{file_large / 1e6:,.0f} MB for {large:,} articles, {file_small / 1e6:,.0f} MB for"
            f" {small:,}; projected {projected / 1e9:,.1f} GB for {PROJECTED:,}",
        )
    )
    return rows


def sampled_pages(db: Path, limit: int = -1) -> list[tuple[bytes, int | None, bytes]]:
    """(stored bytes, dictionary id, page as received) of every EVERY-th stored page (the
    first `limit` of them)."""
    with Archive(db, readonly=True) as archive:
        rows = archive.db.execute(
            "SELECT codec, dictionary_id, body FROM pages WHERE id % ? = 0 ORDER BY id LIMIT ?",
            [EVERY, limit],
        ).fetchall()
        return [
            (data, used, archive.page_codec.decompress(codec, used, data))
            for codec, used, data in rows
        ]


def per_page_ms(work: Callable[[int], object], count: int) -> float:
    began = time.perf_counter()
    for index in range(count):
        work(index)
    return (time.perf_counter() - began) * 1000 / count


def codec_rows(db: Path, articles: int, file_size: int) -> list[Row]:
    sample = sampled_pages(db)
    received = [page for _, _, page in sample]
    with Archive(db, readonly=True) as archive:
        dictionaries = {
            used: zstd.ZstdDict(content)
            for used, content in archive.db.execute("SELECT id, content FROM page_dictionaries")
        }
        stored_by = archive.db.execute(
            "SELECT codec, count(*), sum(length(body)) FROM pages GROUP BY codec"
        ).fetchall()
    zlib_pages = [zlib.compress(page, ZLIB_LEVEL) for page in received]
    stored = sum(len(data) for data, _, _ in sample)
    zlib_total = sum(len(data) for data in zlib_pages)
    count = len(sample)
    with_dictionary = [(data, dictionaries[used]) for data, used, _ in sample if used is not None]

    pages_with = [(page, dictionaries[used]) for _, used, page in sample if used is not None]
    zstd_compress = per_page_ms(
        lambda k: zstd.compress(pages_with[k][0], ZSTD_LEVEL, zstd_dict=pages_with[k][1]),
        len(pages_with),
    )
    zstd_read = per_page_ms(
        lambda k: zstd.decompress(with_dictionary[k][0], zstd_dict=with_dictionary[k][1]),
        len(with_dictionary),
    )
    zlib_compress = per_page_ms(lambda k: zlib.compress(received[k], ZLIB_LEVEL), count)
    zlib_read = per_page_ms(lambda k: zlib.decompress(zlib_pages[k]), count)
    by_codec = ", ".join(f"{codec} {n:,} pages" for codec, n, _ in stored_by)
    mean_zlib = zlib_total / count
    return [
        Row("article page as received", sum(map(len, received)) / count / 1024, "KiB",
            f"mean of {count:,} pages (every {EVERY}th of {articles:,})"),
        Row("raw page stored", stored / count, "bytes/page",
            f"{sum(map(len, received)) / stored:.1f}× smaller than received; {by_codec}"),
        Row("raw page, zlib level 6 of the same pages", mean_zlib, "bytes/page",
            f"{sum(map(len, received)) / zlib_total:.1f}× smaller than received"),
        Row("raw page stored / zlib level 6", stored / zlib_total, "×", "target ≤ 0.25; "
            + ("met" if stored / zlib_total <= 0.25 else "MISSED")),
        Row("archive file per article / zlib level 6 page", file_size / articles / mean_zlib,
            "×", f"{file_size / articles:,.0f} bytes an article against {mean_zlib:,.0f};"
            " target ≤ 0.6; " + ("met" if file_size / articles <= 0.6 * mean_zlib else "MISSED")),
        Row("zstd with its dictionary: compress + read back", zstd_compress + zstd_read, "ms/page",
            f"level {ZSTD_LEVEL}: {zstd_compress:.2f} to compress, {zstd_read:.2f} to read back;"
            f" {len(pages_with):,} pages; target ≤ zlib's; "
            + ("met" if zstd_compress + zstd_read <= zlib_compress + zlib_read else "MISSED")),
        Row("zlib level 6: compress + read back", zlib_compress + zlib_read, "ms/page",
            f"{zlib_compress:.2f} to compress, {zlib_read:.2f} to read back"),
    ]  # fmt: skip


def training_rows(db: Path) -> list[Row]:
    """The archive's training on its newest TRAIN_PAGES pages, in a process of its own (this
    one has held thousands of pages, and the allocator keeps what they took): seconds and the
    growth of the resident set's peak while it trains."""
    command = [sys.executable, "-m", "bench.size", "train", str(db)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, growth_mib, ratio = json.loads(finished.stdout)
    with Archive(db, readonly=True) as archive:
        dictionaries = archive.db.execute(
            "SELECT id, pages, ratio, size FROM page_dictionaries ORDER BY id"
        ).fetchall()
    listed = "; ".join(
        f"{id_}: {pages} pages, {ratio_:.1f}×, {size / 1024:.0f} KiB"
        for id_, pages, ratio_, size in dictionaries
    )
    return [
        Row("dictionary training, peak memory growth", growth_mib, "MiB",
            f"{TRAIN_PAGES} pages (every {HELD_OUT}th held out) read back, then trained in"
            f" {seconds:.2f} s: VmHWM after less VmRSS before; held-out ratio {ratio:.1f}×"),
        Row("dictionaries in the archive", len(dictionaries), "", listed),
    ]  # fmt: skip


def train(db: Path) -> tuple[float, float, float]:
    """The training's own process: seconds, peak growth (MiB) and held-out ratio."""
    with Archive(db, readonly=True) as archive:
        rows = archive.db.execute(
            "SELECT codec, dictionary_id, body FROM pages ORDER BY id DESC LIMIT ?", [TRAIN_PAGES]
        ).fetchall()
        bodies = [archive.page_codec.decompress(*row) for row in rows]
    before = status_mib("self", "VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM back to VmRSS
    began = time.perf_counter()
    _, ratio = trained_dictionary(bodies)
    return time.perf_counter() - began, status_mib("self", "VmHWM") - before, ratio


def pair_gain(pages: list[bytes]) -> float:
    """Median over pairs (each page after its pair) of zlib level 6 size / zstd size at the
    archive's level with the pair's first page as a raw dictionary."""
    gains = [
        len(zlib.compress(page, ZLIB_LEVEL))
        / len(zstd.compress(page, ZSTD_LEVEL, zstd_dict=zstd.ZstdDict(before, is_raw=True)))
        for before, page in zip(pages[::2], pages[1::2], strict=False)
    ]
    return statistics.median(gains)


def flattery_rows(db: Path) -> list[Row]:
    real = real_pairs()
    mirrored = [page for _, _, page in sampled_pages(db, limit=200)]
    gain = pair_gain(mirrored)
    if not real:
        return [Row("same-site page as dictionary, gain over zlib: mirror", gain, "×", "")]
    real_gain = pair_gain(real)
    return [
        Row("same-site page as dictionary, gain over zlib: real pages", real_gain, "×",
            f"median of {len(real) // 2} pairs of pages of one site (../shared/realpages)"),
        Row("same-site page as dictionary, gain over zlib: mirror", gain, "×",
            f"median of {len(mirrored) // 2} pairs; {gain / real_gain:.2f}× the real pages'"),
    ]  # fmt: skip


def run() -> dict[str, list[Row]]:
    first, then = sizes()
    db, measured = grown_archive(first, then)
    file_size = measured[max(measured)][1]
    return {
        "bytes by part": part_rows(measured),
        "raw pages": [
            *codec_rows(db, max(measured), file_size),
            *training_rows(db),
            *flattery_rows(db),
        ],
    }


if __name__ == "__main__" and sys.argv[1:2] == ["train"]:
    # the training's own process: python -m bench.size train DB
    print(json.dumps(train(Path(sys.argv[2]))))
