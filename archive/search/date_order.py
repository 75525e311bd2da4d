"""Date order: the planner that reads a page of matches newest or oldest first along the
index's post ids, instead of sorting every match.

The site's post ids follow its dates, so the index read from the highest post id down (FTS5
walks a doclist either way, and stops when asked no more) meets a newest-first page's matches
first: a common word costs a few index entries, a rare phrase its matches down to the page's
last one, and nothing is ranked or sorted but the page. Oldest first is the mirror image
(`ReadingDirection`). Dates the filters bound start or end the reading at the post id of the
first or last article they allow. Articles whose date is out of step with their post id are
then asked of the date index, without the text: those outside the post ids read that sort
ahead of the page's last hit. The ones further along are met by reading on, any others looked
up in the index. Undated articles come last newest first, first oldest first. A prefix is
spelled out into the index's words (`spell_out_prefixes`), so that FTS5 can stop early.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, NamedTuple

from archive import schema
from archive.search.query import Query
from archive.search.selection import INDEX_FIRST, Filters
from archive.store import Archive

# Date order spells a prefix out into at most this many of the index's words (see
# spell_out_prefixes); past it the prefix is left to FTS5.
MAX_SPELLED_OUT = 500

# A page ending past DEEPEST matches, or one without words, is cut from every match, sorted.
DEEPEST = 200
# The SQL order of each date order, on the narrow table's columns.
ORDER_BY_DATE = {
    "newest": "published_at DESC, post_id DESC",
    "oldest": "published_at, post_id",
}


class ReadingDirection(NamedTuple):
    """Which way one date order reads the index along post ids, as SQL."""

    step: str  # the direction of the reading
    onwards: str  # post ids at or past the start of the reading
    ahead: str  # a row (date, post id) sorting ahead of another; a post id before the start
    behind: str  # one sorting behind it; a post id further along the reading


DIRECTIONS = {
    "newest": ReadingDirection("DESC", "<=", ">", "<"),
    "oldest": ReadingDirection("ASC", ">=", "<", ">"),
}
_OPPOSITE = {"newest": "oldest", "oldest": "newest"}


def page_by_date(
    archive: Archive, filters: Filters, sort: str, limit: int, offset: int
) -> list[int]:
    """The post ids of one page in date order (`sort` newest or oldest); see DEEPEST."""
    need = offset + limit
    query = filters.query
    if query is not None and need <= DEEPEST:
        expression = spell_out_prefixes(archive, query)
        if sort == "newest":
            found = dated_matches(archive, filters, expression, sort, need)
            found += undated_matches(archive, filters, expression, sort, need - len(found))
        else:
            found = undated_matches(archive, filters, expression, sort, need)
            found += dated_matches(archive, filters, expression, sort, need - len(found))
        return found[offset:need]
    selected, params = filters.narrow()
    sql = f"SELECT post_id FROM ({selected}) ORDER BY {ORDER_BY_DATE[sort]} LIMIT ? OFFSET ?"
    return [row[0] for row in archive.read(sql, [*params, limit, offset])]


class DateOrderExpression(NamedTuple):
    """A query's FTS5 expression for reading the index along post ids: its prefixes spelled
    out into the index's words where it can (`spell_out_prefixes`); `prefix_left` when one is
    left to FTS5."""

    fts: str
    prefix_left: bool


def spell_out_prefixes(archive: Archive, query: Query) -> DateOrderExpression:
    """`query` with each prefix spelled out into the words of the index that begin with it
    (schema.WORDS_TABLE), up to MAX_SPELLED_OUT of them: FTS5 then reads their matches from
    the end of the post ids and stops at the page, where for the prefix it would gather every
    match first. Prefixes are left to FTS5
    while articles written since are pending, and where no word begins with one (those words
    of the index hold only characters FTS5 keeps in a word and folds to themselves, so a
    prefix that begins one is a single FTS5 word as typed)."""
    pending = f"SELECT EXISTS (SELECT 1 FROM {schema.PENDING_WORDS_TABLE})"
    if not query.has_prefix or archive.read_value(pending):
        return DateOrderExpression(query.fts, query.has_prefix)
    left: list[str] = []

    def spell_out(prefix: str) -> tuple[str, ...] | None:
        found = _index_words_beginning(archive, prefix)
        if found is None:
            left.append(prefix)
        return found

    return DateOrderExpression(query.root.fts(spell_out), bool(left))


def _index_words_beginning(archive: Archive, prefix: str) -> tuple[str, ...] | None:
    """The index's words that begin with `prefix`; None for none or more than
    MAX_SPELLED_OUT."""
    rows = archive.read(
        f"SELECT word FROM {schema.WORDS_TABLE} WHERE word >= ? ORDER BY word", [prefix]
    )
    found: list[str] = []
    for (word,) in rows:
        if not word.startswith(prefix):
            break
        if len(found) == MAX_SPELLED_OUT:
            return None
        found.append(word)
    return tuple(found) or None


Row = tuple[int, str]  # a dated article: (post id, published_at)


@dataclass(frozen=True)
class _Reading:
    """One reading of the index along post ids in a date order (`sort`): the articles it
    allows (`allowed`, SQL on the narrow table `f`, with its `params`: dated, and as the
    filters ask), and the post ids it starts and ends at (None: the end of the post ids)."""

    sort: str
    allowed: str
    params: list[Any]
    start: int | None = None
    end: int | None = None

    @property
    def direction(self) -> ReadingDirection:
        return DIRECTIONS[self.sort]

    def position(self, post_id: int) -> int:
        """How far along the reading `post_id` is: the higher, the later it is met."""
        return -post_id if self.sort == "newest" else post_id

    def reaches(self, post_id: int) -> bool:
        """Whether `post_id` is not past the reading's end."""
        return self.end is None or self.position(post_id) <= self.position(self.end)

    def before_start(self) -> list[tuple[str, int]]:
        """The post ids before the reading's start, as a bound (`f.post_id <operator> <id>`)."""
        return [] if self.start is None else [(self.direction.ahead, self.start)]

    def past_end(self) -> list[tuple[str, int]]:
        """The post ids past the reading's end, as a bound."""
        return [] if self.end is None else [(self.direction.behind, self.end)]


