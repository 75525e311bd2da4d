"""Discovery bounded whatever the site serves: a listing that loops back, with any period, ends
(and says so); an article that moved to another post id does not end its listing under
--since. Each against the mirror, its faults playing the hostile site."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from archive.runs import get_runs
from archive.site import SITE_TZ
from archive.store import Archive
from crawler.state import SITEMAP_DEPTH_MAX, SITEMAPS_MAX, STALE_PAGES
from tests.helpers.cli import logged
from tests.helpers.crawl import archived, crawl
from tests.helpers.fixtures import MakeMirror
from tests.mirror import Faults
from tests.mirror.faults import CYCLE_PAGES


def warnings_of(db: Path) -> list[str]:
    with Archive(db, readonly=True) as archive:
        return get_runs(archive, 1)[0].warnings


def test_a_listing_that_loops_back_ends_with_its_reason_whatever_its_period(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=1500, seed=93)
    # Past its last page, the listing lists its last six pages again, in turn, for ever.
    mirror.faults = Faults.parse("cycling:kinh-te")
    last = mirror.site.section_pages("kinh-te")
    assert last > CYCLE_PAGES  # a loop of six pages, all of them the listing's own
    db = tmp_path / "archive.db"

    result = crawl(db, mirror, "--section", "kinh-te")

    assert 0 == result.returncode, result.stderr
    pages = [hit.path for hit in mirror.hits if hit.path.startswith("/kinh-te/")]
    assert last + STALE_PAGES == len(pages) == len(set(pages))
    warning = (
        f"listing https://www.bienphong.com.vn/kinh-te/ ended at page {last + STALE_PAGES}:"
        f" {STALE_PAGES} pages in a row listed nothing new"
    )
    assert [warning] == warnings_of(db)
    assert ("WARNING", warning) in logged(result.stdout)
    section = {r["post_id"] for r in mirror.site.truth() if r["section"] == "kinh-te"}
    assert section == set(archived(db))


def test_an_article_that_moved_to_another_post_id_does_not_end_its_listing_under_since(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=1500, seed=94)
    site = mirror.site
    # An article on the listing's third page, past what its feed holds (20 articles; 12 a
    # page), answers a 301 to another post id; the listing's next pages wait for its articles.
    moved = site.post_id(site.section_page("kinh-te", 3)[2])
    mirror.faults = Faults.parse(f"moved:{moved}")
    day = site.published(site.section_page("kinh-te", 6)[-1]).astimezone(SITE_TZ).date()
    since = datetime.combine(day, time(), SITE_TZ)
    db = tmp_path / "archive.db"

    result = crawl(db, mirror, "--section", "kinh-te", "--since", day.isoformat())

    assert 0 == result.returncode, result.stderr
    recent = {
        r["post_id"]
        for r in site.truth()
        if r["section"] == "kinh-te" and datetime.fromisoformat(r["published_at"]) >= since
    }
    assert set() == recent - {moved} - set(archived(db))
    assert moved not in archived(db)  # it answers with another article, archived as that one


def test_an_endless_chain_of_sitemap_indexes_is_followed_to_its_depth_and_reported(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=60, seed=95)
    # The sitemap index names another index, which names the next, for ever.
    mirror.faults = Faults.parse("sitemap-chain:1")
    db = tmp_path / "archive.db"

    result = crawl(db, mirror)
    chain = [hit.path for hit in mirror.hits if hit.path.startswith("/sitemaps/chain-")]
    again = crawl(db, mirror)  # the next scheduled crawl runs as usual

    assert (0, 0) == (result.returncode, again.returncode), result.stderr + again.stderr
    # Depth 1 is the chain's first index, which /sitemap.xml names; the fourth is not asked.
    assert [f"/sitemaps/chain-{n}.xml" for n in range(1, SITEMAP_DEPTH_MAX + 1)] == chain
    warning = (
        f"1 sitemap not followed: past {SITEMAP_DEPTH_MAX} indexes deep, or past the"
        f" {SITEMAPS_MAX:,} sitemaps a crawl reads"
    )
    with Archive(db, readonly=True) as archive:
        assert [warning] == get_runs(archive)[-1].warnings
    assert {r["post_id"] for r in mirror.site.truth()} == set(archived(db))
