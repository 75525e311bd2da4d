"""`python -m bench [NAME ...]`: run the benchmarks and rewrite `docs/benchmarks.md`.

Every benchmark module in `BENCHMARKS` has a `run()` returning its rows (`list[Row]`), or its
tables by title (`dict[str, list[Row]]`) when it has more than one. Each one's figures go into
their own section of the document, fenced by `<!-- bench:NAME -->` markers, so running one
benchmark leaves the others' last figures in place. To add a benchmark, write `bench/NAME.py`
with `run()` and add its name here.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import Row

Tables = dict[str, list[Row]]  # title → rows; the title "" for a benchmark's one table

BENCHMARKS = ("extraction", "crawl", "incremental", "size", "mirror", "search", "hostile", "export")
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Written by `make bench` (`python -m bench`); do not edit by hand. Each section holds the figures
of one benchmark module in `bench/`, the command that produced them, and the machine and date of
the run. CI never asserts on these numbers. `make bench BENCH=NAME` (or `python -m bench NAME`)
reruns one section; `BENCH_QUICK=1` runs smaller sizes, and its sections say so in their command.
The `profiling` section at the end is the one written by hand: a dated record of what was
profiled and changed where a target was missed, with before/after figures; the runner keeps it.
"""


def machine() -> str:
    """Cores, CPU model and memory of this machine, from /proc."""
    memory = "unknown memory"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if found:
            memory = f"{int(found.group(1)) / 1024 / 1024:.1f} GiB RAM"
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cores} cores ({model}), {memory}, Python {platform.python_version()}, {sys.platform}"


def section(name: str, tables: Tables, command: str, when: str) -> str:
    lines = [
        f"<!-- bench:{name} -->",
        f"## {name}",
        "",
        f"Command: `{command}` (bench/{name}.py)  ",
        f"Machine: {machine()}  ",
        f"Date: {when}",
    ]
    for title, rows in tables.items():
        lines += ["", f"### {title}"] if title else []
        lines += ["", "| figure | value | unit | note |", "|---|---:|---|---|"]
        lines += [f"| {r.figure} | {format_value(r.value)} | {r.unit} | {r.note} |" for r in rows]
    lines.append(f"<!-- /bench:{name} -->")
    return "\n".join(lines) + "\n"


def format_value(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.3g}"


def write(sections: dict[str, str]) -> None:
    """Replace the named sections in the document, keep the others, in `BENCHMARKS` order."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    kept = {
        m.group(1): m.group(0) + "\n"
        for m in re.finditer(r"<!-- bench:(\w+) -->.*?<!-- /bench:\1 -->", old, re.DOTALL)
    }
    kept.update(sections)
    order = [n for n in BENCHMARKS if n in kept] + sorted(set(kept) - set(BENCHMARKS))
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(HEADER + "".join("\n" + kept[n] for n in order), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(BENCHMARKS)}")
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    if unknown := sorted(set(names) - set(BENCHMARKS)):
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    for name in names:
        run: Callable[[], list[Row] | Tables] = importlib.import_module(f"bench.{name}").run
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"bench: running {name}", file=sys.stderr, flush=True)
        found = run()
        tables = found if isinstance(found, dict) else {"": found}
        for row in (row for rows in tables.values() for row in rows):
            print(f"{name}: {row.figure} = {format_value(row.value)} {row.unit}", flush=True)
        quick = "BENCH_QUICK=1 " if os.environ.get("BENCH_QUICK", "") not in ("", "0") else ""
        # Each section as soon as it is measured: a later benchmark that fails loses only itself.
        write({name: section(name, tables, f"{quick}python -m bench {name}", when)})
        print(f"bench: wrote {name} in {DOC}", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
