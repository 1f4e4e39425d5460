"""Rules and lexicons shipped as data files, validated against pydantic schemas on load."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from casebook.errors import CasebookError, ErrorCode

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def resource_path(name: str) -> Path:
    """The filesystem path of a packaged resource file, e.g. ``"sections.json"``."""
    return Path(str(resources.files(__package__).joinpath(name)))


class DuplicateKeyError(ValueError):
    """A rule file names one key twice in an object: JSON keeps the last silently."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members, refusing a key given twice (an Index term added under a code the
    file already lists would otherwise replace that code's terms)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKeyError(f"key {key!r} is given twice")
        found[key] = value
    return found


@cache
def _read_json(name: str) -> Any:
    with resources.files(__package__).joinpath(name).open("r", encoding="utf-8") as handle:
        return json.load(handle, object_pairs_hook=_unique_keys)


def load_rules(source: str | Path, schema: type[SchemaT]) -> SchemaT:
    """Load and validate a rule file.

    Args:
        source: A packaged resource name (``"sections.json"``) or a path to a user's own file.
        schema: The pydantic model the file must match.

    Raises:
        CasebookError: ``CB-E012`` when the file is missing, not JSON, or breaks the schema.
    """
    try:
        if isinstance(source, Path):
            data = json.loads(source.read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
        else:
            data = _read_json(source)
        return schema.model_validate(data)
    except FileNotFoundError as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, "rule file not found", source) from exc
    except (json.JSONDecodeError, DuplicateKeyError) as exc:
        raise CasebookError(ErrorCode.INVALID_RESOURCE, f"not JSON: {exc}", source) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CasebookError(
            ErrorCode.INVALID_RESOURCE, f"breaks its schema at {where}: {first['msg']}", source
        ) from exc
