"""`bienphong serve`'s pages over real HTTP on loopback: search, facets, pagination, export,
articles, 404, escaping of hostile text, security headers, and an archive the web cannot write.

Each app runs in a uvicorn server on a thread, on a loopback port the system picks.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from html import escape as html_escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from markupsafe import escape

from archive.store import Archive
from archive.web import PAGE_SIZE, Site, listen
from bienphong.cli import cli
from tests.helpers.crawl import crawl, new_or_corrected
from tests.helpers.fixtures import CrawledArchive, MakeMirror
from tests.helpers.loopback import Response, fetch
from tests.helpers.records import make_page, make_record
from tests.helpers.search import folded, text_words
from tests.helpers.web import assert_security_headers, serving
from tests.mirror.site import SECTIONS

# The sections' names from the mirror's own model of the site.
SECTION_NAMES = {section.slug: section.name for section in SECTIONS}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def site(crawled_archive: CrawledArchive) -> Iterator[str]:
    with serving(crawled_archive.db) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def truth(crawled_archive: CrawledArchive) -> list[dict[str, Any]]:
    return list(crawled_archive.site.truth())


def get(base_url: str, path: str, **params: str) -> Response:
    return fetch(base_url, path + ("?" + urlencode(params) if params else ""))


def hit_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a class="title" href="/article/(\d+)', html)]


# Pages


def test_home_lists_the_latest_articles_in_vietnamese(
    site: str, truth: list[dict[str, Any]]
) -> None:
    page = get(site, "/")
    assert 200 == page.status
    assert "text/html; charset=utf-8" == page.headers["content-type"]
    assert '<html lang="vi">' in page.text
    newest = sorted(truth, key=lambda r: (r["published_at"], r["post_id"]), reverse=True)
    assert [r["post_id"] for r in newest[:PAGE_SIZE]] == hit_ids(page.text)
    assert "Kho lưu trữ Báo Biên phòng" in page.text


def test_search_marks_the_matched_words_as_written(site: str) -> None:
    page = get(site, "/search", q="dang uy bdbp")
    assert 200 == page.status
    marks = set(re.findall(r"<mark>([^<]*)</mark>", page.text))
    assert {"Đảng", "ủy", "BĐBP"} <= marks
    assert all(folded({m}) <= {"dang", "uy", "bdbp"} for m in marks)


def test_search_results_facets_and_pagination(site: str, truth: list[dict[str, Any]]) -> None:
    matching = [r for r in truth if "dao" in folded(set(text_words(r)))]
    first = get(site, "/search", q="dao")
    second = get(site, "/search", q="dao", page="2")
    assert f"1–20 / {len(matching)} bài" in first.text
    assert f"21–40 / {len(matching)} bài" in second.text
    assert set() == set(hit_ids(first.text)) & set(hit_ids(second.text))
    assert 'rel="next" href="/search?q=dao&amp;page=2"' in first.text
    sections = Counter(r["section"] for r in matching).most_common(1)[0]
    assert (
        f'<a href="/search?q=dao&amp;section={sections[0]}">{SECTION_NAMES[sections[0]]}</a>'
        f" <span>{sections[1]}</span>" in first.text
    )
    filtered = get(site, "/search", q="dao", section=sections[0])
    assert f"1–{min(20, sections[1])} / {sections[1]} bài" in filtered.text


def test_author_and_month_facets(site: str, truth: list[dict[str, Any]]) -> None:
    page = get(site, "/search", q="", section="kinh-te")
    in_section = [r for r in truth if r["section"] == "kinh-te"]
    months = Counter(r["published_at"][:7] for r in in_section)
    newest = max(months)
    year, month = newest.split("-")
    shown = f">tháng {int(month)}/{year}</a>"  # the month as a Vietnamese reader writes it
    assert f"<span>{months[newest]}</span>" in page.text.split(shown)[1][:30]
    assert f"section=kinh-te&amp;since={year}-{month}-01&amp;until={year}-{month}-" in page.text
    authors = Counter(a for r in in_section for a in r["authors"])
    name, count = authors.most_common(1)[0]
    link = (
        f'<a href="/search?section=kinh-te&amp;author={quote(name.replace(" ", "+"), safe="+")}">'
    )
    assert f"{link}{name}</a> <span>{count}</span>" in page.text


def test_tags_are_a_facet_a_filter_and_the_article_pages_links(
    site: str, truth: list[dict[str, Any]]
) -> None:
    tags = Counter(tag for r in truth for tag in r["tags"])
    tag, count = tags.most_common(1)[0]
    page = get(site, "/search")
    link = f'<a href="/search?tag={quote(tag.replace(" ", "+"), safe="+")}">'
    assert f"{link}{html_escape(tag)}</a> <span>{count}</span>" in page.text
    filtered = get(site, "/search", tag=tag)
    expected = sorted(
        (r for r in truth if tag in r["tags"]),
        key=lambda r: (r["published_at"], r["post_id"]),
        reverse=True,
    )
    assert f"1–{min(20, count)} / {count} bài" in filtered.text
    assert [r["post_id"] for r in expected[:20]] == hit_ids(filtered.text)
    tagged = expected[0]
    article = get(site, f"/article/{tagged['post_id']}")
    assert f'<a href="/search?tag={quote(tag)}">{html_escape(tag)}</a>' in article.text


def test_results_sort_by_relevance_newest_or_oldest(site: str, truth: list[dict[str, Any]]) -> None:
    matching = [r for r in truth if "dao" in folded(set(text_words(r)))]
    by_date = sorted(matching, key=lambda r: (r["published_at"], r["post_id"]))
    newest = get(site, "/search", q="dao", sort="newest")
    assert [r["post_id"] for r in by_date[::-1][:20]] == hit_ids(newest.text)
    assert "<strong>Mới nhất</strong>" in newest.text
    oldest = get(site, "/search", q="dao", sort="oldest")
    assert [r["post_id"] for r in by_date[:20]] == hit_ids(oldest.text)
    relevance = get(site, "/search", q="dao")
    assert "<strong>Phù hợp nhất</strong>" in relevance.text
    assert sorted(hit_ids(relevance.text)) != sorted(hit_ids(newest.text)) or len(matching) <= 20
    refused = get(site, "/search", q="dao", sort="random")
    assert 400 == refused.status
    assert "Không có cách xếp &#39;random&#39;: chọn Mới nhất, Cũ nhất." in refused.text


def test_export_link_streams_the_result_set(site: str, truth: list[dict[str, Any]]) -> None:
    page = get(site, "/search", q="đảo", section="kinh-te")
    assert 'href="/export.jsonl?q=%C4%91%E1%BA%A3o&amp;section=kinh-te"' in page.text
    export = get(site, "/export.jsonl", q="đảo", section="kinh-te")
    assert 200 == export.status
    assert "application/x-ndjson; charset=utf-8" == export.headers["content-type"]
    records = [json.loads(line) for line in export.text.splitlines()]
    expected = sorted(
        (r["published_at"], r["post_id"])
        for r in truth
        if r["section"] == "kinh-te" and "đảo" in set(text_words(r))
    )
    assert [post_id for _, post_id in expected] == [r["post_id"] for r in records]
    assert {k: v for k, v in records[0].items() if k in truth[0]} == next(
        r for r in truth if r["post_id"] == records[0]["post_id"]
    )


# The pages as an API: the same URL with .json or .csv before the query string


def test_a_results_page_as_json_pages_through_the_whole_set(
    site: str, truth: list[dict[str, Any]]
) -> None:
    matching = sorted(
        (r for r in truth if "dao" in folded(set(text_words(r)))),
        key=lambda r: (r["published_at"], r["post_id"]),
    )
    by_id = {r["post_id"]: r for r in matching}
    answer = get(site, "/search.json", q="dao", sort="oldest")
    assert 200 == answer.status
    assert "application/json" == answer.headers["content-type"]
    assert_security_headers(answer.headers)
    first = json.loads(answer.text)
    assert ["total", "results", "facets", "next", "previous"] == list(first)
    assert (len(matching), None) == (first["total"], first["previous"])
    assert f"{site}/search.json?q=dao&sort=oldest&page=2" == first["next"]
    sections = Counter(r["section"] for r in matching)
    assert [{"value": v, "count": n} for v, n in sections.most_common()][:3] == (
        first["facets"]["section"][:3]
    )
    hit = first["results"][0]
    assert [*(k for k in by_id[hit["post_id"]] if k != "body"), "snippet", "rank"] == [
        k for k in hit if k in by_id[hit["post_id"]] or k in ("snippet", "rank")
    ]
    assert "**" in hit["snippet"] or "dao" in folded({hit["title"]})
    # Following `next` to the end reads the whole set, in order, each hit its record.
    found, page = [], first
    while True:
        for result in page["results"]:
            expected = {k: v for k, v in by_id[result["post_id"]].items() if k != "body"}
            assert expected == {k: v for k, v in result.items() if k in expected}
            found.append(result["post_id"])
        if page["next"] is None:
            break
        page = json.loads(fetch(site, page["next"].removeprefix(site)).text)
    assert [r["post_id"] for r in matching] == found
    assert page["previous"] is not None


def test_a_results_page_as_csv_has_the_exports_columns_but_the_body(
    site: str, truth: list[dict[str, Any]]
) -> None:
    matching = sorted(
        (r for r in truth if r["section"] == "kinh-te"),
        key=lambda r: (r["published_at"], r["post_id"]),
        reverse=True,
    )
    answer = get(site, "/search.csv", section="kinh-te", page="2")
    assert 200 == answer.status
    assert "text/csv; charset=utf-8" == answer.headers["content-type"]
    assert answer.text.startswith("\ufeffpost_id,url,kind,section,title,sapo,authors,")
    rows = list(csv.DictReader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    assert "body" not in rows[0]
    assert [str(r["post_id"]) for r in matching[20:40]] == [row["post_id"] for row in rows]
    assert "; ".join(matching[20]["authors"]) == rows[0]["authors"]
    page = get(site, "/search", section="kinh-te", page="2")
    assert (
        '<link rel="alternate" type="text/csv" href="/search.csv?section=kinh-te&amp;page=2">'
        in (page.text)
    )


def test_an_article_as_json_is_its_record(site: str, truth: list[dict[str, Any]]) -> None:
    record = truth[7]
    answer = get(site, f"/article/{record['post_id']}.json")
    assert 200 == answer.status
    assert record == {k: v for k, v in json.loads(answer.text).items() if k in record}


def test_the_machine_answers_refuse_what_the_pages_refuse(site: str) -> None:
    message = "Câu tìm kết thúc bằng một toán tử: hãy thêm một từ sau nó."
    refused = get(site, "/search.json", q="bien AND")
    assert 400 == refused.status
    assert {"status": 400, "vietnamese": message} == {
        k: v for k, v in json.loads(refused.text).items() if k != "error"
    }
    assert 400 == get(site, "/search.csv", q="bien AND").status
    assert message in get(site, "/search.csv", q="bien AND").text
    missing = get(site, "/article/999999999.json")
    assert 404 == missing.status
    assert {"status": 404, "error": "not found"} == {
        k: v for k, v in json.loads(missing.text).items() if k != "vietnamese"
    }
    assert_security_headers(missing.headers)


# Following a search: its Atom feed

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(feed: Response) -> list[dict[str, Any]]:
    """The feed's entries: post id (from the archive's link), updated, published, title."""
    root = ElementTree.fromstring(feed.body)
    found = []
    for entry in root.iter(f"{ATOM}entry"):
        link = next(e for e in entry.iter(f"{ATOM}link") if e.get("rel") == "alternate")
        found.append(
            {
                "post_id": int(str(link.get("href")).rsplit("/", 1)[1]),
                "updated": entry.findtext(f"{ATOM}updated"),
                "published": entry.findtext(f"{ATOM}published"),
                "title": entry.findtext(f"{ATOM}title"),
                "id": entry.findtext(f"{ATOM}id"),
            }
        )
    return found


def test_a_search_feed_changes_only_when_a_crawl_adds_or_corrects_a_match(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=60, seed=4, new_per_day=3, edits_per_day=1)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    day_0 = {r["post_id"]: r for r in mirror.site.truth()}
    mirror.set_day(1)
    truth = {r["post_id"]: r for r in mirror.site.truth()}
    written = new_or_corrected(mirror, day_0)
    touched = {truth[post_id]["section"] for post_id in written}
    untouched = sorted({r["section"] for r in truth.values()} - touched)[0]
    with serving(db) as base_url:
        page = get(base_url, "/search", section=untouched)
        title = f"Báo Biên phòng – bài mới, {SECTION_NAMES[untouched]}"
        feed = f"/search.atom?section={untouched}"
        assert (
            f'<link rel="alternate" type="application/atom+xml" title="{title}" href="{feed}">'
        ) in page.text
        assert f'<a class="feed" href="{feed}">' in page.text
        every, quiet = (
            get(base_url, "/search.atom"),
            get(base_url, "/search.atom", section=untouched),
        )
        assert 200 == every.status
        assert "application/atom+xml; charset=utf-8" == every.headers["content-type"]
        assert_security_headers(every.headers)
        listed = entries(every)
        assert 50 == len(listed)  # the latest 50 of the 60
        assert {e["post_id"] for e in listed} <= day_0.keys()
        for entry in listed:  # each its article, its published date shown
            record = day_0[entry["post_id"]]
            assert (record["url"], record["title"], record["published_at"]) == (
                entry["id"],
                entry["title"],
                entry["published"],
            )
        assert sorted(e["updated"] for e in listed)[::-1] == [e["updated"] for e in listed]
        # A poll that finds nothing new costs a 304, by either validator.
        for validator in (
            {"if-none-match": every.headers["etag"]},
            {"if-modified-since": every.headers["last-modified"]},
        ):
            again = fetch(base_url, "/search.atom", validator)
            assert (304, b"") == (again.status, again.body)
            assert every.headers["etag"] == again.headers["etag"]

        assert 0 == crawl(db, mirror, "--recheck-since", "2010-01-01").returncode

        polled = fetch(base_url, "/search.atom", {"if-none-match": every.headers["etag"]})
        assert 200 == polled.status
        newest = entries(polled)[: len(written)]
        assert written == {e["post_id"] for e in newest}  # new and corrected, first
        for entry in newest:
            assert truth[entry["post_id"]]["title"] == entry["title"]
        # A search none of them matches: its feed has not changed.
        unchanged = fetch(
            base_url, f"/search.atom?section={untouched}", {"if-none-match": quiet.headers["etag"]}
        )
        assert 304 == unchanged.status
        assert 400 == get(base_url, "/search.atom", q="bien AND").status


def test_an_article_page(site: str, truth: list[dict[str, Any]]) -> None:
    record = next(r for r in truth if r["authors"] and r["images"] and r["tags"] and r["sapo"])
    page = get(site, f"/article/{record['post_id']}")
    assert 200 == page.status
    assert f"<h1>{record['title']}</h1>" in page.text
    assert record["sapo"] in page.text
    for paragraph in record["body"].split("\n\n"):  # intertitles as headings
        assert f"<p>{paragraph}</p>" in page.text or (
            f'<h2 class="intertitle">{paragraph}</h2>' in page.text
        )
    for author in record["authors"]:
        assert f">{author}</a>" in page.text
    for image in record["images"]:
        assert (image["caption"] or "(không có chú thích)") in page.text
        if image["credit"]:
            assert f'<span class="credit">Ảnh: {image["credit"]}</span>' in page.text
        assert "<img" not in page.text  # images are links to the site, never loaded
    for tag in record["tags"]:
        assert f">{tag}</a>" in page.text
    assert "Bài chưa được sửa từ khi lưu." in page.text


def test_an_article_shows_intertitles_as_headings_and_times_on_the_sites_clock(
    site: str, crawled_archive: CrawledArchive
) -> None:
    mirror = crawled_archive.site
    article = next(
        a
        for a in map(mirror.article, range(mirror.total))
        if any(block.kind == "intertitle" for block in a.blocks)
    )
    page = get(site, f"/article/{article.post_id}").text
    for block in article.blocks:
        if block.kind == "intertitle":
            assert f'<h2 class="intertitle">{escape(block.text)}</h2>' in page
        # A sentence is a paragraph. (The corpus's pool of sentences holds a few of its own
        # intertitles, which the page rightly shows as headings.)
        elif block.text and block.text.rstrip("”").endswith((".", "!", "?", "…")):
            assert f"<p>{escape(block.text)}</p>" in page
    with Archive(crawled_archive.db, readonly=True) as archive:
        record = archive.get_article(article.post_id)
    assert record is not None
    fetched = datetime.fromisoformat(record["fetched_at"]).astimezone(timezone(timedelta(hours=7)))
    assert f"lấy về {fetched:%d/%m/%Y %H:%M}</p>" in page


def test_an_article_marks_the_query_words(site: str, truth: list[dict[str, Any]]) -> None:
    record = next(r for r in truth if "đảo" in set(text_words(r)))
    page = get(site, f"/article/{record['post_id']}", q="đảo")
    assert {"đảo"} == {m.lower() for m in re.findall(r"<mark>([^<]*)</mark>", page.text)}


def test_unknown_articles_and_pages_are_404(site: str) -> None:
    for path in ("/article/1", "/article/abc", "/nowhere"):
        page = get(site, path)
        assert 404 == page.status
        assert '<html lang="vi">' in page.text


def test_every_bad_request_is_a_400_in_vietnamese_with_the_security_headers(site: str) -> None:
    bad = {
        (("q", "bien AND"),): "Câu tìm kết thúc bằng một toán tử: hãy thêm một từ sau nó.",
        (("q", "NOT bien"),): "NOT cần một từ đứng trước, như 'bien phong NOT hai quan'.",
        (("q", "x" * 501),): "Câu tìm dài 501 ký tự; chỉ tìm được tối đa 500 ký tự.",
        (("q", " ".join(f"w{n}" for n in range(13))),): (
            "Câu tìm có 13 từ hoặc cụm từ; chỉ tìm được tối đa 12."
        ),
        (("q", '"' + " ".join(f"w{n}" for n in range(33)) + '"'),): (
            "Câu tìm có 33 từ; chỉ tìm được tối đa 32 từ."
        ),
        (("q", "bi* da* ca* th* ng*"),): "Câu tìm có 5 tiền tố (từ*); tối đa 4.",
        (("q", "b*"),): "Tiền tố b* quá ngắn: hãy gõ ít nhất 2 chữ trước *.",
        (("q", "(" * 9 + "bien"),): "Câu tìm lồng quá 8 lớp ngoặc.",
        (("q", "(" * 1000),): "Câu tìm dài 1,000 ký tự; chỉ tìm được tối đa 500 ký tự.",
        (("since", "12/31/2024"),): "Không có ngày '12/31/2024'.",  # day first, as Vietnamese
        (("since", "2024/12/31"),): (
            "Ngày '2024/12/31' không hợp lệ: hãy viết NNNN-TT-NN, NN/TT/NNNN, hoặc Nd cho N ngày"
            " trước (7d)."
        ),
        (("until", "2024-02-30"),): "Không có ngày '2024-02-30'.",
        (("since", "1899-12-31"),): "Không có bài nào trước năm 1900: '1899-12-31'.",
        (("author", "a" * 101),): "Tên tác giả dài 101 ký tự; tối đa 100 ký tự.",
        (("since", "2025-02-01"), ("until", "2025-01-31")): (
            "Ngày đến (31/01/2025) ở trước ngày từ (01/02/2025)."
        ),
    }
    for params, message in bad.items():
        for path in ("/search", "/export.jsonl"):
            page = get(site, path, **dict(params))
            assert 400 == page.status, (path, params)
            shown = message if path == "/export.jsonl" else str(escape(message))
            assert shown in page.text
            assert "Traceback" not in page.text
            assert "nosniff" == page.headers["x-content-type-options"]
            assert "DENY" == page.headers["x-frame-options"]


def test_security_headers_on_every_answer(site: str) -> None:
    paths = ("/", "/search?q=bien", "/article/1", "/static/style.css", "/export.jsonl", "/x")
    for path in paths:
        assert_security_headers(fetch(site, path).headers)
    refused = fetch(site, "/search", method="POST")
    assert 405 == refused.status
    assert "Trang này chỉ cho phép đọc (GET, HEAD)." in refused.text
    assert_security_headers(refused.headers)


def test_a_server_error_is_a_500_page_in_vietnamese_with_the_security_headers(
    crawled_archive: CrawledArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("archive.search.summaries.summary", broken)
    with serving(crawled_archive.db) as base_url:
        page = get(base_url, "/search", q="bien")
    assert 500 == page.status
    assert "Lỗi máy chủ." in page.text
    assert "a bug" not in page.text and "Traceback" not in page.text
    assert_security_headers(page.headers)


def test_an_archive_that_cannot_be_read_while_serving_is_a_503_page(
    crawled_archive: CrawledArchive, tmp_path: Path
) -> None:
    db = tmp_path / "moved.db"
    db.write_bytes(crawled_archive.db.read_bytes())
    with serving(db) as base_url:
        db.unlink()  # moved away under the server
        page = get(base_url, "/search", q="bien")
    assert 503 == page.status
    assert "Không đọc được kho lưu trữ lúc này." in page.text
    assert_security_headers(page.headers)


# Untrusted text, versions, and an archive the web cannot write


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    db = tmp_path / "hostile.db"
    with Archive(db) as archive:
        archive.save_article(
            make_record(title=f"Tin {HOSTILE} biên giới", body=f"Đoạn {HOSTILE} một."),
            make_page(),
            None,
        )
        archive.save_article(
            make_record(title=f"Tin {HOSTILE} biên giới đã sửa", body=f"Đoạn {HOSTILE} một."),
            make_page(),
            None,
        )
    return db


def test_hostile_text_is_escaped_everywhere(hostile_db: Path) -> None:
    with serving(hostile_db) as base_url:
        pages = [
            get(base_url, "/"),
            get(base_url, "/search", q="bien gioi"),
            get(base_url, "/search", q=HOSTILE + " bien"),
            get(base_url, "/article/532158", q=HOSTILE),
        ]
    for page in pages:
        assert "<script" not in page.text
        assert "<img" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages[3].text
    assert "<mark>biên</mark> <mark>giới</mark>" in pages[1].text


def test_the_article_lists_its_versions(hostile_db: Path) -> None:
    with serving(hostile_db) as base_url:
        page = get(base_url, "/article/532158")
    versions = page.text.split("<h2>Các phiên bản</h2>")[1]
    assert 2 == versions.count("<li>")
    assert "biên giới</li>" in versions and "biên giới đã sửa</li>" in versions


def test_the_web_cannot_write_to_the_archive(hostile_db: Path) -> None:
    def digest() -> str:
        files = sorted(hostile_db.parent.glob(hostile_db.name + "*"))
        return hashlib.sha256(
            b"".join(f.read_bytes() for f in files if f.suffix != ".db-shm")
        ).hexdigest()

    before = digest()
    with serving(hostile_db) as base_url:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert 405 == fetch(base_url, "/search?q=bien", method=method).status
        assert 200 == get(base_url, "/search", q="bien").status
    assert before == digest()
    with Site(hostile_db).archive() as archive, pytest.raises(sqlite3.OperationalError):
        archive.db.execute("DELETE FROM articles")


def test_serve_listens_on_loopback_by_default() -> None:
    options = {param.name: param.default for param in cli.commands["serve"].params}
    assert ("127.0.0.1", 8000) == (options["host"], options["port"])


def test_serve_on_a_port_in_use_is_one_line_and_status_1(crawled_archive: CrawledArchive) -> None:
    with listen("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--port", str(port), "--db", str(crawled_archive.db)]
        )
    assert 1 == result.exit_code
    assert (
        f"bienphong: error: cannot listen on 127.0.0.1 port {port}: Address already in use\n"
        == result.output
    )


def test_numbers_and_dates_out_of_range_are_a_404_or_the_last_page_never_a_500(
    site: str, truth: list[dict[str, Any]]
) -> None:
    for post_id in ("99999999999999999999", "9223372036854775808", "1000000000"):
        page = get(site, f"/article/{post_id}")
        assert 404 == page.status
        assert f"Không có bài {post_id} trong kho lưu trữ." in page.text
        assert "nosniff" == page.headers["x-content-type-options"]
    pages = math.ceil(len(truth) / PAGE_SIZE)
    last = hit_ids(get(site, "/search", page=str(pages)).text)
    assert last and last == hit_ids(get(site, "/search", page="999999").text)
    first = hit_ids(get(site, "/search").text)
    assert first == hit_ids(get(site, "/search", page=str(10**20)).text)  # not a number here
    assert first == hit_ids(get(site, "/search", until="9999-12-31").text)
    assert len(truth) == len(get(site, "/export.jsonl", until="9999-12-31").text.splitlines())
    assert 400 == get(site, "/search", since="1899-12-31").status
