"""Export speed and memory at N = 20,000 and 100,000 articles, for every format, and the rate
of `bienphong reextract` over the raw pages. (200,000 until the pages weighed what the real
site's do: its WARC alone, 50 GB of pages read back and gzipped, would take most of an hour.)

The archives are synthetic: the records and rendered pages (real weight: about 250 KB) of POOL
articles of the offline mirror (`tests.mirror.Site`, seed 1), repeated under new post ids and
dates spread over ten years, and written in bulk into a real archive (schema, search index and
raw pages as a crawl leaves them: compressed with a dictionary trained on the pool's first
pages, as archive/pages.py does). The re-extraction reads the newest REEXTRACTED pages of the
20,000 back through their dictionary and extracts them; each record then differs from its page
by its last line (below), so every one is updated and versioned: the dearest case.
Each export runs as its own `bienphong export` process, as a user runs it; its peak resident set
is the child's VmHWM, polled from /proc (`bench.processes.timed_process`). Its baseline is the
same command selecting nothing: what the interpreter and the format's libraries take before any
article. Memory is flat when the peak at 100,000 is close to the peak at 20,000. The mirror's
text repeats, so outputs compress better than real articles would.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backports import zstd

from archive import schema
from archive.pages import HELD_OUT, TRAIN_PAGES, ZSTD_LEVEL, add_dictionary, trained_dictionary
from archive.store import Archive, _to_row
from bench import Row
from bench.processes import BIENPHONG, timed_process
from tests.mirror import render
from tests.mirror.site import Site

SIZES = (20_000, 100_000)
POOL = 500
REEXTRACTED = 2_000
FORMATS = (
    ("jsonl", "out.jsonl"),
    ("csv", "out.csv"),
    ("parquet", "out.parquet"),
    ("markdown", "out.zip"),
    ("warc", "out.warc.gz"),
)
TEN_YEARS = 3600 * 24 * 3650
START = 1_480_000_000  # late 2016


# (article row, page row) of each pool article; the dictionary's bytes and held-out ratio
Pool = tuple[list[tuple[dict[str, Any], dict[str, Any]]], bytes, float]


def pool() -> Pool:
    """(article row, page row) of each pool article, and the page dictionary their pages are
    compressed with (id 1)."""
    site = Site(articles=POOL, seed=1)
    pages = [render.article_page(site, site.article(i)).encode("utf-8") for i in range(POOL)]
    dictionary, ratio = trained_dictionary(pages[:TRAIN_PAGES])
    found = []
    for index, html in enumerate(pages):
        article = site.article(index)
        record = article.truth() | {"fetched_at": "", "extractor_version": "bench"}
        page = {
            "url": article.url,
            "final_url": article.url,
            "status": 200,
            "headers": json.dumps({"content-type": "text/html; charset=utf-8"}),
            "codec": "zstd",
            "dictionary_id": 1,
            "body": zstd.compress(html, ZSTD_LEVEL, zstd_dict=dictionary),
            "size": len(html),
            "sha256": hashlib.sha256(html).hexdigest(),
        }
        found.append((_to_row(record), page))
    return found, dictionary.dict_content, ratio


def generate(
    count: int, source: list[tuple[dict[str, Any], dict[str, Any]]]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for n in range(count):
        row, page = source[n % len(source)]
        post_id = 1_000_000 + n
        moment = START + n * (TEN_YEARS // count)
        published = time.strftime("%Y-%m-%dT%H:%M:00+07:00", time.gmtime(moment + 7 * 3600))
        fetched = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment + 86_400))
        url = row["url"].replace(f"-post{row['post_id']}.html", f"-post{post_id}.html")
        times = {"first_seen_at": fetched, "updated_at": fetched, "last_seen_at": fetched}
        # a last line of its own, so that no two bodies are alike (as on the site)
        text = row | {"body": f"{row['body']}\n\n(Bài {n}.)"}
        yield (
            text
            | times
            | {"post_id": post_id, "url": url, "published_at": published, "fetched_at": fetched}
            | schema.index_columns(text),
            page | {"post_id": post_id, "url": url, "final_url": url, "fetched_at": fetched},
        )


def build(path: Path, count: int, source: Pool) -> float:
    """A real archive of `count` synthetic articles, each with its raw page; seconds taken."""
    began = time.perf_counter()
    Archive(path).close()
    rows, dictionary, ratio = source
    with Archive(path) as archive, archive.db.atomic():
        # the first of a new archive: id 1, as the pool's pages name it
        trained_on = TRAIN_PAGES - len(range(0, TRAIN_PAGES, HELD_OUT))
        if add_dictionary(archive.db, dictionary, ratio, trained_on, None) != 1:
            raise RuntimeError(f"{path} held a page dictionary already")
        batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for pair in generate(count, rows):
            batch.append(pair)
            if len(batch) == 2_000:
                _insert(archive, batch)
                batch = []
        _insert(archive, batch)
    return time.perf_counter() - began


def _insert(archive: Archive, batch: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    if batch:
        archive.db.table("articles").insert_all([row for row, _ in batch], batch_size=2_000)
        archive.db.table("pages").insert_all([page for _, page in batch], batch_size=2_000)


def export(db: Path, format_: str, output: Path, *args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one `bienphong export` process."""
    command = [str(BIENPHONG), "export", "--db", str(db), "--format", format_]
    finished = timed_process([*command, "--output", str(output), *args])
    return finished.seconds, finished.peak_rss_mib


