"""The recorded pages in tests/data/pages/ and the variants they must cover.

`VARIANTS` names every template and variant the extractor must read, each with the rule that
picks a mirror article showing it: tests/make_goldens.py records one page per variant from
`recorded_site()`, and test_extraction fails if a variant lacks a golden.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from tests.mirror import Article, Site
from tests.mirror.site import Edit

PAGES = Path(__file__).parent.parent / "data" / "pages"
# A site that has moved on a few days, so some articles carry a correction (modified time).
ARTICLES, SEED, DAY = 600, 7, 10

Rule = Callable[[Article], bool]


def _no_meta(a: Article) -> bool:
    """Neither og: nor JSON-LD: the visible date line is the only date."""
    return not a.og and not a.jsonld


def _with_images(markup: str) -> Rule:
    return lambda a: any(i.markup == markup for i in a.images)


def _byline(form: str) -> Rule:
    return lambda a: a.kind == "article" and a.byline.form == form


def _dateline(text: str) -> Rule:
    return lambda a: a.kind == "article" and not a.advertorial and a.dateline == text


def _date_form(form: str, template: str) -> Rule:
    return lambda a: a.template == template and a.date_format == form and _no_meta(a)


# Every template and variant the extractor must read; test_extraction fails if one lacks a golden.
VARIANTS: dict[str, Rule] = {
    "template-a": lambda a: a.template == "A" and not a.extra_classes,
    "template-a-extra-classes": lambda a: a.template == "A" and a.extra_classes,
    "template-b": lambda a: a.template == "B",
    "template-c": lambda a: a.template == "C" and a.jsonld,
    "template-c-no-meta": lambda a: a.template == "C" and _no_meta(a) and bool(a.images),
    "video": lambda a: a.kind == "video",
    "photo": lambda a: a.kind == "photo",
    "photo-old-images-path": lambda a: a.kind == "photo" and _old_images(a),
    "dateline-dash": _dateline("Biên phòng - "),
    "dateline-en-dash": _dateline("Biên phòng – "),
    "dateline-no-space": _dateline("Biên phòng -"),
    "dateline-none": _dateline(""),
    "dateline-strong-template-c": lambda a: a.template == "C" and a.dateline != "",
    "caption-figure": _with_images("figure"),
    "caption-table": _with_images("table"),
    "caption-p-img": _with_images("p-img"),
    "caption-lazy-src-template-c": lambda a: a.template == "C" and bool(a.images),
    "byline-one": _byline("one"),
    "byline-two-dash": _byline("two-dash"),
    "byline-two-comma": _byline("two-comma"),
    "byline-bai-va-anh": _byline("bai-va-anh"),
    "byline-tin-anh": _byline("tin-anh"),
    "byline-nhom-pv": _byline("nhom-pv"),
    "byline-ctv": _byline("ctv"),
    "byline-theo-ttxvn": _byline("ttxvn"),
    "byline-nguon-ttxvn": _byline("nguon"),
    "byline-none": _byline("none"),
    "byline-author-class-template-c": lambda a: (
        a.template == "C" and a.byline.style == "author-class"
    ),
    "date-weekday-pipe": _date_form("weekday-pipe", "A"),
    "date-plain": _date_form("plain", "B"),
    "date-time-first": _date_form("time-first", "A"),
    "date-weekday-dash-gmt": _date_form("weekday-dash-gmt", "B"),
    "date-visible-template-c": lambda a: a.template == "C" and _no_meta(a),
    "nfd-decomposed": lambda a: a.decomposed,
    "jsonld-organization-author": lambda a: (
        a.jsonld and a.jsonld_author_org and bool(a.byline.authors)
    ),
    "edited-modified-visible": lambda a: a.modified is not None and _no_meta(a),
    "edited-modified-jsonld": lambda a: a.modified is not None and a.jsonld,
    "edited-paragraph": lambda a: any(e.what == "paragraph" for e in _edits(a)),
    "old-images-path": lambda a: a.kind == "article" and _old_images(a),
    "footnotes": lambda a: any(b.kind == "footnote-note" for b in a.blocks),
    "syndication-line": lambda a: a.syndication_line and a.byline.line is not None,
    "advertorial": lambda a: a.advertorial,
    "empty-paragraph": lambda a: any(b.kind == "empty" for b in a.blocks),
    # The generic path (template C) on the hardest body variants too.
    "template-c-caption-table": lambda a: a.template == "C" and _with_images("table")(a),
    "template-c-caption-figure": lambda a: a.template == "C" and _with_images("figure")(a),
    "template-c-byline-two-comma": lambda a: a.template == "C" and _byline("two-comma")(a),
    "template-c-byline-source": lambda a: a.template == "C" and a.byline.source is not None,
    "template-c-footnotes": lambda a: a.template == "C" and VARIANTS["footnotes"](a),
    "template-c-syndication-line": lambda a: a.template == "C" and a.syndication_line,
    "template-c-modified": lambda a: a.template == "C" and a.modified is not None,
    "template-c-nfd": lambda a: a.template == "C" and a.decomposed,
}


@cache
def recorded_site() -> Site:
    return Site(articles=ARTICLES, seed=SEED, day=DAY)


def _edits(a: Article) -> tuple[Edit, ...]:
    return recorded_site().edits.get(a.index, ())


def _old_images(a: Article) -> bool:
    return any(i.src.startswith("/images/") for i in a.images)
