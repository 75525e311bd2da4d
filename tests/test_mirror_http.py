"""Hosts, redirects, tracking parameters, conditional requests and the request log of the mirror."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from tests.helpers.fixtures import MakeMirror
from tests.helpers.loopback import fetch
from tests.helpers.mirror_pages import SM, WWW, parse
from tests.mirror import Article, Mirror, Site

BARE_HOST = {"Host": "bienphong.com.vn"}


def sample(site: Site, count: int = 60) -> list[Article]:
    return [site.article(i) for i in range(0, site.total, site.total // count)][:count]


def title_of(body: bytes) -> str:
    return str(parse(body).findtext(".//title"))


# -- hosts and URL forms ---------------------------------------------------------------------


def test_bare_host_redirects_some_articles_and_serves_others(mirror: Mirror) -> None:
    statuses = set()
    for article in sample(mirror.site):
        response = fetch(mirror.base_url, article.path, headers=BARE_HOST)
        statuses.add(response.status)
        if article.bare_redirects:
            assert 301 == response.status
            assert article.url == response.headers["location"]
        else:
            assert 200 == response.status
            assert f"{article.title} - Báo Biên phòng" == title_of(response.body)
        www = fetch(mirror.base_url, article.path, headers={"Host": "www.bienphong.com.vn"})
        assert 200 == www.status
    assert {200, 301} == statuses


def test_bare_host_with_a_port_is_still_the_bare_host(mirror: Mirror) -> None:
    article = next(a for a in sample(mirror.site) if a.bare_redirects)
    response = fetch(mirror.base_url, article.path, headers={"Host": "bienphong.com.vn:443"})
    assert (301, article.url) == (response.status, response.headers["location"])


def test_an_older_slug_redirects_to_the_current_url(mirror: Mirror) -> None:
    olds = [a for a in sample(mirror.site, 200) if a.old_slug][:5]
    assert 5 == len(olds)
    for article in olds:
        path = f"{article.prefix}/{article.old_slug}-post{article.post_id}.html"
        response = fetch(mirror.base_url, path)
        assert (301, article.url) == (response.status, response.headers["location"])


def test_any_wrong_slug_or_prefix_redirects_to_the_current_url(mirror: Mirror) -> None:
    articles = sample(mirror.site, 200)
    video = next(a for a in articles if a.kind == "video")
    photo = next(a for a in articles if a.kind == "photo")
    text = next(a for a in articles if a.kind == "article")
    wrong = {
        f"/{video.slug}-post{video.post_id}.html": video,
        f"/tin-anh/{video.slug}-post{video.post_id}.html": video,
        f"/videos/{photo.slug}-post{photo.post_id}.html": photo,
        f"/videos/{text.slug}-post{text.post_id}.html": text,
        f"/mot-ten-khac-post{text.post_id}.html": text,
    }
    for path, article in wrong.items():
        response = fetch(mirror.base_url, path)
        assert (301, article.url) == (response.status, response.headers["location"]), path
    assert video.url.startswith(f"{WWW}/videos/") and photo.url.startswith(f"{WWW}/tin-anh/")


def test_tracking_parameters_serve_the_same_page(mirror: Mirror) -> None:
    article = mirror.site.article(42)
    plain = fetch(mirror.base_url, article.path)
    for query in [
        "?utm_source=zalo&utm_medium=share&utm_campaign=bp",
        "?fbclid=IwAR0x",
        "?zarsrc=30",
    ]:
        tracked = fetch(mirror.base_url, article.path + query)
        assert 200 == tracked.status
        assert plain.body == tracked.body
        assert plain.headers["etag"] == tracked.headers["etag"]


def test_unknown_posts_and_pages_are_404(mirror: Mirror) -> None:
    ids = {mirror.site.article(i).post_id for i in range(mirror.site.total)}
    missing = next(n for n in range(450_001, 460_000) if n not in ids)
    for path in [
        f"/khong-co-post{missing}.html",
        "/khong-co-post100.html",
        "/khong-co-muc-nay/",
        "/tag/khong-co-1.html",
        "/kinh-te/?page=abc",
    ]:
        assert 404 == fetch(mirror.base_url, path).status, path


def test_search_page_exists_but_robots_keeps_crawlers_out(mirror: Mirror) -> None:
    response = fetch(mirror.base_url, "/tim-kiem.html?q=bi%C3%AAn+gi%E1%BB%9Bi")
    assert 200 == response.status
    assert "Disallow: /tim-kiem" in fetch(mirror.base_url, "/robots.txt").text


def test_head_answers_the_headers_of_get(mirror: Mirror) -> None:
    path = mirror.site.article(7).path
    get = fetch(mirror.base_url, path)
    head = fetch(mirror.base_url, path, method="HEAD")
    assert (200, b"") == (head.status, head.body)
    assert str(len(get.body)) == head.headers["content-length"]
    assert get.headers["etag"] == head.headers["etag"]


def test_gzip_is_served_when_asked(mirror: Mirror) -> None:
    path = "/van-hoa/"
    plain = fetch(mirror.base_url, path)
    zipped = fetch(mirror.base_url, path, headers={"Accept-Encoding": "gzip, deflate"})
    assert "gzip" == zipped.headers["content-encoding"]
    assert "content-encoding" not in plain.headers
    assert plain.body == gzip.decompress(zipped.body)


# -- conditional requests -------------------------------------------------------------------


def test_etag_answers_304_to_if_none_match(mirror: Mirror) -> None:
    for path in [mirror.site.article(11).path, "/chinh-tri/", "/rss/kinh-te.rss", "/sitemap.xml"]:
        first = fetch(mirror.base_url, path)
        etag = first.headers["etag"]
        again = fetch(mirror.base_url, path, headers={"If-None-Match": etag})
        assert (304, b"") == (again.status, again.body), path
        assert etag == again.headers["etag"]
        other = fetch(mirror.base_url, path, headers={"If-None-Match": '"0000000000000000"'})
        assert 200 == other.status


def test_last_modified_answers_304_to_if_modified_since(mirror: Mirror) -> None:
    article = mirror.site.article(12)
    first = fetch(mirror.base_url, article.path)
    modified = first.headers["last-modified"]
    assert article.published == parsedate_to_datetime(modified)
    again = fetch(mirror.base_url, article.path, headers={"If-Modified-Since": modified})
    assert (304, b"") == (again.status, again.body)
    earlier = format_datetime(datetime(2016, 1, 1).astimezone(), usegmt=False)
    older = fetch(mirror.base_url, article.path, headers={"If-Modified-Since": earlier})
    assert 200 == older.status
    listing = fetch(mirror.base_url, "/xa-hoi/")
    since = {"If-Modified-Since": listing.headers["last-modified"]}
    assert 304 == fetch(mirror.base_url, "/xa-hoi/", headers=since).status


def test_a_changed_site_answers_200_to_old_validators(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=200, seed=6)
    before = fetch(mirror.base_url, "/rss/home.rss")
    mirror.set_day(1)
    etag = fetch(
        mirror.base_url, "/rss/home.rss", headers={"If-None-Match": before.headers["etag"]}
    )
    since = {"If-Modified-Since": before.headers["last-modified"]}
    assert (200, 200) == (
        etag.status,
        fetch(mirror.base_url, "/rss/home.rss", headers=since).status,
    )


# -- the request log -----------------------------------------------------------------------------


def test_hits_record_every_request(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = mirror.site.article(5)
    agent = {"User-Agent": "bienphong-test/1"}
    fetch(mirror.base_url, "/robots.txt", headers=agent)
    fetch(mirror.base_url, article.path, headers={**agent, **BARE_HOST})
    fetch(mirror.base_url, "/khong-co/", headers=agent, method="HEAD")
    seen = [(h.method, h.path, h.status, h.fault, h.conditional, h.user_agent) for h in mirror.hits]
    assert [
        ("GET", "/robots.txt", 200, None, False, "bienphong-test/1"),
        (
            "GET",
            article.path,
            301 if article.bare_redirects else 200,
            None,
            False,
            "bienphong-test/1",
        ),
        ("HEAD", "/khong-co/", 404, None, False, "bienphong-test/1"),
    ] == seen
    assert "bienphong.com.vn" == mirror.hits[1].host
    assert [mirror.hits[1]] == mirror.article_hits(article.post_id)
    logged = json.loads(fetch(mirror.base_url, "/__mirror/hits").body)
    assert ["/robots.txt", article.path, "/khong-co/"] == [h["path"] for h in logged]
    assert 3 == len(mirror.hits)
    mirror.clear_hits()
    assert [] == mirror.hits


def test_day_control_endpoint_moves_the_site(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=100, seed=3, new_per_day=4)
    response = fetch(mirror.base_url, "/__mirror/day/3")
    assert {"day": 3, "articles": 112} == json.loads(response.body)
    assert (3, 112) == (mirror.site.day, mirror.site.total)
    assert 404 == fetch(mirror.base_url, "/__mirror/day/x").status


# -- a large site --------------------------------------------------------------------------------


def test_a_site_of_100000_articles_answers_pages_and_sitemaps(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=100_000, seed=1)
    site = mirror.site
    for index in (0, 39_999, 40_000, 73_123, 99_999):
        article = site.article(index)
        response = fetch(mirror.base_url, article.path)
        assert 200 == response.status
        assert f"{article.title} - Báo Biên phòng" == title_of(response.body)
    listing = fetch(mirror.base_url, "/kinh-te/?page=40")
    ids = [int(n) for n in re.findall(r'<h3><a href="[^"]*-post(\d+)\.html', listing.text)]
    assert len(ids) >= 15
    for post_id in ids:
        found = site.index_of(post_id)
        assert found is not None and "kinh-te" == site.section_of(found).slug
    sitemaps = ET.fromstring(fetch(mirror.base_url, "/sitemap.xml").body)
    months = [e.findtext(f"{SM}loc", "") for e in sitemaps.iter(f"{SM}sitemap")]
    assert f"{WWW}/sitemaps/posts-2016-12.xml" == months[0]
    urls = ET.fromstring(fetch(mirror.base_url, "/sitemaps/posts-2018-05.xml").body)
    locs = [u.findtext(f"{SM}loc", "") for u in urls.iter(f"{SM}url")]
    assert len(locs) >= 100
    for loc in locs[:: len(locs) // 10]:
        found = site.index_of(int(re.findall(r"\d+", loc)[-1]))
        assert found is not None and (2018, 5) == (
            site.published(found).year,
            site.published(found).month,
        )
