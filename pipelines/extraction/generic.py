"""The fallback for templates the site rules do not know: trafilatura finds the article text,
the shared body walker and the text-level rules read it.

trafilatura's options are fixed here and nowhere else. It gets the already-parsed tree (it
works on its own copy), so the page is parsed once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Extractor

from crawler.urls import SECTION_SLUGS, PageKind, page_kind, slugify

from .bienphong import section_slug
from .content import Draft, walk
from .dates import find_visible
from .page import HtmlElement, Page, clean, text_of
from .text import strip_dateline

OPTIONS = Extractor(
    output_format="python",
    fast=True,  # no readability/justext fallbacks: we only need where the text is
    comments=False,
    formatting=False,
    links=False,
    images=False,
    tables=True,
    with_metadata=False,  # metadata comes from our own Page, parsed once
)

_PARAGRAPHS = etree.XPath("//body//*[self::p or self::h2 or self::h3 or self::h4]")
_H1 = etree.XPath("//body//h1")
_BREADCRUMB_LINKS = etree.XPath(
    "//*[contains(@class, 'breadcrumb') or contains(@class, 'crumb')"
    " or contains(translate(@aria-label, 'B', 'b'), 'breadcrumb')"
    " or contains(@class, '-category')]//a/@href"
)
_LINKS = etree.XPath("//body//a[@href]")
_VIDEO = etree.XPath("//video//source/@src | //video/@src")
_SITE_SUFFIX = (" - Báo Biên phòng", " | Báo Biên phòng", " – Báo Biên phòng")


def draft(page: Page, base: str, fetched_at: datetime) -> Draft:
    root = content_root(page)
    lines, images = walk(root, base) if root is not None else ([], [])
    title, sapo = _title(page), _sapo(page)
    date_text, modified_text = find_visible(page.root, fetched_at)
    return Draft(
        title=title,
        sapo=sapo,
        lines=_drop_lead(lines, title, sapo),
        images=images,
        tags=_tags(page),
        section=section_slug([str(h) for h in _BREADCRUMB_LINKS(page.root)])
        or _section_before_title(page, title)
        or _section_named(page),
        date_text=date_text,
        modified_text=modified_text,
        video_url=_video(page, base),
    )


def content_root(page: Page) -> HtmlElement | None:
    """The element holding most of the paragraphs trafilatura took for the article text."""
    keys = _trafilatura_paragraphs(page)
    parents: Counter[HtmlElement] = Counter()
    if keys:
        for element in _PARAGRAPHS(page.root):
            if _key(text_of(element)) in keys and element.getparent() is not None:
                parents[element.getparent()] += 1
    if not parents:  # trafilatura found nothing: the element with the most paragraphs
        for element in _PARAGRAPHS(page.root):
            if element.tag == "p" and text_of(element) and element.getparent() is not None:
                parents[element.getparent()] += 1
    return parents.most_common(1)[0][0] if parents else None


def _trafilatura_paragraphs(page: Page) -> set[str]:
    try:
        document: Any = bare_extraction(page.root, options=OPTIONS)
    except Exception:  # trafilatura on odd markup: fall back to paragraph density
        return set()
    body = getattr(document, "body", None)
    if body is None:
        return set()
    return {_key("".join(child.itertext())) for child in body} - {""}


def _key(text: str) -> str:
    return "".join(text.split())[:300]


def _title(page: Page) -> str:
    """The visible headline when the page's metadata confirms it, else the metadata's."""
    named = [_unsuffixed(page.meta.get("og:title", "")), _unsuffixed(page.title_tag)]
    headline = clean(str(page.article_ld().get("headline") or ""))
    for h1 in _H1(page.root):
        text = text_of(h1)
        if text and (text in named or text == headline):
            return text
    return next((t for t in (headline, *named) if t), "")


def _unsuffixed(title: str) -> str:
    title = clean(title)
    for suffix in _SITE_SUFFIX:
        title = title.removesuffix(suffix)
    return title


def _sapo(page: Page) -> str | None:
    described = (
        page.meta.get("description")
        or page.meta.get("og:description")
        or clean(str(page.article_ld().get("description") or ""))
    )
    return strip_dateline(described) or None


def _section_before_title(page: Page, title: str) -> str | None:
    """The section link nearest before the headline, outside menus: an unnamed breadcrumb."""
    nearest: str | None = None
    for element in page.root.iter("a", "h1", "h2"):
        if element.tag != "a":
            if title and text_of(element) == title:
                return nearest
            continue
        slug = section_slug([element.get("href", "")])
        if slug and not _in_menu(element):
            nearest = slug
    return None


def _in_menu(link: HtmlElement) -> bool:
    """A link among several section links in one list or block is a menu, not a breadcrumb."""
    container = link.getparent()
    while container is not None and container.tag in ("a", "li", "span"):
        container = container.getparent()
    if container is None:
        return False
    hrefs = [a.get("href", "") for a in container.iter("a")]
    return sum(1 for href in hrefs if section_slug([href])) >= 3


def _section_named(page: Page) -> str | None:
    """`article:section` or JSON-LD articleSection: the site's slugs are its names slugified."""
    name = page.meta.get("article:section") or str(page.article_ld().get("articleSection") or "")
    slug = slugify(clean(name))
    return slug if slug in SECTION_SLUGS else None


def _drop_lead(lines: list[str], title: str, sapo: str | None) -> list[str]:
    """The headline, or the lead with its dateline, at the top of the container is not body."""
    while lines and (
        not lines[0]
        or lines[0] == title
        or (sapo and lines[0] != strip_dateline(lines[0]) and strip_dateline(lines[0]) == sapo)
    ):
        lines = lines[1:]
    return lines


def _tags(page: Page) -> list[str]:
    names = (text_of(a) for a in _LINKS(page.root) if page_kind(a.get("href", "")) is PageKind.TAG)
    return list(dict.fromkeys(n for n in names if n))


def _video(page: Page, base: str) -> str | None:
    found = [clean(str(s)) for s in _VIDEO(page.root)]
    return urljoin(base, found[0]) if found and found[0] else None
