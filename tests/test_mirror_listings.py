"""Listings, feeds, robots.txt and sitemaps of the mirror, read over HTTP and parsed here."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import pytest

from tests.helpers.fixtures import MakeMirror
from tests.helpers.loopback import fetch
from tests.helpers.mirror_pages import POST_ID, SM, WWW, parse, text
from tests.mirror import Mirror, Site

NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# Sections with the numeric ids of their legacy feeds (site-model section 2).
SECTIONS = {
    "chinh-tri": 1,
    "theo-guong-bac": 5,
    "quan-su-quoc-phong": 6,
    "phap-luat": 8,
    "kinh-te": 12,
    "xa-hoi": 13,
    "van-hoa": 15,
    "phong-su": 16,
    "quoc-te": 19,
    "chu-quyen-bien-gioi-bien-dao-viet-nam": 26,
    "bien-phong-toan-dan": 51,
    "the-thao": 68,
    "phong-su-anh": 69,
    "video": 70,
}


def local(url: str) -> str:
    """The path and query of a site URL, to ask the mirror for it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def post_id(href: str) -> int:
    found = POST_ID.search(href)
    assert found, href
    return int(found.group(1))


def items(tree: Any) -> list[int]:
    """Post ids of a listing's entries, in order, ads left out."""
    return [post_id(a.get("href")) for a in tree.cssselect("ul.list-news > li.item h3 a")]


def newest_first(site: Site, section: str) -> list[int]:
    return [r["post_id"] for r in reversed(list(site.truth())) if r["section"] == section]


# -- section listings --------------------------------------------------------------------------


def pager(tree: Any) -> tuple[str, str | None]:
    """The pager style a page shows and the link to the page after it, if any."""
    if rel := tree.xpath('//a[@rel="next"]/@href'):
        assert rel == tree.xpath('//head/link[@rel="next"]/@href')
        return "relnext", rel[0]
    if more := [a.get("href") for a in tree.cssselect("a") if text(a) == "Xem thêm"]:
        return "xemthem", more[0]
    numbers = {text(a): a.get("href") for a in tree.cssselect("div.pagination a")}
    current = tree.cssselect("div.pagination span.active")
    if current:
        return "numbers", numbers.get(str(int(text(current[0])) + 1))
    return "none", None


def walk(mirror: Mirror, section: str) -> tuple[list[int], list[str], set[str]]:
    """Follow a section's own pager from page 1: its entries, page URLs and pager styles."""
    url: str | None = f"{WWW}/{section}/"
    found: list[int] = []
    pages: list[str] = []
    styles: set[str] = set()
    while url is not None:
        response = fetch(mirror.base_url, local(url))
        assert 200 == response.status, url
        tree = parse(response.body)
        found += items(tree)
        pages.append(url)
        style, url = pager(tree)
        if url is not None:
            styles.add(style)
        assert len(pages) < 100
    return found, pages, styles


def page_after(url: str) -> str:
    """The URL of the page after `url`, in the same form."""
    found = re.search(r"(\?page=|/trang-)(\d+)", url)
    assert found, url
    return url[: found.start(2)] + str(int(found.group(2)) + 1) + url[found.end(2) :]


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_walking_a_section_pager_collects_exactly_its_articles(
    mirror: Mirror, section: str
) -> None:
    found, pages, styles = walk(mirror, section)
    assert newest_first(mirror.site, section) == found
    assert len(pages) >= 3
    assert 1 == len(styles)
    response = fetch(mirror.base_url, local(page_after(pages[-1])))
    assert 200 == response.status
    assert [] == items(parse(response.body))


def test_sections_use_both_page_url_forms_and_all_three_pagers(mirror: Mirror) -> None:
    forms, styles = set(), set()
    for section in SECTIONS:
        tree = parse(fetch(mirror.base_url, f"/{section}/").body)
        style, nxt = pager(tree)
        assert nxt is not None
        styles.add(style)
        path = urlsplit(nxt)
        if path.query:
            assert ("page=2", f"/{section}/") == (path.query, path.path)
            forms.add("query")
        else:
            assert f"/{section}/trang-2.html" == path.path
            forms.add("trang")
    assert {"query", "trang"} == forms
    assert {"relnext", "xemthem", "numbers"} == styles


