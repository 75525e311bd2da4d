"""Boxes inside an article that are not its text, found by signals that hold on any markup.

A related-articles list, an ad, a share bar, a poll or an embedded player sits between the
paragraphs of many templates. Class names differ from one redesign to the next, so these are
recognised by what they are: mostly links, form controls, frames, an ad label, the words of a
share bar, or the words every CMS uses for such boxes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from lxml import etree

from archive.site import split_url

from .page import HtmlElement, clean, text_of
from .text import is_share_bar

# Elements that never hold article text.
_NEVER_TEXT = frozenset(
    {
        "aside", "nav", "form", "button", "select", "input", "textarea", "label", "iframe",
        "ins", "object", "embed", "audio", "script", "style", "noscript", "template", "svg",
        "canvas", "dialog", "menu", "footer",
    }
)  # fmt: skip
_CONTAINERS = frozenset({"div", "section", "ul", "ol", "table", "dl", "p", "span", "center"})
# The words CMSes of every country give these boxes in class and id attributes.
_BOX_NAME = re.compile(
    r"(?:^|[\s_-])(?:ads?|adv|advert\w*|adsense|banner|sponsor\w*|promo\w*|share|sharing|social"
    r"|related|relate|recommend\w*|newsletter|subscri\w*|poll|survey|comments?|readmore"
    r"|read-more|more-?news|outbrain|taboola|teaser-list|paywall|signup)(?:$|[\s_-])",
    re.IGNORECASE,
)
_HIDDEN_NAME = re.compile(
    r"(?:^|\s)(?:visually-hidden|visuallyhidden|sr-only|screen-reader-text|element-invisible"
    r"|hidden)(?:$|\s)"
)
# The label of an ad slot, in the languages of the pages the generic path is judged on.
_AD_LABEL = re.compile(
    r"^(?:quảng\s+cáo|advertisement|advertising|sponsored|anzeige|werbung|publicidad"
    r"|publicité|pubblicità|reklame|reklama|annons|mainos|广告|広告|광고)$",
    re.IGNORECASE,
)
_LIST_LABEL = re.compile(
    r"^(?:tin\s+liên\s+quan|bài\s+liên\s+quan|tin\s+cùng\s+chuyên\s+mục|xem\s+thêm|đọc\s+thêm"
    r"|tin\s+khác|related|read\s+more|see\s+also|more\s+(?:on|from|stories)|mehr\s+zum\s+thema"
    r"|lesen\s+sie\s+auch|leia\s+também|lee\s+también|à\s+lire\s+aussi|leggi\s+anche)\b",
    re.IGNORECASE,
)
_CONTROLS = etree.XPath(".//input | .//select | .//textarea | .//button")
_LINKS = etree.XPath(".//a[@href]")
_MEDIA = etree.XPath(".//img | .//iframe | .//video")
_LISTS = etree.XPath(".//ul | .//ol")
_ITEMS = etree.XPath("./li")
# A label before a list of links: `Tin liên quan`, `Xem thêm:`, `Read more` (a few words).
_LABEL_WORDS = 6
_LABEL_CHARS = 40
_LINK_DENSE = 0.5
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A story's card: its linked headline and a lead of a paragraph or a few (a "next article").
_TEASER_BLOCKS = 5
_TEASER_WORDS = 160


def is_box(element: HtmlElement, site_host: str) -> bool:
    """True for a block inside the article that is not its text."""
    return box_kind(element, site_host) is not None


# What gave a box away: its tag, name, controls, links or a card's form ("named": the
# article's own container may show those too, so a caller weighs them against how much of
# the article it holds), or what it is made of alone ("shaped": a label over a list of links,
# a share bar, an ad's label; no article is made so, however much text it holds).
BoxKind = Literal["named", "shaped"]


def box_kind(
    element: HtmlElement, site_host: str, text_of: Callable[[HtmlElement], str] = text_of
) -> BoxKind | None:
    """Whether a block inside the article is not its text, and by which kind of signal
    (`text_of` reads an element's text: `BoxKinds` gives one that reads each part once)."""
    tag = element.tag
    if not isinstance(tag, str) or tag in _NEVER_TEXT or is_hidden(element):
        return "named"
    if tag not in _CONTAINERS and tag != "blockquote":
        return None
    if tag == "blockquote":
        return "shaped" if _is_embed(element) else None
    if _BOX_NAME.search(f"{element.get('class', '')} {element.get('id', '')}"):
        return "named"
    text = text_of(element)
    shaped = (
        _AD_LABEL.match(text.strip(" :·")) is not None
        or is_share_bar(text)
        or _is_labelled_list(element, text, text_of)
        or _is_labelled_links(element, text, text_of)
        or _is_offsite_media(element, text, site_host)
    )
    if shaped:
        return "shaped"
    # A short article may be mostly links, or open with its own linked headline: these
    # signals are weighed like names.
    named = (
        _CONTROLS(element)
        or _is_link_list(element, text, text_of)
        or _is_teaser(element, text, text_of)
    )
    return "named" if named else None


class BoxKinds:
    """`box_kind` of one page's elements, each worked out once: the same menus and footers are
    asked about from each of their lists, and on a page of real weight they are most of its
    markup. Only while the tree is unchanged."""

    def __init__(self, site_host: str) -> None:
        self.site_host = site_host
        self._found: dict[HtmlElement, BoxKind | None] = {}
        self._text = partial(text_of, known={})

    def __call__(self, element: HtmlElement) -> BoxKind | None:
        if element not in self._found:
            self._found[element] = box_kind(element, self.site_host, self._text)
        return self._found[element]


def is_hidden(element: HtmlElement) -> bool:
    """Not shown to a reader: `hidden`, `aria-hidden`, `display: none`, a screen-reader label."""
    style = element.get("style", "").replace(" ", "").lower()
    return (
        element.get("hidden") is not None
        or element.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
        or _HIDDEN_NAME.search(element.get("class", "")) is not None
    )


def is_label(text: str) -> bool:
    """A short heading-like line, as a list of links is introduced: `Tin liên quan:`."""
    text = clean(text)
    return (
        0 < len(text.split()) <= _LABEL_WORDS
        and len(text) <= _LABEL_CHARS
        and not text.endswith((".", "?", "!", "…", "。", "？", "！"))
    )


def is_list_label(text: str) -> bool:
    """A line that introduces a list of links from outside it: ending in a colon, or in the
    words newspapers use (`Tin liên quan`, `Xem thêm`, `Read more`). A bold intertitle right
    before a list is not one."""
    text = clean(text)
    return is_label(text) and (text.endswith(":") or _LIST_LABEL.match(text) is not None)


def is_link_list(element: HtmlElement) -> bool:
    """Mostly links, two or more: related articles, tags, a menu."""
    return _is_link_list(element, text_of(element), text_of)


def _is_link_list(element: HtmlElement, text: str, text_of: Callable[[Any], str]) -> bool:
    links = _LINKS(element)
    if len(links) < 2 or not text:
        return False
    linked = sum(len(text_of(a)) for a in links)
    return linked >= _LINK_DENSE * len(text)


def _is_labelled_links(element: HtmlElement, text: str, text_of: Callable[[Any], str]) -> bool:
    """A label and links, nothing else: `Xem thêm: <a>…</a>`, `<h3>Đọc thêm</h3><div><a>…`."""
    links = _LINKS(element)
    if not links:
        return False
    rest = text
    for link in links:
        rest = rest.replace(text_of(link), " ", 1)
    return is_label(rest.strip(" :·-–|"))


def _is_labelled_list(element: HtmlElement, text: str, text_of: Callable[[Any], str]) -> bool:
    """A label and a list that is links or empty (filled by script): `Tin liên quan` + `<ul>`."""
    lists = _LISTS(element)
    if not lists or not all(len(_LINKS(x)) >= len(_ITEMS(x)) for x in lists):
        return False
    rest = text
    for found in lists:
        rest = rest.replace(text_of(found), " ", 1)
    return is_label(rest)


def _is_teaser(element: HtmlElement, text: str, text_of: Callable[[Any], str]) -> bool:
    """Another story's card: a headline that is all a link, then a few paragraphs of its lead
    (`<div><h2><a href=…>Bridge works to close…</a></h2><p>Drivers will…</p></div>`)."""
    first = next((child for child in element if isinstance(child.tag, str)), None)
    if first is None or first.tag not in _HEADINGS or len(text.split()) > _TEASER_WORDS:
        return False
    blocks = [child for child in element if isinstance(child.tag, str) and text_of(child)]
    if not blocks or blocks[0] is not first or len(blocks) > _TEASER_BLOCKS:
        return False
    headline = text_of(blocks[0])
    linked = "".join(text_of(a) for a in _LINKS(blocks[0]))
    return bool(headline) and linked == headline


def _is_offsite_media(element: HtmlElement, text: str, site_host: str) -> bool:
    """A picture or frame linking to another host with hardly any words: an ad."""
    if len(text.split()) > 3 or not _MEDIA(element):
        return False
    hosts = {split_url(a.get("href", "")).hostname for a in _LINKS(element)}
    return any(host and not _same_site(host, site_host) for host in hosts)


def _same_site(host: str, site_host: str) -> bool:
    return host.lower().removeprefix("www.") == site_host.lower().removeprefix("www.")


def _is_embed(element: HtmlElement) -> bool:
    """A social embed (a blockquote given a class and a script), not a quotation."""
    following = element.getnext()
    return bool(element.get("class")) and following is not None and following.tag == "script"
