"""HTML, RSS and sitemap text for every page the mirror serves, in the site's several templates."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from email.utils import format_datetime
from html import escape
from urllib.parse import urljoin

from . import unseen, weight
from .markup import AD_HOST, byline_html, caption_text, date_display, link, tags_html
from .site import (
    BARE,
    SECTION_BY_SLUG,
    SECTIONS,
    WEEKDAYS,
    WWW,
    Article,
    Block,
    Image,
    Section,
    Site,
    Tag,
    mix,
)

HOTLINE = "Đường dây nóng: 0912011882 - (024) 39364407"
FOOTER = (
    "Báo Biên phòng, Cơ quan của Bộ Tư lệnh Bộ đội Biên phòng. Giấy phép số 485/GP-BTTTT ngày "
    "28/07/2021. Địa chỉ: 40A Hàng Bài, Hoàn Kiếm, Hà Nội. Đường dây nóng: 0912011882 - "
    "(024) 39364407."
)


def clock(now: datetime) -> str:
    """The header clock: the current time, a trap for extractors that take the first date."""
    return f"{WEEKDAYS[now.weekday()]}, {now:%d/%m/%Y %H:%M} GMT+7"


def section_url(section: Section, page: int = 1) -> str:
    if page == 1:
        return f"{WWW}/{section.slug}/"
    if section.page_form == "query":
        return f"{WWW}/{section.slug}/?page={page}"
    return f"{WWW}/{section.slug}/trang-{page}.html"


def page(site: Site, title: str, body: str, head: str = "", decomposed: bool = False) -> str:
    menu = "".join(
        f'<li><a href="{BARE if k % 3 == 0 else WWW}/{s.slug}/">{escape(s.name)}</a></li>'
        for k, s in enumerate(SECTIONS)
    )
    text = (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n"
        f'<div class="top-bar"><span class="hotline">{HOTLINE}</span> '
        f'<span class="top-bar-date">{clock(site.now)}</span></div>\n'
        f'<header class="site-header"><a class="logo" href="{WWW}/">Báo Biên phòng</a>'
        f'<nav class="main-menu"><ul>{menu}</ul></nav>'
        f'<form action="/tim-kiem.html"><input name="q"></form></header>\n'
        f"{body}\n"
        f'<footer class="site-footer"><p>{FOOTER}</p></footer>\n</body>\n</html>\n'
    )
    return unicodedata.normalize("NFD", text) if decomposed else text


# -- article pages ------------------------------------------------------------------------------


def article_head(site: Site, a: Article) -> str:
    parts = [f'<meta name="description" content="{escape(a.dateline + a.sapo)}">']
    if a.canonical_link:
        parts.append(f'<link rel="canonical" href="{a.url}">')
    if a.template == "D":  # the redesign that lost its machine-readable dates
        return "\n".join(parts) + "\n"
    if a.og:
        parts += [
            f'<meta property="og:title" content="{escape(a.title)} - Báo Biên phòng">',
            f'<meta property="og:url" content="{a.url}">',
            '<meta property="og:type" content="article">',
            f'<meta property="article:published_time" content="{a.published.isoformat()}">',
            f'<meta property="article:section" content="{escape(a.section.name)}">',
        ]
        if a.modified:
            parts.append(
                f'<meta property="article:modified_time" content="{a.modified.isoformat()}">'
            )
        if a.images:
            parts.append(f'<meta property="og:image" content="{a.images[0].url}">')
    if a.jsonld:
        parts.append(
            '<script type="application/ld+json">'
            + json.dumps(jsonld(a), ensure_ascii=False).replace("</", "<\\/")
            + "</script>"
        )
    return "\n".join(parts) + "\n"


def jsonld(a: Article) -> dict[str, object]:
    org = {"@type": "Organization", "name": "Báo Biên phòng", "url": WWW + "/"}
    author: object = org
    if a.byline.authors and not a.jsonld_author_org:
        author = [{"@type": "Person", "name": name} for name in a.byline.authors]
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "mainEntityOfPage": a.url,
        "datePublished": a.published.isoformat(),
        "author": author,
        "publisher": org,
        "articleSection": a.section.name,
    }
    if a.modified:
        data["dateModified"] = a.modified.isoformat()
    if a.images:
        data["image"] = [i.url for i in a.images]
    return data


def image_html(image: Image, template: str) -> str:
    full = image.caption or ""
    if image.credit:
        full = f"{full} Ảnh: {image.credit}".strip()
    alt = escape(full) if image.alt_is_caption else "bien-phong"
    src = escape(image.src)
    img = f'<img src="{src}" alt="{alt}">'
    if template == "C":
        img = f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="{src}" alt="{alt}">'
    if image.markup == "p-img":
        return f'<p style="text-align:center">{img}</p>'
    if image.markup == "table":
        return (
            f'<table class="image" align="center"><tbody><tr><td>{img}</td></tr>'
            f'<tr><td class="image_caption"><p>{escape(full)}</p></td></tr></tbody></table>'
        )
    return f'<figure class="image">{img}<figcaption>{escape(full)}</figcaption></figure>'


def block_html(block: Block, template: str) -> str:
    if block.image is not None:
        return image_html(block.image, template)
    return block.html


def body_html(site: Site, a: Article) -> str:
    parts = [block_html(b, a.template) for b in a.blocks]
    parts.append(byline_html(a))
    if a.syndication_line:
        parts.append(f"<p>Nguồn Biên Phòng: {BARE}{a.path}</p>")
    return "\n".join(p for p in parts if p)


def related_html(site: Site, a: Article) -> str:
    items = "".join(
        f'<li><a href="{escape(link(site, i, a.post_id))}">'
        f"{escape(site.headline(i).title)}</a></li>"
        for i in a.related
    )
    return f'<div class="related-news"><h3>Tin liên quan</h3><ul>{items}</ul></div>'


def share_html(a: Article) -> str:
    if not a.share_widget:
        return ""
    return (
        '<div class="share-box"><a class="zalo-share-button" href="#">Zalo</a>'
        '<a class="fb-share" href="#">Facebook</a><span>Chia sẻ</span></div>'
    )


def modified_html(a: Article) -> str:
    if not a.modified:
        return ""
    return f'<span class="date-update">Cập nhật: {a.modified:%d/%m/%Y %H:%M}</span>'


def breadcrumb_html(a: Article, css: str) -> str:
    section = f'<a href="{WWW}/{a.section.slug}/">{escape(a.section.name)}</a>'
    if not a.breadcrumb:
        return f'<div class="{css}-category">{section}</div>'
    return f'<div class="{css}"><a href="{WWW}/">Trang chủ</a> / {section}</div>'


def template_a(site: Site, a: Article) -> str:
    extra = " cms-desc" if a.extra_classes else ""
    body_extra = " cms-body clearfix" if a.extra_classes else ""
    return (
        f'<div class="bp-detail">{breadcrumb_html(a, "bp-breadcrumb")}'
        f'<h1 class="bp-detail-content-title-h1">{escape(a.title)}</h1>'
        f'<div class="bp-detail-meta"><span class="bp-date-time">'
        f"{date_display(a.published, a.date_format)}</span>{modified_html(a)}</div>"
        f'<p class="bp-detail-sapo{extra}">{escape(a.dateline + a.sapo)}</p>'
        f'<div class="bp-detail-text-content{body_extra}">\n{body_html(site, a)}\n</div>'
        f"{share_html(a)}{tags_html(a, 'bp-detail-tags', '<span>Từ khóa:</span>')}"
        f"{related_html(site, a)}</div>"
    )


def template_b(site: Site, a: Article) -> str:
    return (
        f'<div class="container"><article class="article-main">'
        f"{breadcrumb_html(a, 'breadcrumb')}"
        f'<h2 class="title--big"><a href="{a.url}">{escape(a.title)}</a></h2>'
        f'<div class="row"><div class="col-6"><span class="article-date">'
        f"{date_display(a.published, a.date_format)}</span>{modified_html(a)}</div>"
        f'<div class="col-6">{share_html(a)}</div></div>'
        f'<div class="article-content-intro"><p>{escape(a.dateline + a.sapo)}</p></div>'
        f'<div class="article-content-main">\n{body_html(site, a)}\n</div>'
        f"{tags_html(a, 'article-tags')}</article>"
        f'<aside class="sidebar">{related_html(site, a)}</aside></div>'
    )


def template_c(site: Site, a: Article) -> str:
    """A redesign the crawler's site rules have never seen: semantic tags, BEM classes."""
    dateline = f"<strong>{escape(a.dateline)}</strong>" if a.dateline else ""
    return (
        f'<main class="story"><nav class="crumbs" aria-label="breadcrumb">'
        f'<a href="{WWW}/">Trang chủ</a> › <a href="{WWW}/{a.section.slug}/">'
        f"{escape(a.section.name)}</a></nav>"
        f'<header class="story__header"><h1 class="story__title">{escape(a.title)}</h1>'
        f'<div class="story__meta"><span class="story__time">'
        f"{date_display(a.published, a.date_format)}</span>{modified_html(a)}</div></header>"
        f'<div class="story__lead">{dateline}{escape(a.sapo)}</div>'
        f'<section class="story__content">\n{body_html(site, a)}\n</section>'
        f"{share_html(a)}{tags_html(a, 'story__tags')}{related_html(site, a)}</main>"
    )


