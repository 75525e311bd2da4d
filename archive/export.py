"""Write article records out of the archive. jsonl now; csv, parquet, markdown, warc with issue 6.

A file is written under a temporary name in the same directory and renamed when complete, so an
interrupted export never leaves a half-written file under the name the user asked for.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("jsonl",)
LATER_FORMATS = ("csv", "parquet", "markdown", "warc")  # issue 6


class ExportError(Exception):
    """The export cannot be written; the message is one line for the user."""


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """One record a line, Vietnamese kept as is; the number of records written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


@contextmanager
def atomic_output(path: Path) -> Iterator[TextIO]:
    """A text file that appears at `path` only when the block finishes without an error."""
    try:
        descriptor, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".partial"
        )
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
    temporary = Path(name)
    try:
        with open(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _umask_mode(temporary)
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ExportError(f"cannot write {path}: {error.strerror or error}") from error
        raise


def _umask_mode(path: Path) -> None:
    """Give the file the permissions a plain open() would (mkstemp makes it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def _to_stdout(records: Iterable[dict[str, Any]]) -> int:
    """JSON lines are UTF-8 whatever the terminal's locale says."""
    sys.stdout.flush()
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    try:
        return write_jsonl(records, out)
    except BrokenPipeError:  # `| head`: say so once, without a second error at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise ExportError("stdout was closed before the export finished") from None
    finally:
        out.flush()
        out.detach()


def export_jsonl(records: Iterable[dict[str, Any]], output: str | Path) -> int:
    """Write `records` to the file `output`, or to stdout when it is `-`; the count written."""
    if str(output) == "-":
        return _to_stdout(records)
    path = Path(output)
    if path.is_dir():
        raise ExportError(f"cannot write {path}: it is a directory")
    with atomic_output(path) as out:
        return write_jsonl(records, out)
