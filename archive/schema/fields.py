"""The article record's fields (shared/article-record.md), and the groups of them the archive
writes, versions, reads from the page and indexes."""

from __future__ import annotations

# The article record's keys, in the record's order (../shared/article-record.md).
ARTICLE_FIELDS: tuple[str, ...] = (
    "post_id",
    "url",
    "kind",
    "section",
    "title",
    "sapo",
    "body",
    "authors",
    "source",
    "published_at",
    "modified_at",
    "tags",
    "images",
    "video_url",
    "word_count",
    "fetched_at",
    "extractor_version",
)
# The record's fields read from the page (each with a provenance and a fill rate per run); the
# rest come from the URL or the fetch.
PAGE_FIELDS: tuple[str, ...] = tuple(
    key
    for key in ARTICLE_FIELDS
    if key not in ("post_id", "url", "kind", "word_count", "fetched_at", "extractor_version")
)
# Lists and objects, stored as JSON text in a column of the same name.
JSON_FIELDS = frozenset({"authors", "tags", "images"})
# A change in any of these makes the previous record a version (issue 4).
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "sapo",
    "body",
    "authors",
    "tags",
    "published_at",
    "modified_at",
    "source",
    "images",
    "video_url",
    "section",
    "kind",
)
# The fields the search index holds, each as three copies beside it: folded (`<field>_folded`:
# no diacritics, đ as d), spelled (`<field>_spelled`: every oa, oe and uy ending a word in the
# new tone placement, archive.vietnamese.one_placement) and spelled the old way
# (`<field>_spelled_old`: the same in the old placement). The store writes the folded copies;
# SQLite derives the new-style ones from the old-style ones (a virtual column, schema version
# 10: no bytes in the table). From version 13 the old-style copies of title, sapo and body are
# virtual too: the text itself, as written, where it serves (the site prints the old style:
# archive.vietnamese.reads_as_written), else the stored `<field>_old_spelling` (version 10's
# lower-case copy); the index ignores case. The tags are indexed as text, a line each
# (`searchable`), from schema version 6; version 3 indexed the text fields only.
TEXT_FIELDS: tuple[str, ...] = ("title", "sapo", "body")
SEARCH_FIELDS: tuple[str, ...] = (*TEXT_FIELDS, "tags")
FOLDED_FIELDS: tuple[str, ...] = tuple(f"{name}_folded" for name in SEARCH_FIELDS)
SPELLED_FIELDS: tuple[str, ...] = tuple(f"{name}_spelled" for name in SEARCH_FIELDS)
OLD_SPELLED_FIELDS: tuple[str, ...] = tuple(f"{name}_spelled_old" for name in SEARCH_FIELDS)
OLD_SPELLINGS: tuple[str, ...] = tuple(f"{name}_old_spelling" for name in TEXT_FIELDS)
# What the index reads, in its column order (schema version 10; version 6 read the first two
# groups): the project's search reads the spelled and folded copies, sqlite-utils and Datasette
# all three, so a word typed in either placement finds the articles that write either.
INDEX_COPIES: tuple[str, ...] = (*SPELLED_FIELDS, *FOLDED_FIELDS, *OLD_SPELLED_FIELDS)
# The copies the store writes (NULL where SQLite derives them); SQLite derives the rest. Version
# 10 stored every old-style copy (`V10_STORED_COPIES`, its migration's).
STORED_COPIES: tuple[str, ...] = (*OLD_SPELLINGS, "tags_spelled_old", *FOLDED_FIELDS)
V10_STORED_COPIES: tuple[str, ...] = (*OLD_SPELLED_FIELDS, *FOLDED_FIELDS)
# Bookkeeping columns of `articles` that are not part of the record.
ARTICLE_TIMES: tuple[str, ...] = ("first_seen_at", "updated_at", "last_seen_at")
