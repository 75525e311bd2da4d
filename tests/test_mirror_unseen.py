"""Template X of the mirror (markup drawn per article): every axis value occurs, and whatever is
drawn, the page shows its truth and the truth holds none of the boxes drawn around it.

Pages are read over HTTP and judged from their markup alone, with lxml and regular expressions:
never with the project's extractor, nor with the mirror's render code. Where a test names what
the mirror drew (`XPage(...).plan`), it is the expectation the markup is checked against.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest

from tests.helpers.loopback import fetch
from tests.helpers.mirror_pages import (
    DATELINES,
    WWW,
    caption_in_figure_table_or_em_paragraph,
    parse,
    shown_date,
    split_credit,
    text,
)
from tests.mirror import Mirror, Site, weight
from tests.mirror.unseen import Plan, XPage

AD_HOST = "ads.adnetwork-quangcao.vn"
# Classes of the site's header and footer, the same on every page.
CHROME = {"top-bar", "hotline", "top-bar-date", "site-header", "logo", "main-menu", "site-footer"}
HEAD_PARTS = {
    "description": '//meta[@name="description"]',
    "canonical": '//link[@rel="canonical"]',
    "og-title": '//meta[@property="og:title"]',
    "og-time": '//meta[@property="article:published_time"]',
    "jsonld": '//script[@type="application/ld+json"]',
}
WEEKDAY = r"(Thứ (Hai|Ba|Tư|Năm|Sáu|Bảy)|Chủ nhật)"
DATE_FORMS = {
    "weekday-pipe": rf"{WEEKDAY}, \d\d/\d\d/\d{{4}} \| \d\d:\d\d",
    "plain": r"\d\d/\d\d/\d{4} \d\d:\d\d",
    "time-first": r"\d\d:\d\d \| \d\d/\d\d/\d{4}",
    "weekday-dash-gmt": r"(Thứ (hai|ba|tư|năm|sáu|bảy)|Chủ nhật), \d{1,2}/\d{1,2}/\d{4} - "
    r"\d\d:\d\d \(GMT\+7\)",
    "weekday-comma-gmt": rf"{WEEKDAY}, \d\d/\d\d/\d{{4}}, \d\d:\d\d \(GMT\+7\)",
    "day-only": r"\d{1,2}/\d{1,2}/\d{4}",
}
RELATED_LABELS = ("Tin liên quan", "Xem thêm", "Đọc thêm", "Bài liên quan", "Tin cùng chuyên mục")
# Words only the boxes print: none may be in a truth body, and each must occur on some page.
BOX_WORDS = (
    *RELATED_LABELS,
    "Quảng cáo",
    "Chia sẻ",
    "Zalo",
    "Facebook",
    "Bình chọn",
    "Xem kết quả",
    "@baobienphong",
    "#bienphong",
)


# -- reading pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """One X page as served, with its truth and the mirror's plan for it."""

    truth: dict[str, Any]
    html: str
    tree: Any
    plan: Plan


def own_text(element: Any) -> str:
    return " ".join(str(element.text or "").split())


def paragraphs(truth: dict[str, Any]) -> list[str]:
    return [p for p in truth["body"].split("\n\n") if p]


def precedes(tree: Any, first: Any, second: Any) -> bool:
    order = {element: k for k, element in enumerate(tree.iter())}
    return order[first] < order[second]


def outside_header(elements: list[Any]) -> list[Any]:
    """The elements of the template's own markup: not in the header, nor in the blocks the
    page's weight adds around the article (menus, lists of other stories)."""
    return [e for e in elements if not list(e.iterancestors("header")) and not in_chrome(e)]


def container(page: Served) -> Any:
    """The body container: the element holding most of the truth's paragraphs."""
    wanted = set(paragraphs(page.truth))
    parents = Counter(
        p.getparent()
        for p in page.tree.iter("p")
        if text(p) in wanted and p.getparent().tag != "blockquote"
    )
    return parents.most_common(1)[0][0]


