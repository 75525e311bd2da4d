"""archive.site: identity and canonical form of the site's URLs."""

from __future__ import annotations

import pytest

from archive.site import (
    PageKind,
    article_kind,
    canonical_url,
    is_address,
    is_site_url,
    page_kind,
    post_id,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.bienphong.com.vn/so-ket-thuc-hien-quy-che-post486718.html",
        "https://bienphong.com.vn/so-ket-thuc-hien-quy-che-post486718.html",
        "https://www.bienphong.com.vn/mot-slug-cu-post486718.html?utm_source=zalo&utm_medium=share",
        "/so-ket-thuc-hien-quy-che-post486718.html#comments",
        "http://bienphong.com.vn/videos/so-ket-post486718.html",
    ],
)
def test_post_id_is_the_same_whatever_host_slug_prefix_or_query(url: str) -> None:
    assert 486718 == post_id(url)


def test_post_id_is_none_for_pages_that_are_not_articles() -> None:
    assert [None, None, None] == [
        post_id("https://www.bienphong.com.vn/kinh-te/"),
        post_id("https://www.bienphong.com.vn/tag/bdbp-lao-cai-4355.html"),
        post_id("https://www.bienphong.com.vn/post486718.html"),
    ]


def test_canonical_url_moves_to_www_https_and_drops_tracking_parameters() -> None:
    assert "https://www.bienphong.com.vn/a-b-post486718.html" == canonical_url(
        "http://bienphong.com.vn/a-b-post486718.html?utm_source=rss&fbclid=x#top"
    )


def test_canonical_url_keeps_parameters_that_change_the_page() -> None:
    assert "https://www.bienphong.com.vn/kinh-te/?page=3" == canonical_url(
        "https://bienphong.com.vn/kinh-te/?utm_campaign=a&page=3"
    )


def test_canonical_url_resolves_relative_links_against_the_page() -> None:
    assert "https://www.bienphong.com.vn/images/media//730/2019/7/26/a.jpg" == canonical_url(
        "/images/media//730/2019/7/26/a.jpg", "https://bienphong.com.vn/x-post1.html"
    )


def test_other_hosts_are_not_rewritten() -> None:
    assert "https://files.bienphong.com.vn//bbpmedia/media/730/2023/9/5/a.jpg" == canonical_url(
        "https://files.bienphong.com.vn//bbpmedia/media/730/2023/9/5/a.jpg"
    )
    assert (False, True) == (
        is_site_url("https://example.com/x-post1.html"),
        is_site_url("https://bienphong.com.vn/x-post1.html"),
    )


@pytest.mark.parametrize(
    ("href", "canonical"),
    [
        (
            "https://bienphong.com.vn/a-post1.html?ref=home#x",
            "https://www.bienphong.com.vn/a-post1.html",
        ),
        ("HTTP://www.bienphong.com.vn/kinh-te/", "https://www.bienphong.com.vn/kinh-te/"),
        ("http://example.com/a?b=1#c", "http://example.com/a?b=1"),
    ],
)
def test_an_absolute_link_has_one_canonical_form_whatever_page_it_stands_on(
    href: str, canonical: str
) -> None:
    # Absolute links are remembered between pages; the page they stand on must not matter.
    pages = ["https://www.bienphong.com.vn/", "http://bienphong.com.vn/x/y-post2.html", "ftp://a/"]
    assert [canonical] * 3 == [canonical_url(href, page) for page in pages]


def test_article_kind_follows_the_url_prefix() -> None:
    assert ["video", "photo", "article"] == [
        article_kind("https://www.bienphong.com.vn/videos/a-post1.html"),
        article_kind("https://www.bienphong.com.vn/tin-anh/a-post1.html"),
        article_kind("https://www.bienphong.com.vn/a-post1.html"),
    ]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.bienphong.com.vn/", PageKind.HOME),
        ("https://www.bienphong.com.vn/robots.txt", PageKind.ROBOTS),
        ("https://www.bienphong.com.vn/kinh-te/", PageKind.SECTION),
        ("https://www.bienphong.com.vn/kinh-te/trang-4.html", PageKind.SECTION),
        ("https://www.bienphong.com.vn/tag/bdbp-lao-cai-4355.html", PageKind.TAG),
        ("https://www.bienphong.com.vn/rss/chinh-tri-1.rss", PageKind.FEED),
        ("https://www.bienphong.com.vn/sitemaps/posts-2024-01.xml", PageKind.SITEMAP),
        ("https://www.bienphong.com.vn/tim-kiem.html?q=bien", PageKind.OTHER),
    ],
)
def test_page_kind(url: str, kind: PageKind) -> None:
    assert kind == page_kind(url)


@pytest.mark.parametrize("written", ["http://[ccpa-preferences]/a-post1.html", "http://[::1"])
def test_an_address_urlsplit_rejects_is_no_address(written: str) -> None:
    assert (False, None, PageKind.OTHER, written) == (
        is_site_url(written),
        post_id(written),
        page_kind(written),
        canonical_url(written),
    )


def test_an_address_is_absolute_on_the_web_and_read_by_urlsplit() -> None:
    assert [True, True, False, False, False] == [
        is_address(url)
        for url in (
            "https://www.bienphong.com.vn/sitemap.xml",
            "http://example.com/a",
            "http://[ccpa-preferences]/s.xml",
            "/sitemap.xml",
            "mailto:toasoan@bienphong.com.vn",
        )
    ]
