"""Search the archive the way a Vietnamese reader types.

The index (schema version 6) holds each of title, sapo, body and tags twice in one FTS5 table,
`articles_fts`: spelled (`title_spelled`, ...: lower case, diacritics kept, every oa, oe and uy
ending in the new tone placement) and folded (`title_folded`, ...: no diacritics, đ as d). A
query is parsed here and each term is sent to the columns that match how it was typed:

- typed without diacritics, it searches the folded columns, so `bien` finds biên, biển, biến;
- typed with diacritics, it is spelled the index's way and searches the spelled columns, so
  `biển` finds biển only, and `hòa` and `hoà` are one word (nothing is expanded at run time).

A phrase that mixes both (`tuần tra song phương`) must match as a folded phrase and its accented
words as spelled. Syntax: words, "phrases", prefixes (`bien*`), AND, OR, NOT (upper case, as in
FTS5), parentheses; words side by side are ANDed. Quotes and parentheses left open are closed;
a misplaced operator is a `QueryError`.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, islice
from typing import Any, NamedTuple, TypeVar

from archive import schema
from archive.dates import ReaderError
from archive.site import SITE_TZ
from archive.store import Archive, ArchiveError, DamagedArticle
from archive.vietnamese import fold, has_diacritics, nfc, one_placement, word_list, words

SPELLED = "{" + " ".join(schema.SPELLED_FIELDS) + "}"
FOLDED = "{" + " ".join(schema.FOLDED_FIELDS) + "}"
# bm25 weights, in the index's column order (schema.INDEX_COPIES): title above sapo and tags
# above body, in both copies.
WEIGHTS = (10.0, 4.0, 1.0, 4.0) * 2
OPERATORS = ("AND", "OR", "NOT")
CONTEXT = 4  # words shown before the first matched word of a snippet
# The most results one page may ask for, and the furthest one may skip (CLI and web alike).
MAX_LIMIT = 1_000
MAX_OFFSET = 1_000_000
# What one query may hold, checked before anything is built from it: every query within them
# is a bounded FTS5 expression (bench hostile measures the worst shapes). Repeated terms count
# once.
MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 12  # words and "phrases" each count one
MAX_QUERY_WORDS = 32  # the words of all terms
MAX_QUERY_DEPTH = 8  # parentheses inside parentheses
# A prefix (`bien*`) reads every indexed word it begins: a short one reads most of the index.
MAX_QUERY_PREFIXES = 4
MIN_PREFIX_CHARS = 2
# Date order spells a prefix out into at most this many of the index's words (see
# _along_index); past it the prefix is left to FTS5. 505 words took 15 ms newest first at
# 50,000 articles, where FTS5's own prefix took 113 ms.
MAX_SPELLED_OUT = 500
# What an author filter may hold: names, and characters in one name.
MAX_AUTHORS = 20
MAX_AUTHOR_CHARS = 100
Done = TypeVar("Done")
Also = TypeVar("Also")
_TOKENS = re.compile(r'\s+|"[^"]*"?\*?|[()]|[^\s"()]+')


class QueryError(ReaderError):
    """A query or filter that cannot be searched; the message is one line for the user."""


# The query


# The index's words a prefix is spelled out into, or None to leave the prefix to FTS5.
SpellOut = Callable[[str], tuple[str, ...] | None]


def _leave_prefix(prefix: str) -> None:
    return None


def _phrase(columns: str, phrase: str, prefix: bool, spell_out: SpellOut) -> str:
    """`phrase` in `columns`; with `prefix` its last word is a prefix, spelled out into the
    phrases ending in each word `spell_out` gives for it (FTS5 finds the same articles)."""
    if not prefix:
        return f'{columns}: "{phrase}"'
    head, _, last = phrase.rpartition(" ")
    spelled = spell_out(last)
    if not spelled:
        return f'{columns}: "{phrase}"*'
    lead = f"{head} " if head else ""
    return f"{columns}: (" + " OR ".join(f'"{lead}{word}"' for word in spelled) + ")"


@dataclass(frozen=True)
class Term:
    """A word or a phrase; `prefix` makes its last word a prefix (`bien*`)."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self, spell_out: SpellOut = _leave_prefix) -> str:
        phrase = " ".join(self.words)
        folded = _phrase(FOLDED, fold(phrase), self.prefix, spell_out)
        accented = [i for i, word in enumerate(self.words) if has_diacritics(word)]
        if not accented:
            return folded
        if len(accented) == len(self.words):
            return _phrase(SPELLED, one_placement(phrase), self.prefix, spell_out)
        # Typed half with marks (`tuần tra song phương`): the folded phrase keeps the words'
        # order, and each accented word must also be there as typed.
        last = len(self.words) - 1
        spelled = [
            _phrase(SPELLED, one_placement(self.words[i]), self.prefix and i == last, spell_out)
            for i in accented
        ]
        return "(" + " AND ".join(dict.fromkeys([folded, *spelled])) + ")"

    def matchers(self) -> list[Matcher]:
        last = len(self.words) - 1
        return [Matcher.of(word, self.prefix and i == last) for i, word in enumerate(self.words)]


