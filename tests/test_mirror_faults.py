"""Fault modes of the mirror: each is served as specified, and transient ones clear on retry."""

from __future__ import annotations

import http.client
import socket

import pytest

from tests.helpers.fixtures import MakeMirror
from tests.helpers.loopback import Response, fetch
from tests.mirror import Faults, Mirror

HUGE = 30 * 1024 * 1024


def raw_get(mirror: Mirror, path: str) -> tuple[dict[str, str], bytes]:
    """One GET over a bare socket, read to the end: headers and the body bytes that came."""
    host, port = mirror.server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    headers[":status"] = lines[0].split()[1]
    return headers, body


# -- parsing the spec -----------------------------------------------------------------------------


def test_fault_spec_parses_rates_targets_and_settings() -> None:
    faults = Faults.parse(
        "503:0.05,429:0.02,slow:0.01,truncate:0.01,reset:0.01,broken:486718+450001,"
        "huge:450004,retry-after:7,slow-seconds:2.5"
    )
    assert {"503": 0.05, "429": 0.02, "slow": 0.01, "truncate": 0.01, "reset": 0.01} == faults.rates
    assert {486718, 450001} == faults.targets["broken"]
    assert {450004} == faults.targets["huge"]
    assert (7, 2.5) == (faults.retry_after, faults.slow_seconds)
    assert "broken" == faults.target(486718)
    assert faults.target(486719) is None


@pytest.mark.parametrize(
    "spec", ["503", "bogus:1", "503:lots", "broken:abc", "503:0.6,429:0.6", "retry-after:x"]
)
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Faults.parse(spec)


def test_transient_rates_hit_about_their_share_and_only_two_attempts() -> None:
    faults = Faults.parse("503:0.1")
    first = [faults.transient(1, f"/p{k}", 0) for k in range(2000)]
    assert 150 < first.count("503") < 250
    assert [None] * 2000 == [faults.transient(1, f"/p{k}", 2) for k in range(2000)]


# -- serving each fault ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fault", "status"), [("503", 503), ("429", 429)])
def test_busy_answers_carry_retry_after_and_clear_after_two_attempts(
    make_mirror: MakeMirror, fault: str, status: int
) -> None:
    mirror = make_mirror(f"{fault}:1,retry-after:7", articles=50, seed=3)
    path = mirror.site.article(4).path
    answers = [fetch(mirror.base_url, path) for _ in range(3)]
    assert [status, status, 200] == [a.status for a in answers]
    assert ["7", "7"] == [a.headers["retry-after"] for a in answers[:2]]
    assert "retry-after" not in answers[2].headers
    assert [(fault, status), (fault, status), (None, 200)] == [
        (h.fault, h.status) for h in mirror.hits
    ]
    assert 200 == fetch(mirror.base_url, "/robots.txt").status


def test_rates_apply_to_every_kind_of_page(make_mirror: MakeMirror) -> None:
    mirror = make_mirror("503:1", articles=50, seed=3)
    for path in ["/", "/kinh-te/", "/rss/kinh-te.rss", "/sitemap.xml"]:
        assert [503, 503, 200] == [fetch(mirror.base_url, path).status for _ in range(3)]


