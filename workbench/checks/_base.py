"""What every check shares: the result and context types, the _check decorator, row access."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec

DIRECTIONS = ("above", "below")

_P = ParamSpec("_P")
_Outcome = tuple[bool, str]


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: its stable name, whether it passed, and the numbers behind it."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CheckContext:
    """What the user set beside the answer: the gauge alarm threshold and its direction."""

    threshold: float | None = None
    threshold_direction: str = "above"

    def __post_init__(self) -> None:
        if self.threshold_direction not in DIRECTIONS:
            raise ValueError(
                f"threshold direction must be 'above' or 'below', got {self.threshold_direction!r}"
            )


class _Unusable(Exception):
    """A field a check needs is there, but is not a number (or not a list, or not an object)."""


def _check(name: str) -> Callable[[Callable[_P, _Outcome | None]], Callable[_P, list[CheckResult]]]:
    """Return a decorator turning (ok, detail) or None into a result list, _Unusable into a fail."""

    def wrap(body: Callable[_P, _Outcome | None]) -> Callable[_P, list[CheckResult]]:
        @functools.wraps(body)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> list[CheckResult]:
            try:
                outcome = body(*args, **kwargs)
            except _Unusable as problem:
                return [CheckResult(name, False, str(problem))]
            return [] if outcome is None else [CheckResult(name, *outcome)]

        return run

    return wrap


def _not_an_object(name: str, value: Any) -> list[CheckResult]:
    return [CheckResult(name, False, f"expected a JSON object, got {type(value).__name__}")]


def _rows(parent: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (path like "items[2]", object) for each entry of a list field; [] when missing."""
    rows = parent.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise _Unusable(f"{key} is not a list: {rows!r}")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _Unusable(f"{key}[{index}] is not an object: {row!r}")
    return [(f"{key}[{index}]", row) for index, row in enumerate(rows)]


def _count(n: int, noun: str) -> str:
    """Return "1 item", "3 items", "2 boxes"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}es" if noun.endswith("x") else f"{n} {noun}s"
