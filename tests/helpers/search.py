"""Which articles hold which words: the expected side of a search, from the mirror's truth.

The fold is written here independently of archive.vietnamese; only `ids` asks the search.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from archive.search import Filters, records
from archive.store import Archive

Truth = list[dict[str, Any]]


def plain_fold(word: str) -> str:
    """The word without diacritics, đ as d, lower-cased."""
    decomposed = unicodedata.normalize("NFD", word)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").lower()


def text_words(record: dict[str, Any]) -> list[str]:
    """The words a query can find in a record: its title, sapo, body and tags."""
    fields = (record["title"], record["sapo"], record["body"], *record["tags"])
    text = " ".join(f for f in fields if f)
    return [w.lower() for w in text.replace("_", " ").split() for w in _split(w)]


def _split(token: str) -> list[str]:
    """Letters and digits runs, as SQLite's unicode61 tokenizer cuts them."""
    out, current = [], ""
    for char in token:
        if char.isalnum():
            current += char
        elif current:
            out.append(current)
            current = ""
    return [*out, current] if current else out


def ids(archive: Archive, query: str | None = None, **filters: Any) -> list[int]:
    """The post ids the search finds, sorted."""
    return sorted(r["post_id"] for r in records(archive, Filters.of(query, **filters)))


def where(truth: Truth, test: Callable[[set[str]], bool]) -> list[int]:
    """The post ids of the truth whose words pass `test`, sorted."""
    return sorted(r["post_id"] for r in truth if test(set(text_words(r))))


def folded(words: set[str]) -> set[str]:
    return {plain_fold(w) for w in words}