def first_paragraph(page: Served) -> Any:
    wanted = set(paragraphs(page.truth))
    return next(p for p in container(page).iter("p") if text(p) in wanted)


# -- what a page shows, judged from its markup ---------------------------------------------------


def head_parts(tree: Any) -> frozenset[str]:
    return frozenset(part for part, xpath in HEAD_PARTS.items() if tree.xpath(xpath))


def metadata(tree: Any) -> str:
    parts = head_parts(tree)
    return "none" if not parts else "full" if len(parts) == len(HEAD_PARTS) else "partial"


def byline_lines(truth: dict[str, Any]) -> set[str]:
    """Every way site-model section 7 writes a byline with these authors or this source."""
    names, source = truth["authors"], truth["source"]
    if source:
        return {f"Theo {source}", f"Nguồn: {source}"}
    if len(names) == 2:
        return {f"{names[0]} - {names[1]}", f"{names[0]}, {names[1]}"}
    return {names[0], f"Bài và ảnh: {names[0]}", f"Tin, ảnh: {names[0]}"} if names else set()


def byline_element(page: Served) -> Any:
    lines = byline_lines(page.truth)
    return next(e for e in page.tree.iter() if isinstance(e.tag, str) and text(e) in lines)


def byline_place(page: Served) -> str:
    if not byline_lines(page.truth):
        return "none"
    if page.tree.xpath('//*[@rel="author"]'):
        return "rel-author"
    if page.tree.xpath('//*[@itemprop="author"]'):
        return "itemprop"
    top = precedes(page.tree, byline_element(page), first_paragraph(page))
    return "meta" if top else "end"


def lead_element(page: Served) -> Any:
    shown = {dateline + page.truth["sapo"] for dateline in DATELINES}
    return next(e for e in page.tree.body.iter() if text(e) in shown)


def lead_markup(lead: Any) -> str:
    only = lead[0] if len(lead) and text(lead[0]) == text(lead) else None
    if only is not None and only.tag == "strong" and lead.tag == "p":
        return "strong"
    if only is not None and only.tag == "b":
        return "b"
    return str(lead.tag)


def dateline_markup(lead: Any, truth: dict[str, Any]) -> str:
    shown = text(lead)
    dateline = shown[: len(shown) - len(truth["sapo"])].strip()
    if not dateline:
        return "none"
    own = [e.tag for e in lead.iter() if e is not lead and text(e) == dateline]
    return str(own[0]) if own else "text"


def box_roots(page: Served) -> Iterator[tuple[str, Any]]:
    """Every box on the page, found by general signals, as (kind, its outermost element)."""
    tree = page.tree
    for element in tree.xpath(f'//*[contains(@src, "{AD_HOST}") or contains(@href, "{AD_HOST}")]'):
        yield "ad", next(element.iterancestors("div"))
    for radio in tree.xpath('//input[@type="radio"][1]'):
        yield "poll", next(radio.iterancestors("form", "div"))
    for frame in tree.xpath(f'//iframe[not(contains(@src, "{AD_HOST}"))]'):
        yield "embed", frame.getparent()
    for quote in tree.xpath("//blockquote[following-sibling::*[1][self::script[@src]]]"):
        yield "embed", quote
    for share in tree.xpath('//a[contains(@href, "zalo.me")]'):
        yield "share", next(a for a in share.iterancestors("div"))
    for label in tree.xpath("//h3|//h4|//strong|//div[not(*)]"):
        if text(label) in RELATED_LABELS:
            yield (
                "related",
                label.getparent() if label.tag != "strong" else label.getparent().getparent(),
            )


def image_form(img: Any) -> str:
    if list(img.iterancestors("picture")):  # libxml2 nests the img inside <source>
        return "picture"
    lazy = [name for name in ("data-src", "data-original", "data-srcset") if img.get(name)]
    if img.get("src", "").startswith("data:"):
        return f"placeholder-{lazy[0]}"
    if img.get("srcset"):
        return "srcset"
    return lazy[0] if lazy else "src"


