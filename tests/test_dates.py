"""Dates: every visible form, machine-readable first, the header clock never, no date → None."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from archive.dates import DateError, parse_iso, setting_time, site_iso, utc_iso
from archive.site import SITE_TZ
from pipelines.extraction import extract
from pipelines.extraction.dates import (
    find_visible,
    parse_updated,
    parse_visible,
)
from pipelines.extraction.page import Page
from pipelines.extraction.record import explain
from pipelines.extraction.text import is_clock

FETCHED = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
URL = "https://www.bienphong.com.vn/mot-bai-bao-post450001.html"
CLOCK = "Chủ nhật, 01/10/2023 04:13 GMT+7"


def visible(text: str) -> str | None:
    found = parse_visible(text, FETCHED)
    return site_iso(found) if found else None


@pytest.mark.parametrize(
    "text",
    [
        "Thứ Hai, 02/10/2023 | 08:15",
        "02/10/2023 08:15",
        "08:15 | 02/10/2023",
        "Thứ hai, 2/10/2023 - 08:15 (GMT+7)",
        "Thứ Hai, 02/10/2023 | 08:15Cập nhật: 03/10/2023 09:00",
    ],
)
def test_every_visible_form_the_site_prints(text: str) -> None:
    assert "2023-10-02T08:15:00+07:00" == visible(text)


def test_human_written_dates_go_to_dateparser() -> None:
    assert "2023-10-02T08:15:00+07:00" == visible("Thứ hai, ngày 2 tháng 10 năm 2023 08:15")


def test_relative_dates_count_from_the_fetch_time() -> None:
    assert "2026-11-01T06:00:00+07:00" == visible("2 giờ trước")


def test_modified_line() -> None:
    found = parse_updated("Cập nhật: 03/10/2023 09:00", FETCHED)
    assert "2023-10-03T09:00:00+07:00" == (site_iso(found) if found else None)


def test_the_header_clock_is_never_a_date() -> None:
    assert is_clock(CLOCK)
    assert not is_clock("Thứ hai, 2/10/2023 - 08:15 (GMT+7)")
    assert None is visible(CLOCK)
    assert None is visible(f"Đường dây nóng: 0912011882 - (024) 39364407 {CLOCK}")


def page_html(meta: str = "", date: str = "") -> str:
    return (
        f"<html><head><title>Tin - Báo Biên phòng</title>{meta}</head><body>"
        f'<div class="top-bar"><span>Đường dây nóng: 0912011882</span> <span>{CLOCK}</span></div>'
        f"<main><h1>Tin</h1><div class='when'>{date}</div>"
        "<div class='text'><p>Chiều ngày 14/2, tại huyện Hạ Lang, hội nghị sơ kết diễn ra.</p>"
        "<p>Ngày 22-4-1959, ấn phẩm đầu tiên ra đời dưới dạng bản tin.</p></div></main>"
        "<footer><p>Giấy phép số 485/GP-BTTTT ngày 28/07/2021.</p></footer></body></html>"
    )


def test_a_page_with_no_date_keeps_published_at_null() -> None:
    record = extract(page_html(), URL, FETCHED)
    assert (None, None) == (record["published_at"], record["modified_at"])


def test_the_visible_date_beats_the_clock_before_it() -> None:
    record = extract(page_html(date="08:15 | 02/10/2023"), URL, FETCHED)
    assert "2023-10-02T08:15:00+07:00" == record["published_at"]


def test_visible_dates_and_modified_line_are_found_on_an_unknown_template() -> None:
    page = Page.parse(page_html(date="02/10/2023 08:15 <i>Cập nhật: 03/10/2023 09:00</i>"), URL)
    assert ("02/10/2023 08:15", "Cập nhật: 03/10/2023 09:00") == find_visible(page.root, FETCHED)


def test_machine_readable_dates_come_first() -> None:
    meta = (
        '<meta property="article:published_time" content="2023-10-02T01:15:00+00:00">'
        '<meta property="article:modified_time" content="2023-10-03T09:00:00+07:00">'
    )
    record = extract(page_html(meta, date="01/01/2020 00:00"), URL, FETCHED)
    assert "2023-10-02T08:15:00+07:00" == record["published_at"]
    assert "2023-10-03T09:00:00+07:00" == record["modified_at"]


def test_json_ld_dates() -> None:
    meta = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Tin",'
        ' "datePublished": "2023-10-02T08:15:00+07:00",'
        ' "dateModified": "2023-10-03T09:00:00+07:00"}</script>'
    )
    record = extract(page_html(meta), URL, FETCHED)
    assert "2023-10-02T08:15:00+07:00" == record["published_at"]
    assert "2023-10-03T09:00:00+07:00" == record["modified_at"]


def test_template_a_date_and_update_elements() -> None:
    html = (
        "<html><body>"
        f'<div class="top-bar"><span class="top-bar-date">{CLOCK}</span></div>'
        '<h1 class="bp-detail-content-title-h1">Tin</h1>'
        '<div class="bp-detail-meta"><span class="bp-date-time">Thứ hai, 2/10/2023 - 08:15 (GMT+7)'
        '</span><span class="date-update">Cập nhật: 03/10/2023 09:00</span></div>'
        '<div class="bp-detail-text-content"><p>Một đoạn.</p></div></body></html>'
    )
    record = extract(html, URL, FETCHED)
    assert "2023-10-02T08:15:00+07:00" == record["published_at"]
    assert "2023-10-03T09:00:00+07:00" == record["modified_at"]


def test_the_archives_own_moments_are_utc_to_the_second() -> None:
    in_hanoi = datetime(2026, 11, 1, 8, 0, 0, 123456, tzinfo=SITE_TZ)
    assert "2026-11-01T01:00:00+00:00" == utc_iso(in_hanoi)
    assert "2026-11-01T01:00:00+00:00" == utc_iso(datetime(2026, 11, 1, 1, 0))  # naive: UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-05T08:15:00+07:00", datetime(2024, 1, 5, 8, 15, tzinfo=SITE_TZ)),
        (" 2024-01-05T01:15:00Z ", datetime(2024, 1, 5, 1, 15, tzinfo=UTC)),
        ("2024-01-05", datetime(2024, 1, 5)),  # no zone given: as naive as it came
        ("5/1/2024", None),
        ("", None),
        (None, None),
        (20240105, None),
    ],
)
def test_iso_text_is_read_by_one_lenient_parser(text: object, expected: datetime | None) -> None:
    assert expected == parse_iso(text)


def test_a_moment_without_an_offset_takes_the_zone_it_is_read_on() -> None:
    assert datetime(2024, 1, 5, tzinfo=SITE_TZ) == parse_iso("2024-01-05", SITE_TZ)
    assert datetime(2024, 1, 5, 1, tzinfo=UTC) == parse_iso("2024-01-05T08:00:00+07:00", UTC)
    assert datetime(2024, 1, 5, tzinfo=UTC) == parse_iso(datetime(2024, 1, 5), UTC)


def test_a_time_setting_is_a_datetime_or_iso_text_on_the_sites_clock() -> None:
    in_hanoi = datetime(2024, 1, 5, tzinfo=SITE_TZ)
    assert in_hanoi == setting_time(in_hanoi, "BIENPHONG_SINCE")
    assert in_hanoi == setting_time("2024-01-05", "BIENPHONG_SINCE")
    assert None is setting_time(None, "BIENPHONG_SINCE")
    message = "BIENPHONG_SINCE is not an ISO 8601 time: 'last week'"
    with pytest.raises(DateError, match=f"^{re.escape(message)}$"):
        setting_time("last week", "BIENPHONG_SINCE")


def test_an_articles_dates_are_written_on_the_sites_clock() -> None:
    assert "2024-01-05T08:00:00+07:00" == site_iso(datetime(2024, 1, 5, 1, tzinfo=UTC))
    assert "2024-01-05T08:00:00+07:00" == site_iso(datetime(2024, 1, 5, 8))  # naive: site time


@pytest.mark.parametrize(
    ("url", "meta"),
    [
        ("https://www.example.org/2024/03/05/tuan-tra-bien-gioi/", ""),  # the address's date
        (URL, '<meta name="pubdate" content="2024-03-05">'),
        (URL, '<meta itemprop="datePublished" content="2024-03-05">'),
    ],
)
def test_a_date_stated_only_where_the_rules_do_not_look_is_htmldates_day(
    url: str, meta: str
) -> None:
    found = explain(page_html(meta=meta), url, FETCHED, site_rules=False)
    assert ("2024-03-05T00:00:00+07:00", "htmldate") == (
        found.record["published_at"],
        found.provenance["published_at"],
    )
