"""The fallback for templates the site rules do not know: trafilatura finds the article text,
the shared body walker reads the part of the page that holds it, and the generic candidates
(`candidates.py`) give every other field.

trafilatura's options are fixed here and nowhere else. It gets the already-parsed tree (it
works on its own copy), so the page is parsed once, with the lists of other stories a real
page carries (a label over links and their leads) out of it the while: on a page with a short
article they outweigh it. Its text only confirms: the body is read from the page in document
order by the walker, which drops the boxes inside the article (`boxes.py`); a line is kept when
trafilatura also took it for article text, or when it is the byline right after the text. The
floor: when what the page's container gave holds less than half of trafilatura's article text
(what of it lies in boxes shaped as such aside), trafilatura's own paragraphs are the body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from trafilatura import bare_extraction
from trafilatura.settings import Extractor

from . import candidates
from .boxes import BoxKinds
from .content import Draft, walk
from .dates import find_visible, parse_known
from .page import HtmlElement, Page, clean, text_of
from .text import is_noise, parse_byline, strip_dateline

OPTIONS = Extractor(
    output_format="python",
    fast=False,  # its fallbacks find text in markup its main pass misses (+2 points of recall)
    comments=False,
    formatting=False,
    links=False,
    images=False,
    tables=True,
    with_metadata=False,  # metadata comes from our own Page, parsed once
)

_PARAGRAPHS = etree.XPath("//body//p")
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
# Text nodes shorter than this match anywhere by chance.
_MATCH_MIN = 12
# The region holds this share of the matched text; the rest is strays (a quote in a sidebar).
_REGION_SHARE = 0.85
# A paragraph of text holds a sentence at least (a date line or a byline, fewer characters).
_SENTENCE_CHARS = 80
# A box (related links, an ad) holds less than this share of it.
_BOX_SHARE = 0.3


def draft(page: Page, base: str, fetched_at: datetime) -> Draft:
    """Every field of a page no site rule handles."""
    text = ArticleText.of(page, urlsplit(base).hostname or "")
    root = text.region()
    lines, images = ([], []) if root is None else walk(root, base, text.is_box)
    lines = text.confirmed(lines, root)
    found = Draft(images=images, via="generic:article-text")
    fill(found, page, base, fetched_at, root)
    found.lines = _drop_lead(lines, found, root)
    if _below_floor(found, lines, text):
        # The floor: no container found, or the one chosen (boxes dropped) lost more than
        # half of what trafilatura reads as the article; its paragraphs then, as it reads them.
        found.lines = _drop_lead(text.lines(), found, None)
        found.via = "generic:trafilatura-floor"
    found.lines = _drop_tag_lines(found.lines, found.tags)
    return found


def _below_floor(found: Draft, lines: list[str], text: ArticleText) -> bool:
    """Whether what the container gave (its lines, the headline and lead above them, the
    captions taken off as pictures') holds less than half of trafilatura's article text, by
    characters (whitespace aside: words are not spaced in every script), less what of it lies
    in boxes shaped as such."""
    read = [*lines, found.title, found.sapo or ""]
    read += [f"{image.caption or ''}{image.credit or ''}" for image in found.images]
    read_chars = len(_compact("".join(read)))
    # The page's boxes are walked once (`boxed`), and only when the text falls short or a
    # named box is weighed on the way down to the article.
    return read_chars * 2 < len(text.text) and read_chars * 2 < len(text.text) - text.boxed


def fill(
    found: Draft, page: Page, base: str, fetched_at: datetime, text: HtmlElement | None = None
) -> None:
    """Each field a draft lacks, from the generic candidates, with its provenance. `text` is
    the element holding the article's text, when known."""
    if not found.title and (title := candidates.title(page)):
        found.title, found.sources["title"] = title
    if not found.sapo and (lead := candidates.lead(page, found.title, text)):
        found.sapo, found.sources["sapo"], found.lead_block = lead
    if not found.section and (section := candidates.section(page, found.title)):
        found.section, found.sources["section"] = section
    if not found.tags and (tags := candidates.tags(page)):
        found.tags, found.sources["tags"] = tags, "generic:tag-links"
    if not found.date_text and not found.modified_text:
        found.date_text, found.modified_text = find_visible(page.root, fetched_at)
        found.sources["date_text"] = "generic:visible-date"
    if not found.video_url and (video := candidates.video(page, base)):
        found.video_url, found.sources["video_url"] = video, "generic:video"


@dataclass
class ArticleText:
    """trafilatura's article text (whitespace removed), its paragraphs, and where it lies in
    the page: each element weighted by the length of the kept text it holds."""

    page: Page
    text: str
    output: Any  # trafilatura's own tree of the article (its `body`), or None
    weight: Counter[HtmlElement]
    total: int  # the length of all the kept text found in the page
    box_kind: BoxKinds  # the site's host decides it: links elsewhere with a picture are ads

    @classmethod
    def of(cls, page: Page, host: str) -> ArticleText:
        output = _trafilatura(page, host)
        text = _compact("".join(output.itertext())) if output is not None else ""
        weight: Counter[HtmlElement] = Counter()
        body = page.root.find("body")
        if text and body is not None:
            for owner, key in _text_nodes(body):
                if len(key) >= _MATCH_MIN and key in text:
                    weight[owner] += len(key)
                    for ancestor in owner.iterancestors():
                        weight[ancestor] += len(key)
        total = weight[body] if body is not None else 0
        return cls(page, text, output, weight, total, BoxKinds(host))

    def lines(self) -> list[str]:
        """trafilatura's article text, a line per block (paragraph, heading, list item, cell)."""
        if self.output is None:
            return []
        blocks = [b for b in self.output.iter(*_TRAFILATURA_BLOCKS) if not _holds_blocks(b)]
        return [line for block in blocks if (line := clean(" ".join(block.itertext())))]

    def region(self) -> HtmlElement | None:
        """The smallest element holding nearly all of the article text."""
        body = self.page.root.find("body")
        if body is None or not self.total:
            return _densest(self.page)
        found = body
        while True:
            child = self._holding(found, self.weight[found])
            if child is None:
                # What boxes beside the article hold (another story's card, a link list that
                # trafilatura took for text too) does not count against it.
                boxed = sum(self.weight[c] for c in found if self.weight[c] and self._beside(c))
                child = self._holding(found, self.weight[found] - boxed) if boxed else None
            if child is None or self._paragraphs_beside(child):
                return found
            found = child

    def _paragraphs_beside(self, child: HtmlElement) -> bool:
        """Whether paragraphs of the article stand beside the element holding most of it: the
        free paragraphs before a paywall's wrapper. Not a date line or a byline there, nor one
        paragraph alone: the lead stands so, and is read as the lead."""
        siblings = [*child.itersiblings(preceding=True), *child.itersiblings()]
        found = [s for s in siblings if s.tag == "p" and self.weight[s] >= _SENTENCE_CHARS]
        return len(found) >= 2

    def _holding(self, element: HtmlElement, total: int) -> HtmlElement | None:
        """The child of `element` holding nearly all of `total`, if one does (none of nothing:
        when every child holding text is a box, the article is not inside one of them)."""
        if total <= 0:
            return None
        return next((c for c in element if self.weight[c] >= _REGION_SHARE * total), None)

    def is_box(self, element: HtmlElement) -> bool:
        """A box inside the article (`boxes.box_kind`): shaped as one, or made of such boxes,
        or named as one and not holding much of its text."""
        return self._shaped(element) or self._named_light(element)

    def _beside(self, element: HtmlElement) -> bool:
        """`is_box`, for a block beside others on the way down to the article, where text in
        boxes shaped as such counts on neither side: a stream of other stories' leads that
        trafilatura kept is no part of the article, nor of a named box that holds such lists.
        (Only here: the page's boxes are walked for it, and the walk of the article's own
        blocks does not need it.)"""
        if self._shaped(element):
            return True
        if not self._named_light(element):
            return False
        own = self.weight[element] - self._boxed_in(element)
        return own < _BOX_SHARE * (self.total - self.boxed)

    def _shaped(self, element: HtmlElement) -> bool:
        return self.box_kind(element) == "shaped" or self._made_of_boxes(element)

    def _named_light(self, element: HtmlElement) -> bool:
        return self.box_kind(element) == "named" and self.weight[element] < _BOX_SHARE * self.total

    def _made_of_boxes(self, element: HtmlElement) -> bool:
        """Whether every child holding text trafilatura kept is a box shaped as one (a block of
        each section's latest headlines, whose words the article's sentences may repeat)."""
        held = [c for c in element if isinstance(c.tag, str) and self.weight[c]]
        return len(held) >= 2 and all(self.box_kind(c) == "shaped" for c in held)

    @cached_property
    def boxed(self) -> int:
        """How much of trafilatura's text lies in boxes shaped as such (a label over a list of
        another stories' links and leads, which trafilatura keeps as text): not the article's,
        whatever it weighs. Worked out once, when first asked."""
        body = self.page.root.find("body")
        return 0 if body is None else self._boxed_in(body)

    def _boxed_in(self, top: HtmlElement) -> int:
        """How much of trafilatura's text lies in boxes shaped as such within `top`."""
        found, stack = 0, [top]
        while stack:
            element = stack.pop()
            if not self.weight[element]:
                continue
            if self.box_kind(element) == "shaped":
                found += self.weight[element]
            else:
                stack.extend(child for child in element if isinstance(child.tag, str))
        return found

    def confirmed(self, lines: list[str], root: HtmlElement | None) -> list[str]:
        """The lines trafilatura also took for article text (all of them when it took none;
        a label ending them aside), and the line right after the last of them when it reads as
        a byline and stands right after the text's last paragraph, as bylines do (not in a box
        further down)."""
        if not self.text:
            return lines
        found = [
            k
            for k, line in enumerate(lines)
            if line and not is_noise(line) and _compact(line) in self.text
        ]
        # A short line matches somewhere by chance: it counts between lines that cannot.
        sure = [k for k in found if len(_compact(lines[k])) >= _MATCH_MIN]
        if not sure or root is None:
            return []
        kept = [k for k in found if sure[0] <= k <= sure[-1]]
        # A label trafilatura kept (`MEHR ERFAHREN`, a box's heading) ends no text as a byline.
        while (
            len(kept) > 1
            and parse_byline(lines[kept[-1]]) is not None
            and _is_label(*_block_of(root, lines[kept[-1]]))
        ):
            kept.pop()
        after = next((k for k in range(kept[-1] + 1, len(lines)) if lines[k]), None)
        if (
            after is not None
            and parse_byline(lines[after]) is not None
            and _follows(root, lines[after], lines[kept[-1]], self.is_box)
        ):
            kept.append(after)
        return [lines[k] for k in kept]


def _trafilatura(page: Page, host: str) -> Any:
    """trafilatura's tree of the article text (its output's `body`), or None."""
    try:
        with _lists_out(page.root, host), _article_unmarked(page.root):
            document: Any = bare_extraction(page.root, options=OPTIONS)
    except Exception:  # trafilatura on odd markup: no guidance, the walker alone decides
        return None
    return getattr(document, "body", None)


def _holds_blocks(element: Any) -> bool:
    return any(isinstance(child.tag, str) and child.tag in _TRAFILATURA_BLOCKS for child in element)


# The blocks of trafilatura's output tree (its own tag names).
_TRAFILATURA_BLOCKS = frozenset({"p", "head", "list", "item", "quote", "table", "row", "cell"})


# The words trafilatura (and every CMS) prunes a box by, in a class or id token.
_BOX_TOKEN = re.compile(
    r"comment|shar(?:e|ing)|social|sociable|viral|related|sidebar|widget|banner|promo|sponsor"
    r"|teaser|outbrain|taboola|(?:^|[-_])(?:ads?|adv|advert\w*|box)(?:$|[-_])",
    re.IGNORECASE,
)


@contextmanager
def _lists_out(root: HtmlElement, host: str) -> Iterator[None]:
    """For trafilatura's call, the boxes shaped as lists of other stories (a label over a list
    of links, each with its lead: "Tin cùng chuyên mục") are out of the page: trafilatura
    reads their leads as text, and on a page with a short article they outweigh it; put back
    after, where they were."""
    body = root.find("body")
    kind_of = BoxKinds(host)
    found: list[HtmlElement] = []
    for listed in [] if body is None else _LISTS(body):
        if any(listed is box or box in listed.iterancestors() for box in found):
            continue
        shaped = None
        for level, element in enumerate((listed, *listed.iterancestors())):
            if level > _LIST_BOX_LEVELS or element is body:
                break
            if kind_of(element) == "shaped":
                shaped = element
        if shaped is not None:
            found = [box for box in found if shaped not in box.iterancestors()] + [shaped]
    # Each stands in for one the while, with its tail: the text after a box is the page's.
    placed = []
    for box in found:
        stand_in = etree.Element("span")
        stand_in.tail = box.tail
        box.getparent().replace(box, stand_in)
        placed.append((box, stand_in))
    try:
        yield
    finally:
        for box, stand_in in placed:
            stand_in.getparent().replace(stand_in, box)


_LISTS = etree.XPath(".//ul | .//ol")
# How far above a list its box's label may stand (`<div><h3>label</h3><div><ul>`).
_LIST_BOX_LEVELS = 2


@contextmanager
def _article_unmarked(root: HtmlElement) -> Iterator[None]:
    """For trafilatura's call, the elements that hold most of the page's paragraph text lose
    the box words of their class and id (a box signal on the element holding the article is
    not a box: `<div class="comment-free story">` pruned whole left nothing), and a layout
    table among them is read as the blocks it lays out (trafilatura reads a table as data,
    dropping paragraphs of an article in a cell); put back after."""
    body = root.find("body")
    chain = [] if body is None else _holding_most(body)
    kept = [(element, name, element.get(name)) for element in chain for name in ("class", "id")]
    tags = [(element, element.tag) for element in chain if element.tag in _TABLE_PARTS]
    try:
        for element, name, value in kept:
            if value and _BOX_TOKEN.search(value):
                tokens = [t for t in value.split() if not _BOX_TOKEN.search(t)]
                element.set(name, " ".join(tokens))
        for element, _ in tags:
            element.tag = "div"
        yield
    finally:
        for element, name, value in kept:
            if value is None:
                element.attrib.pop(name, None)
            else:
                element.set(name, value)
        for element, tag in tags:
            element.tag = tag


_TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th"})


def _holding_most(body: HtmlElement) -> list[HtmlElement]:
    """The elements on the way down to the article, by two measures (a measure alone misses
    some layouts), each element once: down the children holding more than half of the text of
    the page's paragraphs (of all its text, on a page without paragraphs), and down the
    children holding more than half of their parent's text outside links (an article written
    in `div`s and `<br>`s beside a sidebar of paragraphs: a newsletter's pitch, a poll)."""
    weight: Counter[HtmlElement] = Counter()
    sized = [(p, len(p.text_content())) for p in _PARAGRAPHS(body)]
    if not any(size for _, size in sized):
        sized = [(owner, len(text)) for owner, text in _text_nodes(body)]
    for element, size in sized:
        weight[element] += size
        for ancestor in element.iterancestors():
            weight[ancestor] += size
    total = weight[body]
    chain = [body] if total else []
    while chain:
        child = next((c for c in chain[-1] if weight[c] * 2 > total), None)
        if child is None:
            break
        chain.append(child)
    return list(dict.fromkeys([*chain, *_down_the_text(body)]))


def _down_the_text(body: HtmlElement) -> list[HtmlElement]:
    """`<body>` and, a level at a time, the child holding more than half of its parent's
    text outside links."""
    linked = {inside for link in body.iter("a") for inside in link.iter()}
    weight: Counter[HtmlElement] = Counter()
    for owner, text in _text_nodes(body):
        if owner not in linked:
            weight[owner] += len(text)
    for element in reversed(list(body.iter())):  # each element after everything inside it
        parent = element.getparent()
        if parent is not None and element is not body:
            weight[parent] += weight[element]
    chain = [body]
    while weight[chain[-1]]:
        child = max(chain[-1], key=weight.__getitem__, default=None)
        if child is None or weight[child] * 2 <= weight[chain[-1]]:
            break
        chain.append(child)
    return chain


def _text_nodes(body: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """Each text node of the page's body with the element it shows in, whitespace removed."""
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in _NOT_TEXT:
            continue
        if element.text:
            yield element, _compact(element.text)
        parent = element.getparent()
        if element.tail and parent is not None:
            yield parent, _compact(element.tail)


def _follows(
    root: HtmlElement, line: str, last: str, is_box: Callable[[HtmlElement], bool]
) -> bool:
    """Whether the block showing `line` comes right after the one showing `last` (pictures,
    boxes and empty blocks between them aside), and is not a label (`_is_label`)."""
    shown, block = _block_of(root, line)
    if block is None or _is_label(shown, block):
        return False
    previous = block.getprevious()
    while previous is not None and (not _shows_text(previous) or is_box(previous)):
        previous = previous.getprevious()
    return previous is not None and text_of(previous).endswith(last)


def _block_of(root: HtmlElement, line: str) -> tuple[HtmlElement | None, HtmlElement | None]:
    """The first element showing `line` as all its text, and the block holding it
    (`<p><strong>Thu Hà</strong></p>`: the paragraph); (None, None) when none does."""
    for element in root.iter("p", "div", "span", "strong", "b", "em", "i", "address", "h5", "h6"):
        if text_of(element) == line:
            shown = element
            while element.getparent() is not None and element.getprevious() is None:
                element = element.getparent()
            return shown, element
    return None, None


def _is_label(shown: HtmlElement | None, block: HtmlElement | None) -> bool:
    """Whether a short line (`shown` in it, `block` the block that holds it) names what follows
    or what to do, not who wrote the text above it, though its capitalised words read as names
    (`Ähnliche Beiträge`, `MEHR ERFAHREN`): a heading's, a button's. (Not the line over a
    list: a byline may stand right over the tags' list.)"""
    if shown is None or block is None:
        return False
    around = [shown, *shown.iterancestors()]
    between = around[: around.index(block) + 1] if block in around else [shown]
    return (
        any(e.tag in _LABEL_HEADINGS for e in between)
        or next(shown.iter(*_LABEL_HEADINGS), None) is not None
        or any(_BUTTON.search(e.get("class", "")) for e in block.iter("a", "button"))
    )


_LABEL_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
# The class CSS frameworks and CMSes give a link styled as a button (`btn`, `button`, `cta`).
_BUTTON = re.compile(r"(?:^|[\s_-])(?:btn|button|cta)(?:$|[\s_-])", re.IGNORECASE)


def _shows_text(element: HtmlElement) -> bool:
    return isinstance(element.tag, str) and element.tag != "figure" and bool(text_of(element))


def _densest(page: Page) -> HtmlElement | None:
    """Without trafilatura's text: the element with the most paragraphs."""
    parents: Counter[HtmlElement] = Counter()
    for element in _PARAGRAPHS(page.root):
        if text_of(element) and element.getparent() is not None:
            parents[element.getparent()] += 1
    return parents.most_common(1)[0][0] if parents else None


def _compact(text: str) -> str:
    return "".join(text.split())


def _is_header_line(line: str, title: str) -> bool:
    """A line that may stand above an article's lead: the headline, a date line with its
    byline, or a short one (a breadcrumb, a byline)."""
    return (
        line == title
        or len(line.split()) < candidates.LEAD_MIN_WORDS
        or parse_known(line) is not None
    )


# The lines below the text where a page prints its tags, its byline among them.
_TAIL_LINES = 3


def _drop_tag_lines(lines: list[str], tags: list[str]) -> list[str]:
    """A line of the tail that is one of the page's tags is the tag's link, not text: a tag
    list of one is no list of links, and its name (`BĐBP Quảng Ninh`) reads as a byline."""
    names = {tag.casefold() for tag in tags}
    tail = len(lines) - _TAIL_LINES
    return [line for at, line in enumerate(lines) if at < tail or line.casefold() not in names]


def _drop_lead(lines: list[str], found: Draft, root: HtmlElement | None) -> list[str]:
    """What sits above the text in the article's container is not body: the headline, the
    date line, a byline and the lead (all of it, when the lead read from the page is inside)."""
    block = found.lead_block
    if block is not None and root is not None and root in block.iterancestors():
        shown = text_of(block)
        above = lines[: lines.index(shown)] if shown in lines else None
        if above is not None and all(_is_header_line(line, found.title) for line in above):
            lines = lines[len(above) + 1 :]
    while lines and (
        not lines[0]
        or lines[0] == found.title
        or (found.sapo and lines[0] != found.sapo and strip_dateline(lines[0]) == found.sapo)
        or lines[0] == found.date_text
        or parse_byline(lines[0], prefixed_only=True) is not None
    ):
        lines = lines[1:]
    # A page whose only text is its lead (a video or photo story) has no body.
    return [] if all(not line or line == found.sapo for line in lines) else lines
