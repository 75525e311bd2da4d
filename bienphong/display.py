"""How each command prints what the library found: for a person skimming it, one record, a
field a line, a page of search results, the runs, a crawl's summary. `--json` output is the
library's own objects, printed as they are."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import click

from archive.runs import Run
from archive.schema import PAGE_FIELDS
from archive.search import Page, plain
from archive.site import section_label
from archive.walk import WalkProgress

if TYPE_CHECKING:  # Scrapy loads only for a crawl
    from crawler.run import CrawlSummary

BODY_PREVIEW = 160  # characters of the body `format_fields` shows


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_record(record: dict[str, Any]) -> str:
    """The record as a reader would skim it: header lines, the sapo, the body, the images."""
    meta = [
        record["url"],
        f"post {record['post_id']} · {record['kind']} · "
        + (section_label(record["section"]) if record["section"] else "no section"),
        f"published {record['published_at'] or 'unknown'}"
        + (f" · modified {record['modified_at']}" if record["modified_at"] else ""),
        "by "
        + (", ".join(record["authors"]) or "no byline")
        + (f" · source {record['source']}" if record["source"] else ""),
    ]
    if record["tags"]:
        meta.append("tags: " + ", ".join(record["tags"]))
    if record["video_url"]:
        meta.append(f"video: {record['video_url']}")
    parts = [record["title"], "\n".join(meta), record["sapo"] or "", record["body"]]
    images = [
        f"  {image['url']}\n    {image.get('caption') or ''}"
        + (f" (Ảnh: {image['credit']})" if image.get("credit") else "")
        for image in record["images"]
    ]
    if images:
        parts.append("images:\n" + "\n".join(images))
    parts.append(
        f"{record['word_count']} words · fetched {record['fetched_at']}"
        f" · extractor {record['extractor_version']}"
    )
    return "\n\n".join(part for part in parts if part)


def format_fields(record: dict[str, Any], provenance: dict[str, str] | None = None) -> str:
    """The record a field a line, the body shortened; with `provenance`, each field read from
    the page followed by where it came from (`[not found]` when it was not)."""
    width = max(len(key) for key in record)
    lines = []
    for key, value in record.items():
        text, more = _field_text(key, value)
        if provenance is not None and key in PAGE_FIELDS:
            text += f"  [{provenance.get(key, 'not found')}]"
        lines.append(f"{key:<{width}}  {text}".rstrip())
        lines.extend(f"{'':<{width}}  {line}" for line in more)
    return "\n".join(lines)


def _field_text(key: str, value: Any) -> tuple[str, list[str]]:
    """A field's value on one line, and the lines under it (one per image)."""
    if key == "images":
        return str(len(value)), [
            image["url"]
            + (f" · {image['caption']}" if image.get("caption") else "")
            + (f" (Ảnh: {image['credit']})" if image.get("credit") else "")
            for image in value
        ]
    if value is None or value == "" or value == []:
        return "-", []
    if isinstance(value, list):
        return ", ".join(str(item) for item in value), []
    if key == "body":
        return textwrap.shorten(value, BODY_PREVIEW, placeholder=" …"), []
    return str(value), []


