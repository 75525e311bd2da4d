"""Incremental re-crawl cost: requests made by `bienphong crawl` on an archive of N articles
after the site published k new ones, at N = 2,000 and 20,000 and k = 10 and 100.

Each cell starts from a copy of one archive made by a whole crawl of the mirror at day 0
(`python -m tests.mirror --articles N --seed 1`, no edits). A fresh mirror of the same site
with `--new-per-day k --edits-per-day 0` is moved on one day (`/__mirror/day/1`: k new
articles) and crawled again with `bienphong crawl --delay 0`; its request log
(`/__mirror/hits`) is counted: article pages, and everything else (robots, feeds, sitemaps,
listing pages, home: the overhead). The day-0 site is the same whatever k, so the archive's
stored validators hold for every mirror. The issue's target: at most k article fetches plus an
overhead that does not grow with the archive and stays within 32 requests (one feed per section,
robots.txt, the sitemaps that changed, home, and a listing only where a feed does not reach
the archive). `BENCH_QUICK=1` uses N = 500 and 5,000.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench import Row
from bench.processes import (
    copy_archive,
    crawl_command,
    crawled_archive,
    mirror,
    quick,
    timed_process,
)

SEED = 1
KS = (10, 100)
OVERHEAD_TARGET = 32  # requests besides the k articles
ARTICLE = re.compile(r"-post\d+\.html")


def sizes() -> tuple[int, int]:
    return (500, 5_000) if quick() else (2_000, 20_000)


def kind(path: str) -> str:
    path = path.split("?")[0]
    if ARTICLE.search(path):
        return "article"
    if path.startswith("/rss/"):
        return "feed"
    if path.startswith("/sitemap") or path == "/robots.txt":
        return "sitemap"
    return "listing"


def recrawl(db: Path, articles: int, k: int) -> tuple[Counter[str], int, str]:
    """Request counts by kind, conditional answers (304), and the crawl's summary line."""
    with mirror(articles, SEED, "--new-per-day", str(k), "--edits-per-day", "0") as site:
        site.control("day/1")
        finished = timed_process(crawl_command(db, site.base_url))
        hits: list[dict[str, Any]] = site.control("hits")
    # an article answered with its page; a redirect to it (an old slug, the bare host) is overhead
    counts = Counter(
        "redirect" if kind(hit["path"]) == "article" and hit["status"] != 200 else kind(hit["path"])
        for hit in hits
    )
    not_modified = sum(1 for hit in hits if hit["status"] == 304)
    found = re.search(r"articles: .*", finished.stdout)
    return counts, not_modified, found.group(0) if found else finished.stdout.strip()


def run() -> list[Row]:
    rows: list[Row] = []
    overheads: dict[tuple[int, int], int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as folder:
        for size in sizes():
            base, seconds = crawled_archive(size, SEED)
            for k in KS:
                db = Path(folder) / f"incremental-{size}-{k}.db"
                copy_archive(base, db)
                counts, not_modified, summary = recrawl(db, size, k)
                overhead = sum(counts.values()) - counts["article"]
                overheads[size, k] = overhead
                within = counts["article"] <= k
                rows += [
                    Row(
                        f"article fetches, N = {size:,}, k = {k}",
                        counts["article"],
                        "requests",
                        f"target ≤ k = {k}: " + ("met" if within else "MISSED") + f"; {summary}",
                    ),
                    Row(
                        f"overhead, N = {size:,}, k = {k}",
                        overhead,
                        "requests",
                        f"target ≤ {OVERHEAD_TARGET}: "
                        + ("met" if overhead <= OVERHEAD_TARGET else "MISSED")
                        + f"; {counts['feed']} feed, {counts['sitemap']} robots/sitemap, "
                        f"{counts['listing']} listing/home, "
                        f"{counts['redirect']} article redirects; "
                        f"{not_modified} answered 304",
                    ),
                ]
            rows.append(
                Row(
                    f"archive of N = {size:,}",
                    size,
                    "articles",
                    f"a whole crawl of the day-0 mirror, {seconds:.0f} s at concurrency 8",
                )
            )
    small, large = sizes()
    for k in KS:
        growth = overheads[large, k] - overheads[small, k]
        rows.append(
            Row(
                f"overhead growth, N {small:,} → {large:,}, k = {k}",
                growth,
                "requests",
                "target: does not grow with the archive; " + ("met" if growth <= 0 else "MISSED"),
            )
        )
    return rows
