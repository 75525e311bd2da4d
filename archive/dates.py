"""Dates the user types for --since and --until: `2024-01-31` or `7d` (seven days ago).

Both mean the start of that day on the site's clock (UTC+7), the zone published_at is in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from archive.site import SITE_TZ

_DAYS_AGO = re.compile(r"^(\d{1,5})d$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(ValueError):
    """A date the user typed that is neither YYYY-MM-DD nor Nd; the message is one line."""


def parse_day(text: str, today: date | None = None) -> datetime:
    """Midnight (UTC+7) of the day `text` names; `today` defaults to today on the site's clock."""
    text = text.strip()
    days_ago = _DAYS_AGO.match(text)
    if days_ago:
        today = today or datetime.now(SITE_TZ).date()
        day = today - timedelta(days=int(days_ago.group(1)))
    elif _ISO_DATE.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise DateError(f"no such date {text!r}") from None
    else:
        raise DateError(f"invalid date {text!r}: use YYYY-MM-DD, or Nd for N days ago (7d)")
    return datetime.combine(day, time(), SITE_TZ)


def day_after(moment: datetime) -> datetime:
    """The exclusive upper bound for `--until DAY`, which includes the whole of DAY."""
    return moment + timedelta(days=1)
