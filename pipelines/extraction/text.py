"""Text-level rules that hold on any template: dateline, header clock, credits, byline, noise.

They read strings, never markup, so the generic path applies them to pages the site rules
have never seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .page import clean

# `Biên phòng - `, `Biên phòng – `, `Biên phòng -` glued to the lead, `(Biên phòng) - `.
_DATELINE = re.compile(r"^\(?\s*Biên\s+phòng\s*\)?\s*[-–—]\s*", re.IGNORECASE)
# The top bar's clock: `Chủ nhật, 01/10/2023 04:13 GMT+7` (no dash, no brackets round GMT).
_CLOCK = re.compile(r"\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}\s+GMT\s*\+\s*0?7(?!\d)", re.IGNORECASE)
_CREDIT = re.compile(r"^(?P<caption>.*?)\s*\(?\s*Ảnh\s*:\s*(?P<credit>[^()]+?)\s*\)?\s*$")
_SHARE = re.compile(
    r"^(?:\s*(?:Zalo|Facebook|Twitter|Tweet|Email|Chia sẻ|In bài|Copy link|Gửi bài)\s*[|·]?)+$",
    re.IGNORECASE,
)
_SYNDICATION = re.compile(r"^Nguồn\s+(?:báo\s+)?Biên\s+phòng\s*:\s*\S+$", re.IGNORECASE)
_SOURCE = re.compile(
    r"^\(?\s*(?:(?P<theo>Theo)\s+|Nguồn\s*:\s*)(?P<source>[^()]+?)\s*\)?$", re.IGNORECASE
)
# `Minh Anh (theo Tuổi Trẻ)`: the writer, and the outlet the text was taken from.
_TAKEN_FROM = re.compile(r"^(?P<names>[^()]+?)\s*\(\s*theo\s+(?P<source>[^()]+?)\s*\)$", re.I)
# `(TTXVN)` alone on the last line: the agency the text is from.
_AGENCY_ALONE = re.compile(r"^\(\s*(?P<source>[A-ZĐ][A-ZĐ0-9]{1,9})\s*\)$")
# What `Theo X` names when X is an organisation, not a person (shared/article-record.md,
# `source`): an acronym, a name that starts as an outlet's does, a site's name, or one of the
# Vietnamese outlets (`Theo Thanh Niên` reads like a person's name).
_ACRONYM = re.compile(r"^[A-ZĐ][A-ZĐ0-9]{1,9}$")
_OUTLET_WORD = re.compile(r"^(?:báo|tạp\s+chí|đài|cổng|trang)\s", re.IGNORECASE)
_SITE_NAME = re.compile(r"\.vn$", re.IGNORECASE)
OUTLETS = frozenset(
    name.casefold()
    for name in (
        "VnExpress",
        "Tuổi Trẻ",
        "Thanh Niên",
        "Dân trí",
        "Nhân Dân",
        "Quân đội nhân dân",
        "Vietnamplus",
        "VietNamNet",
        "Người Lao Động",
        "Lao Động",
        "Tiền Phong",
        "Công an nhân dân",
        "Pháp luật TP.HCM",
        "Zing",
        "Kênh14",
        "Báo Chính phủ",
    )
)
_WRITER = re.compile(
    r"^(?:Bài\s+và\s+ảnh|Bài,\s*ảnh|Tin\s+và\s+ảnh|Tin,\s*ảnh|Bài|Tin"
    # The same credit elsewhere: `Text & Fotos:`, `Text und Bild:`, `Texto y fotos:`.
    r"|(?:Text|Texte|Texto|Testo|Tekst|Words)"
    r"(?:\s*(?:&|und|and|y|et|e|,)\s*(?:Fotos?|Bilder?|Photos?|Pictures|Fotografías))?"
    r")\s*:\s*(?P<names>.+)$",
    re.IGNORECASE,
)
# "By" in the languages of the pages the generic path is judged on, before a byline's names
# (`By Jane Doe`, `Par Chokri Gharbi`, `Von Cosima Künzel`, `Tác giả: Thu Hà`), or alone in
# an element of its own (`<span>By</span>`), where it names nobody.
BY_PREFIX = re.compile(
    r"^(?:(?:written|reported|words)\s+by|by|bởi|tác\s+giả|von|por|par|av|af|di|door"
    r"|oleh|przez|napisał[a]?|著者|作者|筆者|記者)(?:\s*[:：]\s*|\s+|$)",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s+[-–]\s+|\s*[,;/]\s*|\s+(?:và|and|&|und|y|e|et|og|en|i)\s+")
# What follows a name in a byline and is not one: `Hà Thu (tổng hợp)`, `Minh Anh (TTXVN)`.
_NAME_NOTE = re.compile(r"\s*\([^()]{1,40}\)\s*$")
# A social handle beside a name (`Williams Perdomo @wperdomod`): the same person, not a name.
HANDLE = re.compile(r"(?<!\S)@[\w.]+")
# A degree after a name, set off as another name would be (`Grant Tinsley, PhD`).
_DEGREE = re.compile(r"^(?:Ph\.?\s?D\.?|M\.?D\.?|MPH|MBA|MSc|RDN?|RN|DDS|DVM|PharmD|CSCS)$")
# The full stop after a byline's last word (`By Tatyana Turner.`), not an initial's (`Trần V.`).
_FULL_STOP = re.compile(r"(?<=[^\W\d_]{3})\.$")
_NAME_WORD = re.compile(r"^(?:[^\W\d_]\.){2,3}$|^[^\W\d_][^\W\d_.]*(?:[-'’][^\W\d_]+)*\.?$")
# The lower-case words before a name's last (`Lisa de Moraes`, `Ursula von der Leyen`); before
# more words they are a label's (`Alle Artikel von Tanja Karrasch`).
_PARTICLES = frozenset(
    {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den", "ter"}
)
# Initials that are a country's, not a person's (`By U.S. Customs and Border Protection`).
_PLACE_INITIALS = frozenset({"U.S.", "U.K.", "U.N.", "E.U."})
_BYLINE_MAX = 80
_NAME_MAX_WORDS = 5


def strip_dateline(text: str) -> str:
    """The lead without its `Biên phòng - ` dateline, in any of its forms."""
    return _DATELINE.sub("", text, count=1)


def is_clock(text: str) -> bool:
    """True for the header clock, the current time that is never an article's date."""
    return _CLOCK.search(text) is not None


