"""The site moves on: `set_day(K)` publishes new articles on top and corrects earlier ones."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

from tests.helpers.fixtures import MakeMirror
from tests.helpers.loopback import fetch
from tests.helpers.mirror_pages import POST_ID, SM, check_article_page
from tests.mirror import Mirror, Site


def records(site: Site) -> dict[int, dict[str, Any]]:
    return {r["post_id"]: r for r in site.truth()}


def ids_in(text: str) -> list[int]:
    """Post ids linked from a listing's entries or a feed's items, in order, without repeats."""
    return list(dict.fromkeys(int(n) for n in POST_ID.findall(text)))


def sitemap_lastmods(mirror: Mirror, path: str) -> dict[int, str]:
    root = ET.fromstring(fetch(mirror.base_url, path).body)
    return {
        int(POST_ID.findall(u.findtext(f"{SM}loc", ""))[0]): u.findtext(f"{SM}lastmod", "")
        for u in root.iter(f"{SM}url")
    }


def moved(make_mirror: MakeMirror) -> tuple[Mirror, dict[int, dict[str, Any]]]:
    """A mirror moved from day 0 to day 5, and its truth at day 0."""
    mirror = make_mirror(articles=300, seed=4)
    before = records(mirror.site)
    mirror.set_day(5)
    return mirror, before


def test_new_days_publish_new_articles_and_edit_earlier_ones(make_mirror: MakeMirror) -> None:
    mirror, before = moved(make_mirror)
    after = records(mirror.site)
    new = [p for p in after if p not in before]
    assert 50 == len(new)
    assert set(before) < set(after)
    edited = [p for p in before if before[p] != after[p]]
    assert 5 <= len(edited) <= 15
    changes = set()
    for post_id in edited:
        old, now = before[post_id], after[post_id]
        assert old["modified_at"] is None
        modified = datetime.fromisoformat(now["modified_at"])
        assert datetime.fromisoformat(now["published_at"]) < modified
        assert modified < datetime.fromisoformat("2026-11-06T08:13:00+07:00")
        changed = {k for k in old if old[k] != now[k]} - {"modified_at", "word_count"}
        assert changed <= {"title", "body"}
        changes |= changed
        if "body" in changed:
            old_paragraphs = old["body"].split("\n\n")
            new_paragraphs = now["body"].split("\n\n")
            grown = [(a, b) for a, b in zip(old_paragraphs, new_paragraphs, strict=True) if a != b]
            assert 1 <= len(grown) and all(b.startswith(a + " ") for a, b in grown)
    assert {"title", "body"} == changes


def test_truth_follows_the_day(make_mirror: MakeMirror) -> None:
    mirror, before = moved(make_mirror)
    after = records(mirror.site)
    assert after == records(Site(articles=300, seed=4, day=5))
    changed = [p for p in after if before.get(p) != after[p]]
    assert len(changed) >= 55
    for post_id in changed:
        truth = after[post_id]
        path = truth["url"].removeprefix("https://www.bienphong.com.vn")
        response = fetch(mirror.base_url, path)
        assert 200 == response.status
        check_article_page(truth, response.body)
    mirror.set_day(0)
    assert before == records(mirror.site)


def test_new_articles_top_listings_feeds_and_sitemaps(make_mirror: MakeMirror) -> None:
    mirror, before = moved(make_mirror)
    after = records(mirror.site)
    newest = [p for p in reversed(after) if p not in before]
    assert newest[:20] == ids_in(fetch(mirror.base_url, "/rss/home.rss").text)
    home = ids_in(fetch(mirror.base_url, "/").text)
    assert newest[:5] == home[:5]
    section = after[newest[0]]["section"]
    in_section = [p for p in newest if after[p]["section"] == section]
    listing = fetch(mirror.base_url, f"/{section}/").text
    assert in_section[:3] == ids_in(listing.split('<ul class="list-news">')[1])[:3]
    news = ET.fromstring(fetch(mirror.base_url, "/sitemaps/news.xml").body)
    in_news = [int(POST_ID.findall(u.findtext(f"{SM}loc", ""))[0]) for u in news.iter(f"{SM}url")]
    since = datetime.fromisoformat("2026-11-06T08:13:00+07:00") - timedelta(hours=48)
    recent = [p for p in newest if datetime.fromisoformat(after[p]["published_at"]) >= since]
    assert recent == in_news
    assert 19 == len(recent)
    month = sitemap_lastmods(mirror, "/sitemaps/posts-2026-11.xml")
    assert set(newest) <= set(month)


def test_edits_update_sitemap_lastmod_and_pages(make_mirror: MakeMirror) -> None:
    mirror, before = moved(make_mirror)
    after = records(mirror.site)
    edited = [p for p in before if before[p] != after[p]]
    index = ET.fromstring(fetch(mirror.base_url, "/sitemap.xml").body)
    months = {
        e.findtext(f"{SM}loc", ""): e.findtext(f"{SM}lastmod", "")
        for e in index.iter(f"{SM}sitemap")
    }
    for post_id in edited:
        truth = after[post_id]
        month = truth["published_at"][:7]
        path = f"/sitemaps/posts-{month}.xml"
        assert truth["modified_at"] == sitemap_lastmods(mirror, path)[post_id]
        month_lastmod = months[f"https://www.bienphong.com.vn{path}"]
        assert datetime.fromisoformat(truth["modified_at"]) <= datetime.fromisoformat(month_lastmod)
        page = fetch(mirror.base_url, truth["url"].removeprefix("https://www.bienphong.com.vn"))
        modified = datetime.fromisoformat(truth["modified_at"])
        assert f"Cập nhật: {modified:%d/%m/%Y %H:%M}" in page.text
        if truth["title"] != before[post_id]["title"]:
            assert f"<title>{truth['title']} - Báo Biên phòng</title>" in page.text
            assert f"<title>{before[post_id]['title']} - " not in page.text
