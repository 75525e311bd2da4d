"""Record one mirror page per template and variant into tests/data/pages/, with golden JSON.

    .venv/bin/python -m tests.make_goldens

Each page is fetched over HTTP from an in-process mirror and stored as NAME.html.gz, with
NAME.meta.json (canonical url, fetched_at, template, the variants it covers) and
NAME.golden.json written from the mirror's truth, never from the extractor's output. Re-run it
when a variant is added or EXTRACTOR_VERSION changes; never edit the files by hand.
"""

from __future__ import annotations

import gzip
import json
import urllib.request
from collections.abc import Callable
from datetime import UTC
from functools import cache
from pathlib import Path
from typing import Any

from pipelines.extraction import EXTRACTOR_VERSION
from tests.mirror import Article, Mirror, Site
from tests.mirror.site import Edit

PAGES = Path(__file__).parent / "data" / "pages"
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


def pick(site: Site) -> dict[str, tuple[Article, list[str]]]:
    """Few pages covering every variant: a page already chosen is reused when it fits.

    Keyed by page name (the first variant it was chosen for), with every variant it covers."""
    usable = [site.article(i) for i in range(site.total)]
    pages: dict[str, tuple[Article, list[str]]] = {}
    for variant, rule in VARIANTS.items():
        reuse = next((name for name, (a, _) in pages.items() if rule(a)), None)
        if reuse is not None:
            pages[reuse][1].append(variant)
            continue
        found = next((a for a in usable if rule(a)), None)
        if found is None:
            raise SystemExit(f"no mirror article for variant {variant!r}: widen the site")
        pages[variant] = (found, [variant])
    return pages


def fetch(base_url: str, path: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(base_url + path, timeout=10) as response:
        body: bytes = response.read()
        return body


def record(mirror: Mirror, name: str, article: Article, variants: list[str]) -> None:
    fetched_at = mirror.site.now.astimezone(UTC).isoformat()
    meta = {
        "url": article.url,
        "fetched_at": fetched_at,
        "template": article.template,
        "variants": variants,
        "extractor_version": EXTRACTOR_VERSION,
        "site": {"articles": ARTICLES, "seed": SEED, "day": DAY},
    }
    golden: dict[str, Any] = {
        **article.truth(),
        "fetched_at": fetched_at,
        "extractor_version": EXTRACTOR_VERSION,
    }
    html = fetch(mirror.base_url, article.path)
    (PAGES / f"{name}.html.gz").write_bytes(gzip.compress(html, mtime=0))
    for suffix, data in (("meta", meta), ("golden", golden)):
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        (PAGES / f"{name}.{suffix}.json").write_text(text, encoding="utf-8")


def main() -> None:
    PAGES.mkdir(parents=True, exist_ok=True)
    for stale in PAGES.glob("*.*"):
        stale.unlink()
    with Mirror(recorded_site(), log_requests=False) as mirror:
        for name, (article, variants) in pick(mirror.site).items():
            record(mirror, name, article, variants)
            print(f"{name}: post {article.post_id} ({article.template}): {', '.join(variants)}")


if __name__ == "__main__":
    main()
