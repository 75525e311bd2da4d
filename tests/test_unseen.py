"""Search and export over an archive crawled from pages in markup no rule has seen (template X):
what the reader gets does not depend on the site keeping its templates."""

from __future__ import annotations

import json
from pathlib import Path

from archive.store import Archive
from tests.conftest import CrawledArchive
from tests.test_cli import invoke
from tests.test_search import folded, ids, where


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
