"""Export speed and memory at N = 20,000 and 200,000 articles, for every format.

The archives are synthetic: the records and rendered pages of POOL articles of the offline mirror
(`tests.mirror.Site`, seed 1), repeated under new post ids and dates spread over ten years, and
written in bulk into a real archive (schema, search index and raw pages as a crawl leaves them).
Each export runs as its own `bienphong export` process, as a user runs it; its peak resident set
is the child's VmHWM, polled from /proc (`bench.processes.timed_process`). Its baseline is the
same command selecting nothing: what the interpreter and the format's libraries take before any
article. Memory is flat when the peak at 200,000 is close to the peak at 20,000. The mirror's
text repeats, so outputs compress better than real articles would.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive import schema
from archive.store import Archive, _to_row
from bench import Row
from bench.processes import BIENPHONG, timed_process
from tests.mirror import render
from tests.mirror.site import Site

SIZES = (20_000, 200_000)
POOL = 500
FORMATS = (
    ("jsonl", "out.jsonl"),
    ("csv", "out.csv"),
    ("parquet", "out.parquet"),
    ("markdown", "out.zip"),
    ("warc", "out.warc.gz"),
)
TEN_YEARS = 3600 * 24 * 3650
START = 1_480_000_000  # late 2016


def pool() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(article row, page row) of each pool article; the text's folded copies computed once."""
    site = Site(articles=POOL, seed=1)
    found = []
    for index in range(POOL):
        article = site.article(index)
        record = article.truth() | {"fetched_at": "", "extractor_version": "bench"}
        html = render.article_page(site, article).encode("utf-8")
        page = {
            "url": article.url,
            "final_url": article.url,
            "status": 200,
            "headers": json.dumps({"content-type": "text/html; charset=utf-8"}),
            "codec": "zlib",
            "body": zlib.compress(html, 6),
            "size": len(html),
            "sha256": hashlib.sha256(html).hexdigest(),
        }
        found.append((_to_row(record), page))
    return found


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


def build(path: Path, count: int, source: list[tuple[dict[str, Any], dict[str, Any]]]) -> float:
    """A real archive of `count` synthetic articles, each with its raw page; seconds taken."""
    began = time.perf_counter()
    Archive(path).close()
    with Archive(path) as archive, archive.db.atomic():
        batch: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for pair in generate(count, source):
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
        rows.append(Row(f"{format_} peak RSS growth, 200k / 20k", growth, "×", "10× the articles"))
    return rows
