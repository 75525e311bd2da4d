"""The generic candidates for each field but the body: cheap finders that hold on any markup.

The generic path takes every field from here; a site rule that matches a page but misses a
field (a breadcrumb under a class it does not list) takes that field from here too. Each finder
returns the value and where it came from (its provenance), or None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from itertools import islice

from lxml import etree

from archive.site import SECTION_SLUGS, PageKind, page_kind, slugify, split_url

from .bienphong import section_slug
from .boxes import is_hidden, is_link_list
from .content import same_site, web_url
from .dates import parse_known
from .page import HtmlElement, Page, clean, text_of
from .text import strip_dateline

Found = tuple[str, str]  # (value, provenance)

_HEADINGS = etree.XPath("//body//h1 | //body//h2")
_BREADCRUMB_LINKS = etree.XPath(
    "//*[contains(@class, 'breadcrumb') or contains(@class, 'crumb')"
    " or contains(translate(@aria-label, 'B', 'b'), 'breadcrumb')"
    " or contains(@class, '-category')]//a/@href"
)
_LINKS = etree.XPath("//body//a[@href]")
_VIDEO = etree.XPath("//video//source/@src | //video/@src")
# An article's own `<header>` holds its headline and lead; these never do.
_OUTSIDE_ARTICLE = frozenset({"nav", "footer", "aside", "form", "menu"})
# A full-width separator needs no spaces around it (`…注意喚起：IPA 独立行政法人`).
_FULL_WIDTH_SEPARATORS = "｜："
# ` - Báo Biên phòng`, ` | Der Standard`, ` – 毎日新聞`: a site's name after its headlines.
_SUFFIX = re.compile(
    rf"(?:\s+[-|–—:]\s+|\s*[{_FULL_WIDTH_SEPARATORS}]\s*)"
    rf"(?P<name>[^-|–—{_FULL_WIDTH_SEPARATORS}]{{2,60}})$"
)
_SUFFIX_WORDS = 5
# What stands between a title and the site's name after it (`X » Site`, `X | Site`).
_SEPARATORS = "-|–—:»·/"
_WORD = re.compile(r"\w+")
# A visible headline is the article's when it shares this share of its words with the metadata's.
_SAME_HEADLINE = 0.6
# A lead is a sentence or more; a date line or a byline is shorter.
LEAD_MIN_WORDS = 10
_LEAD_SEARCH = 40
_FOLLOWING_TAGS = frozenset(
    {"p", "div", "h2", "h3", "strong", "b", "span", "section", "em", "a", "address", "time"}
)
_FOLLOWING_MAX = 120
_TIMES = etree.XPath(".//time")
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})
_NOT_LEAD_HOLDERS = frozenset({"figure", "a", "li", "table"})
_BLOCK_CHILDREN = frozenset({"p", "div", "ul", "ol", "table", "figure", "section", "h2", "h3"})


def title(page: Page) -> Found | None:
    """The visible headline when it is the article's (it shares most words with the metadata's
    title, or the page has none), in the metadata's spacing when only spacing differs; else the
    metadata's title without the site's name. A headline that opens the metadata's title before
    a separator (`X - Site - Its motto`) is the article's; one the metadata gives whole keeps
    what reads like a site's name after it (`Viviane Obenauf – Staatsanwaltschaft …`)."""
    given = [
        (clean(str(page.article_ld().get("headline") or "")), "jsonld:headline"),
        (clean(page.meta.get("og:title", "")), "meta:og:title"),
        (page.title_tag, "title-tag"),
    ]
    named = [(_without_name(page, text, via), via) for text, via in given]
    named = [(text, via) for text, via in named if text]
    for heading in _headlines(page):
        text = _shown_text(heading)
        whole = [(other, via) for other, via in given if _unspaced(other) == _unspaced(text)]
        if whole and _without_site_name(page, text) == text:  # not `X | Site` shown whole
            return whole[0]
        if not _links_home(heading) and any(_opens(text, other) for other, _ in given):
            return text, "generic:headline"
        agreeing = [(other, via) for other, via in named if _same_headline(text, other)]
        spaced = [found for found in agreeing if _unspaced(found[0]) == _unspaced(text)]
        spaced = spaced or [
            found
            for found in agreeing
            if _beside_a_kicker(heading, text, found[0])
            or _unspaced(_without_site_name(page, text)) == _unspaced(found[0])  # `X | Site`
        ]
        if spaced:
            return spaced[0]
        if agreeing or not named:
            return text, "generic:headline"
    return named[0] if named else None