def dated_matches(
    archive: Archive, filters: Filters, expression: DateOrderExpression, sort: str, need: int
) -> list[int]:
    """The first `need` dated matches in date order, or all of them when fewer: the index read
    along post ids for the page, then the articles filed out of step with their post id."""
    if need <= 0:
        return []
    reading = _bounded_reading(archive, filters, sort)
    if reading is None:
        return []
    rows = _read_along(archive, reading, expression)
    read = list(islice(rows, need))
    later: set[int] = set()
    if len(read) == need:
        out_of_step = _out_of_step_ahead_of_page(archive, reading, read)
        later = _further_along(reading, out_of_step, read[-1][0])
        read += _read_on(reading, rows, later)
    else:
        out_of_step = _out_of_step_outside(archive, reading)
    other_side = [post_id for post_id in out_of_step if post_id not in later]
    read += [(i, out_of_step[i]) for i in matching_among(archive, expression, other_side)]
    found = sorted(read, key=_date_then_post_id, reverse=sort == "newest")
    return [post_id for post_id, _ in found[:need]]


def _date_then_post_id(row: Row) -> tuple[str, int]:
    return row[1], row[0]


def _bounded_reading(archive: Archive, filters: Filters, sort: str) -> _Reading | None:
    """The reading of the dated articles `filters` allow, from one end of the post ids to the
    other; where the filters bound the dates, from the post id of the first article they allow,
    or to that of the last. None when they allow none."""
    where, params = filters.where("f")
    reading = _Reading(sort, f"f.published_at IS NOT NULL AND {where}", params)
    near, far = (
        (filters.until, filters.since) if sort == "newest" else (filters.since, filters.until)
    )
    if near is None and far is None:
        return reading
    ends = _first_and_last_allowed(archive, reading)
    if ends is None:
        return None
    first, last = ends
    return replace(
        reading, start=None if near is None else first, end=None if far is None else last
    )


def _first_and_last_allowed(archive: Archive, reading: _Reading) -> tuple[int, int] | None:
    """The post ids of the first and the last article `reading` allows, in its date order;
    None when it allows none."""
    facts, allowed, sort = schema.FACTS_TABLE, reading.allowed, reading.sort
    ends = archive.read_one(
        f"SELECT (SELECT post_id FROM {facts} f WHERE {allowed}"
        f" ORDER BY {ORDER_BY_DATE[sort]} LIMIT 1), (SELECT post_id FROM {facts} f"
        f" WHERE {allowed} ORDER BY {ORDER_BY_DATE[_OPPOSITE[sort]]} LIMIT 1)",
        [*reading.params, *reading.params],
    )
    if ends is None or ends[0] is None:
        return None
    return int(ends[0]), int(ends[1])


def _read_along(
    archive: Archive, reading: _Reading, expression: DateOrderExpression
) -> Iterator[Row]:
    """The matches `reading` allows, in its order: a stream, read as far as the page needs."""
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    bounds = ""
    if reading.start is not None:
        bounds += f" AND {fts}.rowid {reading.direction.onwards} {reading.start}"
    if reading.end is not None:
        bounds += f" AND {fts}.rowid {DIRECTIONS[_OPPOSITE[reading.sort]].onwards} {reading.end}"
    return archive.read(
        f"SELECT f.post_id, f.published_at FROM {fts} {INDEX_FIRST} {facts} f"
        f" ON f.post_id = {fts}.rowid WHERE {fts} MATCH ?{bounds} AND {reading.allowed}"
        f" ORDER BY {fts}.rowid {reading.direction.step}",
        [expression.fts, *reading.params],
    )


