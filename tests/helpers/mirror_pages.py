"""Reading the mirror's pages as a reader's tools do, and checking an article page against its
truth. Pages are parsed with lxml; nothing here asks the mirror's render code or the project's
extractor, so a test's expected values stay independent of both.

- The site's constants: `WWW`, `SITE_TZ`, `DATELINES`, the sitemap namespace `SM`, `POST_ID`.
- Reading: `parse`, `text`, `one`, `shown_date`, `split_credit`, and an image's caption in the
  evidenced templates (`caption_in_figure_table_or_span`) or in template X
  (`caption_in_figure_table_or_em_paragraph`).
- Templates A, B, C, video and photo: `LAYOUTS`, `layout_of`, `body_paragraphs`, and
  `check_article_page`, which asserts that a served page shows every field of its truth.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin

import lxml.html

WWW = "https://www.bienphong.com.vn"
SITE_TZ = timezone(timedelta(hours=7))
DATELINES = ("Biên phòng - ", "Biên phòng – ", "Biên phòng -", "")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
POST_ID = re.compile(r"-post(\d+)\.html")
# Title, date, sapo and body container of each template, as CSS (classes matched as tokens).
LAYOUTS = {
    "A": (
        "h1.bp-detail-content-title-h1",
        "span.bp-date-time",
        "p.bp-detail-sapo",
        "div.bp-detail-text-content",
    ),
    "B": (
        "article.article-main > h2.title--big > a",
        "article.article-main > div.row > div.col-6 .article-date",
        "div.article-content-intro > p",
        "div.article-content-main",
    ),
    "C": ("h1.story__title", "span.story__time", "div.story__lead", "section.story__content"),
    "video": ("div.ft-info-media h1", "div.ft-time-media", "div.ft-text-info-media > p", ""),
    "photo": ("div.ft-info-media h1", "div.ft-time-media", "div.ft-text-info-media > p", ""),
}


# -- reading pages ---------------------------------------------------------------------------


def parse(body: bytes) -> Any:
    """The page as an lxml tree, its text NFC-normalised (some pages are served decomposed)."""
    return lxml.html.fromstring(unicodedata.normalize("NFC", body.decode("utf-8")))


def text(element: Any) -> str:
    """The element's text with its white space folded to single spaces."""
    return " ".join(str(element.text_content()).split())


def one(tree: Any, css: str) -> Any:
    """The one element `css` selects, asserting there is exactly one."""
    found = tree.cssselect(css)
    assert 1 == len(found), css
    return found[0]


def shown_date(display: str) -> datetime:
    """The date and time a human-written date string shows, in site time."""
    day = re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", display)
    clock = re.search(r"\b(\d{2}):(\d{2})\b", display)
    assert day and clock, display
    d, m, y = (int(g) for g in day.groups())
    return datetime(y, m, d, int(clock.group(1)), int(clock.group(2)), tzinfo=SITE_TZ)


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """`Quang cảnh hội nghị. Ảnh: Nông Văn Tuấn` → (`Quang cảnh hội nghị.`, `Nông Văn Tuấn`)."""
    words, sep, credit = caption.rpartition("Ảnh:")
    if not sep:
        return caption or None, None
    return words.strip() or None, credit.strip()


def caption_in_figure_table_or_span(img: Any) -> str | None:
    """The caption printed with an image in the evidenced templates: the figcaption of its
    figure, the caption row of its table, or a paragraph of its span; a holder without that
    caption element is passed over for the next."""
    for holder, caption in (
        ("figure", "figcaption"),
        ("table", "td.image_caption p"),
        ("span", "p"),
    ):
        found = [a for a in img.iterancestors(holder)]
        if found and (captions := found[0].cssselect(caption)):
            return text(captions[0])
    return None


def caption_in_figure_table_or_em_paragraph(img: Any) -> str | None:
    """The caption printed with an image in template X: the figcaption of its figure, the
    caption row of its table (either must be there), or a paragraph of emphasised text right
    after the picture's own paragraph."""
    for figure in img.iterancestors("figure"):
        return text(figure.cssselect("figcaption")[0])
    for table in img.iterancestors("table"):
        return text(table.cssselect("td.image_caption p")[0])
    holder = next(img.iterancestors("p"), None)
    after = holder.getnext() if holder is not None else None
    if after is not None and after.tag == "p" and len(after) == 1 and after[0].tag == "em":
        return text(after) if text(after) == text(after[0]) else None
    return None


