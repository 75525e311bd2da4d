"""Re-run extraction over the stored raw pages, without the network, after the rules improve.

A record whose extraction now differs takes the new output (and the new extractor_version);
the older extraction is kept as a version. Records that come out the same are left alone, but
for their provenance (where each field came from), which is brought up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from archive.dates import site_iso
from archive.errors import DamagedArticle
from archive.pages import raw_pages
from archive.runs import finish_run, record_failure, start_run
from archive.search import Filters, records
from archive.store import Archive
from pipelines.extraction import EXTRACTOR_VERSION, Extraction, explain


@dataclass
class ReextractSummary:
    run_id: int
    updated: int = 0
    unchanged: int = 0
    failed: int = 0  # articles with no stored page, a damaged one, or one that no longer extracts
    damaged: list[str] = field(default_factory=list)  # what could not be read, each named


Extractor = Callable[..., Extraction]


def reextract(
    archive: Archive, since: datetime | None = None, extractor: Extractor = explain
) -> ReextractSummary:
    """Extract every archived article (published since `since`) again from its latest page."""
    chosen = Filters.of(since=since)
    options = {"command": "reextract", "since": chosen.since and site_iso(chosen.since)}
    options["extractor_version"] = EXTRACTOR_VERSION
    summary = ReextractSummary(start_run(archive, options))
    post_ids: list[int] = []
    # A damaged record is extracted again too: its raw page repairs it.
    for record in records(archive, chosen, lambda damaged: post_ids.append(damaged.post_id)):
        post_ids.append(record["post_id"])
    for post_id in post_ids:
        outcome = _reextract_one(archive, post_id, summary, extractor)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    counts = {"updated": summary.updated, "unchanged": summary.unchanged, "failed": summary.failed}
    finish_run(archive, summary.run_id, "finished", counts, None)
    return summary


def _reextract_one(
    archive: Archive, post_id: int, summary: ReextractSummary, extractor: Extractor
) -> str:
    run_id = summary.run_id
    try:
        current = archive.get_article(post_id)
    except DamagedArticle:  # the page below repairs it
        current = None
    url = current["url"] if current else ""
    try:
        pages = raw_pages(archive, post_id)
    except DamagedArticle as error:
        record_failure(archive, run_id, url, post_id, str(error))
        summary.damaged.append(str(error))
        return "failed"
    if not pages:
        record_failure(archive, run_id, url, post_id, "no stored page")
        return "failed"
    page = pages[-1]
    try:
        found = extractor(
            page.body,
            page.url,
            page.fetched_at,
            section_hint=current["section"] if current else None,
            content_type=page.headers.get("content-type"),
        )
    except Exception as error:  # a rule that breaks on one old page must not stop the rest
        record_failure(archive, run_id, page.url, post_id, f"extraction failed: {error}")
        return "failed"
    outcome = archive.save_article(found.record, None, run_id, found.provenance)
    return "updated" if outcome == "updated" else "unchanged"
