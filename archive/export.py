"""Write sets of article records out of the archive: jsonl, csv, parquet, markdown, warc.

Records stream from one selection iterator (`select`) through the chosen writer; nothing holds
the whole set, so memory stays flat whatever its size (bench/export.py measures it). An output
is built under a temporary name beside the final one and renamed when complete, so an
interrupted export never leaves a half-written file, or folder, under the name asked for.
Every export to a path also writes `<PATH>.manifest.json` (see `manifest_fields`).
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from archive import __version__, search
from archive.dates import parse_iso, utc_now
from archive.errors import DamagedArticle
from archive.formats import (
    write_csv,
    write_jsonl,
    write_markdown_folder,
    write_markdown_zip,
    write_parquet,
    write_warc,
)
from archive.pages import RawPage, raw_pages
from archive.search import Filters
from archive.search.selection import add_filter_functions
from archive.site import MAX_POST_ID
from archive.store import Archive

FORMATS = ("jsonl", "csv", "parquet", "markdown", "warc")
MAX_IDS = 1_000_000  # post ids an --ids file may list (the site holds a few hundred thousand)
MAX_IDS_LINE = 10_000  # characters on a line of an --ids file
STDOUT_FORMATS = ("jsonl", "csv")  # text a pipe can take; the others are files


class ExportError(Exception):
    """The export cannot be written; the message is one line for the user."""


class ExportUsageError(ExportError):
    """A wrong request (a malformed query, a format stdout cannot take): exit status 2."""


# Selection


def read_ids(path: Path) -> frozenset[int]:
    """Post ids from a file: whitespace-separated numbers; `#` starts a comment. Read a line
    at a time, each at most MAX_IDS_LINE characters, MAX_IDS ids in all: `/dev/zero` or a
    number of 5,000 digits is one line of error, not all the memory or a traceback."""
    ids: set[int] = set()
    try:
        with path.open(encoding="utf-8", newline="") as file:
            for number, line in enumerate(iter(lambda: file.readline(MAX_IDS_LINE + 1), ""), 1):
                if len(line) > MAX_IDS_LINE:
                    raise ExportError(
                        f"--ids file {path}, line {number}: longer than {MAX_IDS_LINE:,} characters"
                    )
                ids.update(_line_ids(line, path, number))
                if len(ids) > MAX_IDS:
                    raise ExportError(f"--ids file {path} lists more than {MAX_IDS:,} post ids")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ExportError(f"cannot read --ids file {path}: {reason or error}") from error
    return frozenset(ids)


def _line_ids(line: str, path: Path, number: int) -> Iterator[int]:
    for token in line.split("#", 1)[0].split():
        digits = token.isascii() and token.isdigit() and len(token) <= len(str(MAX_POST_ID))
        if not digits or not 0 < int(token) <= MAX_POST_ID:
            shown = token if len(token) <= 40 else f"{token[:20]}...({len(token):,} characters)"
            raise ExportError(f"--ids file {path}, line {number}: {shown!r} is not a post id")
        yield int(token)


# Counting and progress


@dataclass
class Tally:
    """What the manifest says about the exported set: the count and the range of fetch times."""

    count: int = 0
    # When the export began, and the archive's newest run then: what a copy kept in step
    # with the crawls asks past next time (a run that writes meanwhile is not in this one).
    began: str = field(default_factory=utc_now)
    last_run: int | None = None
    first_fetch: str | None = None
    last_fetch: str | None = None
    responses: int = 0  # WARC response records
    damaged: list[DamagedArticle] = field(default_factory=list)  # left out, each named
    _first: datetime | None = field(default=None, repr=False)
    _last: datetime | None = field(default=None, repr=False)

    def watch(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            self.count += 1
            self._see(record.get("fetched_at"))
            yield record

    def leave_out(self, error: DamagedArticle) -> None:
        self.damaged.append(error)

    def pages(self, archive: Archive) -> Callable[[int], list[RawPage]]:
        """`archive.pages.raw_pages`, but an article whose pages cannot be read is left out."""

        def readable(post_id: int) -> list[RawPage]:
            try:
                return raw_pages(archive, post_id)
            except DamagedArticle as error:  # its record was counted when it went by
                self.count -= 1
                self.leave_out(error)
                return []

        return readable

    def _see(self, fetched_at: str | None) -> None:
        moment = parse_iso(fetched_at, UTC)
        if moment is None:
            return
        if self._first is None or moment < self._first:
            self._first, self.first_fetch = moment, fetched_at
        if self._last is None or moment > self._last:
            self._last, self.last_fetch = moment, fetched_at


def with_progress(records: Iterator[dict[str, Any]], every: int = 100) -> Iterator[dict[str, Any]]:
    """A rich progress line on stderr (count, time); the caller decides it is a terminal."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("exporting: {task.completed:,} articles"))
    with Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True)) as progress:
        task = progress.add_task("export", total=None)
        done = 0
        for done, record in enumerate(records, 1):
            if done % every == 0:
                progress.update(task, completed=done)
            yield record
        progress.update(task, completed=done)