def reextracted(db: Path) -> Row:
    """`bienphong reextract --since` the day of the REEXTRACTED-th newest article."""
    with Archive(db, readonly=True) as archive:
        since = archive.read_value(
            "SELECT substr(published_at, 1, 10) FROM articles ORDER BY published_at DESC"
            " LIMIT 1 OFFSET ?",
            [REEXTRACTED - 1],
        )
    finished = timed_process([str(BIENPHONG), "reextract", "--db", str(db), "--since", since])
    found = re.search(r"(\d+) updated, (\d+) unchanged, (\d+) failed", finished.stdout)
    if found is None or int(found.group(3)):
        raise RuntimeError(f"bienphong reextract: {finished.stdout.strip()}")
    pages = int(found.group(1)) + int(found.group(2))
    return Row(
        "reextract pages/s",
        pages / finished.seconds,
        "pages/s",
        f"`bienphong reextract --since {since}` on the archive of {SIZES[0]:,}: {pages:,} pages"
        f" of about 250 KB read back, extracted and every record updated (the dearest case) in"
        f" {finished.seconds:.1f} s; {finished.cpu_seconds * 1000 / pages:.1f} ms CPU a page;"
        f" peak RSS {finished.peak_rss_mib:.0f} MiB",
    )


def run() -> list[Row]:
    source = pool()
    rows: list[Row] = []
    peaks: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        for size in SIZES:
            db = Path(folder) / f"export-{size}.db"
            seconds = build(db, size, source)
            megabytes = db.stat().st_size / 1e6
            note = f"written in bulk in {seconds:.0f} s; the archive file is {megabytes:,.0f} MB"
            rows.append(Row(f"archive of {size:,} synthetic articles", size, "articles", note))
            if size == SIZES[0]:
                rows.append(reextracted(db))
            for format_, name in FORMATS:
                output = Path(folder) / name
                _, baseline = export(db, format_, output, "--ids", os.devnull)
                seconds, peak = export(db, format_, output)
                peaks[format_, size] = peak
                out_mb = output.stat().st_size / 1e6
                rows.append(
                    Row(
                        f"{format_} articles/s, N = {size:,}",
                        size / seconds,
                        "articles/s",
                        f"{seconds:.1f} s, output {out_mb:,.0f} MB",
                    )
                )
                note = f"{baseline:.0f} MiB for the same export selecting nothing"
                rows.append(Row(f"{format_} peak RSS, N = {size:,}", peak, "MiB", note))
                output.unlink()
            db.unlink()
    small, large = SIZES
    for format_, _ in FORMATS:
        growth = peaks[format_, large] / peaks[format_, small]
        name = f"{format_} peak RSS growth, {large // 1000}k / {small // 1000}k"
        rows.append(Row(name, growth, "×", f"{large // small}× the articles"))
    return rows
