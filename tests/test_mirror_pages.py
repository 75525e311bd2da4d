"""Article pages of the mirror: every template with its evidenced selectors, every variant of
site-model section 7, and the truth checked against what each page shows.

Pages are read over HTTP and parsed with lxml (tests/helpers/mirror_pages.py); expected values
come from the truth or are written out literally, never from the mirror's own render functions.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from backports import zstd

from tests.helpers.loopback import fetch
from tests.helpers.mirror_pages import (
    DATELINES,
    LAYOUTS,
    SITE_TZ,
    body_paragraphs,
    caption_in_figure_table_or_span,
    check_article_page,
    layout_of,
    one,
    parse,
    shown_date,
    split_credit,
    text,
)
from tests.mirror import Article, Mirror, Site
from tests.mirror.render import article_page

WEEKDAY_NAMES = ("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")


# -- reading pages ---------------------------------------------------------------------------


def articles(site: Site, keep: Callable[[Article], bool], limit: int = 3) -> list[Article]:
    """The first `limit` articles of the site that `keep` accepts."""
    found = []
    for index in range(site.total):
        article = site.article(index)
        if keep(article):
            found.append(article)
            if len(found) == limit:
                break
    return found


def of_template(site: Site, template: str) -> Article:
    return articles(site, lambda a: a.template == template, 1)[0]


def page_of(mirror: Mirror, article: Article) -> Any:
    response = fetch(mirror.base_url, article.path)
    assert 200 == response.status
    return parse(response.body)


# -- the truth against the page ---------------------------------------------------------------


@pytest.mark.parametrize("part", range(4))
def test_truth_is_what_the_page_shows(mirror: Mirror, part: int) -> None:
    site = mirror.site
    seen = set()
    for index in range(part, site.total, 5):
        truth = site.article(index).truth()
        response = fetch(mirror.base_url, urlsplit(truth["url"]).path)
        assert 200 == response.status
        seen.add(check_article_page(truth, response.body))
    assert {"A", "B", "C", "video", "photo"} == seen


# -- templates and their selectors --------------------------------------------------------------


@pytest.mark.parametrize("template", ["A", "B", "C", "video", "photo"])
def test_each_template_is_served(mirror: Mirror, template: str) -> None:
    for article in articles(mirror.site, lambda a: a.template == template, limit=5):
        assert template == layout_of(page_of(mirror, article))


def test_template_a_matches_the_evidenced_exact_class_selectors(mirror: Mirror) -> None:
    plain = articles(mirror.site, lambda a: a.template == "A" and not a.extra_classes)
    for article in plain:
        tree = page_of(mirror, article)
        assert article.title == text(one(tree, "h1.bp-detail-content-title-h1"))
        assert [article.title] == [
            text(h) for h in tree.xpath('//h1[@class="bp-detail-content-title-h1"]')
        ]
        assert [article.dateline + article.sapo] == [
            text(p) for p in tree.xpath('//p[@class="bp-detail-sapo"]')
        ]
        assert 1 == len(tree.xpath('//span[@class="bp-date-time"]'))
        shown = [text(p) for p in tree.xpath('//div[@class="bp-detail-text-content"]//p')]
        assert article.truth()["body"].split("\n\n")[0] in shown


def test_template_a_extra_classes_defeat_exact_class_matching(mirror: Mirror) -> None:
    extra = articles(mirror.site, lambda a: a.template == "A" and a.extra_classes)
    assert 3 == len(extra)
    for article in extra:
        tree = page_of(mirror, article)
        assert [] == tree.xpath('//p[@class="bp-detail-sapo"]')
        assert [] == tree.xpath('//div[@class="bp-detail-text-content"]')
        assert ["bp-detail-sapo cms-desc"] == tree.xpath(
            '//p[contains(@class, "bp-detail-sapo")]/@class'
        )
        assert article.sapo in text(one(tree, "p.bp-detail-sapo"))


def test_template_b_matches_the_reader_app_selectors(mirror: Mirror) -> None:
    figures = p_images = 0
    for article in articles(mirror.site, lambda a: a.template == "B", limit=40):
        tree = page_of(mirror, article)
        assert article.title == text(one(tree, "article.article-main > h2.title--big > a"))
        date = one(tree, "article.article-main > div.row > div.col-6 .article-date")
        assert article.published == shown_date(date.text)
        intro = tree.cssselect("div.article-content-intro p")[0]
        assert article.dateline + article.sapo == text(intro)
        shown = [text(p) for p in tree.cssselect("div.article-content-main > p")]
        assert article.truth()["body"].split("\n\n")[-1] in shown
        for figure in tree.cssselect("div.article-content-main figure.image"):
            assert figure.cssselect("img[src]") and figure.cssselect("figcaption")
            figures += 1
        p_images += len(tree.cssselect("div.article-content-main p > img[src]"))
    assert figures > 0 and p_images > 0


def test_template_c_is_unknown_to_the_evidenced_selectors(mirror: Mirror) -> None:
    known = [
        "h1.bp-detail-content-title-h1",
        "p.bp-detail-sapo",
        "div.bp-detail-text-content",
        "article.article-main",
        "div.article-content-main",
        "div.ft-info-media",
    ]
    for article in articles(mirror.site, lambda a: a.template == "C", limit=5):
        tree = page_of(mirror, article)
        assert [] == [css for css in known if tree.cssselect(css)]
        assert [article.title] == [text(h) for h in tree.cssselect("main h1")]


@pytest.mark.parametrize("kind", ["video", "photo"])
def test_media_stories_have_the_ft_header_and_no_body_div(mirror: Mirror, kind: str) -> None:
    prefix = {"video": "/videos/", "photo": "/tin-anh/"}[kind]
    for article in articles(mirror.site, lambda a: a.kind == kind):
        assert article.path.startswith(prefix)
        tree = page_of(mirror, article)
        assert article.title == text(one(tree, "div.ft-info-media h1"))
        assert article.published == shown_date(one(tree, "div.ft-time-media").text)
        assert article.dateline + article.sapo == text(one(tree, "div.ft-text-info-media > p"))
        assert [] == tree.cssselect("div.bp-detail-text-content, div.article-content-main")
        sources = tree.cssselect("div.ft-ct-media source[src]")
        slides = tree.cssselect("ul.slides > li > span.item-thumb > img")
        if kind == "video":
            assert [article.video_url] == [s.get("src") for s in sources]
            assert [] == slides
        else:
            assert [] == sources
            assert len(article.slides) == len(slides) >= 3
            captions = [text(p) for p in tree.cssselect("ul.slides > li > span.item-thumb > p")]
            assert [s.caption for s in article.slides] == [split_credit(c)[0] for c in captions]


# -- variants of site-model section 7 ---------------------------------------------------------


@pytest.mark.parametrize("dateline", DATELINES)
def test_every_dateline_variant_is_served(mirror: Mirror, dateline: str) -> None:
    chosen = articles(mirror.site, lambda a: a.dateline == dateline and a.template in "AB")
    assert 3 == len(chosen)
    for article in chosen:
        tree = page_of(mirror, article)
        css = LAYOUTS[article.template][2]
        assert dateline + article.sapo == str(one(tree, css).text_content())


DATE_PATTERNS = {
    "weekday-pipe": r"(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật), \d\d/\d\d/\d{4} \| \d\d:\d\d",
    "plain": r"\d\d/\d\d/\d{4} \d\d:\d\d",
    "time-first": r"\d\d:\d\d \| \d\d/\d\d/\d{4}",
    "weekday-dash-gmt": r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d{1,2}/\d{1,2}/\d{4} - "
    r"\d\d:\d\d \(GMT\+7\)",
}


@pytest.mark.parametrize("form", sorted(DATE_PATTERNS))
def test_every_date_form_is_served_and_shows_the_publication_time(
    mirror: Mirror, form: str
) -> None:
    for article in articles(mirror.site, lambda a: a.date_format == form, limit=4):
        tree = page_of(mirror, article)
        shown = str(one(tree, LAYOUTS[article.template][1]).text).strip()
        assert re.fullmatch(DATE_PATTERNS[form], shown), shown
        assert article.published == shown_date(shown)
        if shown[0] in "TC":
            weekday = shown.split(",")[0].lower()
            assert WEEKDAY_NAMES[article.published.weekday()] == weekday


def test_header_clock_is_on_every_page_and_is_not_the_article_date(mirror: Mirror) -> None:
    paths = ["/", "/kinh-te/", "/khong-co-trang-nay.html", "/tim-kiem.html?q=bien"]
    paths.append(mirror.site.article(0).tags[0].path)
    by_template = {t: of_template(mirror.site, t) for t in LAYOUTS}
    paths += [a.path for a in by_template.values()]
    for path in paths:
        tree = parse(fetch(mirror.base_url, path).body)
        assert ["Chủ nhật, 01/11/2026 08:13 GMT+7"] == [
            text(s) for s in tree.cssselect("div.top-bar span.top-bar-date")
        ]
    for article in by_template.values():
        tree = parse(fetch(mirror.base_url, article.path).body)
        clock = tree.cssselect("span.top-bar-date")[0]
        title = tree.cssselect(LAYOUTS[article.template][0])[0]
        assert clock in list(tree.iter())[: list(tree.iter()).index(title)]
        assert datetime(2026, 11, 1, 8, 13, tzinfo=SITE_TZ) != article.published


@pytest.mark.parametrize("markup", ["figure", "table", "p-img"])
def test_every_caption_markup_is_served(mirror: Mirror, markup: str) -> None:
    def has(a: Article) -> bool:
        return a.template in "AB" and any(i.markup == markup for i in a.images)

    for article in articles(mirror.site, has):
        tree = page_of(mirror, article)
        container = one(tree, LAYOUTS[article.template][3])
        image = next(i for i in article.images if i.markup == markup)
        img = next(i for i in container.cssselect("img") if i.get("src") == image.src)
        if markup == "figure":
            assert ["figure"] == [img.getparent().tag]
            assert "figcaption" == img.getparent()[-1].tag
        elif markup == "table":
            table = next(img.iterancestors("table"))
            assert "image" == table.get("class")
            assert image.caption and image.caption in text(one(table, "td.image_caption > p"))
        else:
            assert "p" == img.getparent().tag
            assert "" == text(img.getparent())


def test_captions_carry_photo_credits_and_sometimes_repeat_as_alt_text(mirror: Mirror) -> None:
    credits, alts = set(), 0
    for article in articles(mirror.site, lambda a: a.template in "AB", limit=150):
        for image in article.images:
            if image.credit:
                credits.add(image.credit)
            alts += image.alt_is_caption
    assert {"CTV", "Tư liệu"} < credits and len(credits) > 5
    assert alts > 0
    article = articles(mirror.site, lambda a: any(i.alt_is_caption for i in a.images), 1)[0]
    tree = page_of(mirror, article)
    image = next(i for i in article.images if i.alt_is_caption)
    img = next(i for i in tree.cssselect("img") if (i.get("data-src") or i.get("src")) == image.src)
    assert caption_in_figure_table_or_span(img) == img.get("alt")


def test_empty_paragraphs_are_served_as_nbsp(mirror: Mirror) -> None:
    chosen = articles(mirror.site, lambda a: any(b.kind == "empty" for b in a.blocks))
    assert 3 == len(chosen)
    for article in chosen:
        response = fetch(mirror.base_url, article.path)
        assert b"<p>&nbsp;</p>" in response.body
        container = one(parse(response.body), LAYOUTS[article.template][3])
        assert ["\xa0"] == sorted({p.text_content() for p in container.iter("p")} & {"\xa0"})


def test_intertitles_are_paragraphs_of_strong_text(mirror: Mirror) -> None:
    for article in articles(mirror.site, lambda a: any(b.kind == "intertitle" for b in a.blocks)):
        container = one(page_of(mirror, article), LAYOUTS[article.template][3])
        titles = [b.text for b in article.blocks if b.kind == "intertitle"]
        strong = [
            text(s) for s in container.cssselect("p > strong") if text(s.getparent()) == text(s)
        ]
        assert set(titles) <= set(strong)


def test_footnote_digits_are_sup_glued_to_the_closing_quote(mirror: Mirror) -> None:
    chosen = articles(mirror.site, lambda a: any(b.kind == "footnote-note" for b in a.blocks))
    assert 3 == len(chosen)
    for article in chosen:
        response = fetch(mirror.base_url, article.path)
        assert "”<sup>1</sup>" in unicodedata.normalize("NFC", response.text)
        container = one(parse(response.body), LAYOUTS[article.template][3])
        assert ["1", "2"] == [s.text for s in container.cssselect("p sup")]
        assert "”1." in article.truth()["body"]


BYLINES = {
    "one": "{a}",
    "two-dash": "{a} - {b}",
    "two-comma": "{a}, {b}",
    "bai-va-anh": "Bài và ảnh: {a}",
    "tin-anh": "Tin, ảnh: {a}",
    "nhom-pv": "Nhóm PV",
    "ctv": "CTV",
    "ttxvn": "Theo TTXVN",
    "nguon": "Nguồn: TTXVN",
}
BYLINE_STYLES = {
    "right-strong": 'p[style="text-align: right;"] > strong',
    "bold": "p > b",
    "plain": "p",
    "author-class": "p.author",
}


def test_every_byline_form_and_style_occurs_across_the_site(mirror: Mirror) -> None:
    site = mirror.site
    forms = {(site.article(i).byline.form, site.article(i).byline.style) for i in range(site.total)}
    assert {*BYLINES, "none"} == {form for form, _ in forms}
    assert set(BYLINE_STYLES) == {style for _, style in forms}
    assert len(forms) >= 35


@pytest.mark.parametrize("form", sorted(BYLINES))
def test_every_byline_form_is_the_last_body_line(mirror: Mirror, form: str) -> None:
    chosen = articles(mirror.site, lambda a: a.byline.form == form and a.template in "ABC", 8)
    styles = set()
    for article in chosen:
        container = one(page_of(mirror, article), LAYOUTS[article.template][3])
        authors = [*article.byline.authors, "", ""]
        line = BYLINES[form].format(a=authors[0], b=authors[1])
        lines = body_paragraphs(container)
        lines = lines[:-1] if article.syndication_line else lines
        assert line == lines[-1]
        styled = [text(e) for e in container.cssselect(BYLINE_STYLES[article.byline.style])]
        assert line in styled
        styles.add(article.byline.style)
    assert len(styles) >= 2


def test_pages_without_byline_end_with_body_text(mirror: Mirror) -> None:
    chosen = articles(mirror.site, lambda a: a.byline.form == "none" and a.template in "AB", 5)
    for article in chosen:
        container = one(page_of(mirror, article), LAYOUTS[article.template][3])
        lines = [p for p in body_paragraphs(container) if not p.startswith("Nguồn Biên Phòng:")]
        assert article.truth()["body"].split("\n\n")[-1] == lines[-1]
        assert [] == container.cssselect("p.author, p > b")


def test_og_and_json_ld_are_on_some_pages_only(mirror: Mirror) -> None:
    counts = {"og": 0, "no-og": 0, "ld": 0, "no-ld": 0, "org": 0, "person": 0}
    for index in range(0, 400, 2):
        article = mirror.site.article(index)
        tree = page_of(mirror, article)
        og = tree.xpath('//meta[@property="og:title"]/@content')
        counts["og" if og else "no-og"] += 1
        if og:
            assert [f"{article.title} - Báo Biên phòng"] == og
        scripts = tree.xpath('//script[@type="application/ld+json"]/text()')
        counts["ld" if scripts else "no-ld"] += 1
        if scripts and article.byline.authors:
            author = json.loads(scripts[0])["author"]
            counts["org" if isinstance(author, dict) else "person"] += 1
            if isinstance(author, dict):
                assert {"@type": "Organization", "name": "Báo Biên phòng"}.items() <= author.items()
            else:
                assert list(article.byline.authors) == [p["name"] for p in author]
    assert 0 not in counts.values(), counts


def test_some_pages_are_served_decomposed(mirror: Mirror) -> None:
    decomposed = articles(mirror.site, lambda a: a.decomposed, limit=5)
    assert 5 == len(decomposed)
    for article in decomposed:
        raw = fetch(mirror.base_url, article.path).text
        assert unicodedata.normalize("NFC", raw) != raw
        assert unicodedata.normalize("NFD", raw) == raw
        assert article.title not in raw
        assert article.title == text(one(parse(raw.encode()), LAYOUTS[article.template][0]))
    composed = articles(mirror.site, lambda a: not a.decomposed, limit=5)
    for article in composed:
        raw = fetch(mirror.base_url, article.path).text
        assert unicodedata.normalize("NFC", raw) == raw


def test_syndication_and_share_lines_follow_the_body(mirror: Mirror) -> None:
    for article in articles(mirror.site, lambda a: a.syndication_line and a.template in "AB"):
        tree = page_of(mirror, article)
        lines = body_paragraphs(one(tree, LAYOUTS[article.template][3]))
        assert f"Nguồn Biên Phòng: https://bienphong.com.vn{article.path}" == lines[-1]
    for article in articles(mirror.site, lambda a: a.share_widget and a.template == "A"):
        tree = page_of(mirror, article)
        assert ["Zalo"] == [text(a) for a in tree.cssselect("div.share-box a.zalo-share-button")]


def iter_advertorials(site: Site) -> Iterator[Article]:
    return (a for a in (site.article(i) for i in range(site.total)) if a.advertorial)


def test_advertorials_are_articles_of_the_site(mirror: Mirror) -> None:
    found = list(iter_advertorials(mirror.site))
    assert len(found) >= 5
    for article in found[:3]:
        truth = article.truth()
        assert ("kinh-te", []) == (truth["section"], truth["authors"])
        response = fetch(mirror.base_url, article.path)
        check_article_page(truth, response.body)


def test_article_pages_weigh_and_compress_as_real_ones() -> None:
    # Real article pages: 100–500 KB, zlib level 6 4–5× smaller, another page of the same site
    # as a zstd dictionary 4–5× smaller again (issue 30; bench mirror measures 200 served
    # pages beside the real ones). A light site serves the article and the header alone.
    site = Site(articles=600, seed=9, weighty=True)
    pages = [article_page(site, site.article(i)).encode() for i in range(0, 600, 15)]
    sizes = sorted(len(page) for page in pages)
    zlib_ratios = [len(page) / len(zlib.compress(page, 6)) for page in pages]
    gains = [
        len(zlib.compress(page, 6))
        / len(zstd.compress(page, level=3, zstd_dict=zstd.ZstdDict(before, is_raw=True)))
        for before, page in itertools.pairwise(pages)
    ]
    assert 200_000 < statistics.median(sizes) < 300_000
    assert 4 <= statistics.median(zlib_ratios) <= 5
    assert 4 <= statistics.median(gains) <= 5.5
    light = Site(articles=600, seed=9, weighty=False)
    assert len(article_page(light, light.article(0)).encode()) < 30_000