# Atomic outputs


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; it becomes `path` only when the block finishes. A
    device, a pipe or a symbolic link at `path` is opened and written where it is, as `cp`
    and a shell's redirection do: a file renamed over it would replace it (`/dev/null` made
    a regular file, a link made a file).

    The temporary file is named for this host and process (`partial_path`): an export
    stopped by a signal removes it, and one killed outright (SIGKILL, the OOM killer) leaves
    it for the next export or backup to the same path to sweep away (`sweep_partials`). (A
    nameless O_TMPFILE, linked in at the end, would leave nothing even then, but linking it
    through /proc fails with EXDEV in some sandboxes and containers.)"""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        with _write_errors(path):
            yield path
        return
    temporary = partial_path(path)
    with _write_errors(path):
        sweep_partials(path)
        temporary.touch(0o600, exist_ok=False)
    try:
        with _write_errors(path):
            yield temporary
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            temporary.chmod(0o666 & ~_umask())
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def partial_path(path: Path) -> Path:
    """A new name beside `path` for what becomes it, naming this host and process so that a
    later run can tell one left by a process that is gone (`sweep_partials`)."""
    token = secrets.token_hex(4)
    return path.with_name(f".{path.name}.{socket.gethostname()}.{os.getpid()}.{token}.partial")


def sweep_partials(path: Path) -> None:
    """Remove what a killed export or backup to `path` left beside it: the `partial_path`
    files and folders of this host's processes that are gone."""
    prefix = f".{path.name}.{socket.gethostname()}."
    for left in path.parent.glob(f"{glob.escape(prefix)}*.partial"):
        pid = left.name[len(prefix) :].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            if left.is_dir() and not left.is_symlink():
                shutil.rmtree(left, ignore_errors=True)
            else:
                left.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's, alive
        return True
    return True


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` only when the block finishes."""
    with atomic_file(path) as temporary, open(temporary, "w", encoding="utf-8") as out:
        yield out


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A temporary folder beside `path` (`partial_path`), renamed to `path` when the block
    finishes."""
    with _write_errors(path):
        if path.exists() and not (path.is_dir() and not any(path.iterdir())):
            raise ExportError(f"cannot write {path}/: it exists and is not an empty folder")
        sweep_partials(path)
        temporary = partial_path(path)
        temporary.mkdir(0o700)
    try:
        with _write_errors(path):
            yield temporary
            temporary.chmod(0o777 & ~_umask())
            os.replace(temporary, path)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


@contextmanager
def _write_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# The export


@dataclass(frozen=True)
class Result:
    count: int
    manifest: Path | None  # None for stdout
    closed: bool = False  # stdout was closed early (`| head`): the reader had enough
    damaged: tuple[DamagedArticle, ...] = ()  # selected but unreadable: left out


def export(
    archive: Archive,
    selection: Filters,
    format_: str,
    output: str,
    *,
    filters: dict[str, Any] | None = None,
    progress: bool = False,
    raw_csv: bool = False,
) -> Result:
    """Write the selected records to `output` (`-` is stdout) in `format_`, with its manifest.

    `filters` is what the user typed, recorded in the manifest as given. `raw_csv` writes CSV
    cells as archived, even those a spreadsheet would run as formulas.
    """
    if format_ not in FORMATS:
        raise ExportUsageError(f"unknown format {format_!r}; valid: {', '.join(FORMATS)}")
    if output == "-" and format_ not in STDOUT_FORMATS:
        raise ExportUsageError(f"--format {format_} cannot go to stdout: give --output a path")
    tally = Tally(last_run=last_run_id(archive))
    records = tally.watch(search.records(archive, selection, tally.leave_out))
    if progress:
        records = with_progress(records)
    if output == "-":
        closed = _to_stdout(records, format_, raw_csv)
        return Result(tally.count, None, closed, tuple(tally.damaged))
    if format_ == "markdown" and output.endswith(("/", os.sep)):
        return _export_folder(archive, records, Path(output), tally, filters or {}, selection)
    path = Path(output)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    with atomic_file(path) as temporary:
        _write_file(format_, records, temporary, _Job(archive, path, tally, raw_csv))
        # What went into a device or a pipe is not there to be read back and described.
        digest = sha256_file(temporary) if temporary.is_file() else None
    if digest is None:
        return Result(tally.count, None, damaged=tuple(tally.damaged))
    fields = manifest_fields(archive, format_, path, tally, filters or {}, selection)
    fields["sha256"] = digest
    manifest = write_manifest(Path(f"{path}.manifest.json"), fields)
    return Result(tally.count, manifest, damaged=tuple(tally.damaged))


def _export_folder(
    archive: Archive,
    records: Iterator[dict[str, Any]],
    folder: Path,
    tally: Tally,
    filters: dict[str, Any],
    selection: Filters,
) -> Result:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as files:
        with atomic_folder(folder) as temporary:
            write_markdown_folder(records, temporary, files)
        fields = manifest_fields(archive, "markdown", folder, tally, filters, selection)
        files.seek(0)
        manifest = Path(f"{folder}.manifest.json")
        return Result(
            tally.count, write_manifest(manifest, fields, files), damaged=tuple(tally.damaged)
        )


def _write_file(
    format_: str, records: Iterator[dict[str, Any]], temporary: Path, job: _Job
) -> None:
    """One file in `format_` at `temporary`; `job` holds what the manifest and warc need."""
    if format_ in ("jsonl", "csv"):
        # csv carries a byte-order mark so that spreadsheets read it as UTF-8
        encoding = "utf-8-sig" if format_ == "csv" else "utf-8"
        with open(temporary, "w", encoding=encoding, newline="") as out:
            if format_ == "csv":
                write_csv(records, out, job.raw_csv)
            else:
                write_jsonl(records, out)
    elif format_ == "parquet":
        write_parquet(records, temporary)
    elif format_ == "markdown":
        write_markdown_zip(records, temporary)
    else:
        with open(temporary, "wb") as binary:
            job.tally.responses = write_warc(
                records, binary, job.tally.pages(job.archive), filename=job.path.name
            )


@dataclass(frozen=True)
class _Job:
    archive: Archive
    path: Path
    tally: Tally
    raw_csv: bool = False


def _to_stdout(records: Iterator[dict[str, Any]], format_: str, raw_csv: bool) -> bool:
    """Text formats in UTF-8 whatever the terminal's locale says (csv without a BOM). True
    when the reader closed stdout before the end (`| head`): the export stops there, quietly."""
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    closed = False
    try:
        if format_ == "csv":
            write_csv(records, out, raw_csv)
        else:
            write_jsonl(records, out)
        out.flush()
    except BrokenPipeError:
        closed = True
    finally:
        if closed:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        out.detach()
    return closed


# The manifest


def manifest_fields(
    archive: Archive,
    format_: str,
    output: Path,
    tally: Tally,
    filters: dict[str, Any],
    selection: Filters,
) -> dict[str, Any]:
    """Everything but the digests: what was asked, what came out, from where, by which version,
    and which runs wrote it: `runs`, those that wrote the current versions of the articles
    selected (null for articles another tool wrote), and `last_run`, the archive's newest run
    when the export began, so that a copy kept in step knows what to ask for next (`--run`
    past it, or `--changed-since` this manifest's `exported_at`)."""
    fields: dict[str, Any] = {
        "format": format_,
        "output": output.name,
        "count": tally.count,
        "filters": filters,
        "archive": str(archive.path.resolve()),
        "fetched_at": {"first": tally.first_fetch, "last": tally.last_fetch},
        "version": __version__,
        "exported_at": tally.began,
        "runs": runs_written(archive, selection),
        "last_run": tally.last_run,
    }
    if format_ == "warc":
        fields["responses"] = tally.responses
    fields["damaged"] = [{"post_id": e.post_id, "reason": str(e)} for e in tally.damaged]
    return fields


def last_run_id(archive: Archive) -> int | None:
    """The archive's newest run, or None before the first."""
    (found,) = next(archive.read("SELECT max(id) FROM runs", (), "read the runs"))
    return None if found is None else int(found)


def runs_written(archive: Archive, selection: Filters) -> list[int | None]:
    """The runs that wrote the current versions of the articles `selection` selects."""
    add_filter_functions(archive)
    where, params = selection.where_all()
    sql = f"SELECT DISTINCT a.run_id FROM articles a WHERE {where} ORDER BY 1"
    return [run_id for (run_id,) in archive.read(sql, params, "read the runs")]


def write_manifest(path: Path, fields: dict[str, Any], files: IO[str] | None = None) -> Path:
    """`fields` as a JSON object, one key a line; `files` (name<TAB>sha256 lines) streamed in."""
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items()]
    with atomic_output(path) as out:
        out.write("{\n" + ",\n".join(lines))
        if files is not None:
            out.write(',\n  "files": {')
            separator = "\n"
            for line in files:
                name, digest = line.rstrip("\n").split("\t")
                out.write(f"{separator}    {json.dumps(name)}: {json.dumps(digest)}")
                separator = ",\n"
            out.write("\n  }")
        out.write("\n}\n")
    return path
