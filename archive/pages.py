"""The raw pages: every article response as received, compressed, beside the record made of it,
so that re-extraction never needs a recrawl (the `pages` table).

A site's pages share most of their bytes (style sheet, scripts, icons, menus, footer), so each
page is compressed with zstd and a dictionary trained on the archive's own pages, which holds
that markup once: a 250 KB page of the mirror is stored in about a fifth of what zlib makes it
(a first measurement; `bench size` is to report it, issue 30). The dictionaries are rows of
`page_dictionaries`, never changed, and each page names the one it was written with, so it
always reads back.

- Until the archive holds TRAIN_PAGES pages there is no dictionary: pages are stored with zlib.
  The first dictionary is trained from the newest TRAIN_PAGES pages, which it then rewrites.
- When the site's markup changes, its new pages compress far worse than the dictionary did on
  pages it was not trained on: once the last TRAIN_PAGES pages together fall below DRIFT times
  that ratio, a new dictionary is trained from them and rewrites them; older pages keep theirs.
- Pages written before dictionaries (zlib) stay readable; `recompress` rewrites them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from backports import zstd
from sqlite_utils import Database

from archive.dates import parse_iso, utc_iso, utc_now
from archive.errors import ArchiveError, DamagedArticle, stored_json

if TYPE_CHECKING:
    from archive.store import Archive

# Under the project's logger: a crawl writes these lines to its log, stamped like its own.
logger = logging.getLogger("bienphong.archive")

ZLIB_LEVEL = 6  # pages written before dictionaries, or before the archive held enough pages
ZSTD_LEVEL = 12  # levels 15 and up take ten times as long for 3 % less (bench size)
DICTIONARY_BYTES = 256 * 1024  # holds a heavy page's markup; 112 KB held half of it
TRAIN_PAGES = 60  # the pages a dictionary is trained from (every HELD_OUT-th measures it)
HELD_OUT = 6
DRIFT = 0.5  # the newest pages' ratio, as a share of the dictionary's own, that retrains it
RECOMPRESS_BATCH = 200  # pages rewritten a transaction by `recompress`


@dataclass(frozen=True)
class RawPage:
    """An article response as received: what re-extraction needs instead of the network."""

    url: str  # canonical
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes  # uncompressed, as received
    fetched_at: datetime  # aware


@dataclass(frozen=True)
class Dictionary:
    id: int
    ratio: float  # received bytes / stored bytes, on the pages held out of its training
    content: zstd.ZstdDict

    @cached_property
    def compress(self) -> Callable[[bytes], bytes]:
        """Compresses page after page with this dictionary (a writer's, not shared)."""
        return compressor(self.content)


class PageCodec:
    """How one archive's pages are compressed and read back: its newest dictionary, the
    ratio of the pages written since, and every dictionary a page was read with."""

    def __init__(self, db: Database, writes: bool) -> None:
        """A writer reads the current dictionary as the archive opens, outside any transaction:
        a write transaction that began with a read fails at once ("database is locked") if
        another connection checkpointed meanwhile, where one that begins with its write waits
        its turn. A reader (a web request) reads only the dictionaries of the pages it reads."""
        self.db = db
        self._dictionaries: dict[int, zstd.ZstdDict] = {}
        self._current: Dictionary | None = None
        sql = "SELECT id, ratio, content FROM page_dictionaries ORDER BY id DESC LIMIT 1"
        for id_, ratio, content in _rows(db, sql) if writes else ():
            self._current = Dictionary(id_, ratio, zstd.ZstdDict(content))
            self._dictionaries[id_] = self._current.content
        self._latest: deque[tuple[int, int]] = deque(maxlen=TRAIN_PAGES)  # (received, stored)
        self._without: int | None = None  # pages written with no dictionary (counted once)

    def current(self) -> Dictionary | None:
        return self._current

    def compress(self, body: bytes) -> tuple[str, int | None, bytes]:
        """(codec, dictionary id, stored bytes) of a page written now."""
        current = self.current()
        if current is None:
            return "zlib", None, zlib.compress(body, ZLIB_LEVEL)
        return "zstd", current.id, current.compress(body)

    def decompress(self, codec: str, dictionary_id: int | None, data: bytes) -> bytes:
        """The page's bytes; ValueError when they cannot be read (damage), ArchiveError for a
        codec this bienphong does not know."""
        if codec == "zlib":
            try:
                return zlib.decompress(data)
            except zlib.error as error:
                raise ValueError(str(error)) from error
        if codec != "zstd":
            raise ArchiveError(f"unknown codec {codec!r}")
        content = None if dictionary_id is None else self._dictionary(dictionary_id)
        try:
            return zstd.decompress(data, zstd_dict=content)
        except zstd.ZstdError as error:
            raise ValueError(str(error)) from error

    def _dictionary(self, dictionary_id: int) -> zstd.ZstdDict:
        if dictionary_id not in self._dictionaries:
            sql = "SELECT content FROM page_dictionaries WHERE id = ?"
            found = _rows(self.db, sql, [dictionary_id])
            if not found:
                raise ValueError(f"its dictionary {dictionary_id} is not in the archive")
            self._dictionaries[dictionary_id] = zstd.ZstdDict(found[0][0])
        return self._dictionaries[dictionary_id]

    def wrote(
        self, received: int, stored: int, dictionary_id: int | None, run_id: int | None
    ) -> None:
        """Count a page just written, in the writer's transaction; train a dictionary when
        the archive holds enough pages without one, or when the newest pages drifted from it."""
        current = self.current()
        if current is None:
            if self._without is None:
                self._without = int(_rows(self.db, "SELECT count(*) FROM pages")[0][0])
            else:
                self._without += 1
            if self._without >= TRAIN_PAGES:
                self.train(run_id)
            return
        if dictionary_id != current.id:
            return
        self._latest.append((received, stored))
        if len(self._latest) == TRAIN_PAGES:
            ratio = sum(r for r, _ in self._latest) / sum(s for _, s in self._latest)
            if ratio < DRIFT * current.ratio:
                logger.info(
                    "The newest %d raw pages compress only %.1f× with page dictionary %d"
                    " (%.1f× on the pages it was measured on): the site's markup changed, a"
                    " new dictionary is trained",
                    TRAIN_PAGES,
                    ratio,
                    current.id,
                    current.ratio,
                )
                self.train(run_id)

    def train(self, run_id: int | None, rewrite: bool = True) -> Dictionary | None:
        """A new dictionary from the newest TRAIN_PAGES pages, which it rewrites (unless
        `rewrite` is false: `recompress` does); in the caller's transaction. None (and a
        warning) when zstd cannot train one from them: the pages stay as they are, and the
        next TRAIN_PAGES pages try again."""
        sql = "SELECT id, codec, dictionary_id, body FROM pages ORDER BY id DESC LIMIT ?"
        rows = _rows(self.db, sql, [TRAIN_PAGES])
        try:
            bodies = [self.decompress(codec, used, data) for _, codec, used, data in rows]
        except ValueError as error:
            logger.warning("No page dictionary trained: a page does not read back (%s)", error)
            self._without = 0
            return None
        try:
            content, ratio = trained_dictionary(bodies)
        except zstd.ZstdError as error:
            logger.warning("No page dictionary trained from %d pages: %s", len(bodies), error)
            self._without = 0
            return None
        trained_on = len(bodies) - len(bodies[::HELD_OUT])
        stored_id = add_dictionary(self.db, content.dict_content, ratio, trained_on, run_id)
        dictionary = Dictionary(stored_id, ratio, content)
        self._dictionaries[dictionary.id] = content
        for (page_id, *_), body in zip(rows, bodies, strict=True) if rewrite else ():
            data = dictionary.compress(body)
            self.db.execute(
                "UPDATE pages SET codec = 'zstd', dictionary_id = ?, body = ? WHERE id = ?",
                [dictionary.id, data, page_id],
            )
        self._current = dictionary
        self._latest.clear()
        self._without = None
        return dictionary


def trained_dictionary(bodies: list[bytes]) -> tuple[zstd.ZstdDict, float]:
    """A dictionary trained from `bodies` but every HELD_OUT-th, and its ratio (received
    bytes / stored bytes) on those held out; ZstdError when zstd cannot train one."""
    held = bodies[::HELD_OUT]
    trained_on = [body for index, body in enumerate(bodies) if index % HELD_OUT]
    content = zstd.train_dict(trained_on, DICTIONARY_BYTES)
    compress = compressor(content)
    stored = sum(len(compress(body)) for body in held)
    return content, sum(len(body) for body in held) / stored


def compressor(content: zstd.ZstdDict) -> Callable[[bytes], bytes]:
    """A page's bytes compressed with `content`, each a frame of its own. zstd digests the
    dictionary once per compressor: once per page, that was 40 % of a 250 KB page's time."""
    compress = zstd.ZstdCompressor(ZSTD_LEVEL, zstd_dict=content).compress
    return lambda body: compress(body, zstd.ZstdCompressor.FLUSH_FRAME)


def add_dictionary(
    db: Database,
    content: bytes,
    ratio: float,
    trained_on: int,
    run_id: int | None,
    trained_at: str | None = None,
) -> int:
    """A row of `page_dictionaries` for article pages (trained now, unless `trained_at`); its
    id."""
    cursor = db.execute(
        "INSERT INTO page_dictionaries (kind, trained_at, run_id, pages, ratio, size, content)"
        " VALUES ('article', ?, ?, ?, ?, ?, ?)",
        [trained_at or utc_now(), run_id, trained_on, ratio, len(content), content],
    )
    return int(cursor.lastrowid or 0)


def _rows(db: Database, sql: str, parameters: list[Any] | None = None) -> list[Any]:
    """Every row, read to the end: a statement left open holds its snapshot, and a write from
    a connection holding an old snapshot fails at once, "database is locked"."""
    return db.execute(sql, parameters or []).fetchall()


def insert_page(archive: Archive, page: RawPage, post_id: int, run_id: int | None) -> None:
    """The page into the `pages` table, in the caller's transaction (a page kept twice, the
    same response of the same fetch, is kept once)."""
    codec, dictionary_id, data = archive.page_codec.compress(page.body)
    cursor = archive.db.execute(
        "INSERT OR IGNORE INTO pages (post_id, url, final_url, status, headers, codec,"
        " dictionary_id, body, size, sha256, fetched_at, run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            post_id,
            page.url,
            page.final_url,
            page.status,
            json.dumps(page.headers, ensure_ascii=False),
            codec,
            dictionary_id,
            data,
            len(page.body),
            hashlib.sha256(page.body).hexdigest(),
            utc_iso(page.fetched_at),
            run_id,
        ],
    )
    if cursor.rowcount:
        archive.page_codec.wrote(len(page.body), len(data), dictionary_id, run_id)


