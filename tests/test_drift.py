"""archive.drift: which drops in fill rate are markup drift; which pages the generic path read."""

from __future__ import annotations

from typing import Any

from archive.drift import drift_warnings, generic_path


def runs(fill_rates: dict[str, float], new: int, count: int = 3) -> list[dict[str, Any]]:
    """`count` earlier runs as `archive.runs.get_runs` returns them, each of `new` new articles."""
    return [{"fill_rates": fill_rates, "new": new, "updated": 0, "unchanged": 0}] * count


def test_a_field_outside_the_first_five_is_watched_too() -> None:
    earlier = runs({"tags": 0.9, "published_at": 1.0}, new=50)
    assert [
        "possible markup drift: tags found in 10% of articles, against 90% over the last 3 runs"
    ] == drift_warnings({"tags": 0.1, "published_at": 1.0}, 50, earlier)


def test_a_rare_field_missing_from_a_small_run_is_chance_not_drift() -> None:
    earlier = runs({"modified_at": 0.05, "video_url": 0.02}, new=100)
    assert [] == drift_warnings({"modified_at": 0.0, "video_url": 0.0}, 20, earlier)


def test_a_rare_field_missing_from_a_large_run_is_drift() -> None:
    earlier = runs({"modified_at": 0.05}, new=100)
    assert [
        "possible markup drift: modified_at found in 0% of articles, "
        "against 5% over the last 3 runs"
    ] == drift_warnings({"modified_at": 0.0}, 200, earlier)


def test_a_field_never_found_before_is_not_drift() -> None:
    assert [] == drift_warnings({"source": 0.0}, 500, runs({"source": 0.0}, new=500))


def test_an_article_with_a_field_from_the_generic_path_counts_as_read_by_it() -> None:
    assert [True, True, False, False, False] == [
        generic_path({"title": "jsonld:headline", "body": "generic:article-text"}),
        generic_path({"title": "generic:headline", "tags": "generic:tag-links"}),  # no body
        generic_path({"title": "rules:A-2020", "published_at": "jsonld:datePublished"}),
        generic_path({}),
        generic_path(None),
    ]
