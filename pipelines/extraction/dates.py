"""An article's own dates: machine-readable first, then the visible date next to the title,
then, when the page states neither, htmldate's day (its address, more meta names, markup).

Output is ISO 8601 with the site's offset (`2023-10-02T08:15:00+07:00`). The header clock is
never a date, nor is the fetch time. The known visible forms go through a regex; dateparser only
reads human-written dates the regex does not know, with its settings spelled out below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import chain

from lxml import etree

from archive.dates import carried, parse_iso, site_iso
from archive.site import SITE_TZ, SITE_ZONE

from .page import HtmlElement, Page, clean
from .text import is_clock

# `02/10/2023 08:15`, `Thứ Hai, 02/10/2023 | 08:15`, `Thứ hai, 2/10/2023 - 08:15 (GMT+7)`
_DATE_TIME = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\s*(?:[|,\-–]\s*)?(?:lúc\s*)?"
    r"(?P<H>\d{1,2})[:h](?P<M>\d{2})(?!\d)"
)
# `08:15 | 02/10/2023`
_TIME_DATE = re.compile(
    r"(?<!\d)(?P<H>\d{1,2}):(?P<M>\d{2})\s*(?:[|,\-–]\s*)?(?:ngày\s*)?"
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?!\d)"
)
_UPDATED = re.compile(r"Cập\s+nhật\s*:?\s*", re.IGNORECASE)
# Worth handing to dateparser: a day, month and year (`2 tháng 10 năm 2023`), or a time
# relative to the fetch (`2 giờ trước`, `hôm qua`).
_DATEISH = re.compile(
    r"\d{1,2}\s*(?:/|-|tháng)\s*\d{1,2}\D{0,8}\d{4}"
    r"|\d+\s*(?:phút|giờ|ngày|tuần)\s+trước|hôm\s+(?:qua|nay)",
    re.IGNORECASE,
)
_TIME = re.compile(r"\d{1,2}:\d{2}")
_DAY = re.compile(r"(?<![\d/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d/])")
# A line that is a date and nothing more: `26/2/2025`, `Thứ Tư, 26/02/2025` (not a licence's).
_DAY_LINE = re.compile(r"^\D{0,20}?\d{1,2}/\d{1,2}/\d{4}\W*$")
_TIME_ELEMENTS = etree.XPath("//body//time[@datetime]")
_VISIBLE_MAX = 80  # a visible date sits in a short element of its own
_PUBLISHED_KEYS = ("article:published_time", "og:published_time", "datepublished")
_MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified")


def _from_match(found: re.Match[str]) -> datetime | None:
    try:
        return datetime(
            int(found["y"]), int(found["m"]), int(found["d"]), int(found["H"]), int(found["M"])
        ).replace(tzinfo=SITE_TZ)
    except ValueError:
        return None


def parse_known(text: str) -> datetime | None:
    """The regex path: the visible forms the site is known to print."""
    matches = [m for m in (_DATE_TIME.search(text), _TIME_DATE.search(text)) if m]
    if not matches:
        return None
    return _from_match(min(matches, key=lambda m: m.start()))


def parse_human(text: str, fetched_at: datetime) -> datetime | None:
    """dateparser, for a human-written date the regex does not know."""
    if not _DATEISH.search(text):
        return None
    import dateparser  # slow to import; most pages never need it

    base = _as_utc(fetched_at).astimezone(SITE_TZ).replace(tzinfo=None)
    settings = {
        "DATE_ORDER": "DMY",
        "TIMEZONE": SITE_ZONE,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
    }
    found = dateparser.parse(text, languages=["vi"], settings=settings)
    return found if isinstance(found, datetime) else None


def parse_visible(text: str | None, fetched_at: datetime) -> datetime | None:
    """The publication date in a visible date line (or a `<time datetime>`); None for the
    header clock or no date. A date without a time is its midnight."""
    text = _UPDATED.split(clean(text), maxsplit=1)[0]
    if not text or is_clock(text):
        return None
    return parse_iso(text) or parse_known(text) or parse_human(text, fetched_at) or _day(text)


def _day(text: str) -> datetime | None:
    found = _DAY.search(text)
    if not found:
        return None
    try:
        return datetime(int(found["y"]), int(found["m"]), int(found["d"]), tzinfo=SITE_TZ)
    except ValueError:
        return None


def parse_updated(text: str | None, fetched_at: datetime) -> datetime | None:
    """The time in `Cập nhật: 03/10/2023 09:00`."""
    parts = _UPDATED.split(clean(text), maxsplit=1)
    if len(parts) < 2 or is_clock(parts[1]):
        return None
    return parse_known(parts[1]) or parse_human(parts[1], fetched_at)


# The provenance of a date stored as unknown: what the page said was out of the years a
# newspaper can carry (`archive.dates.carried`).
OUT_OF_YEARS = "unknown: out of the years a newspaper carries"


def _machine(page: Page, ld_key: str, meta_keys: tuple[str, ...]) -> Iterator[tuple[datetime, str]]:
    """The dates the page's metadata gives, most trusted first, with where each came from."""
    if found := parse_iso(page.article_ld().get(ld_key)):
        yield found, f"jsonld:{ld_key}"
    for key in meta_keys:
        if found := parse_iso(page.meta.get(key)):
            yield found, f"meta:{key}"