def save_page(archive: Archive, page: RawPage, post_id: int, run_id: int | None) -> None:
    """Keep a raw page without a record (say, one extraction failed on), for reextract."""
    with archive.doing(f"save page {page.url}"), archive.db.atomic():
        insert_page(archive, page, post_id, run_id)


def raw_pages(archive: Archive, post_id: int) -> list[RawPage]:
    """The stored responses for an article, oldest first, decompressed."""
    sql = "SELECT * FROM pages WHERE post_id = ? ORDER BY fetched_at, id"
    with archive.doing(f"read pages of {post_id}"):
        rows = list(archive.db.query(sql, [post_id]))
        return [raw_page_of(row, archive) for row in rows]


def raw_page_of(row: dict[str, Any], archive: Archive) -> RawPage:
    """The page a row of `pages` holds; DamagedArticle when it cannot be read back."""
    what = f"its raw page {row['id']} in {archive.path}"
    try:
        body = archive.page_codec.decompress(row["codec"], row["dictionary_id"], row["body"])
    except ArchiveError as error:
        raise ArchiveError(f"page {row['id']} in {archive.path}: {error}") from None
    except (ValueError, TypeError) as error:
        message = f"article {row['post_id']} is damaged: {what} cannot be read ({error})"
        raise DamagedArticle(row["post_id"], message) from error
    fetched_at = parse_iso(row["fetched_at"], UTC)
    if fetched_at is None:
        message = f"article {row['post_id']} is damaged: {what} has no fetch time"
        raise DamagedArticle(row["post_id"], message)
    return RawPage(
        url=row["url"],
        final_url=row["final_url"],
        status=row["status"],
        headers=stored_json(row["headers"], row["post_id"], f"the headers of {what}"),
        body=body,
        fetched_at=fetched_at,
    )


