"""The reader's site (`bienphong serve`'s app) on a loopback port, and its security headers."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from archive.web import create_app, listen


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """The reader's site over `db` on a loopback port the system picks; its base URL. The
    socket listens before the server starts, so a request made at once waits in its queue."""
    listener = listen("127.0.0.1", 0)
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(db), log_level="warning", lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def assert_security_headers(headers: Mapping[str, str]) -> None:
    """The headers every answer of the reader's site carries, errors included."""
    assert (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ) == headers["content-security-policy"]
    assert "nosniff" == headers["x-content-type-options"]
    assert "no-referrer" == headers["referrer-policy"]
    assert "DENY" == headers["x-frame-options"]
