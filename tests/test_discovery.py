"""crawler.discovery: what listings, feeds and sitemaps name, on literal documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crawler.discovery import (
    LINKS_PER_PAGE,
    LINKS_PER_SITEMAP,
    Overflow,
    feed_links,
    html_links,
    listing_key,
    listing_page_number,
    page_links,
    section_of_listing,
    sitemap_entries,
)
from crawler.state import ListingWalk

ICT = timezone(timedelta(hours=7))
LISTING = b"""<html><head><link rel="next" href="/kinh-te/?page=3"></head><body>
<a href="https://bienphong.com.vn/a-post450001.html?utm_source=x">A</a>
<a href="/b-post450004.html">B</a>
<a href="https://www.bienphong.com.vn/old-slug-post450001.html">A again</a>
<a href="https://ads.example.vn/click?zone=1">Ad</a>
<a href="/tag/bdbp-lao-cai-4355.html">Tag</a>
<div class="more"><a href="/kinh-te/?page=3">Xem th\xc3\xaam</a></div>
<div class="pagination"><a href="/kinh-te/?page=1">1</a><a href="/kinh-te/?page=4">4</a></div>
</body></html>"""


def test_listing_links_are_canonical_and_deduplicated_by_post_id_in_page_order() -> None:
    found = html_links(LISTING, "https://www.bienphong.com.vn/kinh-te/?page=2")
    assert [
        ("https://www.bienphong.com.vn/a-post450001.html", 450001),
        ("https://www.bienphong.com.vn/b-post450004.html", 450004),
    ] == [(link.url, link.post_id) for link in found.articles]
    assert ["https://www.bienphong.com.vn/tag/bdbp-lao-cai-4355.html"] == found.tags


def test_the_next_page_is_the_nearest_later_page_of_the_same_listing() -> None:
    found = html_links(LISTING, "https://www.bienphong.com.vn/kinh-te/?page=2")
    assert ["https://www.bienphong.com.vn/kinh-te/?page=3"] == found.next_pages


def test_a_numbered_pager_alone_leads_to_the_next_number() -> None:
    pager = b"""<div class="pagination"><a href="/xa-hoi/trang-1.html">1</a><span>2</span>
    <a href="/xa-hoi/trang-3.html">3</a><a href="/xa-hoi/trang-4.html">4</a>
    <a href="/xa-hoi/trang-90.html">\xc2\xbb</a><a href="/kinh-te/trang-3.html">3</a></div>"""
    found = html_links(pager, "https://www.bienphong.com.vn/xa-hoi/trang-2.html")
    assert ["https://www.bienphong.com.vn/xa-hoi/trang-3.html"] == found.next_pages


def test_xem_them_alone_leads_on_and_a_last_page_leads_nowhere() -> None:
    more = '<a class="btn-more" href="/the-thao/?page=5">Xem thêm</a>'.encode()
    last = b'<a href="/the-thao/?page=3">3</a><a href="/the-thao/">1</a>'
    assert ["https://www.bienphong.com.vn/the-thao/?page=5"] == html_links(
        more, "https://www.bienphong.com.vn/the-thao/?page=4"
    ).next_pages
    assert [] == html_links(last, "https://www.bienphong.com.vn/the-thao/?page=4").next_pages


def test_listing_pages_in_both_forms_belong_to_one_listing() -> None:
    assert (3, 5, 1) == (
        listing_page_number("https://www.bienphong.com.vn/kinh-te/?page=3"),
        listing_page_number("https://www.bienphong.com.vn/kinh-te/trang-5.html"),
        listing_page_number("https://www.bienphong.com.vn/kinh-te/"),
    )
    assert "/kinh-te/" == listing_key("https://www.bienphong.com.vn/kinh-te/trang-5.html")


def test_section_of_listing_reads_section_pages_and_both_feed_forms() -> None:
    assert ["kinh-te", "chinh-tri", "chinh-tri", None] == [
        section_of_listing("https://www.bienphong.com.vn/kinh-te/trang-2.html"),
        section_of_listing("https://www.bienphong.com.vn/rss/chinh-tri.rss"),
        section_of_listing("https://www.bienphong.com.vn/rss/chinh-tri-1.rss"),
        section_of_listing("https://www.bienphong.com.vn/tag/a-12.html"),
    ]


def test_feed_links_carry_publication_dates() -> None:
    feed = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>
    <item><title><![CDATA[Tuần tra]]></title>
    <link>https://bienphong.com.vn/tuan-tra-post450001.html?utm_source=rss</link>
    <pubDate>Mon, 02 Oct 2023 08:15:00 +0700</pubDate></item>
    <item><title>Video</title><link>https://www.bienphong.com.vn/videos/v-post450007.html</link>
    <pubDate>not a date</pubDate></item></channel></rss>""".encode()
    links = feed_links(feed, "https://www.bienphong.com.vn/rss/kinh-te.rss")
    assert [
        (
            "https://www.bienphong.com.vn/tuan-tra-post450001.html",
            datetime(2023, 10, 2, 8, 15, tzinfo=ICT),
        ),
        ("https://www.bienphong.com.vn/videos/v-post450007.html", None),
    ] == [(link.url, link.published) for link in links]


