"""The real `bienphong crawl` of a mirror, as a child process, and what the archive then holds.

Expected values come from the mirror's truth (`site.truth()`), never from the crawl's output.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.store import Archive
from tests.helpers.cli import BIENPHONG
from tests.helpers.environment import without_proxies
from tests.helpers.fixtures import CrawledArchive
from tests.helpers.mirror_pages import POST_ID
from tests.mirror import Mirror, Site


def crawl(
    db: Path, mirror: Mirror, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`bienphong crawl` of `mirror` into `db`, no delay, 8 at once; `env`: without proxies."""
    command = [BIENPHONG, "crawl", "--db", str(db), "--base-url", mirror.base_url]
    return subprocess.run(
        [*command, "--delay", "0", "--concurrency", "8", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=without_proxies() if env is None else env,
        check=False,
    )


def crawl_into(db: Path, site: Site) -> CrawledArchive:
    """The real `bienphong crawl` of a mirror serving `site` into `db`; a failure raises."""
    with Mirror(site) as served:
        crawl(db, served).check_returncode()
    return CrawledArchive(db, site)


def archived(db: Path) -> dict[int, dict[str, Any]]:
    """Every record of the archive at `db`, by post id."""
    with Archive(db) as archive:
        return {record["post_id"]: record for record in archive.iter_articles()}


def differences(truth: dict[int, dict[str, Any]], records: dict[int, dict[str, Any]]) -> list[Any]:
    """(post id, field, truth, archived) for every field that differs; empty when all agree."""
    return [
        (post_id, field, expected, records[post_id][field])
        for post_id, record in truth.items()
        for field, expected in record.items()
        if post_id in records and records[post_id][field] != expected
    ]


def assert_archive_holds_the_truth(db: Path, mirror: Mirror) -> dict[int, dict[str, Any]]:
    """Every article of the mirror archived once, every field equal; returns the truth."""
    truth = {record["post_id"]: record for record in mirror.site.truth()}
    records = archived(db)
    assert sorted(truth) == sorted(records)
    assert [] == differences(truth, records)[:20]
    return truth


def new_or_corrected(mirror: Mirror, before: Collection[int]) -> set[int]:
    """The articles the mirror's site added or corrected since it held `before` (post ids):
    what the next crawl writes."""
    corrected = {mirror.site.post_id(index) for index in mirror.site.edits}
    return {r["post_id"] for r in mirror.site.truth()} - set(before) | corrected


def article_fetches(mirror: Mirror) -> Counter[int]:
    """How often each article page was answered with content (redirects do not count)."""
    return Counter(
        int(found.group(1))
        for hit in mirror.hits
        if hit.status == 200 and (found := POST_ID.search(hit.path))
    )


def start_crawl(
    db: Path, mirror: Mirror, *args: str, prefix: tuple[str, ...] = (), session: bool = False
) -> Any:
    """`bienphong crawl` as a child; `session`: in a process group of its own, to signal."""
    command = [BIENPHONG, "crawl", "--db", str(db), "--base-url", mirror.base_url]
    return subprocess.Popen(
        [*prefix, *command, "--delay", "0", "--concurrency", "8", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=without_proxies(),
        start_new_session=session,
    )


@contextmanager
def crawling(db: Path, mirror: Mirror, *args: str) -> Iterator[Any]:
    """`start_crawl` for the block; a crawl still running when it leaves (a failed test) is
    killed, and its pipes closed."""
    process = start_crawl(db, mirror, *args)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def wait_for(condition: Callable[[], bool], limit: float = 120.0) -> None:
    """Poll until `condition` holds; a guard against hanging, not a timing assertion."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, "the condition never came true"
        time.sleep(0.01)
