"""Check a parsed answer against a JSON Schema and say, by path, what is wrong with it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import exceptions as schema_exceptions

# Messages start by quoting the offending value; a whole receipt quoted back is no help in the UI.
_MAX_QUOTED = 60


@dataclass(frozen=True)
class SchemaError:
    """One way a value breaks its schema: where (`$.items[2].amount`) and what."""

    path: str
    message: str


def json_path(parts: Iterable[str | int]) -> str:
    """Return a JSONPath like `$.items[2].amount` (odd keys as `$["a b"]`) for path parts."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.isidentifier():
            path += f".{part}"
        else:
            path += f"[{json.dumps(part, ensure_ascii=False)}]"
    return path


def check_schema(schema: dict[str, Any]) -> None:
    """Return None for a valid Draft 2020-12 schema; raise ValueError naming the problem."""
    try:
        Draft202012Validator.check_schema(schema)
    except schema_exceptions.SchemaError as err:
        where = json_path(err.absolute_path)
        raise ValueError(f"invalid JSON Schema at {where}: {err.message}") from err


def validate(value: Any, schema: dict[str, Any]) -> list[SchemaError]:
    """Return every way `value` breaks `schema`, sorted by path then message; empty when valid.

    The schema is checked first (ValueError when it is broken). Formats such as "date" are
    checked too: a model that reads "2024-13-45" off a receipt should hear about it.
    """
    check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = sorted(
        validator.iter_errors(value),
        key=lambda err: (_sort_key(err.absolute_path), err.message),
    )
    return [SchemaError(json_path(err.absolute_path), _message(err)) for err in found]


def summarize(errors: Sequence[SchemaError], limit: int = 5) -> str:
    """Return "valid", or "2 errors: $.total: ...; $.items[0]: ..." listing at most `limit`."""
    if not errors:
        return "valid"
    noun = "error" if len(errors) == 1 else "errors"
    shown = "; ".join(f"{err.path}: {err.message}" for err in errors[:limit])
    more = f"; and {len(errors) - limit} more" if len(errors) > limit else ""
    return f"{len(errors)} {noun}: {shown}{more}"


def _sort_key(parts: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    """Return a key that orders paths as a reader expects: items[2] before items[10]."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in parts)


def _message(err: schema_exceptions.ValidationError) -> str:
    """Return the error's message with a long quoted value cut short, keeping what it says."""
    quoted = repr(err.instance)
    if len(quoted) <= _MAX_QUOTED or not err.message.startswith(quoted):
        return err.message
    return quoted[: _MAX_QUOTED - 1] + "…" + err.message[len(quoted) :]
