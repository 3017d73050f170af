"""Expectations of a golden case: what a right answer looks like, read strictly from JSON.

`read_expectation(raw, where, problems)` returns an `Expectation`, or None with every problem
added to `problems` as ``expect.tolerance: must be at least 0, got -1``. The small readers
below it (`read_text`, `unknown_keys`, …) are shared with `workbench.eval.golden`, which reads the
rest of a case the same way.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

MATCHES = ("exact", "contains")
VERDICTS = ("correct", "incorrect")
# Each kind of expectation, and the optional keys that may sit beside it.
KINDS = {
    "text": ("match",),
    "regex": (),
    "number": ("tolerance", "unit"),
    "interval": ("unit",),
    "json": (),
    "verdict": (),
}
_SHOWN = 60  # a value quoted back in a message is cut to this many characters


@dataclass(frozen=True)
class Expectation:
    """What a right answer looks like; `value` by kind:

    text: the text; regex: the pattern; number: the number; interval: (low, high);
    json: the expected object; verdict: "correct" or "incorrect".
    """

    kind: str
    value: Any
    match: str = "exact"  # text only: "exact" or "contains"
    tolerance: float = 0.0  # number only
    unit: str | None = None  # number and interval only


def read_expectation(raw: Any, where: str, problems: list[str]) -> Expectation | None:
    """Return the expectation in `raw`, or None with its problems added."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected an object, got {json_kind(raw)}")
        return None
    kinds = [kind for kind in KINDS if kind in raw]
    all_options = {option for allowed in KINDS.values() for option in allowed}
    if not kinds:
        unknown_keys(raw, (*KINDS, *sorted(all_options)), where, problems)
    if len(kinds) != 1:
        given = f"got {' and '.join(kinds)}" if kinds else "got none"
        problems.append(f"{where}: needs exactly one of {', '.join(KINDS)}; {given}")
        return None
    kind = kinds[0]
    count = len(problems)
    for key in raw:
        if key != kind and key not in KINDS[kind]:
            if key in all_options:
                problems.append(f"{where}.{key}: does not apply to {kind} expectations")
            else:
                unknown_keys({key: None}, (kind, *KINDS[kind]), where, problems)
    value = _EXPECTED[kind](raw[kind], f"{where}.{kind}", problems)
    options: dict[str, Any] = {}
    if "match" in KINDS[kind]:
        options["match"] = raw.get("match", "exact")
        if options["match"] not in MATCHES:
            problems.append(
                f"{where}.match: expected 'exact' or 'contains', got {shown(options['match'])}"
            )
    if "tolerance" in KINDS[kind]:
        options["tolerance"] = _number(raw.get("tolerance", 0), f"{where}.tolerance", problems)
        if options["tolerance"] is not None and options["tolerance"] < 0:
            problems.append(f"{where}.tolerance: must be at least 0, got {options['tolerance']}")
    if "unit" in KINDS[kind]:
        options["unit"] = read_text(raw, "unit", where, problems, required=False)
    return Expectation(kind, value, **options) if len(problems) == count else None


def _expected_text(raw: Any, where: str, problems: list[str]) -> str | None:
    if isinstance(raw, str) and raw.strip():
        return raw
    problems.append(f"{where}: expected a non-empty string, got {shown(raw)}")
    return None


def _expected_regex(raw: Any, where: str, problems: list[str]) -> str | None:
    pattern = _expected_text(raw, where, problems)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.append(f"{where}: not a valid regular expression ({error})")
            return None
    return pattern


def _expected_interval(raw: Any, where: str, problems: list[str]) -> tuple[float, float] | None:
    if not (isinstance(raw, list) and len(raw) == 2 and all(map(_is_number, raw))):
        problems.append(f"{where}: expected [low, high], two numbers, got {shown(raw)}")
        return None
    if raw[0] > raw[1]:
        problems.append(f"{where}: low {raw[0]} is above high {raw[1]}")
        return None
    return raw[0], raw[1]


def _expected_json(raw: Any, where: str, problems: list[str]) -> dict[str, Any] | None:
    if isinstance(raw, dict) and raw:
        return raw
    problems.append(f"{where}: expected a non-empty object, got {shown(raw)}")
    return None


def _expected_verdict(raw: Any, where: str, problems: list[str]) -> str | None:
    if raw in VERDICTS:
        return raw
    problems.append(f"{where}: expected 'correct' or 'incorrect', got {shown(raw)}")
    return None


def _number(raw: Any, where: str, problems: list[str]) -> float | None:
    if _is_number(raw):
        return raw
    problems.append(f"{where}: expected a number, got {shown(raw)}")
    return None


_EXPECTED = {
    "text": _expected_text,
    "regex": _expected_regex,
    "number": _number,
    "interval": _expected_interval,
    "json": _expected_json,
    "verdict": _expected_verdict,
}


def read_text(
    data: dict[str, Any], key: str, where: str, problems: list[str], required: bool = True
) -> str | None:
    """Return data[key], a non-empty string; None, with a problem when wrong or missing."""
    path = f"{where}.{key}" if where else key
    if key not in data:
        if required:
            problems.append(f"{path}: missing required key")
        return None
    return _expected_text(data[key], path, problems)


def unknown_keys(
    data: dict[str, Any], known: tuple[str, ...], where: str, problems: list[str]
) -> None:
    for key in data:
        if key not in known:
            path = f"{where}.{key}" if where else key
            problems.append(f"{path}: unknown key{did_you_mean(key, known)}")


def did_you_mean(word: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def json_kind(value: Any) -> str:
    """Return the JSON kind of a value with its article: "an array", "a string"."""
    names = {bool: "a boolean", str: "a string", list: "an array", dict: "an object"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")


def shown(value: Any) -> str:
    """Return a value as JSON, cut short when long."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
