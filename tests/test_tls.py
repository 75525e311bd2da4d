"""The site's TLS certificate is checked: its authority against the system's (here a test
authority, trusted through SSL_CERT_FILE, which OpenSSL reads as the system's list) and its name
against the site's. The mirror serves HTTPS on loopback with a certificate of the test's making,
and the network guard resolves the site's name to it (as an /etc/hosts line would): the crawl
asks `https://www.bienphong.com.vn:PORT` as it would ask the live site. A certificate for
another name, or from an authority nobody trusts, stops the crawl before any page is taken,
with one line; `--insecure` takes the pages anyway."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme

from archive.runs import get_runs
from archive.store import Archive
from tests.helpers.cli import logged
from tests.helpers.crawl import assert_archive_holds_the_truth, crawl
from tests.helpers.environment import guarded
from tests.mirror import Mirror, Site

SITE = "www.bienphong.com.vn"


@pytest.fixture
def trusted(tmp_path: Path) -> trustme.CA:
    """The authority the crawl trusts: its certificate is the crawl's SSL_CERT_FILE."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "trusted.pem"))
    return authority


@contextmanager
def serving(authority: trustme.CA, name: str) -> Iterator[Mirror]:
    """A mirror over TLS with a certificate for `name` from `authority`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(name).configure_cert(context)
    with Mirror(Site(articles=12, seed=91), tls=context) as mirror:
        yield mirror


def crawl_by_name(db: Path, mirror: Mirror, *args: str) -> subprocess.CompletedProcess[str]:
    """The crawl of the site's name on the mirror's port, the name resolved to the mirror."""
    env = guarded(
        db.parent / "netguard.log",
        f"127.0.0.1:{mirror.port}",
        NETGUARD_RESOLVE=f"{SITE}=127.0.0.1",
        SSL_CERT_FILE=str(db.parent / "trusted.pem"),
    )
    return crawl(db, mirror, "--base-url", f"https://{SITE}:{mirror.port}", *args, env=env)


def test_a_certificate_for_the_site_from_a_trusted_authority_is_crawled(
    tmp_path: Path, trusted: trustme.CA
) -> None:
    db = tmp_path / "archive.db"
    with serving(trusted, SITE) as mirror:
        crawled = crawl_by_name(db, mirror)

        assert 0 == crawled.returncode, crawled.stderr
        assert_archive_holds_the_truth(db, mirror)


@pytest.mark.parametrize(
    ("whose", "why"),
    [
        ("another name", "its TLS certificate is for another name"),
        ("an untrusted authority", "its TLS certificate was refused (certificate verify failed)"),
    ],
)
def test_a_certificate_for_another_name_or_from_an_untrusted_authority_stops_the_crawl(
    tmp_path: Path, trusted: trustme.CA, whose: str, why: str
) -> None:
    db = tmp_path / "archive.db"
    name, authority = (
        ("m.bienphong.com.vn", trusted) if whose == "another name" else (SITE, trustme.CA())
    )
    with serving(authority, name) as mirror:
        refused = crawl_by_name(db, mirror)
        asked = [hit.path for hit in mirror.hits]
        insecure = crawl_by_name(tmp_path / "insecure.db", mirror, "--insecure")

        line = (
            f"cannot reach {SITE}:{mirror.port} securely: {why}; --insecure skips the check"
            " (never for the archive of record)"
        )
        assert 1 == refused.returncode
        assert [] == asked  # not even robots.txt: no request is sent over the refused connection
        assert [("ERROR", line)] == logged(refused.stderr)
        with Archive(db, readonly=True) as archive:
            assert [("unreachable", line, 0)] == [
                (run.outcome, run.reason, run.new) for run in get_runs(archive)
            ]
        assert 0 == insecure.returncode, insecure.stderr
        assert_archive_holds_the_truth(tmp_path / "insecure.db", mirror)