def candidates(srcset: str) -> list[tuple[str, int]]:
    found = [c.split() for c in srcset.split(",")]
    return [(url, int(width.rstrip("w"))) for url, width in found]


def image_url(img: Any, base: str) -> str:
    """The picture's URL, asserting that every lazy form on the element names the same one."""
    urls: set[str] = {img.get(name) for name in ("data-src", "data-original") if img.get(name)}
    if not img.get("src", "").startswith("data:"):
        urls.add(str(img.get("src")))
    sets = [img.get("srcset"), img.get("data-srcset")]
    sets += [s.get("srcset") for p in img.iterancestors("picture") for s in p.iter("source")]
    for srcset in filter(None, sets):
        found = candidates(srcset)
        urls |= {found[0][0], max(found, key=lambda c: c[1])[0]}
    assert 1 == len(urls), urls
    return urljoin(base, urls.pop())


def caption_form(img: Any) -> str:
    if list(img.iterancestors("figure")):
        return "figure"
    if list(img.iterancestors("table")):
        return "table"
    return "none" if caption_in_figure_table_or_em_paragraph(img) is None else "p-caption"


def date_form(page: Served) -> tuple[str, str]:
    """The visible date's form and its text: the first element outside the top bar whose own
    text is a whole date."""
    stamped = page.tree.xpath("//time[@datetime]")
    if stamped:
        return "time-element", own_text(stamped[0])
    for element in page.tree.body.iter():
        if isinstance(element.tag, str) and not element.xpath(
            'ancestor-or-self::*[@class="top-bar"]'
        ):
            shown = own_text(element)
            for form, pattern in DATE_FORMS.items():
                if re.fullmatch(pattern, shown):
                    return form, shown
    raise AssertionError("no visible date")


def heading(page: Served) -> Any:
    found = [h for h in page.tree.xpath("//h1|//h2") if text(h) == page.truth["title"]]
    assert 1 == len(found), page.truth["url"]
    return found[0]


def breadcrumb(page: Served) -> tuple[str, str]:
    """The breadcrumb's form, and whether it stands above or below the headline."""
    href = f"{WWW}/{page.truth['section']}/"
    found = outside_header(page.tree.xpath(f'//a[@href="{href}"]'))
    assert 1 == len(found), href
    crumb, parent = found[0], found[0].getparent()
    where = "above" if precedes(page.tree, crumb, heading(page)) else "below"
    if parent.tag == "nav":
        return "nav", where
    if parent.tag == "li" and parent.getparent().tag == "ol":
        return "ol", where
    if "›" in text(parent) or " / " in text(parent):
        return "div-sep", where
    assert [crumb] == list(parent), "a section link alone"
    return "section-only", where


def jsonld(page: Served) -> dict[str, Any] | None:
    scripts = page.tree.xpath('//script[@type="application/ld+json"]/text()')
    return json.loads(scripts[0]) if scripts else None


def meta_content(tree: Any, name: str) -> str | None:
    found = tree.xpath(f'//meta[@property="{name}"]/@content')
    return str(found[0]) if found else None


# -- the pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages() -> list[Served]:
    """Every text article of a 350-article X site that has moved on five days (some corrected)."""
    site = Site(articles=300, seed=11, template="X", day=5)
    served = []
    with Mirror(site) as mirror:
        for index in range(site.total):
            article = site.article(index)
            if article.kind != "article":
                continue
            response = fetch(mirror.base_url, article.path)
            assert 200 == response.status
            html = unicodedata.normalize("NFC", response.body.decode("utf-8"))
            plan = XPage(site, article).plan
            served.append(Served(article.truth(), html, parse(response.body), plan))
    return served