def _without_name(page: Page, text: str, via: str) -> str:
    """A metadata title without the site's name; a JSON-LD headline only loses it by name."""
    return _without_site_name(page, text) if via == "jsonld:headline" else _unsuffixed(page, text)


def _opens(headline: str, named: str) -> bool:
    """Whether the metadata's title is the headline, a separator, then more."""
    if not headline or not named.startswith(headline):
        return False
    rest = named[len(headline) :]
    if rest[:1] in tuple(_FULL_WIDTH_SEPARATORS):
        return True
    return rest[:1] == " " and rest.lstrip()[:1] in tuple(_SEPARATORS)


def _links_home(heading: HtmlElement) -> bool:
    """Whether the heading is the site's name linking to its home page (`seelenradio »
    Nummer zwei: Leo` opens with it)."""
    links = heading.findall(".//a[@href]")
    href = links[0].get("href", "").strip() if len(links) == 1 else ""
    return bool(href) and not href.startswith("#") and split_url(href).path in ("", "/")


def _beside_a_kicker(heading: HtmlElement, text: str, named: str) -> bool:
    """Whether the heading shows the metadata's title beside an element of its own
    (`<h1><span>Tunesien</span> <span>Große Aufgaben…</span></h1>`, `<h1><small>Tunesien</small>
    <br>Große Aufgaben…</h1>`): a kicker over the headline, a topic line, which is not the
    title."""
    want, shown = _unspaced(named), _unspaced(text)
    for inner in heading.iterdescendants():
        own = _unspaced(text_of(inner)) if isinstance(inner.tag, str) else ""
        if own and (own == want or shown in (own + want, want + own)):
            return True
    return False


def _unspaced(text: str) -> str:
    return "".join(text.split())


def _headlines(page: Page) -> list[HtmlElement]:
    """Page headings that may be the article's headline: h1s first, outside menus and footers,
    shown to readers."""
    found = [
        h
        for h in _HEADINGS(page.root)
        if not is_hidden(h) and _shown_text(h) and not _outside_article(h)
    ]
    return [h for h in found if h.tag == "h1"] + [h for h in found if h.tag != "h1"]


def _shown_text(heading: HtmlElement) -> str:
    """A heading's text without what it hides from readers (`<span class="visuallyhidden">
    Headline:</span>`, a site's name for screen readers)."""
    hidden = [e for e in heading.iterdescendants() if isinstance(e.tag, str) and is_hidden(e)]
    if not hidden:
        return text_of(heading)
    shown = deepcopy(heading)
    for element in [e for e in shown.iterdescendants() if isinstance(e.tag, str)]:
        if is_hidden(element) and element.getparent() is not None:
            element.drop_tree()
    return text_of(shown)


def _outside_article(element: HtmlElement) -> bool:
    return any(a.tag in _OUTSIDE_ARTICLE for a in element.iterancestors())


def _same_headline(visible: str, named: str) -> bool:
    ours, theirs = set(_WORD.findall(visible.casefold())), set(_WORD.findall(named.casefold()))
    return bool(ours) and len(ours & theirs) >= _SAME_HEADLINE * max(len(ours), len(theirs))


def _unsuffixed(page: Page, text: str) -> str:
    """A metadata title without the site's name: `og:site_name`, or a short last part after a
    separator that the headline itself does not hold."""
    text, unnamed = clean(text), _without_site_name(page, text)
    if unnamed != text:  # the site's name, and only it: what stood before it is the title
        return unnamed
    site = page.meta.get("og:site_name", "")
    found = _SUFFIX.search(text)
    if found and (found["name"] == site or len(found["name"].split()) <= _SUFFIX_WORDS):
        return text[: found.start()]
    return text


