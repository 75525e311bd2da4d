"""Pages in markup no rule has seen (the mirror's template X, drawn per article): crawled through
faults, kept up to date, searched and exported. What the reader gets must not depend on the
site keeping its templates."""

from __future__ import annotations

import json
from pathlib import Path

from archive.store import Archive
from tests.helpers.cli import invoke
from tests.helpers.crawl import article_fetches, assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import CrawledArchive, MakeMirror
from tests.helpers.search import folded, ids, where


def test_search_rules_hold_on_pages_never_seen(unseen_archive: CrawledArchive) -> None:
    truth = list(unseen_archive.site.truth())
    unaccented = where(truth, lambda words: {"dao", "bien"} <= folded(words))
    accented = where(truth, lambda words: "đảo" in words)

    with Archive(unseen_archive.db, readonly=True) as archive:
        assert unaccented == ids(archive, "dao bien")
        assert accented == ids(archive, "đảo")
    assert unaccented and accented and len(accented) < len(unaccented)


def test_export_of_pages_never_seen_is_their_truth(
    unseen_archive: CrawledArchive, tmp_path: Path
) -> None:
    output = tmp_path / "unseen.jsonl"

    result = invoke(
        "export", "--format", "jsonl", "--output", str(output), "--db", str(unseen_archive.db)
    )

    assert 0 == result.exit_code, result.output
    exported = {r["post_id"]: r for r in map(json.loads, output.read_text().splitlines())}
    truth = {r["post_id"]: r for r in unseen_archive.site.truth()}
    assert sorted(truth) == sorted(exported)
    assert [] == [
        (post_id, key)
        for post_id, record in truth.items()
        for key, value in record.items()
        if exported[post_id][key] != value
    ]


def test_a_faulty_site_in_unseen_markup_is_archived_and_kept_up_to_date(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    faults = "503:0.05,429:0.03,truncate:0.03,reset:0.02,retry-after:1"
    mirror = make_mirror(faults, articles=120, seed=29, template="X", edits_per_day=0)
    db = tmp_path / "archive.db"
    assert 0 == crawl(db, mirror).returncode
    assert_archive_holds_the_truth(db, mirror)

    mirror.set_day(1)
    mirror.clear_hits()
    result = crawl(db, mirror)

    assert 0 == result.returncode, result.stderr
    new_ids = {mirror.site.post_id(index) for index in range(120, 130)}
    assert new_ids == set(article_fetches(mirror))
    assert_archive_holds_the_truth(db, mirror)