def check_page(row: dict[str, Any], archive: Archive) -> None:
    """DamagedArticle unless the row's page reads back to the bytes its sha256 names."""
    page = raw_page_of(row, archive)
    if hashlib.sha256(page.body).hexdigest() != row["sha256"]:
        raise DamagedArticle(
            row["post_id"],
            f"article {row['post_id']} is damaged: its raw page {row['id']} in {archive.path}"
            " does not match its sha256",
        )


@dataclass
class Recompressed:
    pages: int = 0
    before: int = 0  # stored bytes of the pages rewritten
    after: int = 0
    damaged: int = 0  # pages that do not read back: left as they are, for `stats --check`


def recompress(
    archive: Archive, step: Callable[[Recompressed], object] | None = None
) -> Recompressed:
    """Rewrite the pages written with zlib with the current dictionary (training one first
    when there is none), RECOMPRESS_BATCH pages a transaction: interrupted, what was done
    stays done and the next call goes on from there."""
    done = Recompressed()
    with archive.doing("recompress raw pages"):
        if archive.page_codec.current() is None:
            with archive.db.atomic():
                if archive.page_codec.train(None, rewrite=False) is None:
                    raise ArchiveError(
                        f"no dictionary could be trained from the pages of {archive.path}"
                        f" (it needs {TRAIN_PAGES})"
                    )
        last = 0
        while True:
            sql = (
                "SELECT id, sha256, body FROM pages"
                " WHERE codec = 'zlib' AND id > ? ORDER BY id LIMIT ?"
            )
            rows = _rows(archive.db, sql, [last, RECOMPRESS_BATCH])
            if not rows:
                return done
            with archive.db.atomic():
                for page_id, sha256, data in rows:
                    try:
                        body = archive.page_codec.decompress("zlib", None, data)
                    except ValueError:
                        body = b""
                    if hashlib.sha256(body).hexdigest() != sha256:
                        done.damaged += 1
                        continue
                    codec, dictionary_id, packed = archive.page_codec.compress(body)
                    archive.db.execute(
                        "UPDATE pages SET codec = ?, dictionary_id = ?, body = ? WHERE id = ?",
                        [codec, dictionary_id, packed, page_id],
                    )
                    done.pages += 1
                    done.before += len(data)
                    done.after += len(packed)
            last = rows[-1][0]
            if step is not None:
                step(done)