@dataclass(frozen=True)
class Operation:
    """`AND`, `OR` or `NOT` (binary: left NOT right) over two or more parts."""

    operator: str
    parts: tuple[Node, ...]

    def fts(self, spell_out: SpellOut = _leave_prefix) -> str:
        return "(" + f" {self.operator} ".join(part.fts(spell_out) for part in self.parts) + ")"

    def matchers(self) -> list[Matcher]:
        positive = self.parts[:1] if self.operator == "NOT" else self.parts
        return [matcher for part in positive for matcher in part.matchers()]


Node = Term | Operation


class Matcher(NamedTuple):
    """How a query word shows in a text: equal to `text` (or beginning with it, a prefix)
    once folded, or once spelled as the index spells it (an accented word)."""

    text: str
    folded: bool
    prefix: bool

    @classmethod
    def of(cls, word: str, prefix: bool) -> Matcher:
        if has_diacritics(word):
            return cls(one_placement(word), False, prefix)
        return cls(fold(word), True, prefix)

    def matches(self, word: str) -> bool:
        seen = fold(word) if self.folded else one_placement(word)
        return seen.startswith(self.text) if self.prefix else seen == self.text


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
        return list(dict.fromkeys(self.root.matchers()))

    @property
    def has_prefix(self) -> bool:
        """Whether a word of it is a prefix (`bien*`): FTS5 gathers a prefix's matches from
        the whole index at every evaluation, so one that stops early saves nothing."""
        return any(term.prefix for term in _terms(self.root))


def parse(text: str) -> Query | None:
    """The query in `text`; None when it is blank; QueryError when it cannot be searched.

    The limits (MAX_QUERY_*) are checked on the text and the parsed tree, before any FTS5
    expression or spelling is built from them."""
    text = nfc(text).strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS} are searched",
            f"Câu tìm dài {len(text):,} ký tự; chỉ tìm được tối đa {MAX_QUERY_CHARS} ký tự.",
        )
    tokens = _balance(_tokenize(text))
    if not any(isinstance(token, Term) for token in tokens):
        raise QueryError(
            f"nothing to search for in {text!r}: type some words",
            "Không có gì để tìm: hãy gõ vài từ.",
        )
    parser = _Parser(tokens)
    root = parser.expression()
    if parser.peek() is not None:  # pragma: no cover - _balance leaves no stray ")"
        raise QueryError(f"cannot read the query {text!r}", "Không đọc được câu tìm.")
    _check_size(_terms(root))
    return Query(text, root)


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return [term for part in node.parts for term in _terms(part)]


