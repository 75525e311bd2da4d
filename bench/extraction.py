"""Extraction cost and accuracy: the project's `extract`, on its default path and with the
generic path forced (`site_rules=False`), against trafilatura alone (and newspaper4k, when the
`bench` extra is installed) on mirror pages; then the same on real news pages (bench/realpages.py).

Two sets of mirror pages, the mirror's own bytes (`render.article_page`, exactly what `python -m
tests.mirror` serves), all rendered before any timing:

- `mirror`: every article of `Site(articles=1000, seed=5)`, templates A, B, C (the one the site
  rules do not know), video and photo;
- `X`: the template-X articles of a fresh draw, `Site(articles=300, seed=7, template="X")` (its
  video and photo pages left out): the widened unseen template, drawn per article along every
  axis of a redesign, with a seed the tests do not use.

Timing runs ROUNDS interleaved rounds, rotating which of the three goes first: the project's
default path on the pages the site rules handle (the `mirror` pages of templates A, B, video and
photo: the site-rules path), the generic path on every page of both sets, and trafilatura's
`bare_extraction(html, url=url, with_metadata=True)` (its defaults otherwise) on every page of
both sets. Each call is timed on its own; a round's figure for a page set is the mean per page,
and each figure is the median round. Each path is compared with trafilatura timed on the same
pages. The issue's targets: the site-rules path at ≤ 0.5× trafilatura's time, the generic path
at ≤ 1.3×.

Accuracy is the share of pages whose field equals the mirror's truth. The baselines' fields
are mapped as fairly as they allow: trafilatura's `title`, `date` (a day: compared with the
truth's day), `author` (split on "; "), `description` (the sapo), `text` (the body; paragraphs
compared one per line, blank lines ignored) and, in a separate untimed pass with
`include_images=True`, the `<graphic>` elements of its body; newspaper4k's `title`,
`publish_date` (its day), `authors`, `meta_description`, `text` and `images` (every image of
the page). newspaper4k is only ever handed the HTML: `fetch_images` is off, and a socket guard
refuses any connection that is not to 127.0.0.0/8 while the benchmark runs.
"""

from __future__ import annotations

import socket
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import trafilatura

from bench import Row, realpages
from pipelines.extraction import extract
from tests.mirror import render
from tests.mirror.site import Site

PAGES = 1_000
SEED = 5
X_ARTICLES = 300
X_SEED = 7  # not the tests' 11, 17, 23 or 29
ROUNDS = 5
FIELDS = ("title", "published_at", "authors", "sapo", "body", "images")
RULES = frozenset({"A", "B", "video", "photo"})  # the templates the site rules read

Extractor = Callable[["Page"], dict[str, Any]]


@dataclass(frozen=True)
class Page:
    url: str
    html: bytes
    truth: dict[str, Any]
    template: str
    now: datetime  # the site's clock: the fetch time the project is handed


def draw(site: Site, templates: frozenset[str] | None = None) -> list[Page]:
    """The site's article pages, rendered, keeping only `templates` when given."""
    now = site.now.astimezone(UTC)
    found = []
    for index in range(site.total):
        article = site.article(index)
        if templates is None or article.template in templates:
            html = render.article_page(site, article).encode("utf-8")
            found.append(Page(article.url, html, article.truth(), article.template, now))
    return found


def page_sets() -> dict[str, list[Page]]:
    return {
        "mirror": draw(Site(articles=PAGES, seed=SEED)),
        "X": draw(Site(articles=X_ARTICLES, seed=X_SEED, template="X"), frozenset({"X"})),
    }


