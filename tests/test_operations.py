"""docs/operations.md and docs/deploy/, tried: the systemd units verified by systemd's own
analyzer, the cron lines run as cron runs them (against the mirror in place of the live site),
the logrotate file read by logrotate, and the doc's tables held to the code they describe."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest

from archive.runs import Run
from bienphong import errors
from tests.helpers.cli import BIENPHONG
from tests.helpers.environment import without_proxies
from tests.helpers.fixtures import MakeMirror

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "docs" / "deploy"
OPERATIONS = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
INSTALLED = "/srv/bienphong/.venv/bin/bienphong"


def installed_here(text: str, tmp_path: Path) -> str:
    """A deploy file with the paths of an installation in /srv made this test's."""
    for path, here in (
        (INSTALLED, BIENPHONG),
        ("/srv/bienphong/bienphong.db", str(tmp_path / "bienphong.db")),
        ("/var/log/bienphong/crawl.log", str(tmp_path / "crawl.log")),
        ("/srv/backups/", str(tmp_path / "backups") + "/"),
    ):
        text = text.replace(path, here)
    return text


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd here")
def test_the_systemd_units_are_what_systemd_reads_without_a_warning(tmp_path: Path) -> None:
    units = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])
    for unit in units:
        (tmp_path / unit.name).write_text(installed_here(unit.read_text(), tmp_path))
    names = [f"./{unit.name}" for unit in units]

    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert 5 == len(units)
    assert (0, "", "") == (verified.returncode, verified.stdout, verified.stderr)


def test_the_cron_lines_run_and_write_nothing_when_all_is_well(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=60, seed=68)
    (tmp_path / "backups").mkdir()
    lines = [
        line.split(maxsplit=5)[5]  # the command, after the five time fields
        for line in (DEPLOY / "crontab").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "MAILTO"))
    ]
    # The crawl of the live site, pointed at the mirror: the one change this test makes.
    online = f" --base-url {mirror.base_url} --delay 0"
    commands = [installed_here(line, tmp_path) for line in lines]
    commands[0] += online

    done = [
        subprocess.run(["sh", "-c", command], capture_output=True, text=True, env=without_proxies())
        for command in commands
    ]

    assert 3 == len(done)
    assert [(0, "", "")] * 3 == [(d.returncode, d.stdout, d.stderr) for d in done]
    assert "articles: 60 new" in (tmp_path / "crawl.log").read_text()
    assert (tmp_path / "backups" / "bienphong.db").is_file()


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="no logrotate here")
def test_the_logrotate_file_is_what_logrotate_reads(tmp_path: Path) -> None:
    conf = tmp_path / "bienphong"
    conf.write_text(installed_here((DEPLOY / "logrotate.conf").read_text(), tmp_path))
    (tmp_path / "crawl.log").write_text("a line\n")

    read = subprocess.run(
        ["logrotate", "--debug", "--state", str(tmp_path / "state"), str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert 0 == read.returncode, read.stderr
    assert "error" not in read.stderr.lower()


def table_after(heading: str) -> list[list[str]]:
    """The rows of the first table after `heading` in docs/operations.md, cells stripped."""
    lines = OPERATIONS.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in lines[start + 2 : end]]


def test_the_exit_status_table_holds_every_status_the_command_line_exits_with() -> None:
    documented = {
        int(found.group())
        for row in table_after("## Exit statuses")
        if (found := re.match(r"\d+", row[1]))
    }
    used = {
        0,
        errors.EXIT_CANNOT_RUN,
        errors.EXIT_USAGE,
        errors.EXIT_ATTENTION,
        errors.CliBusy.exit_code,
        errors.CliInterrupted.exit_code,
    }

    assert used == documented


def test_the_runs_json_table_names_every_field_of_a_run() -> None:
    documented = {
        name.strip("`")
        for row in table_after("`bienphong runs --json` prints")
        for name in row[0].split(", ")
    }

    assert {field.name for field in fields(Run)} == documented