def template_d(site: Site, a: Article) -> str:
    """A redesign whose times are written by script: the HTML holds only an epoch attribute and
    the page drops og and JSON-LD. No extractor finds the date: the drift a crawl must report."""
    epoch = int(a.published.timestamp())
    return (
        f'<main class="article-v3"><nav class="crumbs"><a href="{WWW}/{a.section.slug}/">'
        f"{escape(a.section.name)}</a></nav>"
        f'<h1 class="article-v3__title">{escape(a.title)}</h1>'
        f'<div class="article-v3__meta"><time class="js-time" data-epoch="{epoch}"></time></div>'
        f'<div class="article-v3__lead">{escape(a.dateline + a.sapo)}</div>'
        f'<div class="article-v3__body">\n{body_html(site, a)}\n</div>'
        f"{tags_html(a, 'article-v3__tags')}{related_html(site, a)}</main>"
    )


def template_media(site: Site, a: Article) -> str:
    """Video and photo stories: the `ft-info-media` header and no body div."""
    header = (
        f'<div class="ft-info-media">{breadcrumb_html(a, "ft-breadcrumb")}'
        f"<h1>{escape(a.title)}</h1>"
        f'<div class="ft-time-media">{date_display(a.published, a.date_format)}'
        f"{modified_html(a)}</div>"
        f'<div class="ft-text-info-media"><p>{escape(a.dateline + a.sapo)}</p></div></div>'
    )
    if a.kind == "video":
        media = (
            f'<div class="ft-ct-media"><video controls preload="none">'
            f'<source src="{a.video_url}" type="video/mp4"></video></div>'
        )
    else:
        slides = "".join(
            f'<li><span class="item-thumb"><img src="{escape(s.src)}" alt="">'
            f"<p>{escape(caption_text(s))}</p></span></li>"
            for s in a.slides
        )
        media = f'<div class="ft-slider"><ul class="slides">{slides}</ul></div>'
    extras = tags_html(a, "ft-tags") + related_html(site, a)
    return f'<div class="ft-media">{header}{media}{extras}</div>'


