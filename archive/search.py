"""Search the archive the way a Vietnamese reader types.

The index (schema migration 3) holds each of title, sapo and body twice in one FTS5 table,
`articles_fts`: as written (case folded, diacritics kept) and folded (`title_folded`, ...: no
diacritics, đ as d). A query is parsed here and each term is sent to the columns that match how
it was typed:

- typed without diacritics, it searches the folded columns, so `bien` finds biên, biển, biến;
- typed with diacritics, it searches the written columns, so `biển` finds biển only; the old
  and new tone placements of oa, oe and uy count as one spelling (`hoà` finds hòa too).

A phrase that mixes both (`tuần tra song phương`) must match as a folded phrase and its accented
words as written. Syntax: words, "phrases", prefixes (`bien*`), AND, OR, NOT (upper case, as in
FTS5), parentheses; words side by side are ANDed. Quotes and parentheses left open are closed;
a misplaced operator is a `QueryError`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import product
from typing import Any, NamedTuple

from archive import schema
from archive.site import SITE_TZ
from archive.store import Archive, ArchiveError
from archive.vietnamese import (
    fold,
    has_diacritics,
    nfc,
    spellings,
    tone_placements,
    words,
)

WRITTEN = "{" + " ".join(schema.SEARCH_FIELDS) + "}"
FOLDED = "{" + " ".join(schema.FOLDED_FIELDS) + "}"
# bm25 weights, in the index's column order: title above sapo above body, in both copies.
WEIGHTS = (10.0, 4.0, 1.0, 10.0, 4.0, 1.0)
OPERATORS = ("AND", "OR", "NOT")
CONTEXT = 4  # words shown before the first matched word of a snippet
# The most results one page may ask for, and the furthest one may skip (CLI and web alike).
MAX_LIMIT = 1_000
MAX_OFFSET = 1_000_000
# A phrase with many hòa/hoà words is searched as typed rather than in 2^n spellings.
MAX_SPELLINGS = 16
_TOKENS = re.compile(r'\s+|"[^"]*"?\*?|[()]|[^\s"()]+')


class QueryError(ValueError):
    """A query or filter that cannot be searched; the message is one line for the user."""


# The query


@dataclass(frozen=True)
class Term:
    """A word or a phrase; `prefix` makes its last word a prefix (`bien*`)."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        accented = [word for word in self.words if has_diacritics(word)]
        star = "*" if self.prefix else ""
        if not accented:
            return f'{FOLDED}: "{fold(" ".join(self.words))}"{star}'
        if len(accented) == len(self.words):
            return _written(self.words, star)
        parts = [f'{FOLDED}: "{fold(" ".join(self.words))}"{star}']
        for index, word in enumerate(self.words):
            if has_diacritics(word):
                parts.append(_written((word,), star if index == len(self.words) - 1 else ""))
        return "(" + " AND ".join(parts) + ")"

    def matchers(self) -> list[Matcher]:
        last = len(self.words) - 1
        return [Matcher.of(word, self.prefix and i == last) for i, word in enumerate(self.words)]


def _written(words: tuple[str, ...], star: str) -> str:
    """The phrase as written, in either tone placement (hòa or hoà) for each of its words."""
    spellings = [" ".join(p) for p in product(*(tone_placements(w.lower()) for w in words))]
    if len(spellings) == 1 or len(spellings) > MAX_SPELLINGS:
        return f'{WRITTEN}: "{nfc(" ".join(words)).lower()}"{star}'
    return f"{WRITTEN}: (" + " OR ".join(f'"{spelling}"{star}' for spelling in spellings) + ")"


@dataclass(frozen=True)
class Operation:
    """`AND`, `OR` or `NOT` (binary: left NOT right) over two or more parts."""

    operator: str
    parts: tuple[Node, ...]

    def fts(self) -> str:
        return "(" + f" {self.operator} ".join(part.fts() for part in self.parts) + ")"

    def matchers(self) -> list[Matcher]:
        positive = self.parts[:1] if self.operator == "NOT" else self.parts
        return [matcher for part in positive for matcher in part.matchers()]


Node = Term | Operation


class Matcher(NamedTuple):
    """How a query word shows in a text: equal to one of `texts` once folded, or once
    lower-cased (an accented word in either tone placement)."""

    texts: tuple[str, ...]
    folded: bool
    prefix: bool

    @classmethod
    def of(cls, word: str, prefix: bool) -> Matcher:
        if has_diacritics(word):
            return cls(tone_placements(word.lower()), False, prefix)
        return cls((fold(word),), True, prefix)

    def matches(self, word: str) -> bool:
        seen = fold(word) if self.folded else word.lower()
        return seen.startswith(self.texts) if self.prefix else seen in self.texts


