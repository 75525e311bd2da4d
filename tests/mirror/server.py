"""The mirror's HTTP server: routes bienphong.com.vn's URL scheme to rendered pages, with faults.

The host a request was meant for comes from its `Host` header: `bienphong.com.vn` is the bare
host (some articles 301 to www from it); anything else, the loopback address included, is www.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import ssl
import struct
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import render
from .faults import CANONICAL_TRAPS, CROWDED_LINKS, ENDINGS, Faults
from .site import SECTION_BY_SLUG, WWW, Section, Site, all_tags, text_hash

HOLD_LIMIT = 600.0  # seconds a held answer waits at most, should a test never release it
CANONICAL_LINK = re.compile(rb'<link rel="canonical"[^>]*>')
ARTICLE_PATH = re.compile(r"^(/videos|/tin-anh)?/([a-z0-9-]+)-post(\d+)\.html$")
SECTION_PATH = re.compile(r"^/([a-z0-9-]+)/(?:trang-(\d+)\.html)?$")
TAG_PATH = re.compile(r"^/tag/([a-z0-9-]+)-(\d+)\.html$")
FEED_PATH = re.compile(r"^/rss/([a-z0-9-]+)\.rss$")
MONTH_SITEMAP_PATH = re.compile(r"^/sitemaps/posts-(\d{4})-(\d{2})\.xml$")
CHAIN_SITEMAP_PATH = re.compile(r"^/sitemaps/chain-(\d+)\.xml$")
HUGE_PADDING = 30 * 1024 * 1024
HTML = "text/html; charset=utf-8"
# The status a fault answers with instead of the page's own (0: the connection is dropped).
FAULT_STATUS = {
    "503": 503, "429": 429, "broken": 500, "reset": 0, "loop": 301, "offsite": 302, "moved": 301,
}  # fmt: skip
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
MEMO_SIZE = 256


@dataclass(frozen=True)
class Hit:
    """One request the mirror answered, for tests to count and time."""

    at: float  # seconds on a monotonic clock: only differences mean anything
    method: str
    host: str
    path: str
    status: int
    fault: str | None
    conditional: bool
    user_agent: str


@dataclass
class Answer:
    status: int
    body: bytes = b""
    content_type: str = HTML
    headers: tuple[tuple[str, str], ...] = ()
    last_modified: float | None = None


class Mirror:
    """bienphong.com.vn on a loopback port. Use `start()`/`stop()` or as a context manager."""

    def __init__(
        self,
        site: Site,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        log_requests: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.site = site
        self.faults = faults or Faults()
        self.log_requests = log_requests
        self.hits: list[Hit] = []
        self.held: dict[int, threading.Event] = {}  # post id → released when set
        # What robots.txt answers instead of the site's own (None): a test of the site's rules.
        self.robots: Answer | None = None
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        # Feeds and sitemaps are the same all day long and costly at N = 100,000: keep the
        # last few, keyed by the site and its day.
        self._memo: OrderedDict[tuple[int, int, str], Answer] = OrderedDict()
        self.server = _Server((host, port), _Handler)
        self.server.mirror = self
        # Over TLS (a test of certificates): each connection's handshake is made as it is
        # accepted; one that fails is the client's business, as a hang-up is.
        self.tls = tls
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> Mirror:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Mirror:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_day(self, day: int) -> None:
        with self._lock:
            self.site.set_day(day)

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def hold(self, post_id: int) -> threading.Event:
        """Hold every answer for the article until the event returned is set: a crawl kept
        running at a known point, whatever the machine's speed."""
        self.held[post_id] = threading.Event()
        return self.held[post_id]

    def article_hits(self, post_id: int) -> list[Hit]:
        return [h for h in self.hits if h.path.split("?")[0].endswith(f"-post{post_id}.html")]

    # -- answering ----------------------------------------------------------------------------

    def attempts_of(self, path: str) -> int:
        """How often `path` was asked so far."""
        with self._lock:
            return self._attempts.get(path, 0)

    def attempt(self, path: str) -> int:
        with self._lock:
            seen = self._attempts.get(path, 0)
            self._attempts[path] = seen + 1
            return seen

    def record(self, hit: Hit) -> None:
        if self.log_requests:
            with self._lock:
                self.hits.append(hit)

    def answer(self, host: str, target: str) -> Answer:
        """The page for a path, before faults and conditional requests."""
        with self._lock:
            return self._route(host, target)

    def _route(self, host: str, target: str) -> Answer:
        site = self.site
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/robots.txt":
            robots = render.robots(site).encode()
            return self.robots or Answer(200, robots, "text/plain; charset=utf-8")
        if path == "/":
            return Answer(200, render.home_page(site).encode(), last_modified=self._changed())
        if path.startswith("/tim-kiem"):
            return Answer(200, render.search_page(site, query.get("q", [""])[0]).encode())
        if found := ARTICLE_PATH.match(path):
            return self._article(host, path, int(found.group(3)))
        listing = self._listing(path, _page_number(query))
        if listing is not None:
            return listing
        if site.sitemaps and path.startswith("/sitemap"):
            return self._remembered(path, lambda: self._sitemap(path))
        return self._not_found()

    def _listing(self, path: str, number: int | None) -> Answer | None:
        """A section's or a tag's listing page (page `number`), or a feed; None for none."""
        site = self.site
        if found := SECTION_PATH.match(path):
            section = SECTION_BY_SLUG.get(found.group(1))
            if section and number is not None:
                page = int(found.group(2) or number)
                cycle = self.faults.cycle_of(section.slug)
                return self._changing(render.section_page(site, section, page, cycle), HTML)
        if (found := TAG_PATH.match(path)) and number is not None:
            tag = next((t for t in all_tags() if t.tag_id == int(found.group(2))), None)
            if tag:
                return self._changing(render.tag_page(site, tag, number), HTML)
        if found := FEED_PATH.match(path):
            feed = render.section_by_feed_name(found.group(1))
            if feed is not False:
                section = feed if isinstance(feed, Section) else None
                return self._remembered(
                    f"rss:{section.slug if section else ''}",
                    lambda: self._changing(render.rss(site, section), RSS),
                )
        return None

    def _sitemap(self, path: str) -> Answer:
        site = self.site
        if path == "/sitemap.xml":
            index = render.sitemap_index(site)
            if self.faults.sitemap_chain:  # the index also names the first of an endless chain
                index = index.replace("</sitemapindex>", chained(1) + "</sitemapindex>")
            return self._changing(index, XML)
        if (found := CHAIN_SITEMAP_PATH.match(path)) and self.faults.sitemap_chain:
            following = chained(int(found.group(1)) + 1)
            return Answer(200, render.sitemap_index_of(following).encode(), XML)
        if path == "/sitemaps/news.xml":
            return self._changing(render.news_sitemap(site), XML)
        if found := MONTH_SITEMAP_PATH.match(path):
            text = render.month_sitemap(site, int(found.group(1)), int(found.group(2)))
            if text:
                return self._changing(text, XML)
        return self._not_found()

    def _not_found(self) -> Answer:
        return Answer(404, render.not_found_page(self.site).encode())

    def _remembered(self, key: str, make: Callable[[], Answer]) -> Answer:
        """A fresh copy of an answer made once per site and day (callers mutate answers)."""
        full_key = (id(self.site), self.site.day, key)
        found = self._memo.get(full_key)
        if found is None:
            found = self._memo[full_key] = make()
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        else:
            self._memo.move_to_end(full_key)
        return replace(found)

    def _changed(self) -> float:
        """When anything on the site last changed: the newest article or the newest edit."""
        site = self.site
        latest = site.published(site.total - 1)
        edited = [a.modified for i in site.edits if (a := site.article(i)).modified]
        return max([latest, *edited]).timestamp()

    def _changing(self, text: str, content_type: str) -> Answer:
        return Answer(200, text.encode(), content_type, last_modified=self._changed())

    def _article(self, host: str, path: str, post_id: int) -> Answer:
        article = self.site.article_by_id(post_id)
        if article is None:
            return Answer(404, render.not_found_page(self.site).encode())
        bare = host.split(":")[0] == "bienphong.com.vn"
        if path != article.path or (bare and article.bare_redirects):
            return Answer(301, headers=(("Location", article.url),))
        changed = (article.modified or article.published).timestamp()
        return Answer(200, render.article_page(self.site, article).encode(), last_modified=changed)


