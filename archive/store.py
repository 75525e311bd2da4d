"""The archive: one SQLite file, opened (made, or brought up to the current schema) by
`Archive`, which holds the articles and their versions.

The rest of the file belongs to modules of its own, each over an `Archive`: the raw pages
(`archive.pages`), the runs (`archive.runs`), what a scheduled crawl remembers between runs
(`archive.crawl_memory`), the damage check (`archive.check`); the search index's tables are
`archive.schema`'s, read by `archive.search` through `Archive.read`. Every write commits at
once, so a crash loses at most the page in flight. Every sqlite3 error leaves as an
`ArchiveError` with a one-line message (`archive.errors`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from sqlite_utils import Database

from archive import schema
from archive.dates import carried, utc_now
from archive.errors import ArchiveError, DamagedArticle, one_line, sqlite_errors, stored_json
from archive.pages import PageCodec, RawPage, insert_page, page_figures
from archive.schema import ARTICLE_FIELDS, CONTENT_FIELDS, JSON_FIELDS
from archive.site import SECTION_NAMES, SECTION_SLUGS
from archive.vietnamese import nfc

DEFAULT_PATH = Path("bienphong.db")
BUSY_TIMEOUT_MS = 10_000
# The -wal file a writer leaves after a checkpoint, at most. A reader that holds a snapshot for
# long (a slow web export) keeps the WAL from restarting, so it grows past this meanwhile; once
# that reader is done, the next commits checkpoint it and cut it back to this size.
WAL_KEPT_BYTES = 16 * 1024 * 1024
SaveResult = Literal["new", "updated", "unchanged"]


def in_nfc(value: Any) -> Any:
    """`value` with every string inside it (lists and dicts included) in Unicode NFC."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [in_nfc(item) for item in value]
    if isinstance(value, dict):
        return {in_nfc(key): in_nfc(item) for key, item in value.items()}
    return value


def prepare_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record in NFC with exactly the article-record keys, in order; ValueError otherwise."""
    missing = [key for key in ARTICLE_FIELDS if key not in record]
    extra = sorted(set(record) - set(ARTICLE_FIELDS))
    if missing or extra:
        raise ValueError(f"not an article record: missing {missing}, unknown {extra}")
    post_id = record["post_id"]
    if not isinstance(post_id, int) or isinstance(post_id, bool) or post_id <= 0:
        raise ValueError(f"not an article record: post_id {post_id!r} is not a positive int")
    return {key: in_nfc(record[key]) for key in ARTICLE_FIELDS}


def _to_row(record: dict[str, Any]) -> dict[str, Any]:
    """The `articles` row of a record: JSON fields as text, plus the search index's copies."""
    row = {
        key: json.dumps(value, ensure_ascii=False) if key in JSON_FIELDS else value
        for key, value in record.items()
    }
    return row | schema.index_columns(row)


def record_of(row: dict[str, Any], path: Path) -> dict[str, Any]:
    """The article record a row of `articles` holds; DamagedArticle when a JSON field does not
    read back."""
    record = {key: row[key] for key in ARTICLE_FIELDS}
    for key in JSON_FIELDS:
        record[key] = stored_json(row[key], row["post_id"], f"its {key} field in {path}")
    for key in ("published_at", "modified_at"):  # archived before such dates were refused
        if record[key] is not None and not carried(record[key], record["fetched_at"]):
            record[key] = None
    return record


def check_writable(path: Path) -> None:
    """ArchiveError unless a writer could open or create an archive at `path`: asked of the
    file system only, so a writer can ask before it takes the lock, touching nothing."""
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an archive file")
    if not path.parent.is_dir():
        raise ArchiveError(f"cannot create archive {path}: no directory {path.parent}")
    if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        raise ArchiveError(f"archive {path} is read-only")