@dataclass(frozen=True)
class Query:
    """A parsed query: `fts` for SQLite's MATCH, `matchers` to highlight the words it found."""

    text: str
    root: Node

    @property
    def fts(self) -> str:
        return self.root.fts()

    @property
    def matchers(self) -> list[Matcher]:
        return self.root.matchers()


def parse(text: str) -> Query | None:
    """The query in `text`; None when it is blank; QueryError when it cannot be searched."""
    text = nfc(text).strip()
    if not text:
        return None
    tokens = _balance(_tokenize(text))
    if not any(isinstance(token, Term) for token in tokens):
        raise QueryError(f"nothing to search for in {text!r}: type some words")
    parser = _Parser(tokens)
    root = parser.expression()
    if parser.peek() is not None:  # pragma: no cover - _balance leaves no stray ")"
        raise QueryError(f"cannot read the query {text!r}")
    return Query(text, root)


Token = Term | str  # a Term, or one of "(", ")", "AND", "OR", "NOT"


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for match in _TOKENS.finditer(text):
        raw = match.group()
        if raw.isspace():
            continue
        if raw in ("(", ")", *OPERATORS):
            tokens.append(raw)
            continue
        found = tuple(word.group() for word in words(raw))
        if found:  # punctuation alone (`-`, `*`, `""`) says nothing
            tokens.append(Term(found, raw.endswith("*")))
    return tokens


def _balance(tokens: list[Token]) -> list[Token]:
    """Drop a ")" that closes nothing and "()" with nothing inside; close what is left open."""
    kept: list[Token] = []
    depth = 0
    for token in tokens:
        if token == ")":
            if depth == 0:
                continue
            depth -= 1
            if kept[-1] == "(":
                kept.pop()
                continue
        elif token == "(":
            depth += 1
        kept.append(token)
    return kept + [")"] * depth


