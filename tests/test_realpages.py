"""The generic path on real article pages of other newspapers: markup nobody here wrote, as a
redesigned bienphong.com.vn will be. Each page asserts what its publisher's expected output
says the article is, and that the page's boilerplate stays out (tests/data/realpages)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipelines.extraction import explain

PAGES = Path(__file__).parent / "data" / "realpages"
CASES = json.loads((PAGES / "cases.json").read_text(encoding="utf-8"))["cases"]


def extracted(case: dict[str, Any]) -> dict[str, Any]:
    html = gzip.decompress((PAGES / f"{case['id']}.html.gz").read_bytes())
    fetched_at = datetime.fromisoformat(case["fetched_at"]).replace(tzinfo=UTC)
    return explain(html, case["url"], fetched_at, site_rules=False).record


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_real_page_gives_its_article_and_none_of_its_boilerplate(case: dict[str, Any]) -> None:
    record = extracted(case)
    for text in case["body_has"]:
        assert text in record["body"], text
    for text in case["body_lacks"]:
        assert text not in record["body"], text
    if "authors" in case:
        assert case["authors"] == record["authors"]
    if "title" in case:
        assert case["title"] == record["title"]
    if "sapo_starts" in case:
        assert (record["sapo"] or "").startswith(case["sapo_starts"])
    if "published" in case:
        published = datetime.fromisoformat(record["published_at"])
        expected = datetime.fromisoformat(case["published"])
        assert expected.replace(second=0, microsecond=0) == published.astimezone(
            expected.tzinfo
        ).replace(second=0, microsecond=0)


def test_every_real_page_case_names_its_source_and_asserts_the_body() -> None:
    assert [] == [c["id"] for c in CASES if not c["body_has"] or not c["source"]["commit"]]
    assert sorted(p.name for p in PAGES.glob("*.html.gz")) == sorted(
        f"{c['id']}.html.gz" for c in CASES
    )
