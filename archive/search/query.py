"""The query language: what a reader types, read into terms and operators, and how each term
is sent to the index's spelled or folded columns. Its limits (MAX_QUERY_*, MIN_PREFIX_CHARS)
are checked here, before anything is built from a query.

Syntax: words, "phrases", prefixes (`bien*`), AND, OR, NOT (upper case, as in FTS5),
parentheses; words side by side are ANDed. Quotes and parentheses left open are closed; a
misplaced operator is a `QueryError`.

A term typed without diacritics searches the folded columns, so `bien` finds biên, biển,
biến; a term typed with them is spelled the index's way and searches the spelled columns, so
`biển` finds biển only, and `hòa` and `hoà` are one word (nothing is expanded at run time). A
phrase that mixes both (`tuần tra song phương`) must match as a folded phrase and its accented
words as spelled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from archive import schema
from archive.dates import ReaderError
from archive.vietnamese import fold, has_diacritics, nfc, one_placement, words

SPELLED = "{" + " ".join(schema.SPELLED_FIELDS) + "}"
FOLDED = "{" + " ".join(schema.FOLDED_FIELDS) + "}"
OPERATORS = ("AND", "OR", "NOT")
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
_TOKENS = re.compile(r'\s+|"[^"]*"?\*?|[()]|[^\s"()]+')


class QueryError(ReaderError):
    """A query or filter that cannot be searched; the message is one line for the user."""


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