def _first_carried(
    candidates: Iterator[tuple[datetime, str]], fetched_at: datetime
) -> tuple[datetime | None, str] | None:
    """The first date a newspaper can carry, with its source; else, when the page gave only
    dates out of those years, (None, why); None when it gave none."""
    refused = None
    for moment, source in candidates:
        if carried(moment, fetched_at):
            return moment, source
        refused = refused or f"{OUT_OF_YEARS} ({moment.date().isoformat()} in {source})"
    return None if refused is None else (None, refused)


def _visible(
    text: str | None, fetched_at: datetime, parse: Callable[[str | None, datetime], datetime | None]
) -> Iterator[tuple[datetime, str]]:
    if moment := parse(text, fetched_at):
        yield moment, "visible"


def _stated(
    page: Page,
    keys: tuple[str, tuple[str, ...]],
    visible: str | None,
    fetched_at: datetime,
    parse: Callable[[str | None, datetime], datetime | None],
) -> tuple[datetime | None, str] | None:
    """The first date a newspaper can carry that the page states: in its metadata (`keys`: the
    JSON-LD key, then the meta names), then in its `visible` line (read by `parse`)."""
    ld_key, meta_keys = keys
    candidates = chain(_machine(page, ld_key, meta_keys), _visible(visible, fetched_at, parse))
    return _first_carried(candidates, fetched_at)


def published_at(page: Page, visible: str | None, fetched_at: datetime) -> tuple[str, str] | None:
    """The publication time and where it came from: the page's metadata, else its visible date
    (whose provenance the caller knows); a date out of the years a newspaper carries is passed
    over, and when the page gives no other, the time is unknown ("", OUT_OF_YEARS ...)."""
    keys = ("datePublished", _PUBLISHED_KEYS)
    found = _stated(page, keys, visible, fetched_at, parse_visible)
    if found is None:
        found = _first_carried(_htmldate(page, fetched_at), fetched_at)
    if found is None:
        return None
    moment, source = found
    return (site_iso(moment) if moment else "", source)


def _htmldate(page: Page, fetched_at: datetime) -> Iterator[tuple[datetime, str]]:
    """When the page states no date we know how to read: htmldate's (trafilatura's own date
    finder: the address's date, many more meta names, markup, visible dates in many
    languages), on the day it gives, at midnight on the site's clock."""
    from htmldate import find_date  # slow to import; most pages never need it

    latest = _as_utc(fetched_at).astimezone(SITE_TZ).replace(tzinfo=None)
    try:
        found = find_date(
            page.root, url=page.url, original_date=True, max_date=latest, extensive_search=False
        )
    except Exception:  # htmldate on odd markup: no date, as before it was asked
        return
    if day := parse_iso(found, SITE_TZ):
        yield day, "htmldate"


def modified_at(
    page: Page, visible: str | None, fetched_at: datetime, published: str | None
) -> tuple[str, str] | None:
    """The modification time, when the page states one later than the publication: JSON-LD's
    `dateModified` often repeats `datePublished`, which is no modification."""
    found = _stated(page, ("dateModified", _MODIFIED_KEYS), visible, fetched_at, parse_updated)
    if found is None:
        return None
    moment, source = found
    if moment is None:
        return "", source
    moment = moment if moment.tzinfo else moment.replace(tzinfo=SITE_TZ)
    published_moment = parse_iso(published)
    if published_moment is not None and moment <= published_moment:
        return None
    return site_iso(moment), source


def _text_nodes(root: HtmlElement) -> Iterator[str]:
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "head"):
            continue
        for text in (element.text, element.tail):
            if text and text.strip() and len(text) <= _VISIBLE_MAX * 2:
                yield clean(text)


def find_visible(root: HtmlElement, fetched_at: datetime) -> tuple[str | None, str | None]:
    """For templates without rules: the article's `<time datetime>`, else the first date line
    on the page with a time that is not the clock, else the first with a date alone; and the
    `Cập nhật: …` line."""
    published: str | None = _time_element(root)
    day_only: str | None = None
    updated: str | None = None
    body = root.find("body")
    for text in _text_nodes(body if body is not None else root):
        if len(text) > _VISIBLE_MAX:
            continue
        if _UPDATED.match(text):
            updated = updated or text
        elif published is None and _TIME.search(text) and parse_visible(text, fetched_at):
            published = text
        elif day_only is None and _DAY_LINE.match(text):
            day_only = text
        if published and updated:
            break
    return published or day_only, updated


def _time_element(root: HtmlElement) -> str | None:
    """The `datetime` of the first `<time>` outside the page's header, menus and footer."""
    for element in _TIME_ELEMENTS(root):
        if any(a.tag in ("header", "nav", "footer") for a in element.iterancestors()):
            continue
        if parse_iso(element.get("datetime")) and not is_clock(clean(element.text)):
            return clean(element.get("datetime"))
    return None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
