"""Truncation judged by the transfer first: a page whose markup lacks its usual end is asked
once more, and archived when the two answers are byte for byte the same (the page as the site
writes it); one cut short in transit, cut elsewhere each time, stays a failure
(tests/test_reliability.py holds that side: `cut`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from archive.runs import get_runs
from archive.store import Archive
from tests.helpers.crawl import assert_archive_holds_the_truth, crawl
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Faults
from tests.mirror.render import section_url
from tests.mirror.site import SECTION_BY_SLUG


def test_whole_pages_that_end_otherwise_are_archived_after_one_more_look(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=40, seed=92)
    articles = [mirror.site.article(index).path for index in (1, 2, 3, 4)]
    listing = urlsplit(section_url(SECTION_BY_SLUG["kinh-te"], 2)).path
    ends = {
        "comment-after": [articles[0], listing],  # 2 KB of comment after </html>
        "spaced-end": [articles[1]],  # </html >
        "unclosed": [articles[2], articles[3]],  # no </body>, no </html>
    }
    mirror.faults = Faults.parse(",".join(f"{form}:{'+'.join(ps)}" for form, ps in ends.items()))
    db = tmp_path / "archive.db"

    crawled = crawl(db, mirror)

    assert 0 == crawled.returncode, crawled.stderr
    assert_archive_holds_the_truth(db, mirror)
    with Archive(db, readonly=True) as archive:
        assert [([], 0)] == [(run.failures, run.failed) for run in get_runs(archive)]
    asked = Counter(hit.path for hit in mirror.hits)
    # `</html >` ends a page as `</html>` does; the others are asked once more, and no more.
    assert {
        articles[0]: 2,
        listing: 2,
        articles[1]: 1,
        articles[2]: 2,
        articles[3]: 2,
    } == {path: asked[path] for path in [*articles, listing]}
