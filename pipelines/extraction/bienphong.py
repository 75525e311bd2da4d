"""Site rules for bienphong.com.vn: one class per template, selectors as class attributes.

When the site changes its markup, add a new class (a new version) and keep the old ones, so raw
pages archived years ago still re-extract. `match()` picks the first set of rules that fully
handles a page; a page no rules handle goes to the generic path (`generic.py`).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from lxml import etree

from archive.site import PageKind, page_kind

from .content import Draft, Image, captioned, walk, web_url
from .page import HtmlElement, Page, clean, has_class, text_of
from .text import strip_dateline

_NOTHING = etree.XPath("/..")
_IMG = etree.XPath(".//img")
_CAPTION = etree.XPath(".//p")


def section_slug(hrefs: list[str]) -> str | None:
    """The deepest section link of a breadcrumb: `…/kinh-te/` → `kinh-te`."""
    slugs = [urlsplit(h).path.strip("/") for h in hrefs if page_kind(h) is PageKind.SECTION]
    slugs = [s.split("/")[0] for s in slugs if s]
    return slugs[-1] if slugs else None


class TemplateRules:
    """The shared reading of a template; subclasses only name their selectors."""

    version: ClassVar[str]
    TITLE: ClassVar[etree.XPath]
    DATE: ClassVar[etree.XPath]
    SAPO: ClassVar[etree.XPath]
    BODY: ClassVar[etree.XPath] = _NOTHING
    TAGS: ClassVar[etree.XPath]
    SECTION: ClassVar[etree.XPath]
    MODIFIED: ClassVar[etree.XPath] = etree.XPath(f"//span[{has_class('date-update')}]")
    SLIDES: ClassVar[etree.XPath] = _NOTHING
    VIDEO: ClassVar[etree.XPath] = _NOTHING

    @classmethod
    def handles(cls, page: Page) -> bool:
        return page.first(cls.TITLE) is not None and page.first(cls.BODY) is not None

    @classmethod
    def draft(cls, page: Page, base: str) -> Draft:
        lines, images = cls.body(page, base)
        return Draft(
            title=cls.title(page),
            sapo=cls.sapo(page),
            lines=lines,
            images=images + cls.slides(page, base),
            tags=cls.tags(page),
            section=cls.section(page),
            date_text=cls.date_text(page),
            modified_text=cls.modified_text(page),
            video_url=cls.video_url(page, base),
            via=f"rules:{cls.version}",
        )

    @classmethod
    def title(cls, page: Page) -> str:
        found = page.first(cls.TITLE)
        return text_of(found) if found is not None else ""

    @classmethod
    def sapo(cls, page: Page) -> str | None:
        found = page.first(cls.SAPO)
        return (strip_dateline(text_of(found)) or None) if found is not None else None

    @classmethod
    def body(cls, page: Page, base: str) -> tuple[list[str], list[Image]]:
        found = page.first(cls.BODY)
        return walk(found, base) if found is not None else ([], [])

    @classmethod
    def date_text(cls, page: Page) -> str | None:
        found = page.first(cls.DATE)
        return text_of(found) if found is not None else None

    @classmethod
    def modified_text(cls, page: Page) -> str | None:
        found = page.first(cls.MODIFIED)
        return text_of(found) if found is not None else None

    @classmethod
    def tags(cls, page: Page) -> list[str]:
        return list(dict.fromkeys(t for t in (text_of(a) for a in cls.TAGS(page.root)) if t))

    @classmethod
    def section(cls, page: Page) -> str | None:
        return section_slug([str(h) for h in cls.SECTION(page.root)])

    @classmethod
    def slides(cls, page: Page, base: str) -> list[Image]:
        return [i for s in cls.SLIDES(page.root) for i in [_slide(s, base)] if i]

    @classmethod
    def video_url(cls, page: Page, base: str) -> str | None:
        found = [clean(str(s)) for s in cls.VIDEO(page.root)]
        return web_url(found[0], base) if found else None


def _slide(item: HtmlElement, base: str) -> Image | None:
    imgs = _IMG(item)
    caption = " ".join(text_of(p) for p in _CAPTION(item))
    return captioned(imgs[0], caption, base) if imgs else None


class TemplateA2020(TemplateRules):
    """The `bp-detail` article page (about 2020–22); classes may carry extras (`cms-desc`)."""

    version = "A-2020"
    TITLE = etree.XPath(f"//h1[{has_class('bp-detail-content-title-h1')}]")
    DATE = etree.XPath(f"//span[{has_class('bp-date-time')}]")
    SAPO = etree.XPath(f"//p[{has_class('bp-detail-sapo')}]")
    BODY = etree.XPath(f"//div[{has_class('bp-detail-text-content')}]")
    TAGS = etree.XPath(f"//div[{has_class('bp-detail-tags')}]//a")
    SECTION = etree.XPath(
        f"//div[{has_class('bp-breadcrumb')} or {has_class('bp-breadcrumb-category')}]//a/@href"
    )


class TemplateB2021(TemplateRules):
    """The `article-main` article page (a reader app's selectors, 2021)."""

    version = "B-2021"
    TITLE = etree.XPath(f"//article[{has_class('article-main')}]//h2[{has_class('title--big')}]")
    DATE = etree.XPath(f"//article[{has_class('article-main')}]//*[{has_class('article-date')}]")
    SAPO = etree.XPath(f"//div[{has_class('article-content-intro')}]//p")
    BODY = etree.XPath(f"//div[{has_class('article-content-main')}]")
    TAGS = etree.XPath(f"//div[{has_class('article-tags')}]//a")
    SECTION = etree.XPath(
        f"//article[{has_class('article-main')}]"
        f"//div[{has_class('breadcrumb')} or {has_class('breadcrumb-category')}]//a/@href"
    )


class MediaStory2021(TemplateRules):
    """Video (`/videos/`) and photo (`/tin-anh/`) stories: the `ft-info-media` header, no body."""

    version = "media-2021"
    TITLE = etree.XPath(f"//div[{has_class('ft-info-media')}]//h1")
    DATE = etree.XPath(f"//div[{has_class('ft-time-media')}]")
    SAPO = etree.XPath(f"//div[{has_class('ft-text-info-media')}]//p")
    TAGS = etree.XPath(f"//div[{has_class('ft-tags')}]//a")
    SECTION = etree.XPath(
        f"//div[{has_class('ft-breadcrumb')} or {has_class('ft-breadcrumb-category')}]//a/@href"
    )
    SLIDES = etree.XPath(f"//ul[{has_class('slides')}]/li//span[{has_class('item-thumb')}]")
    VIDEO = etree.XPath(f"//div[{has_class('ft-ct-media')}]//source/@src")

    @classmethod
    def handles(cls, page: Page) -> bool:
        has_media = page.first(cls.SLIDES) is not None or bool(cls.VIDEO(page.root))
        return page.first(cls.TITLE) is not None and has_media


# Newest first; every version stays so archived raw pages still re-extract.
RULES: tuple[type[TemplateRules], ...] = (TemplateB2021, TemplateA2020, MediaStory2021)


def match(page: Page) -> type[TemplateRules] | None:
    """The rules that fully handle this page, or None (then the generic path reads it)."""
    return next((rules for rules in RULES if rules.handles(page)), None)
