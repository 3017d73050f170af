"""Gauge checks: the reading lies on its scale, and the user's alarm threshold."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from tests.helpers import Check, Quiet, Said, check_name, quiet_params, said_params, worded
from workbench.answers.checks import CheckContext, threshold_alarm, value_in_scale

GAUGE = {"value": 7.4, "unit": "bar", "scale_min": 0, "scale_max": 10}


def alarm(threshold: float | None, direction: str) -> Check:
    """Return threshold_alarm with the user's threshold and direction set."""
    return functools.partial(threshold_alarm, threshold=threshold, direction=direction)


GAUGE_SAID: list[Said] = [
    (
        "reading on the scale",
        value_in_scale,
        GAUGE,
        True,
        "7.4 bar is within the scale 0 to 10 bar",
        "7.4 bar 在量程 0 到 10 bar 之内",
    ),
    (
        "reading off the scale",
        value_in_scale,
        {**GAUGE, "value": 12.5},
        False,
        "12.5 bar is outside the scale 0 to 10 bar",
        "12.5 bar 超出量程 0 到 10 bar",
    ),
    (
        "no unit",
        value_in_scale,
        {**GAUGE, "unit": ""},
        True,
        "7.4 is within the scale 0 to 10",
        "7.4 在量程 0 到 10 之内",
    ),
    (
        "a unit in Chinese",
        value_in_scale,
        {**GAUGE, "unit": " 摄氏度 "},
        True,
        "7.4 摄氏度 is within the scale 0 to 10 摄氏度",
        "7.4 摄氏度 在量程 0 到 10 摄氏度 之内",
    ),
    (
        "scale upside down",
        value_in_scale,
        {**GAUGE, "scale_min": 10, "scale_max": 0},
        False,
        "scale_min 10 is above scale_max 0",
        "量程下限 scale_min 10 大于上限 scale_max 0",
    ),
    (
        "value not a number",
        value_in_scale,
        {**GAUGE, "value": "n/a"},
        False,
        "value is not a number: 'n/a'",
        'value 不是数字："n/a"',
    ),
    (
        "above the threshold: ALARM",
        alarm(6.0, "above"),
        GAUGE,
        False,
        "ALARM: 7.4 bar is above the threshold 6.0 bar",
        "报警：7.4 bar 高于阈值 6.0 bar",
    ),
    (
        "under an upper threshold",
        alarm(8.0, "above"),
        GAUGE,
        True,
        "7.4 bar is not above the threshold 8.0 bar",
        "7.4 bar 未高于阈值 8.0 bar",
    ),
    (
        "at the threshold is not past it",
        alarm(7.4, "above"),
        GAUGE,
        True,
        "7.4 bar is not above the threshold 7.4 bar",
        "7.4 bar 未高于阈值 7.4 bar",
    ),
    (
        "below the threshold: ALARM",
        alarm(8.0, "below"),
        GAUGE,
        False,
        "ALARM: 7.4 bar is below the threshold 8.0 bar",
        "报警：7.4 bar 低于阈值 8.0 bar",
    ),
    (
        "over a lower threshold",
        alarm(5, "below"),
        GAUGE,
        True,
        "7.4 bar is not below the threshold 5 bar",
        "7.4 bar 未低于阈值 5 bar",
    ),
    (
        "alarm on a value not a number",
        alarm(6.0, "above"),
        {**GAUGE, "value": "n/a"},
        False,
        "value is not a number: 'n/a'",
        'value 不是数字："n/a"',
    ),
]
GAUGE_QUIET: list[Quiet] = [
    ("no scale_max", value_in_scale, {**GAUGE, "scale_max": None}),
    ("no threshold", alarm(None, "above"), GAUGE),
    ("no value", alarm(6.0, "above"), {"unit": "bar"}),
]


def test_threshold_direction_must_be_known() -> None:
    with pytest.raises(ValueError, match="threshold direction must be 'above' or 'below'"):
        threshold_alarm(GAUGE, 6.0, "sideways")
    with pytest.raises(ValueError, match="threshold direction must be 'above' or 'below'"):
        CheckContext(threshold=6.0, threshold_direction="sideways")


@pytest.mark.parametrize(("check", "value", "ok", "english", "chinese"), said_params(GAUGE_SAID))
def test_check_says_why_in_english_and_chinese(
    check: Check, value: Any, ok: bool, english: str, chinese: str
) -> None:
    assert worded(check(value)) == [(check_name(check), ok, english, chinese)]


@pytest.mark.parametrize(("check", "value"), quiet_params(GAUGE_QUIET))
def test_check_without_its_fields_stays_quiet(check: Check, value: Any) -> None:
    assert check(value) == []