def _check_size(terms: list[Term]) -> None:
    """QueryError past the MAX_QUERY_* limits on terms, words and prefixes."""
    words = sum(len(term.words) for term in terms)
    prefixes = [term for term in terms if term.prefix]
    short = next((t for t in prefixes if len(t.words[-1]) < MIN_PREFIX_CHARS), None)
    if len(terms) > MAX_QUERY_TERMS:
        raise QueryError(
            f"the query has {len(terms)} terms; at most {MAX_QUERY_TERMS} are searched"
            " (a term repeated side by side counts once)",
            f"Câu tìm có {len(terms)} từ hoặc cụm từ; chỉ tìm được tối đa {MAX_QUERY_TERMS}.",
        )
    if words > MAX_QUERY_WORDS:
        raise QueryError(
            f"the query has {words} words; at most {MAX_QUERY_WORDS} are searched",
            f"Câu tìm có {words} từ; chỉ tìm được tối đa {MAX_QUERY_WORDS} từ.",
        )
    if len(prefixes) > MAX_QUERY_PREFIXES:
        raise QueryError(
            f"the query has {len(prefixes)} prefixes (word*); at most {MAX_QUERY_PREFIXES}",
            f"Câu tìm có {len(prefixes)} tiền tố (từ*); tối đa {MAX_QUERY_PREFIXES}.",
        )
    if short is not None:
        raise QueryError(
            f"the prefix {short.words[-1]}* is too short: give at least {MIN_PREFIX_CHARS}"
            " letters before *",
            f"Tiền tố {short.words[-1]}* quá ngắn: hãy gõ ít nhất {MIN_PREFIX_CHARS} chữ trước *.",
        )


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
    """Drop a ")" that closes nothing and "()" with nothing inside; close what is left open.
    QueryError past MAX_QUERY_DEPTH parentheses inside each other."""
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
            if depth > MAX_QUERY_DEPTH:
                raise QueryError(
                    f"the query nests parentheses more than {MAX_QUERY_DEPTH} deep",
                    f"Câu tìm lồng quá {MAX_QUERY_DEPTH} lớp ngoặc.",
                )
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
        return _joined("OR", parts)

    def conjunction(self) -> Node:
        parts = [self.negation()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            parts.append(self.negation())
        return _joined("AND", parts)

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
            raise QueryError(
                "NOT needs a term before it, as in 'bien phong NOT hai quan'",
                "NOT cần một từ đứng trước, như 'bien phong NOT hai quan'.",
            )
        if token in ("AND", "OR"):
            raise QueryError(
                f"{token} needs a term on each side, as in 'bien {token} dao'",
                f"{token} cần một từ ở mỗi bên, như 'bien {token} dao'.",
            )
        raise QueryError(
            "the query ends with an operator: add a term after it",
            "Câu tìm kết thúc bằng một toán tử: hãy thêm một từ sau nó.",
        )


def _joined(operator: str, parts: list[Node]) -> Node:
    """The parts joined by AND or OR, each repeated part once (`bien bien` is `bien`)."""
    unique = tuple(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else Operation(operator, unique)


# Filters


# How the index joins the narrow table: the index read first, each match's row looked up by
# post id. Left to choose, SQLite may read every article of a section and ask the index about
# each one, a seek that costs a rare phrase about 0.1 ms and a prefix all its matches: a
# rare phrase in one section took 5 s at 200,000 articles, a prefix in one 458 s.
_INDEX_FIRST = "CROSS JOIN"


@dataclass(frozen=True)
class Filters:
    """What narrows a search besides the words: dates, sections, authors, post ids."""

    query: Query | None = None
    since: str | None = None
    until: str | None = None
    sections: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    ids: Collection[int] | None = None
    tags: tuple[str, ...] = ()

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
            _names(authors, "author"),
            ids,
            _names(tags, "tag"),
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
        # The last day the calendar has (9999-12-31) bounds nothing: no day comes after it.
        end = None if last is None or _day(last) == date.max else _day(last) + timedelta(days=1)
        return cls.of(query, first and _day(first), end, sections, authors, ids, tags)

    def where(self, table: str = "a") -> tuple[str, list[Any]]:
        """SQL conditions (FTS match excepted) on `table`, the alias of `articles` or of the
        narrow `article_facts` (both have post_id, published_at and section), and their
        parameters."""
        where, params = ["1"], []
        if self.since is not None:
            where.append(f"{table}.published_at >= ?")
            params.append(self.since)
        if self.until is not None:
            where.append(f"{table}.published_at < ?")
            params.append(self.until)
        if self.sections:
            where.append(f"{table}.section IN ({', '.join('?' * len(self.sections))})")
            params.extend(self.sections)
        if self.authors:
            where.append(_ANY_NAME["author"].format(table=table))
            params.append(json.dumps(self.authors, ensure_ascii=False))
        if self.tags:
            where.append(_ANY_NAME["tag"].format(table=table))
            params.append(json.dumps(self.tags, ensure_ascii=False))
        if self.ids is not None:
            where.append(f"{table}.post_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(int(post_id) for post_id in self.ids)))
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
            f" {_INDEX_FIRST} {schema.FACTS_TABLE} f ON f.post_id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND {where}"
        )
        return sql, [self.query.fts, *params]

    @property
    def only_query(self) -> bool:
        """Whether nothing but the words narrows the selection."""
        return self.query is not None and self.where()[0] == "1"


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
            raise QueryError(
                f"invalid {name} {value!r}: give an ISO date or datetime",
                f"Thời điểm {value!r} không hợp lệ.",
            ) from None
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=SITE_TZ)
    return value.astimezone(SITE_TZ).isoformat()


def _names(names: Collection[str], kind: str) -> tuple[str, ...]:
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
# against what was typed (`_name_matches`), and the articles looked up by the names found.
_ANY_NAME = {
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
def _typed(typed: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """What was typed (a JSON list of names), each as its words and whether it was typed
    without diacritics (then it matches with any)."""
    return tuple(
        (_name_words(name, not has_diacritics(name)), not has_diacritics(name))
        for name in json.loads(typed)
    )


def _contains(found: tuple[str, ...], part: tuple[str, ...]) -> bool:
    width = len(part)
    return any(found[i : i + width] == part for i in range(len(found) - width + 1))


def _author_matches(typed: str, name: str | None) -> bool:
    """An author name holds one of the typed names as whole words in a row, with or without
    diacritics, in either tone placement: `Thủy`, `thu thuy` and `Phạm Thu Thủy` all match
    Phạm Thu Thủy; `Thu` does not match Thúy."""
    if not isinstance(name, str):
        return False
    return any(
        part and _contains(_name_words(name, folded), part) for part, folded in _typed(typed)
    )


def _tag_matches(typed: str, tag: str | None) -> bool:
    """A tag is one of the typed tags, whole, in any case, with or without diacritics."""
    if not isinstance(tag, str):
        return False
    return any(part and _name_words(tag, folded) == part for part, folded in _typed(typed))


def _prepare(archive: Archive) -> None:
    """The SQL functions the filters use, on this connection (read-only ones too)."""
    archive.add_function("bienphong_author", 2, _author_matches)
    archive.add_function("bienphong_tag", 2, _tag_matches)


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


# How results are ordered: best matches first (bm25; ties by post id, which the site gives in
# order of publication, newest first), or by date.
SORTS = ("relevance", "newest", "oldest")
_BY_DATE = {
    "newest": "published_at DESC, post_id DESC",
    "oldest": "published_at, post_id",
}
# A page in date order with words (newest first; oldest first is its mirror image). The
# site's post ids follow its dates, so the index read from the highest post id down (FTS5
# walks a doclist either way, and stops when asked no more) meets the page's matches first:
# a common word costs a few index entries, a rare phrase its matches down to the page's last
# one, and nothing is ranked or sorted but the page. Dates the filters bound start or end the
# reading at the post id of the first or last article they allow. Articles whose date is out
# of step with their post id are then asked of the date index, without the text: those
# outside the post ids read that sort ahead of the page's last hit. The ones further along
# are met by reading on, any others looked up in the index. Undated articles come last
# newest first, first oldest first. A page ending past DEEPEST matches is cut from every
# match, sorted.
DEEPEST = 200


class _Along(NamedTuple):
    """How one date order reads the index along post ids, as SQL."""

    step: str  # the direction of the reading
    onwards: str  # post ids at or past the start of the reading
    ahead: str  # a row (date, post id) sorting ahead of another; a post id before the start
    behind: str  # one sorting behind it; a post id further along the reading


_ALONG = {"newest": _Along("DESC", "<=", ">", "<"), "oldest": _Along("ASC", ">=", "<", ">")}


def search(
    archive: Archive,
    filters: Filters,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
) -> Page:
    """One page of results (`page`) and how many match in all (`count`, beside it: see
    `_beside`)."""
    _check_sort(sort)
    hits, total = _beside(
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
    _check_sort(sort)
    _prepare(archive)
    query = filters.query
    if query is None or sort != "relevance":
        by = "newest" if sort == "relevance" else sort
        ids = _by_date(archive, filters, by, limit, offset)
        return _hits(archive, [(post_id, None) for post_id in ids], query)
    fts = schema.FTS_TABLE
    rank = f"bm25({fts}, {', '.join(map(str, WEIGHTS))}) AS rank"
    where, params = filters.where("f")
    if filters.only_query:  # the index alone, as a bare FTS5 query reads it
        sql = f"SELECT rowid, {rank} FROM {fts} WHERE {fts} MATCH ?"
    else:
        sql = (
            f"SELECT f.post_id, {rank} FROM {fts}"
            f" {_INDEX_FIRST} {schema.FACTS_TABLE} f ON f.post_id = {fts}.rowid"
            f" WHERE {fts} MATCH ? AND {where}"
        )
    args = [query.fts, *params, limit, offset]  # no params when only words are given
    ranked = archive.read(f"{sql} ORDER BY rank, 1 DESC LIMIT ? OFFSET ?", args)
    return _hits(archive, [(post_id, rank) for post_id, rank in ranked], query)


def _check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise QueryError(
            f"unknown sort {sort!r}; valid: {', '.join(SORTS)}",
            f"Không có cách xếp {sort!r}; chọn một trong: {', '.join(SORTS)}.",
        )


def _by_date(archive: Archive, filters: Filters, sort: str, limit: int, offset: int) -> list[int]:
    """The post ids of one page in date order (`sort` newest or oldest); see DEEPEST."""
    need = offset + limit
    query = filters.query
    if query is not None and need <= DEEPEST:
        along = _along_index(archive, query)
        if sort == "newest":
            found = _dated(archive, filters, along, sort, need)
            found += _undated(archive, filters, along, sort, need - len(found))
        else:
            found = _undated(archive, filters, along, sort, need)
            found += _dated(archive, filters, along, sort, need - len(found))
        return found[offset:need]
    selected, params = filters.narrow()
    sql = f"SELECT post_id FROM ({selected}) ORDER BY {_BY_DATE[sort]} LIMIT ? OFFSET ?"
    return [row[0] for row in archive.read(sql, [*params, limit, offset])]


class _Expression(NamedTuple):
    """A query's FTS5 expression for reading the index along post ids: its prefixes spelled
    out into the index's words where it can (`_along_index`); `prefix` when one is left."""

    fts: str
    prefix: bool


def _along_index(archive: Archive, query: Query) -> _Expression:
    """`query` with each prefix spelled out into the words of the index that begin with it
    (schema.WORDS_TABLE), up to MAX_SPELLED_OUT of them: FTS5 then reads their matches from
    the end of the post ids and stops at the page, where for the prefix it would gather every
    match first (`bien*` newest first: 125 ms at 500,000 articles). Prefixes are left to FTS5
    while articles written since are pending, and where no word begins with one (those words
    of the index hold only characters FTS5 keeps in a word and folds to themselves, so a
    prefix that begins one is a single FTS5 word as typed)."""
    pending = f"SELECT EXISTS (SELECT 1 FROM {schema.PENDING_WORDS_TABLE})"
    if not query.has_prefix or archive.read_value(pending):
        return _Expression(query.fts, query.has_prefix)
    left: list[str] = []

    def spell_out(prefix: str) -> tuple[str, ...] | None:
        found = _words_beginning(archive, prefix)
        if found is None:
            left.append(prefix)
        return found

    return _Expression(query.root.fts(spell_out), bool(left))


def _words_beginning(archive: Archive, prefix: str) -> tuple[str, ...] | None:
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


def _dated(
    archive: Archive, filters: Filters, along: _Expression, sort: str, need: int
) -> list[int]:
    """The first `need` dated matches in date order, or all of them when fewer."""
    if need <= 0:
        return []
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    step, onwards, ahead, behind = _ALONG[sort]
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
            f" ORDER BY {_BY_DATE[sort]} LIMIT 1), (SELECT post_id FROM {facts} f"
            f" WHERE {allowed} ORDER BY {_BY_DATE[reverse]} LIMIT 1)",
            [*params, *params],
        )
        if ends is None or ends[0] is None:
            return []
        start = None if near is None else int(ends[0])
        end = None if far is None else int(ends[1])
    bounds = "" if start is None else f" AND {fts}.rowid {onwards} {start}"
    bounds += "" if end is None else f" AND {fts}.rowid {_ALONG[reverse].onwards} {end}"
    rows = archive.read(
        f"SELECT f.post_id, f.published_at FROM {fts} {_INDEX_FIRST} {facts} f"
        f" ON f.post_id = {fts}.rowid WHERE {fts} MATCH ?{bounds} AND {allowed}"
        f" ORDER BY {fts}.rowid {step}",
        [along.fts, *params],
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
        out_of_step = _ahead_of(archive, sort, last, beyond, allowed, params)
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
    read += [(i, out_of_step[i]) for i in _which_match(archive, along, other_side)]
    found = sorted(read, key=lambda row: (row[1], row[0]), reverse=sort == "newest")
    return [post_id for post_id, _ in found[:need]]


def _ahead_of(
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
    an article filed out of step. Reading the date index instead took 7 ms at 500,000
    articles, for a page whose last hit was a tenth of the way back."""
    size, facts = schema.BLOCK_SIZE, schema.FACTS_TABLE
    ahead = _ALONG[sort].ahead
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


def _undated(
    archive: Archive, filters: Filters, along: _Expression, sort: str, need: int
) -> list[int]:
    """The first `need` undated matches, by post id (newest first: highest first)."""
    if need <= 0:
        return []
    where, params = filters.where("f")
    sql = (
        f"SELECT f.post_id FROM {schema.FACTS_TABLE} f WHERE f.published_at IS NULL AND {where}"
        f" ORDER BY f.post_id {_ALONG[sort].step}"
    )
    undated = [row[0] for row in archive.read(sql, params)]
    return _which_match(archive, along, undated, need)


def _which_match(
    archive: Archive, along: _Expression, ids: list[int], limit: int | None = None
) -> list[int]:
    """Those of `ids` that `along` matches, in their order, the first `limit`: an index seek
    each, or with a prefix left to FTS5 one reading of their post id range (FTS5 gathers a
    prefix from the whole index at each evaluation)."""
    if not ids or limit == 0:
        return []
    fts = schema.FTS_TABLE
    if along.prefix:
        sql = f"SELECT rowid FROM {fts} WHERE {fts} MATCH ? AND rowid BETWEEN ? AND ?"
        found = {row[0] for row in archive.read(sql, [along.fts, min(ids), max(ids)])}
        return [post_id for post_id in ids if post_id in found][:limit]
    sql = (
        f"SELECT {fts}.rowid FROM json_each(?) j CROSS JOIN {fts} ON {fts}.rowid = j.value"
        f" WHERE {fts} MATCH ? LIMIT ?"
    )
    args = [json.dumps(ids), along.fts, -1 if limit is None else limit]
    return [row[0] for row in archive.read(sql, args)]


def count(archive: Archive, filters: Filters) -> int:
    """How many articles `filters` select: from the index alone when only words are given."""
    _prepare(archive)
    if filters.query is not None and filters.only_query:
        fts = schema.FTS_TABLE
        sql, params = f"SELECT count(*) FROM {fts} WHERE {fts} MATCH ?", [filters.query.fts]
    else:
        selected, params = filters.narrow()
        sql = f"SELECT count(*) FROM ({selected})"
    found: int = archive.read_value(sql, params)
    return found


def _hits(
    archive: Archive, ranked: list[tuple[int, float | None]], query: Query | None
) -> list[Hit]:
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
        shown = snippet("\n\n".join(filter(None, (sapo, body))), matchers)
        if matchers and not any(found for _, found in shown):
            # Found by its tags alone: they are the snippet, so the reader sees why.
            shown = highlight(" · ".join(_stored_list(tags)), matchers) or shown
        hits.append(
            Hit(
                post_id,
                url,
                title,
                published_at,
                section,
                _stored_list(authors),
                shown,
                rank,
                highlight(title, matchers),
            )
        )
    return hits


def _stored_list(stored: str) -> list[str]:
    """A hit's authors or tags; none when the stored value is damaged (`bienphong stats
    --check` names it): one damaged article must not break every results page it is on."""
    try:
        found = json.loads(stored)
    except (TypeError, ValueError):
        return []
    return [name for name in found if isinstance(name, str)] if isinstance(found, list) else []


Facets = dict[str, list[tuple[str, int]]]


class Summary(NamedTuple):
    """How many articles match, and counts of them by section, author, tag and month."""

    total: int
    facets: Facets


# What a summary counts, each over `{rows}` (the selected articles' post_id, section and
# published_at): cells of section and month together (a few thousand, summed by
# `_summed`), and the author and tag facets, each one join of the rows.
_COUNTS = {
    "cell": "SELECT 'cell', section, substr(published_at, 1, 7), count(*) FROM {rows}"
    " GROUP BY 2, 3",
    "author": f"SELECT 'author', m.name, NULL, count(*) FROM {{rows}}"
    f" CROSS JOIN {schema.AUTHORS_TABLE} m USING (post_id) GROUP BY 2",
    "tag": f"SELECT 'tag', m.tag, NULL, count(*) FROM {{rows}}"
    f" CROSS JOIN {schema.TAGS_TABLE} m USING (post_id) GROUP BY 2",
}
# The same over the whole archive, from the narrow tables alone.
_TOTALS = {
    "cell": _COUNTS["cell"].format(rows=schema.FACTS_TABLE),
    "author": f"SELECT 'author', name, NULL, count(*) FROM {schema.AUTHORS_TABLE} GROUP BY 2",
    "tag": f"SELECT 'tag', tag, NULL, count(*) FROM {schema.TAGS_TABLE} GROUP BY 2",
}
# A query that matches more than this share of the newest SAMPLE articles has its summary
# counted from the articles it misses: the archive's totals less theirs. `bien`, in 98% of
# a 500,000-article archive, had every match joined to the facts, the authors and the tags.
COUNT_MISSES_PAST = 0.5
SAMPLE = 1_000


def summary(
    archive: Archive, filters: Filters, size: int = 12, named: Collection[str] = ("author", "tag")
) -> Summary:
    """The total and the facets: counts of the matching articles by section, author, tag and
    month (YYYY-MM), `size` of each, largest first (months newest first); author and tag only
    when `named` asks for them. One statement over the narrow tables: the matches are found
    once, and counted by section and month together; or, for a query that matches most of
    the archive, the articles it misses (see COUNT_MISSES_PAST)."""
    _prepare(archive)
    kinds = ["cell", *named]
    query = filters.query
    if query is not None and filters.only_query and _matches_most(archive, query):
        fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
        # Both sides in post id order, so SQLite merges them; LIMIT keeps the ORDER BY,
        # which a sub-select otherwise drops.
        missed = (
            f"SELECT f.post_id, f.section, f.published_at FROM (SELECT post_id FROM {facts}"
            f" EXCEPT SELECT rowid FROM {fts} WHERE {fts} MATCH ? ORDER BY 1 LIMIT -1) x"
            f" CROSS JOIN {facts} f ON f.post_id = x.post_id"
        )
        counted = [(_TOTALS[kind], 1) for kind in kinds]
        counted += [(_COUNTS[kind].format(rows="missed"), -1) for kind in kinds]
        sql = f"WITH missed AS MATERIALIZED ({missed}) " + " UNION ALL ".join(
            f"SELECT *, {sign} FROM ({counting})" for counting, sign in counted
        )
        return _summed(archive.read(sql, [query.fts]), size)
    selected, params = filters.narrow()
    sql = f"WITH matched AS MATERIALIZED ({selected}) " + " UNION ALL ".join(
        f"SELECT *, 1 FROM ({_COUNTS[kind].format(rows='matched')})" for kind in kinds
    )
    return _summed(archive.read(sql, params), size)


def _matches_most(archive: Archive, query: Query) -> bool:
    """Whether `query` matches more than COUNT_MISSES_PAST of the newest SAMPLE articles (a
    read of the end of its doclists)."""
    fts, facts = schema.FTS_TABLE, schema.FACTS_TABLE
    sampled, matched = archive.read_one(
        f"WITH newest AS (SELECT post_id FROM {facts} ORDER BY post_id DESC LIMIT ?)"
        f" SELECT (SELECT count(*) FROM newest), (SELECT count(*) FROM {fts}"
        f" WHERE {fts} MATCH ? AND rowid >= (SELECT min(post_id) FROM newest))",
        [SAMPLE, query.fts],
    ) or (0, 0)
    return bool(matched) and matched > COUNT_MISSES_PAST * sampled


def _summed(rows: Iterable[tuple[str, str | None, str | None, int, int]], size: int) -> Summary:
    """The summary of counts by (kind, key, month), each added or taken away (its sign)."""
    cells: Counter[tuple[str | None, str | None]] = Counter()
    names: dict[str, Counter[str]] = {"author": Counter(), "tag": Counter()}
    for kind, key, month, number, sign in rows:
        if kind == "cell":
            cells[key, month] += sign * number
        elif key is not None:
            names[kind][key] += sign * number
    sections: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for (section, month), number in cells.items():
        if section is not None:
            sections[section] += number
        if month is not None:
            months[month] += number
    found: Facets = {
        "section": _largest(sections, size),
        "author": _largest(names["author"], size),
        "tag": _largest(names["tag"], size),
        "month": sorted(((m, n) for m, n in months.items() if n > 0), reverse=True)[:size],
    }
    return Summary(sum(cells.values()), found)


def _largest(counts: Counter[str], size: int) -> list[tuple[str, int]]:
    """The `size` largest counts, ties by name; none of zero (all an author's articles
    missed)."""
    largest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(name, number) for name, number in largest if number > 0][:size]


def facets(
    archive: Archive, filters: Filters, size: int = 12, named: Collection[str] = ("author", "tag")
) -> Facets:
    """The facets of `summary`."""
    return summary(archive, filters, size, named).facets


def results(
    archive: Archive,
    filters: Filters,
    *,
    limit: int = 20,
    offset: int = 0,
    sort: str = "relevance",
    size: int = 12,
) -> tuple[Page, Facets]:
    """The web page's results: one page, the total and the facets, the summary read beside
    the page (see `_beside`)."""
    _check_sort(sort)
    hits, (total, found) = _beside(
        archive,
        lambda: page(archive, filters, limit=limit, offset=offset, sort=sort),
        lambda second: summary(second, filters, size),
    )
    return Page(hits, total), found


def _beside(
    archive: Archive, first: Callable[[], Done], other: Callable[[Archive], Also]
) -> tuple[Done, Also]:
    """`first()` on this connection while `other` runs in a thread on a second read-only
    connection to the same archive. Ranking a page and counting its matches each read the
    index from end to end; SQLite lets two connections read at once, and a second core halves
    the wait for a common word. (Between the two reads a crawl may commit: the count is then
    that of a moment later.)"""

    def run_other() -> Also:
        with Archive(archive.path, readonly=True) as second:
            return other(second)

    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(run_other)
        done = first()
        return done, later.result()


def records(
    archive: Archive,
    filters: Filters,
    damaged: Callable[[DamagedArticle], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The records `filters` select, by published_at then post_id, streamed (the export's and
    re-extraction's selection); a damaged one goes to `damaged`, as `Archive.iter_articles`
    says."""
    _prepare(archive)
    yield from archive.iter_articles(*filters.where_all(), damaged=damaged)


# Snippets


class _Matched:
    """Which words the query's matchers match. Each distinct word is worked out once per
    query, and a text's words are looked up as a set: a page of snippets reads thousands of
    words, mostly the same few hundred."""

    def __init__(self, matchers: tuple[Matcher, ...]) -> None:
        self.matchers = matchers
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()

    def among(self, found: set[str]) -> set[str]:
        """The words of `found` that a matcher matches."""
        for word in found - self.matched - self.unmatched:
            hit = any(matcher.matches(word) for matcher in self.matchers)
            (self.matched if hit else self.unmatched).add(word)
        return found & self.matched


@lru_cache(maxsize=64)
def _matching(matchers: tuple[Matcher, ...]) -> _Matched:
    return _Matched(matchers)


def highlight(text: str, matchers: list[Matcher]) -> list[tuple[str, bool]]:
    """`text` cut into segments, each word a query matched marked True, spelled as written."""
    segments: list[tuple[str, bool]] = []
    position = 0
    found = list(words(text))
    matched = _matching(tuple(matchers)).among({word.group() for word in found})
    for word in found:
        if word.group() in matched:
            segments.append((text[position : word.start()], False))
            segments.append((word.group(), True))
            position = word.end()
    segments.append((text[position:], False))
    return [segment for segment in segments if segment[0]]


def snippet(text: str, matchers: list[Matcher], size: int = 32) -> list[tuple[str, bool]]:
    """The `size` words of `text` holding most matched words, with "…" where it was cut."""
    # Words as strings and sums in list comprehensions: a page of snippets reads thousands of
    # words, and a Match object and a call a word cost more than the rest of the page.
    found = word_list(text)
    if not found:
        return []
    matched = _matching(tuple(matchers)).among(set(found))
    flags = [word in matched for word in found]
    seen = list(accumulate(flags, initial=0))
    count = len(found)
    sums = [seen[first + size] - seen[first] for first in range(count - size + 1)] or [0]
    best = sums.index(max(sums))  # the first of the best windows
    start = max(0, best - CONTEXT) if flags[best] else best
    last = min(count, start + size) - 1
    spans = list(islice(words(text), start, last + 1))
    window = " ".join(text[spans[0].start() : spans[-1].end()].split())
    head = "… " if start > 0 else ""
    tail = " …" if last < count - 1 else ""
    return [(head, False), *highlight(window, matchers), (tail, False)]


def plain(segments: list[tuple[str, bool]]) -> str:
    """Segments as plain text, the matched words between `**`."""
    return "".join(f"**{text}**" if hit else text for text, hit in segments)


# The index


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
    folded, and FTS5's own integrity check of the index against the articles. That check is
    a write statement to SQLite, so it runs on a connection of its own, rolled back, and is
    skipped (and said so) where the archive cannot be written."""
    try:
        status = index_status(archive)
    except ArchiveError as error:
        return [f"search index: {error}"]
    problems = [
        f"search index: {status[key]} articles {what} (bienphong stats --rebuild-index)"
        for key, what in (
            ("missing", "missing from it"),
            ("unfolded", "without their spelled or folded copies"),
        )
        if status[key]
    ]
    try:
        unlisted = archive.unlisted_index_words()
    except ArchiveError as error:
        problems.append(f"search index: {error}")
    else:
        if unlisted:
            problems.append(
                f"search index: {unlisted} of its words missing from {schema.WORDS_TABLE}, so"
                " date order can miss a prefix's articles (bienphong stats --rebuild-index)"
            )
    if not os.access(archive.path, os.W_OK) or not os.access(archive.path.parent, os.W_OK):
        return [*problems, "search index: FTS5 integrity check skipped: the archive is read-only"]
    fts = schema.FTS_TABLE
    failed = archive.check_by_writing(
        f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"
    )
    if failed is not None:
        problems.append(f"search index: {failed} (bienphong stats --rebuild-index)")
    return problems


def rebuild_index(archive: Archive) -> int:
    """Rewrite every article's spelled and folded copies and rebuild the index; the number
    of rows whose copies changed."""
    return archive.rewrite_index()
