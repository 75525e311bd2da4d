"""What the archive's writer process does for a crawl: open its run, store each item, close
the run. No Scrapy here: the writer imports only what it runs (pipelines/workers.py)."""

from __future__ import annotations

from typing import Any

from archive.drift import drift_warnings
from archive.store import Archive, RawPage, Validators
from crawler.items import ExtractedArticle, FailedPage, FetchedPage


def raw_page(page: FetchedPage) -> RawPage:
    return RawPage(page.url, page.final_url, page.status, page.headers, page.body, page.fetched_at)


def open_run(archive: Archive, options: dict[str, Any]) -> int:
    archive.mark_interrupted_runs()  # the lock is ours: a "running" run was killed
    return archive.start_run(options)


def store_item(archive: Archive, item: ExtractedArticle | FailedPage, run_id: int) -> str:
    """The item into the archive: "new", "updated", "unchanged" or "failed"."""
    if isinstance(item, FailedPage):
        if item.page is not None and item.post_id is not None:  # kept for `reextract`
            archive.save_page(raw_page(item.page), item.post_id, run_id)
        archive.record_failure(run_id, item.url, item.post_id, item.reason)
        return "failed"
    return archive.save_article(item.record, raw_page(item.page), run_id, item.provenance)


def close_run(
    archive: Archive,
    run_id: int,
    reason: str,
    counts: dict[str, int],
    fill: dict[str, float],
    validators: dict[str, Validators] | None,
    generic_share: float | None = None,
) -> list[str]:
    """Record how the run ended, with its drift warnings (returned) and the share of its
    articles the generic path read; keep `validators`."""
    saved = counts["new"] + counts["updated"] + counts["unchanged"]
    warnings = drift_warnings(fill, saved, archive.get_runs(20)[1:])
    if validators is not None:
        archive.save_validators(validators)
    archive.finish_run(run_id, reason, counts, fill, warnings, generic_share)
    return warnings
