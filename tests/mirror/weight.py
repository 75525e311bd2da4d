"""What makes an article page as heavy as a real one: the site's style sheet, icon sprite,
scripts, menus and footer (the same on every page: what a dictionary of the site's own pages
removes), and per page an inline state of the app with its own ids and tokens, the ads' markup,
readers' comments in a JSON island, recommendations and the section's latest stories with their
leads (different on every page), the day's most read and each section's latest (different
every day).

Real article pages weigh 100–500 KB (../shared/realpages: median 132 KB over many countries,
about 260 KB for Vietnamese papers); zlib level 6 makes them 4–5 times smaller, and another page
of the same site as a zstd dictionary 4–5 times smaller again. `bench mirror` measures the
mirror's pages against those figures. Everything is drawn from seeded streams: the same site,
day and article give the same bytes.
"""

from __future__ import annotations

import json
import random
from functools import lru_cache
from html import escape

from .corpus import pools
from .site import SECTIONS, WWW, Article, Site, mix

# The vocabulary the site's front-end code is written in: class names, properties, names.
_WORDS = (
    "header", "footer", "menu", "nav", "item", "list", "title", "sapo", "thumb", "image",
    "caption", "detail", "content", "box", "wrap", "inner", "outer", "left", "right", "main",
    "sidebar", "widget", "banner", "slide", "tab", "panel", "popup", "modal", "button", "icon",
    "link", "text", "meta", "date", "time", "tag", "share", "social", "video", "photo", "grid",
    "row", "col", "card", "media", "hot", "news", "latest", "most", "read", "view", "more",
    "search", "form", "input", "logo", "top", "bottom", "sticky", "lazy", "active", "hidden",
)  # fmt: skip
_PROPERTIES = (
    "margin", "padding", "color", "background", "border", "font-size", "line-height",
    "display", "position", "width", "height", "max-width", "min-height", "top", "left",
    "z-index", "opacity", "transition", "transform", "border-radius", "box-shadow",
)  # fmt: skip
_VALUES = (
    "0", "auto", "none", "block", "flex", "inline-block", "relative", "absolute", "hidden",
    "100%", "50%", "1px solid #e5e5e5", "0 0 10px rgba(0,0,0,.1)", "all .3s ease",
    "translateY(-50%)", "#fff", "#333", "#0a5c36", "#c00", "bold", "normal", "center",
)  # fmt: skip
_SUBTOPICS = (
    "Tin tức", "Sự kiện", "Phóng sự", "Ảnh", "Video", "Bình luận", "Chuyên đề", "Hỏi đáp",
    "Địa phương", "Tư liệu", "Gương sáng", "Đời sống", "Pháp lý", "Biển đảo",
)  # fmt: skip
# The classes of the blocks around the article that this module adds: a test of a template's
# own markup looks past them.
CHROME = frozenset(
    {
        "mega-menu", "mobile-menu", "footer-menus", "box-cats", "box-most-read",
        "box-recommend", "box-section-latest", "box-comment", "ads-zone",
    }
)  # fmt: skip
STYLE_RULES = 900  # about 75 KB of style sheet
ICONS = 48  # about 13 KB of SVG sprite
SCRIPT_FUNCTIONS = 220  # about 45 KB of script
# Per page: how many ids and tokens (hex) the app state holds, drawn for each article.
STATE_TOKENS = (240, 700)  # 10–25 KB
RECOMMENDED = 24
SECTION_LATEST = (10, 24)  # drawn for each article
SECTIONS_BOX = 6  # the latest of every section, on every page of a day
MOST_READ = 10
AD_SLOTS = 8
COMMENTS = 30  # at most, drawn for each article


def head(site: Site, a: Article) -> str:
    """What the page's <head> gains: the style sheet, and the app's state for this page."""
    return f"<style>{_style(site.design)}</style>\n{_state(site, a)}\n"


def before(site: Site, a: Article) -> str:
    """What comes between the header and the article: the icon sprite, the menu of every
    section and its topics, an ad."""
    menu = _mega_menu(site.design)
    mobile = menu.replace('class="mega-menu"', 'class="mobile-menu"')  # sites send both
    return f"{_sprite(site.design)}{menu}{mobile}{_ad(site, a, 0)}\n"


def after(site: Site, a: Article) -> str:
    """What follows the article: recommendations, the section's latest, the day's most read,
    ads, the footer's menus and the scripts."""
    return (
        f"{_ad(site, a, 1)}{_comments(site, a)}{_recommended(site, a)}{_section_latest(site, a)}"
        f"{_most_read(site)}{_sections_box(site)}{_ad(site, a, 2)}{_footer_menus(site.design)}"
        f"<script>{_script(site.design)}</script>\n"
    )


