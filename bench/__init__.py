"""Benchmarks (`make bench`, i.e. `python -m bench`): speed and memory, measured, never asserted.

Each benchmark is a module here with a `run() -> list[Row]` function; `bench/__main__.py` lists
the modules it runs and rewrites `docs/benchmarks.md` with their figures.
"""

from typing import NamedTuple


class Row(NamedTuple):
    """One measured figure; a row without a value heads the rows below it, or says why a
    figure was not measured."""

    figure: str
    value: float | None
    unit: str
    note: str
