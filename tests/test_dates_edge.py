"""Dates out of the years a newspaper can carry (before 1900, or after the year after the page
was fetched) are a fault of the page: passed over for the page's other dates, else stored as
unknown with the reason in the record's provenance; archived before this rule, they read as
unknown, and the web page answers (before, an article dated 9999-12-31 made every search that
found it answer 500)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.store import Archive
from pipelines.extraction import explain
from tests.helpers.cli import invoke
from tests.helpers.loopback import fetch, fetch_body
from tests.helpers.records import make_page, make_record
from tests.helpers.web import serving
from tests.mirror import Mirror

FETCHED = datetime(2026, 12, 7, 2, tzinfo=UTC)
PAGE = (
    "<html><head><title>Tuần tra biên giới</title>"
    '<meta property="article:published_time" content="{published}">'
    "</head><body><article><h1>Tuần tra biên giới</h1>"
    + "<p>Bộ đội Biên phòng tỉnh phối hợp tuần tra song phương trên tuyến biên giới.</p>" * 12
    + "</article></body></html>"
)
URL = "https://www.bienphong.com.vn/tuan-tra-bien-gioi-post532158.html"


@pytest.mark.parametrize(
    ("published", "stored", "source"),
    [
        ("9999-12-31T00:00:00+07:00", None, "(9999-12-31 in meta:article:published_time)"),
        ("1111-11-11T00:00:00+07:00", None, "(1111-11-11 in meta:article:published_time)"),
        ("2028-01-01T08:00:00+07:00", None, "(2028-01-01 in meta:article:published_time)"),
        ("2027-06-01T08:00:00+07:00", "2027-06-01T08:00:00+07:00", "meta:article:published_time"),
        ("1900-01-01T08:00:00+07:00", "1900-01-01T08:00:00+07:00", "meta:article:published_time"),
    ],
)
def test_a_page_whose_only_date_is_out_of_the_years_stores_it_as_unknown(
    published: str, stored: str | None, source: str
) -> None:
    found = explain(PAGE.format(published=published), URL, FETCHED)

    assert stored == found.record["published_at"]
    expected = source if stored else f"unknown: out of the years a newspaper carries {source}"
    assert expected == found.provenance["published_at"]


def test_a_date_out_of_the_years_is_passed_over_for_the_pages_visible_date(
    mirror: Mirror,
) -> None:
    truth = next(
        record
        for index, record in enumerate(mirror.site.truth())
        if mirror.site.article(index).og and not mirror.site.article(index).jsonld
    )
    html = fetch_body(mirror.base_url, truth["url"].removeprefix("https://www.bienphong.com.vn"))
    meta = f'content="{datetime.fromisoformat(truth["published_at"]).isoformat()}"'
    assert meta.encode() in html
    spoiled = html.replace(meta.encode(), b'content="9999-12-31T00:00:00+07:00"')

    found = explain(spoiled, truth["url"], FETCHED)

    assert truth["published_at"] == found.record["published_at"]
    assert not found.provenance["published_at"].startswith("meta:")


def test_a_date_archived_before_reads_as_unknown_and_the_web_page_answers(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    record = make_record(published_at="9999-12-31T00:00:00+07:00")
    with Archive(db) as archive:
        archive.save_article(record, make_page(), run_id=None)

    shown = invoke("show", "--db", str(db), "532158", "--json")
    with serving(db) as base_url:
        page = fetch(base_url, "/search?q=tu%E1%BA%A7n+tra")

    assert 0 == shown.exit_code, shown.output
    assert None is json.loads(shown.output)["published_at"]
    assert 200 == page.status
    assert "9999" not in page.text