def test_both_page_url_forms_answer_the_same_page(mirror: Mirror) -> None:
    query = fetch(mirror.base_url, "/xa-hoi/?page=3")
    trang = fetch(mirror.base_url, "/xa-hoi/trang-3.html")
    assert (200, 200) == (query.status, trang.status)
    assert items(parse(query.body)) == items(parse(trang.body))
    assert [] != items(parse(query.body))


def test_featured_item_is_repeated_as_the_first_entry(mirror: Mirror) -> None:
    for path in ["/", "/kinh-te/", "/van-hoa/?page=2", mirror.site.article(3).tags[0].path]:
        tree = parse(fetch(mirror.base_url, path).body)
        featured = tree.cssselect("div.featured-news h2 a")
        first = tree.cssselect("ul.list-news > li.item h3 a")[:1]
        assert [post_id(a.get("href")) for a in featured] == items(tree)[:1]
        assert [text(a) for a in featured] == [text(a) for a in first]
        assert [] != featured


def test_ads_sit_among_the_items(mirror: Mirror) -> None:
    tree = parse(fetch(mirror.base_url, "/chinh-tri/").body)
    entries = tree.cssselect("ul.list-news > li")
    kinds = [e.get("class") for e in entries]
    assert "ads" in kinds
    assert 0 < kinds.index("ads") < len(kinds) - 1
    ad = tree.cssselect("ul.list-news > li.ads a")[0]
    assert "bienphong.com.vn" not in (urlsplit(ad.get("href")).hostname or "")
    assert "nofollow" == ad.get("rel")


def test_listing_links_vary_as_on_the_real_site(mirror: Mirror) -> None:
    hrefs = []
    for section in ["chinh-tri", "xa-hoi", "van-hoa", "quoc-te"]:
        for number in (1, 2, 3):
            tree = parse(fetch(mirror.base_url, f"/{section}/?page={number}").body)
            hrefs += [a.get("href") for a in tree.cssselect("ul.list-news > li.item h3 a")]
    assert any(h.startswith("https://bienphong.com.vn/") for h in hrefs)
    assert any(h.startswith(f"{WWW}/") for h in hrefs)
    assert any(h.startswith("/") for h in hrefs)
    assert any("utm_source=" in h for h in hrefs)


def advertorials(site: Site) -> set[int]:
    return {a.post_id for a in map(site.article, range(site.total)) if a.advertorial}


def test_advertorials_appear_in_listings_and_feeds(mirror: Mirror, make_mirror: MakeMirror) -> None:
    adverts = advertorials(mirror.site)
    assert len(adverts) >= 5
    found, _, _ = walk(mirror, "kinh-te")
    assert adverts < set(found)
    small = make_mirror(articles=300, seed=1)
    _, root = feed(small, "/rss/kinh-te.rss")
    in_feed = {post_id(e.findtext("link", "")) for e in root.iter("item")}
    assert 3 == len(in_feed & advertorials(small.site))


# -- tag pages ------------------------------------------------------------------------------------


def test_tag_pages_highlight_each_tag_word_and_mix_years(mirror: Mirror) -> None:
    site = mirror.site
    tag = next(t for t in site.article(0).tags if len(t.name.split()) >= 3)
    tree = parse(fetch(mirror.base_url, tag.path).body)
    assert f"Tag: {tag.name}" == text(tree.cssselect("h1")[0])
    entries = items(tree)
    assert len(entries) >= 5
    words = {w.lower() for w in re.findall(r"\w+", tag.name)}
    spans = tree.cssselect("ul.list-news li.item p span.highlight")
    assert spans
    for span in spans:
        assert " " not in text(span)
        assert text(span).lower() in words
    for paragraph in tree.cssselect("ul.list-news li.item p"):
        highlighted = [text(s) for s in paragraph.cssselect("span.highlight")]
        shown = [w for w in re.findall(r"\w+", text(paragraph)) if w.lower() in words]
        assert shown == highlighted
    for entry in entries:
        assert tag.name in site.article(site.index_of(entry) or 0).truth()["tags"]
    dates = [site.article(site.index_of(e) or 0).published for e in entries]
    assert sorted(dates) != dates and sorted(dates, reverse=True) != dates
    assert len({d.year for d in dates}) >= 2


