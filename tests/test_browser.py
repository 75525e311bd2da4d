"""A reader in a real browser: a headless Chromium of the system's, driven by Playwright,
against `bienphong serve` running as its own process over the mirror-crawled archive.

The Chromium is the one on PATH, else Debian's (`make test` installs it when none is there, and
names it in BIENPHONG_CHROMIUM); Playwright only drives it and never downloads a browser. The
screenshots land in `test-output/browser/` (git-ignored) at the top of the work tree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.helpers.fixtures import CrawledArchive
from tests.helpers.loopback import fetch

# `make test` names the Chromium it found or installed; Debian's where it is run by hand.
CHROMIUM = Path(os.environ.get("BIENPHONG_CHROMIUM") or "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parent.parent / "test-output" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing but loopback resolves: the page can reach no other host, whatever it links to.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture
def served(crawled_archive: CrawledArchive) -> Iterator[str]:
    """`bienphong serve` on a port the system picks (`--port 0`), as a user starts it; the line
    it prints names the address, already listening. Stopped afterwards."""
    command = [str(Path(sys.executable).with_name("bienphong")), "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--db", str(crawled_archive.db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+)/ ", line)
        assert found, f"{line!r} {process.stderr.read() if process.stderr else ''}"
        assert 200 == fetch(found.group(1), "/").status
        yield found.group(1)
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_a_reader_searches_and_opens_an_article(served: str, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), f"no Chromium at {CHROMIUM}: run `make test`, which installs it"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        # A fresh profile per run: Playwright passes it as --user-data-dir.
        browser = playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            page = browser.new_page()
            page.goto(served + "/")
            assert "Bài mới nhất" == page.locator("h1").inner_text()
            page.locator("input[name=q]").fill("don bien phong")
            page.locator("input[name=q]").press("Enter")
            page.wait_for_url("**/search?q=don+bien+phong")
            marks = {text.lower() for text in page.locator(".hit mark").all_inner_texts()}
            assert {"đồn", "biên", "phòng"} <= marks
            page.screenshot(path=str(OUTPUT / "search.png"))

            first = page.locator(".hit a.title").first
            title = first.inner_text()
            first.click()
            page.wait_for_url("**/article/*")
            assert title == page.locator("h1").inner_text()
            assert page.locator("article mark").count() > 0
            page.screenshot(path=str(OUTPUT / "article.png"), full_page=True)
        finally:
            browser.close()
    assert (OUTPUT / "search.png").stat().st_size > 10_000


def test_a_reader_pages_from_home_filters_by_dates_and_jumps_to_a_page(
    served: str, tmp_path: Path, crawled_archive: CrawledArchive
) -> None:
    assert CHROMIUM.exists(), f"no Chromium at {CHROMIUM}: run `make test`, which installs it"
    truth = list(crawled_archive.site.truth())
    days = sorted(r["published_at"][:10] for r in truth)
    since = days[len(days) // 2]  # half the archive is from this day on
    typed = f"{since[8:10]}/{since[5:7]}/{since[:4]}"  # as a Vietnamese reader writes it
    matching = sum(1 for day in days if day >= since)
    pages = -(-matching // 20)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.goto(served + "/")
            assert f"Trang 1 / {-(-len(truth) // 20)}" == page.locator(".pages span").inner_text()
            page.locator(".pages a[rel=next]").click()
            page.wait_for_url("**/search?page=2")
            assert f"21–40 / {len(truth)} bài" in page.locator(".count").inner_text()

            page.locator("form.dates input[name=since]").fill(typed)
            page.locator("form.dates button").click()
            page.wait_for_url("**/search?since=*")
            assert f"1–20 / {matching} bài" in page.locator(".count").inner_text()
            assert f"Trang 1 / {pages}" == page.locator(".pages span").inner_text()

            page.locator("form.jump input[name=page]").fill(str(pages))
            page.locator("form.jump button").click()
            page.wait_for_url(f"**/search?since=*&page={pages}")
            assert f"Trang {pages} / {pages}" == page.locator(".pages span").inner_text()
            first = (pages - 1) * 20 + 1
            assert f"{first}–{matching} / {matching} bài" in page.locator(".count").inner_text()
            assert typed == page.locator("form.dates input[name=since]").input_value()
            assert page.locator('head link[type="application/atom+xml"]').count() == 1
            page.screenshot(path=str(OUTPUT / "paged.png"), full_page=True)
        finally:
            browser.close()