def _connect(path: Path, readonly: bool, immutable: bool = False) -> sqlite3.Connection:
    # A writer makes an archive only where no file is: an empty one is not made into one.
    if path.is_file() and path.stat().st_size == 0:
        raise ArchiveError(
            f"{path} is an empty file, not a bienphong archive (remove it, and a crawl makes"
            " the archive there)"
        )
    if readonly:
        if path.is_dir():
            raise ArchiveError(f"{path} is a directory, not an archive file")
        if not path.exists():
            raise ArchiveError(f"no archive at {path} (run 'bienphong crawl' to make one)")
        mode = "immutable=1" if immutable else "mode=ro"
        return sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    check_writable(path)
    return sqlite3.connect(path)


def _folder_forbids_shm(path: Path, error: sqlite3.Error) -> bool:
    """Whether a read-only open failed for want of the `-shm` file a WAL reader needs, which
    SQLite cannot make in a folder it may not write (a read-only mount, another user's)."""
    cannot_open = getattr(error, "sqlite_errorname", "") == "SQLITE_CANTOPEN"
    return cannot_open and not os.access(path.parent, os.W_OK)


def _wal_holds_commits(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


class Archive:
    """One archive file. `readonly=True` never creates or changes it (show, export, stats); it
    reads an archive in a folder it may not write, too."""

    def __init__(
        self,
        path: str | Path = DEFAULT_PATH,
        *,
        readonly: bool = False,
        clock: Callable[[], str] = utc_now,
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.now = clock  # the archive's own moments, in their stored form
        making = not readonly and not self.path.exists()
        try:
            self._open_file(readonly)
        except BaseException:
            if making:  # stopped (a signal) or failed while it made the file: no half-made one
                for name in ("", "-wal", "-shm", "-journal"):
                    self.path.with_name(self.path.name + name).unlink(missing_ok=True)
            raise

    def _open_file(self, readonly: bool) -> None:
        try:
            self._open_with(_connect(self.path, readonly))
        except ArchiveError as error:
            cause = error.__cause__
            if not (readonly and isinstance(cause, sqlite3.Error)):
                raise
            if not _folder_forbids_shm(self.path, cause):
                raise
            if _wal_holds_commits(self.path):
                name = self.path.name
                raise ArchiveError(
                    f"archive {self.path} cannot be read in its read-only folder: its last"
                    f" commits are in {name}-wal, which SQLite reads only with a {name}-shm it"
                    f" cannot make there; copy {name} and {name}-wal together to a folder you"
                    " can write, and read the copy"
                ) from None
            # Without them the file holds every commit: read it as a file that cannot change.
            self._open_with(_connect(self.path, readonly, immutable=True))

    def _open_with(self, conn: sqlite3.Connection) -> None:
        # Text whose bytes were damaged on disk reads with U+FFFD where they were, rather
        # than failing every command that meets it; `check` reads strictly and names it.
        conn.text_factory = lenient_text
        try:
            self.db = Database(conn)
            self._open()
        except sqlite3.Error as error:
            conn.close()
            if "not a database" in str(error):
                raise ArchiveError(f"{self.path} is not an SQLite database") from error
            raise ArchiveError(f"cannot open archive {self.path}: {error}") from error
        except BaseException:
            conn.close()
            raise

    def _open(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.execute("PRAGMA foreign_keys = ON")
        version = self._check_schema()
        if self.readonly:
            if version < schema.SCHEMA_VERSION:
                raise ArchiveError(
                    f"archive {self.path} is of schema version {version}, older than this"
                    f" bienphong's {schema.SCHEMA_VERSION}: upgrade it with `bienphong stats"
                    " --rebuild-index` or a crawl (about a minute a 100,000 articles)"
                )
            self.page_codec = PageCodec(self.db, writes=False)
            return
        if version == 0 and not self.db.table_names():
            # Space a page rewritten smaller frees goes back to the disk (`recompress`); set
            # before the first table, or only a VACUUM can set it.
            self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        self.db.enable_wal()
        # WAL with synchronous NORMAL: a commit survives the process being killed and the file
        # never corrupts; only a power cut can undo the last commits (the next crawl fetches
        # those articles again). FULL's fsync per article slowed the crawl (docs/benchmarks.md).
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.execute(f"PRAGMA journal_size_limit = {WAL_KEPT_BYTES}")
        if version < schema.SCHEMA_VERSION:
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                schema.migrate(self.db, self._check_schema())  # re-read under the lock
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()
        self.page_codec = PageCodec(self.db, writes=True)

    def _check_schema(self) -> int:
        """The archive's schema version; ArchiveError for a foreign or a newer file."""
        version: int = self.db.execute("PRAGMA user_version").fetchone()[0]
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        is_new = version == 0 and not self.db.table_names()
        if app_id != schema.APPLICATION_ID and not is_new:
            raise ArchiveError(f"{self.path} is an SQLite database but not a bienphong archive")
        if is_new and self.readonly:
            raise ArchiveError(f"{self.path} is an empty database, not a bienphong archive")
        if version > schema.SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {self.path} has schema version {version}, newer than this bienphong "
                f"knows ({schema.SCHEMA_VERSION}): upgrade bienphong"
            )
        return version

    def close(self) -> None:
        if not self.readonly:
            self._fold_wal()
        self.db.close()

    def _fold_wal(self) -> None:
        """A writer's last act: every commit into the file and the -wal emptied, unless a
        reader still holds a snapshot (then the next writer's commits do it). Never waits."""
        try:
            self.db.execute("PRAGMA busy_timeout = 0")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:  # the commits are safe in the -wal all the same
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def doing(self, action: str) -> AbstractContextManager[None]:
        """A context for `action` on the archive: an sqlite3 error inside it becomes the
        ArchiveError `cannot <action> in <path>: ...` (`archive.errors.sqlite_errors`)."""
        return sqlite_errors(self.path, action)

    @contextmanager
    def strict_text(self) -> Iterator[None]:
        """Damaged text is an error inside, not U+FFFD: for the damage check."""
        self.db.conn.text_factory = str
        try:
            yield
        finally:
            self.db.conn.text_factory = lenient_text

    # Reads for the archive's other modules (the search), with this module's error mapping

    def read(
        self, sql: str, params: Sequence[Any] = (), action: str = "search"
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of the statement `sql`, streamed. An sqlite3 error while it runs or while
        its rows are read (a reader may take some, and read on later) is an ArchiveError,
        `cannot <action> in <path>: ...`."""
        with self.doing(action):
            yield from self.db.execute(sql, params)

    def read_one(
        self, sql: str, params: Sequence[Any] = (), action: str = "search"
    ) -> tuple[Any, ...] | None:
        """The first row of `sql`, or None; errors as `read` says."""
        with self.doing(action):
            row: tuple[Any, ...] | None = self.db.execute(sql, params).fetchone()
        return row

    def read_value(self, sql: str, params: Sequence[Any] = (), action: str = "search") -> Any:
        """The first value of the first row of `sql` (a count, a flag), or None."""
        row = self.read_one(sql, params, action)
        return None if row is None else row[0]

    def add_function(self, name: str, arity: int, function: Callable[..., Any]) -> None:
        """`function` as the SQL function `name` of `arity` arguments on this connection (a
        read-only one too), deterministic: for the statements given to `read`."""
        with self.doing(f"add the SQL function {name}"):
            self.db.conn.create_function(name, arity, function, deterministic=True)

    # The search index's upkeep (its tables are schema's; what reads them, archive.search)

    def rewrite_index(self) -> int:
        """Rewrite every article's spelled and folded copies and rebuild the search index, its
        narrow tables, its words and its blocks, in one transaction; the number of rows whose
        copies changed."""
        with self.doing("rebuild the search index"), self.db.atomic():
            changed = schema.copy_rows(self.db)
            schema.rebuild_fts(self.db)
            schema.fill_narrow(self.db)
            schema.fill_words(self.db)
            schema.fill_blocks(self.db)
        return changed

    def unlisted_index_words(self) -> int:
        """How many words of the search index its list of words lacks (`schema.unlisted_words`:
        reads every doclist of the index)."""
        with self.doing("read the search index's words"):
            return schema.unlisted_words(self.db)

    def check_by_writing(self, sql: str) -> str | None:
        """Run `sql`, a check SQLite makes as a write statement (FTS5's integrity check), on a
        connection of its own, in a transaction rolled back whatever happens: None when it
        passed, else SQLite's one line. The caller makes sure the file may be written."""
        try:
            connection = sqlite3.connect(self.path, isolation_level=None)
            try:
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                connection.execute("BEGIN")
                connection.execute(sql)
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                connection.close()
        except sqlite3.Error as error:
            return one_line(error)
        return None

    # Articles

    def holds_articles(self) -> bool:
        with self.doing("read articles"):
            return bool(self.db.execute("SELECT EXISTS (SELECT 1 FROM articles)").fetchone()[0])

    def known_post_ids(self) -> set[int]:
        with self.doing("read post ids"):
            return {row[0] for row in self.db.execute("SELECT post_id FROM articles")}

    def save_article(
        self,
        record: dict[str, Any],
        page: RawPage | None,
        run_id: int | None,
        provenance: dict[str, str] | None = None,
        replaced: Callable[[dict[str, Any]], object] | None = None,
    ) -> SaveResult:
        """Store the raw page and upsert the record: "new", "updated" or "unchanged".

        An unchanged record only moves `last_seen_at` (and takes `provenance`, when given); a
        change in a content field keeps the previous record in `versions`. `page` is None when
        the record comes from a stored page (reextract). `provenance` maps the record's fields
        to the rule or heuristic that found them (`explain`); it is stored beside the record,
        not in it. `replaced` is handed the earlier record when the new one replaces a readable
        one (drift compares them). Commits before returning.
        """
        record = prepare_record(record)
        post_id = record["post_id"]
        now = self.now()
        found = {} if provenance is None else {"provenance": json.dumps(provenance)}
        with self.doing(f"save article {post_id}"), self.db.atomic():
            if page is not None:
                insert_page(self, page, post_id, run_id)
            current = self._article_row(post_id)
            if current is None:
                row = _to_row(record) | {"first_seen_at": now, "updated_at": now, "run_id": run_id}
                self.db.table("articles").insert(row | {"last_seen_at": now} | found)
                schema.gather_words(self.db)
                return "new"
            try:
                previous: dict[str, Any] | None = record_of(current, self.path)
            except DamagedArticle:  # unreadable: the new record repairs it, with no version
                previous = None
            if previous is not None and replaced is not None:
                replaced(previous)
            if previous is not None and all(previous[k] == record[k] for k in CONTENT_FIELDS):
                self.db.table("articles").update(post_id, {"last_seen_at": now} | found)
                return "unchanged"
            if previous is not None:
                self.db.table("versions").insert(
                    {
                        "post_id": post_id,
                        "record": json.dumps(previous, ensure_ascii=False),
                        "seen_at": current["updated_at"],
                        "replaced_at": now,
                        "run_id": run_id,
                    }
                )
            row = _to_row(record) | {"updated_at": now, "last_seen_at": now, "run_id": run_id}
            row["provenance"] = None
            self.db.table("articles").update(post_id, row | found)
            schema.gather_words(self.db)
            return "updated"

    def _article_row(self, post_id: int) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM articles WHERE post_id = ?", [post_id])
        return next(rows, None)

    def get_article(self, post_id: int) -> dict[str, Any] | None:
        """The article record (article-record keys, in order), or None."""
        with self.doing(f"read article {post_id}"):
            row = self._article_row(post_id)
        return None if row is None else record_of(row, self.path)

    def provenance(self, post_id: int) -> dict[str, str] | None:
        """Where each field of the article's record came from; None when it was not recorded
        (an article stored before schema 4, and neither refetched nor re-extracted since)."""
        sql = "SELECT provenance FROM articles WHERE post_id = ?"
        with self.doing(f"read article {post_id}"):
            row = self.db.execute(sql, [post_id]).fetchone()
        if row is None or row[0] is None:
            return None
        return dict(stored_json(row[0], post_id, f"its provenance in {self.path}"))

    def iter_articles(
        self,
        where: str = "1",
        params: Sequence[Any] = (),
        damaged: Callable[[DamagedArticle], None] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Records whose row meets `where` (SQL on `articles a`), by published_at (undated
        first) then post_id, streamed: the one reader of whole records. `archive.search.selection`
        writes the conditions (`Filters.where_all`). A damaged record goes to `damaged` and
        the rest follow; without it, DamagedArticle ends the iteration."""
        # The record's columns only: the search index's copies are as long again as the text.
        columns = ", ".join(f"a.{key}" for key in ARTICLE_FIELDS)
        sql = f"SELECT {columns} FROM articles a WHERE {where} ORDER BY a.published_at, a.post_id"
        with self.doing("read articles"):
            for row in self.db.query(sql, params):
                try:
                    record = record_of(row, self.path)
                except DamagedArticle as error:
                    if damaged is None:
                        raise
                    damaged(error)
                    continue
                yield record

    def versions(self, post_id: int) -> list[dict[str, Any]]:
        """Earlier records of an article, oldest first, each with `seen_at` and `replaced_at`."""
        sql = "SELECT record, seen_at, replaced_at FROM versions WHERE post_id = ? ORDER BY id"
        with self.doing(f"read versions of {post_id}"):
            rows = list(self.db.query(sql, [post_id]))
        what = f"a version in {self.path}"
        return [
            stored_json(row["record"], post_id, what)
            | {"seen_at": row["seen_at"], "replaced_at": row["replaced_at"]}
            for row in rows
        ]

    # Overview

    def stats(self) -> dict[str, Any]:
        """Counts for `bienphong stats`: articles by kind and section, pages, versions, size."""

        def grouped(column: str) -> dict[str, int]:
            sql = f"SELECT {column} AS k, count(*) AS n FROM articles GROUP BY k ORDER BY n DESC, k"
            return {row["k"] or "(none)": row["n"] for row in self.db.query(sql)}

        def count(table: str) -> int:
            return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        with self.doing("read statistics"):
            return {
                "articles": count("articles"),
                "by_kind": grouped("kind"),
                "by_section": grouped("section"),
                "raw_pages": count("pages"),
                "raw_page_storage": page_figures(self),
                "versions": count("versions"),
                "runs": count("runs"),
                "db_bytes": self.size_bytes(),
            }

    def sections(self) -> list[dict[str, Any]]:
        """Every section of the site, then any other the archive holds, with its name, its
        articles and the newest one's publication time (None when it has none)."""
        sql = (
            f"SELECT section, count(*), max(published_at) FROM {schema.FACTS_TABLE}"
            " WHERE section IS NOT NULL GROUP BY section"
        )
        with self.doing("read the sections"):
            found = {row[0]: row[1:] for row in self.db.execute(sql).fetchall()}
        slugs = [*SECTION_SLUGS, *sorted(set(found) - set(SECTION_SLUGS))]
        return [
            {
                "slug": slug,
                "name": SECTION_NAMES.get(slug),
                "articles": found.get(slug, (0, None))[0],
                "newest": found.get(slug, (0, None))[1],
            }
            for slug in slugs
        ]

    def size_bytes(self) -> int:
        """The archive file plus its write-ahead log, in bytes."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(file.stat().st_size for file in files if file.exists())
