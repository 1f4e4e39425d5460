"""Packages import only downward: the layering docs/architecture.md draws holds in the code.

Every ``import`` of a casebook module, deferred ones inside functions included, is read from
the source and checked against the layers below, top first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import casebook

SOURCE = Path(casebook.__file__).parent

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"__main__"}),
    frozenset({"cli"}),
    frozenset({"api", "render", "scale"}),
    frozenset({"train"}),
    frozenset({"eval"}),
    frozenset({"service"}),
    frozenset({"components"}),
    frozenset({"nlp", "coding", "search", "care"}),
    frozenset({"kb", "export"}),
    frozenset({"ingest", "store"}),
    frozenset(
        {
            "casebook",
            "model",
            "errors",
            "resources",
            "config",
            "provenance",
            "pipeline_fingerprint",
            "store_location",
            "blas",
            "inference_layers",
            "caseless",
            "cache",
            "web",
        }
    ),
)
"""Each unit (a package or a top-level module of casebook) may import its own modules, any unit
of a lower layer and, within its layer, only what ``SIDEWAYS`` allows."""

SIDEWAYS: frozenset[tuple[str, str]] = frozenset(
    {("coding", "nlp")}
    | {(a, b) for a in LAYERS[-1] for b in LAYERS[-1]}  # the foundation modules share freely
)
"""Imports allowed within a layer: the coders read what the text components found."""

LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "casebook"


def _imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every casebook module that ``path`` imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "casebook":
                # ``from casebook import service`` imports the module, not the package root.
                found += [
                    (node.lineno, f"casebook.{alias.name}")
                    if (SOURCE / alias.name).is_dir() or (SOURCE / f"{alias.name}.py").is_file()
                    else (node.lineno, "casebook")
                    for alias in node.names
                ]
            elif node.module.startswith("casebook."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("casebook")]
    return found


def _source_unit(path: Path) -> str:
    relative = path.relative_to(SOURCE)
    if relative == Path("__init__.py"):
        return "casebook"
    return relative.parts[0].removesuffix(".py")


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {_source_unit(p) for p in SOURCE.rglob("*.py")}
    assert units <= set(LEVEL), f"not in LAYERS: {sorted(units - set(LEVEL))}"


def test_no_module_imports_a_unit_above_it_or_beside_it() -> None:
    broken: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        unit = _source_unit(path)
        for line, module in _imports(path):
            target = _unit(module)
            if target == unit or (unit, target) in SIDEWAYS:
                continue
            if LEVEL[target] <= LEVEL[unit]:
                where = path.relative_to(SOURCE.parent)
                broken.append(f"{where}:{line} ({unit}) imports {module} ({target})")
    assert not broken, "imports against the layering:\n" + "\n".join(broken)


def test_the_layering_check_catches_an_upward_import(tmp_path: Path) -> None:
    upward = tmp_path / "upward.py"
    upward.write_text("def f() -> None:\n    from casebook import service\n", encoding="utf-8")
    assert _imports(upward) == [(2, "casebook.service")]
    assert LEVEL[_unit("casebook.service")] < LEVEL["nlp"]