def test_tag_pages_page_through_every_tagged_article(mirror: Mirror) -> None:
    site = mirror.site
    tag = site.article(10).tags[0]
    expected = {r["post_id"] for r in site.truth() if tag.name in r["tags"]}
    found: list[int] = []
    url: str | None = WWW + tag.path
    while url:
        tree = parse(fetch(mirror.base_url, local(url)).body)
        found += items(tree)
        nxt = tree.xpath('//a[@rel="next"]/@href')
        url = nxt[0] if nxt else None
    assert expected == set(found)
    assert len(expected) == len(found)


# -- feeds ------------------------------------------------------------------------------------


def feed(mirror: Mirror, path: str) -> tuple[bytes, ET.Element]:
    response = fetch(mirror.base_url, path)
    assert 200 == response.status, path
    assert response.headers["content-type"].startswith("application/rss+xml")
    return response.body, ET.fromstring(response.body)


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_current_and_legacy_feed_urls_answer_the_same_valid_rss(
    mirror: Mirror, section: str
) -> None:
    body, root = feed(mirror, f"/rss/{section}.rss")
    legacy, _ = feed(mirror, f"/rss/{section}-{SECTIONS[section]}.rss")
    assert body == legacy
    assert ("rss", "2.0") == (root.tag, root.get("version"))
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description"):
        assert channel.findtext(name)
    entries = channel.findall("item")
    assert 20 == len(entries)
    truth = {r["post_id"]: r for r in mirror.site.truth()}
    assert newest_first(mirror.site, section)[:20] == [
        post_id(e.findtext("link", "")) for e in entries
    ]
    for entry in entries:
        record = truth[post_id(entry.findtext("link", ""))]
        link = entry.findtext("link", "")
        assert urlsplit(link).scheme in ("http", "https"), link
        assert record["title"] == entry.findtext("title")
        pub = entry.findtext("pubDate", "")
        assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0700", pub), pub
        assert datetime.fromisoformat(record["published_at"]) == parsedate_to_datetime(pub)
        assert record["sapo"] in entry.findtext("description", "")
        assert record["url"] == entry.findtext("guid")


def test_legacy_feed_with_a_wrong_number_is_not_found(mirror: Mirror) -> None:
    assert 404 == fetch(mirror.base_url, "/rss/kinh-te-13.rss").status
    assert 404 == fetch(mirror.base_url, "/rss/khong-co.rss").status
    assert 200 == fetch(mirror.base_url, "/rss/home.rss").status


def test_feed_titles_are_in_cdata_on_some_items(mirror: Mirror) -> None:
    body, _ = feed(mirror, "/rss/home.rss")
    raw = body.decode()
    cdata = raw.count("<item><title><![CDATA[")
    assert 0 < cdata < raw.count("<item>")


@pytest.mark.parametrize(
    ("section", "prefix"), [("video", "/videos/"), ("phong-su-anh", "/tin-anh/")]
)
def test_media_feed_items_link_under_their_prefix(
    mirror: Mirror, section: str, prefix: str
) -> None:
    _, root = feed(mirror, f"/rss/{section}.rss")
    links = [urlsplit(e.findtext("link", "")).path for e in root.iter("item")]
    assert links and all(path.startswith(prefix) for path in links), links


# -- robots and sitemaps -----------------------------------------------------------------------


def robots(mirror: Mirror) -> RobotFileParser:
    response = fetch(mirror.base_url, "/robots.txt")
    assert 200 == response.status
    assert response.headers["content-type"].startswith("text/plain")
    parser = RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser


