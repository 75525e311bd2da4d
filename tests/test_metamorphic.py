"""The generic path's body, unchanged when a real page changes in ways that do not change its
article (tests/helpers/metamorphic.py): its container, or the element above it, named like a
box; a share bar or a list of other stories inserted beside the paragraphs; the article moved
into a table cell; another story's card beside it. A sample of the mutations on the real pages
cached in tests/data/realpages that belong to the tuning half of the split (bench/realpages.py);
`bench extraction` runs every mutation on every page of ../shared/realpages and reports the
held-back half apart."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench import realpages
from tests.helpers.metamorphic import BOX_WORDS, Outcome, check_page, mutated

PAGES = Path(__file__).parent / "data" / "realpages"
CASES = json.loads((PAGES / "cases.json").read_text(encoding="utf-8"))["cases"]
CACHED = json.loads(gzip.decompress((PAGES / "truth-bodies.json.gz").read_bytes()))
TRUTH, HALVES = CACHED["bodies"], CACHED["halves"]
TUNING = [case for case in CASES if HALVES[case["id"]] == "tuning"]
# The sample: every mutation but the box classes of the ancestors above the container's parent.
SAMPLED = {f"class:{word}@{up}" for word in BOX_WORDS for up in (0, 1)}
SAMPLED |= {"share-bar", "related-list", "table-cell", "teaser"}


@pytest.mark.parametrize("case", TUNING, ids=[case["id"] for case in TUNING])
def test_a_real_page_changed_around_its_article_gives_the_same_body(case: dict[str, str]) -> None:
    page = gzip.decompress((PAGES / f"{case['id']}.html.gz").read_bytes())
    fetched_at = datetime.fromisoformat(case["fetched_at"]).replace(tzinfo=UTC)

    outcomes = check_page(
        case["id"], page, case["url"], fetched_at, TRUTH[case["id"]], SAMPLED.__contains__
    )

    assert len(SAMPLED) == len(outcomes)  # the container was found, and every mutation ran
    failed: list[Outcome] = [outcome for outcome in outcomes if not outcome.passed]
    assert [] == [(o.mutation, round(o.before, 3), round(o.after, 3)) for o in failed]


def test_the_container_is_found_from_the_truth_and_every_mutation_changes_the_page() -> None:
    case = CASES[0]
    page = gzip.decompress((PAGES / f"{case['id']}.html.gz").read_bytes()).decode("utf-8")

    changed = {name: mutated(page, TRUTH[case["id"]], name) for name in sorted(SAMPLED)}

    assert None not in changed.values()
    assert len(SAMPLED) == len(set(changed.values()))  # no two mutations give the same page


@pytest.mark.skipif(not (realpages.FOLDER / "score.py").exists(), reason="no ../shared/realpages")
def test_the_cached_halves_are_the_splits() -> None:
    score = realpages.scorer()
    halves = realpages.halves(score.pages())
    assert {case["id"]: halves[case["id"]] for case in CASES} == HALVES
    assert 0 < len(TUNING) < len(CASES)
