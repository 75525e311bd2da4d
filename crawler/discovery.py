"""Pure discovery: which article, listing and tag URLs a page, feed or sitemap names.

No Scrapy here; the spider calls these with a response's URL and body. robots.txt is read by
Scrapy's robots middleware (Protego), which hands the spider its Sitemap lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs

import lxml.etree
import lxml.html

from archive.dates import parse_iso
from archive.site import (
    SITE_TZ,
    PageKind,
    canonical_url,
    is_address,
    page_kind,
    post_id,
    split_url,
)
from pipelines.extraction.page import decode

MORE_TEXT = re.compile(r"^\s*(xem thêm|trang sau|tiếp|sau|next|›|»)\s*$", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"trang-(\d+)\.html$")
LEGACY_FEED = re.compile(r"^/rss/(?P<slug>[a-z0-9-]+?)(?:-\d+)?\.rss$")


@dataclass(frozen=True)
class Link:
    """An article URL found somewhere, with what the place said about it."""

    url: str  # canonical
    post_id: int
    published: datetime | None = None  # feeds' pubDate, sitemaps' news date
    lastmod: datetime | None = None  # sitemaps' <lastmod>


# Links a page is read for: a page of the site names a few hundred; one that names more is
# cut there (a hostile or broken page of 220,000 links took a crawl to 2.5 GB), and what is
# past the cap is counted (`Overflow`), for the run's warnings. A sitemap may hold 50,000, as
# the sitemaps protocol allows.
LINKS_PER_PAGE = 2_000
LINKS_PER_SITEMAP = 50_000


@dataclass
class Overflow:
    """Links left unread on pages that named more than a page is read for."""

    links: int = 0
    pages: int = 0

    def left(self, count: int) -> None:
        if count:
            self.links += count
            self.pages += 1


class Gathered:
    """Article links of one page in page order, one a post id, at most `cap`; how many more
    the page named is `past`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.links: dict[int, Link] = {}
        self.past = 0

    def add(self, link: Link) -> None:
        if link.post_id in self.links:
            return
        if len(self.links) < self.cap:
            self.links[link.post_id] = link
        else:
            self.past += 1

    def values(self, overflow: Overflow | None) -> list[Link]:
        if overflow is not None:
            overflow.left(self.past)
        return list(self.links.values())


@dataclass(frozen=True)
class HtmlLinks:
    articles: list[Link]
    next_pages: list[str]  # the nearest later page of the same listing, if any
    tags: list[str]
    sections: list[str]


def parse_date(text: str | None) -> datetime | None:
    """A machine date from a feed or sitemap: ISO 8601 (on the site's clock when it names no
    offset: a sitemap's `<lastmod>2024-01-05`) or RFC 822 (`-0000` is UTC); None when
    unreadable."""
    if not text or not text.strip():
        return None
    found = parse_iso(text, SITE_TZ)
    if found is not None:
        return found
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def listing_page_number(url: str) -> int:
    parts = split_url(url)
    found = PAGE_NUMBER.search(parts.path)
    if found:
        return int(found.group(1))
    value = parse_qs(parts.query).get("page", ["1"])[0]
    return int(value) if value.isdigit() else 1


def listing_key(url: str) -> str:
    """The listing a page belongs to, whatever its page number: `/kinh-te/`, `/tag/x-12.html`."""
    path = split_url(url).path
    return PAGE_NUMBER.sub("", path)


def section_of_listing(url: str) -> str | None:
    """The section slug a listing page or feed stands for, or None (home, tags, others)."""
    path = split_url(url).path
    if page_kind(url) is PageKind.SECTION:
        return path.strip("/").split("/")[0]
    found = LEGACY_FEED.match(path)
    if found and found.group("slug") != "home":
        return found.group("slug")
    return None


def html_links(body: bytes, url: str, overflow: Overflow | None = None) -> HtmlLinks:
    """Article links in page order (deduplicated by post id, LINKS_PER_PAGE at most: the rest
    counted in `overflow`), pagination, tag and section links (as many at most each)."""
    try:
        tree = lxml.html.document_fromstring(decode(body))
    except (lxml.etree.ParserError, ValueError):
        return HtmlLinks([], [], [], [])
    articles = Gathered(LINKS_PER_PAGE)
    tags: dict[str, None] = {}
    sections: dict[str, None] = {}
    here = listing_key(url)
    current = listing_page_number(url)
    later_pages: dict[str, int] = {}
    for anchor in tree.iter("a", "link"):
        href = anchor.get("href")
        if not href or href.startswith(("#", "javascript:", "mailto:", "data:")):
            continue
        target = canonical_url(href, url)
        kind = page_kind(target)
        if kind is PageKind.ARTICLE:
            found = post_id(target)
            if found is not None:
                articles.add(Link(target, found))
        elif kind is PageKind.TAG and len(tags) < LINKS_PER_PAGE:
            tags[target] = None
        elif (
            kind is PageKind.SECTION
            and listing_page_number(target) == 1
            and len(sections) < LINKS_PER_PAGE
        ):
            sections[target] = None
        if _is_next_page(anchor, target, here, current):
            later_pages[target] = listing_page_number(target)
    # Only the nearest later page: a numbered pager must not fan out ahead of what is read.
    nearest = sorted(later_pages, key=later_pages.__getitem__)[:1]
    return HtmlLinks(articles.values(overflow), nearest, list(tags), list(sections))