def split_credit(text: str) -> tuple[str | None, str | None]:
    """`Quang cảnh hội nghị. Ảnh: Nông Văn Tuấn` → (`Quang cảnh hội nghị.`, `Nông Văn Tuấn`)."""
    text = clean(text)
    found = _CREDIT.match(text)
    if not found:
        return text or None, None
    return found.group("caption") or None, found.group("credit") or None


def is_share_bar(line: str) -> bool:
    """The words of a share bar: `Zalo Facebook Chia sẻ`."""
    return _SHARE.match(line) is not None


def is_noise(line: str) -> bool:
    """Share widgets, the `Nguồn Biên Phòng: url` syndication line and empty paragraphs."""
    return not line or is_share_bar(line) or _SYNDICATION.match(line) is not None


@dataclass(frozen=True)
class Byline:
    authors: tuple[str, ...]
    source: str | None


def names_in(text: str, *, leading: bool = False) -> tuple[str, ...]:
    """The names in a byline's text (`Nông Văn Tuấn - Thu Hà`), or () when a part is not a name.

    `leading`: the names before the first part that is not one (`Jon King, News Reporter` keeps
    both; `Povilas A., Mykolo Romerio universiteto profesorius` keeps the first)."""
    text = _FULL_STOP.sub("", _NAME_NOTE.sub("", clean(HANDLE.sub("", text))))
    parts = [p for p in _NAME_SPLIT.split(text) if p]
    parts = parts[:1] + [p for p in parts[1:] if not _DEGREE.match(p)]
    if leading:
        kept = []
        for part in parts:
            if not _is_name(part):
                break
            kept.append(part)
        return tuple(kept)
    return tuple(parts) if parts and all(_is_name(n) for n in parts) else ()


