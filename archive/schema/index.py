"""The search index, and what beside it serves search: the spelled and folded copies of the text,
the FTS5 table over them (versions 3, 6 and 10), the narrow tables (version 5), and the index's
words and the blocks of post ids (version 7). The query side is `archive.search`'s."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlite_utils import Database

from archive.schema.fields import (
    FOLDED_FIELDS,
    INDEX_COPIES,
    OLD_SPELLED_FIELDS,
    OLD_SPELLINGS,
    SEARCH_FIELDS,
    SPELLED_FIELDS,
    STORED_COPIES,
    TEXT_FIELDS,
    V10_STORED_COPIES,
)
from archive.vietnamese import (
    PLACEMENTS,
    WRITTEN_PLACEMENTS,
    fold,
    old_placement,
    one_placement,
    reads_as_written,
)

# The full-text index, in the form sqlite-utils and Datasette detect (`content=[articles]`,
# triggers `articles_ai`, `_ad`, `_au`), over copies of the text beside it. Version 3 indexed the
# text as written; version 6 the spelled (one tone placement) and folded copies, so that the
# project's search never expands a query, but then sqlite-utils and Datasette found `hòa` in no
# article; version 10 adds the copies spelled in the old placement, so a word typed in either
# finds both in every tool. See archive/search/ for the query side.
FTS_TABLE = "articles_fts"
# FTS5's tokenizer, for the index and for the scratch index that reads an article's words
# (`gather_words`): one setting, so the words are FTS5's own.
TOKENIZER = "unicode61 remove_diacritics 0"


def _fts_statements(indexed: tuple[str, ...], written: tuple[str, ...]) -> tuple[str, ...]:
    """The index over the `indexed` columns of `articles`, and the triggers that keep it: a
    write to any of the `written` ones (the rest derive from them) re-indexes the row."""
    columns = ", ".join(indexed)
    new = ", ".join(f"new.{name}" for name in indexed)
    old = ", ".join(f"old.{name}" for name in indexed)
    insert = f"INSERT INTO [{FTS_TABLE}] (rowid, {columns}) VALUES (new.rowid, {new});"
    delete = (
        f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}], rowid, {columns})"
        f" VALUES ('delete', old.rowid, {old});"
    )
    return (
        f"""CREATE VIRTUAL TABLE [{FTS_TABLE}] USING FTS5 (
    {columns},
    tokenize='{TOKENIZER}',
    content=[articles]
)""",
        f"CREATE TRIGGER [articles_ai] AFTER INSERT ON [articles] BEGIN\n  {insert}\nEND",
        f"CREATE TRIGGER [articles_ad] AFTER DELETE ON [articles] BEGIN\n  {delete}\nEND",
        # Only a change of indexed text re-indexes: a recrawl that moves last_seen_at costs
        # nothing.
        f"CREATE TRIGGER [articles_au] AFTER UPDATE OF {', '.join(written)} ON [articles]"
        f" BEGIN\n  {delete}\n  {insert}\nEND",
    )


def searchable(row: Mapping[str, Any], name: str) -> str | None:
    """Field `name` of an `articles` row as the index reads it: the text, or the tags (a JSON
    list) a line each; none from a damaged list."""
    value = row[name]
    if name != "tags" or value is None:
        return None if value is None else str(value)
    try:
        tags = json.loads(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(tags, list):
        return None
    return "\n".join(tag for tag in tags if isinstance(tag, str))


def folded_columns(
    row: Mapping[str, Any], fields: tuple[str, ...] = SEARCH_FIELDS
) -> dict[str, str | None]:
    """The folded copies of a row's `fields`: {"title_folded": ..., ...}."""
    return {f"{name}_folded": _derived(fold, searchable(row, name)) for name in fields}