def test_broken_pages_always_fail(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    broken, healthy = mirror.site.article(8), mirror.site.article(9)
    mirror.faults = Faults.parse(f"broken:{broken.post_id}")
    assert [500] * 4 == [fetch(mirror.base_url, broken.path).status for _ in range(4)]
    assert 200 == fetch(mirror.base_url, healthy.path).status


def test_slow_answers_come_late_then_clear(make_mirror: MakeMirror) -> None:
    mirror = make_mirror("slow:1,slow-seconds:1.5", articles=50, seed=3)
    path = mirror.site.article(2).path
    with pytest.raises(TimeoutError):
        fetch(mirror.base_url, path, timeout=0.3)
    late = fetch(mirror.base_url, path, timeout=10)
    assert 200 == late.status and late.body.endswith(b"</html>\n")
    assert ["slow", "slow"] == [h.fault for h in mirror.hits]
    assert 200 == fetch(mirror.base_url, path, timeout=10).status
    assert [None] == [h.fault for h in mirror.hits[2:]]


def test_reset_drops_the_connection_then_clears(make_mirror: MakeMirror) -> None:
    mirror = make_mirror("reset:1", articles=50, seed=3)
    path = mirror.site.article(2).path
    for _ in range(2):
        with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
            fetch(mirror.base_url, path)
    assert 200 == fetch(mirror.base_url, path).status


def test_truncated_bodies_come_in_both_forms_then_clear(make_mirror: MakeMirror) -> None:
    mirror = make_mirror("truncate:1", articles=50, seed=3)
    forms: set[str] = set()
    for index in range(20):
        path = mirror.site.article(index).path
        headers, cut = raw_get(mirror, path)
        assert "200" == headers[":status"]
        assert not cut.endswith(b"</html>\n")
        raw_get(mirror, path)
        full = fetch(mirror.base_url, path)
        assert 200 == full.status and full.body.endswith(b"</html>\n")
        assert full.body[: len(full.body) // 2] == cut
        if int(headers["content-length"]) == len(cut):
            forms.add("short-honest")
        else:
            assert len(full.body) == int(headers["content-length"])
            forms.add("length-lies")
        if len(forms) == 2:
            break
    assert {"short-honest", "length-lies"} == forms


def test_a_lying_length_is_an_incomplete_read_for_http_client(make_mirror: MakeMirror) -> None:
    mirror = make_mirror("truncate:1", articles=50, seed=3)
    for index in range(20):
        path = mirror.site.article(index).path
        headers, _ = raw_get(mirror, path)
        if int(headers["content-length"]) % 2 == 0:
            with pytest.raises(http.client.IncompleteRead):
                fetch(mirror.base_url, path)
            return
    pytest.fail("no article page of even length among the first 20")


def test_huge_page_is_over_30_mib_and_still_a_whole_page(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = mirror.site.article(6)
    mirror.faults = Faults.parse(f"huge:{article.post_id}")
    response = fetch(mirror.base_url, article.path, timeout=30)
    assert 200 == response.status
    assert len(response.body) > HUGE
    assert response.body.endswith(b"</html>\n")
    assert article.title.encode() in response.body[:HUGE]


def test_charset_fault_declares_latin1_for_utf8_bytes(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = next(a for a in map(mirror.site.article, range(50)) if not a.decomposed)
    mirror.faults = Faults.parse(f"charset:{article.post_id}")
    response = fetch(mirror.base_url, article.path)
    assert "text/html; charset=iso-8859-1" == response.headers["content-type"]
    assert article.title in response.body.decode("utf-8")
    assert article.title not in response.body.decode("iso-8859-1")


def test_loop_redirects_back_and_forth(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = mirror.site.article(7)
    mirror.faults = Faults.parse(f"loop:{article.post_id}")
    first = fetch(mirror.base_url, article.path)
    assert (301, f"{article.url}?ref=loop") == (first.status, first.headers["location"])
    second = fetch(mirror.base_url, f"{article.path}?ref=loop")
    assert (301, article.url) == (second.status, second.headers["location"])
    assert 301 == fetch(mirror.base_url, article.path).status


def test_offsite_redirects_to_another_host(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = mirror.site.article(7)
    mirror.faults = Faults.parse(f"offsite:{article.post_id}")
    answers: list[Response] = [fetch(mirror.base_url, article.path) for _ in range(3)]
    assert [302] * 3 == [a.status for a in answers]
    assert "https://example.com/moved.html" == answers[0].headers["location"]


def test_fault_log_names_each_fault(make_mirror: MakeMirror) -> None:
    mirror = make_mirror(articles=50, seed=3)
    article = mirror.site.article(3)
    mirror.faults = Faults.parse(f"broken:{article.post_id}")
    fetch(mirror.base_url, article.path)
    fetch(mirror.base_url, "/")
    assert [("broken", 500), (None, 200)] == [(h.fault, h.status) for h in mirror.hits]