def test_sitemap_index_names_children_with_lastmod() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://www.bienphong.com.vn/sitemaps/posts-2024-01.xml</loc>
    <lastmod>2024-01-31T10:00:00+07:00</lastmod></sitemap></sitemapindex>"""
    kind, articles, children = sitemap_entries(index, "https://www.bienphong.com.vn/sitemap.xml")
    assert ("index", []) == (kind, articles)
    assert [
        (
            "https://www.bienphong.com.vn/sitemaps/posts-2024-01.xml",
            datetime(2024, 1, 31, 10, tzinfo=ICT),
        )
    ] == children


def test_a_sitemap_index_naming_no_address_names_only_its_other_children() -> None:
    # Scrapy refuses to build a request for `http://[…]`: the crawl would stop reading here.
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>http://[ccpa-preferences]/s.xml</loc></sitemap>
    <sitemap><loc>https://www.bienphong.com.vn/sitemaps/posts-2024-01.xml</loc></sitemap>
    </sitemapindex>"""
    _, _, children = sitemap_entries(index, "https://www.bienphong.com.vn/sitemap.xml")
    assert [("https://www.bienphong.com.vn/sitemaps/posts-2024-01.xml", None)] == children


def test_urlset_gives_articles_with_lastmod_and_news_dates() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
    xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://www.bienphong.com.vn/a-post450001.html</loc><lastmod>2024-01-02T08:00:00+07:00</lastmod></url>
    <url><loc>https://www.bienphong.com.vn/b-post450004.html</loc><news:news><news:publication_date>2024-01-03T09:00:00+07:00</news:publication_date></news:news></url>
    <url><loc>https://www.bienphong.com.vn/kinh-te/</loc></url></urlset>"""
    kind, articles, _ = sitemap_entries(urlset, "https://www.bienphong.com.vn/sitemaps/news.xml")
    assert "urlset" == kind
    assert [
        (450001, datetime(2024, 1, 2, 8, tzinfo=ICT), None),
        (450004, None, datetime(2024, 1, 3, 9, tzinfo=ICT)),
    ] == [(a.post_id, a.lastmod, a.published) for a in articles]


