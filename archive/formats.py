"""The export formats as pure writers: records in, bytes out; no archive, no paths chosen here.

jsonl and csv write to a text stream, parquet and the markdown zip to a path, the markdown folder
into a folder, warc to a binary stream with the raw pages a callable hands it. Every writer
consumes its records one at a time (parquet a row group at a time).

pyarrow and warcio load when their format is written, not with every `bienphong` command.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import UTC, datetime
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO
from urllib.parse import unquote, urlsplit

import yaml

from archive import __version__
from archive.dates import parse_iso
from archive.pages import RawPage
from archive.schema import ARTICLE_FIELDS
from archive.site import SITE_TZ, slugify
from archive.streamzip import StreamingZip

BATCH_ROWS = 5_000  # records per parquet row group
LIST_SEPARATOR = "; "  # authors and tags in a csv cell
MAX_SLUG = 150  # characters: a file name stays far below 255 bytes
# libyaml's safe dumper when PyYAML has it (written in C), else the pure Python one.
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
FRONT_MATTER = ("post_id", "url", "title", "published_at", "authors", "section", "tags")


# jsonl and csv


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """One record a line, Vietnamese kept as is; the number of records written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_row(
    record: dict[str, Any], raw: bool = False, fields: tuple[str, ...] = ARTICLE_FIELDS
) -> list[Any]:
    """The record's `fields` (all, in article-record order, by default) as spreadsheet cells;
    unless `raw`, a text a spreadsheet would run as a formula is neutralised
    (`neutral_cell`)."""
    row: list[Any] = []
    for key in fields:
        value = record[key]
        if key in ("authors", "tags"):
            value = LIST_SEPARATOR.join(value)
        elif key == "images":
            value = json.dumps(value, ensure_ascii=False)
        if isinstance(value, str) and not raw:
            value = neutral_cell(value)
        row.append("" if value is None else value)
    return row


