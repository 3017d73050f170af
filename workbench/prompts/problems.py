"""What is wrong in a preset file, in TOML words: (where, problem) from tomllib or pydantic."""

from __future__ import annotations

import re
import tomllib

from pydantic import ValidationError

from workbench.answers.validation import json_path

# tomllib (3.11) only puts the position in the message: "Invalid value (at line 3, column 9)".
_TOML_POSITION = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")

# pydantic's error types in TOML words; {got} is the kind of value found instead.
_PROBLEMS = {
    "extra_forbidden": "unknown key",
    "missing": "missing required key",
    "string_type": "expected a string, got {got}",
    "int_type": "expected an integer, got {got}",
    "float_type": "expected a number, got {got}",
    "tuple_type": "expected an array, got {got}",
    "model_type": "expected a table, got {got}",
}
_KINDS = {
    "bool": "a boolean",
    "float": "a float",
    "int": "an integer",
    "str": "a string",
    "list": "an array",
    "dict": "a table",
}


class Problem(ValueError):
    """A validator's complaint about the key `at` below the value it was given."""

    def __init__(self, problem: str, at: tuple[str | int, ...] = ()) -> None:
        super().__init__(problem)
        self.at = at


def validation_problem(error: ValidationError) -> tuple[str, str]:
    """Return (key path, problem) for the first problem pydantic found, in TOML words."""
    found = error.errors(include_url=False)[0]
    where: tuple[str | int, ...] = found["loc"]
    cause = found.get("ctx", {}).get("error")
    if isinstance(cause, ValueError):  # raised by a preset validator, already in TOML words
        where, problem = (*where, *getattr(cause, "at", ())), str(cause)
    else:
        got = _KINDS.get(type(found["input"]).__name__, "a date/time")
        problem = _PROBLEMS.get(found["type"], found["msg"]).format(got=got)
    return json_path(where).removeprefix("$").removeprefix("."), problem


def toml_problem(error: tomllib.TOMLDecodeError) -> tuple[str, str]:
    """Return ("line N", problem) for a TOML syntax error; an empty where without a position."""
    match = _TOML_POSITION.match(str(error))
    if match is None:
        return "", f"invalid TOML ({error})"
    return f"line {match['line']}", f"invalid TOML ({match['what']}, column {match['column']})"
