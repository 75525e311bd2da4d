"""Template X: article markup drawn per article, so that generic extraction is judged on pages no
rule was written for.

Each axis is drawn from the article's own stream (`template-x:{seed}:{post_id}`) before any markup,
and no draw depends on a correction, so an edited article keeps its layout. Whatever is drawn, the
page shows every field of `Article.truth()` (shared/article-record.md), and nothing the template
adds is body text:

metadata    none | partial | full: meta description, canonical, og:title, og times, JSON-LD (whose
            dateModified may repeat datePublished, whose strings may hold `&#7852;` references)
byline      end | meta (a line under the title) | rel-author | itemprop; sources stay at the end
lead        div | p | h2 | strong | b, the dateline as text or in its own element; sometimes the
            first element of the body container
boxes       related | ad | share | poll | embed: each inside the body container, after it, or absent
images      src | data-src | data-original | srcset | placeholder-* | picture; captions in figure,
            table.image or a paragraph after the picture
date        the four common forms, `Thứ Tư, 26/02/2025, 08:52 (GMT+7)`, `<time datetime>`, and a day
            alone (`26/2/2025`) only when the head states the full time
breadcrumb  nav | ol | div with separators | the section link alone; above or below the title
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from urllib.parse import quote

from .markup import AD_HOST, byline_html, caption_text, date_display, link, tags_html
from .site import BARE, WEEKDAYS, WWW, Article, Block, Image, Site, slugify

METADATA = ("none", "partial", "full")
META_PARTS = ("description", "canonical", "og-title", "og-time", "jsonld")
TIMED_META = frozenset({"og-time", "jsonld"})  # the parts that state the publication time
BYLINE_PLACES = ("end", "meta", "rel-author", "itemprop")
LEADS = ("div", "p", "h2", "strong", "b")
DATELINE_MARKUPS = ("text", "strong", "b", "span")
BOXES = ("related", "ad", "share", "poll", "embed")
# Odds of each box inside the body container and after it (else the page has none).
BOX_ODDS = {
    "related": (0.4, 0.35),
    "ad": (0.35, 0.25),
    "share": (0.25, 0.45),
    "poll": (0.2, 0.1),
    "embed": (0.3, 0.0),
}
TIMED_DATES = (
    "weekday-pipe",
    "plain",
    "time-first",
    "weekday-dash-gmt",
    "weekday-comma-gmt",
    "time-element",
)
DATES = (*TIMED_DATES, "day-only")
BREADCRUMBS = ("nav", "ol", "div-sep", "section-only")
PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
# The truth's URL is both the first and the largest candidate of every srcset.
IMAGE_FORMS = {
    "src": '<img src="{src}" alt="{alt}">',
    "data-src": '<img class="lazy" src="{src}" data-src="{src}" alt="{alt}">',
    "data-original": '<img src="{src}" data-original="{src}" alt="{alt}">',
    "srcset": '<img src="{src}" srcset="{srcset}" sizes="(max-width: 730px) 100vw, 730px" '
    'alt="{alt}">',
    "placeholder-data-src": '<img src="{placeholder}" data-src="{src}" alt="{alt}">',
    "placeholder-data-original": '<img src="{placeholder}" data-original="{src}" alt="{alt}">',
    "placeholder-data-srcset": '<img src="{placeholder}" data-srcset="{srcset}" alt="{alt}">',
    "picture": '<picture><source srcset="{srcset}" type="image/jpeg"><img src="{src}" '
    'alt="{alt}"></picture>',
}
RELATED_HEADS = ("<h3>{}</h3>", "<h4>{}</h4>", "<p><strong>{}</strong></p>", "<div>{}</div>")
RELATED_LABELS = ("Tin liên quan", "Xem thêm", "Đọc thêm", "Bài liên quan", "Tin cùng chuyên mục")
AD_LABELS = ("Quảng cáo", "QUẢNG CÁO", "Advertisement")
AD_FORMS = (
    '<a href="{host}/click?zone={zone}" rel="nofollow" target="_blank">'
    '<img src="{host}/banner{zone}.jpg" alt="Quảng cáo"></a>',
    '<ins class="{css}" style="display:block" data-ad-client="ca-pub-{zone}0731" '
    'data-ad-slot="{zone}"></ins><script async src="{host}/show.js?zone={zone}"></script>',
    '<iframe src="{host}/serve?zone={zone}" width="300" height="250" frameborder="0" '
    'scrolling="no"></iframe>',
)
SHARE_LABELS = ("Chia sẻ:", "Chia sẻ bài viết", "")
POLLS = (
    (
        "Bạn đánh giá thế nào về chất lượng nội dung của Báo Biên phòng điện tử?",
        ("Rất tốt", "Tốt", "Bình thường", "Chưa tốt"),
    ),
    (
        "Bạn thường đọc tin tức vào thời điểm nào trong ngày?",
        ("Buổi sáng", "Buổi trưa", "Buổi tối"),
    ),
    (
        "Chuyên mục nào của Báo Biên phòng bạn quan tâm nhất?",
        ("Quốc phòng - An ninh", "Văn hóa - Xã hội", "Phóng sự ảnh"),
    ),
)
VIDEO_ID_CHARS = "abcdefghijkmnpqrstuvwxyzABCDEFGH0123456789_-"
PLAYERS = (
    "https://www.youtube.com/embed/{id}",
    "https://tv.bienphong.com.vn/embed/{n}",
    "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2F"
    "baobienphong%2Fvideos%2F{n}",
)
SOCIAL = (  # (script, post URL) of social embeds
    ("https://platform.twitter.com/widgets.js", "https://twitter.com/baobienphong/status/{n}"),
    ("https://www.tiktok.com/embed.js", "https://www.tiktok.com/@baobienphong/video/{n}"),
    (
        "https://connect.facebook.net/vi_VN/sdk.js#xfbml=1",
        "https://www.facebook.com/baobienphong/posts/{n}",
    ),
)
SOCIAL_POSTS = (
    "Khoảnh khắc bình yên nơi cột mốc biên giới 🇻🇳 #baobienphong #bodoibienphong",
    "Chiến sĩ quân hàm xanh cùng bà con dân bản đón Xuân sớm 🌸 #bienphong",
    "Cảm ơn những người lính ngày đêm giữ bình yên cho biên giới, biển, đảo ❤️",
)


@dataclass(frozen=True)
class Plan:
    """Where one article's page stands on each axis, drawn before any markup."""

    metadata: str
    meta: frozenset[str]
    ld_entities: bool
    ld_repeats_published: bool
    ld_org: bool
    byline: str  # one of BYLINE_PLACES, or "none"
    byline_links: bool
    byline_on_top: bool
    lead: str
    dateline: str
    lead_inside: bool
    boxes: tuple[tuple[str, str], ...]  # (box, "inside" | "after" | "none")
    quote: bool
    images: str
    caption_p: bool
    date: str
    modified_shown: bool
    breadcrumb: str
    crumb_below: bool
    heading: str

    @property
    def timed_meta(self) -> bool:
        return bool(self.meta & TIMED_META)