def neutral_cell(text: str) -> str:
    """A text cell that starts as a formula would (`=`, `+`, `-`, `@`, a tab or a carriage
    return) behind an apostrophe, which spreadsheets show as text and never run (OWASP's
    advice against CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(
    records: Iterable[dict[str, Any]],
    out: TextIO,
    raw: bool = False,
    fields: tuple[str, ...] = ARTICLE_FIELDS,
) -> None:
    """A header row of the keys `fields` (the article record's), then one row a record
    (RFC 4180, CRLF)."""
    writer = csv.writer(out)
    writer.writerow(fields)
    for record in records:
        writer.writerow(csv_row(record, raw, fields))


# parquet

TIME_FIELDS = ("published_at", "modified_at", "fetched_at")
# Columns whose min and max go into the file's row-group statistics (not the long texts).
STATISTICS = ("post_id", "kind", "section", *TIME_FIELDS, "word_count")


@cache
def parquet_schema() -> Any:
    """The article record as Arrow types: strings, int64, list<string>, list<struct>, timestamps
    with their zone (published_at and modified_at at +07:00, fetched_at at UTC)."""
    import pyarrow as pa

    image = pa.struct([("url", pa.string()), ("caption", pa.string()), ("credit", pa.string())])
    site_time = pa.timestamp("us", tz="+07:00")
    types = {
        "post_id": pa.int64(),
        "authors": pa.list_(pa.string()),
        "published_at": site_time,
        "modified_at": site_time,
        "tags": pa.list_(pa.string()),
        "images": pa.list_(image),
        "word_count": pa.int64(),
        "fetched_at": pa.timestamp("us", tz="UTC"),
    }
    return pa.schema([pa.field(key, types.get(key, pa.string())) for key in ARTICLE_FIELDS])


def parquet_row(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its times as aware datetimes (a time without an offset is site time)."""
    row = dict(record)
    for key in TIME_FIELDS:
        row[key] = parse_iso(record[key], UTC if key == "fetched_at" else SITE_TZ)
    return row


def write_parquet(records: Iterable[dict[str, Any]], path: Path) -> None:
    """Row groups of BATCH_ROWS records; a set with no records is a valid file with the schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    options = {"compression": "zstd", "write_statistics": list(STATISTICS)}
    with pq.ParquetWriter(path, schema, **options) as writer:
        for batch in batched(records, BATCH_ROWS):
            rows = [parquet_row(record) for record in batch]
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))


def batched(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# markdown

_POST_SUFFIX = re.compile(r"-post\d+\.html?$")


def markdown_name(record: dict[str, Any]) -> str:
    """`YYYY-MM-DD-slug-POSTID.md`: only [a-z0-9-] from the URL, never a path from article data."""
    published = parse_iso(record.get("published_at"), UTC)
    day = f"{published.year:04d}-{published.month:02d}-{published.day:02d}" if published else None
    return f"{day or 'undated'}-{url_slug(record.get('url'))}-{int(record['post_id'])}.md"


def url_slug(url: Any) -> str:
    """The last segment of the URL's path, without -postID.html, as ASCII [a-z0-9-]."""
    text = str(url or "")
    with suppress(ValueError):  # a malformed URL: take it as a path
        text = urlsplit(text).path
    last = _POST_SUFFIX.sub("", unquote(text).rsplit("/", 1)[-1])
    return slugify(last)[:MAX_SLUG].strip("-") or "article"


def markdown_document(record: dict[str, Any]) -> str:
    """YAML front matter (FRONT_MATTER keys), then the title, the sapo and the body, their
    `<`, `>` and `&` escaped: text the page carried as markup is shown, never run, by a
    Markdown renderer."""
    front = {key: record.get(key) for key in FRONT_MATTER}
    matter = yaml.dump(
        front, Dumper=SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=1_000_000
    )
    title = " ".join(str(record.get("title") or "").split())
    parts = [f"# {title}", record.get("sapo") or "", record.get("body") or ""]
    parts = [html.escape(part, quote=False) for part in parts]
    return f"---\n{matter}---\n\n" + "\n\n".join(part for part in parts if part) + "\n"


def write_markdown_zip(records: Iterable[dict[str, Any]], path: Path) -> None:
    """One deflated entry a record, written as it comes; no records gives an empty zip.

    The zip's directory is spooled to disk, so memory stays flat for any number of articles.
    """
    with open(path, "wb") as out, StreamingZip(out) as archive:
        for record in records:
            data = markdown_document(record).encode("utf-8")
            archive.add(markdown_name(record), data, _zip_time(record))


def write_markdown_folder(records: Iterable[dict[str, Any]], folder: Path, files: IO[str]) -> None:
    """One file a record in `folder`; `name<TAB>sha256` lines go to `files` for the manifest."""
    for record in records:
        name = markdown_name(record)
        data = markdown_document(record).encode("utf-8")
        with open(folder / name, "xb") as out:
            out.write(data)
        files.write(f"{name}\t{hashlib.sha256(data).hexdigest()}\n")


def _zip_time(record: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    moment = parse_iso(record.get("published_at"), UTC)
    if moment is None or moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    moment = moment.astimezone(SITE_TZ)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


# warc

# zlib's level for the WARC's gzip members: warcio's own is 9, which takes 1.5–1.7× the time of
# 6 for a file under 1 % smaller (the mirror's pages at real weight: 8.9 against 6.0 ms a
# page; ../shared/realpages: 6.1 against 3.6).
WARC_GZIP_LEVEL = 6
# Headers that described the bytes on the wire, not the decoded body that is stored.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection"})


def write_warc(
    records: Iterable[dict[str, Any]],
    out: BinaryIO,
    pages: Callable[[int], list[RawPage]],
    filename: str = "",
) -> int:
    """A warcinfo record, then every stored response of each record; the responses written."""
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(GzipMembers(out), gzip=False, warc_version="1.1")
    info = {
        "software": f"bienphong-archive/{__version__}",
        "format": "WARC File Format 1.1",
        "description": "Báo Biên phòng (bienphong.com.vn) articles exported by bienphong",
    }
    writer.write_record(writer.create_warcinfo_record(filename, info))
    responses = 0
    for record in records:
        for page in pages(record["post_id"]):
            writer.write_record(warc_response(writer, _header_text(record["url"]), page))
            responses += 1
    return responses


class GzipMembers:
    """A stream that gzips what is written to it, one gzip member up to each flush: warcio
    flushes at the end of every record, so each record is a member of its own, as WARC readers
    expect (warcio's `gzip=True` does the same at level 9)."""

    def __init__(self, out: BinaryIO, level: int = WARC_GZIP_LEVEL) -> None:
        self.out = out
        self.level = level
        self.member: Any = None  # the compressor of the member being written

    def write(self, data: bytes) -> None:
        if self.member is None:
            self.member = zlib.compressobj(self.level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out.write(self.member.compress(data))

    def flush(self) -> None:
        if self.member is not None:
            self.out.write(self.member.flush())
            self.member = None
        self.out.flush()


def warc_response(writer: Any, url: str, page: RawPage) -> Any:
    """A response record for `url` at the fetch time, its HTTP head rebuilt from the stored one."""
    headers = [
        (_header_text(name), _header_text(value))
        for name, value in page.headers.items()
        if name.lower() not in WIRE_HEADERS
    ]
    headers.append(("Content-Length", str(len(page.body))))
    try:
        reason = HTTPStatus(page.status).phrase
    except ValueError:
        reason = "Unknown"
    from warcio.statusandheaders import StatusAndHeaders

    http = StatusAndHeaders(f"{page.status} {reason}", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(page.body),
        length=len(page.body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": warc_date(page.fetched_at)},
    )


def warc_date(fetched_at: datetime) -> str:
    """ISO 8601 UTC with a Z, as WARC wants it; microseconds only when the fetch time has them."""
    moment = fetched_at.astimezone(UTC)
    spec = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _header_text(text: str) -> str:
    return " ".join(str(text).split())  # no CR or LF can split a header
