"""Screenshot checks: does every issue carry a box, and is every box inside the image?"""

from __future__ import annotations

import json
from typing import Any

from workbench.boxes import MODEL_SCALE, bbox_fields, bbox_problem
from workbench.checks._base import (
    CheckContext,
    CheckResult,
    _check,
    _count,
    _not_an_object,
    _Outcome,
    _rows,
)


def check_screenshot(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the screenshot checks: issues_have_boxes, boxes_inside_image."""
    if not isinstance(value, dict):
        return _not_an_object("screenshot", value)
    return [*issues_have_boxes(value), *boxes_inside_image(value)]


@_check("issues_have_boxes")
def issues_have_boxes(screenshot: dict[str, Any]) -> _Outcome | None:
    """Return the issues_have_boxes result: does every reported issue carry a bbox_2d?"""
    issues = _rows(screenshot, "issues")
    if not issues:
        return None
    missing = [
        where + (f" ({issue['kind']})" if isinstance(issue.get("kind"), str) else "")
        for where, issue in issues
        if issue.get("bbox_2d") is None
    ]
    if missing:
        return (
            False,
            f"no bbox_2d on {len(missing)} of {len(issues)} issues: {', '.join(missing)}",
        )
    return True, f"every issue has a bbox_2d ({_count(len(issues), 'issue')})"


@_check("boxes_inside_image")
def boxes_inside_image(value: Any) -> _Outcome | None:
    """Return the boxes_inside_image result: is every bbox_2d within 0–1000 with positive area?"""
    boxes = [(path, owner["bbox_2d"]) for path, owner in bbox_fields(value)]
    boxes = [(path, box) for path, box in boxes if box is not None]
    if not boxes:
        return None
    bad = [
        f"{path} {json.dumps(box, ensure_ascii=False)} {problem}"
        for path, box in boxes
        if (problem := bbox_problem(box))
    ]
    if bad:
        return False, "; ".join(bad)
    return (
        True,
        f"every bbox_2d is within 0–{MODEL_SCALE} with positive area ({_count(len(boxes), 'box')})",
    )
