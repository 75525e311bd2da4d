"""`bienphong serve`: a read-only reader's site over the archive (Starlette, Jinja2, uvicorn).

Every request opens the archive read-only (SQLite `mode=ro`, and `query_only` on top), so
nothing reached from the web can write to it; only GET and HEAD are routed. Templates escape
everything (titles and bodies come from the site, and are untrusted), and a strict
Content-Security-Policy forbids scripts, frames and anything not served from here: the
articles' images are links to the site, never loaded by the page.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive import search as archive_search
from archive.atom import Entry, Feed, atom_document
from archive.dates import DateError, parse_day, parse_iso
from archive.errors import ArchiveError
from archive.formats import write_csv
from archive.schema import ARTICLE_FIELDS
from archive.search import MAX_OFFSET, Filters, QueryError
from archive.site import MAX_POST_ID, SECTION_NAMES, SITE_TZ
from archive.store import Archive

PAGE_SIZE = 20
STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
# Starlette's own error texts (its router and static files), as the reader's page says them.
HTTP_ERRORS = {
    "Not Found": "Không có trang này.",
    "Method Not Allowed": "Trang này chỉ cho phép đọc (GET, HEAD).",
}
# Query parameters of a result set, in the order links write them.
PARAMS = ("q", "section", "author", "tag", "since", "until", "sort")
# The orders a results page offers, in the reader's words.
SORT_NAMES = {"relevance": "Phù hợp nhất", "newest": "Mới nhất", "oldest": "Cũ nhất"}


def marked(segments: list[tuple[str, bool]]) -> Markup:
    """Highlight segments as HTML: every piece escaped, the matched words in <mark>."""
    return Markup("").join(
        Markup("<mark>{}</mark>").format(text) if hit else escape(text) for text, hit in segments
    )


def vn_date(value: str | None, with_time: bool = True) -> str:
    """`2025-02-14T16:30:00+07:00` as a Vietnamese reader writes it, on the site's clock:
    `14/02/2025 16:30` (the archive's own UTC times, such as a fetch, moved to it)."""
    moment = parse_iso(value)
    if moment is None:
        return "không rõ ngày"
    if moment.tzinfo is not None:
        moment = moment.astimezone(SITE_TZ)
    return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


# An intertitle is a paragraph of its own in the record's body (shared/article-record.md): a
# short line that is not a sentence. The page shows it as a heading.
INTERTITLE_WORDS = 15
_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";", ",")


def is_intertitle(paragraph: str) -> bool:
    """Whether a paragraph of the body reads as an intertitle: one short line that does not
    end as a sentence does, and is no note in brackets (`(Còn nữa)`)."""
    text = paragraph.strip()
    return (
        0 < len(text.split()) <= INTERTITLE_WORDS
        and "\n" not in text
        and not text.rstrip("”\"'’»").endswith(_SENTENCE_ENDS)
        and not text.startswith(("(", "["))
    )


def vn_month(month: str) -> str:
    """`2025-02` as a Vietnamese reader writes it: `tháng 2/2025`."""
    year, number = month.split("-")
    return f"tháng {int(number)}/{year}"