def draw_plan(rng: random.Random, a: Article) -> Plan:
    metadata = rng.choices(METADATA, (3, 4, 3))[0]
    meta = draw_meta(rng, metadata)
    byline, links, on_top = rng.choice(BYLINE_PLACES), rng.random() < 0.5, rng.random() < 0.5
    lead, dateline, inside = rng.choice(LEADS), rng.choice(DATELINE_MARKUPS), rng.random() < 0.35
    return Plan(
        metadata=metadata,
        meta=meta,
        ld_entities=rng.random() < 0.4,
        ld_repeats_published=rng.random() < 0.5,
        ld_org=rng.random() < 0.3,
        byline=byline_place(a, byline),
        byline_links=links,
        byline_on_top=on_top,
        lead=lead,
        dateline=dateline,
        # Inside the body, the lead must still stand out: bold, a heading, or the dateline.
        lead_inside=inside and (lead in ("h2", "strong", "b") or bool(a.dateline)),
        boxes=tuple((box, box_place(rng, a, box)) for box in BOXES),
        quote=rng.random() < 0.25,
        images=rng.choice(tuple(IMAGE_FORMS)),
        caption_p=rng.random() < 0.25,
        date=rng.choice(DATES if meta & TIMED_META else TIMED_DATES),
        modified_shown=rng.random() < 0.6,
        breadcrumb=rng.choice(BREADCRUMBS),
        crumb_below=rng.random() < 0.3,
        heading=rng.choice(("h1", "h1", "h2")),
    )


