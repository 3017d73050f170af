"""Check a parsed answer against a JSON Schema and say, by path, what is wrong with it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import exceptions as schema_exceptions

from workbench.messages import MAX_QUOTED, WORDING, word

# Keywords worded "should be non-empty" / "is expected to be empty" at this limit.
_EMPTY_AT = {
    "minItems": 1,
    "minLength": 1,
    "minProperties": 1,
    "maxItems": 0,
    "maxLength": 0,
    "maxProperties": 0,
}


@dataclass(frozen=True)
class SchemaError:
    """One way a value breaks its schema: where, which keyword, and the facts to word it by.

    `instance` is the value at `path`. `expected` is what the keyword asks of it: the type, the
    limit, the options; for `required` the missing key; for `additionalProperties` the allowed
    key patterns (None without `patternProperties`). `found` is what was at fault inside it:
    the unexpected keys, or the `oneOf` branches it matched. `detail` is jsonschema's own
    English, the wording for keywords that have none of their own.
    """

    path: str
    keyword: str  # "type", "required", ...; "false" for a `false` schema
    instance: Any = field(default=None, hash=False)
    expected: Any = field(default=None, hash=False)
    found: Any = field(default=None, hash=False)
    detail: str = ""

    @property
    def message(self) -> str:
        """Return what is wrong, in English, without the path."""
        return self.text("en")

    def text(self, language: str = "en") -> str:
        """Return what is wrong, without the path, in `language` ("en" or "zh")."""
        facts = {
            "instance": self.instance,
            "expected": self.expected,
            "found": self.found,
            "keyword": self.keyword,
            "detail": self.detail,
        }
        return word(_wording_key(self), language, **facts)

    def line(self, language: str = "en") -> str:
        """Return "path: what is wrong" in `language`, as a repair request lists it."""
        return word("schema.line", language, path=self.path, text=self.text(language))


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
    return [_schema_error(err, validator) for err in found]


def summarize(errors: Sequence[SchemaError], limit: int = 5, language: str = "en") -> str:
    """Return "valid", or "2 errors: $.total: ...; $.items[0]: ..." listing at most `limit`."""
    if not errors:
        return word("summary.valid", language)
    separator = word("summary.separator", language)
    shown = separator.join(err.line(language) for err in errors[:limit])
    more = word("summary.more", language, count=len(errors) - limit) if len(errors) > limit else ""
    key = "summary.one" if len(errors) == 1 else "summary.many"
    return word(key, language, count=len(errors), shown=shown, more=more)


def _sort_key(parts: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    """Return a key that orders paths as a reader expects: items[2] before items[10]."""
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in parts)


def _schema_error(
    err: schema_exceptions.ValidationError, validator: Draft202012Validator
) -> SchemaError:
    """Return the facts of a jsonschema error, narrowed to what its message is about."""
    keyword = "false" if err.validator is None else str(err.validator)
    expected, found = err.validator_value, None
    if keyword == "required":
        # jsonschema raises one error per missing key and names it only in its message.
        missing = (key for key in expected if err.message == f"{key!r} is a required property")
        expected = next(missing, None)
    elif keyword == "additionalProperties":
        patterns = err.schema.get("patternProperties")
        expected = None if patterns is None else sorted(patterns)
        found = sorted(_unexpected_keys(err.instance, err.schema))
    elif keyword == "oneOf" and not err.context:  # no reasons why not: it matched several
        matched = [s for s in expected if validator.evolve(schema=s).is_valid(err.instance)]
        found = matched[1:] + matched[:1]  # jsonschema names the first match last
    path = json_path(err.absolute_path)
    return SchemaError(path, keyword, err.instance, expected, found, _message(err))


def _unexpected_keys(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Return the keys neither `properties` nor `patternProperties` allow, as jsonschema does."""
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    return [
        key
        for key in instance
        if key not in properties and not (patterns and re.search(patterns, key))
    ]


def _wording_key(error: SchemaError) -> str:
    """Return the wording for an error: its keyword's, a variant of it, or the plain one."""
    keyword, expected = error.keyword, error.expected
    if keyword in _EMPTY_AT and expected == _EMPTY_AT[keyword]:
        return f"schema.{keyword}.empty"
    if keyword == "additionalProperties":
        patterns = ".patterns" if expected is not None else ""
        return f"schema.additionalProperties{patterns}{'.many' * (len(error.found) > 1)}"
    if keyword == "oneOf" and error.found:
        return "schema.oneOf.many"
    if keyword == "required" and expected is None:
        return "schema.other"
    key = f"schema.{keyword}"
    return key if key in WORDING else "schema.other"


def _message(err: schema_exceptions.ValidationError) -> str:
    """Return the error's message with a long quoted value cut short, keeping what it says."""
    quoted = repr(err.instance)
    if len(quoted) <= MAX_QUOTED or not err.message.startswith(quoted):
        return err.message
    return quoted[: MAX_QUOTED - 1] + "…" + err.message[len(quoted) :]
