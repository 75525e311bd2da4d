"""The site's identity: its hosts, origin, sections, time zone and URL rules (post ids,
canonical URLs, what kind of page a URL is, the slug rule).

The bottom layer with `archive.vietnamese`: the crawler, the extractor and the archive all use
it, and it imports none of them.
"""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from enum import StrEnum
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive.vietnamese import fold

CANONICAL_HOST = "www.bienphong.com.vn"
CANONICAL_ORIGIN = f"https://{CANONICAL_HOST}"
# The site's clock (Vietnam, UTC+7, no daylight saving): published_at and the user's dates use it.
SITE_TZ = timezone(timedelta(hours=7))
SITE_ZONE = "Asia/Ho_Chi_Minh"  # the same clock by name, for dateparser
# The largest post id taken anywhere (a command, a URL of the reader's site): nine digits, far
# past the site's own (past 512,000 in 2026) and well inside SQLite's 64-bit integers.
MAX_POST_ID = 999_999_999
# An article page is a few hundred kB at most; anything far larger is a fault, not an article:
# the crawl's DOWNLOAD_MAXSIZE, and what `extract` reads of a saved page (unpacked).
PAGE_MAX_BYTES = 8 * 1024 * 1024
SITE_HOSTS = frozenset({CANONICAL_HOST, CANONICAL_HOST.removeprefix("www.")})
# Query parameters that only track where a reader came from; they never change the page.
TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|ref|source|_ga)$", re.IGNORECASE)

# The site's sections with the numeric ids of their legacy feeds (site-model.md, section 2).
SECTIONS: tuple[tuple[str, int], ...] = (
    ("chinh-tri", 1), ("theo-guong-bac", 5), ("quan-su-quoc-phong", 6), ("phap-luat", 8),
    ("kinh-te", 12), ("xa-hoi", 13), ("van-hoa", 15), ("phong-su", 16), ("quoc-te", 19),
    ("chu-quyen-bien-gioi-bien-dao-viet-nam", 26), ("bien-phong-toan-dan", 51),
    ("the-thao", 68), ("phong-su-anh", 69), ("video", 70),
)  # fmt: skip
SECTION_SLUGS = tuple(slug for slug, _ in SECTIONS)
# The sections' names as the site writes them (site-model.md, section 2), for the reader's page.
SECTION_NAMES: dict[str, str] = {
    "chinh-tri": "Chính trị",
    "theo-guong-bac": "Theo gương Bác",
    "quan-su-quoc-phong": "Quân sự - Quốc phòng",
    "phap-luat": "Pháp luật",
    "kinh-te": "Kinh tế",
    "xa-hoi": "Xã hội",
    "van-hoa": "Văn hóa",
    "phong-su": "Phóng sự",
    "quoc-te": "Quốc tế",
    "chu-quyen-bien-gioi-bien-dao-viet-nam": "Chủ quyền biên giới, biển, đảo Việt Nam",
    "bien-phong-toan-dan": "Biên phòng toàn dân",
    "the-thao": "Thể thao",
    "phong-su-anh": "Phóng sự ảnh",
    "video": "Video",
}


def section_label(slug: str) -> str:
    """A section as the command line shows it: its slug, and its name beside it when known
    (`kinh-te (Kinh tế)`)."""
    name = SECTION_NAMES.get(slug)
    return f"{slug} ({name})" if name else slug


_ARTICLE = re.compile(r"^(?P<prefix>/videos|/tin-anh)?/(?P<slug>[a-z0-9-]+)-post(?P<id>\d+)\.html$")
_TAG = re.compile(r"^/tag/[a-z0-9-]+-\d+\.html$")
_FEED = re.compile(r"^/rss/[a-z0-9-]+\.rss$")
_SECTION = re.compile(r"^/(?P<slug>[a-z0-9-]+)/(?:trang-\d+\.html)?$")
_SITEMAP = re.compile(r"^/(sitemap[\w-]*\.xml|sitemaps/[\w.-]+\.xml)$")


