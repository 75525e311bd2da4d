"""Crawl speed, CPU and memory: `bienphong crawl --delay 0` against a bare Scrapy fetch of the
same articles; the crawl's CPU time per article and its peak resident set at 5,000 and 50,000
articles.

The mirror runs as its own process (`python -m tests.mirror`, seed 1, request log off), its
pages as heavy as the real site's (about 250 KB: `bench mirror`). The bare
baseline is `python -m bench.crawl bare ...`: a Scrapy spider in its own process that requests
every article URL of the mirror's truth (in one download slot, at the same concurrency, on the
same mirror) and does nothing with the answers: no robots, no discovery, no extraction, no
storage. Both are timed end to end as processes, start-up included; the bare fetch runs before
and after the crawl, and the crawl is compared with the mean of the two. The rate against the
bare fetch is a figure, not a target: a real crawl waits about a second between requests, so
what matters there is the CPU an article costs (user + system time of the crawl's process,
divided by the articles archived). Memory targets: peak RSS growth from 5,000 to 50,000 ≤ 1.2×
and the peak ≤ 400 MB. `BENCH_QUICK=1` crawls 2,000 and 10,000 articles instead. Last, the
`--since` bound: a crawl of the 5,000-article mirror since the day of about its 150th newest
article, its article pages fetched against the articles it kept (target ≤ 1.2).

The bare fetch keeps Scrapy's defaults. The crawl turns some of Scrapy's components off and
starts fewer tasks per response (`crawler/settings.py`), so a second bare fetch with those same
settings is measured too: the stricter comparison. The crawl is one process (extraction and
writes run in its item pipelines); its peak RSS is that process's VmHWM. Then how long a crawl
at its default pace takes to end after a SIGTERM (target ≤ 3 s). Last, the same whole crawl of
the small mirror done in pieces: `--max-duration` a tenth of the crawl's own time, run again
until one piece finishes; the pages the pieces fetched together against the crawl done at once
(target ≤ 1.1).
"""

from __future__ import annotations

import math
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from archive.site import SITE_TZ
from bench import Row
from bench.processes import (
    BIENPHONG,
    CLEAN_ENV,
    ROOT,
    Finished,
    crawl_command,
    mirror,
    quick,
    timed_process,
)
from tests.mirror.site import Site

SEED = 1
CONCURRENCY = 4  # `bienphong crawl`'s default
SINCE_KEEP = 150  # about this many articles published since the --since day
ARTICLE = re.compile(r"-post\d+\.html")
SLOT = "mirror"


def sizes() -> tuple[int, int]:
    return (2_000, 10_000) if quick() else (5_000, 50_000)


def article_urls(base_url: str, articles: int, seed: int) -> list[str]:
    """Every article of the mirror's site at day 0, at the mirror's address."""
    from tests.mirror.site import Site

    site = Site(articles=articles, seed=seed)
    return [base_url + site.headline(index).path for index in range(site.total)]


def crawl_scrapy_settings() -> dict[str, Any]:
    """The crawl's own Scrapy settings that make each request cheaper (crawler/settings.py)."""
    from crawler import settings

    def off(components: dict[str, Any]) -> dict[str, Any]:
        return {name: None for name, order in components.items() if order is None}

    return {
        "CONCURRENT_ITEMS": settings.CONCURRENT_ITEMS,
        "SPIDER_MIDDLEWARES": off(settings.SPIDER_MIDDLEWARES),
        "DOWNLOADER_MIDDLEWARES": off(settings.DOWNLOADER_MIDDLEWARES),
    }


def bare_fetch(base_url: str, articles: int, seed: int, concurrency: int, tuned: bool) -> int:
    """Fetch every article URL with a spider that does nothing else; pages answered 200.
    `tuned`: with the crawl's own cheaper Scrapy settings."""
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
    } | (crawl_scrapy_settings() if tuned else {})
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return int(stats.get("downloader/response_status_count/200", 0))


def bare(base_url: str, articles: int, tuned: bool = False) -> Finished:
    """The bare fetch as its own process: seconds, CPU seconds, peak RSS."""
    command = [sys.executable, "-m", "bench.crawl", "bare", base_url, str(articles), str(SEED)]
    finished = timed_process([*command, str(CONCURRENCY), "tuned" if tuned else "defaults"])
    fetched = int(finished.stdout.split()[-1])
    if fetched != articles:
        raise RuntimeError(f"the bare fetch got {fetched} of {articles} articles")
    return finished