HREF = re.compile(rb"""\shref\s*=\s*["']([^"'<>\s]+)["']""", re.IGNORECASE)


def page_links(
    body: bytes, url: str, overflow: Overflow | None = None
) -> tuple[list[Link], list[str]]:
    """Article and tag links of a page from a scan of its hrefs, in page order.

    For article pages, whose tree the extractor builds: a second parse would cost more than
    the links are worth, and a link is a link wherever it stands. Links to other hosts come
    back too, as from `html_links`: the spider drops and counts them. LINKS_PER_PAGE at most
    of each, as `html_links` reads.
    """
    articles = Gathered(LINKS_PER_PAGE)
    tags: dict[str, None] = {}
    for found in HREF.finditer(body):
        href = html.unescape(found.group(1).decode("utf-8", "replace"))
        target = canonical_url(href, url)
        kind = page_kind(target)
        if kind is PageKind.ARTICLE and (pid := post_id(target)) is not None:
            articles.add(Link(target, pid))
        elif kind is PageKind.TAG and len(tags) < LINKS_PER_PAGE:
            tags[target] = None
    return articles.values(overflow), list(tags)


def _is_next_page(anchor: lxml.html.HtmlElement, target: str, here: str, current: int) -> bool:
    """A later page of the same listing: rel=next, "Xem thêm", or a numbered pager link."""
    if listing_key(target) != here or page_kind(target) not in (PageKind.SECTION, PageKind.TAG):
        return False
    if "next" in (anchor.get("rel") or "").lower().split():
        return True
    text = anchor.text_content() if anchor.tag == "a" else ""
    return listing_page_number(target) > current and (
        bool(MORE_TEXT.match(text)) or text.strip().isdigit()
    )


def _xml_root(body: bytes) -> lxml.etree._Element | None:
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        return lxml.etree.fromstring(body.strip(), parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def feed_links(body: bytes, url: str, overflow: Overflow | None = None) -> list[Link]:
    """Article links of an RSS 2.0 (or Atom) feed, with their publication dates
    (LINKS_PER_PAGE at most)."""
    root = _xml_root(body)
    if root is None:
        return []
    links = Gathered(LINKS_PER_PAGE)
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        fields = {_local(child.tag): child for child in item}
        href = fields["link"].get("href") or fields["link"].text if "link" in fields else None
        date = fields.get("pubDate", fields.get("published"))
        if not href:
            continue
        target = canonical_url(href, url)
        found = post_id(target)
        if found is not None:
            published = parse_date(date.text if date is not None else None)
            links.add(Link(target, found, published=published))
    return links.values(overflow)


def sitemap_entries(
    body: bytes, url: str, overflow: Overflow | None = None
) -> tuple[str, list[Link], list[tuple[str, datetime | None]]]:
    """A sitemap's kind (`index` or `urlset`), its article links, and the sitemaps it names
    (LINKS_PER_SITEMAP at most of each, as the sitemaps protocol allows a file).

    Not `scrapy.utils.sitemap.Sitemap`: it keeps only the direct children of each `<url>`, so a
    news sitemap's `<news:news><news:publication_date>` is lost, the date that lets a
    `--since` crawl skip an article without fetching it.
    """
    root = _xml_root(body)
    if root is None:
        return "unknown", [], []
    kind = "index" if _local(root.tag) == "sitemapindex" else "urlset"
    articles = Gathered(LINKS_PER_SITEMAP)
    children: list[tuple[str, datetime | None]] = []
    children_past = 0
    for entry in root:
        fields = {_local(e.tag): e for e in entry.iter()}
        loc = fields.get("loc")
        if loc is None or not (loc.text or "").strip():
            continue
        target = canonical_url(loc.text or "", url)
        lastmod = parse_date(fields["lastmod"].text) if "lastmod" in fields else None
        if kind == "index":
            if not is_address(target):
                continue
            if len(children) < LINKS_PER_SITEMAP:
                children.append((target, lastmod))
            else:
                children_past += 1
            continue
        found = post_id(target)
        if found is not None:
            published = (
                parse_date(fields["publication_date"].text)
                if "publication_date" in fields
                else None
            )
            articles.add(Link(target, found, published=published, lastmod=lastmod))
    if overflow is not None:
        overflow.left(children_past)
    return kind, articles.values(overflow), children