def format_runs(runs: list[Run], walk: WalkProgress | None = None) -> str:
    """The runs as a table, a run's details under it; first, how far an unfinished whole walk
    has come."""
    header = ("RUN", "STARTED", "OUTCOME", "PAGES", "NEW", "UPDATED", "UNCHANGED", "FAILED")
    table = [header] + [
        tuple(
            str(value)
            for value in (
                run.id,
                run.started_at,
                run.outcome,
                run.pages_fetched,
                run.new,
                run.updated,
                run.unchanged,
                run.failed,
            )
        )
        for run in runs
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    for line, run in zip(table[1:], runs, strict=True):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        lines.extend(f"    {detail}" for detail in _run_details(run))
    if walk is not None:
        lines.insert(0, walk.line())
    return "\n".join(line.rstrip() for line in lines)


def _run_details(run: Run) -> list[str]:
    """The lines under a run: why it ended so, fill rates, the generic path's share,
    failures, warnings."""
    details = [] if run.reason is None else [f"reason: {run.reason}"]
    if sections := run.options.get("sections"):
        details.append("sections: " + ", ".join(section_label(str(slug)) for slug in sections))
    if run.fill_rates:
        rates = ", ".join(f"{k} {v:.0%}" for k, v in sorted(run.fill_rates.items()))
        details.append(f"found: {rates}")
    if run.generic_share is not None:
        details.append(f"generic path: {run.generic_share:.0%}")
    for failure in run.failures:
        post = f" (post {failure['post_id']})" if failure["post_id"] is not None else ""
        details.append(f"failed: {failure['url']}{post}: {failure['reason']}")
    details.extend(f"warning: {warning}" for warning in run.warnings)
    return details


def format_sections(sections: list[dict[str, Any]]) -> str:
    """The sections as a table: slug, name, articles, the newest one's day."""
    header = ("SLUG", "NAME", "ARTICLES", "NEWEST")
    rows = [header] + [
        (s["slug"], s["name"] or "-", str(s["articles"]), (s["newest"] or "-")[:10])
        for s in sections
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


EMPTY_ARCHIVE = (
    "no articles match: the archive holds none yet (bienphong crawl fetches them; without the"
    " network, 'make demo' tries the tool on the shipped mirror)"
)


def format_hits(page: Page, offset: int, styled: bool) -> str:
    """Search results as a reader skims them; matched words bold on a terminal, else **word**."""

    def marked(segments: list[tuple[str, bool]]) -> str:
        if not styled:
            return plain(segments)
        return "".join(click.style(t, bold=True, fg="yellow") if hit else t for t, hit in segments)

    blocks = []
    for hit in page.hits:
        day = (hit.published_at or "undated")[:10]
        title = click.style(hit.title, bold=True) if styled else hit.title
        authors = ", ".join(hit.authors) or "no byline"
        blocks.append(
            f"{day}  {section_label(hit.section) if hit.section else '-'}  {title}\n"
            f"  post {hit.post_id} · {authors} · {hit.url}\n  {marked(hit.snippet)}"
        )
    if not page.hits:
        return f"no articles match ({page.total} in all)" if offset else "no articles match"
    last = offset + len(page.hits)
    more = f"; more with --offset {last}" if last < page.total else ""
    blocks.append(f"{offset + 1}-{last} of {page.total} articles{more}")
    return "\n\n".join(blocks)


def format_crawl(summary: CrawlSummary) -> str:
    """What a crawl did, for the operator: its outcome, counts, failures and warnings."""
    run = summary.run
    ended = (
        f"interrupted ({summary.interrupted})"
        if summary.interrupted
        else "paused at its time box"
        if run.outcome == "paused"
        else "refused by robots.txt"
        if run.outcome == "refused"
        else "finished"
    )
    lines = [
        f"Crawl {ended} in {format_duration(summary.duration_seconds)} (run {run.id})",
        f"articles: {run.new} new, {run.updated} updated, "
        f"{run.unchanged} unchanged, {run.failed_articles} failed",
        f"pages fetched: {run.pages_fetched}",
    ]
    if run.failed_pages:
        lines.append(f"feeds, sitemaps and listings failed: {run.failed_pages}")
    if summary.offsite:
        lines.append(f"requests to other hosts dropped: {summary.offsite}")
    lines.extend(f"warning: {warning}" for warning in run.warnings)
    if run.failed:
        lines.append("failed pages are listed by: bienphong runs --limit 1")
    if summary.walk is not None:
        lines.append(summary.walk.line())
    return "\n".join(lines)


def format_stats(figures: dict[str, Any]) -> str:
    """What the archive holds, a figure a line (`bienphong stats`)."""
    lines = [f"articles      {figures['articles']}"]
    for key, label in (("by_kind", "by kind"), ("by_section", "by section")):
        lines += [f"  {label:<11} {name}: {count}" for name, count in figures[key].items()]
    lines += [f"raw pages     {figures['raw_pages']}"]
    storage = figures["raw_page_storage"]
    for codec, counted in storage["codecs"].items():
        pages, received, stored = (
            counted["pages"],
            counted["received_bytes"],
            counted["stored_bytes"],
        )
        lines.append(
            f"  {codec:<11} {pages} pages, {stored / pages / 1e3:,.1f} KB stored a page"
            f" ({received / pages / 1e3:,.1f} KB received, {received / stored:.1f}× smaller)"
        )
    for dictionary in storage["dictionaries"]:
        lines.append(
            f"  dictionary  {dictionary['id']}: {dictionary['bytes'] / 1e3:,.0f} KB, trained"
            f" {dictionary['trained_at']} from {dictionary['trained_on']} pages"
            f" ({dictionary['ratio']}× on pages held out); {dictionary['pages']} pages use it"
        )
    lines += [
        f"versions      {figures['versions']}",
        f"runs          {figures['runs']}",
        f"archive size  {figures['db_bytes'] / 1e6:.1f} MB ({figures['db_bytes']} bytes)",
    ]
    index = figures["search_index"]
    state = "complete" if index["complete"] else "INCOMPLETE: run bienphong stats --rebuild-index"
    lines.append(f"search index  {index['indexed']} of {index['articles']} articles ({state})")
    return "\n".join(lines)
