"""`bienphong serve`: a read-only reader's site over the archive (Starlette, Jinja2, uvicorn).

Every request opens the archive read-only (SQLite `mode=ro`, and `query_only` on top), so
nothing reached from the web can write to it; only GET and HEAD are routed. Templates escape
everything (titles and bodies come from the site, and are untrusted), and a strict
Content-Security-Policy forbids scripts, frames and anything not served from here: the
articles' images are links to the site, never loaded by the page.
"""

from __future__ import annotations

import json
import math
import os
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive import search as archive_search
from archive.dates import DateError, parse_day, parse_iso
from archive.errors import ArchiveError
from archive.search import MAX_OFFSET, Filters, QueryError
from archive.site import MAX_POST_ID, SECTION_NAMES
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
    """`2025-02-14T16:30:00+07:00` as a Vietnamese reader writes it: `14/02/2025 16:30`."""
    moment = parse_iso(value)
    if moment is None:
        return "không rõ ngày"
    return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


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
        return self.render("home.html", latest=latest, sections=sections, params={})

    def results(self, request: Request) -> Response:
        params = {name: request.query_params.get(name, "").strip() for name in PARAMS}
        page = page_number(request.query_params.get("page", "1"))
        try:
            filters = filters_of(params)
            sort = sort_of(params)
        except (QueryError, DateError) as error:
            return self.render("search.html", 400, params=params, error=error.vietnamese)
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
        return self.render(
            "search.html",
            params=params,
            found=found,
            facets=facets,
            page=page,
            pages=pages,
            first=(page - 1) * PAGE_SIZE + 1,
            link=lambda **changes: "/search?" + query_string(params, **changes),
            export="/export.jsonl?" + query_string(params),
            month_range=month_range,
            sort=sort,
            sorts=SORT_NAMES,
        )

    def article(self, request: Request) -> Response:
        post_id = request.path_params["post_id"]
        if post_id > MAX_POST_ID:  # no such article, and no such integer for SQLite
            raise HTTPException(404, f"Không có bài {post_id} trong kho lưu trữ.")
        q = request.query_params.get("q", "")
        with self.archive() as archive:
            record = archive.get_article(post_id)
            versions = archive.versions(post_id) if record else []
        if record is None:
            raise HTTPException(404, f"Không có bài {post_id} trong kho lưu trữ.")
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
        return self.render("error.html", status, status=status, detail=detail, params={})


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
            Route("/article/{post_id:int}", site.article),
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
