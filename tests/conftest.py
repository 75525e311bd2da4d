"""Shared fixtures: the offline mirror of bienphong.com.vn on a loopback port, and a plain client.

- `mirror`: one read-only mirror per test session (per xdist worker): `Site(articles=2000, seed=1)`
  at day 0, no faults. Tests must not change its day or rely on its request log being empty.
- `make_mirror(faults="", **site_kwargs)`: a fresh mirror for one test, with its own `Site` and
  `Faults.parse(faults)`; every mirror it made is stopped when the test ends.
- `fetch(base_url, path, ...)`: one HTTP request over `http.client`, no proxies, no redirects
  followed, no retries; the answer as a `Response`.

Proxy variables are removed at import so no client in the suite sends loopback traffic to a proxy.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import pytest

from tests.mirror import Faults, Mirror, Site

# The article record's keys in order, as shared/article-record.md writes them: the contract
# every output is held to, written out here rather than taken from the code under test.
RECORD_KEYS = [
    "post_id",
    "url",
    "kind",
    "section",
    "title",
    "sapo",
    "body",
    "authors",
    "source",
    "published_at",
    "modified_at",
    "tags",
    "images",
    "video_url",
    "word_count",
    "fetched_at",
    "extractor_version",
]
PROXY_VARIABLES = (
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "all_proxy",
    "no_proxy",
)
for _name in PROXY_VARIABLES:
    os.environ.pop(_name, None)


@dataclass(frozen=True)
class Response:
    """One HTTP answer; header names lower-cased."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(
    base_url: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    timeout: float = 10.0,
) -> Response:
    """One request to a loopback server; redirects are returned, never followed."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"tests only talk to loopback, not {host!r}")
    connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        answer = connection.getresponse()
        body = answer.read()
        found = {name.lower(): value for name, value in answer.getheaders()}
        return Response(answer.status, found, body)
    finally:
        connection.close()


class MakeMirror(Protocol):
    """The `make_mirror` fixture: `make_mirror(faults="503:0.5", articles=50, seed=3)`."""

    def __call__(self, faults: str = "", **site_kwargs: Any) -> Mirror: ...


Fetch = Callable[..., Response]


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


@dataclass(frozen=True)
class CrawledArchive:
    """An archive made by the real `bienphong crawl` from a mirror, and that mirror's site."""

    db: Path
    site: Site


def crawl_into(db: Path, site: Site) -> CrawledArchive:
    """The real `bienphong crawl` of a mirror serving `site` into `db`."""
    with Mirror(site) as served:
        command = [str(Path(sys.executable).with_name("bienphong")), "crawl", "--db", str(db)]
        subprocess.run(
            [*command, "--base-url", served.base_url, "--delay", "0", "--concurrency", "8"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return CrawledArchive(db, site)


@pytest.fixture(scope="session")
def crawled_archive(tmp_path_factory: pytest.TempPathFactory) -> CrawledArchive:
    """300 articles (seed 5) crawled once per session through the CLI; treat it as read-only."""
    return crawl_into(tmp_path_factory.mktemp("crawled") / "bienphong.db", Site(300, seed=5))


@pytest.fixture(scope="session")
def unseen_archive(tmp_path_factory: pytest.TempPathFactory) -> CrawledArchive:
    """150 articles in template X, markup drawn per article that no rule has seen; read-only."""
    site = Site(articles=150, seed=23, template="X")
    return crawl_into(tmp_path_factory.mktemp("unseen") / "bienphong.db", site)