def crawl(db: Path, base_url: str, articles: int) -> Finished:
    """`bienphong crawl` into a new archive: seconds, CPU seconds, peak RSS; one process."""
    finished = timed_process(crawl_command(db, base_url, "--concurrency", str(CONCURRENCY)))
    found = re.search(r"articles: (\d+) new", finished.stdout)
    new = int(found.group(1)) if found else 0
    if new != articles:
        raise RuntimeError(f"the crawl archived {new} of {articles} articles")
    if finished.processes != 1:
        raise RuntimeError(f"the crawl ran as {finished.processes} processes, not one")
    return finished


def since_fetches(db: Path, articles: int) -> tuple[str, int, int]:
    """`bienphong crawl --since DAY` on a new archive, DAY chosen so that about SINCE_KEEP
    articles are published since: (DAY, article pages fetched, articles kept)."""
    site = Site(articles=articles, seed=SEED)
    newest = sorted((site.published(i) for i in range(site.total)), reverse=True)
    day = newest[SINCE_KEEP - 1].astimezone(SITE_TZ).date().isoformat()
    with mirror(articles, SEED) as served:
        finished = timed_process(crawl_command(db, served.base_url, "--since", day))
        hits: list[dict[str, Any]] = served.control("hits")
    fetched = sum(1 for hit in hits if ARTICLE.search(hit["path"]) and hit["status"] == 200)
    found = re.search(r"articles: (\d+) new", finished.stdout)
    if found is None:
        raise RuntimeError(f"the --since crawl said: {finished.stdout.strip()}")
    return day, fetched, int(found.group(1))


STOP_AFTER = 10.0  # seconds of a crawl at the polite default before the signal
STOPS = 3


def stop_latencies(folder: Path, base_url: str) -> list[float]:
    """Seconds from SIGTERM to the end of `bienphong crawl` at its default pace (a request a
    second, AutoThrottle), the signal sent STOP_AFTER seconds in; STOPS crawls."""
    latencies = []
    for number in range(STOPS):
        command = [str(BIENPHONG), "crawl", "--db", str(folder / f"stop{number}.db")]
        process = subprocess.Popen(
            [*command, "--base-url", base_url],
            cwd=ROOT,
            env=CLEAN_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(STOP_AFTER)
        sent = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=300)
        latencies.append(time.perf_counter() - sent)
    return latencies


PIECES = 10  # a whole crawl's time cut into this many time boxes


def pages_fetched(db: Path) -> int:
    """The pages every run of the archive at `db` fetched, together."""
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT sum(pages_fetched) FROM runs").fetchone()[0])


def crawl_in_pieces(db: Path, base_url: str, articles: int, seconds: float) -> int:
    """A whole crawl of the mirror in time boxes of a PIECES-th of `seconds` (whole seconds,
    as --max-duration takes them), each run after the last until one finishes: the runs."""
    box = f"{math.ceil(seconds / PIECES)}s"
    command = crawl_command(db, base_url, "--concurrency", str(CONCURRENCY), "--max-duration", box)
    pieces = 1
    while "Crawl finished" not in timed_process(command).stdout:
        pieces += 1
        if pieces > 10 * PIECES:
            raise RuntimeError(f"the crawl in pieces did not finish in {pieces - 1} pieces")
    with sqlite3.connect(db) as connection:
        kept = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    if kept != articles:
        raise RuntimeError(f"the crawl in pieces archived {kept} of {articles} articles")
    return pieces


def cpu_ms(finished: Finished, articles: int) -> float:
    return finished.cpu_seconds * 1000 / articles


