"""The search index's upkeep: whether it holds every article (`index_status`, for `bienphong
stats`), what is wrong with it (`check_index`, for `stats --check`) and its rebuilding
(`rebuild_index`, for `stats --rebuild-index`). The index's tables and what keeps them in step
with every write are `archive.schema`'s.
"""

from __future__ import annotations

import os
from typing import Any

from archive import schema
from archive.errors import ArchiveError
from archive.store import Archive


def index_status(archive: Archive) -> dict[str, Any]:
    """Whether every article is in the index with its spelled and folded copies: for
    `bienphong stats` (`unfolded` counts the articles missing a copy)."""
    fts = schema.FTS_TABLE
    unfolded = " OR ".join(
        f"({name} IS NOT NULL AND ({name}_folded IS NULL OR {name}_spelled IS NULL))"
        for name in schema.SEARCH_FIELDS
    )
    sql = {
        "articles": "SELECT count(*) FROM articles",
        "indexed": f"SELECT count(*) FROM {fts}_docsize",
        "missing": f"SELECT count(*) FROM articles WHERE post_id NOT IN"
        f" (SELECT id FROM {fts}_docsize)",
        "unfolded": f"SELECT count(*) FROM articles WHERE {unfolded}",
    }
    status = {
        name: int(archive.read_value(q, action="read the search index")) for name, q in sql.items()
    }
    status["complete"] = (
        status["articles"] == status["indexed"] and not status["missing"] and not status["unfolded"]
    )
    return status


def check_index(archive: Archive) -> list[str]:
    """What is wrong with the search index, one line each: articles missing from it or not
    folded, words of it missing from its list of words, and FTS5's own integrity check of the
    index against the articles."""
    try:
        status = index_status(archive)
    except ArchiveError as error:
        return [f"search index: {error}"]
    return [*_gaps(status), *_unlisted_words(archive), *_integrity(archive)]


def _gaps(status: dict[str, Any]) -> list[str]:
    """The articles `index_status` found missing from the index or without their copies."""
    return [
        f"search index: {status[key]} articles {what} (bienphong stats --rebuild-index)"
        for key, what in (
            ("missing", "missing from it"),
            ("unfolded", "without their spelled or folded copies"),
        )
        if status[key]
    ]


def _unlisted_words(archive: Archive) -> list[str]:
    """The index's words missing from the list date order spells a prefix out from."""
    try:
        unlisted = archive.unlisted_index_words()
    except ArchiveError as error:
        return [f"search index: {error}"]
    if not unlisted:
        return []
    return [
        f"search index: {unlisted} of its words missing from {schema.WORDS_TABLE}, so"
        " date order can miss a prefix's articles (bienphong stats --rebuild-index)"
    ]


def _integrity(archive: Archive) -> list[str]:
    """FTS5's integrity check of the index against the articles. It is a write statement to
    SQLite, so it runs on a connection of its own, rolled back, and is skipped (and said so)
    where the archive cannot be written."""
    if not os.access(archive.path, os.W_OK) or not os.access(archive.path.parent, os.W_OK):
        return ["search index: FTS5 integrity check skipped: the archive is read-only"]
    fts = schema.FTS_TABLE
    failed = archive.check_by_writing(
        f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"
    )
    if failed is None:
        return []
    return [f"search index: {failed} (bienphong stats --rebuild-index)"]


def rebuild_index(archive: Archive) -> int:
    """Rewrite every article's spelled and folded copies and rebuild the index; the number
    of rows whose copies changed."""
    return archive.rewrite_index()
