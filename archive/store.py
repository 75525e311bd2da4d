"""The archive: articles, their raw pages and versions, and crawl runs, in one SQLite file.

Every write commits at once, so a crash loses at most the page in flight. Every sqlite3 error
leaves this module as an `ArchiveError` with a one-line message.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from sqlite_utils import Database

from archive import schema
from archive.dates import utc_now
from archive.schema import ARTICLE_FIELDS, CONTENT_FIELDS, JSON_FIELDS
from archive.vietnamese import nfc

DEFAULT_PATH = Path("bienphong.db")
BUSY_TIMEOUT_MS = 10_000
RUN_COUNTS = ("pages_fetched", "new", "updated", "unchanged", "failed")

SaveResult = Literal["new", "updated", "unchanged"]

# codec name -> (compress, decompress). The name is stored with each page, so it can change.
CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "zlib": (lambda data: zlib.compress(data, 6), zlib.decompress),
}
DEFAULT_CODEC = "zlib"


class ArchiveError(Exception):
    """The archive cannot be opened or written; the message is one line for the user."""


class DamagedArticle(ArchiveError):
    """An article whose stored record, version or raw page cannot be read (a bit flipped on
    disk, a hand edit): the message names it, so a command can say so and go on."""

    def __init__(self, post_id: int, message: str) -> None:
        super().__init__(message)
        self.post_id = post_id


@dataclass(frozen=True)
class RawPage:
    """An article response as received: what re-extraction needs instead of the network."""

    url: str  # canonical
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes  # uncompressed, as received
    fetched_at: str  # ISO 8601 UTC


@dataclass(frozen=True)
class Validators:
    """What a page said about itself: HTTP validators, and a sitemap index's <lastmod> of it."""

    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None


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


def _from_row(row: dict[str, Any], path: Path) -> dict[str, Any]:
    record = {key: row[key] for key in ARTICLE_FIELDS}
    for key in JSON_FIELDS:
        record[key] = _json(row[key], row["post_id"], f"its {key} field in {path}")
    return record