def spelled_columns(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The spelled copies of a row's fields, as schema version 6 stored them (its migration):
    {"title_spelled": ..., ...}."""
    return {
        f"{name}_spelled": _derived(one_placement, searchable(row, name)) for name in SEARCH_FIELDS
    }


def old_spelled_columns(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The copies of a row's fields spelled in the old tone placement: {"title_spelled_old":
    ..., ...}."""
    return {
        f"{name}_spelled_old": _derived(old_placement, searchable(row, name))
        for name in SEARCH_FIELDS
    }


def old_spellings(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The old-style copies of a row's title, sapo and body as schema version 13 stores them:
    NULL where the text as written serves (SQLite then reads the text), else version 10's
    copy (lower case)."""
    copies = {}
    for name in TEXT_FIELDS:
        text = searchable(row, name)
        served = text is None or reads_as_written(text)
        copies[f"{name}_old_spelling"] = None if served else _derived(old_placement, text)
    return copies


def index_columns(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The copies of a row's text the store writes beside it (schema.STORED_COPIES); SQLite
    derives the others."""
    tags = {"tags_spelled_old": _derived(old_placement, searchable(row, "tags"))}
    return old_spellings(row) | tags | folded_columns(row)


def spelled_from_old(column: str, placements: tuple[tuple[str, str], ...] = PLACEMENTS) -> str:
    """The SQL that turns an old-style copy into the new-style one: each marked glide of the
    old placement replaced wherever it stands (it stands nowhere but at a word's end), which is
    archive.vietnamese.one_placement of the same text (lower-cased: version 10's copies are;
    version 13's may be the text as written, and also replace WRITTEN_PLACEMENTS)."""
    sql = f"[{column}]"
    for old, new in placements:
        sql = f"replace({sql}, '{old}', '{new}')"
    return sql


def _derived(copy: Callable[[str], str], text: str | None) -> str | None:
    return None if text is None else copy(text)


def copy_rows(
    db: Database,
    derive: Callable[[Mapping[str, Any]], dict[str, str | None]] = index_columns,
    batch: int = 1000,
) -> int:
    """Bring every article's copies (the columns `derive` returns) in step with its text; the
    number of rows changed."""
    copies = list(derive(dict.fromkeys(SEARCH_FIELDS, "")))
    select = (
        f"SELECT post_id, {', '.join(SEARCH_FIELDS)}, {', '.join(copies)} FROM articles"
        " WHERE post_id > ? ORDER BY post_id LIMIT ?"
    )
    update = f"UPDATE articles SET {', '.join(f'{n} = ?' for n in copies)} WHERE post_id = ?"
    changed, last = 0, 0
    width = len(SEARCH_FIELDS)
    while rows := db.execute(select, [last, batch]).fetchall():
        stale = []
        for row in rows:
            derived = derive(dict(zip(SEARCH_FIELDS, row[1 : 1 + width], strict=True)))
            if tuple(derived.values()) != tuple(row[1 + width :]):
                stale.append((*derived.values(), row[0]))
        db.conn.executemany(update, stale)
        changed += len(stale)
        last = rows[-1][0]
    return changed


def rebuild_fts(db: Database) -> None:
    """Re-read the whole index from `articles` (FTS5's 'rebuild')."""
    db.execute(f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}]) VALUES ('rebuild')")


def create_v3(db: Database) -> None:
    """The search index: folded copies of title, sapo and body, and an FTS5 table over both."""
    folded = tuple(f"{name}_folded" for name in TEXT_FIELDS)
    for name in folded:
        db.execute(f"ALTER TABLE articles ADD COLUMN [{name}] TEXT")
    copy_rows(db, lambda row: folded_columns(row, TEXT_FIELDS))
    for statement in _fts_statements((*TEXT_FIELDS, *folded), (*TEXT_FIELDS, *folded)):
        db.execute(statement)
    rebuild_fts(db)


# Narrow tables beside `articles` (schema version 5): what search ranks, counts, filters and
# facets by, without reading the wide rows (title, sapo, body and their folded copies), whose
# later columns SQLite reaches only through the row's overflow pages. Triggers keep them in
# step with every write to `articles`, whoever makes it (the store, sqlite-utils, a migration);
# a damaged (non-JSON) list reads as empty rather than failing the write.
FACTS_TABLE = "article_facts"
AUTHORS_TABLE = "article_authors"
TAGS_TABLE = "article_tags"
# Every author name and tag ever written, once: what a filter's words are matched against (in
# Python: with or without diacritics, either tone placement), a few thousand rows, not one a
# mention. A name no article holds any more matches nothing in the tables above.
AUTHOR_NAMES_TABLE = "author_names"
TAG_NAMES_TABLE = "tag_names"


def _json_list(column: str) -> str:
    return f"json_each(CASE WHEN json_valid(new.{column}) THEN new.{column} ELSE '[]' END)"


