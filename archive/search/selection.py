"""The selection: which articles a search, an export, re-extraction or the web page reads.

`Filters` is the one selection of articles: the query (`archive.search.query`), dates,
sections, authors, tags and post ids, written as SQL conditions on `articles` or on the narrow
`article_facts` (`where`, `where_all`, `narrow`), and its limits (MAX_AUTHORS,
MAX_AUTHOR_CHARS). An author or tag filter matches the names ever written in Python, through
the SQL functions `add_filter_functions` registers on a connection. `records` streams the
selected records.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from archive import schema
from archive.dates import parse_iso, site_iso, utc_iso
from archive.errors import DamagedArticle
from archive.search.query import Query, QueryError, parse
from archive.site import SITE_TZ
from archive.store import Archive, record_of
from archive.vietnamese import fold, has_diacritics, nfc, one_placement, words

# What an author filter may hold: names, and characters in one name.
MAX_AUTHORS = 20
MAX_AUTHOR_CHARS = 100

# How the index joins the narrow table: the index read first, each match's row looked up by
# post id. Left to choose, SQLite may read every article of a section and ask the index about
# each one, a seek that costs a prefix all its matches (bench hostile has these shapes).
INDEX_FIRST = "CROSS JOIN"


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides the words: dates, sections, authors, tags, post ids,
    and (for an export that follows the crawls) the runs or the moment that wrote them."""

    query: Query | None = None
    since: datetime | None = None  # published at or after, on the site's clock
    until: datetime | None = None  # published before
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    ids: Collection[int] | None = None
    tags: tuple[str, ...] = ()
    # What follows the crawls (the export): the runs that wrote the articles' current
    # versions, and the moment since which they were written.
    runs: tuple[int, ...] = ()
    changed_since: datetime | None = None

    @classmethod
    def of(
        cls,
        query: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        sections: tuple[str, ...] = (),
        authors: tuple[str, ...] = (),
        ids: Collection[int] | None = None,
        tags: tuple[str, ...] = (),
    ) -> Filters:
        return cls(
            parse(query or ""),
            _moment(since, "since"),
            _moment(until, "until"),
            tuple(sections),
            _filter_names(authors, "author"),
            ids,
            _filter_names(tags, "tag"),
        )

    @classmethod
    def for_days(
        cls,
        query: str | None = None,
        first: date | None = None,
        last: date | None = None,
        sections: tuple[str, ...] = (),
        authors: tuple[str, ...] = (),
        ids: Collection[int] | None = None,
        tags: tuple[str, ...] = (),
    ) -> Filters:
        """What a reader asks for (`--since`/`--until`, the web form, the export): articles
        published from the day `first` through the whole day `last`, on the site's clock."""
        if first is not None and last is not None and _day(last) < _day(first):
            since, until = _day(first), _day(last)
            raise QueryError(
                f"--until {until} is before --since {since}",
                f"Ngày đến ({until:%d/%m/%Y}) ở trước ngày từ ({since:%d/%m/%Y}).",
            )
        # The last day the calendar has (9999-12-31) bounds nothing: no day comes after it.
        end = None if last is None or _day(last) == date.max else _day(last) + timedelta(days=1)
        return cls.of(query, first and _day(first), end, sections, authors, ids, tags)

    def where(self, table: str = "a") -> tuple[str, list[Any]]:
        """SQL conditions (FTS match excepted) on `table`, the alias of `articles` or of the
        narrow `article_facts` (both have post_id, published_at and section), and their
        parameters."""
        where: list[str] = ["1"]
        params: list[Any] = []
        if self.since is not None:  # compared as text, in published_at's stored form
            where.append(f"{table}.published_at >= ?")
            params.append(site_iso(self.since))
        if self.until is not None:
            where.append(f"{table}.published_at < ?")
            params.append(site_iso(self.until))
        if self.sections:
            where.append(f"{table}.section IN ({', '.join('?' * len(self.sections))})")
            params.extend(self.sections)
        if self.authors:
            where.append(_NAME_CONDITION["author"].format(table=table))
            params.append(json.dumps(self.authors, ensure_ascii=False))
        if self.tags:
            where.append(_NAME_CONDITION["tag"].format(table=table))
            params.append(json.dumps(self.tags, ensure_ascii=False))
        if self.ids is not None:
            where.append(f"{table}.post_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(int(post_id) for post_id in self.ids)))
        # On `articles` (indexed) whichever table `table` is: the narrow one has neither.
        if self.runs:
            where.append(
                f"{table}.post_id IN (SELECT post_id FROM articles"
                f" WHERE run_id IN ({', '.join('?' * len(self.runs))}))"
            )
            params.extend(self.runs)
        if self.changed_since is not None:  # compared as text, in updated_at's stored form
            where.append(f"{table}.post_id IN (SELECT post_id FROM articles WHERE updated_at >= ?)")
            params.append(utc_iso(self.changed_since))
        return " AND ".join(where), params

    def where_all(self, table: str = "a") -> tuple[str, list[Any]]:
        """`where()` plus the query, as a sub-select on the index."""
        where, params = self.where(table)
        if self.query is None:
            return where, params
        fts = schema.FTS_TABLE
        match = f"{table}.post_id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
        return f"{where} AND {match}", [*params, self.query.fts]

    def narrow(self) -> tuple[str, list[Any]]:
        """A SELECT of `post_id, section, published_at` of the selected articles, from the
        index and the narrow table only: what counts and facets read."""
        fts = schema.FTS_TABLE
        if self.query is None:
            where, params = self.where("f")
            sql = f"SELECT f.post_id, f.section, f.published_at FROM {schema.FACTS_TABLE} f"
            return f"{sql} WHERE {where}", params
        where, params = self.where("f")
        sql = (
            f"SELECT f.post_id, f.section, f.published_at FROM {fts}"
            f" {INDEX_FIRST} {schema.FACTS_TABLE} f ON f.post_id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND {where}"
        )
        return sql, [self.query.fts, *params]

    @property
    def only_query(self) -> bool:
        """Whether nothing but the words narrows the selection."""
        return self.query is not None and self.where()[0] == "1"


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _moment(value: str | date | None, name: str) -> datetime | None:
    """An ISO date or datetime, aware: a date means its midnight on the site's clock, and a
    datetime without an offset is on it too. QueryError for text that is neither."""
    if isinstance(value, str):
        if not value.strip():
            return None
        moment = parse_iso(value, SITE_TZ)
        if moment is None:
            raise QueryError(
                f"invalid {name} {value!r}: give an ISO date or datetime",
                f"Thời điểm {value!r} không hợp lệ.",
            )
        return moment
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value if value.tzinfo else value.replace(tzinfo=SITE_TZ)


def _filter_names(names: Collection[str], kind: str) -> tuple[str, ...]:
    """The author names or tags to filter on, each once; QueryError past MAX_AUTHORS or
    MAX_AUTHOR_CHARS."""
    found = tuple(dict.fromkeys(nfc(name).strip() for name in names if name.strip()))
    vi = {"author": "tác giả", "tag": "thẻ"}[kind]
    if len(found) > MAX_AUTHORS:
        raise QueryError(
            f"{len(found)} {kind}s given; at most {MAX_AUTHORS} are searched at once",
            f"Có {len(found)} {vi}; chỉ tìm được tối đa {MAX_AUTHORS} {vi} một lần.",
        )
    long = next((name for name in found if len(name) > MAX_AUTHOR_CHARS), None)
    if long is not None:
        raise QueryError(
            f"an {kind} name of {len(long):,} characters; at most {MAX_AUTHOR_CHARS}"
            if kind == "author"
            else f"a tag of {len(long):,} characters; at most {MAX_AUTHOR_CHARS}",
            f"Tên {vi} dài {len(long):,} ký tự; tối đa {MAX_AUTHOR_CHARS} ký tự.",
        )
    return found


# An author or tag filter: the names ever written (a few thousand) are matched in Python
# against what was typed (`_author_matches`, `_tag_matches`), and the articles looked up by
# the names found.
_NAME_CONDITION = {
    kind: f"{{table}}.post_id IN (SELECT post_id FROM {mentions} WHERE {key} IN"
    f" (SELECT {key} FROM {names} WHERE bienphong_{kind}(?, {key})))"
    for kind, mentions, names, key in (
        ("author", schema.AUTHORS_TABLE, schema.AUTHOR_NAMES_TABLE, "name"),
        ("tag", schema.TAGS_TABLE, schema.TAG_NAMES_TABLE, "tag"),
    )
}


def _name_words(text: str, folded: bool) -> tuple[str, ...]:
    return tuple(w.group() for w in words(fold(text) if folded else one_placement(text)))


@lru_cache(maxsize=256)
def _typed_names(typed: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """What was typed (a JSON list of names), each as its words and whether it was typed
    without diacritics (then it matches with any)."""
    return tuple(
        (_name_words(name, not has_diacritics(name)), not has_diacritics(name))
        for name in json.loads(typed)
    )


def _holds_in_a_row(found: tuple[str, ...], part: tuple[str, ...]) -> bool:
    width = len(part)
    return any(found[i : i + width] == part for i in range(len(found) - width + 1))


def _author_matches(typed: str, name: str | None) -> bool:
    """An author name holds one of the typed names as whole words in a row, with or without
    diacritics, in either tone placement: `Thủy`, `thu thuy` and `Phạm Thu Thủy` all match
    Phạm Thu Thủy; `Thu` does not match Thúy."""
    if not isinstance(name, str):
        return False
    return any(
        part and _holds_in_a_row(_name_words(name, folded), part)
        for part, folded in _typed_names(typed)
    )


def _tag_matches(typed: str, tag: str | None) -> bool:
    """A tag is one of the typed tags, whole, in any case, with or without diacritics."""
    if not isinstance(tag, str):
        return False
    return any(part and _name_words(tag, folded) == part for part, folded in _typed_names(typed))


def add_filter_functions(archive: Archive) -> None:
    """The SQL functions the filters use, on this connection (read-only ones too)."""
    archive.add_function("bienphong_author", 2, _author_matches)
    archive.add_function("bienphong_tag", 2, _tag_matches)


def records(
    archive: Archive,
    filters: Filters,
    damaged: Callable[[DamagedArticle], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The records `filters` select, by published_at then post_id, streamed (the export's and
    re-extraction's selection); a damaged one goes to `damaged`, as `Archive.iter_articles`
    says."""
    add_filter_functions(archive)
    yield from archive.iter_articles(*filters.where_all(), damaged=damaged)


def latest_written(
    archive: Archive, filters: Filters, limit: int
) -> list[tuple[str, dict[str, Any]]]:
    """The `limit` records `filters` select that the archive wrote last (archived, or
    replaced by a correction), newest first, each with that moment: what a feed of a search
    shows, so an old article a backfill adds still reaches its subscribers. A damaged record
    is passed over."""
    add_filter_functions(archive)
    where, params = filters.where_all()
    columns = ", ".join(f"a.{key}" for key in schema.ARTICLE_FIELDS)
    sql = (
        f"SELECT a.updated_at AS written_at, {columns} FROM articles a WHERE {where}"
        " ORDER BY a.updated_at DESC, a.post_id DESC LIMIT ?"
    )
    found = []
    with archive.doing("read the latest articles"):
        for row in archive.db.query(sql, [*params, limit]):
            try:
                found.append((str(row["written_at"]), record_of(row, archive.path)))
            except DamagedArticle:
                continue
    return found
