"""The archive's own tables: runs and their failures, articles, their raw pages and earlier
versions (version 1), what feeds, sitemaps and listings said of themselves (version 2),
where each field of an article came from (version 4), a run's account as it goes
(version 8), and a whole walk of the site as it goes, to be resumed (version 9)."""

from __future__ import annotations

from sqlite_utils import Database

from archive.schema.fields import ARTICLE_FIELDS, ARTICLE_TIMES


def create_v1(db: Database) -> None:
    """Runs, failures, articles, their raw pages and their earlier versions."""
    db.table("runs").create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "outcome": str,  # running, ok, failed, interrupted
            "options": str,  # JSON object
            "pages_fetched": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "failed": int,
            "fill_rates": str,  # JSON object field -> fraction, or null
            "warnings": str,  # JSON list of strings
        },
        pk="id",
        not_null=["started_at", "outcome", "options"],
        defaults={
            "pages_fetched": 0,
            "new": 0,
            "updated": 0,
            "unchanged": 0,
            "failed": 0,
            "warnings": "[]",
        },
    )
    db.table("failures").create(
        {"id": int, "run_id": int, "url": str, "post_id": int, "reason": str, "failed_at": str},
        pk="id",
        not_null=["url", "reason", "failed_at"],
        foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("failures").create_index(["run_id"])
    db.table("failures").create_index(["post_id"])

    columns: dict[str, type] = {
        name: int if name in ("post_id", "word_count") else str for name in ARTICLE_FIELDS
    }
    db.table("articles").create(
        columns | dict.fromkeys(ARTICLE_TIMES, str),
        pk="post_id",
        not_null=["url", "kind", "title", "body", "authors", "tags", "images", *ARTICLE_TIMES],
    )
    db.table("articles").create_index(["published_at", "post_id"])
    db.table("articles").create_index(["section"])

    db.table("pages").create(
        {
            "id": int,
            "post_id": int,
            "url": str,  # canonical
            "final_url": str,  # after redirects, as fetched
            "status": int,
            "headers": str,  # JSON object
            "codec": str,  # how `body` is compressed: see archive.pages
            "body": bytes,
            "size": int,  # uncompressed bytes
            "sha256": str,  # of the uncompressed body
            "fetched_at": str,
            "run_id": int,
        },
        pk="id",
        not_null=[
            "post_id",
            "url",
            "status",
            "headers",
            "codec",
            "body",
            "size",
            "sha256",
            "fetched_at",
        ],
        foreign_keys=[("run_id", "runs", "id")],
    )
    # The same response stored twice is one row: saving a page is idempotent.
    db.table("pages").create_index(["post_id", "fetched_at", "sha256"], unique=True)

    db.table("versions").create(
        {
            "id": int,
            "post_id": int,
            "record": str,  # JSON: the replaced article record, article-record keys
            "seen_at": str,  # when that record became current
            "replaced_at": str,
            "run_id": int,
        },
        pk="id",
        not_null=["post_id", "record", "seen_at", "replaced_at"],
        foreign_keys=[("post_id", "articles", "post_id"), ("run_id", "runs", "id")],
    )
    db.table("versions").create_index(["post_id", "id"])


def create_v2(db: Database) -> None:
    """What scheduled crawls remember between runs: validators of feeds, sitemaps and listings.

    A later run sends them back (If-None-Match / If-Modified-Since), so an unchanged page costs
    the site a 304 and the crawl nothing; `lastmod` is what the sitemap index said of a child
    sitemap, which is not fetched again while the index says the same.
    """
    db.table("http_validators").create(
        {"url": str, "etag": str, "last_modified": str, "lastmod": str, "checked_at": str},
        pk="url",
        not_null=["checked_at"],
    )


def create_v4(db: Database) -> None:
    """Where each field of an article came from, and how many of a run's articles the generic
    path read.

    `articles.provenance` is a JSON object, field -> the rule or heuristic that gave it
    ("rules:A-2020", "generic:byline", ...); null for articles stored before it was recorded.
    It sits beside the record, not in it: the record's keys are the contract's.
    `runs.generic_share` is the share of a run's articles with fields that came from the
    generic path: a jump there is the first sign of a redesign.
    """
    db.execute("ALTER TABLE articles ADD COLUMN provenance TEXT")
    db.execute("ALTER TABLE runs ADD COLUMN generic_share REAL")


def create_v8(db: Database) -> None:
    """A run's account, written as the run goes: its failures by kind (`failed` stays their
    sum), when its counts were last written, why it ended as it did (`reason`: the site
    unreachable, the signal that stopped it, the write that failed), and how many of its
    articles each template of the site rules read (`templates`, a JSON object: drift). Runs of
    earlier versions take their failures by kind from the failures table."""
    db.execute("ALTER TABLE runs ADD COLUMN failed_articles INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE runs ADD COLUMN failed_pages INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE runs ADD COLUMN counted_at TEXT")
    db.execute("ALTER TABLE runs ADD COLUMN reason TEXT")
    db.execute("ALTER TABLE runs ADD COLUMN templates TEXT")
    db.execute(
        "UPDATE runs SET"
        " failed_articles = (SELECT count(*) FROM failures f"
        "  WHERE f.run_id = runs.id AND f.post_id IS NOT NULL),"
        " failed_pages = (SELECT count(*) FROM failures f"
        "  WHERE f.run_id = runs.id AND f.post_id IS NULL),"
        " counted_at = finished_at"
    )


def create_v9(db: Database) -> None:
    """A whole walk of the site (the first crawl, or --full) as it goes, so that one cut short
    resumes where it stopped (`archive.walk`): the walk (`walk`, one row at most), the feeds,
    sitemaps and listing pages it asked for and whether each was read (with what a read one
    said of itself), and the articles it asked for. Forgotten when the walk finishes."""
    db.table("walk").create(
        # run_id: the run that carries the walk on now (a finished one finished the walk)
        {"id": int, "begun_run": int, "begun_at": str, "refetch": int, "run_id": int},
        pk="id",
        not_null=["begun_run", "begun_at", "refetch", "run_id"],
    )
    db.table("walk_pages").create(
        {
            "url": str,
            "role": str,  # the spider's request role: feed, sitemap, month-sitemap, listing, tag
            "section": str,  # a feed's section
            "lastmod": str,  # a child sitemap's <lastmod> in its index
            "read": int,
            "validated": int,  # it sent what the next run sends back (a 200 or 304 answer)
            "etag": str,
            "last_modified": str,
        },
        pk="url",
        not_null=["role", "read", "validated"],
        defaults={"read": 0, "validated": 0},
    )
    db.table("walk_articles").create(
        {"post_id": int, "url": str, "section_hint": str}, pk="post_id", not_null=["url"]
    )


def create_v11(db: Database) -> None:
    """Which run wrote each article's current version (`articles.run_id`: the crawl or
    reextract that first stored it or last changed it; None for a row another tool wrote), so
    an export can follow the crawls (`export --run N`, `--changed-since`). An older archive's
    articles get the last run begun before they were last written: runs take the archive one
    at a time."""
    db.execute("ALTER TABLE articles ADD COLUMN run_id INTEGER REFERENCES runs(id)")
    db.execute(
        "UPDATE articles SET run_id = (SELECT max(id) FROM runs"
        " WHERE runs.started_at <= articles.updated_at)"
    )
    db.execute("CREATE INDEX idx_articles_run_id ON articles (run_id)")
    db.execute("CREATE INDEX idx_articles_updated_at ON articles (updated_at)")


def create_v12(db: Database) -> None:
    """Raw pages compressed with zstd and a dictionary trained on the archive's own pages
    (`archive.pages`): the dictionaries (`page_dictionaries`: what kind of page each is for,
    when and from how many pages it was trained, the ratio it gave pages held out of its
    training, its bytes), and the one each page was written with (`pages.dictionary_id`; none
    for zlib). Pages written before stay zlib until `bienphong stats --recompress`."""
    db.table("page_dictionaries").create(
        {
            "id": int,
            "kind": str,  # article: the pages table holds article pages
            "trained_at": str,
            "run_id": int,  # the run that wrote the page that prompted it; none for recompress
            "pages": int,  # trained from
            "ratio": float,  # received bytes / stored bytes on pages held out of its training
            "size": int,
            "content": bytes,
        },
        pk="id",
        not_null=["kind", "trained_at", "pages", "ratio", "size", "content"],
    )
    db.execute(
        "ALTER TABLE pages ADD COLUMN dictionary_id INTEGER REFERENCES page_dictionaries(id)"
    )