def give_space_back(archive: Archive) -> str:
    """Return the pages freed inside the file to the disk: at once on an archive made with
    incremental auto-vacuum (every archive since schema 12), else by one VACUUM that also turns
    it on for next time (it rewrites the file: it needs as much free space as the archive).
    What was done, for the user."""
    before = archive.size_bytes()
    with archive.doing("give the freed space back"):
        mode = _rows(archive.db, "PRAGMA auto_vacuum")[0][0]
        if mode == 2:  # incremental
            # stepped to the end only as a script: execute() frees a single page
            archive.db.conn.executescript("PRAGMA incremental_vacuum;")
            how = "incremental vacuum"
        else:
            archive.db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            archive.db.execute("VACUUM")
            how = "VACUUM"
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return f"{how}: {before / 1e6:,.1f} MB → {archive.size_bytes() / 1e6:,.1f} MB"


def page_figures(archive: Archive) -> dict[str, Any]:
    """For `stats`: the raw pages by codec (count, received and stored bytes) and the
    dictionaries (when trained, from how many pages, their ratio, the pages written with
    each)."""
    sql = (
        "SELECT codec, dictionary_id, count(*), sum(size), sum(length(body)) FROM pages"
        " GROUP BY codec, dictionary_id ORDER BY codec, dictionary_id"
    )
    by_dictionary: dict[int | None, tuple[int, int, int]] = {}
    codecs: dict[str, dict[str, int]] = {}
    for codec, used, count, received, stored in archive.db.execute(sql):
        figures = codecs.setdefault(codec, {"pages": 0, "received_bytes": 0, "stored_bytes": 0})
        figures["pages"] += count
        figures["received_bytes"] += received or 0
        figures["stored_bytes"] += stored or 0
        by_dictionary[used] = (count, received or 0, stored or 0)
    sql = "SELECT id, trained_at, pages, ratio, size FROM page_dictionaries ORDER BY id"
    dictionaries = [
        {
            "id": id_,
            "trained_at": trained_at,
            "trained_on": pages,
            "ratio": round(ratio, 2),
            "bytes": size,
            "pages": by_dictionary.get(id_, (0, 0, 0))[0],
            "stored_bytes": by_dictionary.get(id_, (0, 0, 0))[2],
        }
        for id_, trained_at, pages, ratio, size in archive.db.execute(sql)
    ]
    return {"codecs": codecs, "dictionaries": dictionaries}