def paragraphs(text: str | None) -> list[str]:
    """Body text as its non-empty lines, whitespace collapsed: one paragraph a line."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def day(value: Any) -> str | None:
    if value is None:
        return None
    return value.date().isoformat() if isinstance(value, datetime) else str(value)[:10]


# -- the extractors, each to the fields of the truth ----------------------------------------


def ours(page: Page) -> dict[str, Any]:
    record = extract(page.html, page.url, page.now)
    return record | {"images": len(record["images"])}


def generic(page: Page) -> dict[str, Any]:
    record = extract(page.html, page.url, page.now, site_rules=False)
    return record | {"images": len(record["images"])}


def bare(page: Page) -> Any:
    return trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)


def trafilatura_fields(page: Page) -> dict[str, Any]:
    document = bare(page)
    with_images = trafilatura.bare_extraction(
        page.html, url=page.url, with_metadata=True, include_images=True
    )
    body = getattr(with_images, "body", None)
    graphics = body.findall(".//graphic") if body is not None else []
    if document is None:
        return {"images": len(graphics)}
    author = document.author or ""
    return {
        "title": document.title,
        "published_at": document.date,
        "authors": [a.strip() for a in author.split(";") if a.strip()],
        "sapo": document.description,
        "body": document.text,
        "images": len(graphics),
    }


def newspaper_fields(page: Page) -> dict[str, Any]:
    with warnings.catch_warnings():  # "nltk is not installed": its NLP is not used here
        warnings.simplefilter("ignore")
        from newspaper import Article, Config

    config = Config()
    config.fetch_images = False
    config.memorize_articles = False
    config.language = "vi"
    article = Article(page.url, config=config)
    article.download(input_html=page.html.decode("utf-8"))
    article.parse()
    return {
        "title": article.title,
        "published_at": article.publish_date,
        "authors": list(article.authors),
        "sapo": article.meta_description,
        "body": article.text,
        "images": len(article.images),
    }


def newspaper_available() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import newspaper  # noqa: F401
    except ImportError:
        return False
    return True


def extractors() -> dict[str, Extractor]:
    found: dict[str, Extractor] = {
        "project": ours,
        "project, generic path": generic,
        "trafilatura": trafilatura_fields,
    }
    if newspaper_available():
        found["newspaper4k"] = newspaper_fields
    return found


# -- accuracy ---------------------------------------------------------------------------------


def correct(field: str, found: dict[str, Any], truth: dict[str, Any], by_day: bool) -> bool:
    value, expected = found.get(field), truth[field]
    if field == "published_at":
        return day(value) == day(expected) if by_day else value == expected
    if field == "body":
        return paragraphs(value) == paragraphs(expected)
    if field == "images":
        return bool(value == len(expected))
    return bool(value == expected) or (not value and not expected)


def accuracy(results: list[dict[str, Any]], found: list[Page], by_day: bool) -> dict[str, float]:
    pairs = list(zip(results, found, strict=True))
    return {
        field: 100 * sum(correct(field, r, p.truth, by_day) for r, p in pairs) / len(found)
        for field in FIELDS
    }


def scores(found: list[Page]) -> dict[str, dict[str, float]]:
    """Accuracy per extractor; the project's default path also with dates compared by day."""
    found_scores = {}
    for name, fields_of in extractors().items():
        results = [fields_of(page) for page in found]
        found_scores[name] = accuracy(results, found, by_day=not name.startswith("project"))
        if name == "project":
            found_scores["project (by day)"] = accuracy(results, found, by_day=True)
    return found_scores


NOTES = {
    "title": "trafilatura keeps the site's ` - Báo Biên phòng` suffix",
    "published_at": "exact ISO 8601 with +07:00; the baselines give a day at most",
    "authors": "trafilatura's author split on ';'",
    "sapo": "the baselines' meta description keeps the `Biên phòng - ` dateline",
    "body": "paragraphs compared one per line",
    "images": "count of body images; newspaper4k counts every image of the page",
}


def accuracy_rows(
    label: str, found_scores: dict[str, dict[str, float]], notes: dict[str, str]
) -> list[Row]:
    rows = []
    for field in FIELDS:
        note = notes.get(field, "")
        for name, score in found_scores.items():
            if name == "project (by day)" and field != "published_at":
                continue
            rows.append(Row(f"{field} correct, {label}: {name}", score[field], "%", note))
            note = ""
    return rows


# -- timing -----------------------------------------------------------------------------------


def per_page(function: Callable[[Page], object], found: list[Page]) -> list[float]:
    """Milliseconds each page took."""
    spent = []
    for page in found:
        began = time.perf_counter()
        function(page)
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def interleaved(runs: dict[str, tuple[Callable[[Page], object], list[Page]]]) -> dict[str, Any]:
    """ROUNDS rounds of every run, each round starting one run later than the last."""
    names = list(runs)
    rounds: dict[str, list[list[float]]] = {name: [] for name in names}
    for number in range(ROUNDS):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            function, found = runs[name]
            rounds[name].append(per_page(function, found))
    return rounds


