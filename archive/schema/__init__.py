"""The archive's SQLite schema: tables, indexes and the migrations that build them.

The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks the file as a
bienphong archive. Version N is reached by running every migration up to N in order, so a new
archive and an old one brought up to date end with the same tables. A later schema adds a
migration here; it never edits one that has shipped.

One module a part: `fields` the article record's fields and their groups, `tables` the
archive's own tables (runs, failures, articles, pages, versions, validators), `index` the search
index and what beside it serves search (the spelled and folded copies, the FTS5 table, the
narrow tables, the index's words, the blocks of post ids). Everything is read as `schema.NAME`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

from archive.schema.fields import (
    ARTICLE_FIELDS,
    ARTICLE_TIMES,
    CONTENT_FIELDS,
    FOLDED_FIELDS,
    INDEX_COPIES,
    JSON_FIELDS,
    OLD_SPELLED_FIELDS,
    OLD_SPELLINGS,
    PAGE_FIELDS,
    SEARCH_FIELDS,
    SPELLED_FIELDS,
    STORED_COPIES,
    TEXT_FIELDS,
)
from archive.schema.index import (
    AUTHOR_NAMES_TABLE,
    AUTHORS_TABLE,
    BLOCK_SIZE,
    BLOCKS_TABLE,
    FACTS_TABLE,
    FTS_TABLE,
    MONTHS_INDEX,
    PENDING_WORDS_TABLE,
    TAG_NAMES_TABLE,
    TAGS_TABLE,
    TOKENIZER,
    WORDS_TABLE,
    copy_rows,
    create_v3,
    create_v5,
    create_v6,
    create_v7,
    create_v10,
    create_v13,
    fill_blocks,
    fill_narrow,
    fill_words,
    folded_columns,
    gather_words,
    index_columns,
    old_spelled_columns,
    old_spellings,
    rebuild_fts,
    searchable,
    spelled_columns,
    unlisted_words,
)
from archive.schema.tables import (
    create_v1,
    create_v2,
    create_v4,
    create_v8,
    create_v9,
    create_v11,
    create_v12,
)

__all__ = [
    "APPLICATION_ID",
    "ARTICLE_FIELDS",
    "ARTICLE_TIMES",
    "AUTHORS_TABLE",
    "AUTHOR_NAMES_TABLE",
    "BLOCKS_TABLE",
    "BLOCK_SIZE",
    "CONTENT_FIELDS",
    "FACTS_TABLE",
    "FOLDED_FIELDS",
    "FTS_TABLE",
    "INDEX_COPIES",
    "JSON_FIELDS",
    "MIGRATIONS",
    "MONTHS_INDEX",
    "OLD_SPELLED_FIELDS",
    "OLD_SPELLINGS",
    "PAGE_FIELDS",
    "PENDING_WORDS_TABLE",
    "SCHEMA_VERSION",
    "SEARCH_FIELDS",
    "SPELLED_FIELDS",
    "STORED_COPIES",
    "TAGS_TABLE",
    "TAG_NAMES_TABLE",
    "TEXT_FIELDS",
    "TOKENIZER",
    "WORDS_TABLE",
    "copy_rows",
    "fill_blocks",
    "fill_narrow",
    "fill_words",
    "folded_columns",
    "gather_words",
    "index_columns",
    "migrate",
    "migrate_to",
    "old_spelled_columns",
    "old_spellings",
    "rebuild_fts",
    "searchable",
    "spelled_columns",
    "unlisted_words",
]

# "BPHA" (Biên PHòng Archive) as a 32-bit integer, written into the SQLite file header.
APPLICATION_ID = 0x42504841
SCHEMA_VERSION = 13

# Migration N turns a version N-1 archive into version N.
MIGRATIONS: dict[int, Callable[[Database], None]] = {
    1: create_v1,
    2: create_v2,
    3: create_v3,
    4: create_v4,
    5: create_v5,
    6: create_v6,
    7: create_v7,
    8: create_v8,
    9: create_v9,
    10: create_v10,
    11: create_v11,
    12: create_v12,
    13: create_v13,
}


def migrate(db: Database, from_version: int) -> None:
    """Bring the archive from `from_version` to SCHEMA_VERSION; the caller holds a transaction."""
    migrate_to(db, SCHEMA_VERSION, from_version)


def migrate_to(db: Database, target: int, from_version: int = 0) -> None:
    for version in range(from_version + 1, target + 1):
        MIGRATIONS[version](db)
        db.execute(f"PRAGMA user_version = {version}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