_FILL = (
    f"INSERT INTO [{FACTS_TABLE}] (post_id, published_at, section, kind)"
    " VALUES (new.post_id, new.published_at, new.section, new.kind);"
    f" INSERT INTO [{AUTHORS_TABLE}] (post_id, name) SELECT new.post_id, value"
    f" FROM {_json_list('authors')} WHERE type = 'text';"
    f" INSERT INTO [{TAGS_TABLE}] (post_id, tag) SELECT new.post_id, value"
    f" FROM {_json_list('tags')} WHERE type = 'text';"
    f" INSERT OR IGNORE INTO [{AUTHOR_NAMES_TABLE}] (name) SELECT value"
    f" FROM {_json_list('authors')} WHERE type = 'text';"
    f" INSERT OR IGNORE INTO [{TAG_NAMES_TABLE}] (tag) SELECT value"
    f" FROM {_json_list('tags')} WHERE type = 'text';"
)
_EMPTY = " ".join(
    f"DELETE FROM [{table}] WHERE post_id = old.post_id;"
    for table in (FACTS_TABLE, AUTHORS_TABLE, TAGS_TABLE)
)
_NARROW_STATEMENTS = (
    f"CREATE TABLE [{FACTS_TABLE}] (post_id INTEGER PRIMARY KEY, published_at TEXT,"
    " section TEXT, kind TEXT)",
    f"CREATE INDEX [{FACTS_TABLE}_published] ON [{FACTS_TABLE}] (published_at, post_id)",
    f"CREATE INDEX [{FACTS_TABLE}_section] ON [{FACTS_TABLE}] (section, published_at)",
    f"CREATE TABLE [{AUTHORS_TABLE}] (post_id INTEGER NOT NULL, name TEXT NOT NULL)",
    f"CREATE INDEX [{AUTHORS_TABLE}_name] ON [{AUTHORS_TABLE}] (name, post_id)",
    f"CREATE INDEX [{AUTHORS_TABLE}_post] ON [{AUTHORS_TABLE}] (post_id)",
    f"CREATE TABLE [{TAGS_TABLE}] (post_id INTEGER NOT NULL, tag TEXT NOT NULL)",
    f"CREATE INDEX [{TAGS_TABLE}_tag] ON [{TAGS_TABLE}] (tag, post_id)",
    f"CREATE INDEX [{TAGS_TABLE}_post] ON [{TAGS_TABLE}] (post_id)",
    f"CREATE TABLE [{AUTHOR_NAMES_TABLE}] (name TEXT PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TABLE [{TAG_NAMES_TABLE}] (tag TEXT PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TRIGGER [articles_narrow_ai] AFTER INSERT ON [articles] BEGIN {_FILL} END",
    f"CREATE TRIGGER [articles_narrow_ad] AFTER DELETE ON [articles] BEGIN {_EMPTY} END",
    "CREATE TRIGGER [articles_narrow_au] AFTER UPDATE OF post_id, published_at, section, kind,"
    f" authors, tags ON [articles] BEGIN {_EMPTY} {_FILL} END",
)


def create_v5(db: Database) -> None:
    """The narrow tables search reads (see _NARROW_STATEMENTS), filled from the articles."""
    for statement in _NARROW_STATEMENTS:
        db.execute(statement)
    fill_narrow(db)


def fill_narrow(db: Database) -> None:
    """Refill the narrow tables from `articles` (the migration; `stats --rebuild-index`)."""
    for table in (FACTS_TABLE, AUTHORS_TABLE, TAGS_TABLE, AUTHOR_NAMES_TABLE, TAG_NAMES_TABLE):
        db.execute(f"DELETE FROM [{table}]")
    db.execute(
        f"INSERT INTO [{FACTS_TABLE}] (post_id, published_at, section, kind)"
        " SELECT post_id, published_at, section, kind FROM articles"
    )
    for table, column, key in ((AUTHORS_TABLE, "authors", "name"), (TAGS_TABLE, "tags", "tag")):
        db.execute(
            f"INSERT INTO [{table}] (post_id, {key}) SELECT a.post_id, j.value FROM articles a,"
            f" json_each(CASE WHEN json_valid(a.{column}) THEN a.{column} ELSE '[]' END) AS j"
            " WHERE j.type = 'text'"
        )
    for names, table, key in (
        (AUTHOR_NAMES_TABLE, AUTHORS_TABLE, "name"),
        (TAG_NAMES_TABLE, TAGS_TABLE, "tag"),
    ):
        db.execute(f"INSERT OR IGNORE INTO [{names}] ({key}) SELECT DISTINCT {key} FROM [{table}]")