def test_a_date_without_an_offset_is_on_the_sites_clock_so_it_compares_with_since() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>https://www.bienphong.com.vn/a-post450001.html</loc><lastmod>2024-01-02</lastmod></url>
    </urlset>"""
    feed = b"""<rss><channel><item><link>https://www.bienphong.com.vn/b-post450004.html</link>
    <pubDate>Wed, 03 Jan 2024 02:00:00 -0000</pubDate></item></channel></rss>"""
    _, articles, _ = sitemap_entries(urlset, "https://www.bienphong.com.vn/sitemaps/news.xml")
    links = feed_links(feed, "https://www.bienphong.com.vn/rss/kinh-te.rss")
    since = datetime(2024, 1, 2, 12, tzinfo=ICT)

    lastmod, published = articles[0].lastmod, links[0].published
    assert [datetime(2024, 1, 2, tzinfo=ICT)] == [a.lastmod for a in articles]
    assert [datetime(2024, 1, 3, 2, tzinfo=UTC)] == [link.published for link in links]
    assert lastmod is not None and published is not None
    assert [True, False] == [lastmod < since, published < since]


def test_broken_documents_yield_nothing_rather_than_raising() -> None:
    assert [] == feed_links(b"<rss><item><link>", "https://www.bienphong.com.vn/rss/a.rss")
    assert ("unknown", [], []) == sitemap_entries(
        b"\x00\x01 not xml", "https://www.bienphong.com.vn/sitemap.xml"
    )
    assert [] == html_links(b"", "https://www.bienphong.com.vn/").articles


def test_a_link_that_is_no_address_is_skipped_and_the_rest_of_the_page_read() -> None:
    # Python's urlsplit rejects these (a real news page links to `http://[ccpa-preferences]`).
    page = """<a href="http://[ccpa-preferences]">Do not sell</a><a href="http://[::1">x</a>
    <a href="/a-post450001.html">A</a><a href="/tag/bdbp-lao-cai-4355.html">BĐBP Lào Cai</a>"""
    links, tags = page_links(page.encode(), "https://www.bienphong.com.vn/x-post450010.html")
    assert [450001] == [link.post_id for link in links]
    assert ["https://www.bienphong.com.vn/tag/bdbp-lao-cai-4355.html"] == tags


def test_page_links_scan_hrefs_for_articles_and_tags() -> None:
    page = """<div class="related"><a href="/a-post450001.html?utm_source=x&amp;utm_medium=y">A</a>
    <a class="x" href='https://bienphong.com.vn/b-post450004.html'>B</a>
    <a href="https://evil.example/c-post450007.html">elsewhere</a>
    <link rel="canonical" href="https://www.bienphong.com.vn/a-post450001.html">
    <a href="/tag/bdbp-lao-cai-4355.html">BĐBP Lào Cai</a><a href="/kinh-te/">Kinh tế</a></div>"""
    links, tags = page_links(page.encode(), "https://www.bienphong.com.vn/x-post450010.html")
    assert [
        ("https://www.bienphong.com.vn/a-post450001.html", 450001),
        ("https://www.bienphong.com.vn/b-post450004.html", 450004),
        ("https://evil.example/c-post450007.html", 450007),  # the spider drops other hosts
    ] == [(link.url, link.post_id) for link in links]
    assert ["https://www.bienphong.com.vn/tag/bdbp-lao-cai-4355.html"] == tags


def test_a_listing_walk_ends_after_three_pages_with_nothing_new_or_at_the_cap() -> None:
    walk = ListingWalk()
    assert None is walk.page(1, [20, 19, 18], cap=100)
    assert None is walk.page(2, [18, 17, 16], cap=100)  # overlaps page 1, but lists 17 and 16
    assert None is walk.page(3, [16, 17], cap=100)  # nothing new: one
    assert None is walk.page(4, [18], cap=100)  # two
    assert "ended at page 5: 3 pages in a row listed nothing new" == walk.page(5, [], cap=100)
    looping = ListingWalk()
    for number, ids in enumerate(([9, 8], [7, 6], [9, 8], [7, 6], [9, 8]), start=1):
        ended = looping.page(number, ids, cap=100)
    assert "ended at page 5: 3 pages in a row listed nothing new" == ended
    capped = ListingWalk()
    assert None is capped.page(1, [5], cap=2)
    assert "ended at page 2: the cap on pages a listing is followed to" == capped.page(2, [4], 2)


def anchors(count: int, first: int = 450_001) -> bytes:
    """A page naming `count` articles, each once, and the first of them again at its end."""
    links = "".join(f'<a href="/a-post{first + n}.html">A</a>' for n in range(count))
    return f'<html><body>{links}<a href="/a-post{first}.html">A</a></body></html>'.encode()


def test_a_page_is_read_for_so_many_links_and_what_is_past_them_is_counted() -> None:
    over = Overflow()

    listed = html_links(anchors(LINKS_PER_PAGE + 300), "https://www.bienphong.com.vn/", over)
    scanned, _ = page_links(anchors(LINKS_PER_PAGE + 20), "https://www.bienphong.com.vn/", over)
    few = html_links(anchors(5), "https://www.bienphong.com.vn/", over)

    assert [450_001, 450_001 + LINKS_PER_PAGE - 1] == [
        listed.articles[0].post_id,
        listed.articles[-1].post_id,
    ]
    assert [LINKS_PER_PAGE, LINKS_PER_PAGE, 5] == [
        len(listed.articles),
        len(scanned),
        len(few.articles),
    ]
    # The repeated first link is one already read, not one more past the cap.
    assert (320, 2) == (over.links, over.pages)


def test_a_feed_and_a_sitemap_are_read_for_so_many_links() -> None:
    items = "".join(
        f"<item><link>https://www.bienphong.com.vn/a-post{450_001 + n}.html</link></item>"
        for n in range(LINKS_PER_PAGE + 7)
    )
    feed = f"<rss><channel>{items}</channel></rss>".encode()
    urls = "".join(
        f"<url><loc>https://www.bienphong.com.vn/a-post{450_001 + n}.html</loc></url>"
        for n in range(LINKS_PER_SITEMAP + 9)
    )
    urlset = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    over = Overflow()

    links = feed_links(feed, "https://www.bienphong.com.vn/rss/kinh-te.rss", over)
    _, articles, _ = sitemap_entries(urlset, "https://www.bienphong.com.vn/sitemaps/x.xml", over)

    assert (LINKS_PER_PAGE, LINKS_PER_SITEMAP) == (len(links), len(articles))
    assert (7 + 9, 2) == (over.links, over.pages)
