"""An Atom feed (RFC 4287) of a search, for a feed reader that follows a subject: the latest
articles the archive wrote (archived, or replaced by a correction) among the search's matches.
Pure: entries in, the document's bytes out; `archive.web` serves it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree

ATOM = "http://www.w3.org/2005/Atom"
# What XML 1.0 cannot hold, even escaped: a page's stray control characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    id: str  # the article's address on the site: the same article is the same entry
    title: str
    link: str  # the article's page in this archive
    site_link: str  # the article on the site
    updated: str  # when the archive wrote it (RFC 3339)
    published: str | None  # when the site published it (RFC 3339)
    summary: str
    authors: tuple[str, ...]
    category: str | None


@dataclass(frozen=True)
class Feed:
    id: str  # the feed's own address
    title: str
    page: str  # the search's results page
    updated: str  # the newest entry's, or a fixed moment for an empty feed
    entries: tuple[Entry, ...]


def atom_document(feed: Feed) -> bytes:
    """The feed as an Atom document, UTF-8."""
    ElementTree.register_namespace("", ATOM)
    root = ElementTree.Element(_tag("feed"))
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "updated", feed.updated)
    _link(root, feed.id, "self", "application/atom+xml")
    _link(root, feed.page, "alternate", "text/html")
    generator = _text(root, "generator", "bienphong")
    generator.set("uri", "https://www.bienphong.com.vn/")
    for entry in feed.entries:
        element = ElementTree.SubElement(root, _tag("entry"))
        _text(element, "id", entry.id)
        _text(element, "title", entry.title)
        _text(element, "updated", entry.updated)
        if entry.published:
            _text(element, "published", entry.published)
        _link(element, entry.link, "alternate", "text/html")
        _link(element, entry.site_link, "related", "text/html")
        for name in entry.authors or ("Báo Biên phòng",):  # an entry needs an author
            _text(ElementTree.SubElement(element, _tag("author")), "name", name)
        if entry.category:
            ElementTree.SubElement(element, _tag("category"), term=entry.category)
        _text(element, "summary", entry.summary)
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _tag(name: str) -> str:
    return f"{{{ATOM}}}{name}"


def _text(parent: ElementTree.Element, name: str, text: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, _tag(name))
    element.text = _NOT_XML.sub("", text)
    return element


def _link(parent: ElementTree.Element, href: str, rel: str, kind: str) -> None:
    ElementTree.SubElement(parent, _tag("link"), rel=rel, type=kind, href=href)
