"""The pipelines in process, with Scrapy's test crawler: extract → store, without the network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from archive.store import Archive
from crawler.items import FailedPage, FetchedPage
from pipelines import extract as extract_module
from pipelines.extract import ExtractedArticle, ExtractPipeline
from pipelines.store import StorePipeline
from tests.mirror import Site
from tests.mirror.render import article_page

SITE = Site(articles=30, seed=3)
FETCHED_AT = "2026-11-30T05:00:00Z"


def fetched(index: int) -> FetchedPage:
    article = SITE.article(index)
    body = article_page(SITE, article).encode("utf-8")
    return FetchedPage(article.url, article.url, 200, {}, body, FETCHED_AT, article.post_id)


def pipelines(db: Path) -> tuple[ExtractPipeline, StorePipeline]:
    settings = {"BIENPHONG_DB": str(db), "BIENPHONG_RUN_OPTIONS": {"command": "crawl"}}
    crawler = get_crawler(settings_dict=settings)
    return ExtractPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)


def test_a_fetched_page_becomes_its_true_record(tmp_path: Path) -> None:
    extract, _ = pipelines(tmp_path / "archive.db")

    result = extract.process_item(fetched(4))

    assert isinstance(result, ExtractedArticle)
    truth = SITE.article(4).truth()
    assert truth == {key: result.record[key] for key in truth}
    assert "2026-11-30T05:00:00+00:00" == result.record["fetched_at"]


def test_a_page_the_extractor_chokes_on_is_recorded_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def choke(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError("unexpected markup")

    monkeypatch.setattr(extract_module, "extract", choke)
    db = tmp_path / "archive.db"
    extract, store = pipelines(db)
    page = fetched(7)

    failed = extract.process_item(page)
    store.open_spider()
    store.process_item(failed)
    store.spider_closed("finished")

    assert isinstance(failed, FailedPage)
    assert "extraction failed: ValueError: unexpected markup" == failed.reason
    with Archive(db, readonly=True) as archive:
        runs = archive.get_runs(1)
        assert [(page.post_id, failed.reason)] == [
            (f["post_id"], f["reason"]) for f in runs[0]["failures"]
        ]
        assert [page.body] == [raw.body for raw in archive.raw_pages(page.post_id)]
        assert None is archive.get_article(page.post_id)


def test_the_store_commits_each_article_and_closes_the_run(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract, store = pipelines(db)
    store.open_spider()

    for index in range(3):
        store.process_item(extract.process_item(fetched(index)))
        with Archive(db, readonly=True) as reader:  # committed at once, before the run ends
            assert index + 1 == len(reader.known_post_ids())
    store.spider_closed("finished")

    with Archive(db, readonly=True) as archive:
        run = archive.get_runs(1)[0]
    assert ("finished", 3, 0) == (run["outcome"], run["new"], run["failed"])
