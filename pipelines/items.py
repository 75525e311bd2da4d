"""What the spider hands to the pipelines (a fetched article page, a page that failed, what a
feed, sitemap or listing said of itself), and what extraction hands on to the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.crawl_memory import Validators


@dataclass
class FetchedPage:
    """One article response as received, before any extraction."""

    url: str  # the canonical site URL that led to the page
    final_url: str  # the site URL answered after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime  # aware
    post_id: int
    section_hint: str | None = None  # the section whose listing or feed named the page
    listing: str | None = None  # the listing that named it, so --since can stop paging it


@dataclass
class FailedPage:
    """An article page the crawl could not archive, and why."""

    url: str
    post_id: int | None
    reason: str
    extra: dict[str, str] = field(default_factory=dict)
    page: FetchedPage | None = None  # the response, when it came but could not be read


@dataclass
class ExtractedArticle:
    """An article page with its record, on its way to the archive."""

    record: dict[str, Any]
    page: FetchedPage
    # field -> the rule or heuristic that found it (`pipelines.extraction.explain`); None when
    # not known. Kept beside the record, whose keys are the contract's.
    provenance: dict[str, str] | None = None


@dataclass
class PageValidators:
    """What a feed, sitemap or listing said of itself (ETag, Last-Modified, its <lastmod> in a
    sitemap index), for the next run to ask it conditionally. The store keeps them when the
    run ends, if it walked the whole site: only a whole walk vouches for what lies below."""

    url: str
    validators: Validators
