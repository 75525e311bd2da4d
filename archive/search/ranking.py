"""Ranking and counting: one page of results, best matches first (bm25) or in date order
(`archive.search.date_order`), the `Hit`s with their snippets, and how many articles match in
all (`count`), read beside the page on a second connection (`with_second_reader`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from archive import schema
from archive.dates import carried
from archive.search.date_order import page_by_date
from archive.search.query import Query, QueryError
from archive.search.selection import INDEX_FIRST, Filters, add_filter_functions
from archive.search.snippets import highlight, plain, snippet
from archive.store import Archive

# bm25 weights, in the index's column order (schema.INDEX_COPIES): title above sapo and tags
# above body, in each group of copies.
WEIGHTS = (10.0, 4.0, 1.0, 4.0) * 3
# The most results one page may ask for, and the furthest one may skip (CLI and web alike).
MAX_LIMIT = 1_000
MAX_OFFSET = 1_000_000
# How results are ordered: best matches first (bm25; ties by post id, which the site gives in
# order of publication, newest first), or by date.
SORTS = ("relevance", "newest", "oldest")
First = TypeVar("First")
Second = TypeVar("Second")


class Hit(NamedTuple):
    """One search result, with its snippet as (text, matched) segments."""

    post_id: int
    url: str
    title: str
    published_at: str | None
    section: str | None
    authors: list[str]
    snippet: list[tuple[str, bool]]
    rank: float | None
    title_marked: list[tuple[str, bool]]

    def as_json(self) -> dict[str, Any]:
        """The `--json` object: the matched words in the snippet between `**`."""
        keys = ("post_id", "url", "title", "published_at", "section", "authors")
        return {key: getattr(self, key) for key in keys} | {
            "snippet": plain(self.snippet),
            "rank": self.rank,
        }


@dataclass(frozen=True)
class Page:
    """One page of results: the hits, and how many match in all."""

    hits: list[Hit]
    total: int


def search(
    archive: Archive,
    filters: Filters,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> Page:
    """One page of results (`page`) and how many match in all (`count`, beside it: see
    `with_second_reader`)."""
    check_sort(sort)
    hits, total = with_second_reader(
        archive,
        lambda: page(archive, filters, limit=limit, offset=offset, sort=sort),
        lambda second: count(second, filters),
    )
    return Page(hits, total)


def page(
    archive: Archive,
    filters: Filters,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> list[Hit]:
    """One page of results. `sort` is one of SORTS: relevance ranks by bm25 (title over sapo
    over body; ties by post id, newest first), and needs a query (without one, newest first);
    newest and oldest order by publication and rank nothing. Only the narrow table and the
    index are read, but for the page's own articles."""
    check_sort(sort)
    add_filter_functions(archive)
    query = filters.query
    if query is None or sort != "relevance":
        by = "newest" if sort == "relevance" else sort
        ids = page_by_date(archive, filters, by, limit, offset)
        return hits_of(archive, [(post_id, None) for post_id in ids], query)
    fts = schema.FTS_TABLE
    rank = f"bm25({fts}, {', '.join(map(str, WEIGHTS))}) AS rank"
    where, params = filters.where("f")
    if filters.only_query:  # the index alone, as a bare FTS5 query reads it
        sql = f"SELECT rowid, {rank} FROM {fts} WHERE {fts} MATCH ?"
    else:
        sql = (
            f"SELECT f.post_id, {rank} FROM {fts}"
            f" {INDEX_FIRST} {schema.FACTS_TABLE} f ON f.post_id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND {where}"
        )
    args = [query.fts, *params, limit, offset]  # no params when only words are given
    ranked = archive.read(f"{sql} ORDER BY rank, 1 DESC LIMIT ? OFFSET ?", args)
    return hits_of(archive, [(post_id, rank) for post_id, rank in ranked], query)


def check_sort(sort: str) -> None:
    """QueryError unless `sort` is one of SORTS."""
    if sort not in SORTS:
        raise QueryError(
            f"unknown sort {sort!r}; valid: {', '.join(SORTS)}",
            f"Không có cách xếp {sort!r}; chọn một trong: {', '.join(SORTS)}.",
        )


def count(archive: Archive, filters: Filters) -> int:
    """How many articles `filters` select: from the index alone when only words are given."""
    add_filter_functions(archive)
    if filters.query is not None and filters.only_query:
        fts = schema.FTS_TABLE
        sql, params = f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?", [filters.query.fts]
    else:
        selected, params = filters.narrow()
        sql = f"SELECT count(*) FROM ({selected})"
    found: int = archive.read_value(sql, params)
    return found


def hits_of(
    archive: Archive, ranked: list[tuple[int, float | None]], query: Query | None
) -> list[Hit]:
    """The hits of `ranked` (post id, rank), in its order: each read from `articles`, the
    words `query` found marked in its title and snippet."""
    if not ranked:
        return []
    ids = [post_id for post_id, _ in ranked]
    sql = (
        "SELECT post_id, url, title, sapo, body, published_at, section, authors, tags"
        f" FROM articles WHERE post_id IN ({', '.join('?' * len(ids))})"
    )
    rows = {row[0]: row for row in archive.read(sql, ids)}
    matchers = query.matchers if query else []
    hits = []
    for post_id, rank in ranked:
        _, url, title, sapo, body, published_at, section, authors, tags = rows[post_id]
        if published_at is not None and not carried(published_at, None):
            published_at = None  # a page's 9999-12-31, archived before it was refused
        shown = snippet("\n\n".join(filter(None, (sapo, body))), matchers)
        if matchers and not any(found for _, found in shown):
            # Found by its tags alone: they are the snippet, so the reader sees why.
            shown = highlight(" · ".join(_stored_names(tags)), matchers) or shown
        hits.append(
            Hit(
                post_id,
                url,
                title,
                published_at,
                section,
                _stored_names(authors),
                shown,
                rank,
                highlight(title, matchers),
            )
        )
    return hits


def _stored_names(stored: str) -> list[str]:
    """A hit's authors or tags; none when the stored value is damaged (`bienphong stats
    --check` names it): one damaged article must not break every results page it is on."""
    try:
        found = json.loads(stored)
    except (TypeError, ValueError):
        return []
    return [name for name in found if isinstance(name, str)] if isinstance(found, list) else []


def with_second_reader(
    archive: Archive, first: Callable[[], First], other: Callable[[Archive], Second]
) -> tuple[First, Second]:
    """`first()` on this connection while `other` runs in a thread on a second read-only
    connection to the same archive. Ranking a page and counting its matches each read the
    index from end to end; SQLite lets two connections read at once, and a second core halves
    the wait for a common word. (Between the two reads a crawl may commit: the count is then
    that of a moment later.)"""

    def run_other() -> Second:
        with Archive(archive.path, readonly=True) as second:
            return other(second)

    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(run_other)
        done = first()
        return done, later.result()
