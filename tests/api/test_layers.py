"""The API and the web pages are siblings over the services (DESIGN.md section 2): neither
imports the other, and what both need lives in ``blockcity.http``, which imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import blockcity

PACKAGE = Path(blockcity.__file__).parent


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every module a package's files import, by file (relative to ``src/blockcity``)."""
    found: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[str(path.relative_to(PACKAGE))] = names
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("api", ("blockcity.web", "blockcity.app")),
        ("web", ("blockcity.api", "blockcity.app")),
        ("http", ("blockcity.api", "blockcity.web", "blockcity.app")),
    ],
)
def test_an_http_edge_imports_neither_its_sibling_nor_the_app(
    package: str, forbidden: tuple[str, ...]
) -> None:
    crossing = {
        (file, module)
        for file, modules in imported_modules(package).items()
        for module in modules
        if any(module == name or module.startswith(name + ".") for name in forbidden)
    }
    assert not crossing


def test_the_scan_sees_the_imports_it_polices() -> None:
    """The check above passes only because nothing crosses, not because it reads nothing."""
    api_imports = {m for ms in imported_modules("api").values() for m in ms}
    assert {"blockcity.http.sessions", "blockcity.http.uploads"} <= api_imports