# -- templates A, B, C, video and photo ------------------------------------------------------


def layout_of(tree: Any) -> str:
    """Which template a page is in, judged from its markup alone."""
    if tree.cssselect("div.ft-ct-media"):
        return "video"
    if tree.cssselect("ul.slides"):
        return "photo"
    for name in ("A", "B", "C"):
        if tree.cssselect(LAYOUTS[name][0]):
            return name
    return "unknown"


def body_paragraphs(container: Any) -> list[str]:
    """Non-empty `<p>` texts of a body container, outside image tables."""
    return [
        text(p)
        for p in container.iter("p")
        if not list(p.iterancestors("table")) and text(p) and not p.cssselect("img")
    ]


def check_article_page(truth: dict[str, Any], body: bytes) -> str:
    """Assert that a served page shows every field of its truth; return the template seen."""
    tree = parse(body)
    layout = layout_of(tree)
    assert layout != "unknown"
    title_css, date_css, sapo_css, body_css = LAYOUTS[layout]
    assert truth["title"] == text(one(tree, title_css))
    assert f"{truth['title']} - Báo Biên phòng" == text(one(tree, "title"))
    assert {"video": "video", "photo": "photo"}.get(layout, "article") == truth["kind"]
    assert datetime.fromisoformat(truth["published_at"]) == shown_date(one(tree, date_css).text)
    check_modified(truth, tree)
    check_sapo(truth, text(one(tree, sapo_css)))
    if body_css:
        check_body(truth, one(tree, body_css))
    if layout != "video":
        check_images(truth, one(tree, body_css or "ul.slides"))
    assert not (layout == "video" and truth["images"])
    assert truth["tags"] == [text(a) for a in tree.xpath('//a[contains(@href, "/tag/")]')]
    videos = [s.get("src") for s in tree.cssselect("div.ft-ct-media source[src]")]
    assert ([truth["video_url"]] if truth["video_url"] else []) == videos
    section = f"{WWW}/{truth['section']}/"
    assert tree.xpath(f'//a[not(ancestor::header)][@href="{section}"]'), section
    check_meta(truth, tree)
    return layout


def check_modified(truth: dict[str, Any], tree: Any) -> None:
    shown = [text(s) for s in tree.cssselect("span.date-update")]
    if truth["modified_at"] is None:
        assert [] == shown
    else:
        modified = datetime.fromisoformat(truth["modified_at"])
        assert [f"Cập nhật: {modified:%d/%m/%Y %H:%M}"] == shown


def check_sapo(truth: dict[str, Any], shown: str) -> None:
    sapo = truth["sapo"]
    assert shown.endswith(sapo)
    assert shown[: len(shown) - len(sapo)] in DATELINES


def check_body(truth: dict[str, Any], container: Any) -> None:
    paragraphs = truth["body"].split("\n\n")
    shown = body_paragraphs(container)
    assert paragraphs == [p for p in shown if p in paragraphs]
    if shown and shown[-1].startswith("Nguồn Biên Phòng:"):
        shown.pop()
    extra = [p for p in shown if p not in paragraphs]
    if not truth["authors"] and truth["source"] is None:
        assert [] == extra
        return
    assert [shown[-1]] == extra
    for name in [*truth["authors"], truth["source"] or ""]:
        assert name in extra[0]


def check_images(truth: dict[str, Any], container: Any) -> None:
    images = container.cssselect("img")
    sources = [img.get("data-src") or img.get("src") for img in images]
    assert [i["url"] for i in truth["images"]] == [urljoin(truth["url"], s) for s in sources]
    for image, img in zip(truth["images"], images, strict=True):
        caption = caption_in_figure_table_or_span(img)
        assert (image["caption"], image["credit"]) == (
            split_credit(caption) if caption else (None, None)
        )


def check_meta(truth: dict[str, Any], tree: Any) -> None:
    for canonical in tree.xpath('//link[@rel="canonical"]/@href'):
        assert truth["url"] == canonical
    for published in tree.xpath('//meta[@property="article:published_time"]/@content'):
        assert truth["published_at"] == published
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        data = json.loads(script)
        assert (truth["title"], truth["published_at"]) == (data["headline"], data["datePublished"])
        assert truth["modified_at"] == data.get("dateModified")