def _without_site_name(page: Page, text: str) -> str:
    """A title without the site's name (`og:site_name`) after a separator: `X » Site - Its
    Motto`, where the name holds separators of its own."""
    text, site = clean(text), page.meta.get("og:site_name", "")
    head = text[: -len(site)].rstrip() if site and text.endswith(site) else ""
    if head.endswith(tuple(_SEPARATORS)):  # `X auf Houzz` is a title, `X | Houzz` a suffix
        return head.rstrip(f" {_SEPARATORS}")
    return text


def lead(
    page: Page, title_text: str, text: HtmlElement | None = None
) -> tuple[str, str, HtmlElement | None] | None:
    """The lead, where it came from, and the block the page shows it in (with its dateline):
    the visible lead under the headline when one is set apart, else the page's description.
    `text` is the element holding the article's text, when known."""
    described = strip_dateline(
        page.meta.get("description")
        or page.meta.get("og:description")
        or clean(str(page.article_ld().get("description") or ""))
    )
    shown = visible_lead(page, title_text, described, text)
    if shown is not None:
        return strip_dateline(text_of(shown)), "generic:lead", shown
    return (described, "meta:description", None) if described else None


def visible_lead(
    page: Page, title_text: str, described: str, text: HtmlElement | None
) -> HtmlElement | None:
    """The first block of a sentence or more under the headline, when it is set apart: by a
    dateline, bold or a heading; or standing outside the element holding the text, which
    follows it, or which the page's description confirms. A first paragraph that the
    description merely repeats is the text's, not a lead."""
    sentences = list(
        islice(
            (
                e
                for e in after_headline(page, title_text)
                if len(text_of(e).split()) >= LEAD_MIN_WORDS and not _is_meta_line(e)
            ),
            2,  # the lead and the block after it
        )
    )
    if not sentences:
        return None
    first, shown = sentences[0], text_of(sentences[0])
    stripped = strip_dateline(shown)
    following = sentences[1] if len(sentences) > 1 else None
    outside = text is None or text not in first.iterancestors()
    if (
        stripped != shown
        or _is_bold(first)
        or first.tag in ("h2", "h3")
        or (outside and described and _same_start(stripped, described))
        or (following is not None and _stands_before(first, following))
    ):
        return first
    return None


def after_headline(page: Page, title_text: str) -> Iterator[HtmlElement]:
    """The leaf blocks that follow the headline, in page order (a few dozen at most): where a
    lead, a byline or a date line sits."""
    headline = next((h for h in _headlines(page) if text_of(h) == title_text), None)
    if headline is None:
        return iter(())
    leaves = (
        element
        for element in islice(_following(headline), _FOLLOWING_MAX)
        if not any(child.tag in _BLOCK_CHILDREN for child in element) and not _aside(element)
    )
    return islice(leaves, _LEAD_SEARCH)


def _following(element: HtmlElement) -> Iterator[HtmlElement]:
    """The blocks after an element in page order, its own descendants aside (XPath's
    `following::` axis, read lazily: it stops where the caller stops)."""
    node: HtmlElement | None = element
    while node is not None:
        for sibling in node.itersiblings():
            yield from (e for e in sibling.iter() if e.tag in _FOLLOWING_TAGS)
        node = node.getparent()


def _aside(element: HtmlElement) -> bool:
    """A caption, a menu or a list of links: never the lead."""
    return (
        element.tag in ("figcaption", "a")
        or any(
            a.tag in _OUTSIDE_ARTICLE or a.tag in _NOT_LEAD_HOLDERS for a in element.iterancestors()
        )
        or is_link_list(element)
    )