@lru_cache(maxsize=8)
def _style(design: str) -> str:
    rng = random.Random(f"style:{design}")
    rules = []
    for k in range(STYLE_RULES):
        selector = ".".join(rng.sample(_WORDS, rng.randint(1, 3)))
        declarations = ";".join(
            f"{rng.choice(_PROPERTIES)}:{rng.choice(_VALUES)}" for _ in range(rng.randint(2, 6))
        )
        rules.append(f".bp-{selector}-{k % 97}{{{declarations}}}")
        if k % 40 == 0:
            rules.append(f"@media (max-width:{rng.choice((480, 768, 992, 1200))}px){{")
        if k % 40 == 39:
            rules.append("}")
    return "".join(rules)


@lru_cache(maxsize=8)
def _sprite(design: str) -> str:
    rng = random.Random(f"sprite:{design}")
    symbols = []
    for k in range(ICONS):
        points = " ".join(
            f"{rng.choice('MLCQ')}{rng.randint(0, 24)}.{rng.choice('05')} {rng.randint(0, 24)}"
            for _ in range(rng.randint(12, 40))
        )
        name = f"{rng.choice(_WORDS)}-{k}"
        symbols.append(
            f'<symbol id="icon-{name}" viewBox="0 0 24 24"><path d="{points}Z"/></symbol>'
        )
    return f'<svg xmlns="http://www.w3.org/2000/svg" style="display:none">{"".join(symbols)}</svg>'


@lru_cache(maxsize=8)
def _mega_menu(design: str) -> str:
    rng = random.Random(f"menu:{design}")
    columns = []
    for section in SECTIONS:
        topics = rng.sample(_SUBTOPICS, rng.randint(9, 14))
        links = "".join(
            f'<li><a href="{WWW}/{section.slug}/?chu-de={k}" title="{escape(topic)}">'
            f"{escape(topic)}</a></li>"
            for k, topic in enumerate(topics)
        )
        columns.append(
            f'<div class="mega-col"><a class="mega-title" href="{WWW}/{section.slug}/">'
            f"{escape(section.name)}</a><ul>{links}</ul></div>"
        )
    return f'<div class="mega-menu" hidden>{"".join(columns)}</div>'


@lru_cache(maxsize=8)
def _footer_menus(design: str) -> str:
    rng = random.Random(f"footer:{design}")
    groups = []
    for section in SECTIONS:
        links = "".join(
            f'<li><a href="{WWW}/{section.slug}/">{escape(topic)}</a></li>'
            for topic in rng.sample(_SUBTOPICS, 10)
        )
        groups.append(f'<ul class="footer-links">{links}</ul>')
    return f'<div class="footer-menus">{"".join(groups)}</div>'


@lru_cache(maxsize=8)
def _script(design: str) -> str:
    rng = random.Random(f"script:{design}")
    functions = []
    for k in range(SCRIPT_FUNCTIONS):
        a, b, c = (rng.choice(_WORDS) for _ in range(3))
        body = ";".join(
            f"var {rng.choice('abcdefgh')}{k % 13}={a}.{rng.choice(_WORDS)}"
            f"({rng.randint(0, 9)},'{rng.choice(_WORDS)}')||{rng.choice(_WORDS)}.{b}"
            for _ in range(rng.randint(2, 5))
        )
        functions.append(f"function {a}_{b}{k}({a},{b}){{{body};return {c}.{rng.choice(_WORDS)}}}")
    return "".join(functions)


