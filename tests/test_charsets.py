"""Legacy charsets: a page in windows-1258 (the Vietnamese Windows code page, which writes tones
as combining marks) declared by its HTTP header alone is archived as the text a reader reads,
composed (NFC), and `reextract` reads its stored page the same way, from the stored headers.
(Before, such a page was stored as mojibake: `Ðo?Ìn Bie?n`.) As the WHATWG encoding rules
read them: a `<meta>` declaring UTF-16 on bytes that are not is UTF-8 (before: CJK text and
an empty title), and a byte order mark wins over every declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import invoke
from tests.helpers.crawl import archived, assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Faults


def crawled_and_reextracted(
    make_mirror: MakeMirror, tmp_path: Path, fault: str, seed: int, indexes: tuple[int, ...]
) -> tuple[list[str], list[str]]:
    """A crawl of a mirror serving the articles at `indexes` with `fault`, then `reextract`:
    each equal to the truth. The paths of those articles, and the requests the fault met."""
    mirror = make_mirror(articles=12, seed=seed)
    chosen = [mirror.site.post_id(index) for index in indexes]
    mirror.faults = Faults.parse(f"{fault}:{'+'.join(map(str, chosen))}")
    db = tmp_path / "archive.db"

    crawled = crawl(db, mirror)
    before = archived(db)
    again = invoke("reextract", "--db", str(db))

    assert 0 == crawled.returncode, crawled.stderr
    assert_archive_holds_the_truth(db, mirror)
    assert 0 == again.exit_code, again.output
    assert before == archived(db)  # read again from the stored page and its headers: the same
    expected = sorted(mirror.site.article(index).path for index in indexes)
    return expected, sorted(hit.path for hit in mirror.hits if hit.fault == fault)


def test_a_page_in_windows_1258_declared_by_its_header_is_archived_as_text(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    expected, met = crawled_and_reextracted(make_mirror, tmp_path, "cp1258", 96, (2, 5))

    assert expected == sorted(set(met))


@pytest.mark.parametrize("fault", ["utf16-meta", "bom"])
def test_a_byte_order_mark_wins_and_a_meta_cannot_declare_utf_16(
    make_mirror: MakeMirror, tmp_path: Path, fault: str
) -> None:
    expected, met = crawled_and_reextracted(make_mirror, tmp_path, fault, 97, (3, 7))

    assert expected == met  # each asked once: a page in UTF-16 is seen whole by its closing tag
