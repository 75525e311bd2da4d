"""What is damaged in an archive, read back row by row: `bienphong stats --check`."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any

from archive.errors import DamagedArticle, one_line
from archive.pages import check_page
from archive.store import Archive, record_of


def find_damage(archive: Archive, limit: int = 100) -> list[str]:
    """What is damaged, one line each (at most `limit`): SQLite's integrity check, then
    every record, version and raw page read back (JSON decoded, pages decompressed and
    compared with their sha256). Reads the whole archive: minutes on a large one."""
    problems: list[str] = []
    try:
        found = [row[0] for row in archive.db.execute(f"PRAGMA integrity_check({limit})")]
        problems += [f"sqlite: {line}" for line in found if line != "ok"]
    except sqlite3.Error as error:
        problems.append(f"sqlite: {one_line(error)}")
    with archive.strict_text():
        for table, read in (
            ("articles", partial(record_of, path=archive.path)),
            ("versions", lambda row: archive.versions(row["post_id"])),
            ("pages", partial(check_page, archive=archive)),
        ):
            problems += _check_rows(archive, table, read, limit - len(problems))
    return problems[:limit]


def _check_rows(
    archive: Archive, table: str, read: Callable[[dict[str, Any]], object], limit: int
) -> list[str]:
    """Every row of `table` read back by `read`, row by row by rowid, so that one row
    SQLite cannot read (damaged text, a damaged b-tree page) is named and the rest are
    read on."""
    problems: list[str] = []
    last = -1
    while len(problems) < limit:
        sql = f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1000"
        try:
            ids = [row[0] for row in archive.db.execute(sql, [last])]
        except sqlite3.Error as error:  # the table's own pages: nothing more to read
            return [*problems, f"{table} after row {last}: {one_line(error)}"]
        if not ids:
            return problems
        for rowid in ids:
            try:
                row = next(archive.db.query(f"SELECT * FROM {table} WHERE rowid = ?", [rowid]))
            except sqlite3.Error as error:
                name = f"article {rowid}" if table == "articles" else f"{table} row {rowid}"
                problems.append(f"{name}: {one_line(error)}")
                continue
            problems += _damage(partial(read, row))
        last = ids[-1]
    return problems


def _damage(read: Callable[[], object]) -> list[str]:
    """[] when `read()` reads, else the one line that says what is damaged."""
    try:
        read()
    except DamagedArticle as error:
        return [str(error)]
    return []
