"""The `bienphong` command: in process through click's CliRunner, or as the installed script;
the one line on stderr with which every command reports a domain error; and the stamped lines
of a crawl's log, as a crawl writes them off a terminal."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from bienphong.cli import cli

# The console script installed beside this interpreter, for tests that run it as a child.
BIENPHONG = str(Path(sys.executable).with_name("bienphong"))


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """`bienphong ARGS...` in process."""
    return CliRunner().invoke(cli, list(args), env=env)


def assert_one_line_error(expected: str, result: Result, exit_code: int = 1) -> None:
    """The command failed with `bienphong: error: EXPECTED` alone on stderr: no output, no
    traceback."""
    assert (exit_code, f"bienphong: error: {expected}\n") == (result.exit_code, result.stderr)
    assert "" == result.stdout
    assert "Traceback" not in result.output


# `2026-12-07 00:19:26 [bienphong] INFO: Crawl finished in 10.5 s (run 1)`
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[([\w.]+)\] (INFO|WARNING|ERROR): (.*)")


def logged(text: str, logger: str = "bienphong") -> list[tuple[str, str]]:
    """(level, message) of each line of `logger` in a crawl's log; every line of `text` must
    be a stamped line of some logger."""
    lines = [LOG_LINE.fullmatch(line) for line in text.splitlines()]
    assert [] == [line for line, found in zip(text.splitlines(), lines, strict=True) if not found]
    return [(found[2], found[3]) for found in lines if found and found[1] == logger]