def _out_of_step_ahead_of_page(
    archive: Archive, reading: _Reading, read: list[Row]
) -> dict[int, str]:
    """The articles out of step with a full page `read`: outside the post ids read (before
    the start, or past the page's last), and sorting ahead of its last hit."""
    last = (min if reading.sort == "newest" else max)(read, key=_date_then_post_id)
    beyond = [*reading.before_start(), (reading.direction.behind, int(read[-1][0]))]
    return _out_of_step_in_blocks(archive, reading, last, beyond)


def _out_of_step_outside(archive: Archive, reading: _Reading) -> dict[int, str]:
    """The articles out of step with a reading that ended before the page was full: every
    article it allows outside its bounds (none when it has none: every match was read)."""
    beyond = [*reading.before_start(), *reading.past_end()]
    if not beyond:
        return {}
    outside = " OR ".join(f"f.post_id {operator} {bound}" for operator, bound in beyond)
    sql = (
        f"SELECT f.post_id, f.published_at FROM {schema.FACTS_TABLE} f"
        f" WHERE ({outside}) AND {reading.allowed}"
    )
    return dict(archive.read(sql, reading.params))


def _further_along(reading: _Reading, out_of_step: dict[int, str], last_read: int) -> set[int]:
    """Those of `out_of_step` further along the reading than `last_read`, and not past its end:
    met by reading on."""
    return {
        post_id
        for post_id in out_of_step
        if reading.position(post_id) > reading.position(last_read) and reading.reaches(post_id)
    }


def _read_on(reading: _Reading, rows: Iterator[Row], later: set[int]) -> list[Row]:
    """The matches among `later` that the rest of the reading meets, read up to the furthest
    of them."""
    if not later:
        return []
    furthest = max(reading.position(post_id) for post_id in later)
    met = []
    for post_id, published_at in rows:
        if post_id in later:
            met.append((post_id, published_at))
        if reading.position(post_id) >= furthest:
            break
    return met


def _out_of_step_in_blocks(
    archive: Archive, reading: _Reading, last: Row, beyond: list[tuple[str, int]]
) -> dict[int, str]:
    """The dates of the articles `reading` allows whose date and post id sort ahead of `last`
    in its order and whose post id lies beyond one of the bounds in `beyond` (`f.post_id
    <operator> <bound>`). Only the blocks of post ids whose dates reach past `last` are read
    (schema.BLOCKS_TABLE): near the reading's end, and the few that hold an article filed out
    of step, where the date index would be read back to `last`."""
    size, facts = schema.BLOCK_SIZE, schema.FACTS_TABLE
    ahead = reading.direction.ahead
    reach = "latest" if reading.sort == "newest" else "earliest"
    blocks = " OR ".join(f"b.block {operator}= {bound // size}" for operator, bound in beyond)
    rows = " OR ".join(f"f.post_id {operator} {bound}" for operator, bound in beyond)
    sql = (
        f"SELECT f.post_id, f.published_at FROM {schema.BLOCKS_TABLE} b CROSS JOIN {facts} f"
        f" ON f.post_id BETWEEN b.block * {size} AND b.block * {size} + {size - 1}"
        f" WHERE b.{reach} {ahead}= ? AND ({blocks}) AND ({rows})"
        f" AND (f.published_at, f.post_id) {ahead} (?, ?) AND {reading.allowed}"
    )
    return dict(archive.read(sql, [last[1], last[1], last[0], *reading.params]))


def undated_matches(
    archive: Archive, filters: Filters, expression: DateOrderExpression, sort: str, need: int
) -> list[int]:
    """The first `need` undated matches, by post id (newest first: highest first)."""
    if need <= 0:
        return []
    where, params = filters.where("f")
    sql = (
        f"SELECT f.post_id FROM {schema.FACTS_TABLE} f WHERE f.published_at IS NULL AND {where}"
        f" ORDER BY f.post_id {DIRECTIONS[sort].step}"
    )
    undated = [row[0] for row in archive.read(sql, params)]
    return matching_among(archive, expression, undated, need)


def matching_among(
    archive: Archive, expression: DateOrderExpression, ids: list[int], limit: int | None = None
) -> list[int]:
    """Those of `ids` that `expression` matches, in their order, the first `limit`: an index seek
    each, or with a prefix left to FTS5 one reading of their post id range (FTS5 gathers a
    prefix from the whole index at each evaluation)."""
    if not ids or limit == 0:
        return []
    fts = schema.FTS_TABLE
    if expression.prefix_left:
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid BETWEEN ? AND ?"
        found = {row[0] for row in archive.read(sql, [expression.fts, min(ids), max(ids)])}
        return [post_id for post_id in ids if post_id in found][:limit]
    sql = (
        f"SELECT {fts}.rowid FROM json_each(?) j CROSS JOIN {fts} ON {fts}.rowid = j.value"
        f" WHERE {fts} MATCH ? LIMIT ?"
    )
    args = [json.dumps(ids), expression.fts, -1 if limit is None else limit]
    return [row[0] for row in archive.read(sql, args)]