TEMPLATES = {
    "A": template_a,
    "B": template_b,
    "C": template_c,
    "D": template_d,
    "video": template_media,
    "photo": template_media,
}


def article_page(site: Site, a: Article, template: str | None = None) -> str:
    name = template or a.template
    if name == "X":
        head, body = unseen.template_x(site, a)
    else:
        head, body = article_head(site, a), TEMPLATES[name](site, a)
    if site.weighty:  # at a real page's weight: the site's chrome, this page's state and lists
        head += weight.head(site, a)
        body = weight.before(site, a) + body + weight.after(site, a)
    return page(site, f"{a.title} - Báo Biên phòng", body, head, a.decomposed)


# -- listings -------------------------------------------------------------------------------


def item_html(site: Site, index: int, context: int, highlight: Tag | None = None) -> str:
    a = site.teaser(index)
    href = escape(link(site, index, context, a))
    sapo = escape(a.dateline + a.sapo)
    if highlight is not None:
        sapo = highlight_words(sapo, highlight)
    thumb = f'<a href="{href}"><img src="{escape(a.thumb.src)}"></a>' if a.thumb else ""
    return (
        f'<li class="item">{thumb}<h3><a href="{href}">{escape(a.title)}</a></h3><p>{sapo}</p></li>'
    )


def highlight_words(text: str, tag: Tag) -> str:
    """Every word of the tag in its own inline element, as the site's tag pages print them."""
    words = {w.lower() for w in re.findall(r"\w+", tag.name)}
    return re.sub(
        r"\w+",
        lambda m: (
            f'<span class="highlight">{m.group(0)}</span>'
            if m.group(0).lower() in words
            else m.group(0)
        ),
        text,
    )