def test_robots_disallows_search_and_lists_sitemaps(mirror: Mirror) -> None:
    parser = robots(mirror)
    assert not parser.can_fetch("*", f"{WWW}/tim-kiem.html?q=bien+gioi")
    assert not parser.can_fetch("*", f"{WWW}/tim-kiem?q=bien+gioi")
    assert parser.can_fetch("*", mirror.site.article(5).url)
    assert [f"{WWW}/sitemap.xml", f"{WWW}/sitemaps/news.xml"] == parser.site_maps()


def test_sitemaps_off_leaves_robots_without_sitemaps_and_404s(make_mirror: MakeMirror) -> None:
    off = make_mirror(articles=200, seed=2, sitemaps=False)
    assert robots(off).site_maps() is None
    assert not robots(off).can_fetch("*", f"{WWW}/tim-kiem.html?q=x")
    month = off.site.published(100)
    for path in ["/sitemap.xml", "/sitemaps/news.xml", f"/sitemaps/posts-{month:%Y-%m}.xml"]:
        assert 404 == fetch(off.base_url, path).status
    on = make_mirror(articles=200, seed=2)
    assert 200 == fetch(on.base_url, f"/sitemaps/posts-{month:%Y-%m}.xml").status


def sitemap(mirror: Mirror, url: str) -> ET.Element:
    response = fetch(mirror.base_url, local(url))
    assert 200 == response.status, url
    return ET.fromstring(response.body)


def test_sitemap_index_monthly_sitemaps_cover_every_article_once(mirror: Mirror) -> None:
    truth = {r["post_id"]: r for r in mirror.site.truth()}
    index = sitemap(mirror, f"{WWW}/sitemap.xml")
    assert f"{SM}sitemapindex" == index.tag
    seen: Counter[int] = Counter()
    for entry in index.findall(f"{SM}sitemap"):
        loc = entry.findtext(f"{SM}loc", "")
        if loc.endswith("/news.xml"):
            continue
        month = re.fullmatch(rf"{WWW}/sitemaps/posts-(\d{{4}}-\d\d)\.xml", loc)
        assert month, loc
        lastmods = []
        for url in sitemap(mirror, loc).findall(f"{SM}url"):
            record = truth[post_id(url.findtext(f"{SM}loc", ""))]
            assert record["url"] == url.findtext(f"{SM}loc")
            assert record["published_at"].startswith(month.group(1))
            lastmod = url.findtext(f"{SM}lastmod", "")
            assert (record["modified_at"] or record["published_at"]) == lastmod
            lastmods.append(datetime.fromisoformat(lastmod))
            seen[record["post_id"]] += 1
        assert max(lastmods) == datetime.fromisoformat(entry.findtext(f"{SM}lastmod", ""))
    assert set(truth) == set(seen)
    assert {1} == set(seen.values())


def test_news_sitemap_holds_the_last_48_hours(mirror: Mirror) -> None:
    root = sitemap(mirror, f"{WWW}/sitemaps/news.xml")
    now = datetime.fromisoformat("2026-11-01T08:13:00+07:00")
    recent = [
        r["url"]
        for r in reversed(list(mirror.site.truth()))
        if datetime.fromisoformat(r["published_at"]) >= now - timedelta(hours=48)
    ]
    entries = root.findall(f"{SM}url")
    assert recent == [e.findtext(f"{SM}loc") for e in entries]
    assert len(recent) >= 10
    for entry in entries:
        published = entry.findtext(f"{NEWS}news/{NEWS}publication_date", "")
        assert now - timedelta(hours=48) <= datetime.fromisoformat(published) <= now
        assert entry.findtext(f"{NEWS}news/{NEWS}title")


def test_listing_and_feed_links_resolve_to_served_articles(mirror: Mirror) -> None:
    tree = parse(fetch(mirror.base_url, "/").body)
    hrefs = [a.get("href") for a in tree.cssselect("a") if POST_ID.search(a.get("href") or "")]
    assert len(hrefs) >= 30
    for href in hrefs[:40]:
        url = urljoin(f"{WWW}/", href)
        host = urlsplit(url).hostname or ""
        response = fetch(mirror.base_url, local(url), headers={"Host": host})
        assert response.status in (200, 301), href
        if response.status == 301:
            final = fetch(mirror.base_url, local(response.headers["location"]))
            assert 200 == final.status
