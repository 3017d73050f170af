"""JSON Schema files beside a preset file: read, checked against Draft 2020-12, cached per file."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from workbench.answers.validation import json_path


def schema_beside(folder: Path, name: str) -> dict[str, Any]:
    """Return the checked JSON Schema `name` in `folder`, read once while the file is unchanged."""
    if Path(name).name != name or name in (".", ".."):
        raise ValueError(f"{name!r} is not a file name beside the preset file")
    path = folder / name
    if not path.is_file():
        raise ValueError(f"schema file {name} not found")
    stamp = path.stat()
    return _checked_schema(path.resolve(), stamp.st_mtime_ns, stamp.st_size)


@functools.lru_cache(maxsize=64)
def _checked_schema(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Return the schema at `path` once Draft 2020-12 accepts it; the stamp keys the cache."""
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        problem = f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})"
        raise ValueError(problem) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read schema file {path.name} ({error})") from None
    if not isinstance(schema, dict):
        raise ValueError(f"{path.name} must hold a JSON object")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = json_path(error.absolute_path)
        problem = f"{path.name} is not a valid JSON Schema (at {where}: {error.message})"
        raise ValueError(problem) from None
    return schema
