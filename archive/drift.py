"""Markup drift: what tells that the site changed its markup, run by run, comparing like with
like.

When the site redesigns, extraction rarely fails loudly: dates or bylines simply stop being
found, or the site rules stop matching and the generic path reads every page. Three signs:

- the fields found in a run's new articles (first seen in it) against the recent runs' new
  articles: a field found far less often (`fill_drift`);
- the articles a run fetched again (a recheck, a full refetch): a field that most of them had
  before and lost now (`lost_drift`), whatever earlier runs did;
- the share of a run's articles the site rules read, against the recent runs', in every kind
  of run, naming the templates that stopped matching (`rules_drift`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

# A share drifts when it falls below this share of the recent average...
DROP_RATIO = 0.6
# ...and runs this small say nothing either way...
MIN_ARTICLES = 10
# ...nor does a field the recent runs would have found in fewer of this run's articles than
# this: a rare field (source, modified_at, video_url: a few in a hundred) missing from a run
# of 20 articles is chance, not drift.
MIN_EXPECTED = 5
# ...nor a fall that two samples of their sizes show by chance this often or more (a z-score
# under 3: about once in 700 runs): 28 of 100 articles with a source one day and 65 of 400
# the next is the mirror's own drawing, not drift.
Z_CHANCE = 3.0
RECENT_RUNS = 10
# Articles fetched again that lost a field they had: past this share of them, drift.
LOST_SHARE = 0.5
RULES = "rules:"  # how provenance names a field the site rules found: `rules:A-2020`
# How each of the warnings below begins: a run's warnings also hold others (a listing that
# never ended), which are not drift.
DRIFT = ("possible markup drift:", "possible redesign:")


def is_drift(warning: str) -> bool:
    return warning.startswith(DRIFT)


class EarlierRun(Protocol):
    """What drift reads of an earlier run (`archive.runs.Run`)."""

    @property
    def new(self) -> int: ...
    @property
    def saved(self) -> int: ...
    @property
    def fill_rates(self) -> dict[str, float] | None: ...
    @property
    def templates(self) -> dict[str, int] | None: ...


def fill_drift(rates: Mapping[str, float], new: int, earlier: Sequence[EarlierRun]) -> list[str]:
    """A warning per field found in far fewer of a run's `new` articles (`rates`) than in
    the recent runs' new articles (`earlier`, newest first)."""
    if new < MIN_ARTICLES:
        return []
    history = [
        (run.fill_rates, run.new) for run in earlier if run.fill_rates and run.new >= MIN_ARTICLES
    ][:RECENT_RUNS]
    warnings = []
    for field, rate in rates.items():
        past = [(h[field], n) for h, n in history if field in h]
        if not past:
            continue
        average = sum(r for r, _ in past) / len(past)
        if (
            average * new >= MIN_EXPECTED
            and rate < average * DROP_RATIO
            and _beyond_chance(past, rate, new)
        ):
            warnings.append(
                f"possible markup drift: {field} found in {rate:.0%} of new articles, "
                f"against {average:.0%} over the last {len(past)} runs"
            )
    return warnings


def _beyond_chance(past: list[tuple[float, int]], rate: float, new: int) -> bool:
    """Whether a field found in `rate` of `new` articles, after the shares of the earlier
    runs' new articles in `past` (share, articles), fell further than chance: a two-proportion
    z-test of the pooled earlier articles against this run's."""
    before = sum(n for _, n in past)
    found_before = sum(share * n for share, n in past)
    pooled = (found_before + rate * new) / (before + new)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / before + 1 / new))
    return spread == 0 or (found_before / before - rate) / spread >= Z_CHANCE


def lost_drift(lost: Mapping[str, int], fetched_again: int) -> list[str]:
    """A warning per field that more than LOST_SHARE of the articles fetched again had
    before and lost now (`lost`: field → articles)."""
    if fetched_again < MIN_ARTICLES:
        return []
    return [
        f"possible markup drift: {field} lost from {count / fetched_again:.0%} of the"
        f" {fetched_again} articles fetched again (their earlier version had it)"
        for field, count in sorted(lost.items())
        if count > LOST_SHARE * fetched_again
    ]


def rules_drift(
    templates: Mapping[str, int], saved: int, earlier: Sequence[EarlierRun]
) -> list[str]:
    """A warning when the site rules read far fewer of a run's articles than they read of the
    recent runs', naming each template (`A-2020`: the articles each read) that fell so."""
    if saved < MIN_ARTICLES:
        return []
    history = [
        (run.templates, run.saved)
        for run in earlier
        if run.templates is not None and run.saved >= MIN_ARTICLES
    ][:RECENT_RUNS]
    if not history:
        return []
    share = sum(templates.values()) / saved
    average = sum(sum(t.values()) / n for t, n in history) / len(history)
    if not (average * saved >= MIN_EXPECTED and share < average * DROP_RATIO):
        return []
    stopped = []
    for name in sorted({name for t, _ in history for name in t}):
        before = sum(t.get(name, 0) / n for t, n in history) / len(history)
        if templates.get(name, 0) / saved < before * DROP_RATIO:
            stopped.append(f"{name} ({before:.0%} before)")
    return [
        f"possible redesign: the site rules read {share:.0%} of the articles, against"
        f" {average:.0%} over the last {len(history)} runs; stopped matching: " + ", ".join(stopped)
    ]


def generic_path(provenance: Mapping[str, str] | None) -> bool:
    """Whether the generic path read (some of) the article: a field of it came from a
    `generic…` heuristic. Provenance values are otherwise opaque here."""
    return any(value.startswith("generic") for value in (provenance or {}).values())


def site_template(provenance: Mapping[str, str] | None) -> str | None:
    """The site rules' template that read the article (`A-2020`), or None."""
    found = (value for value in (provenance or {}).values() if value.startswith(RULES))
    first = next(found, None)
    return None if first is None else first.removeprefix(RULES).split(":")[0]
