"""The `bienphong` command: in process through click's CliRunner, or as the installed script;
and the one line on stderr with which every command reports a domain error."""

from __future__ import annotations

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
