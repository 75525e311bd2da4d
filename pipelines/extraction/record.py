"""The entry point: (html, url, fetched_at) → the article record of `shared/article-record.md`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crawler.urls import article_kind, canonical_url, post_id

from . import bienphong, generic
from .content import Draft
from .dates import fetched_iso, modified_at, published_at
from .page import Page, clean
from .text import finish_body

# Bump when a rule changes what a record holds; re-extraction compares it.
EXTRACTOR_VERSION = "1.0.0"


def extract(
    html: bytes | str,
    url: str,
    fetched_at: datetime,
    *,
    section_hint: str | None = None,
) -> dict[str, Any]:
    """The article record of one page. Never raises on odd HTML: missing fields stay empty."""
    page = Page.parse(html, url)
    record_url = canonical_url(page.canonical or url)
    draft = read(page, record_url, fetched_at)
    body = finish_body(draft.lines)
    return {
        "post_id": post_id(record_url) or post_id(url),
        "url": record_url,
        "kind": article_kind(record_url),
        "section": draft.section or section_hint,
        "title": draft.title,
        "sapo": draft.sapo or None,
        "body": body.text,
        "authors": body.authors or ([] if body.source else _people(page)),
        "source": body.source,
        "published_at": published_at(page, draft.date_text, fetched_at),
        "modified_at": modified_at(page, draft.modified_text, fetched_at),
        "tags": draft.tags,
        "images": [image.as_dict() for image in draft.images],
        "video_url": draft.video_url,
        "word_count": len(body.text.split()),
        "fetched_at": fetched_iso(fetched_at),
        "extractor_version": EXTRACTOR_VERSION,
    }


def read(page: Page, base: str, fetched_at: datetime) -> Draft:
    """The site rules when they handle the page, else the generic path."""
    rules = bienphong.match(page)
    return rules.draft(page, base) if rules else generic.draft(page, base, fetched_at)


def _people(page: Page) -> list[str]:
    """JSON-LD Person authors, when the page printed no byline; never an Organization."""
    authors = page.article_ld().get("author")
    items = authors if isinstance(authors, list) else [authors]
    return [
        clean(item["name"])
        for item in items
        if isinstance(item, dict) and item.get("@type") == "Person" and item.get("name")
    ]