def draw_meta(rng: random.Random, metadata: str) -> frozenset[str]:
    if metadata == "none":
        return frozenset()
    if metadata == "full":
        return frozenset(META_PARTS)
    return frozenset(rng.sample(META_PARTS, rng.randint(1, len(META_PARTS) - 1)))


def byline_place(a: Article, drawn: str) -> str:
    """Sources (`Theo TTXVN`) stay at the end of the body; no byline has no place."""
    if a.byline.line is None:
        return "none"
    return "end" if a.byline.source else drawn


def box_place(rng: random.Random, a: Article, box: str) -> str:
    inside, after = BOX_ODDS[box]
    roll = rng.random()
    if box == "related" and not a.related:  # the site's first article has nothing to relate
        return "none"
    return "inside" if roll < inside else "after" if roll < inside + after else "none"


def entities(text: str) -> str:
    """`Ậ` as `&#7852;`: how some CMSes write JSON-LD strings; readers unescape them."""
    return "".join(c if c.isascii() else f"&#{ord(c)};" for c in escape(text, quote=False))


def date_text(when: datetime, form: str) -> str:
    if form == "day-only":
        return f"{when.day}/{when.month}/{when.year}"
    if form == "weekday-comma-gmt":
        return f"{WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y}, {when:%H:%M} (GMT+7)"
    if form == "time-element":
        return f"{when:%d/%m/%Y %H:%M}"
    return date_display(when, form)


def smaller(src: str) -> str:
    """The 480-pixel rendition of a 730-pixel image, for srcset."""
    return src.replace("/730/", "/480/", 1)


def template_x(site: Site, a: Article) -> tuple[str, str]:
    """The `<head>` extras and the `<body>` content of an article page in template X."""
    page = XPage(site, a)
    return page.head(), page.body()


