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


# Two tone placements are in print for oa, oe and uy ending a syllable: the old style marks the
# first vowel (hòa, khỏe, thủy), the new style the second (hoà, khoẻ, thuỷ). Readers type
# either, and the site has used both; the search takes them for one spelling. Not after q:
# in quý the u belongs to the consonant, and the mark has one place.
_TONE = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_GLIDE_ENDING = re.compile(rf"(?<![qQ])([oOuU])([{_TONE}]?)([aAeEyY])([{_TONE}]?)$")
_GLIDES = ("oa", "oe", "uy")


def tone_placements(word: str) -> tuple[str, ...]:
    """`word` (NFC) and, when it ends in oa, oe or uy with a tone mark, the same word with the
    mark on the other vowel: "hòa" → ("hòa", "hoà"); "biển" → ("biển",)."""
    word = nfc(word)
    styles = _styles(word)
    if styles is None:
        return (word,)
    return (word, styles[1] if word == styles[0] else styles[0])


def one_placement(text: str) -> str:
    """`text` lower-cased with every oa, oe and uy ending in the new tone placement: "Thanh
    Thủy" → "thanh thuỷ". Two spellings of a name compare equal in this form, so a filter
    compares one string, however many such words the name has."""
    text = nfc(text).lower()
    return WORD.sub(lambda word: (_styles(word[0]) or (word[0], word[0]))[1], text)


def _styles(word: str) -> tuple[str, str] | None:
    """(old style, new style) of a word ending in oa, oe or uy with a tone mark; else None."""
    decomposed = unicodedata.normalize("NFD", word)
    found = _GLIDE_ENDING.search(decomposed)
    one_mark = found is not None and bool(found[2]) != bool(found[4])
    if not found or not one_mark or (found[1] + found[3]).lower() not in _GLIDES:
        return None
    stem, tone = decomposed[: found.start()], found[2] or found[4]
    return nfc(stem + found[1] + tone + found[3]), nfc(stem + found[1] + found[3] + tone)


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of `text`, with their positions."""
    return WORD.finditer(text)
