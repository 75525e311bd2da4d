"""Shared fixtures: the offline mirror of bienphong.com.vn on a loopback port, and a plain client.

- `mirror`: one read-only mirror per test session (per xdist worker): `Site(articles=2000, seed=1)`
  at day 0, no faults. Tests must not change its day or rely on its request log being empty.
- `make_mirror(faults="", **site_kwargs)`: a fresh mirror for one test, with its own `Site` and
  `Faults.parse(faults)`; every mirror it made is stopped when the test ends. A test of what
  the crawl asks for (discovery, listings, bounds, stops) rather than of what it reads from a page
  passes `weighty=False`: a page at a real page's weight triples a crawl's time.
- `fetch(base_url, path, ...)`: `tests.helpers.loopback.fetch`, one HTTP request with no proxies,
  no redirects followed, no retries; the answer as a `Response`.
- `crawled_archive`, `unseen_archive`: archives the real `bienphong crawl` made of a mirror.

Proxy variables are removed at import so no client in the suite sends loopback traffic to a proxy.
Helpers the test modules share are in tests/helpers/, the types of these fixtures in
tests/helpers/fixtures.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.crawl import crawl_into
from tests.helpers.environment import clear_proxies
from tests.helpers.fixtures import CrawledArchive, Fetch, MakeMirror
from tests.helpers.loopback import fetch
from tests.mirror import Faults, Mirror, Site

clear_proxies()


@pytest.fixture
def make_mirror() -> Iterator[MakeMirror]:
    """Start a fresh mirror per call: `Mirror(Site(**site_kwargs), Faults.parse(faults))`."""
    started: list[Mirror] = []

    def make(faults: str = "", **site_kwargs: Any) -> Mirror:
        mirror = Mirror(Site(**site_kwargs), Faults.parse(faults)).start()
        started.append(mirror)
        return mirror

    yield make
    for mirror in started:
        mirror.stop()


@pytest.fixture(scope="session")
def mirror() -> Iterator[Mirror]:
    """A read-only mirror shared by a whole session: 2,000 articles, seed 1, day 0, no faults."""
    with Mirror(Site(articles=2000, seed=1)) as shared:
        yield shared


@pytest.fixture(name="fetch")
def fetch_fixture() -> Fetch:
    """`fetch(base_url, path, headers=None, method="GET", timeout=10.0) -> Response`."""
    return fetch


@pytest.fixture(scope="session")
def crawled_archive(tmp_path_factory: pytest.TempPathFactory) -> CrawledArchive:
    """300 articles (seed 5) crawled once per session through the CLI; treat it as read-only."""
    return crawl_into(tmp_path_factory.mktemp("crawled") / "bienphong.db", Site(300, seed=5))


@pytest.fixture(scope="session")
def unseen_archive(tmp_path_factory: pytest.TempPathFactory) -> CrawledArchive:
    """150 articles in template X, markup drawn per article that no rule has seen; read-only."""
    site = Site(articles=150, seed=23, template="X")
    return crawl_into(tmp_path_factory.mktemp("unseen") / "bienphong.db", site)
