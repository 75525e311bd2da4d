"""Pieces of article markup that every template shares: dates as printed, links as written, the
byline line, the tag box and the ad host. `render` and `unseen` (template X) both build on them."""

from __future__ import annotations

from datetime import datetime
from html import escape

from .site import BARE, WEEKDAYS, WWW, Article, Headline, Image, Site, mix

AD_HOST = "https://ads.adnetwork-quangcao.vn"


def date_display(when: datetime, form: str) -> str:
    weekday = WEEKDAYS[when.weekday()]
    return {
        "weekday-pipe": f"{weekday}, {when:%d/%m/%Y | %H:%M}",
        "plain": f"{when:%d/%m/%Y %H:%M}",
        "time-first": f"{when:%H:%M | %d/%m/%Y}",
        "weekday-dash-gmt": f"{weekday.capitalize()}, {when.day}/{when.month}/{when.year}"
        f" - {when:%H:%M} (GMT+7)",
    }[form]


def link(site: Site, index: int, context: int, built: Headline | None = None) -> str:
    """How one page links to an article: the forms vary as on the real site.

    `built` is the article's headline or teaser when the caller has it, to save drawing it again.
    """
    article = built or site.headline(index)
    roll = mix(site.seed, index, context) % 20
    if roll == 0:
        return f"{article.url}?utm_source=zalo&utm_medium=share&utm_campaign=bp"
    if roll == 1 and (old_slug := site.article(index).old_slug):
        return f"{WWW}{article.prefix}/{old_slug}-post{article.post_id}.html"
    if roll in (2, 3):
        return BARE + article.path
    if roll in (4, 5):
        return article.path
    return article.url


def byline_html(a: Article) -> str:
    line = a.byline.line
    if line is None:
        return ""
    return {
        "right-strong": f'<p style="text-align: right;"><strong>{line}</strong></p>',
        "bold": f"<p><b>{line}</b></p>",
        "plain": f"<p>{line}</p>",
        "author-class": f'<p class="author">{line}</p>',
    }[a.byline.style]


def tags_html(a: Article, css: str, label: str = "") -> str:
    links = "".join(f'<a href="{WWW}{t.path}">{escape(t.name)}</a>' for t in a.tags)
    return f'<div class="{css}">{label}{links}</div>'


def caption_text(image: Image) -> str:
    """The caption as printed: the caption, then the credit as `Ảnh: …`."""
    text = image.caption or ""
    return f"{text} Ảnh: {image.credit}".strip() if image.credit else text
