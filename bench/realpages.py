"""Real news pages: the project's generic path against trafilatura on the 125 pages of
`../shared/realpages` (34 `fundus` pages with title, authors, date and body; 91 `scrapinghub`
pages with a body only). Rows for bench/extraction.py, not a benchmark of its own.

The figures are the shared scorer's own: its `score.py` is imported (not copied) and its
`pages`, `project`, `trafilatura`, `score` and `prf` make one pass over the pages as its `main`
does, each call timed as it times it (reading and decoding the page included), so the table
equals what `python ../shared/realpages/score.py` prints. Then ROUNDS interleaved rounds time
the same two calls on HTML decoded beforehand: `extract(html, url, fetched_at,
site_rules=False)` against `bare_extraction(html, url=url, with_metadata=True)`, the mean per
page of the median round. The targets (from the issue): body F1 ≥ 0.96 and at least
trafilatura's on each set, title ≥ 95 %, authors ≥ 80 % of the Fundus pages, date ≥ 97 %, and
the generic path at ≤ 1.3× trafilatura's time.
"""

from __future__ import annotations

import contextlib
import importlib.util
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

from bench import Row
from pipelines.extraction import extract

FOLDER = Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
ROUNDS = 5
LABELS = {"project": "project generic path", "trafilatura": "trafilatura"}
PERCENT = {"title": 95, "authors": 80, "date": 97, "minute": None}  # None: no target


@dataclass(frozen=True)
class Scored:
    set: str
    scores: dict[str, dict[str, Any]]  # extractor → the scorer's `score` of the page
    ms: dict[str, float]  # extractor → milliseconds, as score.py times it


def scorer() -> ModuleType:
    """`score.py` of the shared folder, imported as a module."""
    spec = importlib.util.spec_from_file_location("realpages_score", FOLDER / "score.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {FOLDER / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_page(score: ModuleType, page: dict[str, Any]) -> Scored:
    """One page through both extractors, timed and scored as score.py's `main` does."""
    scores, ms = {}, {}
    for name in LABELS:
        began = time.perf_counter()
        try:
            got = getattr(score, name)(page)
        except Exception as error:  # a crash is a result, as in score.py
            got = {"error": f"{type(error).__name__}: {error}", "body": ""}
        ms[name] = (time.perf_counter() - began) * 1000
        scores[name] = score.score(page["truth"], got)
    return Scored(page["set"], scores, ms)


def values(chosen: list[Scored], name: str, key: str) -> list[Any]:
    return [s.scores[name][key] for s in chosen if key in s.scores[name]]


def percent_rows(chosen: list[Scored], label: str, key: str) -> list[Row]:
    rows = []
    for name in LABELS:
        found = values(chosen, name, key)
        if not found:
            continue
        share = 100 * sum(found) / len(found)
        note = f"{sum(found)} of {len(found)} pages"
        target = PERCENT[key]
        if name == "project" and target is not None:
            note += f"; target ≥ {target} %: {'met' if share >= target else 'MISSED'}"
        rows.append(Row(f"{key}, {label}: {LABELS[name]}", share, "%", note))
    return rows


def body_rows(chosen: list[Scored], label: str) -> list[Row]:
    mean = {
        n: {k: statistics.fmean(values(chosen, n, k)) for k in ("P", "R", "F1")} for n in LABELS
    }
    rows = []
    for key, unit in (("P", "precision"), ("R", "recall"), ("F1", "F1")):
        rows += [Row(f"body {key}, {label}: {LABELS[n]}", mean[n][key], unit, "") for n in LABELS]
    ours, theirs = mean["project"]["F1"], mean["trafilatura"]["F1"]
    met = "met" if ours >= 0.96 and ours >= theirs else "MISSED"
    pages = len(values(chosen, "project", "F1"))
    note = f"bag of words, mean of {pages} pages; target ≥ 0.96 and ≥ trafilatura's: {met}"
    rows[-2] = rows[-2]._replace(note=note)
    return rows


def median_rows(chosen: list[Scored], label: str) -> list[Row]:
    ms = {name: statistics.median(s.ms[name] for s in chosen) for name in LABELS}
    note = "median over pages, one pass, as score.py times it (reading the page included)"
    rows = [Row(f"median time, {label}: {LABELS[n]}", ms[n], "ms/page", "") for n in LABELS]
    rows[0] = rows[0]._replace(note=note)
    ratio = ms["project"] / ms["trafilatura"]
    note = "per-page medians of the one pass; the target is on the interleaved rounds below"
    return [*rows, Row(f"median time, {label}: project / trafilatura", ratio, "×", note)]


def set_rows(chosen: list[Scored], label: str) -> list[Row]:
    rows = [Row(f"pages, {label}", len(chosen), "pages", "")]
    for key in PERCENT:
        rows += percent_rows(chosen, label, key)
    return rows + body_rows(chosen, label) + median_rows(chosen, label)


# -- timing -----------------------------------------------------------------------------------

Call = Callable[[str, str, datetime], object]


def generic(html: str, url: str, fetched_at: datetime) -> object:
    return extract(html, url, fetched_at, site_rules=False)


def bare(html: str, url: str, fetched_at: datetime) -> object:
    return trafilatura.bare_extraction(html, url=url, with_metadata=True)


def timed(call: Call, inputs: list[tuple[str, str, datetime]]) -> float:
    """Milliseconds per page over all pages; a crash is timed like any other result."""
    began = time.perf_counter()
    for html, url, fetched_at in inputs:
        with contextlib.suppress(Exception):  # score.py counts a crash as a result; so does this
            call(html, url, fetched_at)
    return (time.perf_counter() - began) * 1000 / len(inputs)


def timings(score: ModuleType) -> dict[str, float]:
    """ROUNDS interleaved rounds, alternating which extractor goes first; the median round."""
    inputs = [(score.html_of(p), p["url"], score.fetched(p)) for p in score.pages()]
    calls: dict[str, Call] = {"project": generic, "trafilatura": bare}
    rounds: dict[str, list[float]] = {name: [] for name in calls}
    for number in range(ROUNDS):
        order = list(calls) if number % 2 == 0 else list(reversed(calls))
        for name in order:
            rounds[name].append(timed(calls[name], inputs))
    return {name: statistics.median(spent) for name, spent in rounds.items()}


def timing_rows(ms: dict[str, float], pages: int) -> list[Row]:
    ratio = ms["project"] / ms["trafilatura"]
    rounds = (
        f"{pages} pages decoded beforehand; mean per page, median of {ROUNDS} interleaved rounds"
    )
    return [
        Row("generic path (site_rules=False), all real pages", ms["project"], "ms/page", rounds),
        Row("trafilatura bare_extraction, the same pages", ms["trafilatura"], "ms/page", ""),
        Row(
            "generic path / trafilatura time, real pages",
            ratio,
            "×",
            f"target ≤ 1.3; {'met' if ratio <= 1.3 else 'MISSED'}",
        ),
    ]


def rows() -> list[Row]:
    if not (FOLDER / "score.py").exists():
        return [Row("real pages", None, "", f"{FOLDER} not found: skipped")]
    score = scorer()
    scored = [score_page(score, page) for page in score.pages()]
    found = []
    for label in sorted({s.set for s in scored}):
        found += set_rows([s for s in scored if s.set == label], label)
    found += set_rows(scored, "all")
    return found + timing_rows(timings(score), len(scored))