def run() -> list[Row]:
    small, large = sizes()
    command = f"`bienphong crawl --delay 0 --concurrency {CONCURRENCY}`"
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as folder:
        with mirror(small, SEED, "--no-log-requests") as site:
            bare_before = bare(site.base_url, small)
            tuned_before = bare(site.base_url, small, tuned=True)
            crawled = crawl(Path(folder) / "small.db", site.base_url, small)
            tuned_after = bare(site.base_url, small, tuned=True)
            bare_after = bare(site.base_url, small)
        with mirror(large, SEED, "--no-log-requests") as site:
            crawled_large = crawl(Path(folder) / "large.db", site.base_url, large)
        since_day, since_fetched, since_kept = since_fetches(Path(folder) / "since.db", small)
        with mirror(small, SEED, "--no-log-requests") as site:
            stops = stop_latencies(Path(folder), site.base_url)
        with mirror(small, SEED, "--no-log-requests") as site:
            pieced = Path(folder) / "pieces.db"
            pieces = crawl_in_pieces(pieced, site.base_url, small, crawled.seconds)
        at_once, in_pieces = pages_fetched(Path(folder) / "small.db"), pages_fetched(pieced)
    bare_rate = small / ((bare_before.seconds + bare_after.seconds) / 2)
    tuned_rate = small / ((tuned_before.seconds + tuned_after.seconds) / 2)
    crawl_rate = small / crawled.seconds
    bare_cpu = (cpu_ms(bare_before, small) + cpu_ms(bare_after, small)) / 2
    growth = crawled_large.peak_rss_mib / crawled.peak_rss_mib
    return [
        Row(
            f"bare fetch, N = {small:,}",
            bare_rate,
            "articles/s",
            f"Scrapy's defaults fetching the {small:,} article URLs and nothing else, concurrency "
            f"{CONCURRENCY}; {bare_before.seconds:.1f} s before the crawl, "
            f"{bare_after.seconds:.1f} s after; {bare_cpu:.2f} ms CPU per article; "
            f"peak RSS {bare_before.peak_rss_mib:.0f} MiB",
        ),
        Row(
            f"bare fetch with the crawl's Scrapy settings, N = {small:,}",
            tuned_rate,
            "articles/s",
            f"CONCURRENT_ITEMS and the components the crawl turns off as in crawler/settings.py; "
            f"{tuned_before.seconds:.1f} s before the crawl, {tuned_after.seconds:.1f} s after",
        ),
        Row(
            f"crawl, N = {small:,}",
            crawl_rate,
            "articles/s",
            f"{command} into a new archive, end to end (discovery, extraction, storage): "
            f"{crawled.seconds:.1f} s",
        ),
        Row(
            "crawl / bare fetch rate",
            crawl_rate / bare_rate,
            "×",
            "a figure, no target: at the polite default (about a request a second) the rate is "
            "the site's, not the crawl's",
        ),
        Row(
            "crawl / bare fetch rate, the crawl's Scrapy settings",
            crawl_rate / tuned_rate,
            "×",
            "the stricter comparison",
        ),
        Row(
            f"crawl CPU per article, N = {small:,}",
            cpu_ms(crawled, small),
            "ms",
            f"user + system time of the crawl's process / articles: {crawled.cpu_seconds:.1f} s "
            f"(the bare fetch: {bare_cpu:.2f} ms per article)",
        ),
        Row(
            f"crawl peak RSS, N = {small:,}",
            crawled.peak_rss_mib,
            "MiB",
            "VmHWM of the crawl's one process, polled",
        ),
        Row(
            f"crawl, N = {large:,}",
            large / crawled_large.seconds,
            "articles/s",
            f"{command}, {crawled_large.seconds / 60:.1f} min",
        ),
        Row(
            f"crawl CPU per article, N = {large:,}",
            cpu_ms(crawled_large, large),
            "ms",
            f"{crawled_large.cpu_seconds:.1f} s of CPU",
        ),
        Row(
            f"crawl peak RSS, N = {large:,}",
            crawled_large.peak_rss_mib,
            "MiB",
            "target ≤ 400 MB (381 MiB)",
        ),
        Row(
            f"crawl peak RSS growth, {large // 1000}k / {small // 1000}k",
            growth,
            "×",
            "target ≤ 1.2; "
            + ("met" if growth <= 1.2 and crawled_large.peak_rss_mib <= 381 else "MISSED"),
        ),
        Row(
            f"--since fetch ratio, N = {small:,}",
            since_fetched / since_kept,
            "×",
            f"article pages fetched / articles kept by `bienphong crawl --since {since_day}` on "
            f"a new archive: {since_fetched} / {since_kept}; target ≤ 1.2, "
            + ("met" if since_fetched <= 1.2 * since_kept else "MISSED"),
        ),
        Row(
            "stop latency at the default pace",
            max(stops),
            "s",
            f"SIGTERM {STOP_AFTER:.0f} s into `bienphong crawl` (a request a second), to its "
            f"end; the longest of {STOPS}: {', '.join(f'{s:.2f}' for s in stops)}; target ≤ 3, "
            + ("met" if max(stops) <= 3 else "MISSED"),
        ),
        Row(
            "pages fetched by a whole crawl in chunks / uninterrupted",
            in_pieces / at_once,
            "×",
            f"the crawl of N = {small:,} in {pieces} pieces of `--max-duration "
            f"{math.ceil(crawled.seconds / PIECES)}s` (a tenth of its time): {in_pieces:,} "
            f"pages, against {at_once:,} at once; target ≤ 1.1, "
            + ("met" if in_pieces <= 1.1 * at_once else "MISSED"),
        ),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["bare"]:
    # the baseline's own process:
    # python -m bench.crawl bare BASE_URL ARTICLES SEED CONCURRENCY (defaults|tuned)
    url, count, seed, concurrency = sys.argv[2], *map(int, sys.argv[3:6])
    print("fetched", bare_fetch(url, count, seed, concurrency, sys.argv[6] == "tuned"))
