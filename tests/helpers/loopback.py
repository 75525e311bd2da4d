"""A plain HTTP client for loopback servers: the mirror, the reader's site.

- `fetch(base_url, path, ...)`: one request over `http.client`, no proxies, no redirects
  followed, no retries; the answer as a `Response`, whatever its status.
- `fetch_body(base_url, path)`: a GET through urllib with no proxies, redirects followed, an
  error status raised; the body alone.
"""

from __future__ import annotations

import http.client
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Response:
    """One HTTP answer; header names lower-cased."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def loopback_host(base_url: str) -> str:
    """The host of `base_url`, refused unless it is a loopback address."""
    host = urlsplit(base_url).hostname or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        raise ValueError(f"tests only talk to loopback, not {host!r}")
    return host


def fetch(
    base_url: str,
    path: str,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    timeout: float = 10.0,
) -> Response:
    """One request to a loopback server; redirects are returned, never followed."""
    host = loopback_host(base_url)
    connection = http.client.HTTPConnection(host, urlsplit(base_url).port, timeout=timeout)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        answer = connection.getresponse()
        body = answer.read()
        found = {name.lower(): value for name, value in answer.getheaders()}
        return Response(answer.status, found, body)
    finally:
        connection.close()


def fetch_body(base_url: str, path: str) -> bytes:
    """The body of a GET to a loopback server, redirects followed; an error status raises."""
    loopback_host(base_url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(base_url + path, timeout=10) as response:
        body: bytes = response.read()
        return body