def _is_name(text: str) -> bool:
    """A clean name as bylines print them: a few capitalised words (`Nhóm PV`, `CTV` too), a
    particle inside (`Lisa de Moraes`)."""
    words = text.split()
    particles = len(words) - 1  # where the particles before the last word begin
    while particles > 1 and words[particles - 1] in _PARTICLES:
        particles -= 1
    return 0 < len(words) <= _NAME_MAX_WORDS and all(
        _NAME_WORD.match(w)
        and w.upper() not in _PLACE_INITIALS
        and (not w[0].islower() or particles <= at < len(words) - 1)
        for at, w in enumerate(words)  # 松岡大地: no case at all
    )


def is_outlet(name: str) -> bool:
    """Whether `Theo X` names an organisation (a source) rather than a person (an author)."""
    return bool(
        _ACRONYM.match(name)
        or _OUTLET_WORD.match(name)
        or _SITE_NAME.search(name)
        or clean(name).casefold() in OUTLETS
    )


def parse_byline(line: str, *, prefixed_only: bool = False) -> Byline | None:
    """The byline in a line (the last of a body, or one under the headline), or None when the
    line is ordinary text. An unprefixed line must read as names alone, and one word only when
    it is an abbreviation (`CTV`): `Advertisement` or `Meinung` is not a byline.
    `prefixed_only`: only `Bài: …`, `Tin, ảnh: …`, `By …`, `Theo …`, `(TTXVN)` forms count.

    Vietnamese papers name where a text comes from in the same line: `Theo TTXVN`, `Nguồn:
    Báo Chính phủ` and `(TTXVN)` give the source; `Theo Minh Anh`, a person, the author; and
    `Minh Anh (theo Tuổi Trẻ)` both."""
    line = clean(line)
    if not line or len(line) > _BYLINE_MAX or _SYNDICATION.match(line):
        return None
    if found := _AGENCY_ALONE.match(line):
        return Byline((), found.group("source"))
    if found := _SOURCE.match(line):
        named = found.group("source")
        if is_outlet(named) or (not found.group("theo") and names_in(named)):
            return Byline((), named)
        people = names_in(named) if found.group("theo") else ()
        return Byline(people, None) if people else None
    if found := _TAKEN_FROM.match(line):
        writers = parse_byline(found.group("names"), prefixed_only=prefixed_only)
        if writers is None or not writers.authors:
            return None
        return Byline(writers.authors, found.group("source"))
    if names := _written_by(line):
        return Byline(names, None)
    if prefixed_only:
        return None
    names = names_in(BY_PREFIX.sub("", line, count=1))
    if len(names) == 1 and " " not in names[0] and not names[0].isupper():
        return None
    return Byline(names, None) if names else None


def _written_by(line: str) -> tuple[str, ...]:
    """The names after `Bài:`, `Tin, ảnh:` and the like, or after `By`, where each must be a
    full name or an acronym (`Von Risiken und Nebenwirkungen` reads as names too), before a
    date or a time that runs on after them."""
    if found := _WRITER.match(line):
        return names_in(found.group("names"))
    by = BY_PREFIX.match(line)
    named = line[by.end() :] if by else ""
    names = names_in(named)
    if not names and any(c.isdigit() for c in named):  # `By Jane Doe, December 16th 2016`
        names = names_in(named, leading=True)
    # 後藤大地: a script without case writes a full name without a space.
    return names if all(" " in n or n.isupper() or n.upper() == n.lower() for n in names) else ()


@dataclass(frozen=True)
class Body:
    text: str
    authors: list[str]
    source: str | None
    byline: str | None = None  # the line the byline was read from


def finish_body(lines: list[str]) -> Body:
    """Drop noise lines, take the byline off the last line, join paragraphs by a blank line."""
    kept = [clean(line) for line in lines]
    kept = [line for line in kept if not is_noise(line)]
    byline = parse_byline(kept[-1]) if kept else None
    return Body(
        "\n\n".join(kept[:-1] if byline else kept),
        list(byline.authors) if byline else [],
        byline.source if byline else None,
        kept[-1] if byline else None,
    )


def name_words(names: Iterable[str]) -> set[str]:
    """The words of names, to tell whether two lists name the same people."""
    return {word.casefold() for name in names for word in name.split()}
