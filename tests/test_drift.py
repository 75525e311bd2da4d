"""archive.drift: which drops are markup drift, comparing like with like: new articles with the
recent runs' new articles, articles fetched again with their own earlier versions, and the site
rules' share of a run's articles with the recent runs' shares."""

from __future__ import annotations

from archive.drift import fill_drift, generic_path, lost_drift, rules_drift, site_template
from archive.runs import Run
from tests.helpers.runs import a_run


def runs(
    fill_rates: dict[str, float] | None = None,
    new: int = 0,
    templates: dict[str, int] | None = None,
    unchanged: int = 0,
    count: int = 3,
) -> list[Run]:
    """`count` earlier runs as `archive.runs.get_runs` returns them."""
    return [a_run(fill_rates=fill_rates, new=new, unchanged=unchanged, templates=templates)] * count


def test_a_field_outside_the_first_five_is_watched_too() -> None:
    earlier = runs({"tags": 0.9, "published_at": 1.0}, new=50)
    assert [
        "possible markup drift: tags found in 10% of new articles, against 90% over the last 3 runs"
    ] == fill_drift({"tags": 0.1, "published_at": 1.0}, 50, earlier)


def test_a_rare_field_missing_from_a_small_run_is_chance_not_drift() -> None:
    earlier = runs({"modified_at": 0.05, "video_url": 0.02}, new=100)
    assert [] == fill_drift({"modified_at": 0.0, "video_url": 0.0}, 20, earlier)


def test_a_rare_field_missing_from_a_large_run_is_drift() -> None:
    earlier = runs({"modified_at": 0.05}, new=100)
    assert [
        "possible markup drift: modified_at found in 0% of new articles, "
        "against 5% over the last 3 runs"
    ] == fill_drift({"modified_at": 0.0}, 200, earlier)


def test_a_fall_two_samples_of_their_size_show_by_chance_is_not_drift() -> None:
    # 28 of 100 articles with a source, then 65 of 400: a z-score of 2.7, the mirror's drawing.
    assert [] == fill_drift({"source": 0.1625}, 400, runs({"source": 0.28}, new=100, count=1))
    # The same fall after three such runs (300 articles) is past chance: z = 3.8.
    assert [
        "possible markup drift: source found in 16% of new articles, against 28% over the last"
        " 3 runs"
    ] == fill_drift({"source": 0.1625}, 400, runs({"source": 0.28}, new=100))


def test_a_field_never_found_before_is_not_drift() -> None:
    assert [] == fill_drift({"source": 0.0}, 500, runs({"source": 0.0}, new=500))


def test_new_articles_are_compared_only_with_runs_that_had_new_articles() -> None:
    # A recheck or a refetch of old articles sets no standard for new ones, nor does a run of
    # too few new articles.
    rechecks = runs({"modified_at": 0.9}, new=2, unchanged=300)
    assert [] == fill_drift({"modified_at": 0.0}, 40, rechecks)
    assert [] == fill_drift({"modified_at": 0.0}, 5, runs({"modified_at": 0.9}, new=50))


def test_articles_fetched_again_drift_when_most_lost_a_field_they_had() -> None:
    assert [
        "possible markup drift: published_at lost from 95% of the 60 articles fetched again"
        " (their earlier version had it)"
    ] == lost_drift({"published_at": 57, "modified_at": 2}, 60)
    assert [] == lost_drift({"published_at": 30}, 60)  # half: a mixed bag, not the markup
    assert [] == lost_drift({"published_at": 5}, 5)  # too few to say


def test_the_site_rules_reading_far_fewer_articles_is_a_redesign_naming_the_templates() -> None:
    earlier = runs(new=100, templates={"A-2020": 60, "B-2021": 20, "media-2021": 5})
    assert [
        "possible redesign: the site rules read 5% of the articles, against 85% over the last 3"
        " runs; stopped matching: A-2020 (60% before), B-2021 (20% before)"
    ] == rules_drift({"media-2021": 5}, 100, earlier)
    assert [] == rules_drift({"A-2020": 55, "B-2021": 22, "media-2021": 4}, 100, earlier)
    assert [] == rules_drift({}, 100, runs(new=100))  # no run recorded its templates yet


def test_an_article_with_a_field_from_the_generic_path_counts_as_read_by_it() -> None:
    assert [True, True, False, False, False] == [
        generic_path({"title": "jsonld:headline", "body": "generic:article-text"}),
        generic_path({"title": "generic:headline", "tags": "generic:tag-links"}),  # no body
        generic_path({"title": "rules:A-2020", "published_at": "jsonld:datePublished"}),
        generic_path({}),
        generic_path(None),
    ]


def test_the_template_that_read_an_article_is_named_by_its_provenance() -> None:
    assert ["A-2020", None, None] == [
        site_template({"title": "rules:A-2020", "published_at": "jsonld:datePublished"}),
        site_template({"title": "generic:headline"}),
        site_template(None),
    ]
