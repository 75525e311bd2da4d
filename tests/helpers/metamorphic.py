"""Metamorphic checks of the generic path on real pages: a page changed in ways that do not
change its article must give the same body, to within 0.01 F1 against the page's published
truth.

The article's container is found from the truth, never from the extractor's output: the
smallest element holding most (over half) of the truth's words in the text a reader sees (a
script's JSON may repeat the article whole), by descent from `<body>` (the texts of siblings are
disjoint, so at most one child of an element holds most of them). The
mutations, written once and applied to every page:

- `class:WORD@N`: the container (N = 0) or its N-th ancestor gains a class from the box
  vocabulary (`box`, `related`, `share`, `social`, `ad`, `sidebar`, `widget`, `comment`);
- `share-bar`: a share bar inserted in the container before its first paragraph;
- `related-list`: a list of links to other stories inserted in the container after its last
  paragraph (when the container is part of a table, the nearest element above it that is not
  holds them: a block cannot stand among a table's rows);
- `table-cell`: the container wrapped in a table cell;
- `teaser`: a second, short article-like block (a headline and a paragraph) beside it.

`tests/test_metamorphic.py` runs a sample on the real pages cached in tests/data/realpages;
`bench extraction` runs every mutation on every page of ../shared/realpages.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from pipelines.extraction import extract
from pipelines.extraction.page import decode

BOX_WORDS = ("box", "related", "share", "social", "ad", "sidebar", "widget", "comment")
TOLERANCE = 0.01  # F1 a mutation may cost
MOST = 0.5  # the container holds more than this share of the truth's words

SHARE_BAR = (
    '<div class="share-tools"><a href="https://www.facebook.com/sharer.php">Facebook</a>'
    ' <a href="https://twitter.com/intent/tweet">Twitter</a>'
    ' <a href="mailto:?subject=story">Email</a> <button>Copy link</button></div>'
)
RELATED_LIST = (
    '<ul class="more-stories">'
    '<li><a href="/world/2024/harbour-reopens-after-storm">Harbour reopens after the storm'
    " leaves the coast</a></li>"
    '<li><a href="/politics/2024/council-votes-budget">Council votes on next year’s budget'
    " after long debate</a></li>"
    '<li><a href="/sport/2024/final-tickets">Tickets for the cup final sell out within an'
    " hour</a></li>"
    '<li><a href="/culture/2024/museum-night">Museum opens its doors for a night of music'
    "</a></li>"
    "</ul>"
)
TEASER = (
    '<div class="story-card"><h2><a href="/local/2024/bridge-works">Bridge works to close'
    " the river road for a month</a></h2><p>Drivers will be sent through the old town while"
    " engineers replace the joints of the bridge, the county said on Monday, and buses will"
    " stop at the station instead.</p></div>"
)


def words(text: str) -> Counter[str]:
    return Counter(unicodedata.normalize("NFC", text).split())


def f1(got: str, want: str) -> float:
    """Bag-of-words F1 over whitespace tokens, as ../shared/realpages/score.py scores a body."""
    found, truth = words(got), words(want)
    common = sum((found & truth).values())
    if not common:
        return 0.0
    precision, recall = common / sum(found.values()), common / sum(truth.values())
    return 2 * precision * recall / (precision + recall)


def container_path(root: Any, truth: str) -> list[Any] | None:
    """From `<body>` down to the smallest element holding most of the truth's words; None
    when the page as a whole does not."""
    want = words(truth)
    total = sum(want.values())
    body = root.find("body")
    if body is None or not total:
        return None

    def share(element: Any) -> float:
        return sum((words(shown(element)) & want).values()) / total

    if share(body) <= MOST:
        return None
    path = [body]
    while True:
        inside = [c for c in path[-1] if isinstance(c.tag, str) and share(c) > MOST]
        if not inside:
            return path
        path.append(inside[0])


# Text a reader never sees: a script's JSON may repeat the article whole (a page's data for its
# app), and the container holding that is not where the article stands.
UNSHOWN = frozenset({"script", "style", "noscript", "template"})


def shown(element: Any) -> str:
    """The text of an element a reader sees, scripts and styles aside."""
    if not isinstance(element.tag, str) or element.tag in UNSHOWN:
        return ""
    parts = [element.text or ""]
    for child in element:
        parts += [shown(child), child.tail or ""]
    return "".join(parts)


Change = Callable[[list[Any]], None]  # mutates the tree, given the path down to the container


def _add_class(word: str, up: int) -> Change:
    def change(path: list[Any]) -> None:
        element = path[-1 - up]
        element.set("class", f"{element.get('class', '')} {word}".strip())

    return change


# Where a block may stand: not directly in a table's rows (a parser moves it out of the table,
# breaking the article up, which no page does), so beside the table when the container is part
# of one (an article that is a table of figures).
TABLE_PARTS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})


def _block_host(path: list[Any]) -> Any:
    """The container, or the nearest element above it that a block may stand in."""
    return next(e for e in reversed(path) if e.tag not in TABLE_PARTS)


def _paragraph_children(container: Any) -> list[Any]:
    found = [child for child in container if child.tag == "p"]
    return found or [child for child in container if isinstance(child.tag, str)]


def _insert_share_bar(path: list[Any]) -> None:
    container = _block_host(path)
    first = _paragraph_children(container)
    at = container.index(first[0]) if first else 0
    container.insert(at, lxml_html.fragment_fromstring(SHARE_BAR))


def _insert_related_list(path: list[Any]) -> None:
    container = _block_host(path)
    last = _paragraph_children(container)
    at = container.index(last[-1]) + 1 if last else len(container)
    container.insert(at, lxml_html.fragment_fromstring(RELATED_LIST))


def _wrap_in_table_cell(path: list[Any]) -> None:
    container = path[-1]
    parent = container.getparent()
    table = lxml_html.fragment_fromstring("<table><tbody><tr><td></td></tr></tbody></table>")
    parent.replace(container, table)
    table.find(".//td").append(container)


def _add_teaser(path: list[Any]) -> None:
    container = _block_host(path)
    container.addnext(lxml_html.fragment_fromstring(TEASER))


def mutations(depth: int) -> Iterator[tuple[str, Change]]:
    """Every mutation of a page whose container sits `depth` elements below `<body>`."""
    for up in range(depth + 1):
        for word in BOX_WORDS:
            yield f"class:{word}@{up}", _add_class(word, up)
    yield "share-bar", _insert_share_bar
    yield "related-list", _insert_related_list
    yield "table-cell", _wrap_in_table_cell
    yield "teaser", _add_teaser


@dataclass(frozen=True)
class Outcome:
    page: str
    mutation: str
    before: float  # body F1 of the page as it is
    after: float  # of the page changed

    @property
    def passed(self) -> bool:
        return self.after >= self.before - TOLERANCE


def mutated(html: str, truth: str, name: str) -> str | None:
    """The page after the mutation `name`; None when no container holds most of the truth."""
    root = lxml_html.document_fromstring(html)
    path = container_path(root, truth)
    return None if path is None else _changed(root, path, name)


def _changed(root: Any, path: list[Any], name: str) -> str:
    """A copy of the page (the original is left as it is) with mutation `name` applied."""
    steps = [parent.index(child) for parent, child in pairwise(path)]
    copy = deepcopy(root)
    copied = [copy.find("body")]
    for step in steps:
        copied.append(copied[-1][step])
    dict(mutations(len(path) - 1))[name](copied)
    return _html(copy)


def _html(root: Any) -> str:
    return str(etree.tostring(root, encoding="unicode", method="html"))


def check_page(
    page_id: str,
    page: bytes | str,
    url: str,
    fetched_at: datetime,
    truth: str,
    chosen: Callable[[str], bool] = lambda name: True,
) -> list[Outcome]:
    """Each chosen mutation of one page, extracted by the generic path and scored. The page is
    parsed and its container found once; each mutation changes a copy."""
    html = decode(page) if isinstance(page, bytes) else page

    def body_f1(text: str) -> float:
        return f1(extract(text, url, fetched_at, site_rules=False)["body"], truth)

    root = lxml_html.document_fromstring(html)
    path = container_path(root, truth)
    if path is None:
        return []
    # The page as the mutations see it (serialised once through lxml), so that only the
    # mutation differs between before and after.
    before = body_f1(_html(root))
    return [
        Outcome(page_id, name, before, body_f1(_changed(root, path, name)))
        for name, _ in mutations(len(path) - 1)
        if chosen(name)
    ]
