"""The crawl's log, as an operator gets it from cron or systemd: every line stamped, the
project's words, no library's advice or noise; `--log-file`, `--quiet` and `--verbose`."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from crawler.logs import PROJECT, project_log
from tests.helpers.cli import LOG_LINE, logged
from tests.helpers.crawl import crawl
from tests.helpers.environment import without_proxies
from tests.helpers.fixtures import MakeMirror


def test_a_crawl_off_a_terminal_writes_only_stamped_lines_of_its_own(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    # Over a thousand articles, so trafilatura's caches are reset once (htmldate's noise), and
    # answers cut short (Scrapy's advice on data loss): both handled, neither in the log. The
    # count is the point, not the pages' weight.
    mirror = make_mirror("truncate:0.05", articles=1100, seed=61, weighty=False)

    result = crawl(tmp_path / "archive.db", mirror)

    assert 0 == result.returncode, result.stderr
    assert ("INFO", "articles: 1100 new, 0 updated, 0 unchanged, 0 failed") in logged(result.stdout)
    assert [] == [line for line in result.stderr.splitlines() if "[bienphong]" not in line]
    logged(result.stderr)  # every line stamped


def test_with_a_log_file_the_summary_and_an_error_go_to_it(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=40, seed=62)
    log = tmp_path / "logs" / "crawl.log"
    log.parent.mkdir()

    done = crawl(tmp_path / "archive.db", mirror, "--log-file", str(log))
    quiet = crawl(tmp_path / "archive.db", mirror, "--log-file", str(log), "--quiet")
    address = urlsplit(mirror.base_url).netloc
    mirror.stop()
    unreachable = crawl(tmp_path / "archive.db", mirror, "--log-file", str(log))

    assert (0, "", "") == (done.returncode, done.stdout, done.stderr)  # nothing for cron to mail
    assert (0, "", "") == (quiet.returncode, quiet.stdout, quiet.stderr)
    assert 1 == unreachable.returncode
    assert [("ERROR", f"cannot reach {address}: connection refused")] == logged(unreachable.stderr)
    lines = logged(log.read_text(encoding="utf-8"))
    assert [
        ("INFO", "articles: 40 new, 0 updated, 0 unchanged, 0 failed"),
        ("INFO", "articles: 0 new, 0 updated, 0 unchanged, 0 failed"),
        ("ERROR", f"cannot reach {address}: connection refused"),
    ] == [line for line in lines if line[1].startswith(("articles:", "cannot reach"))]


def test_verbose_adds_scrapys_lines_and_none_of_a_remote_control(
    make_mirror: MakeMirror, tmp_path: Path
) -> None:
    mirror = make_mirror(articles=20, seed=63)
    state = tmp_path / "state"  # where Scrapy's remote control leaves its job file
    env = without_proxies() | {"XDG_STATE_HOME": str(state)}

    result = crawl(tmp_path / "archive.db", mirror, "--verbose", env=env)

    assert 0 == result.returncode, result.stderr
    found = [LOG_LINE.fullmatch(line) for line in result.stderr.splitlines()]
    assert any(line and line[1].startswith("scrapy.") and line[2] == "INFO" for line in found)
    # Scrapy 2.19 would listen for Python code to run in the crawl, and say so.
    assert [] == [line for line in found if line and "remote_control" in line[1]]
    assert not state.exists()


def test_quiet_keeps_the_projects_warnings_and_drops_its_progress(tmp_path: Path) -> None:
    log = tmp_path / "crawl.log"
    try:
        for verbosity in ("normal", "quiet"):
            project_log(verbosity, log)
            PROJECT.info(f"pages 5 ({verbosity})")
            PROJECT.warning(f"stopping ({verbosity})")
    finally:
        for handler in PROJECT.handlers[:]:
            PROJECT.removeHandler(handler)
            handler.close()
        PROJECT.propagate, PROJECT.level = True, logging.NOTSET

    assert [
        ("INFO", "pages 5 (normal)"),
        ("WARNING", "stopping (normal)"),
        ("WARNING", "stopping (quiet)"),
    ] == logged(log.read_text(encoding="utf-8"))
