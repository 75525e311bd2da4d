"""`bienphong extract`: a saved page through the extractor, from the command line, on the
recorded pages of tests/data/pages (their meta.json gives the url and fetch time, their golden
JSON the record)."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bienphong.cli import cli
from tests.helpers.cli import assert_one_line_error, invoke
from tests.helpers.goldens import PAGES
from tests.helpers.records import RECORD_KEYS

# Fields the golden holds to the letter that a CLI mix-up (url, fetch time, rules) would change.
CHECKED = ("post_id", "url", "kind", "section", "title", "authors", "published_at", "tags")


def recorded(name: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    meta = json.loads((PAGES / f"{name}.meta.json").read_text(encoding="utf-8"))
    golden = json.loads((PAGES / f"{name}.golden.json").read_text(encoding="utf-8"))
    return PAGES / f"{name}.html.gz", meta, golden


def as_json(result: Result) -> dict[str, Any]:
    assert (0, "") == (result.exit_code, result.stderr)
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_json_is_the_record_of_the_page(tmp_path: Path) -> None:
    page, meta, golden = recorded("template-a")
    unused = tmp_path / "bienphong.db"

    options = ["--json", "--fetched-at", meta["fetched_at"]]
    result = invoke("extract", str(page), *options, env={"BIENPHONG_DB": str(unused)})

    record = as_json(result)
    assert RECORD_KEYS == list(record)
    assert meta["url"] == record["url"]  # from the page's canonical link: no --url given
    assert [golden[key] for key in CHECKED] == [record[key] for key in CHECKED]
    assert "Năm 2024" == record["title"]
    assert "2026-11-11T01:13:00+00:00" == record["fetched_at"]
    assert not unused.exists()  # the archive is neither opened nor made


def test_explain_says_where_each_field_came_from() -> None:
    page, _, golden = recorded("template-a")

    rules = as_json(invoke("extract", str(page), "--json", "--explain"))
    generic = as_json(invoke("extract", str(page), "--json", "--explain", "--generic"))

    assert [*RECORD_KEYS, "provenance"] == list(rules)
    assert "rules:" == rules["provenance"]["title"][:6]
    # without the site rules, the body comes from the generic path and nothing from a rule (the
    # title may come from the page's metadata)
    assert "generic" == generic["provenance"]["body"][:7]
    assert [] == [key for key, via in generic["provenance"].items() if via.startswith("rules")]
    assert "title" in generic["provenance"]
    assert golden["title"] == generic["title"]
    # fields not read from the page have no provenance, nor has a field not found (source)
    assert [] == [
        key
        for key in ("post_id", "url", "kind", "source", "word_count", "fetched_at")
        if key in rules["provenance"]
    ]
    assert None is rules["source"]


def test_the_text_output_is_a_field_a_line_with_the_body_shortened() -> None:
    page, _, golden = recorded("template-a")

    plain = invoke("extract", str(page))
    explained = invoke("extract", str(page), "--explain")

    assert (0, 0) == (plain.exit_code, explained.exit_code)
    lines = plain.stdout.splitlines()
    assert "title              Năm 2024" == lines[4]
    assert "authors            Nhóm PV" == lines[7]
    assert "source             -" == lines[8]
    body = lines[6].removeprefix("body               ")
    assert body.endswith(" …")
    assert " ".join(golden["body"].split()).startswith(body.removesuffix(" …"))
    assert len(body) <= 160
    explained_lines = explained.stdout.splitlines()
    assert explained_lines[4].startswith("title              Năm 2024  [rules:")
    assert "source             -  [not found]" == explained_lines[8]
    assert "post_id            409465" == explained_lines[0]


def test_a_page_gzipped_in_two_members_reads_as_one(tmp_path: Path) -> None:
    page, meta, _ = recorded("template-a")
    html = gzip.decompress(page.read_bytes())
    split = tmp_path / "page.html.gz"
    split.write_bytes(gzip.compress(html[:1000]) + gzip.compress(html[1000:]))
    options = ["--json", "--fetched-at", meta["fetched_at"]]

    assert as_json(invoke("extract", str(page), *options)) == as_json(
        invoke("extract", str(split), *options)
    )


def test_stdin_plain_or_gzipped_reads_as_the_file_does() -> None:
    page, meta, _ = recorded("template-a")
    options = ["--json", "--fetched-at", meta["fetched_at"]]
    from_file = as_json(invoke("extract", str(page), *options))
    html = gzip.decompress(page.read_bytes())

    plain = CliRunner().invoke(cli, ["extract", "-", *options], input=html)
    gzipped = CliRunner().invoke(cli, ["extract", "-", *options], input=page.read_bytes())

    assert from_file == as_json(plain)
    assert from_file == as_json(gzipped)


def test_the_fetch_time_is_the_files_modification_time(tmp_path: Path) -> None:
    page, _, _ = recorded("template-a")
    saved = tmp_path / "post409465.html"
    saved.write_bytes(gzip.decompress(page.read_bytes()))
    when = datetime(2025, 2, 15, 1, 0, tzinfo=UTC).timestamp()
    os.utime(saved, (when, when))

    record = as_json(invoke("extract", str(saved), "--json"))

    assert "2025-02-15T01:00:00+00:00" == record["fetched_at"]
    assert 409465 == record["post_id"]


NAMES_NO_ARTICLE = (
    "names no article on www.bienphong.com.vn (no canonical link, og:url or shortlink to one):"
    " give the page's address with --url"
)


def test_a_page_that_states_no_address_needs_url() -> None:
    page, meta, golden = recorded("byline-two-comma")  # no canonical link, no og:url
    html = gzip.decompress(page.read_bytes())
    assert b'rel="canonical"' not in html and b"og:url" not in html

    without = invoke("extract", str(page))
    given = as_json(invoke("extract", str(page), "--json", "--url", meta["url"]))

    assert_one_line_error(f"{page} {NAMES_NO_ARTICLE}", without, exit_code=2)
    assert [golden[key] for key in CHECKED] == [given[key] for key in CHECKED]


def test_og_url_or_a_shortlink_gives_the_address_when_no_canonical_link_does(
    tmp_path: Path,
) -> None:
    page, meta, golden = recorded("byline-one")  # og:url, no canonical link
    html = gzip.decompress(page.read_bytes()).decode("utf-8")
    assert 'rel="canonical"' not in html
    assert f'<meta property="og:url" content="{meta["url"]}">' in html
    stated = as_json(invoke("extract", str(page), "--json"))
    assert [golden[key] for key in CHECKED] == [stated[key] for key in CHECKED]
    # A shortlink alone; an og:url to another site is passed over for it.
    shortlink = f'<link rel="shortlink" href="{meta["url"]}">'
    elsewhere = '<meta property="og:url" content="https://example.com/x-post1.html">'
    saved = tmp_path / "page.html"
    saved.write_text(
        html.replace(f'<meta property="og:url" content="{meta["url"]}">', elsewhere + shortlink)
    )
    linked = as_json(invoke("extract", str(saved), "--json"))
    assert [golden[key] for key in CHECKED] == [linked[key] for key in CHECKED]
    saved.write_text(html.replace(f'<meta property="og:url" content="{meta["url"]}">', elsewhere))
    assert_one_line_error(f"{saved} {NAMES_NO_ARTICLE}", invoke("extract", str(saved)), 2)


@pytest.mark.parametrize(
    "canonical",
    [
        "https://example.com/nam-2024-post409465.html",  # another site
        "https://www.bienphong.com.vn/kinh-te/",  # the site, but not an article
    ],
)
def test_a_stated_address_that_names_no_article_on_the_site_needs_url(
    tmp_path: Path, canonical: str
) -> None:
    page, _, _ = recorded("template-a")
    html = gzip.decompress(page.read_bytes()).decode("utf-8")
    original = "https://www.bienphong.com.vn/nam-2024-post409465.html"
    stated = (f'rel="canonical" href="{original}"', f'property="og:url" content="{original}"')
    assert all(claim in html for claim in stated)
    saved = tmp_path / "page.html"
    saved.write_text(html.replace(original, canonical))

    assert_one_line_error(f"{saved} {NAMES_NO_ARTICLE}", invoke("extract", str(saved)), 2)


def test_a_missing_file_is_one_line_and_status_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.html"
    assert_one_line_error(
        f"Invalid value for 'FILE': File '{missing}' does not exist "
        "(see 'bienphong extract --help')",
        invoke("extract", str(missing)),
        exit_code=2,
    )


def test_a_url_that_is_no_address_is_one_line_and_status_2() -> None:
    page, _, _ = recorded("template-a")
    assert_one_line_error(
        "invalid --url 'kinh-te': give the page's absolute address, such as "
        "https://www.bienphong.com.vn/don-bien-phong-post532158.html",
        invoke("extract", str(page), "--url", "kinh-te"),
        exit_code=2,
    )


def test_another_newspapers_page_reads_through_the_generic_path() -> None:
    page = Path(__file__).parent / "data" / "realpages" / "fundus-us-LATimes.html.gz"
    url = "https://www.latimes.com/sports/story/2023-06-26/100-years-los-angeles-coliseum"
    result = invoke("extract", str(page), "--url", url, "--generic", "--json", "--explain")
    assert 0 == result.exit_code, result.output
    found = json.loads(result.output)
    assert (None, ["Houston Mitchell"]) == (found["post_id"], found["authors"])
    assert "jsonld:author" == found["provenance"]["authors"]


@pytest.mark.parametrize(
    "name, content, args, message",
    [
        ("page.html", b"", [], "{path} is empty: nothing to extract"),
        (
            "page.html.gz",
            gzip.compress(b"<html>" * 1000, mtime=0)[:40],
            [],
            "cannot decompress {path}: the file ends before its compressed data does",
        ),
        (
            "bomb.html.gz",  # 64 KB that would unpack to 64 MB
            gzip.compress(b"\0" * 64 * 2**20, compresslevel=9, mtime=0),
            ["--url", "https://www.bienphong.com.vn/a-post1.html"],
            "{path} unpacks to over 8 MB: no article page is so large (the crawl's bound too)",
        ),
        (
            "huge.html",
            b"<html>" + b" " * 8 * 2**20 + b"</html>",
            ["--url", "https://www.bienphong.com.vn/a-post1.html"],
            "{path} is over 8 MB: no article page is so large (the crawl's bound too)",
        ),
        (
            "page.html",
            b"<html></html>",
            ["--fetched-at", "yesterday", "--url", "https://www.bienphong.com.vn/a-post1.html"],
            "invalid --fetched-at 'yesterday': give an ISO 8601 time such as 2025-02-15T01:00:00Z",
        ),
    ],
    ids=["empty", "truncated-gzip", "gzip-bomb", "over-8-mb", "bad-fetched-at"],
)
def test_a_page_that_cannot_be_read_is_one_line_and_status_1(
    tmp_path: Path, name: str, content: bytes, args: list[str], message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert_one_line_error(message.format(path=path), invoke("extract", str(path), *args))
