"""Parse a page once: the lxml tree, its meta tags, JSON-LD objects and canonical link.

Every rule, site-specific or generic, reads the same `Page`; nothing parses the HTML again.
The text is NFC-normalised before parsing, so every string taken from the tree is NFC.
"""

from __future__ import annotations

import html as html_entities
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement as HtmlElement  # lxml ships no types: Any to mypy
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template"})
# Elements a browser shows on lines of their own: their text never runs into the next one's
# (`<span>By</span><div>Chris Thompson</div>`, `Lindsay Dunsmuir</a></p><div>5 Min Read`).
_OWN_LINE = frozenset(
    {
        "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "figure", "figcaption", "table", "tr", "td", "th", "section", "article",
        "header", "footer", "aside", "nav", "address", "pre", "hr",
    }
)  # fmt: skip
_META = etree.XPath("//meta[@content]")
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()")
_CANONICAL = etree.XPath(
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
)
_TITLE = etree.XPath("//title")
# Comments and processing instructions are not text, and inside a paragraph they hide it from
# trafilatura (as its own parser drops them too).
_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True)
_UTF8_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")
# schema.org's article types: NewsArticle, ReportageNews, BlogPosting, LiveBlogPosting, ...
_ARTICLE_TYPES = ("Article", "BlogPosting", "ReportageNews", "AnalysisNewsArticle")


def has_class(name: str) -> str:
    """An XPath predicate for one class among several: `class="bp-detail-sapo cms-desc"` matches."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def clean(text: str | None) -> str:
    """Whitespace collapsed (non-breaking spaces included), NFC."""
    if not text:
        return ""
    text = " ".join(text.split())
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def text_of(element: HtmlElement, known: dict[Any, str] | None = None) -> str:
    """The element's visible text, `<br>` and the edges of blocks read as spaces, scripts and
    comments skipped.
    `known` keeps each element's text as read (before `clean`), so that asking about an
    element and then about its ancestors reads each part of the page once: only while the
    tree is unchanged."""
    if known is None:
        parts: list[str] = []
        _collect(element, parts, None)
        return clean("".join(parts))
    if element not in known:
        parts = []
        _collect(element, parts, known)
        known[element] = "".join(parts)
    return clean(known[element])


def _collect(element: Any, parts: list[str], known: dict[Any, str] | None) -> None:
    tag = element.tag
    if isinstance(tag, str) and tag not in _SKIP_TEXT:
        if tag == "br" or tag in _OWN_LINE:
            parts.append(" ")
        if element.text:
            parts.append(element.text)
        for child in element:
            if known is not None and child in known:
                parts.append(known[child])
            else:
                _collect(child, parts, known)
            if child.tail:
                parts.append(child.tail)
        if tag in _OWN_LINE:
            parts.append(" ")


def decode(html: bytes | str, content_type: str | None = None) -> str:
    """Bytes to text, in the order browsers read them (the WHATWG encoding rules): a byte
    order mark wins over any declaration; then UTF-8 when the bytes are UTF-8 (the site's
    charset, whatever a template declares); else the charset of the HTTP `content_type` the
    page came with, then the one its markup declares (under the names browsers give them:
    windows-1258's tones come as combining marks, composed later), cp1252 when nothing is
    declared. A page's own `<meta>` cannot declare UTF-16 or UTF-32: bytes it could read were
    ASCII to begin with, so browsers take it for UTF-8."""
    if isinstance(html, str):
        return html
    encoding, bom = read_bom(html)
    if encoding is not None and bom is not None:
        return html[len(bom) :].decode(encoding, "replace")
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = http_content_type_encoding(content_type) if content_type else None
    if declared is None and (declared := html_body_declared_encoding(html)):
        declared = "utf-8" if declared.startswith(("utf-16", "utf-32")) else declared
    return html_to_unicode(f"text/html; charset={declared or 'cp1252'}", html)[1]


def parse_tree(text: str) -> HtmlElement:
    """An lxml document for any input; an empty `<html><body/></html>` when there is nothing."""
    text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if text.strip():
        try:
            return lxml_html.document_fromstring(text, parser=_PARSER)
        except ValueError:  # an XML declaration with an encoding inside a str
            try:
                return lxml_html.document_fromstring(text.encode("utf-8"), parser=_UTF8_PARSER)
            except (ValueError, etree.ParserError):
                pass
        except etree.ParserError:
            pass
    return lxml_html.document_fromstring("<html><body></body></html>")


@dataclass
class Page:
    """One fetched page, parsed once."""

    url: str
    root: HtmlElement
    meta: dict[str, str]
    jsonld: list[dict[str, Any]]
    canonical: str | None
    title_tag: str

    @classmethod
    def parse(cls, html: bytes | str, url: str, content_type: str | None = None) -> Page:
        root = parse_tree(decode(html, content_type))
        titles = _TITLE(root)
        return cls(
            url=url,
            root=root,
            meta=_meta(root),
            jsonld=_jsonld(root),
            canonical=next((clean(h) for h in _CANONICAL(root) if clean(h)), None),
            title_tag=unescape(text_of(titles[0])) if titles else "",
        )

    def first(self, xpath: etree.XPath) -> HtmlElement | None:
        found = xpath(self.root)
        return found[0] if found else None

    def article_ld(self) -> dict[str, Any]:
        """The first JSON-LD object that describes an article, or an empty dict."""
        for item in self.jsonld:
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.endswith(_ARTICLE_TYPES) for k in kinds):
                return item
        return {}


def unescape(text: str) -> str:
    """Text with the HTML entities a CMS escaped twice (`NH&#7852;T`, `Türkiye&#039;de`) read."""
    return clean(html_entities.unescape(text)) if "&" in text else text


def _meta(root: HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for element in _META(root):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key and key not in found:
            found[key] = unescape(clean(element.get("content")))
    return found


def _jsonld(root: HtmlElement) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for text in _JSONLD(root):
        try:
            data = json.loads(text, object_hook=_unescaped)
        except (ValueError, RecursionError):
            continue
        _flatten(data, found)
    return found


def _unescaped(item: dict[str, Any]) -> dict[str, Any]:
    return {k: unescape(v) if isinstance(v, str) else v for k, v in item.items()}


def _flatten(data: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(data, list):
        for item in data:
            _flatten(item, found)
    elif isinstance(data, dict):
        found.append(data)
        if "@graph" in data:
            _flatten(data["@graph"], found)