def _page_number(query: dict[str, list[str]]) -> int | None:
    """`?page=N` as a page number ≥ 1; None when it is not a number."""
    value = query.get("page", ["1"])[0]
    return int(value) if value.isdigit() and int(value) >= 1 else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    mirror: Mirror

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-answer is the client's business


# Hosts a crawl of the site must never contact: the site's sub-domains and another site.
OFFSITE_HOSTS = ("m.bienphong.com.vn", "static.bienphong.com.vn", "evil.example")


def crowded(site: Site, path: str, answer: Answer) -> Answer:
    """`crowded`: the page also names CROWDED_LINKS links to the site's articles in turn (from
    one the path picks, so each page names others first), by the shortest path the site
    answers (a 301 to the article's own)."""
    first = text_hash(path)
    links = "".join(
        f'<a href="/a-post{site.post_id((first + n) % site.total)}.html"></a>'
        for n in range(CROWDED_LINKS)
    )
    body = answer.body.replace(b"</body>", f"<div>{links}</div></body>".encode())
    return replace(answer, body=body)


def offsite_linked(site: Site, answer: Answer) -> Answer:
    """`offsite-links`: the document also names each offsite host, in its own kind of link
    (robots Sitemap lines, sitemap children and entries, feed items, page links to articles,
    tags and sections), with a post id of the site's to tempt a crawler."""
    slug = f"tuan-tra-post{site.post_id(0)}.html"
    body, kind = answer.body, answer.content_type
    for host in OFFSITE_HOSTS:
        origin = f"https://{host}"
        if kind.startswith("text/plain"):  # robots.txt
            body += f"Sitemap: {origin}/sitemap.xml\n".encode()
        elif b"</sitemapindex>" in body:
            child = f"<sitemap><loc>{origin}/sitemaps/posts-2020-01.xml</loc></sitemap>"
            body = body.replace(b"</sitemapindex>", child.encode() + b"</sitemapindex>")
        elif b"</urlset>" in body:
            body = body.replace(
                b"</urlset>", f"<url><loc>{origin}/{slug}</loc></url></urlset>".encode()
            )
        elif b"</channel>" in body:
            item = f"<item><title>x</title><link>{origin}/{slug}</link></item>"
            body = body.replace(b"</channel>", item.encode() + b"</channel>")
        elif b"</body>" in body:
            links = "".join(
                f'<li><a href="{origin}/{path}">{path}</a></li>'
                for path in (slug, "tag/bien-gioi-1.html", "kinh-te/", "kinh-te/trang-2.html")
            )
            footer = f'<footer class="site-links"><ul>{links}</ul></footer>'
            body = body.replace(b"</body>", footer.encode() + b"</body>")
    return replace(answer, body=body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer back by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        mirror = self.server.mirror
        if self.path.startswith("/__mirror/"):
            return self._control(mirror)
        host = self.headers.get("Host", "")
        attempt = mirror.attempt(self.path)
        answer = mirror.answer(host, self.path)
        if mirror.faults.offsite_links and answer.status == 200:
            answer = offsite_linked(mirror.site, answer)
        if self.path in mirror.faults.crowded and answer.status == 200:
            answer = crowded(mirror.site, self.path, answer)
        fault = self._fault(mirror, attempt)
        conditional = False
        if fault is None:
            answer, conditional = self._conditional(answer)
        mirror.record(
            Hit(
                time.monotonic(),
                self.command,
                host,
                self.path,
                FAULT_STATUS.get(fault or "", answer.status),
                fault,
                conditional,
                self.headers.get("User-Agent", ""),
            )
        )
        if (found := ARTICLE_PATH.match(urlsplit(self.path).path)) and (
            gate := mirror.held.get(int(found.group(3)))
        ):
            gate.wait(HOLD_LIMIT)
        self._play(mirror, answer, fault)

    def _fault(self, mirror: Mirror, attempt: int) -> str | None:
        if self.path == "/robots.txt":
            return None
        if self.path in mirror.faults.cut:
            return "cut"
        if ending := mirror.faults.endings.get(self.path):
            return ending
        found = ARTICLE_PATH.match(urlsplit(self.path).path)
        if found and (target := mirror.faults.target(int(found.group(3)))):
            return target
        return mirror.faults.transient(mirror.site.seed, self.path, attempt)

    def _conditional(self, answer: Answer) -> tuple[Answer, bool]:
        if answer.status != 200:
            return answer, False
        etag = '"' + hashlib.blake2b(answer.body, digest_size=8).hexdigest() + '"'
        headers = [*answer.headers, ("ETag", etag)]
        if answer.last_modified is not None:
            headers.append(
                ("Last-Modified", format_datetime(_utc(answer.last_modified), usegmt=True))
            )
        answer.headers = tuple(headers)
        if self.headers.get("If-None-Match") == etag:
            return Answer(304, headers=answer.headers), True
        since = self.headers.get("If-Modified-Since")
        if since and answer.last_modified is not None and "If-None-Match" not in self.headers:
            try:
                if parsedate_to_datetime(since).timestamp() >= int(answer.last_modified):
                    return Answer(304, headers=answer.headers), True
            except (TypeError, ValueError):
                pass
        return answer, False

    def _play(self, mirror: Mirror, answer: Answer, fault: str | None) -> None:
        faults = mirror.faults
        if fault in ("503", "429", "broken"):
            status = 500 if fault == "broken" else int(fault)
            headers = () if fault == "broken" else (("Retry-After", str(faults.retry_after)),)
            return self._send(
                Answer(status, b"<html><body>Service unavailable</body></html>", headers=headers)
            )
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return None
        if fault == "slow":
            time.sleep(faults.slow_seconds)
        if fault == "loop":
            target = self.path + "?ref=loop" if "?" not in self.path else self.path.split("?")[0]
            return self._send(Answer(301, headers=(("Location", WWW + target),)))
        if fault == "moved":
            other = self._next_article(mirror)
            return self._send(Answer(301, headers=(("Location", other.url),)))
        if fault == "offsite":
            return self._send(
                Answer(302, headers=(("Location", "https://example.com/moved.html"),))
            )
        if answer.status == 200:
            return self._play_on_page(mirror, answer, fault)
        return self._send(answer)

    def _play_on_page(self, mirror: Mirror, answer: Answer, fault: str | None) -> None:
        """The faults that spoil a page the mirror has (a 200 answer)."""
        if fault == "huge":
            padding = b"<!-- " + b"x" * HUGE_PADDING + b" -->"
            answer.body = answer.body.replace(b"</body>", padding + b"</body>")
        if fault in CANONICAL_TRAPS:
            answer.body = self._canonical_trap(mirror, answer.body, fault)
        if fault == "charset":
            answer.content_type = "text/html; charset=iso-8859-1"
        if fault == "cp1258":  # the charset in the HTTP header alone, as old servers send it
            answer.body = windows_1258(answer.body.replace(b'<meta charset="utf-8">\n', b""))
            answer.content_type = "text/html; charset=windows-1258"
        if fault == "utf16-meta":  # UTF-8 with one stray byte, its <meta> saying UTF-16
            mark = b'<meta charset="utf-16"><!-- \xff -->'
            answer.body = answer.body.replace(b'<meta charset="utf-8">', mark, 1)
            answer.content_type = "text/html"
        if fault == "bom":  # UTF-16 with its byte order mark, every declaration saying UTF-8
            answer.body = answer.body.decode("utf-8").encode("utf-16")
        # Cut short where the connection died: half the page, a byte further at each attempt.
        end = len(answer.body) // 2 + mirror.attempts_of(self.path) - 1
        if fault == "truncate":
            return self._truncate(answer, end)
        if fault == "cut":  # behind an honest Content-Length
            return self._send(Answer(200, answer.body[:end], answer.content_type))
        if fault in ENDINGS:
            answer.body = ended_otherwise(answer.body, fault)
        return self._send(answer)

    def _canonical_trap(self, mirror: Mirror, body: bytes, fault: str) -> bytes:
        """The page's canonical link replaced by one naming the next article of the site
        (`canonical-other`), a script, or that next article's path on another host."""
        other = self._next_article(mirror)
        href = {
            "canonical-other": other.url,
            "canonical-script": "javascript:alert(1)",
            "canonical-offsite": f"https://evil.example{other.path}",
        }[fault]
        body = CANONICAL_LINK.sub(b"", body)
        link = f'<link rel="canonical" href="{href}">'.encode()
        return body.replace(b"</head>", link + b"</head>", 1)

    def _next_article(self, mirror: Mirror) -> Any:
        """The article after the one asked (the one before, for the last)."""
        found = ARTICLE_PATH.match(urlsplit(self.path).path)
        index = mirror.site.index_of(int(found.group(3))) if found else None
        assert index is not None, "this fault is set on articles"
        return mirror.site.article(index + 1 if index + 1 < mirror.site.total else index - 1)

    def _truncate(self, answer: Answer, end: int) -> None:
        """The body up to `end`: half the time behind an honest Content-Length, half behind a
        lie."""
        cut = answer.body[:end]
        if len(answer.body) % 2:
            return self._send(Answer(200, cut, answer.content_type, answer.headers))
        self._send_head(200, answer.content_type, len(answer.body), answer.headers)
        self.wfile.write(cut)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _send(self, answer: Answer) -> None:
        body = answer.body
        headers = list(answer.headers)
        if body and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=1)
            headers.append(("Content-Encoding", "gzip"))
        self._send_head(answer.status, answer.content_type, len(body), tuple(headers))
        if self.command != "HEAD" and answer.status != 304:
            self.wfile.write(body)

    def _send_head(
        self, status: int, content_type: str, length: int, headers: tuple[tuple[str, str], ...]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(0 if status == 304 else length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def _control(self, mirror: Mirror) -> None:
        """Test-only endpoints for a subprocess mirror: `/__mirror/day/K`, `/__mirror/hits`."""
        parts = self.path.strip("/").split("/")
        if parts[1:2] == ["day"] and len(parts) == 3 and parts[2].isdigit():
            mirror.set_day(int(parts[2]))
            body = json.dumps({"day": mirror.site.day, "articles": mirror.site.total})
        elif parts[1:] == ["hits"]:
            body = json.dumps([asdict(h) for h in mirror.hits])
        else:
            return self._send(Answer(404))
        self._send(Answer(200, body.encode(), "application/json"))


def _utc(timestamp: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(timestamp), UTC)


def ended_otherwise(body: bytes, form: str) -> bytes:
    """A whole page that does not end with `</html>` (`faults.ENDINGS`)."""
    if form == "comment-after":
        return body + b"<!-- " + b"counter " * 260 + b"-->\n"
    if form == "spaced-end":
        return body.replace(b"</html>", b"</html >")
    return body.replace(b"</body>", b"").replace(b"</html>", b"")


def chained(number: int) -> str:
    """The `<sitemap>` entry naming sitemap `number` of an endless chain of indexes."""
    return f"<sitemap><loc>{WWW}/sitemaps/chain-{number}.xml</loc></sitemap>"


VIETNAMESE_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below


def windows_1258(utf8: bytes) -> bytes:
    """UTF-8 text in windows-1258, as Vietnamese Windows wrote it: a letter with its vowel mark
    (â, ơ, ư...) is one byte, and its tone a combining mark after it."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", utf8.decode("utf-8")):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize(
                "NFC", "".join(c for c in parts if c not in VIETNAMESE_TONES)
            )
            tones = "".join(c for c in parts if c in VIETNAMESE_TONES)
            out += (base + tones).encode("cp1258", errors="xmlcharrefreplace")
    return bytes(out)
