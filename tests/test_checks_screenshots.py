"""Screenshot checks: every issue has a box, and every box lies inside the picture."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Check, Quiet, Said, check_name, quiet_params, said_params, worded
from workbench.answers.checks import boxes_inside_image, issues_have_boxes

ISSUE = {"kind": "truncation", "description": "label cut", "bbox_2d": [10, 20, 300, 60]}
ELEMENT = {"label": "button", "text": "OK", "bbox_2d": [5, 5, 50, 9]}


def screen(issues: Any, *elements: dict[str, Any]) -> dict[str, Any]:
    """Return a screenshot answer with these issues and elements."""
    return {"issues": issues, "elements": list(elements)}


SCREENSHOT_SAID: list[Said] = [
    (
        "every issue boxed",
        issues_have_boxes,
        screen([ISSUE, ISSUE]),
        True,
        "every issue has a bbox_2d (2 issues)",
        "每个问题都有 bbox_2d（共 2 个）",
    ),
    (
        "the one issue boxed",
        issues_have_boxes,
        screen([ISSUE]),
        True,
        "every issue has a bbox_2d (1 issue)",
        "每个问题都有 bbox_2d（共 1 个）",
    ),
    (
        "an issue without a box",
        issues_have_boxes,
        screen([ISSUE, {"kind": "overlap"}]),
        False,
        "no bbox_2d on 1 of 2 issues: issues[1] (overlap)",
        '2 个问题中有 1 个没有 bbox_2d：issues[1]（"overlap"）',
    ),
    (
        "a null box",
        issues_have_boxes,
        screen([{**ISSUE, "bbox_2d": None}]),
        False,
        "no bbox_2d on 1 of 1 issues: issues[0] (truncation)",
        '1 个问题中有 1 个没有 bbox_2d：issues[0]（"truncation"）',
    ),
    (
        "issues without a kind",
        issues_have_boxes,
        screen([{}, {}]),
        False,
        "no bbox_2d on 2 of 2 issues: issues[0], issues[1]",
        "2 个问题中有 2 个没有 bbox_2d：issues[0]、issues[1]",
    ),
    (
        "issues not a list",
        issues_have_boxes,
        screen("none"),
        False,
        "issues is not a list: 'none'",
        'issues 不是数组："none"',
    ),
    (
        "an issue not an object",
        issues_have_boxes,
        screen(["x"]),
        False,
        "issues[0] is not an object: 'x'",
        'issues[0] 不是对象："x"',
    ),
    (
        "every box inside",
        boxes_inside_image,
        screen([ISSUE], ELEMENT),
        True,
        "every bbox_2d is within 0–1000 with positive area (2 boxes)",
        "每个 bbox_2d 都在 0–1000 之内且面积大于零（共 2 个）",
    ),
    (
        "the one box inside",
        boxes_inside_image,
        screen([], ELEMENT),
        True,
        "every bbox_2d is within 0–1000 with positive area (1 box)",
        "每个 bbox_2d 都在 0–1000 之内且面积大于零（共 1 个）",
    ),
    (
        "a box outside, a box flat",
        boxes_inside_image,
        screen([{**ISSUE, "bbox_2d": [10, 20, 1200, 40]}], {**ELEMENT, "bbox_2d": [5, 5, 5, 9]}),
        False,
        "$.issues[0].bbox_2d [10, 20, 1200, 40] is outside 0–1000;"
        " $.elements[0].bbox_2d [5, 5, 5, 9] has no area",
        "$.issues[0].bbox_2d [10, 20, 1200, 40] 超出 0–1000 的范围；"
        "$.elements[0].bbox_2d [5, 5, 5, 9] 面积为零",
    ),
    (
        "a box of three numbers",
        boxes_inside_image,
        {"elements": [{**ELEMENT, "bbox_2d": [1, 2, 3]}]},
        False,
        "$.elements[0].bbox_2d [1, 2, 3] is not a list of 4 numbers",
        "$.elements[0].bbox_2d [1, 2, 3] 不是由 4 个数字组成的数组",
    ),
]
SCREENSHOT_QUIET: list[Quiet] = [
    ("no issues", issues_have_boxes, screen([])),
    ("issues null", issues_have_boxes, screen(None)),
    ("only a null box", boxes_inside_image, screen([{"kind": "typo", "bbox_2d": None}])),
    ("no boxes", boxes_inside_image, screen([])),
]


@pytest.mark.parametrize(
    ("check", "value", "ok", "english", "chinese"), said_params(SCREENSHOT_SAID)
)
def test_check_says_why_in_english_and_chinese(
    check: Check, value: Any, ok: bool, english: str, chinese: str
) -> None:
    assert worded(check(value)) == [(check_name(check), ok, english, chinese)]


@pytest.mark.parametrize(("check", "value"), quiet_params(SCREENSHOT_QUIET))
def test_check_without_its_fields_stays_quiet(check: Check, value: Any) -> None:
    assert check(value) == []