def create_v6(db: Database) -> None:
    """One spelling in the index: spelled copies of title, sapo, body and tags, and the index
    rebuilt over them in place of the text as written, so hòa and hoà are one word to FTS5, to
    `sqlite-utils search` and to Datasette, and a query is never expanded. The tags join the
    index (a search for a tag's words finds the articles filed under it)."""
    for name in (*SPELLED_FIELDS, "tags_folded"):
        db.execute(f"ALTER TABLE articles ADD COLUMN [{name}] TEXT")
    copy_rows(db, lambda row: spelled_columns(row) | folded_columns(row))
    for trigger in ("articles_ai", "articles_ad", "articles_au"):
        db.execute(f"DROP TRIGGER [{trigger}]")
    db.execute(f"DROP TABLE [{FTS_TABLE}]")
    for statement in _fts_statements(_V6_COPIES, _V6_COPIES):
        db.execute(statement)
    rebuild_fts(db)


# What the index read from version 6 to 9, all of it stored.
_V6_COPIES = (*SPELLED_FIELDS, *FOLDED_FIELDS)


# Every word the index holds, once (schema version 7): what date order spells a prefix
# (`bien*`) out into, since FTS5 gathers a prefix's matches from the whole index before it
# yields the first. The words are FTS5's own: a migration reads them off the index
# (fts5vocab), and `gather_words` reads those of the articles written since through a scratch
# index with the same tokenizer. Triggers list every article whose indexed text was written
# (`index_words_pending`), whoever wrote it; while that list is not empty the words may be
# incomplete, and search leaves prefixes to FTS5. A word no article holds any more stays (it
# matches nothing) until the words are next read off the whole index (`fill_words`).
WORDS_TABLE = "index_words"
PENDING_WORDS_TABLE = "index_words_pending"
# Past one pending article in this many, reading the whole index's words is the quicker way:
# an article read through the scratch index costs many times its share of a read of the
# whole index (docs/benchmarks.md, profiling of issue 16).
_VOCABULARY_EVERY = 20
_PENDING = f"INSERT OR IGNORE INTO [{PENDING_WORDS_TABLE}] (post_id) VALUES (new.post_id);"
_WORDS_STATEMENTS = (
    f"CREATE TABLE [{WORDS_TABLE}] (word TEXT PRIMARY KEY) WITHOUT ROWID",
    f"CREATE TABLE [{PENDING_WORDS_TABLE}] (post_id INTEGER PRIMARY KEY)",
    f"CREATE TRIGGER [articles_words_ai] AFTER INSERT ON [articles] BEGIN {_PENDING} END",
    f"CREATE TRIGGER [articles_words_au] AFTER UPDATE OF {', '.join(_V6_COPIES)}"
    f" ON [articles] BEGIN {_PENDING} END",
)


# The month of each section's articles, indexed: the archive's totals by section and month
# (`archive.search.summaries`, counting a common query from the articles it misses) read it in
# order, where grouping the table sorted every row.
MONTHS_INDEX = (
    f"CREATE INDEX [{FACTS_TABLE}_month] ON [{FACTS_TABLE}] (section, substr(published_at, 1, 7))"
)


# Post ids in blocks of BLOCK_SIZE, each with the earliest and the latest date among its
# articles, kept by a trigger on FACTS_TABLE. They are bounds: a date changed or an article
# deleted leaves them wider, never narrower. Date order reads only the blocks whose dates
# reach past a page's last hit for the articles filed out of step with their post id.
BLOCKS_TABLE = "article_blocks"
BLOCK_SIZE = 1024
_BLOCK_STATEMENTS = (
    f"CREATE TABLE [{BLOCKS_TABLE}] (block INTEGER PRIMARY KEY, earliest TEXT NOT NULL,"
    " latest TEXT NOT NULL)",
    f"CREATE TRIGGER [{FACTS_TABLE}_blocks] AFTER INSERT ON [{FACTS_TABLE}]"
    f" WHEN new.published_at IS NOT NULL BEGIN INSERT INTO [{BLOCKS_TABLE}]"
    f" (block, earliest, latest) VALUES (new.post_id / {BLOCK_SIZE}, new.published_at,"
    " new.published_at) ON CONFLICT (block) DO UPDATE SET"
    " earliest = min(earliest, excluded.earliest), latest = max(latest, excluded.latest); END",
)


