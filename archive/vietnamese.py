"""Vietnamese text as the search index sees it: NFC, folded (no diacritics, đ → d), split in words.

Pure functions, shared by the store (which writes the folded copies of each article's text),
the schema's migration 3 (which folds the rows of an older archive) and the search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# The combining marks Vietnamese uses (tones, circumflex, breve, horn) all lie in this block.
_MARKS = re.compile("[\u0300-\u036f]+")
# A word as SQLite's unicode61 tokenizer sees one: letters and digits; `_` separates.
WORD = re.compile(r"[^\W_]+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-cased, without diacritics, đ as d: "Đảng ủy BĐBP" → "dang uy bdbp"."""
    # str.replace, not str.translate: translate walks a long text a character at a time.
    stripped = _MARKS.sub("", unicodedata.normalize("NFD", text))
    return nfc(stripped.replace("đ", "d").replace("Đ", "D")).lower()


def has_diacritics(word: str) -> bool:
    """Whether `word` was typed with marks (or đ): "biển" yes, "bien" and "BDBP" no."""
    return fold(word) != nfc(word).lower()


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of `text`, with their positions."""
    return WORD.finditer(text)
