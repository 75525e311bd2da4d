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
# A word as SQLite's unicode61 tokenizer sees one: letters and digits; `_` separates. Read as
# `\w+` in the text with `_` made a space (same length, so the same positions): twice as
# quick as `[^\W_]+`, and a page of snippets reads 12,000 words.
_WORD = re.compile(r"\w+")


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
# either, and the site has used both. The project's search writes every such word of a query in
# the new style (`one_placement`) and searches the index's new-style copies; the index also
# holds old-style copies (`old_placement`) so that tools which send a query as typed (sqlite-
# utils, Datasette) find either spelling too. Not after q: in quý the u belongs to the
# consonant, and the mark has one place.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_GLIDES = ("oa", "oe", "uy")
# (old style, new style) of every marked glide, lower case and NFC: ("òa", "oà"), ...
PLACEMENTS = tuple(
    (nfc(glide[0] + tone + glide[1]), nfc(glide + tone)) for glide in _GLIDES for tone in _TONES
)
_NEW_STYLE = dict(PLACEMENTS)
_OLD_STYLE = {new: old for old, new in PLACEMENTS}
# A marked glide in `style` ending a word (lower case, NFC): no letter or digit follows it.
_ENDING = {
    style: re.compile("(?<!q)(" + "|".join(sorted(spelled)) + r")(?![^\W_])")
    for style, spelled in (("new", _NEW_STYLE), ("old", _OLD_STYLE))
}


# What SQL's replace() turns into the new style where a copy keeps the text's case (schema
# version 13): the lower-case glides, and Ủy as it opens a sentence or a name (Ủy ban). Not
# every case form: SQLite parses about 25 nested calls at most. A text with another (HÒA)
# keeps a lower-case copy (`reads_as_written`).
WRITTEN_PLACEMENTS = PLACEMENTS + tuple(
    (nfc("u" + tone + "y").capitalize(), nfc("uy" + tone).capitalize()) for tone in _TONES
)


def one_placement(text: str) -> str:
    """`text` lower-cased (NFC) with every oa, oe and uy ending a word in the new tone
    placement: "Thanh Thủy" → "thanh thuỷ". Two spellings of a word compare equal in this
    form; it is what the index's `*_spelled` columns hold and what a query is turned into.
    """
    return _ENDING["new"].sub(lambda found: _NEW_STYLE[found[1]], nfc(text).lower())


def old_placement(text: str) -> str:
    """`text` lower-cased (NFC) with every oa, oe and uy ending a word in the old tone
    placement: "Thanh Thuỷ" → "thanh thủy"; the index's `*_spelled_old` columns. Old-style
    marks stand nowhere else in a word, so this form turns back into `one_placement`'s by
    replacing each old-style glide wherever it stands: SQL's replace() can do that, which is
    how the archive derives the new-style copies from these (schema.SPELLED_FROM_OLD)."""
    return _ENDING["old"].sub(lambda found: _OLD_STYLE[found[1]], nfc(text).lower())


def reads_as_written(text: str) -> bool:
    """Whether `text` as written serves as its own old-style copy: NFC, every oa, oe and uy
    ending a word in the old placement already (as the site prints them), and each turned
    into the new one by WRITTEN_PLACEMENTS (case aside, which the index ignores)."""
    if nfc(text) != text or old_placement(text) != text.lower():
        return False
    spelled = text
    for old, new in WRITTEN_PLACEMENTS:
        spelled = spelled.replace(old, new)
    return spelled.lower() == one_placement(text)


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of `text`, with their positions."""
    return _WORD.finditer(text.replace("_", " "))


def word_list(text: str) -> list[str]:
    """The words of `text`."""
    return _WORD.findall(text.replace("_", " "))
