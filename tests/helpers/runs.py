"""A run as the archive holds it (`archive.runs.Run`), made by hand for a test."""

from __future__ import annotations

from typing import Any

from archive.runs import Run


def a_run(**changes: Any) -> Run:
    """A finished crawl run with nothing in it, but for `changes`."""
    fields: dict[str, Any] = {
        "id": 1,
        "started_at": "2026-12-06T01:00:00+00:00",
        "finished_at": "2026-12-06T01:10:00+00:00",
        "outcome": "finished",
        "reason": None,
        "options": {"command": "crawl"},
        "pages_fetched": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
        "failed_articles": 0,
        "failed_pages": 0,
        "counted_at": "2026-12-06T01:10:00+00:00",
        "fill_rates": None,
        "generic_share": None,
        "templates": None,
        "warnings": [],
    }
    return Run(**(fields | changes))