def boxes(page: Served) -> dict[str, set[str]]:
    """Which boxes stand inside the body container and which elsewhere (after it)."""
    body = container(page)
    found: dict[str, set[str]] = {"inside": set(), "after": set()}
    for kind, root in box_roots(page):
        if not in_chrome(root):
            found["inside" if root.getparent() is body else "after"].add(kind)
    return found


def in_chrome(element: Any) -> bool:
    """Whether an element is one of the blocks the page's weight adds, or inside one."""
    return any(e.get("class") in weight.CHROME for e in (element, *element.iterancestors()))


def body_images(page: Served) -> list[Any]:
    return [
        i for i in container(page).iter("img") if AD_HOST not in lxml.html.tostring(i, encoding=str)
    ]


def axes(page: Served) -> dict[str, object]:
    """Where one page stands on each axis, judged from its markup."""
    lead = lead_element(page)
    found = boxes(page)
    return {
        "metadata": metadata(page.tree),
        "byline": byline_place(page),
        "lead": lead_markup(lead),
        "dateline": dateline_markup(lead, page.truth),
        "lead inside": lead.getparent() is container(page),
        "boxes inside": frozenset(found["inside"]),
        "boxes after": frozenset(found["after"]),
        "images": frozenset(image_form(i) for i in body_images(page)),
        "captions": frozenset(caption_form(i) for i in body_images(page)),
        "date": date_form(page)[0],
        "breadcrumb": breadcrumb(page),
        "heading": heading(page).tag,
        "quote": bool(container(page).xpath("blockquote[not(@class)]")),
    }


def plan_axes(page: Served) -> dict[str, object]:
    """The same, as the mirror drew them."""
    plan = page.plan
    places = dict(plan.boxes)
    drawn_images = {plan.images} if page.truth["images"] else set()
    return {
        "metadata": plan.metadata,
        "byline": plan.byline,
        "lead": plan.lead,
        "dateline": plan.dateline if page.truth["sapo"] != lead_text(page) else "none",
        "lead inside": plan.lead_inside,
        "boxes inside": frozenset(k for k, v in places.items() if v == "inside"),
        "boxes after": frozenset(k for k, v in places.items() if v == "after"),
        "images": frozenset(drawn_images),
        "date": plan.date,
        "breadcrumb": (plan.breadcrumb, "below" if plan.crumb_below else "above"),
        "heading": plan.heading,
        "quote": plan.quote,
    }


def lead_text(page: Served) -> str:
    return text(lead_element(page))


# -- every axis value occurs, and each page shows what was drawn ---------------------------------


def test_every_axis_value_occurs_across_the_pages(pages: list[Served]) -> None:
    seen: dict[str, set[object]] = {}
    for page in pages:
        for axis, value in axes(page).items():
            values = value if isinstance(value, frozenset) else {value}
            seen.setdefault(axis, set()).update(values)
    assert {"none", "partial", "full"} == seen["metadata"]
    assert {"end", "meta", "rel-author", "itemprop", "none"} == seen["byline"]
    assert {"div", "p", "h2", "strong", "b"} == seen["lead"]
    assert {"text", "strong", "b", "span", "none"} == seen["dateline"]
    assert {True, False} == seen["lead inside"] == seen["quote"]
    assert {"related", "ad", "share", "poll", "embed"} == seen["boxes inside"]
    assert {"related", "ad", "share", "poll"} == seen["boxes after"]
    assert {
        "src",
        "data-src",
        "data-original",
        "srcset",
        "placeholder-data-src",
        "placeholder-data-original",
        "placeholder-data-srcset",
        "picture",
    } == seen["images"]
    assert {"figure", "table", "p-caption", "none"} == seen["captions"]
    assert {*DATE_FORMS, "time-element"} == seen["date"]
    forms = {"nav", "ol", "div-sep", "section-only"}
    assert {(form, where) for form in forms for where in ("above", "below")} == seen["breadcrumb"]
    assert {"h1", "h2"} == seen["heading"]


