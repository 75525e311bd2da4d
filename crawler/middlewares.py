"""Downloader components: only the site's hosts fetched, Retry-After honoured on 429/503,
truncated pages retried, redirects kept on the site's hosts, and the site's address mapped to
another origin (the offline mirror) below every other component. Through Scrapy's public
hooks; the few internals they need are `crawler.compat`'s."""

from __future__ import annotations

import hashlib
import logging
import re
from email.utils import parsedate_to_datetime
from time import time
from typing import Any, NoReturn, Self
from urllib.parse import urlsplit, urlunsplit

from OpenSSL import SSL
from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from service_identity.exceptions import VerificationError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
)
from twisted.internet.error import TimeoutError as UserTimeoutError

from archive.site import CANONICAL_ORIGIN, SITE_HOSTS, join_url, split_url
from crawler.compat import pause_download_slot, widen_connection_pool
from crawler.stopping import NotSent
from pipelines import stats as keys

logger = logging.getLogger(__name__)
UNREACHABLE_AFTER = 2  # failures to connect, with no answer yet, that stop the crawl
# Scrapy's own download errors, and Twisted's that a handler may let through.
CONNECTION_ERRORS = (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ConnectError,  # refused, no route, DNS, TCP timeout: Twisted's
    UserTimeoutError,
)
# The closing tag that ends a whole document of each kind of page the crawl reads.
XML_ROLES = ("feed", "sitemap", "month-sitemap")
XML_END = re.compile(rb"</(?:rss|feed|urlset|sitemapindex)\s*>")
HTML_END = re.compile(rb"</html\s*>")
# In a request's meta: the digest of the last answer, which lacked its closing tag.
UNENDED = "bienphong_unended_sha256"
# In a response's meta: it lacks its closing tag, but came byte for byte the same twice.
ENDS_SO = "bienphong_ends_so"


def complete(body: bytes, role: str | None) -> bool:
    """A whole document by its markup: one cut short in transit behind an honest
    Content-Length (a shortfall against the length or the chunked framing is Scrapy's data
    loss, retried) lacks its closing tag. A feed or sitemap ends with its root's; an article,
    listing or home page with `</html>`. A page in UTF-16 (its byte order mark says so) is
    read as such."""
    tail = body[-TAIL_BYTES:]
    if body[:2] in UTF_16_MARKS:  # two bytes a character, counted from the mark
        start = max(0, len(body) - 2 * TAIL_BYTES)
        tail = body[start + start % 2 :].decode(UTF_16_MARKS[body[:2]], "ignore").encode()
    return (XML_END if role in XML_ROLES else HTML_END).search(tail.lower()) is not None


TAIL_BYTES = 2048  # where a whole document's closing tag is looked for
UTF_16_MARKS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def whole(response: Response) -> bool:
    """A whole answer: its closing tag is there, or it came the same twice without one (a
    page written so: a long comment after `</html>`, no closing tags at all)."""
    role = response.meta.get("role") or "article"
    return complete(response.body, role) or bool(response.meta.get(ENDS_SO))


