"""Gauge checks: is the reading on its scale, and is it past the user's alarm threshold?"""

from __future__ import annotations

from typing import Any

from workbench.answers.checks._base import (
    DIRECTIONS,
    CheckContext,
    CheckResult,
    _check,
    _not_an_object,
    _Outcome,
)
from workbench.answers.checks._numbers import _number, _to_decimal
from workbench.answers.checks.wording import note


def check_gauge(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the gauge checks: value_in_scale, threshold_alarm (when a threshold is set)."""
    if not isinstance(value, dict):
        return _not_an_object("gauge", value)
    alarm = threshold_alarm(value, context.threshold, context.threshold_direction)
    return [*value_in_scale(value), *alarm]


@_check("value_in_scale")
def value_in_scale(gauge: dict[str, Any]) -> _Outcome | None:
    """Return the value_in_scale result: scale_min ≤ value ≤ scale_max?"""
    value, low, high = (_number(gauge, key) for key in ("value", "scale_min", "scale_max"))
    if value is None or low is None or high is None:
        return None
    if low > high:
        return False, note("gauge.scale_reversed", low=low, high=high)
    inside = low <= value <= high
    key = "gauge.within" if inside else "gauge.outside"
    return inside, note(key, value=value, low=low, high=high, unit=_unit(gauge))


@_check("threshold_alarm")
def threshold_alarm(
    gauge: dict[str, Any], threshold: float | None, direction: str = "above"
) -> _Outcome | None:
    """Return the threshold_alarm result: ok=False (ALARM) when the value is strictly past it."""
    if direction not in DIRECTIONS:
        raise ValueError(f"threshold direction must be 'above' or 'below', got {direction!r}")
    value = _number(gauge, "value")
    if threshold is None or value is None:
        return None
    limit = _to_decimal(threshold)
    if limit is None:
        raise ValueError(f"threshold must be a finite number, got {threshold!r}")
    past = value > limit if direction == "above" else value < limit
    key = f"gauge.alarm.{direction}" if past else f"gauge.calm.{direction}"
    return not past, note(key, value=value, limit=limit, unit=_unit(gauge))


def _unit(gauge: dict[str, Any]) -> str:
    """Return " bar" for a gauge in bar, "" for one without a unit."""
    unit = gauge.get("unit")
    return f" {unit.strip()}" if isinstance(unit, str) and unit.strip() else ""
