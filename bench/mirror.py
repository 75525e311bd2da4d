"""How fast the offline mirror answers, how much memory it holds, and how heavy its article
pages are, at N = 100,000 articles.

The mirror runs as its own process, exactly as a crawler test starts it; two client threads
drive a fixed, seeded mix of requests over HTTP/1.1 keep-alive connections. The issue's target
is 1,000 requests a second on loopback.

The weight: WEIGHED article pages as served, their median size, how many times smaller zlib
level 6 makes each, and how many times smaller again zstd (level 3) makes it given the page
before it in the sample (another page of the same site) as its dictionary. The same two ratios
on the real pages of ../shared/realpages that come in pairs from one site are the yardstick:
real article pages weigh 100–500 KB, zlib makes them 4–5× smaller, a same-site dictionary
4–5× smaller again (issue 30).
"""

from __future__ import annotations

import gzip
import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from backports import zstd

from bench import Row
from bench.processes import status_mib
from tests.mirror.site import SECTIONS, Site, all_tags

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 100_000
SEED = 1
REQUESTS = 20_000
CLIENTS = 2
# Share of each kind of page in the mix: mostly articles, as in a crawl.
MIX = (("article", 0.80), ("listing", 0.12), ("feed", 0.06), ("sitemap", 0.02))
WEIGHED = 200  # article pages whose weight and compression are measured
REAL_PAGES = ROOT.parent / "shared" / "realpages"
MIRROR_COMMAND = [
    sys.executable,
    "-m",
    "tests.mirror",
    "--port",
    "0",
    "--articles",
    str(ARTICLES),
    "--seed",
    str(SEED),
    "--weight",
    "real",
]


def request_mix(count: int = REQUESTS, seed: int = 7) -> list[tuple[str, str]]:
    """`count` (kind, path) pairs in a seeded order; the same list on every run."""
    rng = random.Random(seed)
    site = Site(articles=ARTICLES, seed=SEED)
    months = site.months()
    kinds = rng.choices([k for k, _ in MIX], [w for _, w in MIX], k=count)
    paths = []
    for kind in kinds:
        section = rng.choice(SECTIONS)
        if kind == "article":
            paths.append((kind, site.article(rng.randrange(site.total)).path))
        elif kind == "listing" and rng.random() < 0.25:
            tag = rng.choice(all_tags())
            paths.append((kind, f"{tag.path}?page={rng.randint(1, 20)}"))
        elif kind == "listing":
            number = rng.randint(1, 100)
            if section.page_form == "query":
                paths.append((kind, f"/{section.slug}/?page={number}"))
            else:
                paths.append((kind, f"/{section.slug}/trang-{number}.html"))
        elif kind == "feed":
            name = rng.choice((section.slug, f"{section.slug}-{section.legacy_id}"))
            paths.append((kind, f"/rss/{name}.rss"))
        else:
            year, month = rng.choice(months)
            monthly = f"/sitemaps/posts-{year}-{month:02d}.xml"
            choices = ("/sitemap.xml", "/sitemaps/news.xml", monthly, monthly, monthly)
            paths.append((kind, rng.choice(choices)))
    return paths


