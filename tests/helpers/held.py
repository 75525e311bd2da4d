"""How many article requests Scrapy held at once in a real `bienphong crawl`: a Scrapy
extension, added to the crawl's settings in a child process of its own, that counts them from
Scrapy's signals (scheduled, not yet out of the downloader: redirects and retries leave and
come back), independently of the spider's own count."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Self

from scrapy import signals

from tests.helpers.environment import without_proxies
from tests.mirror import Mirror

ROOT = Path(__file__).resolve().parents[2]
ARTICLE_ROLES = ("article", "retry")
# The child: the crawl's own settings and command, with the counting extension added.
CHILD = """
import sys
import crawler.settings
crawler.settings.EXTENSIONS["tests.helpers.held.ArticlesHeld"] = 0
from bienphong.cli import cli
cli(sys.argv[1:])
"""


class ArticlesHeld:
    """The most article requests in Scrapy's scheduler and downloader at once, written to the
    file `ARTICLES_HELD_FILE` names when the spider closes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.now = 0
        self.most = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        held = cls(Path(os.environ["ARTICLES_HELD_FILE"]))
        crawler.signals.connect(held.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(held.left, signal=signals.request_left_downloader)
        crawler.signals.connect(held.closed, signal=signals.spider_closed)
        return held

    def scheduled(self, request: Any, **_: Any) -> None:
        if request.meta.get("role") in ARTICLE_ROLES:
            self.now += 1
            self.most = max(self.most, self.now)

    def left(self, request: Any, **_: Any) -> None:
        if request.meta.get("role") in ARTICLE_ROLES:
            self.now -= 1

    def closed(self, **_: Any) -> None:
        self.path.write_text(str(self.most))


def crawl_counting_held(
    db: Path, mirror: Mirror, counted: Path
) -> tuple[subprocess.CompletedProcess[str], int]:
    """`bienphong crawl` of `mirror` into `db` (no delay, 8 at once), and the most article
    requests Scrapy held at once (`counted`: the file it is written to)."""
    command = ["crawl", "--db", str(db), "--base-url", mirror.base_url]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *command, "--delay", "0", "--concurrency", "8"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=without_proxies(ARTICLES_HELD_FILE=str(counted)),
        check=False,
    )
    return result, int(counted.read_text()) if counted.exists() else -1