def ad_html(k: int) -> str:
    return (
        f'<li class="ads"><a href="{AD_HOST}/click?zone={k}" rel="nofollow">'
        f'<img src="{AD_HOST}/banner{k}.jpg" alt="Quảng cáo"></a></li>'
    )


def items_html(site: Site, indexes: list[int], context: int, tag: Tag | None = None) -> str:
    items = [item_html(site, i, context, tag) for i in indexes]
    if len(items) > 6:
        items.insert(5, ad_html(context % 7))
    featured = ""
    if indexes:
        first = site.teaser(indexes[0])
        href = escape(link(site, indexes[0], context + 1, first))
        featured = (
            f'<div class="featured-news"><h2><a href="{href}">{escape(first.title)}</a></h2>'
            f"<p>{escape(first.dateline + first.sapo)}</p></div>"
        )
    return f'{featured}<ul class="list-news">{"".join(items)}</ul>'


def pager_html(section: Section, current: int, pages: int) -> tuple[str, str]:
    """The pager in the section's style and the `<head>` links it implies."""
    if current >= pages:
        return "", ""
    nxt = section_url(section, current + 1)
    if section.pager == "relnext":
        return (
            f'<div class="paging"><a rel="next" href="{nxt}">Trang sau</a></div>',
            f'<link rel="next" href="{nxt}">\n',
        )
    if section.pager == "xemthem":
        return f'<div class="more"><a class="btn-more" href="{nxt}">Xem thêm</a></div>', ""
    window = range(max(1, current - 2), min(pages, current + 4) + 1)
    numbers = "".join(
        f"<span class='active'>{n}</span>"
        if n == current
        else f'<a href="{section_url(section, n)}">{n}</a>'
        for n in window
    )
    return (
        f'<div class="pagination">{numbers}<a href="{section_url(section, pages)}">»</a></div>',
        "",
    )


def section_page(site: Site, section: Section, number: int, cycle: int = 0) -> str:
    """A page of the section's listing; `cycle` pages: past the last page, the articles of
    the last `cycle` pages again, in turn, each page linking the next, for ever (a listing
    that never ends: 1, the last page again and again)."""
    last = site.section_pages(section.slug)
    shown = number
    if cycle and number > last:
        shown = max(1, last - cycle + 1) + (number - last - 1) % min(cycle, last)
    indexes = site.section_page(section.slug, shown)
    pager, head = pager_html(section, number, number + 1 if cycle else last)
    body = (
        f'<div class="category"><h1 class="category-title">{escape(section.name)}</h1>'
        f"{items_html(site, indexes, number * 31 + section.legacy_id)}{pager}</div>"
    )
    return page(site, f"{section.name} - Báo Biên phòng", body, head)


def tag_page(site: Site, tag: Tag, number: int) -> str:
    indexes = site.tag_page(tag.tag_id, number)
    pages = site.tag_pages(tag.tag_id)
    pager = ""
    if number < pages:
        nxt = f"{WWW}{tag.path}?page={number + 1}"
        pager = f'<div class="paging"><a rel="next" href="{nxt}">Trang sau</a></div>'
    body = (
        f'<div class="tag-page"><h1>Tag: {escape(tag.name)}</h1>'
        f"{items_html(site, indexes, tag.tag_id + number, tag)}{pager}</div>"
    )
    return page(site, f"{tag.name} - Báo Biên phòng", body)


def home_page(site: Site) -> str:
    latest = site.latest(30)
    blocks = [items_html(site, latest, 7)]
    for section in SECTIONS:
        items = site.latest(4, section.slug)
        links = "".join(
            f'<li><a href="{escape(link(site, i, 11))}">{escape(site.headline(i).title)}</a></li>'
            for i in items
        )
        blocks.append(
            f'<section class="home-box"><h2><a href="{WWW}/{section.slug}/">'
            f"{escape(section.name)}</a></h2><ul>{links}</ul></section>"
        )
    return page(site, "Báo Biên phòng - Cơ quan của Bộ Tư lệnh Bộ đội Biên phòng", "".join(blocks))


def search_page(site: Site, query: str) -> str:
    items = items_html(site, site.latest(10), 13)
    return page(site, "Tìm kiếm - Báo Biên phòng", f"<h1>Kết quả: {escape(query)}</h1>{items}")


