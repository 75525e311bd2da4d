"""Markup drift: a run whose fill rate for a field falls well below the archive's recent runs.

When the site redesigns, extraction rarely fails loudly: dates or bylines simply stop being
found. Comparing each run's per-field fill rates with the recent average catches that.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# A field drifts when its rate falls below this share of the recent average...
DROP_RATIO = 0.6
# ...and runs this small say nothing either way...
MIN_ARTICLES = 10
# ...nor does a field the recent runs would have found in fewer of this run's articles than
# this: a rare field (source, modified_at, video_url: a few in a hundred) missing from a run
# of 20 articles is chance, not drift.
MIN_EXPECTED = 5
RECENT_RUNS = 10


def drift_warnings(
    rates: dict[str, float], saved: int, earlier: Sequence[dict[str, Any]]
) -> list[str]:
    """One warning per field of `rates` that fell well below its average over `earlier` runs.

    `earlier` are runs as `archive.runs.get_runs` returns them, newest first.
    """
    if saved < MIN_ARTICLES:
        return []
    history = [
        run["fill_rates"]
        for run in earlier
        if run.get("fill_rates") and _saved(run) >= MIN_ARTICLES
    ][:RECENT_RUNS]
    warnings = []
    for field, rate in rates.items():
        past = [h[field] for h in history if field in h]
        if not past:
            continue
        average = sum(past) / len(past)
        if average * saved >= MIN_EXPECTED and rate < average * DROP_RATIO:
            warnings.append(
                f"possible markup drift: {field} found in {rate:.0%} of articles, "
                f"against {average:.0%} over the last {len(past)} runs"
            )
    return warnings


def _saved(run: dict[str, Any]) -> int:
    return int(run.get("new", 0)) + int(run.get("updated", 0)) + int(run.get("unchanged", 0))


def generic_path(provenance: Mapping[str, str] | None) -> bool:
    """Whether the generic path read (some of) the article: a field of it came from a
    `generic…` heuristic. Provenance values are otherwise opaque here."""
    return any(value.startswith("generic") for value in (provenance or {}).values())
