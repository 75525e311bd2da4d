"""Imports flow one way: bienphong (the command line) → crawler → pipelines → archive. In the
tests, a test module imports shared helpers (`tests.helpers`) and the mirror (`tests.mirror`),
never another test module, conftest.py or a script."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bienphong", "crawler", "pipelines", "archive")  # the top layer first
SHARED_TEST_CODE = ("tests.helpers", "tests.mirror")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in it (functions too), relative imports resolved."""
    package = list(path.relative_to(ROOT).parts[:-1])  # a module's package, or __init__'s own
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
    return found


def imported_packages(path: Path) -> set[str]:
    """The project's packages `path` imports (`bienphong`, `crawler`, `pipelines`, `archive`)."""
    return {name.split(".")[0] for name in imported_modules(path)} & set(PACKAGES)


def imports_of(package: str) -> dict[str, set[str]]:
    """Each module of `package` (by its path) → the project's packages it imports."""
    return {
        path.relative_to(ROOT).as_posix(): imported_packages(path)
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def upward_imports(package: str) -> dict[str, set[str]]:
    """Each module of `package` that imports a package above it → those packages."""
    above = set(PACKAGES[: PACKAGES.index(package)])
    found = {module: packages & above for module, packages in imports_of(package).items()}
    return {module: packages for module, packages in found.items() if packages}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_imports_only_the_packages_below_it(package: str) -> None:
    assert {} == upward_imports(package)


def test_an_import_up_the_layers_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: a module of `archive` that imports the command line inside a
    function, and one of `pipelines` that imports the crawler."""
    for package, text in (
        ("archive", "def run() -> None:\n    from bienphong.cli import cli\n"),
        ("pipelines", "from crawler import discovery\n"),
    ):
        (tmp_path / package).mkdir()
        (tmp_path / package / "upward.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)

    assert {"archive/upward.py": {"bienphong"}} == upward_imports("archive")
    assert {"pipelines/upward.py": {"crawler"}} == upward_imports("pipelines")


def test_site_identity_and_vietnamese_rules_are_the_bottom_layer() -> None:
    assert {"archive.vietnamese"} == {
        name for name in imported_modules(ROOT / "archive/site.py") if name.startswith(PACKAGES)
    }
    assert set() == imported_packages(ROOT / "archive/vietnamese.py")


def test_relative_imports_resolve_to_their_package() -> None:
    """The scan sees `from .urls import x` and `from . import x` as imports of their package."""
    assert {"pipelines.extraction.page", "pipelines.extraction"} <= imported_modules(
        ROOT / "pipelines/extraction/record.py"
    )
    assert {"pipelines.extraction.record"} <= imported_modules(
        ROOT / "pipelines/extraction/__init__.py"
    )


def imported_test_code(paths: list[Path]) -> dict[str, set[str]]:
    """Each module (by its path) → the modules of the `tests` package it imports."""
    return {
        path.relative_to(ROOT).as_posix(): {
            name for name in imported_modules(path) if name.split(".")[0] == "tests"
        }
        for path in paths
    }


def is_shared_test_code(module: str) -> bool:
    """`tests.helpers`, `tests.mirror` or a module of theirs."""
    return any(module == top or module.startswith(f"{top}.") for top in SHARED_TEST_CODE)


def test_test_modules_import_only_the_helpers_and_the_mirror_of_the_tests_package() -> None:
    """No test module imports another, nor conftest.py (fixtures come as fixtures), nor a
    script such as make_goldens.py; the helpers and conftest.py import no test module either."""
    tests = ROOT / "tests"
    paths = [*sorted(tests.glob("test_*.py")), tests / "conftest.py", tests / "make_goldens.py"]
    imports = imported_test_code([*paths, *sorted((tests / "helpers").rglob("*.py"))])
    assert {"tests.helpers.cli", "tests.helpers.records"} <= imports["tests/test_cli.py"]
    elsewhere = {
        module: {name for name in names if not is_shared_test_code(name)}
        for module, names in imports.items()
    }
    assert {} == {module: names for module, names in elsewhere.items() if names}


MAX_MODULE_LINES = 600  # a module one person can hold in mind


def test_no_module_outside_the_tests_passes_600_lines() -> None:
    modules = [path for top in (*PACKAGES, "bench") for path in (ROOT / top).rglob("*.py")]
    lines = {
        path.relative_to(ROOT).as_posix(): len(path.read_bytes().splitlines()) for path in modules
    }
    assert len(lines) > 50  # the scan found the tree
    assert {} == {module: count for module, count in lines.items() if count > MAX_MODULE_LINES}


def test_the_command_line_loads_neither_scrapy_nor_the_extractor_to_start() -> None:
    """Scrapy loads for `crawl` only, the extractor for `extract` and `reextract` (what every
    other command would pay for at each start: 0.36 s against 0.19 s)."""
    heavy = ("scrapy", "trafilatura", "pipelines.extraction", "starlette", "uvicorn")
    probe = f"import sys, bienphong.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert "[]" == loaded.stdout.strip()