def start_mirror() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        MIRROR_COMMAND, cwd=ROOT, stdout=subprocess.PIPE, text=True, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def drive(base_url: str, work: list[tuple[str, str]], tally: Counter[str]) -> None:
    """One client: every request of `work` over one keep-alive connection, bodies read fully."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    seen: Counter[str] = Counter()
    for kind, path in work:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        seen[f"{kind}:{response.status}"] += 1
        seen["bytes"] += len(body)
        if response.will_close:
            connection.close()
    connection.close()
    with _LOCK:
        tally.update(seen)


_LOCK = threading.Lock()


def weighed(base_url: str, count: int = WEIGHED, seed: int = 11) -> list[bytes]:
    """`count` article pages as the mirror serves them, in a seeded order."""
    rng = random.Random(seed)
    site = Site(articles=ARTICLES, seed=SEED, weighty=True)
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    pages = []
    for _ in range(count):
        connection.request("GET", site.article(rng.randrange(site.total)).path)
        pages.append(connection.getresponse().read())
    connection.close()
    return pages


def ratios(pages: list[bytes]) -> tuple[list[float], list[float]]:
    """Each page's zlib level 6 ratio, and each one's gain over it from zstd level 3 with the
    page before it as a dictionary."""
    zlib_sizes = [len(zlib.compress(page, 6)) for page in pages]
    gains = [
        size / len(zstd.compress(page, level=3, zstd_dict=zstd.ZstdDict(before, is_raw=True)))
        for before, page, size in zip(pages, pages[1:], zlib_sizes[1:], strict=False)
    ]
    return [len(p) / z for p, z in zip(pages, zlib_sizes, strict=True)], gains


def real_pairs() -> list[bytes]:
    """The real pages of ../shared/realpages from sites that have two, each after its pair."""
    index = REAL_PAGES / "pages.jsonl.gz"
    if not index.exists():
        return []
    by_site: dict[str, list[bytes]] = defaultdict(list)
    with gzip.open(index, "rt", encoding="utf-8") as lines:
        for line in lines:
            page = json.loads(line)
            site = (urlsplit(page["url"]).hostname or "").removeprefix("www.")
            by_site[site].append(gzip.decompress((REAL_PAGES / page["html"]).read_bytes()))
    return [page for pages in by_site.values() if len(pages) > 1 for page in pages[:2]]


def weight_rows(pages: list[bytes]) -> list[Row]:
    sizes = [len(page) for page in pages]
    zlib_ratios, gains = ratios(pages)
    real = real_pairs()
    real_zlib, real_gains = ratios(real) if real else ([], [])
    # Only each pair's second page against its first: the real pages come in pairs.
    real_gains = real_gains[::2]
    yardstick = (
        f"; real pages ({len(real_gains)} pairs of one site): zlib"
        f" {statistics.median(real_zlib):.2f}×, dictionary {statistics.median(real_gains):.2f}×"
        if real
        else ""
    )
    low, high = statistics.quantiles(sizes, n=4)[0], statistics.quantiles(sizes, n=4)[2]
    return [
        Row(
            "article page, median size",
            statistics.median(sizes) / 1024,
            "KiB",
            f"{len(pages)} article pages as served; quartiles {low / 1024:.0f}–"
            f"{high / 1024:.0f} KiB, {min(sizes) / 1024:.0f}–{max(sizes) / 1024:.0f} in all;"
            " target about 250",
        ),
        Row(
            "article page, zlib level 6 ratio",
            statistics.median(zlib_ratios),
            "×",
            f"median of the pages; target 4–5{yardstick}",
        ),
        Row(
            "article page, same-site dictionary gain over zlib",
            statistics.median(gains),
            "×",
            "median: zlib level 6 size / zstd level 3 size with the page before as a raw"
            " dictionary; target 4–5, not more",
        ),
    ]


def run() -> list[Row]:
    work = request_mix()
    process, base_url = start_mirror()
    try:
        started_rss = status_mib(process.pid, "VmRSS")
        # warm-up: the first listing and tag pages build the mirror's section and tag indexes
        warm = [("warm", "/"), ("warm", "/kinh-te/?page=2"), ("warm", all_tags()[0].path)]
        drive(base_url, warm, Counter())
        tally: Counter[str] = Counter()
        shares = [work[k::CLIENTS] for k in range(CLIENTS)]
        threads = [threading.Thread(target=drive, args=(base_url, s, tally)) for s in shares]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        peak = status_mib(process.pid, "VmHWM")
        pages = weighed(base_url)
    finally:
        process.terminate()
        process.wait(timeout=30)
    answered = sum(v for k, v in tally.items() if k != "bytes")
    ok = sum(v for k, v in tally.items() if k.endswith(":200"))
    kinds = Counter(kind for kind, _ in work)
    mix = ", ".join(f"{kinds[k]:,} {k}" for k, _ in MIX)
    return [
        Row(
            "mirror requests per second",
            answered / elapsed,
            "requests/s",
            f"`{' '.join(['python', *MIRROR_COMMAND[1:]])}`; {answered:,} requests ({mix}) "
            f"from {CLIENTS} keep-alive client threads in {elapsed:.1f} s after a 3-page "
            f"warm-up; {ok:,} answered 200; target 1,000",
        ),
        Row(
            "mirror throughput",
            tally["bytes"] / elapsed / 1024 / 1024,
            "MiB/s",
            "uncompressed bodies",
        ),
        Row(
            "mirror peak RSS",
            peak,
            "MiB",
            f"VmHWM of the mirror process at the end of the run; {started_rss:.0f} MiB idle "
            "after start",
        ),
        *weight_rows(pages),
    ]
