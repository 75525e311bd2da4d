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


def dated_matches(
    archive: Archive, filters: Filters, expression: DateOrderExpression, sort: str, need: int
) -> list[int]:
    """The first `need` dated matches in date order, or all of them when fewer."""
    if need <= 0:
        return []
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    step, onwards, ahead, behind = DIRECTIONS[sort]
    sign = -1 if sort == "newest" else 1  # how far along the reading a post id is
    where, params = filters.where("f")
    allowed = f"f.published_at IS NOT NULL AND {where}"  # dated, and as the filters ask
    # The reading runs from one end of the post ids to the other; where the filters bound the
    # dates, from the post id of the first article they allow, or to that of the last.
    near, far = (
        (filters.until, filters.since) if sort == "newest" else (filters.since, filters.until)
    )
    reverse = "oldest" if sort == "newest" else "newest"
    start: int | None = None
    end: int | None = None
    if near is not None or far is not None:
        ends = archive.read_one(
            f"SELECT (SELECT post_id FROM {facts} f WHERE {allowed}"
            f" ORDER BY {ORDER_BY_DATE[sort]} LIMIT 1), (SELECT post_id FROM {facts} f"
            f" WHERE {allowed} ORDER BY {ORDER_BY_DATE[reverse]} LIMIT 1)",
            [*params, *params],
        )
        if ends is None or ends[0] is None:
            return []
        start = None if near is None else int(ends[0])
        end = None if far is None else int(ends[1])
    bounds = "" if start is None else f" AND {fts}.rowid {onwards} {start}"
    bounds += "" if end is None else f" AND {fts}.rowid {DIRECTIONS[reverse].onwards} {end}"
    rows = archive.read(
        f"SELECT f.post_id, f.published_at FROM {fts} {INDEX_FIRST} {facts} f"
        f" ON f.post_id = {fts}.rowid WHERE {fts} MATCH ?{bounds} AND {allowed}"
        f" ORDER BY {fts}.rowid {step}",
        [expression.fts, *params],
    )
    read: list[tuple[int, str]] = list(islice(rows, need))
    full = len(read) == need
    # Out of step: outside the post ids read, and (when the page is full) sorting ahead of
    # its last hit.
    beyond = [] if start is None else [(ahead, start)]
    out_of_step: dict[int, str] = {}
    if full:
        last = (min if sort == "newest" else max)(read, key=lambda row: (row[1], row[0]))
        beyond.append((behind, int(read[-1][0])))
        out_of_step = _out_of_step_in_blocks(archive, sort, last, beyond, allowed, params)
    elif beyond or end is not None:  # else every match is read
        beyond += [] if end is None else [(behind, end)]
        outside = " OR ".join(f"f.post_id {operator} {bound}" for operator, bound in beyond)
        sql = f"SELECT f.post_id, f.published_at FROM {facts} f WHERE ({outside}) AND {allowed}"
        out_of_step = dict(archive.read(sql, params))
    # Those further along the reading are met by reading on.
    later = {
        post_id
        for post_id in out_of_step
        if full
        and sign * post_id > sign * read[-1][0]
        and (end is None or sign * post_id <= sign * end)
    }
    if later:
        furthest = max(sign * post_id for post_id in later)
        for post_id, published_at in rows:
            if post_id in later:
                read.append((post_id, published_at))
            if sign * post_id >= furthest:
                break
    other_side = [post_id for post_id in out_of_step if post_id not in later]
    read += [(i, out_of_step[i]) for i in matching_among(archive, expression, other_side)]
    found = sorted(read, key=lambda row: (row[1], row[0]), reverse=sort == "newest")
    return [post_id for post_id, _ in found[:need]]


def _out_of_step_in_blocks(
    archive: Archive,
    sort: str,
    last: tuple[int, str],
    beyond: list[tuple[str, int]],
    allowed: str,
    params: list[Any],
) -> dict[int, str]:
    """The dates of the articles `allowed` (on `f`) whose date and post id sort ahead of
    `last` (post id, date) in `sort` order and whose post id lies beyond one of the bounds in
    `beyond` (`f.post_id <operator> <bound>`). Only the blocks of post ids whose dates reach
    past `last` are read (schema.BLOCKS_TABLE): near the reading's end, and the few that hold
    an article filed out of step, where the date index would be read back to `last`."""
    size, facts = schema.BLOCK_SIZE, schema.FACTS_TABLE
    ahead = DIRECTIONS[sort].ahead
    reach = "latest" if sort == "newest" else "earliest"
    blocks = " OR ".join(f"b.block {operator}= {bound // size}" for operator, bound in beyond)
    rows = " OR ".join(f"f.post_id {operator} {bound}" for operator, bound in beyond)
    sql = (
        f"SELECT f.post_id, f.published_at FROM {schema.BLOCKS_TABLE} b CROSS JOIN {facts} f"
        f" ON f.post_id BETWEEN b.block * {size} AND b.block * {size} + {size - 1}"
        f" WHERE b.{reach} {ahead}= ? AND ({blocks}) AND ({rows})"
        f" AND (f.published_at, f.post_id) {ahead} (?, ?) AND {allowed}"
    )
    return dict(archive.read(sql, [last[1], last[1], last[0], *params]))


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