def test_each_page_shows_the_markup_drawn_for_it(pages: list[Served]) -> None:
    assert len(pages) > 250
    wrong = []
    for page in pages:
        shown, drawn = axes(page), plan_axes(page)
        wrong += [
            (page.truth["url"], axis, shown[axis], v)
            for axis, v in drawn.items()
            if shown[axis] != v
        ]
    assert [] == wrong


# -- the truth against the page ---------------------------------------------------------------


def test_title_sapo_body_tags_and_section_are_what_the_page_shows(pages: list[Served]) -> None:
    for page in pages:
        truth, tree = page.truth, page.tree
        assert truth["title"] == text(heading(page))
        assert [f"{truth['title']} - Báo Biên phòng"] == [text(t) for t in tree.xpath("//title")]
        for og_title in tree.xpath('//meta[@property="og:title"]/@content'):
            assert f"{truth['title']} - Báo Biên phòng" == og_title
        shown = lead_text(page)
        assert shown.endswith(truth["sapo"])
        assert shown.removesuffix(truth["sapo"]) in DATELINES
        wanted = paragraphs(truth)
        assert wanted == [text(p) for p in container(page).iter("p") if text(p) in set(wanted)]
        assert truth["tags"] == [text(a) for a in tree.xpath('//a[contains(@href, "/tag/")]')]
        breadcrumb(page)  # one link to the section's page, outside the site header


def test_no_box_and_no_byline_is_in_the_truth_body(pages: list[Served]) -> None:
    found: Counter[str] = Counter()
    for page in pages:
        body, wanted = page.truth["body"], set(paragraphs(page.truth))
        for kind, root in box_roots(page):
            if in_chrome(root):  # the weight's lists of other stories, whose leads may repeat
                continue
            found[kind] += 1
            assert [] == [text(e) for e in root.iter() if text(e) in wanted], kind
        assert [] == [word for word in BOX_WORDS if word in body]
        assert "Nguồn Biên Phòng" not in body
        if page.truth["authors"] or page.truth["source"]:
            assert text(byline_element(page)) not in wanted
    assert min(found.values()) > 20, found
    assert [] == [word for word in BOX_WORDS if not any(word in page.html for page in pages)]


def test_images_are_the_truth_in_every_lazy_form(pages: list[Served]) -> None:
    for page in pages:
        truth = page.truth
        imgs = body_images(page)
        assert [i["url"] for i in truth["images"]] == [image_url(i, truth["url"]) for i in imgs]
        for image, img in zip(truth["images"], imgs, strict=True):
            assert re.match(r"https?://", image["url"])
            caption = caption_in_figure_table_or_em_paragraph(img)
            expected = split_credit(caption) if caption else (None, None)
            assert expected == (image["caption"], image["credit"])
        assert not any(AD_HOST in i["url"] for i in truth["images"])


def test_the_visible_date_is_the_publication_time_or_the_head_states_it(
    pages: list[Served],
) -> None:
    for page in pages:
        truth, tree = page.truth, page.tree
        published = datetime.fromisoformat(truth["published_at"])
        form, shown = date_form(page)
        if form == "day-only":
            assert f"{published.day}/{published.month}/{published.year}" == shown
            data = jsonld(page) or {}
            stated = {meta_content(tree, "article:published_time"), data.get("datePublished")}
            assert truth["published_at"] in stated
        else:
            assert published == shown_date(shown)
        for stamp in tree.xpath("//time[@datetime]/@datetime"):
            assert truth["published_at"] == stamp
        clock = [text(e) for e in tree.cssselect("div.top-bar span.top-bar-date")]
        assert ["Thứ Sáu, 06/11/2026 08:13 GMT+7"] == clock


def modifications(page: Served) -> tuple[list[str], set[str | None]]:
    """The `Cập nhật: …` lines a page shows, and the modification times its head states."""
    lines = [own_text(e) for e in page.tree.iter() if own_text(e).startswith("Cập nhật:")]
    data = jsonld(page) or {}
    stated = {meta_content(page.tree, "article:modified_time"), data.get("dateModified")}
    return lines, stated - {None}