class XPage:
    """One article's page: the plan first, then the markup in a fixed order of draws."""

    def __init__(self, site: Site, a: Article) -> None:
        self.site = site
        self.a = a
        self.rng = random.Random(f"template-x:{site.seed}:{a.post_id}")
        self.plan = draw_plan(self.rng, a)

    def name(self) -> str:
        rng = self.rng
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))

    def wrap(self, inner: str) -> str:
        for _ in range(self.rng.randint(0, 3)):
            inner = f'<div class="{self.name()}">{inner}</div>'
        return inner

    # -- head ---------------------------------------------------------------------------------

    def head(self) -> str:
        a, meta = self.a, self.plan.meta
        parts = []
        if "description" in meta:
            parts.append(f'<meta name="description" content="{escape(a.dateline + a.sapo)}">')
        if "canonical" in meta:
            parts.append(f'<link rel="canonical" href="{a.url}">')
        if "og-title" in meta:
            parts += self.og_title()
        if "og-time" in meta:
            parts += self.og_time()
        if "jsonld" in meta:
            parts.append(self.jsonld())
        return "".join(f"{part}\n" for part in parts)

    def stated_modified(self) -> datetime | None:
        """The head's modification time: the correction, or a repeat of the publication time
        (which the truth reads as no modification)."""
        a = self.a
        return a.modified or (a.published if self.plan.ld_repeats_published else None)

    def og_title(self) -> list[str]:
        a = self.a
        parts = [
            f'<meta property="og:title" content="{escape(a.title)} - Báo Biên phòng">',
            f'<meta property="og:url" content="{a.url}">',
            '<meta property="og:type" content="article">',
        ]
        if a.images:
            parts.append(f'<meta property="og:image" content="{a.images[0].url}">')
        return parts

    def og_time(self) -> list[str]:
        a, modified = self.a, self.stated_modified()
        times = [("published", a.published), ("modified", modified)]
        parts = [
            f'<meta property="article:{what}_time" content="{when.isoformat()}">'
            for what, when in times
            if when
        ]
        return [*parts, f'<meta property="article:section" content="{escape(a.section.name)}">']

    def ld_text(self, text: str) -> str:
        return entities(text) if self.plan.ld_entities else text

    def jsonld(self) -> str:
        a, modified = self.a, self.stated_modified()
        org = {"@type": "Organization", "name": "Báo Biên phòng", "url": WWW + "/"}
        author: object = org
        if a.byline.authors and not self.plan.ld_org:
            author = [{"@type": "Person", "name": self.ld_text(n)} for n in a.byline.authors]
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.ld_text(a.title),
            "mainEntityOfPage": a.url,
            "datePublished": a.published.isoformat(),
            "author": author,
            "publisher": org,
            "articleSection": a.section.name,
        }
        if modified:
            data["dateModified"] = modified.isoformat()
        if a.images:
            data["image"] = [i.url for i in a.images]
        text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        return f'<script type="application/ld+json">{text}</script>'

    # -- body ---------------------------------------------------------------------------------

    def body(self) -> str:
        plan = self.plan
        crumb, title = self.breadcrumb(), self.heading()
        top = title + crumb if plan.crumb_below else crumb + title
        lead = self.lead()
        content = self.content(lead if plan.lead_inside else "")
        parts = [top, self.meta_line(), "" if plan.lead_inside else lead, content, self.after()]
        return self.wrap(f'<div class="{self.name()}">{"".join(parts)}</div>')

    def breadcrumb(self) -> str:
        a, form, css = self.a, self.plan.breadcrumb, self.name()
        home = f'<a href="{WWW}/">Trang chủ</a>'
        section = f'<a href="{WWW}/{a.section.slug}/">{escape(a.section.name)}</a>'
        if form == "nav":
            return f'<nav class="{css}">{home} {section}</nav>'
        if form == "ol":
            return f'<div class="{css}"><ol><li>{home}</li><li>{section}</li></ol></div>'
        if form == "div-sep":
            return f'<div class="{css}">{home}{self.rng.choice((" › ", " / "))}{section}</div>'
        return f'<div class="{css}">{section}</div>'

    def heading(self) -> str:
        tag = self.plan.heading
        return f'<{tag} class="{self.name()}">{escape(self.a.title)}</{tag}>'

    def meta_line(self) -> str:
        """The date, the correction time and (when placed there) the byline, under the title."""
        dates = self.date() + self.modified()
        byline = self.byline() if self.byline_on_top else ""
        inner = byline + dates if self.rng.random() < 0.5 else dates + byline
        return f'<div class="{self.name()}">{inner}</div>' if self.rng.random() < 0.6 else inner

    def date(self) -> str:
        when, form, css = self.a.published, self.plan.date, self.name()
        shown = date_text(when, form)
        if form == "time-element":
            return f'<time class="{css}" datetime="{when.isoformat()}">{shown}</time>'
        tag = self.rng.choice(("div", "span", "p", "time"))
        return f'<{tag} class="{css}">{shown}</{tag}>'

    def modified(self) -> str:
        """`Cập nhật: …` when the article was corrected and the head does not say so (or does,
        and the page repeats it). The class is drawn either way: a correction keeps the layout."""
        a, css = self.a, self.name()
        in_head = self.plan.timed_meta and not self.plan.modified_shown
        if a.modified is None or in_head:
            return ""
        return f'<span class="{css}">Cập nhật: {a.modified:%d/%m/%Y %H:%M}</span>'

    def lead(self) -> str:
        inner, css = self.dateline() + escape(self.a.sapo), self.name()
        if self.plan.lead == "strong":
            return f'<p class="{css}"><strong>{inner}</strong></p>'
        if self.plan.lead == "b":
            return f'<div class="{css}"><b>{inner}</b></div>'
        return f'<{self.plan.lead} class="{css}">{inner}</{self.plan.lead}>'

    def dateline(self) -> str:
        text, markup = escape(self.a.dateline), self.plan.dateline
        return f"<{markup}>{text}</{markup}>" if text and markup != "text" else text

    # -- the byline ---------------------------------------------------------------------------

    @property
    def byline_on_top(self) -> bool:
        place = self.plan.byline
        return place == "meta" or (place in ("rel-author", "itemprop") and self.plan.byline_on_top)

    def byline(self) -> str:
        """The byline line in its drawn markup; its text is always the line as written."""
        if self.plan.byline in ("none", "end"):
            return byline_html(self.a)
        tags = ("div", "p", "span") if self.byline_on_top else ("p", "div")
        tag, css = self.rng.choice(tags), self.name()
        return f'<{tag} class="{css}">{self.byline_inner()}</{tag}>'

    def byline_inner(self) -> str:
        byline = self.a.byline
        line, first = byline.line or "", byline.authors[0]
        prefix = line[: line.index(first)].strip()  # `Bài và ảnh:`, `Tin, ảnh:` or nothing
        separator = " - " if byline.form == "two-dash" else ", "
        names = separator.join(self.author(name) for name in byline.authors)
        return f"<span>{escape(prefix)}</span> {names}" if prefix else names

    def author(self, name: str) -> str:
        place, text = self.plan.byline, escape(name)
        path = f"/tac-gia/{slugify(name)}.html"
        href = path if self.rng.random() < 0.5 else WWW + path
        if place == "rel-author":
            return f'<a rel="author" href="{href}">{text}</a>'
        if place == "itemprop":
            return self.rng.choice(
                (
                    f'<span itemprop="author">{text}</span>',
                    f'<a itemprop="author" href="{href}">{text}</a>',
                    f'<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
                    f'<span itemprop="name">{text}</span></span>',
                )
            )
        return f'<a href="{href}">{text}</a>' if self.plan.byline_links else text

    # -- the body container -------------------------------------------------------------------

    def content(self, lead: str) -> str:
        a = self.a
        parts = [lead, *self.blocks()]
        if not self.byline_on_top:
            parts.append(self.byline())
        if a.syndication_line:
            parts.append(f"<p>Nguồn Biên Phòng: {BARE}{a.path}</p>")
        inner = "\n".join(part for part in parts if part)
        return self.wrap(f'<div class="{self.name()}">\n{inner}\n</div>')

    def blocks(self) -> list[str]:
        """The article's blocks, one paragraph perhaps quoted, boxes between some of them."""
        blocks = self.a.blocks
        paragraphs = [k for k, b in enumerate(blocks) if b.kind == "p"]
        quoted = self.rng.choice(paragraphs) if self.plan.quote and paragraphs else -1
        parts = [self.block(b, k == quoted) for k, b in enumerate(blocks)]
        for box, place in self.plan.boxes:
            if place == "inside":
                parts.insert(self.rng.randint(1, max(1, len(parts) - 1)), self.box(box))
        return parts

    def block(self, block: Block, quoted: bool) -> str:
        if block.image is not None:
            return self.image(block.image)
        return f"<blockquote>{block.html}</blockquote>" if quoted else block.html

    def image(self, image: Image) -> str:
        full = caption_text(image)
        img = self.img(image, escape(full) if image.alt_is_caption else "bien-phong")
        if image.markup == "p-img":
            return f'<p style="text-align:center">{img}</p>'
        if self.plan.caption_p:
            caption = f'<p style="text-align:center"><em>{escape(full)}</em></p>' if full else ""
            return f'<p style="text-align:center">{img}</p>\n{caption}'
        if image.markup == "table":
            return (
                f'<table class="image" align="center"><tbody><tr><td>{img}</td></tr>'
                f'<tr><td class="image_caption"><p>{escape(full)}</p></td></tr></tbody></table>'
            )
        caption = f"<figcaption>{escape(full)}</figcaption>"
        return f'<figure class="{self.name()}">{img}{caption}</figure>'

    def img(self, image: Image, alt: str) -> str:
        src = escape(image.src)
        srcset = f"{src} 730w, {escape(smaller(image.src))} 480w"
        return IMAGE_FORMS[self.plan.images].format(
            src=src, srcset=srcset, alt=alt, placeholder=PLACEHOLDER
        )

    # -- boxes: none of their text is the article's -------------------------------------------

    def after(self) -> str:
        parts = [self.box(box) for box, place in self.plan.boxes if place == "after"]
        label = self.rng.choice(("", "<span>Từ khóa:</span>", "<strong>Tags:</strong>"))
        parts.append(tags_html(self.a, self.name(), label))
        self.rng.shuffle(parts)
        return "".join(parts)

    def box(self, box: str) -> str:
        boxes: dict[str, Callable[[], str]] = {
            "related": self.related,
            "ad": self.ad,
            "share": self.share,
            "poll": self.poll,
            "embed": self.embed,
        }
        return boxes[box]()

    def related(self) -> str:
        """A label, then links to other articles of the site, as a list or a row of links."""
        site, a, rng = self.site, self.a, self.rng
        label = rng.choice(RELATED_LABELS)
        head = rng.choice(RELATED_HEADS)
        listed = rng.random() < 0.6
        links = [
            f'<a href="{escape(link(site, i, a.post_id))}">{escape(site.headline(i).title)}</a>'
            for i in a.related
        ]
        if not links:
            return ""
        items = (
            "<ul>" + "".join(f"<li>{x}</li>" for x in links) + "</ul>"
            if listed
            else f'<div class="{self.name()}">{"".join(links)}</div>'
        )
        return f'<div class="{self.name()}">{head.format(label)}{items}</div>'

    def ad(self) -> str:
        rng, css = self.rng, self.name()
        label = f'<span class="{self.name()}">{rng.choice(AD_LABELS)}</span>'
        inner = rng.choice(AD_FORMS).format(host=AD_HOST, zone=rng.randint(1, 40), css=self.name())
        return f'<div class="{css}">{label if rng.random() < 0.5 else ""}{inner}</div>'

    def share(self) -> str:
        rng, url = self.rng, quote(self.a.url, safe="")
        targets = [
            f'<a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a>',
            f'<a href="https://sp.zalo.me/share_inline?url={url}">Zalo</a>',
            f'<a href="https://twitter.com/intent/tweet?url={url}">Twitter</a>',
            f'<a href="mailto:?body={url}">Email</a>',
        ][: rng.randint(2, 4)]
        label = rng.choice(SHARE_LABELS)
        items = "".join(f"<li>{t}</li>" for t in targets) if rng.random() < 0.5 else ""
        inner = f"<ul>{items}</ul>" if items else "".join(targets)
        return f'<div class="{self.name()}"><span>{label}</span>{inner}</div>'

    def poll(self) -> str:
        rng, post = self.rng, self.a.post_id
        question, options = rng.choice(POLLS)
        choices = "<br>".join(
            f'<label><input type="radio" name="poll{post}" value="{k}"> {escape(option)}</label>'
            for k, option in enumerate(options, 1)
        )
        submit = rng.choice(
            ('<button type="submit">Bình chọn</button>', '<input type="submit" value="Bình chọn">')
        )
        inner = (
            f'<p class="{self.name()}">{escape(question)}</p>{choices}'
            f'<div>{submit} <a href="#">Xem kết quả</a></div>'
        )
        if rng.random() < 0.5:
            form = f'<form class="{self.name()}" action="/binh-chon.html" method="post">'
            return f"{form}{inner}</form>"
        return f'<div class="{self.name()}">{inner}</div>'

    def embed(self) -> str:
        """A video player's iframe, or a social post quoted by its platform's script."""
        rng, number = self.rng, self.rng.randint(10**17, 10**18)
        if rng.random() < 0.5:
            video = "".join(rng.choice(VIDEO_ID_CHARS) for _ in range(11))
            src = escape(rng.choice(PLAYERS).format(id=video, n=number))
            frame = (
                f'<iframe src="{src}" width="640" height="360" frameborder="0" '
                "allowfullscreen></iframe>"
            )
            return f'<div class="{self.name()}">{frame}</div>'
        script, post = rng.choice(SOCIAL)
        url = post.format(n=number)
        day = self.a.published - timedelta(days=1)
        return (
            f'<blockquote class="{self.name()}" data-url="{url}"><p lang="vi">'
            f"{rng.choice(SOCIAL_POSTS)}</p>— Báo Biên phòng (@baobienphong) "
            f'<a href="{url}">{day.day} tháng {day.month}, {day.year}</a></blockquote>'
            f'<script async src="{escape(script)}" charset="utf-8"></script>'
        )
