"""Crawl speed and memory: `bienphong crawl --delay 0` against a bare Scrapy fetch of the same
articles, and the crawl's peak resident set at 5,000 and 50,000 articles.

The mirror runs as its own process (`python -m tests.mirror`, seed 1, request log off). The bare
baseline is `python -m bench.crawl bare ...`: a Scrapy spider in its own process that requests
every article URL of the mirror's truth (in one download slot, at the same concurrency, on the
same mirror) and does nothing with the answers: no robots, no discovery, no extraction, no
storage. Both are timed end to end as processes, start-up included; the bare fetch runs before
and after the crawl, and the crawl is compared with the mean of the two. The issue's targets:
the crawl at ≥ 0.5× the bare fetch rate; peak RSS growth from 5,000 to 50,000 ≤ 1.2× and the
peak ≤ 400 MB. `BENCH_QUICK=1` crawls 2,000 and 10,000 articles instead.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bench import Row
from bench.processes import crawl_command, mirror, quick, timed_process

SEED = 1
CONCURRENCY = 4  # `bienphong crawl`'s default
SLOT = "mirror"


def sizes() -> tuple[int, int]:
    return (2_000, 10_000) if quick() else (5_000, 50_000)


def article_urls(base_url: str, articles: int, seed: int) -> list[str]:
    """Every article of the mirror's site at day 0, at the mirror's address."""
    from tests.mirror.site import Site

    site = Site(articles=articles, seed=seed)
    return [base_url + site.headline(index).path for index in range(site.total)]


def bare_fetch(base_url: str, articles: int, seed: int, concurrency: int) -> int:
    """Fetch every article URL with a spider that does nothing else; pages answered 200."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> AsyncIterator[Any]:
            for url in article_urls(base_url, articles, seed):
                yield scrapy.Request(url, callback=self.parse, meta={"download_slot": SLOT})

        def parse(self, response: Any) -> None:
            return None

    settings = {
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": max(16, concurrency),  # as `bienphong crawl` sets them
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return int(stats.get("downloader/response_status_count/200", 0))


def bare(base_url: str, articles: int) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of the bare fetch as its own process."""
    command = [sys.executable, "-m", "bench.crawl", "bare", base_url, str(articles), str(SEED)]
    finished = timed_process([*command, str(CONCURRENCY)])
    fetched = int(finished.stdout.split()[-1])
    if fetched != articles:
        raise RuntimeError(f"the bare fetch got {fetched} of {articles} articles")
    return finished.seconds, finished.peak_rss_mib


def crawl(db: Path, base_url: str, articles: int) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of `bienphong crawl` into a new archive."""
    finished = timed_process(crawl_command(db, base_url, "--concurrency", str(CONCURRENCY)))
    found = re.search(r"articles: (\d+) new", finished.stdout)
    new = int(found.group(1)) if found else 0
    if new != articles:
        raise RuntimeError(f"the crawl archived {new} of {articles} articles")
    return finished.seconds, finished.peak_rss_mib


def run() -> list[Row]:
    small, large = sizes()
    rows: list[Row] = []
    command = f"`bienphong crawl --delay 0 --concurrency {CONCURRENCY}`"
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as folder:
        with mirror(small, SEED, "--no-log-requests") as site:
            bare_before, bare_rss = bare(site.base_url, small)
            crawl_seconds, small_peak = crawl(Path(folder) / "small.db", site.base_url, small)
            bare_after, _ = bare(site.base_url, small)
        bare_seconds = (bare_before + bare_after) / 2
        with mirror(large, SEED, "--no-log-requests") as site:
            large_seconds, large_peak = crawl(Path(folder) / "large.db", site.base_url, large)
    bare_rate, crawl_rate = small / bare_seconds, small / crawl_seconds
    rows += [
        Row(
            f"bare fetch, N = {small:,}",
            bare_rate,
            "articles/s",
            f"Scrapy fetching the {small:,} article URLs and nothing else, concurrency "
            f"{CONCURRENCY}; {bare_before:.1f} s before the crawl, {bare_after:.1f} s after; "
            f"peak RSS {bare_rss:.0f} MiB",
        ),
        Row(
            f"crawl, N = {small:,}",
            crawl_rate,
            "articles/s",
            f"{command} into a new archive, end to end (discovery, extraction, storage): "
            f"{crawl_seconds:.1f} s",
        ),
        Row(
            "crawl / bare fetch rate",
            crawl_rate / bare_rate,
            "×",
            "target ≥ 0.5; " + ("met" if crawl_rate / bare_rate >= 0.5 else "MISSED"),
        ),
        Row(
            f"crawl peak RSS, N = {small:,}",
            small_peak,
            "MiB",
            "VmHWM of the crawl process, polled",
        ),
        Row(
            f"crawl, N = {large:,}",
            large / large_seconds,
            "articles/s",
            f"{command}, {large_seconds / 60:.1f} min",
        ),
        Row(f"crawl peak RSS, N = {large:,}", large_peak, "MiB", "target ≤ 400 MB (381 MiB)"),
        Row(
            f"crawl peak RSS growth, {large // 1000}k / {small // 1000}k",
            large_peak / small_peak,
            "×",
            "target ≤ 1.2; "
            + ("met" if large_peak / small_peak <= 1.2 and large_peak <= 381 else "MISSED"),
        ),
    ]
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["bare"]:
    # the baseline's own process: python -m bench.crawl bare BASE_URL ARTICLES SEED CONCURRENCY
    url, count, seed, concurrency = sys.argv[2], *map(int, sys.argv[3:6])
    print("fetched", bare_fetch(url, count, seed, concurrency))