def _stands_before(lead: HtmlElement, text: HtmlElement) -> bool:
    """Whether the lead stands alone above the container of the text that follows it
    (`<p>lead</p><div><p>text</p>…</div>`): the text sits deeper in a later sibling, and no
    other sibling before that one holds a sentence (the text has not begun around the lead)."""
    shown = text_of(lead)
    while (parent := lead.getparent()) is not None and text_of(parent) == shown:
        lead = parent  # `<div class="intro"><p>lead</p></div>`: the box the lead has to itself
    if parent is None or text.getparent() is parent:
        return False
    for sibling in parent:
        if sibling is lead or not isinstance(sibling.tag, str) or sibling.tag in _HEADING_TAGS:
            continue
        if text in sibling.iterdescendants():
            return True
        if len(text_of(sibling).split()) >= LEAD_MIN_WORDS and not (
            _is_meta_line(sibling) or is_link_list(sibling)
        ):
            return False
    return False


def _is_meta_line(element: HtmlElement) -> bool:
    """The line of date, time and byline under a headline, never its lead."""
    return bool(_TIMES(element)) or parse_known(text_of(element)) is not None


def _is_bold(element: HtmlElement) -> bool:
    if element.tag in ("strong", "b"):
        return True
    children = [c for c in element if isinstance(c.tag, str)]
    whole = len(children) == 1 and not (element.text or "").strip()
    return whole and children[0].tag in ("strong", "b") and not (children[0].tail or "").strip()


def _same_start(text: str, described: str) -> bool:
    """Descriptions are often the lead cut short: the same first forty characters."""
    return text[:40] == described[:40]


def section(page: Page, title_text: str) -> Found | None:
    """The section: a breadcrumb, else the section link nearest the headline, else the page's
    `article:section`."""
    found = section_slug([str(h) for h in _BREADCRUMB_LINKS(page.root)])
    if found:
        return found, "generic:breadcrumb"
    found = _section_near_title(page, title_text)
    if found:
        return found, "generic:section-link"
    name = page.meta.get("article:section") or str(page.article_ld().get("articleSection") or "")
    slug = slugify(clean(name))
    return (slug, "meta:article:section") if slug in SECTION_SLUGS else None


def _section_link(href: str) -> str | None:
    """The section a link leads to (`/kinh-te/`, `/kinh-te/trang-2.html`), cheaply refused
    for the article links that make most of a page."""
    if not href.endswith("/") and "/trang-" not in href:
        return None
    return section_slug([href])


def _section_near_title(page: Page, title_text: str) -> str | None:
    """The section link nearest the headline outside menus: an unnamed breadcrumb, above the
    headline or, failing that, below it."""
    before: str | None = None
    seen_title = False
    counted: dict[HtmlElement, int] = {}  # section links per block: a menu's links share it
    for element in page.root.iter("a", "h1", "h2"):
        if element.tag != "a":
            if not seen_title and title_text and text_of(element) == title_text:
                if before:
                    return before
                seen_title = True
            continue
        slug = _section_link(element.get("href", ""))
        if slug and not _in_menu(element, counted):
            if seen_title:
                return slug
            before = slug
    return None


def _in_menu(link: HtmlElement, counted: dict[HtmlElement, int]) -> bool:
    """A link among several section links in one list or block is a menu, not a breadcrumb:
    within the few blocks around it (a mega menu's column holds one section and its topics;
    the menu, every section). `counted` keeps each block's count of section links."""
    container = link.getparent()
    for _ in range(_MENU_LEVELS):
        while container is not None and container.tag in ("a", "li", "span"):
            container = container.getparent()
        if container is None or container.tag == "body":
            return False
        if container not in counted:
            hrefs = (a.get("href", "") for a in container.iter("a"))
            counted[container] = sum(1 for href in hrefs if _section_link(href))
        if counted[container] >= 3:
            return True
        container = container.getparent()
    return False


# How many blocks up from a section link a menu may hold it.
_MENU_LEVELS = 3


def tags(page: Page) -> list[str]:
    """The names of the page's links to its own site's tag pages, in page order (a tag page
    of another host, or of a sub-domain of the site's, is not this article's tag)."""
    links = (
        a
        for a in _LINKS(page.root)
        if page_kind(a.get("href", "")) is PageKind.TAG and same_site(a.get("href"), page.url)
    )
    return list(dict.fromkeys(n for n in map(text_of, links) if n))


def video(page: Page, base: str) -> str | None:
    found = [clean(str(s)) for s in _VIDEO(page.root)]
    return web_url(found[0], base) if found else None