def create_v7(db: Database) -> None:
    """The index's words (see WORDS_TABLE), read off the index; the blocks of post ids
    (BLOCKS_TABLE); MONTHS_INDEX."""
    for statement in (*_WORDS_STATEMENTS, *_BLOCK_STATEMENTS, MONTHS_INDEX):
        db.execute(statement)
    fill_words(db)
    fill_blocks(db)


def fill_blocks(db: Database) -> None:
    """Refill BLOCKS_TABLE from FACTS_TABLE, with the narrowest bounds (the migration;
    `stats --rebuild-index`)."""
    db.execute(f"DELETE FROM [{BLOCKS_TABLE}]")
    db.execute(
        f"INSERT INTO [{BLOCKS_TABLE}] (block, earliest, latest) SELECT post_id / {BLOCK_SIZE},"
        f" min(published_at), max(published_at) FROM [{FACTS_TABLE}]"
        " WHERE published_at IS NOT NULL GROUP BY 1"
    )


def fill_words(db: Database) -> None:
    """Read every word off the index into WORDS_TABLE, in place of those it held, and clear
    the pending list (the migration; `stats --rebuild-index`; many articles written at once).
    """
    db.execute(f"DELETE FROM [{WORDS_TABLE}]")
    db.execute(f"INSERT INTO [{WORDS_TABLE}] (word) SELECT term FROM {_index_vocabulary(db)}")
    db.execute(f"DELETE FROM [{PENDING_WORDS_TABLE}]")


def unlisted_words(db: Database) -> int:
    """How many words of the index WORDS_TABLE lacks (none while articles are pending: the
    next write gathers them). Reads every doclist of the index."""
    if db.execute(f"SELECT count(*) FROM [{PENDING_WORDS_TABLE}]").fetchone()[0]:
        return 0
    unlisted: int = db.execute(
        f"SELECT count(*) FROM {_index_vocabulary(db)} WHERE term NOT IN"
        f" (SELECT word FROM [{WORDS_TABLE}])"
    ).fetchone()[0]
    return unlisted


def _index_vocabulary(db: Database) -> str:
    """The table of the index's words (fts5vocab, in the connection's temporary schema, so a
    read-only connection may make it too)."""
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.[{FTS_TABLE}_words]"
        f" USING fts5vocab(main, [{FTS_TABLE}], row)"
    )
    return f"temp.[{FTS_TABLE}_words]"


def gather_words(db: Database) -> None:
    """Add the words of the articles written since the last call (the pending list) to
    WORDS_TABLE, read through a scratch index with the index's tokenizer; or, when more than
    one article in _VOCABULARY_EVERY is pending, read off the index itself. In the caller's
    transaction, after the articles are written."""
    pending = db.execute(f"SELECT count(*) FROM [{PENDING_WORDS_TABLE}]").fetchone()[0]
    if not pending:
        return
    # One pending (the store's every write) is never worth counting the articles, a read of
    # the whole table on every write.
    many = (
        pending > 1
        and pending * _VOCABULARY_EVERY > db.execute("SELECT count(*) FROM articles").fetchone()[0]
    )
    if many:
        fill_words(db)
        return
    scratch = f"{FTS_TABLE}_scratch"
    columns = ", ".join(INDEX_COPIES)
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.[{scratch}] USING fts5({columns},"
        f" tokenize='{TOKENIZER}', detail=none, content='')"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.[{scratch}_words]"
        f" USING fts5vocab(temp, [{scratch}], row)"
    )
    db.execute(
        f"INSERT INTO temp.[{scratch}] ({columns}) SELECT {columns} FROM articles"
        f" WHERE post_id IN (SELECT post_id FROM [{PENDING_WORDS_TABLE}])"
    )
    db.execute(f"INSERT OR IGNORE INTO [{WORDS_TABLE}] (word) SELECT term FROM [{scratch}_words]")
    db.execute(f"INSERT INTO temp.[{scratch}] ([{scratch}]) VALUES ('delete-all')")
    db.execute(f"DELETE FROM [{PENDING_WORDS_TABLE}]")


