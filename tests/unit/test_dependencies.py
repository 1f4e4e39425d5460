"""Every package casebook's code imports is declared in pyproject.toml, 0.x ones with a ceiling."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import casebook

SOURCE = Path(casebook.__file__).parent
PYPROJECT = SOURCE.parents[1] / "pyproject.toml"


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def _requirements() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras: dict[str, list[str]] = project["optional-dependencies"]
    return [*project["dependencies"], *(r for group in extras.values() for r in group)]


def _imported_top_levels() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"casebook"}


def test_every_imported_package_is_a_declared_dependency() -> None:
    declared = {_name(r) for r in _requirements()}
    owners = packages_distributions()
    undeclared = {
        module: owners.get(module, [])
        for module in sorted(_imported_top_levels())
        if not {_name(d) for d in owners.get(module, [])} & declared
    }
    assert not undeclared, f"imported but not in pyproject.toml: {undeclared}"


def test_every_0x_dependency_has_an_upper_bound() -> None:
    unbounded = [
        r for r in _requirements() if re.search(r">=\s*0\.", r) and not re.search(r"<\s*\d", r)
    ]
    assert not unbounded, f"0.x requirements without an upper bound: {unbounded}"
