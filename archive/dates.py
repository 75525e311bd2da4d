"""Dates at the edges: parsed once where text comes in, written once where text goes out.

In: the days a user types for --since and --until (`2024-01-31`, or `7d`: seven days ago;
`parse_day`), and every ISO 8601 time read from a stored row, a setting, a feed, a sitemap
or a page (`parse_iso`, the one lenient reader). Out: the two stored forms, each written by
one function: the archive's own moments (fetch, run and export times) in UTC to the second
(`utc_iso`), and an article's dates and the bounds compared with them on the site's clock
(`site_iso`). Inside, `datetime` values travel.

A day means its start on the site's clock (UTC+7), the zone published_at is in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from archive.site import SITE_TZ

FIRST_YEAR = 1900  # dates before it are refused: a typo, never an article
_DAYS_AGO = re.compile(r"^(\d{1,5})d$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# As a Vietnamese reader writes a day: day, month, year (`31/12/2024`, `1/2/2025`).
_VIETNAMESE_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def utc_iso(moment: datetime) -> str:
    """A moment as the archive writes its own: UTC to the second, `+00:00` (a naive one is UTC)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds")


def utc_now() -> str:
    return utc_iso(datetime.now(UTC))


def site_iso(moment: datetime) -> str:
    """A moment as an article's dates are written: ISO 8601 on the site's clock (a naive
    moment is on it already), as precise as it came."""
    moment = moment.replace(tzinfo=SITE_TZ) if moment.tzinfo is None else moment
    return moment.astimezone(SITE_TZ).isoformat()


def parse_iso(value: object, zone: tzinfo | None = None) -> datetime | None:
    """The datetime in ISO 8601 text (a date alone is its midnight; `Z` is UTC; spaces
    around are ignored); a datetime as it is; None for anything else. A moment without an
    offset takes `zone`, when one is given."""
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=zone) if zone is not None and value.tzinfo is None else value


def setting_time(value: object, name: str) -> datetime | None:
    """A time the crawl's settings hold (a datetime from `bienphong crawl`, ISO text from
    `scrapy crawl -s NAME=...`), on the site's clock when it names no offset; None when
    unset; DateError naming the setting when it holds something else."""
    if value is None or value == "":
        return None
    moment = parse_iso(value, SITE_TZ)
    if moment is None:
        raise DateError(f"{name} is not an ISO 8601 time: {value!r}", f"{name}: {value!r}")
    return moment


def site_today() -> date:
    return datetime.now(SITE_TZ).date()


class ReaderError(ValueError):
    """Something a reader typed that cannot be used: the message is one line for the command
    line, `vietnamese` the same for the reader's web page."""

    def __init__(self, message: str, vietnamese: str) -> None:
        super().__init__(message)
        self.vietnamese = vietnamese


class DateError(ReaderError):
    """A date the user typed that is neither YYYY-MM-DD nor Nd, or not in the calendar."""


_DURATION = re.compile(r"^(\d{1,6})([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """`90m`, `26h`, `2d`, `3600s` as a timedelta; DateError for anything else or zero."""
    found = _DURATION.match(text.strip())
    if found is None or int(found.group(1)) == 0:
        raise DateError(
            f"invalid duration {text!r}: give a number and s, m, h or d, such as 26h",
            f"Khoảng thời gian {text!r} không hợp lệ: ví dụ 26h.",
        )
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


def carried(moment: str | datetime | None, fetched_at: str | datetime | None) -> bool:
    """Whether an article's date is one a newspaper can carry: from FIRST_YEAR to the year
    after the page was fetched (after now, when that is not known). Others (9999-12-31 from a
    page's own metadata, 1111-11-11) are a fault of the page, stored as unknown, and never
    reach the web page or the SQL that counts by month."""
    year = _year(moment)
    if year is None:
        return False
    last_year = (_year(fetched_at) or datetime.now(UTC).year) + 1
    return FIRST_YEAR <= year <= last_year


def _year(moment: str | datetime | None) -> int | None:
    """The year of a moment; of an ISO 8601 text from its first four digits, unparsed (every
    record read goes through `carried`)."""
    if isinstance(moment, datetime):
        return moment.year
    if not moment:
        return None
    if moment[:4].isdigit() and moment[4:5] in ("-", ""):
        return int(moment[:4])
    found = parse_iso(moment)
    return None if found is None else found.year


def parse_day(text: str, today: date | None = None) -> datetime:
    """Midnight (UTC+7) of the day `text` names; `today` defaults to today on the site's clock."""
    text = text.strip()
    days_ago = _DAYS_AGO.match(text)
    if days_ago:
        today = today or site_today()
        day = today - timedelta(days=int(days_ago.group(1)))
    elif _ISO_DATE.match(text) or _VIETNAMESE_DATE.match(text):
        written = _VIETNAMESE_DATE.match(text)
        try:
            if written is None:
                day = date.fromisoformat(text)
            else:
                day_of_month, month, year = (int(part) for part in written.groups())
                day = date(year, month, day_of_month)
        except ValueError:
            raise DateError(f"no such date {text!r}", f"Không có ngày {text!r}.") from None
    else:
        raise DateError(
            f"invalid date {text!r}: use YYYY-MM-DD, DD/MM/YYYY, or Nd for N days ago (7d)",
            f"Ngày {text!r} không hợp lệ: hãy viết NNNN-TT-NN, NN/TT/NNNN, hoặc Nd cho N ngày"
            " trước (7d).",
        )
    if day.year < FIRST_YEAR:
        raise DateError(
            f"no article is dated before {FIRST_YEAR}: {text!r}",
            f"Không có bài nào trước năm {FIRST_YEAR}: {text!r}.",
        )
    return datetime.combine(day, time(), SITE_TZ)