def retry_after_seconds(value: str | None, now: float, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped; None
    for one that is neither (the caller's default pause applies)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not `²` or `٣`, which str.isdigit accepts
        return min(float(value), cap)
    try:
        return min(max(parsedate_to_datetime(value).timestamp() - now, 0.0), cap)
    except (TypeError, ValueError, IndexError):
        return None


class StatsMiddleware:
    """A downloader middleware that needs nothing of the crawl but its stats."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)


class SiteHostsMiddleware(StatsMiddleware):
    """Only the site's own hosts are fetched: a request for any other, a sub-domain of the
    site's included (Scrapy's offsite filter lets `m.` or `static.` through), is dropped and
    counted, whatever named it (a link, a sitemap, robots.txt, a redirect). First of the
    downloader middlewares, so not even another host's robots.txt is asked for."""

    def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if host not in SITE_HOSTS:
            self.stats.inc_value(keys.OFFSITE_DROPPED)
            raise IgnoreRequest(f"not the site's host: {host or request.url}")


class StoppingMiddleware(StatsMiddleware):
    """Once a signal asked the crawl to stop (`crawler.stopping`), no request goes to the
    downloader: it fails at once, `NotSent`, and the spider records nothing for it."""

    def process_request(self, request: Request) -> None:
        if self.stats.get_value(keys.STOPPING):
            raise NotSent("not sent: the crawl is stopping")


class DiscoveryBoundMiddleware(StatsMiddleware):
    """Once the spider has asked for every article `--max-articles` wants (the stat
    `archive/discovery/done`), the feeds, sitemaps and listings still queued are dropped unasked."""

    def process_request(self, request: Request) -> None:
        done = self.stats.get_value(keys.DISCOVERY_DONE)
        if done and request.meta.get("role") not in ("article", "retry", None):
            raise IgnoreRequest("--max-articles reached: discovery stopped")


class ReachabilityMiddleware:
    """Tells a site that cannot be reached from pages that fail. While nothing has answered
    yet, a second failure to connect (no DNS answer, refused, no answer in time) stops the
    crawl: reason `unreachable`, one line naming the address actually contacted, and every
    request still waiting dropped without retries. Once anything has answered, failures are
    the pages' own (retried and recorded). Nearest the downloader, it sees each attempt's
    error before the retries do."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        base = urlsplit(crawler.settings.get("BIENPHONG_BASE_URL") or CANONICAL_ORIGIN)
        self.address = base.netloc
        self.answered = False
        self.failures = 0
        self.down: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if self.down is not None:  # stopping: nothing more is sent
            raise IgnoreRequest(self.down)

    def process_response(self, request: Request, response: Response) -> Response:
        self.answered = True
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if self.down is not None:
            raise IgnoreRequest(self.down)
        if (refused := certificate_refused(exception)) is not None:  # at once, at any time
            self.stop(
                f"cannot reach {self.address} securely: {refused}; --insecure skips the check"
                " (never for the archive of record)"
            )
        if self.answered or not isinstance(exception, CONNECTION_ERRORS):
            return
        self.failures += 1
        if self.failures >= UNREACHABLE_AFTER:
            self.stop(f"cannot reach {self.address}: {connection_error(exception)}")

    def stop(self, why: str) -> NoReturn:
        self.down = why
        self.crawler.stats.set_value(keys.UNREACHABLE, why)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="unreachable"))
        raise IgnoreRequest(why)


def certificate_refused(exception: Exception) -> str | None:
    """Why the site's TLS certificate was refused, when that is what failed the download (the
    reasons Twisted gave, which Scrapy chains as the cause): its name, or its authority."""
    for reason in getattr(exception.__cause__, "reasons", ()):
        value = getattr(reason, "value", None)
        if isinstance(value, VerificationError):
            return "its TLS certificate is for another name"
        if isinstance(value, SSL.Error):
            said = "; ".join(str(part[-1]) for part in value.args[0] if part) if value.args else ""
            return f"its TLS certificate was refused ({said or 'TLS error'})"
    return None


def connection_error(exception: Exception) -> str:
    """What went wrong, in words: `DNS lookup failed`, `connection refused`, ..."""
    if isinstance(exception, CannotResolveHostError | DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exception, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection refused"
    if isinstance(exception, DownloadTimeoutError | TCPTimedOutError | UserTimeoutError):
        return "no answer in time"
    return str(exception).strip() or type(exception).__name__


class TruncatedPageRetryMiddleware(StatsMiddleware):
    """A page the crawl reads that came without its closing tag behind an honest
    Content-Length is asked once more: the same bytes again are the page as the site writes
    it (`whole`); other bytes were cut short in transit, and it is retried like a failed
    answer, through Scrapy's public `get_retry_request` and its RETRY_TIMES; after the last
    retry the spider records it. HTTP errors, connection failures and data loss are Scrapy's
    own RetryMiddleware's."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.crawler = crawler

    def process_response(self, request: Request, response: Response) -> Request | Response:
        role = request.meta.get("role")
        if request.meta.get("dont_retry") or response.status != 200 or not role:
            return response
        if complete(response.body, role):
            return response
        digest = hashlib.sha256(response.body).hexdigest()
        if request.meta.get(UNENDED) == digest:
            request.meta[ENDS_SO] = True  # the response's meta is its request's
            return response
        self.stats.inc_value(keys.TRUNCATED)
        retry = get_retry_request(request, spider=self.crawler.spider, reason="truncated page")
        if retry is None:
            return response
        retry.meta[UNENDED] = digest
        return retry