def section_name(slug: str | None) -> str:
    """A section as the site names it (`kinh-te` → Kinh tế); an unknown slug as it is."""
    return SECTION_NAMES.get(slug or "", slug or "")


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("archive", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(marked=marked, vn_date=vn_date, vn_month=vn_month, section_name=section_name)
    env.tests["intertitle"] = is_intertitle
    return env


class ServeError(Exception):
    """The server cannot start (say, its port is taken); the message is one line."""


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode() not in SECURITY_HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class Site:
    """The pages, over one archive file opened anew, read-only, for each request."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.env = environment()
        with self.archive():  # a missing or foreign archive stops `serve` before it listens
            pass

    @contextmanager
    def archive(self) -> Iterator[Archive]:
        with Archive(self.db, readonly=True) as archive:
            archive.db.execute("PRAGMA query_only = ON")
            yield archive

    def render(self, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=code)

    # Pages

    def home(self, request: Request) -> Response:
        with self.archive() as archive:
            latest = archive_search.search(archive, Filters(), limit=PAGE_SIZE)
            # The sections only: the author and tag facets would each join every article.
            sections = archive_search.facets(archive, Filters(), size=20, named=())["section"]
        # Its next pages are the search's without words: the newest first.
        return self.render(
            "home.html",
            latest=latest,
            sections=sections,
            params={},
            page=1,
            pages=max(1, math.ceil(latest.total / PAGE_SIZE)),
            link=lambda **changes: "/search?" + query_string({}, **changes),
        )

    def _results(self, request: Request, whole: bool = False) -> Results:
        """One page of results as the URL asks for it (past the last page, the last page),
        with `whole` the hits' records too; QueryError or DateError when the URL's query or
        dates cannot be used."""
        params = {name: request.query_params.get(name, "").strip() for name in PARAMS}
        page = page_number(request.query_params.get("page", "1"))
        filters = filters_of(params)
        sort = sort_of(params)
        with self.archive() as archive:
            found, facets = archive_search.results(
                archive, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, sort=sort
            )
            pages = max(1, math.ceil(found.total / PAGE_SIZE))
            if page > pages:  # past the last page: the last page
                page = pages
                hits = archive_search.page(
                    archive, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, sort=sort
                )
                found = archive_search.Page(hits, found.total)
            # For the machine answers, the page's articles whole (20 rows).
            records = [archive.get_article(hit.post_id) for hit in found.hits] if whole else []
        return Results(params, sort, found, facets, page, pages, records)

    def results(self, request: Request) -> Response:
        try:
            got = self._results(request)
        except (QueryError, DateError) as error:
            params = {name: request.query_params.get(name, "").strip() for name in PARAMS}
            return self.render("search.html", 400, params=params, error=error.vietnamese)
        params = got.params
        return self.render(
            "search.html",
            params=params,
            found=got.found,
            facets=got.facets,
            page=got.page,
            pages=got.pages,
            first=(got.page - 1) * PAGE_SIZE + 1,
            link=lambda **changes: "/search?" + query_string(params, **changes),
            export="/export.jsonl?" + query_string(params),
            machine={suffix: got.link(suffix) for suffix in (".json", ".csv")},
            feed="/search.atom?" + query_string({k: params[k] for k in FEED_PARAMS}),
            feed_title=feed_title(params),
            month_range=month_range,
            sort=got.sort,
            sorts=SORT_NAMES,
        )

    def results_json(self, request: Request) -> Response:
        """A results page as JSON: `total`, `results` (each hit's record but the body, with
        its snippet, matched words between `**`, and its rank), `facets` (each a list of
        `{"value", "count"}`), `next` and `previous` (URLs, or null)."""
        try:
            got = self._results(request, whole=True)
        except (QueryError, DateError) as error:
            return json_error(400, str(error), error.vietnamese)
        base = str(request.base_url).rstrip("/")

        def page_url(number: int) -> str | None:
            return base + got.link(".json", page=number) if 1 <= number <= got.pages else None

        results = [
            {k: v for k, v in record.items() if k != "body"}
            | {"snippet": archive_search.plain(hit.snippet), "rank": hit.rank}
            for hit, record in zip(got.found.hits, got.records, strict=True)
            if record is not None
        ]
        facets = {
            kind: [{"value": value, "count": count} for value, count in counted]
            for kind, counted in got.facets.items()
        }
        return JSONResponse(
            {
                "total": got.found.total,
                "results": results,
                "facets": facets,
                "next": page_url(got.page + 1),
                "previous": page_url(got.page - 1),
            }
        )

    def results_csv(self, request: Request) -> Response:
        """A results page as CSV: the export's columns but the body, its byte-order mark
        and its guard against formulas."""
        try:
            got = self._results(request, whole=True)
        except (QueryError, DateError) as error:
            return Response(f"{error.vietnamese}\n", 400, media_type="text/plain; charset=utf-8")
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheets then read Vietnamese correctly, as the export's
        write_csv((r for r in got.records if r is not None), out, fields=CSV_FIELDS)
        headers = {"content-disposition": 'attachment; filename="bienphong-search.csv"'}
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)

    def article(self, request: Request) -> Response:
        post_id = request.path_params["post_id"]
        q = request.query_params.get("q", "")
        with self.archive() as archive:
            record = self._record(archive, post_id)
            versions = archive.versions(post_id)
        try:
            query = archive_search.parse(q)
        except QueryError:
            query = None
        matchers = query.matchers if query else []
        return self.render(
            "article.html",
            record=record,
            versions=versions,
            params={"q": q},
            mark=lambda text: marked(archive_search.highlight(text, matchers)),
        )

    def feed(self, request: Request) -> Response:
        """The search's Atom feed: its FEED_SIZE latest written matches, newest first. It
        changes only when a crawl adds or corrects a match; ETag and Last-Modified let a poll
        that finds nothing new cost a 304."""
        params = {name: request.query_params.get(name, "").strip() for name in FEED_PARAMS}
        try:
            filters = filters_of(params | {"sort": ""})
        except (QueryError, DateError) as error:
            return Response(f"{error.vietnamese}\n", 400, media_type="text/plain; charset=utf-8")
        with self.archive() as archive:
            latest = archive_search.latest_written(archive, filters, FEED_SIZE)
        written = [(record["post_id"], moment) for moment, record in latest]
        tag = hashlib.sha256(repr((sorted(params.items()), written)).encode()).hexdigest()
        validators = {"etag": f'"{tag[:32]}"', "cache-control": "no-cache"}
        newest = parse_iso(latest[0][0]) if latest else None
        if newest is not None:
            validators["last-modified"] = format_datetime(newest.astimezone(UTC), usegmt=True)
        if not_modified(request, validators["etag"], newest):
            return Response(status_code=304, headers=validators)
        base = str(request.base_url).rstrip("/")
        named = query_string(params)
        document = atom_document(
            Feed(
                id=f"{base}/search.atom?{named}",
                title=feed_title(params),
                page=f"{base}/search?{named}",
                updated=latest[0][0] if latest else EMPTY_FEED_UPDATED,
                entries=tuple(feed_entry(base, moment, record) for moment, record in latest),
            )
        )
        return Response(
            document, media_type="application/atom+xml; charset=utf-8", headers=validators
        )

    def article_json(self, request: Request) -> Response:
        """An article as JSON: its record, as `bienphong show --json` prints it."""
        with self.archive() as archive:
            return JSONResponse(self._record(archive, request.path_params["post_id"]))

    def _record(self, archive: Archive, post_id: int) -> dict[str, Any]:
        """The article's record; a 404 when the archive has no such article."""
        # Past MAX_POST_ID: no such article, and no such integer for SQLite.
        record = archive.get_article(post_id) if post_id <= MAX_POST_ID else None
        if record is None:
            raise HTTPException(404, f"Không có bài {post_id} trong kho lưu trữ.")
        return record

    async def export(self, request: Request) -> Response:
        """The result set as JSON lines, streamed: one article record a line, oldest first."""
        params = {name: request.query_params.get(name, "").strip() for name in PARAMS}
        try:
            filters = filters_of(params)
        except (QueryError, DateError) as error:
            return Response(f"{error.vietnamese}\n", 400, media_type="text/plain; charset=utf-8")
        headers = {"content-disposition": 'attachment; filename="bienphong.jsonl"'}
        return StreamingResponse(
            self._lines(filters), media_type="application/x-ndjson; charset=utf-8", headers=headers
        )

    async def _lines(self, filters: Filters) -> AsyncIterator[bytes]:
        # The connection stays on the event loop's thread, as sqlite3 wants, batch by batch.
        with self.archive() as archive:
            batch: list[str] = []
            for record in archive_search.records(archive, filters):
                batch.append(json.dumps(record, ensure_ascii=False) + "\n")
                if len(batch) == 200:
                    yield "".join(batch).encode()
                    batch = []
            yield "".join(batch).encode()

    def error(self, request: Request, exc: Exception) -> Response:
        """The error page, in Vietnamese: 4xx as Starlette or a page raised it, 503 when the
        archive cannot be read (say, it was damaged or moved while serving), else 500."""
        if isinstance(exc, HTTPException):
            status, detail = exc.status_code, HTTP_ERRORS.get(exc.detail, exc.detail)
        elif isinstance(exc, ArchiveError):
            status, detail = 503, "Không đọc được kho lưu trữ lúc này."
        else:
            status, detail = 500, "Lỗi máy chủ."
        if request.url.path.endswith(".json"):  # a machine asked: a machine's answer
            return json_error(status, HTTP_PHRASES.get(status, "error"), detail)
        return self.render("error.html", status, status=status, detail=detail, params={})


@dataclass(frozen=True)
class Results:
    """One page of results, as the URL asked for it."""

    params: dict[str, str]  # the URL's parameters of a result set (PARAMS)
    sort: str
    found: archive_search.Page
    facets: dict[str, list[tuple[str, int]]]
    page: int
    pages: int
    records: list[dict[str, Any] | None]  # the hits' records when asked (None: gone since)

    def link(self, suffix: str = "", **changes: str | int | None) -> str:
        """This result set's URL (`suffix` `.json` or `.csv` for a machine's), with changes."""
        return f"/search{suffix}?" + query_string(self.params, **({"page": self.page} | changes))


# The CSV of a results page: the export's columns but the body.
CSV_FIELDS = tuple(key for key in ARTICLE_FIELDS if key != "body")
# What a JSON error says in English, by status (the Vietnamese is the page's).
HTTP_PHRASES = {
    400: "bad request",
    404: "not found",
    405: "method not allowed",
    500: "server error",
    503: "the archive cannot be read now",
}


def json_error(status: int, error: str, vietnamese: str) -> JSONResponse:
    """An error as the JSON answers give it: the status, and what went wrong in English and
    in Vietnamese (as the page says it)."""
    return JSONResponse({"status": status, "error": error, "vietnamese": vietnamese}, status)


# A feed of a search: the latest written matches it holds, and what it answers to.
FEED_SIZE = 50
FEED_PARAMS = tuple(name for name in PARAMS if name != "sort")  # its own order: as written
EMPTY_FEED_UPDATED = "2000-01-01T00:00:00+00:00"  # fixed, so an empty feed never changes


def not_modified(request: Request, etag: str, newest: datetime | None) -> bool:
    """Whether the reader's copy is current: its If-None-Match names this ETag, or (without
    one) its If-Modified-Since is no earlier than the newest entry (to the second)."""
    asked = request.headers.get("if-none-match")
    if asked is not None:
        return etag in {value.strip().removeprefix("W/") for value in asked.split(",")}
    since = request.headers.get("if-modified-since")
    if since is None or newest is None:
        return False
    try:
        known = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return known.tzinfo is not None and known >= newest.replace(microsecond=0)


def feed_title(params: dict[str, str]) -> str:
    """What the feed follows, in the reader's words: `Báo Biên phòng – "ma túy", Quốc tế`."""
    parts = [f"“{params['q']}”" if params["q"] else "bài mới"]
    parts += [section_name(params["section"])] if params["section"] else []
    parts += [params[name] for name in ("author", "tag") if params[name]]
    return "Báo Biên phòng – " + ", ".join(parts)


def feed_entry(base: str, written: str, record: dict[str, Any]) -> Entry:
    """An article as a feed entry: when the archive wrote it, and its published date shown."""
    shown = vn_date(record["published_at"])
    return Entry(
        id=record["url"],
        title=record["title"],
        link=f"{base}/article/{record['post_id']}",
        site_link=record["url"],
        updated=written,
        published=record["published_at"],
        summary=f"{shown} · {record['sapo']}" if record["sapo"] else shown,
        authors=tuple(record["authors"]),
        category=section_name(record["section"]) or None,
    )


def page_number(text: str) -> int:
    """A results page number from the URL: 1 for anything that is not one, at most the page
    that MAX_OFFSET reaches (a later one is clamped to the last page once the total is known)."""
    number = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 1
    return min(max(number, 1), MAX_OFFSET // PAGE_SIZE + 1)


def filters_of(params: dict[str, str]) -> Filters:
    """The form's fields as search filters: dates are days (YYYY-MM-DD or Nd), until inclusive."""
    return Filters.for_days(
        params["q"],
        parse_day(params["since"]) if params["since"] else None,
        parse_day(params["until"]) if params["until"] else None,
        (params["section"],) if params["section"] else (),
        (params["author"],) if params["author"] else (),
        tags=(params["tag"],) if params["tag"] else (),
    )


def sort_of(params: dict[str, str]) -> str:
    """The order asked for: relevance when there are words to rank, else newest first."""
    default = "relevance" if params["q"] else "newest"
    sort = params["sort"] or default
    if sort not in SORT_NAMES:
        raise QueryError(
            f"unknown sort {sort!r}", f"Không có cách xếp {sort!r}: chọn Mới nhất, Cũ nhất."
        )
    return sort


def query_string(params: dict[str, str], **changes: str | int | None) -> str:
    merged: dict[str, Any] = {k: v for k, v in params.items() if v} | changes
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def month_range(month: str) -> dict[str, str]:
    """`2025-02` as the since/until of its first and last day; no bounds for a month that is
    none (the facets hold only the years a newspaper carries)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
    except ValueError:
        return {}
    return {
        "since": first.isoformat(),
        "until": date.fromordinal(following.toordinal() - 1).isoformat(),
    }


def create_app(db: Path) -> ASGIApp:
    """The reader's site over the archive at `db`; ArchiveError when it cannot be read."""
    site = Site(db)
    app = Starlette(
        routes=[
            Route("/", site.home),
            Route("/search", site.results),
            Route("/search.json", site.results_json),
            Route("/search.csv", site.results_csv),
            Route("/search.atom", site.feed),
            Route("/article/{post_id:int}", site.article),
            Route("/article/{post_id:int}.json", site.article_json),
            Route("/export.jsonl", site.export),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={HTTPException: site.error, ArchiveError: site.error, 500: site.error},
    )
    # Outside Starlette's own stack: its 500 answer comes from the outermost layer, which
    # middleware added with add_middleware never sees.
    return SecurityHeaders(app)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (port 0: any free one); ServeError when it cannot be.

    Bound here, before uvicorn starts, so an address in use is one line and the address
    printed is the one bound."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except (UnicodeError, ValueError) as error:  # not a host name: a label too long, a NUL
        raise ServeError(f"cannot listen on {host!r}: not a host name ({error})") from error
    except OSError as error:  # socket.gaierror included
        # create_server appends the address to strerror: the errno's own words are enough.
        gai = isinstance(error, socket.gaierror)
        reason = error.strerror if gai or not error.errno else os.strerror(error.errno)
        raise ServeError(f"cannot listen on {host} port {port}: {reason}") from error


def serve(db: Path, host: str, port: int) -> None:
    """Serve until interrupted (Ctrl-C)."""
    app = create_app(db)
    listener = listen(host, port)
    address = f"[{host}]" if ":" in host else host
    bound = listener.getsockname()[1]
    print(f"bienphong: serving {db} read-only on http://{address}:{bound}/ (Ctrl-C stops)")
    sys.stdout.flush()
    config = uvicorn.Config(app, log_level="warning", server_header=False)
    with listener:
        uvicorn.Server(config).run(sockets=[listener])


__all__ = ["ArchiveError", "ServeError", "create_app", "serve"]