def _json(text: Any, post_id: int, what: str) -> Any:
    """`text` decoded; DamagedArticle naming `what` of article `post_id` when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError too
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        message = f"article {post_id} is damaged: {what} is not JSON ({reason})"
        raise DamagedArticle(post_id, message) from error


def one_line(error: BaseException, width: int = 200) -> str:
    """An error's message as one line of at most `width` characters (SQLite quotes whole
    column values in some of its messages)."""
    text = " ".join(str(error).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _damage(read: Callable[[], object]) -> list[str]:
    """[] when `read()` reads, else the one line that says what is damaged."""
    try:
        read()
    except DamagedArticle as error:
        return [str(error)]
    return []


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
    if readonly:
        if path.is_dir():
            raise ArchiveError(f"{path} is a directory, not an archive file")
        if not path.exists():
            raise ArchiveError(f"no archive at {path} (run 'bienphong crawl' to make one)")
        mode = "immutable=1" if immutable else "mode=ro"
        return sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    check_writable(path)
    return sqlite3.connect(path)


def _immutable_will_do(path: Path, error: sqlite3.Error) -> bool:
    """Whether a read-only open that failed can be made with `immutable=1` instead: SQLite
    cannot make the `-shm` file a WAL reader needs in a folder it may not write (a read-only
    mount, another user's folder), and with no `-wal` beside it the file holds every commit."""
    wal = path.with_name(path.name + "-wal")
    cannot_open = getattr(error, "sqlite_errorname", "") == "SQLITE_CANTOPEN"
    folder_read_only = not os.access(path.parent, os.W_OK)
    return cannot_open and folder_read_only and not (wal.exists() and wal.stat().st_size)


def _lenient_text(data: bytes) -> str:
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
        self._clock = clock
        try:
            self._open_with(_connect(self.path, readonly))
        except ArchiveError as error:
            cause = error.__cause__
            if not (readonly and isinstance(cause, sqlite3.Error)):
                raise
            if not _immutable_will_do(self.path, cause):
                raise
            self._open_with(_connect(self.path, readonly, immutable=True))

    def _open_with(self, conn: sqlite3.Connection) -> None:
        # Text whose bytes were damaged on disk reads with U+FFFD where they were, rather
        # than failing every command that meets it; `check` reads strictly and names it.
        conn.text_factory = _lenient_text
        try:
            self.db = Database(conn)
            self._open()
        except sqlite3.Error as error:
            conn.close()
            if "not a database" in str(error):
                raise ArchiveError(f"{self.path} is not an SQLite database") from error
            raise ArchiveError(f"cannot open archive {self.path}: {error}") from error
        except ArchiveError:
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
            return
        self.db.enable_wal()
        # WAL with synchronous NORMAL: a commit survives the process being killed and the file
        # never corrupts; only a power cut can undo the last commits (the next crawl fetches
        # those articles again). FULL's fsync per article made the crawl 2× slower (bench/crawl).
        self.db.execute("PRAGMA synchronous = NORMAL")
        if version < schema.SCHEMA_VERSION:
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                schema.migrate(self.db, self._check_schema())  # re-read under the lock
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()

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
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            hint = " (the file is damaged: 'bienphong stats --check' says where)"
            damaged = "malformed" in str(error)
            message = f"cannot {action} in {self.path}: {one_line(error)}{hint if damaged else ''}"
            raise ArchiveError(message) from error

    # Reads for the archive's other modules (the search), with this module's error mapping

    def read(
        self, sql: str, params: Sequence[Any] = (), action: str = "search"
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of the statement `sql`, streamed. An sqlite3 error while it runs or while
        its rows are read (a reader may take some, and read on later) is an ArchiveError,
        `cannot <action> in <path>: ...`."""
        with self._errors(action):
            yield from self.db.execute(sql, params)

    def read_one(
        self, sql: str, params: Sequence[Any] = (), action: str = "search"
    ) -> tuple[Any, ...] | None:
        """The first row of `sql`, or None; errors as `read` says."""
        with self._errors(action):
            row: tuple[Any, ...] | None = self.db.execute(sql, params).fetchone()
        return row

    def read_value(self, sql: str, params: Sequence[Any] = (), action: str = "search") -> Any:
        """The first value of the first row of `sql` (a count, a flag), or None."""
        row = self.read_one(sql, params, action)
        return None if row is None else row[0]

    def add_function(self, name: str, arity: int, function: Callable[..., Any]) -> None:
        """`function` as the SQL function `name` of `arity` arguments on this connection (a
        read-only one too), deterministic: for the statements given to `read`."""
        with self._errors(f"add the SQL function {name}"):
            self.db.conn.create_function(name, arity, function, deterministic=True)

    # The search index's upkeep (its tables are schema's; what reads them, archive.search)

    def rewrite_index(self) -> int:
        """Rewrite every article's spelled and folded copies and rebuild the search index, its
        narrow tables, its words and its blocks, in one transaction; the number of rows whose
        copies changed."""
        with self._errors("rebuild the search index"), self.db.atomic():
            changed = schema.copy_rows(self.db)
            schema.rebuild_fts(self.db)
            schema.fill_narrow(self.db)
            schema.fill_words(self.db)
            schema.fill_blocks(self.db)
        return changed

    def unlisted_index_words(self) -> int:
        """How many words of the search index its list of words lacks (`schema.unlisted_words`:
        reads every doclist of the index)."""
        with self._errors("read the search index's words"):
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

    def known_post_ids(self) -> set[int]:
        with self._errors("read post ids"):
            return {row[0] for row in self.db.execute("SELECT post_id FROM articles")}

    def save_article(
        self,
        record: dict[str, Any],
        page: RawPage | None,
        run_id: int | None,
        provenance: dict[str, str] | None = None,
    ) -> SaveResult:
        """Store the raw page and upsert the record: "new", "updated" or "unchanged".

        An unchanged record only moves `last_seen_at` (and takes `provenance`, when given); a
        change in a content field keeps the previous record in `versions`. `page` is None when
        the record comes from a stored page (reextract). `provenance` maps the record's fields
        to the rule or heuristic that found them (`explain`); it is stored beside the record,
        not in it. Commits before returning.
        """
        record = prepare_record(record)
        post_id = record["post_id"]
        now = self._clock()
        found = {} if provenance is None else {"provenance": json.dumps(provenance)}
        with self._errors(f"save article {post_id}"), self.db.atomic():
            if page is not None:
                self._insert_page(page, post_id, run_id)
            current = self._article_row(post_id)
            if current is None:
                row = _to_row(record) | {"first_seen_at": now, "updated_at": now}
                self.db.table("articles").insert(row | {"last_seen_at": now} | found)
                schema.gather_words(self.db)
                return "new"
            try:
                previous: dict[str, Any] | None = _from_row(current, self.path)
            except DamagedArticle:  # unreadable: the new record repairs it, with no version
                previous = None
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
            row = _to_row(record) | {"updated_at": now, "last_seen_at": now, "provenance": None}
            self.db.table("articles").update(post_id, row | found)
            schema.gather_words(self.db)
            return "updated"

    def _article_row(self, post_id: int) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM articles WHERE post_id = ?", [post_id])
        return next(rows, None)

    def get_article(self, post_id: int) -> dict[str, Any] | None:
        """The article record (article-record keys, in order), or None."""
        with self._errors(f"read article {post_id}"):
            row = self._article_row(post_id)
        return None if row is None else _from_row(row, self.path)

    def provenance(self, post_id: int) -> dict[str, str] | None:
        """Where each field of the article's record came from; None when it was not recorded
        (an article stored before schema 4, and neither refetched nor re-extracted since)."""
        sql = "SELECT provenance FROM articles WHERE post_id = ?"
        with self._errors(f"read article {post_id}"):
            row = self.db.execute(sql, [post_id]).fetchone()
        if row is None or row[0] is None:
            return None
        return dict(_json(row[0], post_id, f"its provenance in {self.path}"))

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
        with self._errors("read articles"):
            for row in self.db.query(sql, params):
                try:
                    record = _from_row(row, self.path)
                except DamagedArticle as error:
                    if damaged is None:
                        raise
                    damaged(error)
                    continue
                yield record

    def versions(self, post_id: int) -> list[dict[str, Any]]:
        """Earlier records of an article, oldest first, each with `seen_at` and `replaced_at`."""
        sql = "SELECT record, seen_at, replaced_at FROM versions WHERE post_id = ? ORDER BY id"
        with self._errors(f"read versions of {post_id}"):
            rows = list(self.db.query(sql, [post_id]))
        what = f"a version in {self.path}"
        return [
            _json(row["record"], post_id, what)
            | {"seen_at": row["seen_at"], "replaced_at": row["replaced_at"]}
            for row in rows
        ]

    # Raw pages

    def save_page(self, page: RawPage, post_id: int, run_id: int | None) -> None:
        """Keep a raw page without a record (say, one extraction failed on), for reextract."""
        with self._errors(f"save page {page.url}"), self.db.atomic():
            self._insert_page(page, post_id, run_id)

    def _insert_page(self, page: RawPage, post_id: int, run_id: int | None) -> None:
        compress, _ = CODECS[DEFAULT_CODEC]
        self.db.execute(
            "INSERT OR IGNORE INTO pages (post_id, url, final_url, status, headers, codec, body,"
            " size, sha256, fetched_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                post_id,
                page.url,
                page.final_url,
                page.status,
                json.dumps(page.headers, ensure_ascii=False),
                DEFAULT_CODEC,
                compress(page.body),
                len(page.body),
                hashlib.sha256(page.body).hexdigest(),
                page.fetched_at,
                run_id,
            ],
        )

    def raw_pages(self, post_id: int) -> list[RawPage]:
        """The stored responses for an article, oldest first, decompressed."""
        sql = "SELECT * FROM pages WHERE post_id = ? ORDER BY fetched_at, id"
        with self._errors(f"read pages of {post_id}"):
            rows = list(self.db.query(sql, [post_id]))
        return [self._raw_page(row) for row in rows]

    def _raw_page(self, row: dict[str, Any]) -> RawPage:
        codec = CODECS.get(row["codec"])
        if codec is None:
            raise ArchiveError(f"page {row['id']} in {self.path} uses unknown codec {row['codec']}")
        what = f"its raw page {row['id']} in {self.path}"
        try:
            body = codec[1](row["body"])
        except (zlib.error, TypeError) as error:
            message = f"article {row['post_id']} is damaged: {what} cannot be read ({error})"
            raise DamagedArticle(row["post_id"], message) from error
        return RawPage(
            url=row["url"],
            final_url=row["final_url"],
            status=row["status"],
            headers=_json(row["headers"], row["post_id"], f"the headers of {what}"),
            body=body,
            fetched_at=row["fetched_at"],
        )

    # Runs

    def start_run(self, options: dict[str, Any]) -> int:
        """A new run, outcome "running"; options are stored as JSON (paths, dates as text)."""
        row = {
            "started_at": self._clock(),
            "outcome": "running",
            "options": json.dumps(options, ensure_ascii=False, default=str, sort_keys=True),
        }
        with self._errors("start a run"):
            run_id = self.db.table("runs").insert(row).last_pk
        assert isinstance(run_id, int)
        return run_id

    def record_failure(
        self, run_id: int | None, url: str, post_id: int | None, reason: str
    ) -> None:
        row = {
            "run_id": run_id,
            "url": url,
            "post_id": post_id,
            "reason": reason,
            "failed_at": self._clock(),
        }
        with self._errors(f"record a failure of {url}"):
            self.db.table("failures").insert(row)

    def finish_run(
        self,
        run_id: int,
        outcome: str,
        counts: dict[str, int],
        fill_rates: dict[str, float] | None,
        warnings: list[str] | None = None,
        generic_share: float | None = None,
    ) -> None:
        """Close a run with its outcome and counts (keys among RUN_COUNTS; missing ones stay 0),
        and the share of its articles that the generic path read, when known."""
        unknown = sorted(set(counts) - set(RUN_COUNTS))
        if unknown:
            raise ValueError(f"unknown run counts {unknown}; expected some of {list(RUN_COUNTS)}")
        row: dict[str, Any] = dict(counts) | {
            "finished_at": self._clock(),
            "outcome": outcome,
            "fill_rates": None if fill_rates is None else json.dumps(fill_rates, sort_keys=True),
            "warnings": json.dumps(warnings or [], ensure_ascii=False),
            "generic_share": generic_share,
        }
        with self._errors(f"finish run {run_id}"):
            self.db.table("runs").update(run_id, row)

    def get_runs(self, limit: int | None = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first, JSON decoded, each with its `failures`."""
        sql = "SELECT * FROM runs ORDER BY id DESC LIMIT ?"
        failures_sql = "SELECT url, post_id, reason FROM failures WHERE run_id = ? ORDER BY id"
        with self._errors("read runs"):
            runs = list(self.db.query(sql, [-1 if limit is None else limit]))
            for run in runs:
                for key in ("options", "fill_rates", "warnings"):
                    run[key] = None if run[key] is None else json.loads(run[key])
                run["failures"] = list(self.db.query(failures_sql, [run["id"]]))
        return runs

    # What a scheduled crawl remembers between runs

    def site_stamps(self) -> dict[int, str | None]:
        """post_id → the site's own time of the archived version (modified, else published).

        Compared with a sitemap's <lastmod>, both on the site's clock, it tells a correction.
        """
        sql = "SELECT post_id, coalesce(modified_at, published_at) FROM articles"
        with self._errors("read articles"):
            return {row[0]: row[1] for row in self.db.execute(sql)}

    def last_complete_run_started(self) -> str | None:
        """When the newest finished, unbounded run began: what it walked needs no second look.

        A run bounded by --since, --max-articles or --section, or one that did not finish,
        walked part of the site only, so the next run walks it all again.
        """
        sql = (
            "SELECT max(started_at) FROM runs WHERE outcome = 'finished'"
            " AND coalesce(json_extract(options, '$.command'), 'crawl') = 'crawl'"
            " AND json_extract(options, '$.since') IS NULL"
            " AND json_extract(options, '$.max_articles') IS NULL"
            " AND coalesce(json_array_length(options, '$.sections'), 0) = 0"
        )
        with self._errors("read runs"):
            started: str | None = self.db.execute(sql).fetchone()[0]
        return started

    def mark_interrupted_runs(self) -> int:
        """Runs still "running" belong to a killed process (the caller holds the lock)."""
        with self._errors("close interrupted runs"), self.db.atomic():
            cursor = self.db.execute(
                "UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'"
            )
        return cursor.rowcount

    def pending_failures(self) -> list[tuple[str, int]]:
        """(url, post_id) of articles that failed in some run and are still not archived."""
        sql = (
            "SELECT url, post_id FROM failures WHERE post_id IS NOT NULL"
            " AND post_id NOT IN (SELECT post_id FROM articles) GROUP BY post_id ORDER BY max(id)"
        )
        with self._errors("read failures"):
            return [(row[0], row[1]) for row in self.db.execute(sql)]

    def pending_page_failures(self) -> list[str]:
        """URLs of the feeds, sitemaps and listings the latest run before this one could not
        read: the next run asks them first (what only they list is not archived yet)."""
        sql = (
            "SELECT DISTINCT url FROM failures WHERE post_id IS NULL AND run_id ="
            " (SELECT max(id) FROM runs WHERE finished_at IS NOT NULL) ORDER BY url"
        )
        with self._errors("read failures"):
            return [row[0] for row in self.db.execute(sql)]

    def urls_published_since(self, since: str) -> list[tuple[str, int]]:
        """(url, post_id) of archived articles published since an ISO 8601 time, for rechecks."""
        sql = "SELECT url, post_id FROM articles WHERE published_at >= ? ORDER BY published_at"
        with self._errors("read articles"):
            return [(row[0], row[1]) for row in self.db.execute(sql, [since])]

    def validators(self) -> dict[str, Validators]:
        """What earlier runs saw of feeds, sitemaps and listings, by URL."""
        sql = "SELECT url, etag, last_modified, lastmod FROM http_validators"
        with self._errors("read validators"):
            return {row[0]: Validators(row[1], row[2], row[3]) for row in self.db.execute(sql)}

    def save_validators(self, found: dict[str, Validators]) -> None:
        now = self._clock()
        rows = [
            {
                "url": url,
                "etag": seen.etag,
                "last_modified": seen.last_modified,
                "lastmod": seen.lastmod,
                "checked_at": now,
            }
            for url, seen in found.items()
        ]
        with self._errors("save validators"), self.db.atomic():
            self.db.table("http_validators").upsert_all(rows, pk="url")

    # Overview

    def stats(self) -> dict[str, Any]:
        """Counts for `bienphong stats`: articles by kind and section, pages, versions, size."""

        def grouped(column: str) -> dict[str, int]:
            sql = f"SELECT {column} AS k, count(*) AS n FROM articles GROUP BY k ORDER BY n DESC, k"
            return {row["k"] or "(none)": row["n"] for row in self.db.query(sql)}

        def count(table: str) -> int:
            return int(self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        with self._errors("read statistics"):
            return {
                "articles": count("articles"),
                "by_kind": grouped("kind"),
                "by_section": grouped("section"),
                "raw_pages": count("pages"),
                "versions": count("versions"),
                "runs": count("runs"),
                "db_bytes": self.size_bytes(),
            }

    def check(self, limit: int = 100) -> list[str]:
        """What is damaged, one line each (at most `limit`): SQLite's integrity check, then
        every record, version and raw page read back (JSON decoded, pages decompressed and
        compared with their sha256). Reads the whole archive: minutes on a large one."""
        problems: list[str] = []
        try:
            found = [row[0] for row in self.db.execute(f"PRAGMA integrity_check({limit})")]
            problems += [f"sqlite: {line}" for line in found if line != "ok"]
        except sqlite3.Error as error:
            problems.append(f"sqlite: {one_line(error)}")
        self.db.conn.text_factory = str  # damaged text is an error here, not U+FFFD
        try:
            for table, read in (
                ("articles", partial(_from_row, path=self.path)),
                ("versions", lambda row: self.versions(row["post_id"])),
                ("pages", self._checked_page),
            ):
                problems += self._check_rows(table, read, limit - len(problems))
        finally:
            self.db.conn.text_factory = _lenient_text
        return problems[:limit]

    def _check_rows(
        self, table: str, read: Callable[[dict[str, Any]], object], limit: int
    ) -> list[str]:
        """Every row of `table` read back by `read`, row by row by rowid, so that one row
        SQLite cannot read (damaged text, a damaged b-tree page) is named and the rest are
        read on."""
        problems: list[str] = []
        last = -1
        while len(problems) < limit:
            sql = f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1000"
            try:
                ids = [row[0] for row in self.db.execute(sql, [last])]
            except sqlite3.Error as error:  # the table's own pages: nothing more to read
                return [*problems, f"{table} after row {last}: {one_line(error)}"]
            if not ids:
                return problems
            for rowid in ids:
                try:
                    row = next(self.db.query(f"SELECT * FROM {table} WHERE rowid = ?", [rowid]))
                except sqlite3.Error as error:
                    name = f"article {rowid}" if table == "articles" else f"{table} row {rowid}"
                    problems.append(f"{name}: {one_line(error)}")
                    continue
                problems += _damage(partial(read, row))
            last = ids[-1]
        return problems

    def _checked_page(self, row: dict[str, Any]) -> None:
        page = self._raw_page(row)
        if hashlib.sha256(page.body).hexdigest() != row["sha256"]:
            raise DamagedArticle(
                row["post_id"],
                f"article {row['post_id']} is damaged: its raw page {row['id']} in {self.path}"
                " does not match its sha256",
            )

    def size_bytes(self) -> int:
        """The archive file plus its write-ahead log, in bytes."""
        files = [self.path, self.path.with_name(self.path.name + "-wal")]
        return sum(file.stat().st_size for file in files if file.exists())
