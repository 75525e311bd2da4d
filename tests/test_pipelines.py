"""The pipelines in process, with Scrapy's test crawler: extract → store, without the network.

Each test runs the pipelines as Scrapy does, on an event loop: extraction on worker processes
and the archive on its writer process, unless a test asks for them in process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.utils.test import get_crawler

from archive.store import Archive
from crawler.items import ExtractedArticle, FailedPage, FetchedPage
from pipelines.extract import ExtractPipeline
from pipelines.extraction import Extraction, explain
from pipelines.extraction.record import EXTRACTED_FIELDS
from pipelines.store import FILL_FIELDS, StorePipeline
from pipelines.workers import ExtractionWorkers
from tests.mirror import Site
from tests.mirror.render import article_page

SITE = Site(articles=30, seed=3)
FETCHED_AT = "2026-11-30T05:00:00Z"
CRASH_MARK = b"<!-- the worker dies here -->"


def fetched(index: int, mark: bytes = b"") -> FetchedPage:
    article = SITE.article(index)
    body = article_page(SITE, article).encode("utf-8") + mark
    return FetchedPage(article.url, article.url, 200, {}, body, FETCHED_AT, article.post_id)


def pipelines(db: Path, **settings: Any) -> tuple[ExtractPipeline, StorePipeline]:
    settings |= {"BIENPHONG_DB": str(db), "BIENPHONG_RUN_OPTIONS": {"command": "crawl"}}
    crawler = get_crawler(settings_dict=settings)
    return ExtractPipeline.from_crawler(crawler), StorePipeline.from_crawler(crawler)


def run(steps: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(steps)


def choke(*args: Any, **kwargs: Any) -> Extraction:
    """An extractor that fails on every page (run in a worker: module level, so it travels)."""
    raise ValueError("unexpected markup")


def generic_only(body: bytes, *args: Any, **kwargs: Any) -> Extraction:
    """The extractor without its site rules, as for markup no rule has seen."""
    return explain(body, *args, **kwargs, site_rules=False)


def die_on_mark(body: bytes, *args: Any, **kwargs: Any) -> Extraction:
    """The extractor, except that a marked page kills the worker process outright."""
    if CRASH_MARK in body:
        os._exit(3)
    return explain(body, *args, **kwargs)


async def extract_all(pipeline: ExtractPipeline, pages: list[FetchedPage]) -> list[Any]:
    await pipeline.open_spider()
    try:
        return [await pipeline.process_item(page) for page in pages]
    finally:
        await pipeline.close_spider()


def test_a_fetched_page_becomes_its_true_record(tmp_path: Path) -> None:
    extract_pipeline, _ = pipelines(tmp_path / "archive.db")

    [result] = run(extract_all(extract_pipeline, [fetched(4)]))

    assert isinstance(result, ExtractedArticle)
    truth = SITE.article(4).truth()
    assert truth == {key: result.record[key] for key in truth}
    assert "2026-11-30T05:00:00+00:00" == result.record["fetched_at"]


def test_a_page_the_extractor_chokes_on_is_recorded_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    extract_pipeline.workers = ExtractionWorkers(1, function=choke)
    page = fetched(7)

    async def steps() -> Any:
        [failed] = await extract_all(extract_pipeline, [page])
        await store.open_spider()
        await store.process_item(failed)
        await store.spider_closed("finished")
        return failed

    failed = run(steps())

    assert isinstance(failed, FailedPage)
    assert "extraction failed: ValueError: unexpected markup" == failed.reason
    with Archive(db, readonly=True) as archive:
        runs = archive.get_runs(1)
        assert [(page.post_id, failed.reason)] == [
            (f["post_id"], f["reason"]) for f in runs[0]["failures"]
        ]
        assert [page.body] == [raw.body for raw in archive.raw_pages(page.post_id)]
        assert None is archive.get_article(page.post_id)


def test_a_worker_that_dies_costs_its_page_only(tmp_path: Path) -> None:
    extract_pipeline, _ = pipelines(tmp_path / "archive.db")
    extract_pipeline.workers = ExtractionWorkers(1, function=die_on_mark)

    results = run(extract_all(extract_pipeline, [fetched(1), fetched(2, CRASH_MARK), fetched(3)]))

    assert [ExtractedArticle, FailedPage, ExtractedArticle] == [type(r) for r in results]
    assert "extraction failed: WorkerDied: the extraction worker process ended (exit status 3)" == (
        results[1].reason
    )
    assert [SITE.article(1).title, SITE.article(3).title] == [
        results[0].record["title"],
        results[2].record["title"],
    ]


def test_the_store_commits_each_article_and_closes_the_run(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)

    async def steps() -> None:
        extracted = await extract_all(extract_pipeline, [fetched(i) for i in range(3)])
        await store.open_spider()
        for index, item in enumerate(extracted):
            await store.process_item(item)
            with Archive(db, readonly=True) as reader:  # committed at once, before the run ends
                assert index + 1 == len(reader.known_post_ids())
        await store.spider_closed("finished")

    run(steps())

    with Archive(db, readonly=True) as archive:
        run_row = archive.get_runs(1)[0]
    assert ("finished", 3, 0) == (run_row["outcome"], run_row["new"], run_row["failed"])
    assert [
        "authors",
        "body",
        "images",
        "modified_at",
        "published_at",
        "sapo",
        "section",
        "source",
        "tags",
        "title",
        "video_url",
    ] == sorted(run_row["fill_rates"])
    assert 0.0 == run_row["generic_share"]


def test_the_watched_fields_are_those_the_extractor_reads_from_the_page() -> None:
    assert (
        "section",
        "title",
        "sapo",
        "body",
        "authors",
        "source",
        "published_at",
        "modified_at",
        "tags",
        "images",
        "video_url",
    ) == FILL_FIELDS
    assert EXTRACTED_FIELDS == FILL_FIELDS


def test_the_archive_keeps_where_each_field_came_from(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    page = fetched(4)

    async def steps() -> None:
        extracted = await extract_all(extract_pipeline, [page])
        await store.open_spider()
        await store.process_item(extracted[0])
        await store.spider_closed("finished")

    run(steps())

    with Archive(db, readonly=True) as archive:
        stored = archive.provenance(page.post_id)
    expected = explain(page.body, page.url, datetime.fromisoformat(FETCHED_AT)).provenance
    assert expected == stored
    assert stored is not None
    assert "rules:" == stored["title"][:6]


def test_a_run_the_generic_path_read_says_so(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    extract_pipeline, store = pipelines(db)
    extract_pipeline.workers = ExtractionWorkers(1, function=generic_only)

    async def steps() -> None:
        extracted = await extract_all(extract_pipeline, [fetched(i) for i in range(4)])
        await store.open_spider()
        for item in extracted:
            await store.process_item(item)
        await store.spider_closed("finished")

    run(steps())

    with Archive(db, readonly=True) as archive:
        run_row = archive.get_runs(1)[0]
        stored = archive.provenance(SITE.article(0).post_id)
    assert (4, 1.0) == (run_row["new"], run_row["generic_share"])
    assert stored is not None
    assert "generic" == stored["body"][:7]


def test_in_process_extraction_and_writes_archive_the_same_records(tmp_path: Path) -> None:
    archived = {}
    for name, settings in (
        ("workers", {}),
        ("in_process", {"BIENPHONG_EXTRACT_PROCESSES": 0, "BIENPHONG_ARCHIVE_PROCESS": False}),
    ):
        db = tmp_path / f"{name}.db"
        extract_pipeline, store = pipelines(db, **settings)

        async def steps(extract_pipeline: ExtractPipeline, store: StorePipeline) -> None:
            extracted = await extract_all(extract_pipeline, [fetched(i) for i in range(5)])
            await store.open_spider()
            for item in extracted:
                await store.process_item(item)
            await store.spider_closed("finished")

        run(steps(extract_pipeline, store))
        with Archive(db, readonly=True) as archive:
            archived[name] = [
                {key: value for key, value in record.items() if key != "fetched_at"}
                for record in archive.iter_articles()
            ]

    assert sorted(SITE.article(i).post_id for i in range(5)) == sorted(
        record["post_id"] for record in archived["workers"]
    )
    assert archived["workers"] == archived["in_process"]
