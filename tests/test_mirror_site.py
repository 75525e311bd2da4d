"""The site model behind the mirror: identities, determinism, variety, and the truth records."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import datetime

import pytest

from tests.mirror import Site

RECORD_TYPES = {
    "post_id": (int,),
    "url": (str,),
    "kind": (str,),
    "section": (str,),
    "title": (str,),
    "sapo": (str,),
    "body": (str,),
    "authors": (list,),
    "source": (str, type(None)),
    "published_at": (str,),
    "modified_at": (str, type(None)),
    "tags": (list,),
    "images": (list,),
    "video_url": (str, type(None)),
    "word_count": (int,),
}
SECTION_SLUGS = {
    "chinh-tri",
    "theo-guong-bac",
    "quan-su-quoc-phong",
    "phap-luat",
    "kinh-te",
    "xa-hoi",
    "van-hoa",
    "phong-su",
    "quoc-te",
    "chu-quyen-bien-gioi-bien-dao-viet-nam",
    "bien-phong-toan-dan",
    "the-thao",
    "phong-su-anh",
    "video",
}
ARTICLE_URL = re.compile(
    r"https://www\.bienphong\.com\.vn(/videos|/tin-anh)?/[a-z0-9]+(-[a-z0-9]+)*-post(\d{6})\.html"
)
IMAGE_URL = re.compile(
    r"https://files\.bienphong\.com\.vn//bbpmedia/media/730/(\d{4})/([1-9]\d?)/([1-9]\d?)/"
    r"\d{8}(am|pm)_[a-z0-9-]+\.jpg"
    r"|https://www\.bienphong\.com\.vn/images/media//730/(\d{4})/([1-9]\d?)/([1-9]\d?)/"
    r"\d{8}(am|pm)_[a-z0-9-]+\.jpg"
)


def own_slug(title: str) -> str:
    """The slug rule of site-model section 1, written out here independently."""
    plain = unicodedata.normalize("NFD", title.lower().replace("đ", "d"))
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return "-".join(re.findall(r"[a-z0-9]+", plain))


# -- identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7])
def test_post_ids_and_indexes_are_a_bijection_at_100000(seed: int) -> None:
    site = Site(articles=100_000, seed=seed)
    ids = [site.post_id(i) for i in range(site.total)]
    assert 100_000 == len(set(ids))
    assert all(200_000 <= p <= 999_999 for p in ids)
    for index in [*range(0, 100_000, 331), 39_999, 40_000, 99_999]:
        assert index == site.index_of(ids[index])
    taken = set(ids)
    free = [p for p in range(450_001, 450_400) if p not in taken]
    assert free and [None] * len(free) == [site.index_of(p) for p in free]
    assert [None, None, None] == [site.index_of(p) for p in (199_999, 450_000, 9_999_999)]


def test_old_ids_are_scattered_and_new_ids_rise() -> None:
    site = Site(articles=2000, seed=1)
    old = [site.post_id(i) for i in range(site.old_count)]
    new = [site.post_id(i) for i in range(site.old_count, site.total)]
    assert sorted(old) != old and max(old) < 450_000
    assert sorted(new) == new and min(new) > 450_000


def test_sites_are_deterministic_per_seed() -> None:
    first = list(Site(articles=300, seed=3).truth())
    assert first == list(Site(articles=300, seed=3).truth())
    assert first != list(Site(articles=300, seed=4).truth())


def test_site_refuses_impossible_sizes_and_days() -> None:
    for kwargs in ({"articles": 0}, {"articles": 150_001}, {"day": -1}):
        with pytest.raises(ValueError):
            Site(**kwargs)  # type: ignore[arg-type]


def test_publication_dates_rise_with_index_and_span_ten_years() -> None:
    site = Site(articles=2000, seed=1)
    dates = [site.published(i) for i in range(site.total)]
    assert sorted(dates) == dates
    assert datetime.fromisoformat("2016-12-23T06:00:00+07:00") == dates[0]
    assert dates[-1] < datetime.fromisoformat("2026-11-01T06:00:00+07:00") < site.now


# -- the truth records --------------------------------------------------------------------------


def test_truth_records_have_the_record_fields_and_types() -> None:
    records = list(Site(articles=2000, seed=1).truth())
    for record in records:
        assert list(RECORD_TYPES) == list(record)
        for key, types in RECORD_TYPES.items():
            assert isinstance(record[key], types), key
        assert len(record["body"].split()) == record["word_count"]
        for image in record["images"]:
            assert ["url", "caption", "credit"] == list(image)
    assert SECTION_SLUGS == {r["section"] for r in records}
    assert {"article", "video", "photo"} == {r["kind"] for r in records}


def test_truth_urls_follow_the_site_scheme_and_slug_rule() -> None:
    site = Site(articles=2000, seed=1)
    for record in site.truth():
        found = ARTICLE_URL.fullmatch(record["url"])
        assert found, record["url"]
        assert record["post_id"] == int(found.group(3))
        prefix = {"video": "/videos", "photo": "/tin-anh"}.get(record["kind"])
        assert prefix == found.group(1)
        assert f"/{own_slug(record['title'])}-post" in record["url"]
    assert "bdbp-cao-bang" == own_slug("BĐBP Cao Bằng")


def test_truth_text_is_nfc_and_collapsed() -> None:
    for record in Site(articles=2000, seed=1).truth():
        texts = [record["title"], record["sapo"], *record["authors"], *record["tags"]]
        texts += record["body"].split("\n\n")
        texts += [i["caption"] or "" for i in record["images"]]
        for value in texts:
            assert unicodedata.normalize("NFC", value) == value
            assert " ".join(value.split()) == value
        assert not record["sapo"].startswith("Biên phòng")


def test_truth_image_urls_have_the_site_forms() -> None:
    urls = [i["url"] for r in Site(articles=2000, seed=1).truth() for i in r["images"]]
    forms = Counter("files" if "files." in u else "images" for u in urls)
    assert {"files", "images"} == set(forms)
    for url in urls:
        assert IMAGE_URL.fullmatch(url), url


def test_truth_authors_and_credits_follow_the_record_rules() -> None:
    records = list(Site(articles=2000, seed=1).truth())
    authors = Counter(len(r["authors"]) for r in records)
    assert {0, 1, 2} == set(authors)
    groups = {a for r in records for a in r["authors"] if a in ("Nhóm PV", "CTV")}
    assert {"Nhóm PV", "CTV"} == groups
    assert {None, "TTXVN"} == {r["source"] for r in records}
    for record in records:
        assert not (record["source"] and record["authors"])
        for name in record["authors"]:
            assert not name.startswith(("Bài và ảnh", "Tin, ảnh", "Theo "))
    credits = {i["credit"] for r in records for i in r["images"]}
    assert {None, "CTV", "Tư liệu"} < credits


def test_every_variant_occurs_across_2000_articles() -> None:
    site = Site(articles=2000, seed=1)
    articles = [site.article(i) for i in range(site.total)]
    assert {"A", "B", "C", "video", "photo"} == {a.template for a in articles}
    assert {"Biên phòng - ", "Biên phòng – ", "Biên phòng -", ""} == {a.dateline for a in articles}
    assert {"figure", "table", "p-img"} == {
        b.image.markup for a in articles for b in a.blocks if b.image
    }
    assert {"p", "intertitle", "empty", "image", "footnote-note"} == {
        b.kind for a in articles for b in a.blocks
    }
    flags = ["extra_classes", "og", "jsonld", "jsonld_author_org", "canonical_link"]
    flags += ["breadcrumb", "bare_redirects", "share_widget", "syndication_line", "decomposed"]
    for flag in flags:
        assert {True, False} == {getattr(a, flag) for a in articles}, flag
    assert {True, False} == {a.old_slug is None for a in articles}
    assert {True, False} == {a.advertorial for a in articles}
    assert {"kinh-te"} == {a.section.slug for a in articles if a.advertorial}


def test_the_template_option_serves_every_text_article_in_one_template() -> None:
    site = Site(articles=200, seed=1, template="C")
    assert {"C", "video", "photo"} == {site.article(i).template for i in range(site.total)}
