"""Imports flow one way: crawler → pipelines → archive; only the CLI sees all three."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "pipelines", "archive")


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
    """The project's packages `path` imports (`crawler`, `pipelines`, `archive`)."""
    return {name.split(".")[0] for name in imported_modules(path)} & set(PACKAGES)


def imports_of(package: str) -> dict[str, set[str]]:
    """Each module of `package` (by its path) → the project's packages it imports."""
    return {
        path.relative_to(ROOT).as_posix(): imported_packages(path)
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_archive_imports_neither_crawler_nor_pipelines_but_through_the_cli() -> None:
    upward = {
        module: packages & {"crawler", "pipelines"}
        for module, packages in imports_of("archive").items()
        if packages & {"crawler", "pipelines"}
    }
    assert {"archive/cli.py": {"crawler", "pipelines"}} == upward


def test_pipelines_never_import_the_crawler() -> None:
    modules = imports_of("pipelines")
    upward = {module: packages for module, packages in modules.items() if "crawler" in packages}
    assert {} == upward


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
