"""The article record's contract, and a hand-made record and raw page to archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.pages import RawPage
from archive.schema import JSON_FIELDS
from archive.store import Archive

# The article record's keys in order, as shared/article-record.md writes them: the contract
# every output is held to, written out here rather than taken from the code under test.
RECORD_KEYS = [
    "post_id",
    "url",
    "kind",
    "section",
    "title",
    "sapo",
    "body",
    "authors",
    "source",
    "published_at",
    "modified_at",
    "tags",
    "images",
    "video_url",
    "word_count",
    "fetched_at",
    "extractor_version",
]
# The raw page `make_page` stores unless told otherwise: large enough to compress well.
HTML = (
    "<html><head><title>Đồn Biên phòng Cửa khẩu Quốc tế Lào Cai</title></head><body>"
    + "<p>Bộ đội Biên phòng tuần tra song phương.</p>" * 200
    + "</body></html>"
).encode()


def make_record(**changes: Any) -> dict[str, Any]:
    """Post 532158, a two-author article with one image, with `changes` applied."""
    record: dict[str, Any] = {
        "post_id": 532158,
        "url": "https://www.bienphong.com.vn/don-bien-phong-tuan-tra-post532158.html",
        "kind": "article",
        "section": "bien-phong-toan-dan",
        "title": "Đồn Biên phòng tuần tra song phương",
        "sapo": "Sáng 14-2, Đồn Biên phòng phối hợp tuần tra.",
        "body": "Đoạn một.\n\nĐoạn hai.",
        "authors": ["Nông Văn Tuấn", "Thu Hà"],
        "source": None,
        "published_at": "2025-02-14T16:30:00+07:00",
        "modified_at": None,
        "tags": ["BĐBP Lào Cai", "tuần tra"],
        "images": [
            {
                "url": "https://files.bienphong.com.vn//bbpmedia/media/730/2025/2/14/a.jpg",
                "caption": "Quang cảnh hội nghị.",
                "credit": "Nông Văn Tuấn",
            }
        ],
        "video_url": None,
        "word_count": 4,
        "fetched_at": "2025-02-15T01:00:00+00:00",
        "extractor_version": "bienphong-1",
    }
    return record | changes


FETCHED_AT = datetime(2025, 2, 15, 1, tzinfo=UTC)


def record_row(record: dict[str, Any]) -> dict[str, Any]:
    """The record as an `articles` row holds it (JSON fields as text), for a test that writes
    rows around the store, as another tool would."""
    return {
        key: json.dumps(value, ensure_ascii=False) if key in JSON_FIELDS else value
        for key, value in record.items()
    }


def make_page(body: bytes = HTML, fetched_at: datetime = FETCHED_AT) -> RawPage:
    """Post 532158's raw page as the mirror on port 8765 served it."""
    return RawPage(
        url="https://www.bienphong.com.vn/don-bien-phong-tuan-tra-post532158.html",
        final_url="http://127.0.0.1:8765/don-bien-phong-tuan-tra-post532158.html",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'},
        body=body,
        fetched_at=fetched_at,
    )


def one_article_archive(path: Path) -> Path:
    """An archive at `path` holding post 532158 (`make_record`, `make_page`), and no run."""
    with Archive(path) as archive:
        archive.save_article(make_record(), make_page(), None)
    return path