@dataclass
class _Parser:
    """FTS5's precedence: NOT binds tighter than AND, AND tighter than OR."""

    tokens: list[Token]
    position: int = field(default=0)

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        self.position += 1
        return token

    def expression(self) -> Node:
        parts = [self.conjunction()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Operation("OR", tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else Operation("AND", tuple(parts))

    def negation(self) -> Node:
        node = self.primary()
        while self.peek() == "NOT":
            self.take()
            node = Operation("NOT", (node, self.primary()))
        return node

    def primary(self) -> Node:
        token = self.take()
        if isinstance(token, Term):
            return token
        if token == "(":
            node = self.expression()
            self.take()  # the ")" that _balance guarantees
            return node
        if token == "NOT":
            raise QueryError("NOT needs a term before it, as in 'bien phong NOT hai quan'")
        if token in ("AND", "OR"):
            raise QueryError(f"{token} needs a term on each side, as in 'bien {token} dao'")
        raise QueryError("the query ends with an operator: add a term after it")


# Filters


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides the words: dates, sections, authors, post ids."""

    query: Query | None = None
    since: str | None = None
    until: str | None = None
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    ids: Collection[int] | None = None

    @classmethod
    def of(
        cls,
        query: str | None = None,
        since: str | date | None = None,
        until: str | date | None = None,
        sections: tuple[str, ...] = (),
        authors: tuple[str, ...] = (),
        ids: Collection[int] | None = None,
    ) -> Filters:
        return cls(
            parse(query or ""),
            _moment(since, "since"),
            _moment(until, "until"),
            tuple(sections),
            tuple(nfc(author).strip() for author in authors if author.strip()),
            ids,
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
    ) -> Filters:
        """What a reader asks for (`--since`/`--until`, the web form, the export): articles
        published from the day `first` through the whole day `last`, on the site's clock."""
        # The last day the calendar has (9999-12-31) bounds nothing: no day comes after it.
        end = None if last is None or _day(last) == date.max else _day(last) + timedelta(days=1)
        return cls.of(query, first and _day(first), end, sections, authors, ids)

    def where(self) -> tuple[str, list[Any]]:
        """SQL conditions on `articles a` (FTS match excepted), and their parameters."""
        where, params = ["1"], []
        if self.since is not None:
            where.append("a.published_at >= ?")
            params.append(self.since)
        if self.until is not None:
            where.append("a.published_at < ?")
            params.append(self.until)
        if self.sections:
            where.append(f"a.section IN ({', '.join('?' * len(self.sections))})")
            params.extend(self.sections)
        if self.authors:
            conditions = [_author_condition(name) for name in self.authors]
            where.append(f"({' OR '.join(sql for sql, _ in conditions)})")
            params.extend(key for _, keys in conditions for key in keys)
        if self.ids is not None:
            where.append("a.post_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(int(post_id) for post_id in self.ids)))
        return " AND ".join(where), params

    def where_all(self) -> tuple[str, list[Any]]:
        """`where()` plus the query, as a sub-select on the index."""
        where, params = self.where()
        if self.query is None:
            return where, params
        match = (
            f"a.post_id IN (SELECT rowid FROM {schema.FTS_TABLE} WHERE {schema.FTS_TABLE} MATCH ?)"
        )
        return f"{where} AND {match}", [*params, self.query.fts]


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _moment(value: str | date | None, name: str) -> str | None:
    """An ISO date or datetime as published_at is written (UTC+7), for comparison as text.

    A date means its midnight on the site's clock; a datetime without an offset is on it too.
    """
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise QueryError(f"invalid {name} {value!r}: give an ISO date or datetime") from None
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_TZ)
    return value.astimezone(SITE_TZ).isoformat()


def _author_condition(name: str) -> tuple[str, tuple[str, ...]]:
    """SQL and its parameters: a name typed with diacritics matches as written, in any case and
    either tone placement; without, with any accents."""
    if has_diacritics(name):
        function, keys = "bienphong_lower", spellings(name)
    else:
        function, keys = "bienphong_fold", (fold(name),)
    marks = ", ".join("?" * len(keys))
    sql = f"EXISTS (SELECT 1 FROM json_each(a.authors) AS j WHERE {function}(j.value) IN ({marks}))"
    return sql, keys


def _prepare(archive: Archive) -> None:
    """The SQL functions the filters use, on this connection (read-only ones too)."""
    conn = archive.db.conn
    conn.create_function("bienphong_fold", 1, _or_none(fold), deterministic=True)
    conn.create_function("bienphong_lower", 1, _or_none(str.lower), deterministic=True)


def _or_none(function: Any) -> Any:
    return lambda value: function(value) if isinstance(value, str) else None


# Results


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


def search(archive: Archive, filters: Filters, *, limit: int = 20, offset: int = 0) -> Page:
    """Best matches first (bm25: title over sapo over body; ties newest first); newest first
    when there is no query."""
    _prepare(archive)
    where, params = filters.where()
    query = filters.query
    if query is None:
        sql = (
            f"SELECT a.post_id, NULL FROM articles a WHERE {where}"
            " ORDER BY a.published_at DESC, a.post_id DESC LIMIT ? OFFSET ?"
        )
        args = [*params, limit, offset]
    else:
        fts = schema.FTS_TABLE
        sql = (
            f"SELECT a.post_id, bm25({fts}, {', '.join(map(str, WEIGHTS))}) AS rank"
            f" FROM {fts} JOIN articles a ON a.post_id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND {where}"
            " ORDER BY rank, a.published_at DESC, a.post_id DESC LIMIT ? OFFSET ?"
        )
        args = [query.fts, *params, limit, offset]
    with _errors(archive):
        ranked = archive.db.execute(sql, args).fetchall()
        hits = _hits(archive, ranked, query)
        total = count(archive, filters)
    return Page(hits, total)


def count(archive: Archive, filters: Filters) -> int:
    _prepare(archive)
    where, params = filters.where_all()
    with _errors(archive):
        found: int = archive.db.execute(
            f"SELECT count(*) FROM articles a WHERE {where}", params
        ).fetchone()[0]
    return found


def _hits(
    archive: Archive, ranked: list[tuple[int, float | None]], query: Query | None
) -> list[Hit]:
    if not ranked:
        return []
    ids = [post_id for post_id, _ in ranked]
    sql = (
        "SELECT post_id, url, title, sapo, body, published_at, section, authors FROM articles"
        f" WHERE post_id IN ({', '.join('?' * len(ids))})"
    )
    rows = {row[0]: row for row in archive.db.execute(sql, ids)}
    matchers = query.matchers if query else []
    hits = []
    for post_id, rank in ranked:
        _, url, title, sapo, body, published_at, section, authors = rows[post_id]
        hits.append(
            Hit(
                post_id,
                url,
                title,
                published_at,
                section,
                json.loads(authors),
                snippet("\n\n".join(filter(None, (sapo, body))), matchers),
                rank,
                highlight(title, matchers),
            )
        )
    return hits


def facets(archive: Archive, filters: Filters, size: int = 12) -> dict[str, list[tuple[str, int]]]:
    """Counts of the matching articles by section, author and month (YYYY-MM), largest first
    (months newest first)."""
    _prepare(archive)
    where, params = filters.where_all()
    queries = {
        "section": f"SELECT a.section, count(*) AS n FROM articles a WHERE {where}"
        " AND a.section IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
        "author": f"SELECT j.value, count(*) AS n FROM articles a, json_each(a.authors) AS j"
        f" WHERE {where} GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
        "month": f"SELECT substr(a.published_at, 1, 7), count(*) AS n FROM articles a"
        f" WHERE {where} AND a.published_at IS NOT NULL GROUP BY 1 ORDER BY 1 DESC LIMIT ?",
    }
    with _errors(archive):
        return {
            name: [(row[0], row[1]) for row in archive.db.execute(sql, [*params, size])]
            for name, sql in queries.items()
        }


def records(archive: Archive, filters: Filters) -> Iterator[dict[str, Any]]:
    """The records `filters` select, by published_at then post_id, streamed (the export's and
    re-extraction's selection)."""
    _prepare(archive)
    yield from archive.iter_articles(*filters.where_all())


@contextmanager
def _errors(archive: Archive) -> Iterator[None]:
    """sqlite3 errors while searching become ArchiveError, like the store's."""
    try:
        yield
    except sqlite3.Error as error:
        raise ArchiveError(f"cannot search {archive.path}: {error}") from error


# Snippets


def highlight(text: str, matchers: list[Matcher]) -> list[tuple[str, bool]]:
    """`text` cut into segments, each word a query matched marked True, spelled as written."""
    segments: list[tuple[str, bool]] = []
    position = 0
    for word in words(text):
        if any(matcher.matches(word.group()) for matcher in matchers):
            segments.append((text[position : word.start()], False))
            segments.append((word.group(), True))
            position = word.end()
    segments.append((text[position:], False))
    return [segment for segment in segments if segment[0]]


def snippet(text: str, matchers: list[Matcher], size: int = 32) -> list[tuple[str, bool]]:
    """The `size` words of `text` holding most matched words, with "…" where it was cut."""
    found = list(words(text))
    if not found:
        return []
    seen = [0]
    for word in found:
        seen.append(seen[-1] + any(m.matches(word.group()) for m in matchers))
    best = max(
        range(max(1, len(found) - size + 1)),
        key=lambda first: (seen[min(first + size, len(found))] - seen[first], -first),
    )
    start = max(0, best - CONTEXT) if seen[best + 1] > seen[best] else best
    last = min(len(found), start + size) - 1
    window = " ".join(text[found[start].start() : found[last].end()].split())
    head = "… " if start > 0 else ""
    tail = " …" if last < len(found) - 1 else ""
    return [(head, False), *highlight(window, matchers), (tail, False)]


def plain(segments: list[tuple[str, bool]]) -> str:
    """Segments as plain text, the matched words between `**`."""
    return "".join(f"**{text}**" if hit else text for text, hit in segments)


# The index


def index_status(archive: Archive) -> dict[str, Any]:
    """Whether every article is in the index with its folded copies: for `bienphong stats`."""
    fts = schema.FTS_TABLE
    unfolded = " OR ".join(
        f"({name} IS NOT NULL AND {name}_folded IS NULL)" for name in schema.SEARCH_FIELDS
    )
    sql = {
        "articles": "SELECT count(*) FROM articles",
        "indexed": f"SELECT count(*) FROM {fts}_docsize",
        "missing": f"SELECT count(*) FROM articles WHERE post_id NOT IN"
        f" (SELECT id FROM {fts}_docsize)",
        "unfolded": f"SELECT count(*) FROM articles WHERE {unfolded}",
    }
    with _errors(archive):
        status = {name: int(archive.db.execute(q).fetchone()[0]) for name, q in sql.items()}
    status["complete"] = (
        status["articles"] == status["indexed"] and not status["missing"] and not status["unfolded"]
    )
    return status


def rebuild_index(archive: Archive) -> int:
    """Refold every article's text and rebuild the index; the number of rows refolded."""
    with _errors(archive), archive.db.atomic():
        changed = schema.fold_rows(archive.db)
        schema.rebuild_fts(archive.db)
    return changed
