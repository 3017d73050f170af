"""Screenshot checks: does every issue carry a box, and is every box inside the image?"""

from __future__ import annotations

import json
from typing import Any

from workbench.answers.boxes import MODEL_SCALE, bbox_fields, bbox_problem
from workbench.answers.checks._base import (
    CheckContext,
    CheckResult,
    _check,
    _not_an_object,
    _Outcome,
    _rows,
)
from workbench.answers.checks.wording import CheckNote, counted, note

# What bbox_problem says, by wording key (its English is the key's, word for word); a problem
# it learns to say later is worded as box.other until it has a key of its own.
_BOX_PROBLEMS = {
    "is not a list of 4 numbers": "box.not_four",
    f"is outside 0–{MODEL_SCALE}": "box.outside",
    "has no area": "box.no_area",
}


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
    missing = tuple(
        note("screenshot.issue.kind", path=where, kind=issue["kind"])
        if isinstance(issue.get("kind"), str)
        else note("screenshot.issue", path=where)
        for where, issue in issues
        if issue.get("bbox_2d") is None
    )
    if missing:
        facts = {"missing": len(missing), "count": len(issues), "paths": missing}
        return False, note("screenshot.unboxed", **facts)
    return True, counted("screenshot.boxed", len(issues))


@_check("boxes_inside_image")
def boxes_inside_image(value: Any) -> _Outcome | None:
    """Return the boxes_inside_image result: is every bbox_2d within 0–1000 with positive area?"""
    boxes = [(path, owner["bbox_2d"]) for path, owner in bbox_fields(value)]
    boxes = [(path, box) for path, box in boxes if box is not None]
    if not boxes:
        return None
    bad = tuple(
        note("screenshot.bad_box", path=path, box=json.dumps(box, ensure_ascii=False), problem=why)
        for path, box in boxes
        if (why := _box_problem(box))
    )
    if bad:
        return False, note("sentences", parts=bad)
    return True, counted("screenshot.inside", len(boxes), scale=MODEL_SCALE)


def _box_problem(box: Any) -> CheckNote | None:
    """Return what is wrong with a box as a note; None when it is fine."""
    problem = bbox_problem(box)
    if not problem:
        return None
    return note(_BOX_PROBLEMS.get(problem, "box.other"), problem=problem, scale=MODEL_SCALE)
