"""Authors wherever a page names them, for the generic path: a byline line near the headline,
author markup (`rel=author`, `itemprop=author`, an author or byline box, an author page link),
JSON-LD Person authors, then meta tags. Each candidate must read as a list of names.

The byline printed in the body (its last line, in the forms of `text.parse_byline`) comes
first and is read by the text rules; this module is for the pages whose body has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice
from typing import Any
from urllib.parse import unquote

from lxml import etree

from archive.vietnamese import fold

from .candidates import after_headline
from .page import HtmlElement, Page, clean, text_of
from .text import BY_PREFIX, HANDLE, names_in, parse_byline

# The folder of an author's page (`/tac-gia/thu-ha.html`, `/author/jdoe`, `/autoren/x/`).
_AUTHOR_FOLDERS = ("tac-gia", "author", "authors", "autor", "autoren", "auteur")
_AUTHOR_PAGE = re.compile(rf"/(?:{'|'.join(_AUTHOR_FOLDERS)})/(?P<slug>[^/?#]*)")
# The same folders as an XPath test on a link.
_TO_AUTHOR_PAGE = " or ".join(f"contains(@href, '/{folder}/')" for folder in _AUTHOR_FOLDERS)
# Not in a menu: a site's list of its writers links to each one's page. `itemprop=author` is a
# byline wherever it stands (`<nav class="pst-by">…<span itemprop="author">`).
_MARKUP = etree.XPath(
    "//body//*[@itemprop='author' or not(ancestor::nav"
    " or ancestor::ul[contains(concat(@class, ' ', @id), 'menu')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' nav ')])]"
    "[@rel='author' or @itemprop='author'"
    " or contains(translate(@class, 'AUTHORBYLINE', 'authorbyline'), 'author')"
    " or contains(translate(@class, 'BYLINE', 'byline'), 'byline')"
    " or contains(translate(@class, 'WRITE', 'write'), 'writer')"  # `span.writer`
    f" or contains(translate(@id, 'BYLINE', 'byline'), 'byline') or {_TO_AUTHOR_PAGE}]"
)
_ITEMPROP_NAME = etree.XPath(".//*[@itemprop='name']")
_AUTHOR_LINKS = etree.XPath(f".//a[{_TO_AUTHOR_PAGE}]")
# A list of comments or one of them (`ol.commentlist`, `li.comment`, `ul.comments-list`), not
# a post that has comments (`article.commented`).
_COMMENT_TOKEN = re.compile(r"^comments?(?:list|[-_](?:list|item|thread|body))?$", re.IGNORECASE)
_COMMENT_PARTS = frozenset({"li", "ol", "ul", "article"})
# Boxes named for authors that are not the article's: commenters, author pages' widgets.
_NOT_BYLINE = re.compile(r"comment|avatar|image|img|photo|social|follow|bio", re.IGNORECASE)
# The meta names publishers give a byline (trafilatura's list): `author`, `article:author`,
# `parsely-author`, Dublin Core's `dc.creator`, the New York Times' `byl` ("By …").
_META_KEYS = re.compile(
    r"(?:^|[:._-])(?:authors?|creator|author_name)(?:\.aut)?$|^(?:byl|rbauthors|atc-metaauthor)$"
)
_TEXT_MAX = 120
_DATE_LINE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")
_PERSON_MAX_WORDS = 8
# A byline under the headline sits among its first few blocks.
_NEAR_TITLE = 12


def near_title(page: Page, title: str) -> tuple[str, ...]:
    """A byline among the short blocks right under the headline: a prefixed line (`Tin, ảnh:
    Thu Hà`), or names alone beside the date line (the article's meta line)."""
    for element in islice(after_headline(page, title), _NEAR_TITLE):
        text = text_of(element)
        byline = parse_byline(text, prefixed_only=not _beside_date(element))
        if byline is not None and byline.authors:
            return byline.authors
    return ()


def _beside_date(element: HtmlElement) -> bool:
    """Whether the block next to this one (either side) is a date line."""
    for sibling in (element.getprevious(), element.getnext()):
        if sibling is not None and _DATE_LINE.search(text_of(sibling)):
            return True
    return False


def from_markup(page: Page) -> tuple[str, ...]:
    """Names in author markup: every `rel=author`, `itemprop=author` or author-page link in the
    block of the first one (`<a rel=author>A</a> - <a rel=author>B</a>`); else the first author
    or byline box that holds any."""
    found = [
        e
        for e in _MARKUP(page.root)
        if not _NOT_BYLINE.search(e.get("class", "")) and not _in_comment(e)
    ]
    tagged = [e for e in found if _is_author_tag(e) and not _in_author_tag(e)]
    named = [e for e in tagged if _names_of(e)]  # not the picture linking to the author's page
    if named:
        block = named[0].getparent()
        return _unique(n for e in named if e.getparent() is block for n in _names_of(e))
    for element in found:
        if names := _names_of(element):
            return names
    return ()


def _in_comment(element: HtmlElement) -> bool:
    """Inside a reader's comment: its byline box names the commenter (`<li class="comment">
    …<div class="byline">J`)."""
    return any(
        ancestor.tag in _COMMENT_PARTS
        and any(
            _COMMENT_TOKEN.match(token)
            for token in f"{ancestor.get('class', '')} {ancestor.get('id', '')}".split()
        )
        for ancestor in element.iterancestors()
    )


def _is_author_tag(element: HtmlElement) -> bool:
    return (
        element.get("rel") == "author"
        or element.get("itemprop") == "author"
        or _AUTHOR_PAGE.search(element.get("href", "")) is not None
    )


def _in_author_tag(element: HtmlElement) -> bool:
    return any(_is_author_tag(a) for a in element.iterancestors())


def from_jsonld(page: Page) -> tuple[str, ...]:
    """The article's JSON-LD authors that are people (never an Organization). An author given
    by reference alone (`{"@id": …}`, as WordPress's SEO plugins write it) is the graph's
    object of that id."""
    found = page.article_ld().get("author")
    items = found if isinstance(found, list) else [found]
    known = {item["@id"]: item for item in page.jsonld if isinstance(item.get("@id"), str)}
    return _unique(name for item in items for name in _person_names(_resolved(item, known)))


def _resolved(item: Any, known: dict[str, dict[str, Any]]) -> Any:
    """A reference (an object of an `@id` alone) replaced by the object it names."""
    if isinstance(item, dict) and set(item) == {"@id"}:
        return known.get(item["@id"], item)
    return item


def from_meta(page: Page) -> tuple[str, ...]:
    """`<meta name="author">` and its kin (`_META_KEYS`), when a name."""
    for key, value in page.meta.items():
        if _META_KEYS.search(key) and not key.startswith("twitter:"):
            names = names_in(BY_PREFIX.sub("", value))
            if names:
                return names
    return ()


def _names_of(element: HtmlElement) -> tuple[str, ...]:
    if not _names_its_page(element):
        return ()
    # The names themselves when the box marks them (`itemprop=name`, each a link to its
    # writer's page), not the box's whole text: a date or a reading time runs on after them.
    named = _ITEMPROP_NAME(element) or [a for a in _AUTHOR_LINKS(element) if _names_its_page(a)]
    texts = [text_of(n) for n in named] if named else [text_of(element)]
    names: list[str] = []
    for text in texts:
        text = BY_PREFIX.sub("", text)
        if not text or len(text) > _TEXT_MAX:
            continue
        byline = parse_byline(text)
        names += byline.authors if byline else names_in(text, leading=True)
    return _unique(names or ([] if named else _opening_names(element)))


def _opening_names(element: HtmlElement) -> tuple[str, ...]:
    """The names after `By` that a byline box opens with when its date or more follows them
    in it (`By <b>Nathan Willis</b><br>March 25, 2015`): the longest run of its first parts
    (its text, each child's, each tail) that reads as a prefixed byline. Without the `By`,
    such a box's first words are as often a source (`CBS News`) or a label."""
    parts = [element.text or ""]
    for child in element:
        parts += [text_of(child), child.tail or ""]
    if not BY_PREFIX.match(clean(" ".join(parts))):
        return ()
    found: tuple[str, ...] = ()
    for end in range(1, len(parts) + 1):
        text = clean(" ".join(parts[:end]))
        if len(text) > _TEXT_MAX:
            break
        if (byline := parse_byline(text)) is not None and byline.authors:
            found = byline.authors
    return found


def _names_its_page(element: HtmlElement) -> bool:
    """Whether a link known only by its address, to an author's page, shows that author's
    name, not a label (`Alle Beiträge`, `More posts`, a column's `Meinung` linking to its
    writer): a word of its text is in the address (`Thu Hà` → `/tac-gia/thu-ha`, `Jane Doe`
    → `/author/jdoe`) or in its title. True for `rel=author` (whose address may be an
    account's name), for what is no such link and for links by number; False for the list of
    authors."""
    found = _AUTHOR_PAGE.search(element.get("href", ""))
    if found is None or element.get("rel") == "author" or element.get("itemprop") == "author":
        return True
    slug = fold(unquote(found.group("slug")))
    if not any(c.isalpha() for c in slug):
        return bool(slug)
    named = fold(f"{slug} {element.get('title', '')}")
    return any(word in named for word in fold(text_of(element)).split() if len(word) > 1)


def _person_names(item: Any) -> Iterable[str]:
    """A Person's name as given, without what follows a comma (`X, professor at Y`) or a social
    handle (`X @x`); a bare string may name several people (`A and B`)."""
    if isinstance(item, str):
        return names_in(item)
    if not isinstance(item, dict):
        return ()
    kind = item.get("@type")
    if kind is not None and "Person" not in (kind if isinstance(kind, list) else [kind]):
        return ()
    name = item.get("name")
    if not isinstance(name, str):
        parts = (item.get("givenName"), item.get("familyName"))
        name = " ".join(p for p in parts if isinstance(p, str))
    name = clean(HANDLE.sub("", name.split(",")[0]))
    return (name,) if 0 < len(name.split()) <= _PERSON_MAX_WORDS else ()


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(clean(n) for n in names if clean(n)))