class PageKind(StrEnum):
    ARTICLE = "article"
    SECTION = "section"
    TAG = "tag"
    FEED = "feed"
    SITEMAP = "sitemap"
    HOME = "home"
    ROBOTS = "robots"
    OTHER = "other"


def slugify(text: str) -> str:
    """The site's slug rule: lower-case, diacritics removed, đ→d, punctuation dropped, `-` joins.

    The site's section slugs are their names slugified (`Quân sự - Quốc phòng` →
    `quan-su-quoc-phong`).
    """
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def split_url(url: str) -> SplitResult:
    """`urlsplit`, for any text: an address it rejects (`http://[ccpa-preferences]`, which a
    real news page links to, or a `[` never closed) splits into nothing, as no address."""
    try:
        return urlsplit(url)
    except ValueError:
        return _NO_ADDRESS


_NO_ADDRESS = SplitResult("", "", "", "", "")


def is_address(url: str) -> bool:
    """Whether `url` is an absolute web address (`split_url` reads it), one a request can go
    to: a sitemap or robots.txt may name `http://[…]`, which Scrapy refuses to build."""
    parts = split_url(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def join_url(base: str, url: str) -> str | None:
    """`urljoin`, or None for an address it rejects (see `split_url`)."""
    try:
        return urljoin(base, url)
    except ValueError:
        return None


def is_site_url(url: str) -> bool:
    parts = split_url(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") in SITE_HOSTS


@lru_cache(maxsize=16384)  # link scans ask about the same menu and tag links on every page
def post_id(url: str) -> int | None:
    """The article's identity: the number in `-post{id}.html`, whatever host, slug or query."""
    found = _ARTICLE.match(split_url(url).path)
    return int(found.group("id")) if found else None


def article_kind(url: str) -> str:
    """`video` under /videos/, `photo` under /tin-anh/, `article` otherwise."""
    found = _ARTICLE.match(split_url(url).path)
    prefix = found.group("prefix") if found else None
    return {"/videos": "video", "/tin-anh": "photo"}.get(prefix or "", "article")


def canonical_url(url: str, base: str = CANONICAL_ORIGIN) -> str:
    """The URL on `https://www.bienphong.com.vn`, without tracking parameters or fragment.

    Relative URLs resolve against `base`. Other hosts are returned resolved but unchanged, and
    what is no address (`split_url`) as it is written.
    """
    url = url.strip()
    try:
        if _ABSOLUTE.match(url):
            return _canonical_absolute(url)
        return _canonical(urljoin(base, url))
    except ValueError:
        return url


_ABSOLUTE = re.compile(r"https?://[^/]", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _canonical_absolute(url: str) -> str:
    """An absolute URL's canonical form, whatever page it stands on: menus, related links and
    tag lists repeat on every page, so link scans mostly ask for the same few thousand."""
    return _canonical(urljoin(url, url))


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    if (parts.hostname or "") not in SITE_HOSTS:
        return urlunsplit(parts._replace(fragment=""))
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMS.match(k)
    ]
    return urlunsplit(("https", CANONICAL_HOST, parts.path or "/", urlencode(query), ""))


@lru_cache(maxsize=16384)
def page_kind(url: str) -> PageKind:
    parts = split_url(url)
    if parts is _NO_ADDRESS:  # not `""`, which is the home page's path
        return PageKind.OTHER
    path = parts.path
    if _ARTICLE.match(path):
        return PageKind.ARTICLE
    if path in ("", "/"):
        return PageKind.HOME
    if path == "/robots.txt":
        return PageKind.ROBOTS
    if _TAG.match(path):
        return PageKind.TAG
    if _FEED.match(path):
        return PageKind.FEED
    if _SITEMAP.match(path):
        return PageKind.SITEMAP
    if _SECTION.match(path):
        return PageKind.SECTION
    return PageKind.OTHER
