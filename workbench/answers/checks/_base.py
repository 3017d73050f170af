"""What every check shares: the result and context types, the _check decorator, row access."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec

from workbench.answers.checks.wording import CheckNote, check_title, note

DIRECTIONS = ("above", "below")

_P = ParamSpec("_P")
_Outcome = tuple[bool, CheckNote]


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: its stable name, whether it passed, and why, in either language."""

    name: str
    ok: bool
    note: CheckNote

    @property
    def detail(self) -> str:
        """Return the explanation in English, as records and logs keep it."""
        return self.note.text("en")

    def text(self, language: str = "en") -> str:
        """Return the explanation in `language` ("en" or "zh")."""
        return self.note.text(language)

    def title(self, language: str = "en") -> str:
        """Return the check's title for the UI in `language`."""
        return check_title(self.name, language)


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

    def __init__(self, why: CheckNote) -> None:
        super().__init__(why.text("en"))
        self.note = why


def _check(name: str) -> Callable[[Callable[_P, _Outcome | None]], Callable[_P, list[CheckResult]]]:
    """Return a decorator turning (ok, note) or None into a result list, _Unusable into a fail."""

    def wrap(body: Callable[_P, _Outcome | None]) -> Callable[_P, list[CheckResult]]:
        @functools.wraps(body)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> list[CheckResult]:
            try:
                outcome = body(*args, **kwargs)
            except _Unusable as problem:
                return [CheckResult(name, False, problem.note)]
            return [] if outcome is None else [CheckResult(name, *outcome)]

        return run

    return wrap


def _not_an_object(name: str, value: Any) -> list[CheckResult]:
    got = type(value).__name__
    return [CheckResult(name, False, note("answer.not_object", got=got))]


def _rows(parent: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (path like "items[2]", object) for each entry of a list field; [] when missing."""
    rows = parent.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise _Unusable(note("field.not_list", path=key, raw=rows))
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _Unusable(note("field.not_object", path=f"{key}[{index}]", raw=row))
    return [(f"{key}[{index}]", row) for index, row in enumerate(rows)]