def test_a_correction_is_shown_and_a_repeated_publication_time_is_none(
    pages: list[Served],
) -> None:
    shown = repeated = 0
    for page in pages:
        truth = page.truth
        lines, stated = modifications(page)
        if truth["modified_at"] is None:
            assert ([], set()) == (lines, stated - {truth["published_at"]})
            repeated += bool(stated)
            continue
        modified = datetime.fromisoformat(truth["modified_at"])
        assert lines or stated
        assert {f"Cập nhật: {modified:%d/%m/%Y %H:%M}"} >= set(lines)
        assert {truth["modified_at"]} >= stated
        shown += 1
    assert shown >= 5 and repeated >= 20


def test_metadata_none_has_no_machine_readable_head(pages: list[Served]) -> None:
    bare = [page for page in pages if page.plan.metadata == "none"]
    assert len(bare) >= 20
    for page in bare:
        assert [] == page.tree.xpath('//meta[@property or @name="description"]')
        # (The app's state, a JSON island of ids and tokens, is no metadata of the article.)
        assert [] == page.tree.xpath(
            '//link[@rel="canonical"] | //script[@type="application/ld+json"]'
        )
    partial = {head_parts(page.tree) for page in pages if page.plan.metadata == "partial"}
    assert {frozenset({"description"}), frozenset({"jsonld"})} < partial
    assert len(partial) >= 12


def test_json_ld_states_the_truth_through_entities_and_organisations(pages: list[Served]) -> None:
    counts: Counter[str] = Counter()
    for page in pages:
        truth, data = page.truth, jsonld(page)
        if data is None:
            continue
        assert truth["title"] == unescape(data["headline"])
        assert truth["published_at"] == data["datePublished"]
        counts["entities"] += "&#" in data["headline"]
        author = data["author"]
        if isinstance(author, dict):
            assert "Organization" == author["@type"]
            counts["organisation" if truth["authors"] else "no author"] += 1
        else:
            assert truth["authors"] == [unescape(person["name"]) for person in author]
            counts["people"] += 1
            counts["entities in names"] += any("&#" in p["name"] for p in author)
    wanted = ("entities", "entities in names", "people", "organisation")
    assert [] == [what for what in wanted if counts[what] < 5], counts


# -- drawing ----------------------------------------------------------------------------------


def classes(body: bytes) -> list[str]:
    """The classes of the page's own layout, in order (the weight's blocks aside: their lists
    change from day to day)."""
    tree = parse(body)
    return [
        e.get("class")
        for e in tree.body.iter()
        if isinstance(e.tag, str) and e.get("class") and not in_chrome(e)
    ]


def correction_class(body: bytes) -> str | None:
    tree = parse(body)
    found = [e.get("class") for e in tree.iter() if own_text(e).startswith("Cập nhật:")]
    return found[0] if found else None


def test_pages_are_drawn_per_article_and_a_correction_keeps_the_layout() -> None:
    sites = [Site(articles=300, seed=11, template="X", day=day) for day in (0, 0, 5)]
    with Mirror(sites[0]) as first, Mirror(sites[1]) as again, Mirror(sites[2]) as corrected:
        edited = [sites[2].article(i) for i in sorted(sites[2].edits)]
        chosen = [a for a in edited if a.kind == "article" and a.index < sites[0].total]
        assert len(chosen) >= 5
        for article in chosen:
            before, same, after = (
                fetch(m.base_url, article.path).body for m in (first, again, corrected)
            )
            assert before == same
            assert before != after
            update = correction_class(after)
            assert classes(before) == [c for c in classes(after) if c != update]
        bodies = [fetch(first.base_url, a.path).body for a in chosen[:2]]
        one, other = ({c for c in classes(body) if c not in CHROME} for body in bodies)
        assert len(one & other) < len(one) / 4, one & other
