"""Expected vs got: an answer's JSON compared with a ground truth, field by field.

Leaves are compared by kind: numbers within 0.5 % or 0.01 (whichever is larger), strings after
folding case and whitespace, `bbox_2d` boxes by overlap (IoU at least 0.5). Long free text
(a description, a reason) is listed but not scored: a model words it its own way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from workbench.answers.validation import json_path

Verdict = Literal["match", "differs", "missing", "unscored"]
RELATIVE_TOLERANCE = 0.005
ABSOLUTE_TOLERANCE = 0.01
MIN_IOU = 0.5
FREE_TEXT_CHARS = 40  # longer expected strings are free text


@dataclass(frozen=True)
class Comparison:
    """One field: where it is, what the truth says, what the answer says, and the verdict."""

    path: str
    expected: Any
    got: Any
    verdict: Verdict


_MISSING = object()


def compare_json(expected: Any, got: Any) -> list[Comparison]:
    """Return the comparison of every leaf of `expected` with the same place in `got`."""
    found: list[Comparison] = []
    _compare(expected, got, (), found)
    return found


def _compare(expected: Any, got: Any, path: tuple, found: list[Comparison]) -> None:
    if path and path[-1] == "bbox_2d" and _is_box(expected):
        found.append(_leaf(path, expected, got, _is_box(got) and _iou(expected, got) >= MIN_IOU))
    elif isinstance(expected, dict):
        for key, value in expected.items():
            child = got.get(key, _MISSING) if isinstance(got, dict) else _MISSING
            _compare(value, child, (*path, key), found)
    elif isinstance(expected, list):
        items = got if isinstance(got, list) else []
        for index, value in enumerate(expected):
            _compare(value, items[index] if index < len(items) else _MISSING, (*path, index), found)
    elif isinstance(expected, str) and len(expected) > FREE_TEXT_CHARS:
        verdict: Verdict = "missing" if got is _MISSING else "unscored"
        found.append(Comparison(json_path(path), expected, _shown(got), verdict))
    else:
        found.append(_leaf(path, expected, got, _same(expected, got)))


def _leaf(path: tuple, expected: Any, got: Any, same: bool) -> Comparison:
    if got is _MISSING:
        return Comparison(json_path(path), expected, None, "missing")
    return Comparison(json_path(path), expected, got, "match" if same else "differs")


def _shown(got: Any) -> Any:
    return None if got is _MISSING else got


def _same(expected: Any, got: Any) -> bool:
    if _is_number(expected) and _is_number(got):
        tolerance = max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * abs(expected))
        return math.isclose(expected, got, rel_tol=0, abs_tol=tolerance + 1e-9)  # 0.51 - 0.5
    if isinstance(expected, str) and isinstance(got, str):
        return _fold(expected) == _fold(got)
    return expected == got and type(expected) is type(got)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_box(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 4 and all(map(_is_number, value))


def _iou(a: list[float], b: list[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    overlap = width * height
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
    return overlap / area if area > 0 else 0.0
