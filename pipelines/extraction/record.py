"""The entry point: (html, url, fetched_at) → the article record of `shared/article-record.md`.

`explain` also says where each field came from (its provenance): `rules:A-2020` when a site rule
found it, `generic:<heuristic>` when the generic path did, `meta`/`jsonld` for the page's own
metadata. `extract` is `explain` without the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

from archive.dates import utc_iso
from archive.site import CANONICAL_ORIGIN, article_kind, canonical_url, is_site_url, post_id

from . import authors, bienphong, generic
from .content import Draft, same_site
from .dates import OUT_OF_YEARS, modified_at, published_at
from .page import Page, clean
from .text import Body, finish_body, name_words, parse_byline

# Bump when a rule changes what a record holds; re-extraction compares it.
EXTRACTOR_VERSION = "2.1.4"


@dataclass(frozen=True)
class Extraction:
    """A record and, for each of its extracted fields, the rule or heuristic that gave it."""

    record: dict[str, Any]
    provenance: dict[str, str]


def extract(
    html: bytes | str,
    url: str,
    fetched_at: datetime,
    *,
    section_hint: str | None = None,
    site_rules: bool = True,
    content_type: str | None = None,
) -> dict[str, Any]:
    """The article record of one page. Never raises on odd HTML: missing fields stay empty.

    `site_rules=False` forces the generic path, as for markup no rule has seen.
    `content_type` is the HTTP header the page came with (its charset)."""
    found = explain(
        html,
        url,
        fetched_at,
        section_hint=section_hint,
        site_rules=site_rules,
        content_type=content_type,
    )
    return found.record


def explain(
    html: bytes | str,
    url: str,
    fetched_at: datetime,
    *,
    section_hint: str | None = None,
    site_rules: bool = True,
    content_type: str | None = None,
) -> Extraction:
    """`extract`, with where each field came from."""
    page = Page.parse(html, url, content_type)
    record_url = identity_url(page, url)
    draft = read(page, record_url, fetched_at, site_rules=site_rules)
    body = finish_body(draft.lines)
    authors = _authors(page, draft, body)
    published = published_at(page, draft.date_text, fetched_at)
    modified = modified_at(
        page, draft.modified_text, fetched_at, published[0] if published else None
    )
    found: dict[str, tuple[Any, str] | None] = {
        "section": (draft.section, draft.source("section")) if draft.section else None,
        "title": (draft.title, draft.source("title")),
        "sapo": (draft.sapo, draft.source("sapo")),
        "body": (body.text, draft.source("body")),
        "authors": authors,
        "source": (body.source, draft.source("body")),
        "published_at": _dated(published, draft),
        "modified_at": _dated(modified, draft),
        "tags": (draft.tags, draft.source("tags")),
        "images": ([image.as_dict() for image in draft.images], draft.source("images")),
        "video_url": (draft.video_url, draft.source("video_url")),
    }
    if found["section"] is None and section_hint:
        found["section"] = section_hint, "listing"
    values = {key: pair[0] if pair else None for key, pair in found.items()}
    record = {
        "post_id": post_id(record_url),
        "url": record_url,
        "kind": article_kind(record_url),
        **values,
        "sapo": values["sapo"] or None,
        "published_at": values["published_at"] or None,  # "": out of the years (dates.py)
        "modified_at": values["modified_at"] or None,
        "authors": values["authors"] or [],
        "word_count": len(body.text.split()),
        "fetched_at": utc_iso(fetched_at),
        "extractor_version": EXTRACTOR_VERSION,
    }
    provenance = {
        key: pair[1]
        for key, pair in found.items()
        if pair and (pair[0] not in (None, [], "") or pair[1].startswith(OUT_OF_YEARS))
    }
    return Extraction(record, provenance)


def identity_url(page: Page, url: str) -> str:
    """The record's URL: the one fetched (after the site's redirects), or the page's canonical
    link only when that is an http(s) URL naming the same post id on the site's hosts (on
    another newspaper's page: on the fetched host). A page cannot make itself another
    article, a script or another site."""
    fetched = canonical_url(url)
    if not page.canonical or not same_site(page.canonical, fetched):
        return fetched
    claimed = canonical_url(page.canonical, fetched)
    return claimed if post_id(claimed) == post_id(fetched) else fetched


def stated_address(html: bytes | str) -> str | None:
    """The address a page saved from the site states for itself: the first of its canonical
    link, its `og:url` and its shortlink that names an article on the site; else None."""
    page = Page.parse(html, f"{CANONICAL_ORIGIN}/")
    shortlinks = (clean(href) for href in _SHORTLINK(page.root))
    for stated in (page.canonical, page.meta.get("og:url"), *shortlinks):
        if stated and is_site_url(stated) and post_id(stated) is not None:
            return canonical_url(stated)
    return None


_SHORTLINK = etree.XPath(
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' shortlink ')]/@href"
)


def read(page: Page, base: str, fetched_at: datetime, *, site_rules: bool = True) -> Draft:
    """The site rules when they handle the page, each field they miss from the generic
    candidates; else the generic path."""
    rules = bienphong.match(page) if site_rules else None
    if rules is None:
        return generic.draft(page, base, fetched_at)
    found = rules.draft(page, base)
    generic.fill(found, page, base, fetched_at)
    return found


def _authors(page: Page, draft: Draft, body: Body) -> tuple[list[str], str] | None:
    """The byline printed at the end of the body, else one under the headline, else JSON-LD
    people, author markup, meta tags. A syndicated article (`Theo TTXVN`) names no author.

    On the generic path the page's JSON-LD people or author markup overrule the byline under
    the headline when they name the same people, as they spell them better (`By A and B The
    Associated Press`), and a last line of names alone when they name none of its names: a
    label's capitalised words read as names too (`Location Details`, `MEHR ERFAHREN`)."""
    via = draft.source("body")
    if body.authors and not via.startswith("generic"):
        return body.authors, via
    if body.authors:
        alone = parse_byline(body.byline or "", prefixed_only=True) is None
        stated = _stated(page) if alone else None
        if stated and not name_words(body.authors) & name_words(stated[0]):
            return stated
        return body.authors, "generic:byline"
    if body.source:
        return None
    stated = _stated(page)
    if names := authors.near_title(page, draft.title):
        if stated and all(name_words((name,)) & name_words(stated[0]) for name in names):
            return stated
        return list(names), "generic:byline-under-title"
    if stated:
        return stated
    if names := authors.from_meta(page):
        return list(names), "meta:author"
    return None


def _stated(page: Page) -> tuple[list[str], str] | None:
    """The authors the page's data names: its JSON-LD people, else its author markup."""
    if names := authors.from_jsonld(page):
        return list(names), "jsonld:author"
    if names := authors.from_markup(page):
        return list(names), "generic:author-markup"
    return None


def _dated(found: tuple[str, str] | None, draft: Draft) -> tuple[str, str] | None:
    """A date's provenance: the metadata's, or for a visible date the rules that found it."""
    if found is None:
        return None
    return found[0], draft.source("date_text") if found[1] == "visible" else found[1]