def _state(site: Site, a: Article) -> str:
    """The app's state for this page, as single-page apps inline it: this article's ids and
    the ads', recommendation and tracking tokens (hex, as random as such ids are)."""
    rng = random.Random(f"state:{site.seed}:{a.post_id}:{site.day}")
    tokens = rng.randint(*STATE_TOKENS)
    state = {
        "article": {
            "id": a.post_id,
            "section": a.section.slug,
            "tags": [tag.tag_id for tag in a.tags],
            "related": list(a.related),
            "words": len(a.body.split()),
        },
        "session": rng.randbytes(16).hex(),
        "ads": [
            {"slot": f"bp-{rng.choice(_WORDS)}-{k}", "id": rng.randbytes(8).hex(), "w": 300}
            for k in range(tokens // 3)
        ],
        "experiments": {
            f"exp_{rng.choice(_WORDS)}_{k}": rng.randbytes(6).hex() for k in range(tokens // 3)
        },
        "recommendation_ids": [rng.randbytes(12).hex() for _ in range(tokens // 3)],
    }
    text = json.dumps(state, separators=(",", ":")).replace("</", "<\\/")
    return f'<script id="__APP_STATE__" type="application/json">{text}</script>'


def _others(site: Site, a: Article, salt: int, count: int) -> list[int]:
    """Other articles of the site, drawn for this page."""
    if site.total < 2:
        return []
    drawn = {mix(site.seed, a.post_id, salt, k) % site.total for k in range(count)}
    return sorted(drawn - {a.index}, reverse=True)


def _headline_link(site: Site, index: int, css: str) -> str:
    found = site.headline(index)
    return f'<li class="{css}"><a href="{found.url}">{escape(found.title)}</a></li>'


def _recommended(site: Site, a: Article) -> str:
    items = "".join(_headline_link(site, i, "rec-item") for i in _others(site, a, 1, RECOMMENDED))
    return f'<div class="box-recommend"><h3>Có thể bạn quan tâm</h3><ul>{items}</ul></div>'


def _section_latest(site: Site, a: Article) -> str:
    count = SECTION_LATEST[0] + mix(site.seed, a.post_id, 3) % (
        SECTION_LATEST[1] - SECTION_LATEST[0]
    )
    items = "".join(
        f'<li class="latest-item"><a href="{t.url}">{escape(t.title)}</a>'
        f"<p>{escape(t.sapo)}</p></li>"
        for t in (site.teaser(i) for i in _others(site, a, 2, count))
    )
    return f'<div class="box-section-latest"><h3>Tin cùng chuyên mục</h3><ul>{items}</ul></div>'


def _most_read(site: Site) -> str:
    """The day's most read: the same on every page of a day, another list the next day."""
    if site.total < 1:
        return ""
    indexes = sorted({mix(site.seed, site.day, k) % site.total for k in range(MOST_READ)})
    items = "".join(_headline_link(site, i, "most-read-item") for i in indexes)
    return f'<div class="box-most-read"><h3>Đọc nhiều</h3><ol>{items}</ol></div>'


def _comments(site: Site, a: Article) -> str:
    """Readers' comments as the site's script loads them: the box and its form in the page,
    the comments themselves (a name, a time, a sentence each, as many as the article drew) in
    a JSON island the script reads."""
    rng = random.Random(f"comments:{site.seed}:{a.post_id}")
    found = pools()
    comments = [
        {"name": rng.choice(found.names), "ago": f"{rng.randint(1, 23)} giờ trước"}
        | {"text": rng.choice(found.sentences), "id": rng.randbytes(5).hex()}
        for _ in range(rng.randint(0, COMMENTS))
    ]
    island = json.dumps(comments, ensure_ascii=False).replace("</", "<\\/")
    return (
        f'<div class="box-comment" id="comments" data-post="{a.post_id}"><h3>Bình luận</h3>'
        f'<form class="comment-form"><textarea name="c"></textarea><button>Gửi</button></form>'
        f'<script type="application/json" class="comments-data">{island}</script></div>'
    )


def _sections_box(site: Site) -> str:
    """Every section's latest headlines: the same on every page of a day."""
    return _sections_box_of(site, site.day, site.total)


@lru_cache(maxsize=8)
def _sections_box_of(site: Site, day: int, total: int) -> str:
    boxes = []
    for k, section in enumerate(SECTIONS):
        indexes = sorted({mix(site.seed, day, 99, k, j) % total for j in range(SECTIONS_BOX)})
        items = "".join(_headline_link(site, i, "cat-item") for i in indexes if total)
        boxes.append(
            f'<div class="box-cat"><h3><a href="{WWW}/{section.slug}/">{escape(section.name)}'
            f"</a></h3><ul>{items}</ul></div>"
        )
    return f'<div class="box-cats">{"".join(boxes)}</div>'


def _ad(site: Site, a: Article, place: int) -> str:
    rng = random.Random(f"ad:{site.seed}:{a.post_id}:{place}")
    slots = "".join(
        f'<div class="ad-slot" id="div-gpt-ad-{rng.randbytes(6).hex()}-{k}"'
        f' data-slot="/2123/bienphong/{a.section.slug}/{k}"'
        f' data-size="[[300,250],[336,280]]"></div>'
        for k in range(AD_SLOTS // 2)
    )
    return f'<div class="ads-zone" aria-label="Quảng cáo">{slots}</div>'
