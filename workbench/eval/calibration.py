"""Does confidence rank wrong values below right ones? Pure measures over scored values.

A value is {"score": 0.83, "level": "high", "right": True | False | None} (an eval run's
`confidence.values`); values whose `right` is None (the golden set says nothing) are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workbench.answers.confidence import LEVELS

# Score bands for calibration: [low, high), the last one closed.
BANDS: tuple[tuple[float, float], ...] = (
    (0.0, 0.2),
    (0.2, 0.4),
    (0.4, 0.6),
    (0.6, 0.8),
    (0.8, 1.0),
)


def auroc(scores: Sequence[float], rights: Sequence[bool | None]) -> float | None:
    """Return the chance that a right value scores above a wrong one (ties count half).

    None when there is no right or no wrong value to compare.
    """
    if len(scores) != len(rights):
        raise ValueError(f"{len(scores)} scores but {len(rights)} rights")
    right = [s for s, r in zip(scores, rights, strict=True) if r is True]
    wrong = [s for s, r in zip(scores, rights, strict=True) if r is False]
    if not right or not wrong:
        return None
    wins = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong)
    return round(wins / (len(right) * len(wrong)), 4)


def by_band(
    values: Iterable[Mapping[str, Any]], bands: Sequence[tuple[float, float]] = BANDS
) -> list[dict[str, Any]]:
    """Return [{"band": [low, high], "count", "right", "accuracy"}] per band, accuracy None
    for an empty band; a score equal to the last band's top falls in it."""
    judged = _judged(values)
    rows = []
    for index, (low, high) in enumerate(bands):
        last = index == len(bands) - 1
        inside = [v for v in judged if low <= v["score"] < high or (last and v["score"] == high)]
        rows.append({"band": [low, high], **_tally(inside)})
    return rows


def by_level(values: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return {level: {"count", "right", "accuracy"}} for every level, best first."""
    judged = _judged(values)
    return {name: _tally([v for v in judged if v["level"] == name]) for name, _ in LEVELS}


def at_or_above(values: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return {level: {"count", "right", "accuracy"}} of the values at that level or better."""
    judged = _judged(values)
    order = [name for name, _ in LEVELS]
    return {
        name: _tally([v for v in judged if order.index(v["level"]) <= index])
        for index, name in enumerate(order)
    }


def _judged(values: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [value for value in values if value.get("right") is not None]


def _tally(values: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    right = sum(1 for value in values if value["right"])
    count = len(values)
    return {"count": count, "right": right, "accuracy": round(right / count, 4) if count else None}