def not_found_page(site: Site) -> str:
    return page(site, "Không tìm thấy trang - Báo Biên phòng", "<h1>Không tìm thấy trang</h1>")


# -- feeds and sitemaps -----------------------------------------------------------------------


def rss(site: Site, section: Section | None, count: int = 20) -> str:
    indexes = site.latest(count, section.slug if section else None)
    name = section.name if section else "Trang chủ"
    url = f"{WWW}/{section.slug}/" if section else f"{WWW}/"
    items = []
    for i in indexes:
        a = site.teaser(i)
        href = urljoin(f"{WWW}/", link(site, i, 17, a))  # RSS 2.0 links are absolute
        title = f"<![CDATA[{a.title}]]>" if mix(site.seed, i, 19) % 2 else escape(a.title)
        image = (
            f'<a href="{escape(href)}"><img src="{escape(a.thumb.url)}" /></a>' if a.thumb else ""
        )
        items.append(
            f"<item><title>{title}</title><link>{escape(href)}</link>"
            f'<guid isPermaLink="true">{escape(a.url)}</guid>'
            f"<pubDate>{format_datetime(a.published)}</pubDate>"
            f"<description><![CDATA[{image}{a.dateline}{a.sapo}]]></description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(name)} - Báo Biên phòng</title><link>{url}</link>"
        f"<description>Báo Biên phòng - {escape(name)}</description><language>vi</language>"
        f"<lastBuildDate>{format_datetime(site.now)}</lastBuildDate>"
        f"{''.join(items)}</channel></rss>\n"
    )


def robots(site: Site) -> str:
    lines = [
        "User-agent: *",
        "Disallow: /tim-kiem",
        "Disallow: /tim-kiem.html",
        "Disallow: /admin/",
    ]
    if site.sitemaps:
        lines += ["", f"Sitemap: {WWW}/sitemap.xml", f"Sitemap: {WWW}/sitemaps/news.xml"]
    return "\n".join(lines) + "\n"


def sitemap_index(site: Site) -> str:
    entries = []
    for year, month in site.months():
        indexes = site.month_range(year, month)
        if not indexes:
            continue
        newest = max(site.lastmod(i) for i in _edited_or_last(site, indexes)).isoformat()
        entries.append(
            f"<sitemap><loc>{WWW}/sitemaps/posts-{year}-{month:02d}.xml</loc>"
            f"<lastmod>{newest}</lastmod></sitemap>"
        )
    entries.append(
        f"<sitemap><loc>{WWW}/sitemaps/news.xml</loc><lastmod>{site.now.isoformat()}</lastmod></sitemap>"
    )
    return sitemap_index_of("".join(entries))


def sitemap_index_of(entries: str) -> str:
    """A sitemap index of `entries` (its `<sitemap>` elements)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    )


def _edited_or_last(site: Site, indexes: range) -> list[int]:
    """The articles whose lastmod can be the month's newest: the last one and any edited ones."""
    return [indexes[-1], *(i for i in site.edits if i in indexes)]


def month_sitemap(site: Site, year: int, month: int) -> str | None:
    indexes = site.month_range(year, month)
    if not indexes:
        return None
    urls = "".join(
        f"<url><loc>{site.headline(i).url}</loc><lastmod>{site.lastmod(i).isoformat()}</lastmod></url>"
        for i in indexes
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def news_sitemap(site: Site) -> str:
    since = site.now.timestamp() - 48 * 3600
    entries = []
    for i in site.latest(1000):
        published = site.published(i)
        if published.timestamp() < since:
            break
        a = site.headline(i)
        entries.append(
            f"<url><loc>{a.url}</loc><news:news><news:publication><news:name>Báo Biên phòng"
            "</news:name><news:language>vi</news:language></news:publication>"
            f"<news:publication_date>{published.isoformat()}</news:publication_date>"
            f"<news:title>{escape(a.title)}</news:title></news:news></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{''.join(entries)}</urlset>\n"
    )


def section_by_feed_name(name: str) -> Section | bool | None:
    """`kinh-te` or legacy `kinh-te-12` → the section; `home` → None; anything else → False."""
    if name == "home":
        return None
    if name in SECTION_BY_SLUG:
        return SECTION_BY_SLUG[name]
    slug, _, number = name.rpartition("-")
    section = SECTION_BY_SLUG.get(slug)
    if section and number == str(section.legacy_id):
        return section
    return False
