"""What a template yields before the text-level rules run, and the body walker both paths share.

The walker reads a content container in page order: paragraphs and intertitles become lines,
`figure`/`figcaption`, `table.image` caption rows and `p > img` become images.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from archive.site import is_site_url, join_url, split_url

from .boxes import is_link_list, is_list_label
from .page import HtmlElement, clean, text_of
from .text import split_credit

_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "blockquote", "li", "pre"})
_WRAPPERS = frozenset({"div", "section", "article", "ul", "ol", "center", "span", "font"})
_INLINE = frozenset(
    {"a", "b", "strong", "em", "i", "u", "sup", "sub", "br", "small", "mark", "abbr", "code"}
)
_SKIPPED = frozenset(
    {"script", "style", "noscript", "iframe", "ins", "aside", "nav", "form", "button", "svg"}
)
_IMG = etree.XPath(".//img")
# Pictures of the page's furniture: named so, or drawn this small at most (pixels).
_FURNITURE_FILE = re.compile(
    r"(?:^|[/_.-])(?:icons?|logos?|flags?|sprites?|pixel|spacer|blank|avatars?|buttons?"
    r"|badges?|emoji)(?:[/_.-]|$)"
)
_ICON_PIXELS = 48
_HEADLINE_WORDS = 3  # a link holding a picture and this many words is a story's card
# `span` and `font` hold a paragraph in some CMSes, and a name or a phrase in most.
_INLINE_WRAPPERS = frozenset({"span", "font"})
_HAS_BLOCK = etree.XPath(
    "boolean(.//p | .//div | .//h2 | .//h3 | .//h4 | .//ul | .//ol | .//table | .//figure)"
)
_FIGCAPTION = etree.XPath(".//figcaption")
_CAPTION_CELL = etree.XPath(".//td[not(.//img)] | .//caption")
_CELLS = etree.XPath("(./tr | ./*/tr)/*[self::td or self::th]")
# A table used for layout: a cell holds text blocks, two or more, at any depth (an article in
# a `<td>`; a picture's caption cell holds one paragraph at most).
_LAYOUT = etree.XPath(
    "boolean((./tr | ./*/tr)/*[self::td or self::th]"
    "[count(.//p | .//h2 | .//h3 | .//h4 | .//li | .//blockquote) > 1])"
)
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src")
# A picture the text flows around (`<p><img class="alignleft">Text…</p>`): the paragraph is
# text, not the picture's caption, which stands under a picture, not beside it.
_FLOATED = re.compile(r"(?:^|\s)align(?:left|right)(?:$|\s)|float\s*:\s*(?:left|right)")
# No caption runs this long; a paragraph that opens with a picture does (the longest of the
# mirror's captions is 18 words, a long one of a Vietnamese paper's about 40).
_CAPTION_MAX_WORDS = 60


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None
    credit: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"url": self.url, "caption": self.caption, "credit": self.credit}


@dataclass
class Draft:
    """The fields one template's rules (or the generic path) found, before the text rules."""

    title: str = ""
    sapo: str | None = None
    lines: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    date_text: str | None = None
    modified_text: str | None = None
    video_url: str | None = None
    # The block showing the lead (dateline and all), when the lead was read from the page.
    lead_block: HtmlElement | None = None
    # Provenance: the rules or heuristic that gave the draft, and the fields taken elsewhere.
    via: str = "generic"
    sources: dict[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        return self.sources.get(name, self.via)


def is_furniture(img: HtmlElement, url: str) -> bool:
    """A picture that is the page's, not the article's: an icon, a flag, a logo, a button, a
    tracking pixel (by its size or its file's name), or the thumbnail of a linked story (in a
    link that also holds its headline)."""
    sizes = [img.get("width", ""), img.get("height", "")]
    if any(size.isdigit() and int(size) <= _ICON_PIXELS for size in sizes):
        return True
    path = split_url(url).path.lower()
    if path.endswith((".svg", ".ico")) or _FURNITURE_FILE.search(path):
        return True
    link = next(img.iterancestors("a"), None)
    return link is not None and len(text_of(link).split()) >= _HEADLINE_WORDS


def image_url(img: HtmlElement, base: str) -> str | None:
    """The picture's absolute http(s) URL: `src`, else a lazy-load attribute (`data-src`,
    `data-original`), else the largest candidate of its `srcset` or its `<picture>`'s."""
    src = (img.get("src") or "").strip()
    if not src or src.startswith("data:"):
        src = next((img.get(a, "").strip() for a in _LAZY_SRC if img.get(a, "").strip()), "")
    if not src or src.startswith("data:"):
        src = _largest(img.get("srcset") or img.get("data-srcset") or _picture_srcset(img))
    return web_url(src, base)


def web_url(href: str | None, base: str) -> str | None:
    """`href` made absolute against `base`, when it is a web address: a record never stores a
    `javascript:`, `data:` or `file:` URL from a page."""
    url = join_url(base, href.strip()) if href and href.strip() else None
    return url if url and split_url(url).scheme in ("http", "https") else None


def same_site(href: str | None, url: str) -> bool:
    """`href`, read on the page at `url`, is a web address on that page's site: for
    bienphong.com.vn any of its hosts (not its sub-domains), for another newspaper the same
    host."""
    target = web_url(href, url)
    if target is None:
        return False
    if is_site_url(url):
        return is_site_url(target)
    return split_url(target).hostname == split_url(url).hostname


def _largest(srcset: str) -> str:
    """The widest candidate of a srcset (`a.jpg 730w, b.jpg 480w` → `a.jpg`), else the first."""
    candidates = [c.split() for c in srcset.split(",") if c.strip()]
    widths = [(_width(c[1:]), c[0]) for c in candidates if c]
    return max(widths, key=lambda found: found[0])[1] if widths else ""


def _width(descriptor: list[str]) -> float:
    text = descriptor[0] if descriptor else ""
    try:
        return float(text[:-1]) if text[-1:] in ("w", "x") else 0.0
    except ValueError:
        return 0.0


def _picture_srcset(img: HtmlElement) -> str:
    for ancestor in img.iterancestors("picture", "source"):
        for source in ancestor.iter("source"):
            if source.get("srcset"):
                return str(source.get("srcset"))
    return ""


def captioned(img: HtmlElement, caption_text: str, base: str) -> Image | None:
    url = image_url(img, base)
    if url is None or is_furniture(img, url):
        return None
    caption, credit = split_credit(caption_text)
    return Image(url, caption, credit)


def _figure(element: HtmlElement, base: str) -> list[Image]:
    imgs = _IMG(element)
    captions = _FIGCAPTION(element)
    text = text_of(captions[0]) if captions else ""
    found = captioned(imgs[0], text, base) if imgs else None
    return [found] if found else []


def _table(element: HtmlElement, base: str) -> list[Image]:
    imgs = _IMG(element)
    text = " ".join(text_of(cell) for cell in _CAPTION_CELL(element))
    found = captioned(imgs[0], text, base) if imgs else None
    return [found] if found else []


Skip = Callable[[HtmlElement], bool]


def _keep_all(element: HtmlElement) -> bool:
    return False


def walk(
    container: HtmlElement, base: str, skip: Skip = _keep_all
) -> tuple[list[str], list[Image]]:
    """Body lines and images of a content container, in page order; `skip` names the blocks
    that are not article text (boxes inside the body), which yield nothing."""
    lines: list[str] = []
    images: list[Image] = []
    _walk(container, base, lines, images, skip)
    return lines, images


def _walk(
    container: HtmlElement, base: str, lines: list[str], images: list[Image], skip: Skip
) -> None:
    # Loose text and inline elements between blocks form a line of their own, as a browser
    # shows them (an anonymous block); two `<br>` in a row end it.
    loose: list[str] = [container.text or ""]
    for child in _elements(container):
        tag = child.tag
        if tag == "br" and _after_br(child):
            lines.append(clean("".join(loose)))
            loose = [child.tail or ""]
            continue
        if (tag in _INLINE or (tag in _INLINE_WRAPPERS and not _HAS_BLOCK(child))) and not _IMG(
            child
        ):
            loose += [text_of(child), " " if tag == "br" else "", child.tail or ""]
            continue
        lines.append(clean("".join(loose)))
        loose = [child.tail or ""]
        if skip(child) or _is_caption_of_previous(child, images, base):
            _drop_label_of(child, lines)
            continue
        _take(child, base, lines, images, skip)
    lines.append(clean("".join(loose)))


def _take(
    element: HtmlElement, base: str, lines: list[str], images: list[Image], skip: Skip
) -> None:
    """One block of a container: its pictures or its lines; a wrapper of blocks, walked."""
    tag = element.tag
    if tag == "figure":
        images += _figure(element, base)
    elif tag == "table":
        if _LAYOUT(element):  # a table that lays out blocks (an article in a cell): walked
            for cell in _CELLS(element):
                _walk(cell, base, lines, images, skip)
        elif _IMG(element):
            images += _table(element, base)
        else:
            lines.append(text_of(element))
    elif tag == "img":
        images += [i for i in [captioned(element, "", base)] if i]
    elif (tag in _WRAPPERS and any(_is_structure(c) for c in element)) or (
        tag == "blockquote" and any(c.tag in _BLOCKS for c in _elements(element))
    ):
        # A quotation of paragraphs is walked as they are: a line each, and a box among them
        # (a share bar) skipped, not read into one line with them.
        _walk(element, base, lines, images, skip)
    elif tag not in _SKIPPED:
        _block(element, base, lines, images)


def _is_caption_of_previous(element: HtmlElement, images: list[Image], base: str) -> bool:
    """A paragraph all in italics right after a paragraph holding only a picture is that
    picture's caption (`<p><img></p><p><em>Quang cảnh. Ảnh: X</em></p>`); it takes it."""
    previous = element.getprevious()
    if (
        not images
        or images[-1].caption is not None
        or images[-1].credit is not None
        or element.tag != "p"
        or previous is None
        or previous.tag != "p"
        or text_of(previous)
        or not _IMG(previous)
        or _IMG(element)
    ):
        return False
    children = [c for c in element if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag not in ("em", "i") or (element.text or "").strip():
        return False
    if image_url(_IMG(previous)[0], base) != images[-1].url:
        return False
    caption, credit = split_credit(text_of(element))
    images[-1] = Image(images[-1].url, caption, credit)
    return True


def _drop_label_of(box: HtmlElement, lines: list[str]) -> None:
    """A list of links the walk skipped takes the short label introducing it (`Tin liên quan`,
    the block right before it) along."""
    label = box.getprevious()
    if label is None or (label.tail or "").strip() or not is_link_list(box):
        return
    while lines and not lines[-1]:
        lines.pop()
    if lines and lines[-1] == text_of(label) and is_list_label(lines[-1]):
        lines.pop()


def _is_structure(child: HtmlElement) -> bool:
    """A child that makes its parent a container to walk: a block, a wrapper or a `<br><br>`."""
    return (
        child.tag in _BLOCKS or child.tag in _WRAPPERS or (child.tag == "br" and _after_br(child))
    )


def _after_br(br: HtmlElement) -> bool:
    """A `<br>` that directly follows another, with only whitespace between: a paragraph break."""
    previous = br.getprevious()
    return previous is not None and previous.tag == "br" and not (previous.tail or "").strip()


def _block(element: HtmlElement, base: str, lines: list[str], images: list[Image]) -> None:
    """A paragraph-like element: its text, or its pictures (`p > img`, caption if any)."""
    text = text_of(element)
    imgs = _IMG(element)
    if not imgs:
        lines.append(text)
    elif len(imgs) == 1 and not _beside_text(imgs[0], text):
        images += [i for i in [captioned(imgs[0], text, base)] if i]
    else:
        images += [i for img in imgs for i in [captioned(img, "", base)] if i]
        lines.append(text)


def _beside_text(img: HtmlElement, text: str) -> bool:
    """Whether a paragraph's one picture stands beside its text rather than over a caption."""
    floated = f"{img.get('class', '')} {img.get('style', '')}"
    return (
        img.get("align", "").lower() in ("left", "right")
        or _FLOATED.search(floated) is not None
        or len(text.split()) > _CAPTION_MAX_WORDS
    )


def _elements(container: HtmlElement) -> Iterable[HtmlElement]:
    return (child for child in container if isinstance(child.tag, str))
