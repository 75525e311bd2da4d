"""A server's `Retry-After`, read as RFC 9110 writes it (delta-seconds or an HTTP-date) and
nothing else: a value that is neither, non-ASCII digits included, gives no figure, and the
crawl pauses the server for its default instead (before, `Retry-After: ²` was five tracebacks
and no pause at all)."""

from __future__ import annotations

import pytest

from crawler.middlewares import retry_after_seconds

NOW = 1_445_412_480.0  # Wed, 21 Oct 2015 07:28:00 GMT
CAP = 120.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("30", 30.0),
        (" 7 ", 7.0),
        ("86400", CAP),  # a day asked: capped
        ("Wed, 21 Oct 2015 07:29:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),  # already past
        ("²", None),
        ("٣", None),  # ARABIC-INDIC DIGIT THREE
        ("1.5", None),
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_or_a_date_and_nothing_else(
    header: str | None, seconds: float | None
) -> None:
    assert seconds == retry_after_seconds(header, NOW, CAP)