def median_round(rounds: list[list[float]], only: list[int] | None = None) -> float:
    """The median over rounds of the mean ms per page (over the pages at `only`, when given)."""
    return statistics.median(
        statistics.fmean(spent if only is None else [spent[i] for i in only]) for spent in rounds
    )


def timings(sets: dict[str, list[Page]]) -> dict[str, float]:
    everything = sets["mirror"] + sets["X"]
    handled = [page for page in sets["mirror"] if page.template in RULES]
    at = [i for i, page in enumerate(everything) if page.template in RULES]  # = `handled`
    for page in sets["mirror"][:20] + sets["X"][:20]:  # warm-up: imports, caches, expressions
        for function in (ours, generic, bare):
            function(page)
    rounds = interleaved(
        {
            "rules": (ours, handled),
            "generic": (generic, everything),
            "trafilatura": (bare, everything),
        }
    )
    return {
        "rules": median_round(rounds["rules"]),
        "trafilatura on rules pages": median_round(rounds["trafilatura"], at),
        "generic": median_round(rounds["generic"]),
        "trafilatura": median_round(rounds["trafilatura"]),
    }


def ratio_row(figure: str, ratio: float, target: float) -> Row:
    met = "met" if ratio <= target else "MISSED"
    return Row(figure, ratio, "×", f"target ≤ {target}; {met}")


def timing_rows(ms: dict[str, float], sets: dict[str, list[Page]], handled: int) -> list[Row]:
    everything = f"{len(sets['mirror']):,} mirror + {len(sets['X']):,} X pages"
    rounds = f"median of {ROUNDS} interleaved rounds"
    return [
        Row(
            "site-rules path (project, default)",
            ms["rules"],
            "ms/page",
            f"the {handled:,} mirror pages of templates A, B, video, photo; {rounds}",
        ),
        Row("trafilatura, the same pages", ms["trafilatura on rules pages"], "ms/page", ""),
        ratio_row(
            "site-rules path / trafilatura time",
            ms["rules"] / ms["trafilatura on rules pages"],
            0.5,
        ),
        Row("generic path (site_rules=False)", ms["generic"], "ms/page", f"{everything}; {rounds}"),
        Row(
            "trafilatura bare_extraction, the same pages",
            ms["trafilatura"],
            "ms/page",
            "with_metadata=True",
        ),
        ratio_row("generic path / trafilatura time", ms["generic"] / ms["trafilatura"], 1.3),
    ]


# -- the section ------------------------------------------------------------------------------


@contextmanager
def loopback_only() -> Iterator[None]:
    """Any connection to an address outside 127.0.0.0/8 raises, for as long as this lasts."""
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else str(address)
        if not str(host).startswith("127."):
            raise ConnectionRefusedError(f"the benchmark talks to loopback only, not {host}")
        original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


def mirror_rows() -> list[Row]:
    sets = page_sets()
    handled = sum(page.template in RULES for page in sets["mirror"])
    rows = timing_rows(timings(sets), sets, handled)
    if newspaper_available():
        ms = statistics.fmean(per_page(newspaper_fields, sets["mirror"]))
        rows.append(
            Row("newspaper4k parse", ms, "ms/page", "mirror pages; one pass, after the others")
        )
    drawn = {
        "mirror": f"Site(articles={PAGES}, seed={SEED}): templates A, B, C, video, photo",
        "X": f"the template-X pages of Site(articles={X_ARTICLES}, seed={X_SEED}, template='X')",
    }
    for name, found in sets.items():
        rows.append(Row(f"pages, {name}", len(found), "pages", drawn[name]))
        rows += accuracy_rows(name, scores(found), NOTES if name == "mirror" else {})
    if not newspaper_available():
        note = "newspaper4k not installed (pip install -e '.[bench]'): left out"
        rows.append(Row("newspaper4k", 0, "", note))
    return rows


def run() -> dict[str, list[Row]]:
    with loopback_only():
        return {"Mirror pages": mirror_rows(), "Real pages": realpages.rows()}
