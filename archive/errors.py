"""How the archive fails: `ArchiveError`, whose message is one line for the user, and
`DamagedArticle` for one article that cannot be read back; every sqlite3 error leaves the
archive's modules through `sqlite_errors`, the one mapping."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class ArchiveError(Exception):
    """The archive cannot be opened or written; the message is one line for the user."""


class DamagedArticle(ArchiveError):
    """An article whose stored record, version or raw page cannot be read (a bit flipped on
    disk, a hand edit): the message names it, so a command can say so and go on."""

    def __init__(self, post_id: int, message: str) -> None:
        super().__init__(message)
        self.post_id = post_id


def one_line(error: BaseException, width: int = 200) -> str:
    """An error's message as one line of at most `width` characters (SQLite quotes whole
    column values in some of its messages)."""
    text = " ".join(str(error).split())
    return text if len(text) <= width else text[: width - 1] + "…"


@contextmanager
def sqlite_errors(path: Path, action: str) -> Iterator[None]:
    """An sqlite3 error inside becomes `cannot <action> in <path>: <SQLite's line>`, with a
    hint where the file is damaged."""
    try:
        yield
    except sqlite3.Error as error:
        hint = " (the file is damaged: 'bienphong stats --check' says where)"
        damaged = "malformed" in str(error)
        message = f"cannot {action} in {path}: {one_line(error)}{hint if damaged else ''}"
        raise ArchiveError(message) from error


def stored_json(text: Any, post_id: int, what: str) -> Any:
    """`text` decoded; DamagedArticle naming `what` of article `post_id` when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError too
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = f"article {post_id} is damaged: {what} is not JSON ({reason})"
        raise DamagedArticle(post_id, message) from error