def create_v10(db: Database) -> None:
    """Both tone placements in the index, so that sqlite-utils and Datasette, which send a query
    as typed, find `hòa` where an article writes `hoà` and the other way round: the old-style
    copies (`*_spelled_old`) are stored, the new-style ones (`*_spelled`) become virtual columns
    derived from them (`spelled_from_old`, no bytes in the table), and the index reads all
    three groups (INDEX_COPIES). The index and its words are read again."""
    for trigger in ("articles_ai", "articles_ad", "articles_au", "articles_words_au"):
        db.execute(f"DROP TRIGGER [{trigger}]")
    db.execute(f"DROP TABLE [{FTS_TABLE}]")
    for name in SPELLED_FIELDS:
        db.execute(f"ALTER TABLE articles DROP COLUMN [{name}]")
    for name in OLD_SPELLED_FIELDS:
        db.execute(f"ALTER TABLE articles ADD COLUMN [{name}] TEXT")
    copy_rows(db, old_spelled_columns)
    for new_style, old_style in zip(SPELLED_FIELDS, OLD_SPELLED_FIELDS, strict=True):
        db.execute(
            f"ALTER TABLE articles ADD COLUMN [{new_style}] TEXT"
            f" GENERATED ALWAYS AS ({spelled_from_old(old_style)}) VIRTUAL"
        )
    for statement in _fts_statements(INDEX_COPIES, V10_STORED_COPIES):
        db.execute(statement)
    db.execute(
        f"CREATE TRIGGER [articles_words_au] AFTER UPDATE OF {', '.join(V10_STORED_COPIES)}"
        f" ON [articles] BEGIN {_PENDING} END"
    )
    rebuild_fts(db)
    fill_words(db)


def create_v13(db: Database) -> None:
    """The old-style copies of title, sapo and body stored once: the site prints the old style,
    so the copy was the text again, lower-cased (issue 30: 2.2 KB of an article's 5.6 KB of
    copies on the mirror, which prints both). Each becomes a virtual column that reads the
    text as written, or the stored `<field>_old_spelling` where the text does not serve
    (`reads_as_written`; NULL elsewhere); the new-style copies derive from them, case kept
    (the index ignores case).
    The index is read again (the same words: the words table stands). The space the dropped
    columns held is free pages; `bienphong stats --recompress` gives them back."""
    for trigger in ("articles_ai", "articles_ad", "articles_au", "articles_words_au"):
        db.execute(f"DROP TRIGGER [{trigger}]")
    db.execute(f"DROP TABLE [{FTS_TABLE}]")
    for name in TEXT_FIELDS:
        db.execute(f"ALTER TABLE articles DROP COLUMN [{name}_spelled]")  # reads the next
        db.execute(f"ALTER TABLE articles DROP COLUMN [{name}_spelled_old]")
    for name in OLD_SPELLINGS:
        db.execute(f"ALTER TABLE articles ADD COLUMN [{name}] TEXT")
    copy_rows(db, old_spellings)
    for name in TEXT_FIELDS:
        db.execute(
            f"ALTER TABLE articles ADD COLUMN [{name}_spelled_old] TEXT"
            f" GENERATED ALWAYS AS (coalesce([{name}_old_spelling], [{name}])) VIRTUAL"
        )
        cased = spelled_from_old(f"{name}_spelled_old", WRITTEN_PLACEMENTS)
        db.execute(
            f"ALTER TABLE articles ADD COLUMN [{name}_spelled] TEXT"
            f" GENERATED ALWAYS AS ({cased}) VIRTUAL"
        )
    written = (*TEXT_FIELDS, *STORED_COPIES)  # a text unchanged in its old style, too
    for statement in _fts_statements(INDEX_COPIES, written):
        db.execute(statement)
    db.execute(
        f"CREATE TRIGGER [articles_words_au] AFTER UPDATE OF {', '.join(written)}"
        f" ON [articles] BEGIN {_PENDING} END"
    )
    rebuild_fts(db)
