"""The types of the fixtures tests/conftest.py provides, to annotate a test's arguments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tests.helpers.loopback import Response
from tests.mirror import Mirror, Site


class MakeMirror(Protocol):
    """The `make_mirror` fixture: `make_mirror(faults="503:0.5", articles=50, seed=3)`."""

    def __call__(self, faults: str = "", **site_kwargs: Any) -> Mirror: ...


# The `fetch` fixture: `fetch(base_url, path, headers=None, method="GET", timeout=10.0)`.
Fetch = Callable[..., Response]


@dataclass(frozen=True)
class CrawledArchive:
    """An archive made by the real `bienphong crawl` from a mirror, and that mirror's site."""

    db: Path
    site: Site
