"""Snippets: the words a query found, marked in a text (`highlight`), the part of a long text
that holds most of them (`snippet`), and segments as plain text (`plain`).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import accumulate, islice

from archive.search.query import Matcher
from archive.vietnamese import word_list, words

WORDS_BEFORE_MATCH = 4  # words shown before the first matched word of a snippet


class _MatchedWords:
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
def _matched_words(matchers: tuple[Matcher, ...]) -> _MatchedWords:
    return _MatchedWords(matchers)


def highlight(text: str, matchers: list[Matcher]) -> list[tuple[str, bool]]:
    """`text` cut into segments, each word a query matched marked True, spelled as written."""
    segments: list[tuple[str, bool]] = []
    position = 0
    found = list(words(text))
    matched = _matched_words(tuple(matchers)).among({word.group() for word in found})
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
    matched = _matched_words(tuple(matchers)).among(set(found))
    flags = [word in matched for word in found]
    seen = list(accumulate(flags, initial=0))
    count = len(found)
    sums = [seen[first + size] - seen[first] for first in range(count - size + 1)] or [0]
    best = sums.index(max(sums))  # the first of the best windows
    start = max(0, best - WORDS_BEFORE_MATCH) if flags[best] else best
    last = min(count, start + size) - 1
    spans = list(islice(words(text), start, last + 1))
    window = " ".join(text[spans[0].start() : spans[-1].end()].split())
    head = "… " if start > 0 else ""
    tail = " …" if last < count - 1 else ""
    return [(head, False), *highlight(window, matchers), (tail, False)]


def plain(segments: list[tuple[str, bool]]) -> str:
    """Segments as plain text, the matched words between `**`."""
    return "".join(f"**{text}**" if hit else text for text, hit in segments)