class RetryAfterPause:
    """On a 429 or 503 the whole server is left alone as long as its `Retry-After` asks
    (RETRY_AFTER_DEFAULT seconds without one, RETRY_AFTER_MAX at most): every request to
    the server's download slot waits, not only the one retried (those in flight finish).
    An extension, as the answer arrives (`response_downloaded`), before the downloader
    sends the slot's next request."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.retry_after_max = crawler.settings.getfloat("RETRY_AFTER_MAX", 120.0)
        self.retry_after_default = crawler.settings.getfloat("RETRY_AFTER_DEFAULT", 5.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        pause = cls(crawler)
        crawler.signals.connect(pause.response_downloaded, signal=signals.response_downloaded)
        return pause

    def response_downloaded(self, response: Response, request: Request, **_: Any) -> None:
        if response.status not in (429, 503) or request.meta.get("dont_retry"):
            return
        header = response.headers.get("Retry-After")
        wait = retry_after_seconds(
            header.decode("latin-1") if header else None, time(), self.retry_after_max
        )
        seconds = self.retry_after_default if wait is None else wait
        if pause_download_slot(self.crawler.engine, request, seconds):
            self.crawler.stats.inc_value(keys.RETRY_AFTER_WAITS)


class SiteRedirectMiddleware(StatsMiddleware):
    """Redirects stay on the site: one to another host, or back to a URL the chain already
    visited, ends the request (its errback records why) instead of being followed or dropped
    silently. Sits above Scrapy's RedirectMiddleware, so it sees each redirect first."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        written = location.decode("latin-1").strip()
        target = join_url(request.url, written) or written  # no address: shown as written
        host = split_url(target).hostname or ""
        if host not in SITE_HOSTS:
            self.stats.inc_value(keys.OFFSITE_REDIRECTS)
            raise IgnoreRequest(f"redirect to another host: {host or target}")
        if target == request.url or target in request.meta.get("redirect_urls", ()):
            self.stats.inc_value(keys.REDIRECT_LOOPS)
            raise IgnoreRequest(f"redirect loop: {target}")
        return response


class SiteAddressHandler(HTTP11DownloadHandler):
    """Fetches the site's pages from `BIENPHONG_BASE_URL` when that is not the live site.

    The request keeps the site's URL and sends the site's host in `Host`, as a reverse proxy
    would see it; the response comes back under the site's URL. So robots, offsite checks,
    redirects, dedupe and storage all see canonical URLs, and only the socket knows the mirror.
    """

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        # Scrapy keeps CONCURRENT_REQUESTS_PER_DOMAIN idle connections, but a slot starts its
        # next request before the last one's connection is back in the pool: at that size
        # half the connections were closed and opened again. Twice as many stay open.
        widen_connection_pool(self, 2)
        base = urlsplit(crawler.settings.get("BIENPHONG_BASE_URL"))
        # The live site, or an address of its own: the site's name on another port (a mirror
        # with a certificate for the name, which the system resolves to it) is the latter.
        live = base.hostname in SITE_HOSTS and base.port is None
        self.origin = None if live else (base.scheme, base.netloc)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        parts = urlsplit(request.url)
        if parts.hostname not in SITE_HOSTS:  # SiteHostsMiddleware drops these first
            raise IgnoreRequest(f"not the site's host: {parts.hostname or request.url}")
        if self.origin is None:
            return await super().download_request(request)
        target = urlunsplit((*self.origin, parts.path, parts.query, ""))
        mapped = request.replace(url=target)
        mapped.headers["Host"] = parts.netloc
        response = await super().download_request(mapped)
        return response.replace(url=request.url)
