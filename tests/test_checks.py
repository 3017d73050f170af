"""Domain checks: each passes, fails with its numbers, or stays quiet when fields are missing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from workbench.checks import (
    CHECKS,
    CheckContext,
    CheckResult,
    boxes_inside_image,
    final_answer_parses,
    issues_have_boxes,
    item_amounts,
    items_sum,
    parse_final_answer,
    run_checks,
    tax_rate,
    threshold_alarm,
    total_adds_up,
    value_in_scale,
    verdicts_agree,
)

# 5 × 0.409 = 2.045: Decimal rounds it half up to 2.05, where round(5 * 0.409, 2) gives 2.04.
RECEIPT: dict[str, Any] = {
    "merchant": "Corner Shop",
    "items": [
        {"name": "Milk", "qty": 2, "unit_price": 1.25, "amount": 2.5},
        {"name": "Bread", "qty": 1, "unit_price": 3.0, "amount": 3.0},
        {"name": "Apples", "qty": 5, "unit_price": 0.409, "amount": 2.05},
    ],
    "discounts": [{"description": "coupon", "amount": 1.0}],
    "subtotal": 7.55,
    "tax_rate": 8.0,
    "tax": 0.52,
    "total": 7.07,
}


def receipt(**changes: Any) -> dict[str, Any]:
    """Return a copy of RECEIPT with fields replaced; a value of ... removes the field."""
    changed = copy.deepcopy(RECEIPT)
    for key, value in changes.items():
        if value is ...:
            del changed[key]
        else:
            changed[key] = value
    return changed


def items(*rows: tuple[Any, Any, Any]) -> list[dict[str, Any]]:
    """Return item rows from (qty, unit_price, amount) triples."""
    return [
        {"name": f"item{i}", "qty": q, "unit_price": p, "amount": a}
        for i, (q, p, a) in enumerate(rows)
    ]


RECEIPT_CASES = [
    ("items add up", items_sum, RECEIPT, [(True, "items add up to 7.55, subtotal says 7.55")]),
    (
        "items off by a cent",
        items_sum,
        receipt(subtotal=7.56),
        [(False, "items add up to 7.55, subtotal says 7.56")],
    ),
    (
        "float sum 0.1 + 0.2",
        items_sum,
        receipt(items=items((1, 0.1, 0.1), (1, 0.2, 0.2)), subtotal=0.3),
        [(True, "items add up to 0.30, subtotal says 0.30")],
    ),
    ("no subtotal: quiet", items_sum, receipt(subtotal=None), []),
    ("an amount missing: quiet", items_sum, receipt(items=[{"name": "x"}]), []),
    (
        "amount not a number",
        items_sum,
        receipt(items=items((1, 1, 1), (1, 3, "three"))),
        [(False, "items[1].amount is not a number: 'three'")],
    ),
    (
        "items not a list",
        items_sum,
        receipt(items="none"),
        [(False, "items is not a list: 'none'")],
    ),
    (
        "amount as money text",
        items_sum,
        receipt(items=items((1, 8, "$8.00")), subtotal=8),
        [(True, "items add up to 8.00, subtotal says 8.00")],
    ),
    (
        "total adds up",
        total_adds_up,
        RECEIPT,
        [(True, "7.55 - 1.00 + 0.52 = 7.07, total says 7.07")],
    ),
    (
        "negative discount counts as positive",
        total_adds_up,
        receipt(discounts=[{"amount": -1.0}]),
        [(True, "7.55 - 1.00 + 0.52 = 7.07, total says 7.07")],
    ),
    (
        "no discounts",
        total_adds_up,
        receipt(discounts=..., total=8.07),
        [(True, "7.55 - 0.00 + 0.52 = 8.07, total says 8.07")],
    ),
    (
        "total wrong",
        total_adds_up,
        receipt(total=8.07),
        [(False, "7.55 - 1.00 + 0.52 = 7.07, total says 8.07")],
    ),
    ("no tax: quiet", total_adds_up, receipt(tax=...), []),
    (
        "total not a number",
        total_adds_up,
        receipt(total="7,07"),
        [(False, "total is not a number: '7,07'")],
    ),
    (
        "tax matches the rate",
        tax_rate,
        RECEIPT,
        [(True, "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.52")],
    ),
    (
        "tax a cent off is rounding",
        tax_rate,
        receipt(tax=0.53),
        [(True, "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.53")],
    ),
    (
        "tax two cents off",
        tax_rate,
        receipt(tax=0.54),
        [(False, "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.54")],
    ),
    (
        "rate written as a fraction",
        tax_rate,
        receipt(tax_rate=0.08),
        [
            (
                False,
                "(7.55 - 1.00) × 0.08% = 0.01, tax says 0.52;"
                " tax_rate is a percent, and 0.08 looks like a fraction",
            )
        ],
    ),
    ("no rate: quiet", tax_rate, receipt(tax_rate=None), []),
    (
        "lines multiply out",
        item_amounts,
        RECEIPT,
        [(True, "qty × unit_price = amount for 3 items")],
    ),
    (
        "a line is wrong",
        item_amounts,
        receipt(items=items((1, 3.0, 3.5), (2, 1.25, 2.5))),
        [(False, "items[0] 'item0': 1 × 3.0 = 3.00, amount says 3.50")],
    ),
    (
        "lines without qty are skipped",
        item_amounts,
        receipt(items=[{"amount": 3}, *items((2, 1.5, 3))]),
        [(True, "qty × unit_price = amount for 1 item")],
    ),
    ("no line has all three: quiet", item_amounts, receipt(items=[{"amount": 3}]), []),
    (
        "qty not a number",
        item_amounts,
        receipt(items=items((True, 3, 3))),
        [(False, "items[0].qty is not a number: True")],
    ),
]


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [case[1:] for case in RECEIPT_CASES],
    ids=[case[0] for case in RECEIPT_CASES],
)
def test_receipt_checks(
    check: Callable[[dict[str, Any]], list[CheckResult]],
    value: dict[str, Any],
    expected: list[tuple[bool, str]],
) -> None:
    assert check(value) == [CheckResult(check.__name__, ok, detail) for ok, detail in expected]


GAUGE = {"value": 7.4, "unit": "bar", "scale_min": 0, "scale_max": 10}

SCALE_CASES = [
    (GAUGE, [(True, "7.4 bar is within the scale 0 to 10 bar")]),
    ({**GAUGE, "value": 12.5}, [(False, "12.5 bar is outside the scale 0 to 10 bar")]),
    ({**GAUGE, "unit": ""}, [(True, "7.4 is within the scale 0 to 10")]),
    ({**GAUGE, "scale_min": 10, "scale_max": 0}, [(False, "scale_min 10 is above scale_max 0")]),
    ({**GAUGE, "value": "n/a"}, [(False, "value is not a number: 'n/a'")]),
    ({**GAUGE, "scale_max": None}, []),
]


@pytest.mark.parametrize(("gauge", "expected"), SCALE_CASES)
def test_value_in_scale(gauge: dict[str, Any], expected: list[tuple[bool, str]]) -> None:
    assert value_in_scale(gauge) == [CheckResult("value_in_scale", ok, d) for ok, d in expected]


ALARM_CASES = [
    (GAUGE, 6.0, "above", [(False, "ALARM: 7.4 bar is above the threshold 6.0 bar")]),
    (GAUGE, 8.0, "above", [(True, "7.4 bar is not above the threshold 8.0 bar")]),
    (GAUGE, 7.4, "above", [(True, "7.4 bar is not above the threshold 7.4 bar")]),  # strictly past
    (GAUGE, 8.0, "below", [(False, "ALARM: 7.4 bar is below the threshold 8.0 bar")]),
    (GAUGE, 5, "below", [(True, "7.4 bar is not below the threshold 5 bar")]),
    (GAUGE, None, "above", []),
    ({"unit": "bar"}, 6.0, "above", []),
    ({**GAUGE, "value": "n/a"}, 6.0, "above", [(False, "value is not a number: 'n/a'")]),
]


@pytest.mark.parametrize(("gauge", "threshold", "direction", "expected"), ALARM_CASES)
def test_threshold_alarm(
    gauge: dict[str, Any], threshold: float | None, direction: str, expected: list[tuple[bool, str]]
) -> None:
    results = threshold_alarm(gauge, threshold, direction)
    assert results == [CheckResult("threshold_alarm", ok, d) for ok, d in expected]


def test_threshold_direction_must_be_known() -> None:
    with pytest.raises(ValueError, match="threshold direction must be 'above' or 'below'"):
        threshold_alarm(GAUGE, 6.0, "sideways")
    with pytest.raises(ValueError, match="threshold direction must be 'above' or 'below'"):
        CheckContext(threshold=6.0, threshold_direction="sideways")


def steps(*verdicts: str) -> list[dict[str, str]]:
    """Return homework steps with the given verdicts."""
    return [{"text": f"step {i}", "verdict": v, "reason": ""} for i, v in enumerate(verdicts)]


VERDICT_CASES = [
    (
        True,
        steps("correct", "correct", "correct"),
        [(True, "correct is true and all 3 steps marked correct")],
    ),
    (
        False,
        steps("correct", "incorrect", "correct"),
        [(True, "correct is false and 1 of 3 steps marked incorrect (steps[1])")],
    ),
    (
        True,
        steps("incorrect", "correct", "incorrect"),
        [(False, "correct is true but 2 of 3 steps marked incorrect (steps[0], steps[2])")],
    ),
    (False, steps("correct"), [(False, "correct is false but all 1 step marked correct")]),
    (True, steps(" Correct "), [(True, "correct is true and all 1 step marked correct")]),
    ("yes", steps("correct"), [(False, "correct is not true or false: 'yes'")]),
    (True, steps("maybe"), [(False, "steps[0].verdict is 'maybe', not 'correct' or 'incorrect'")]),
    (True, [], []),
    (None, steps("correct"), []),
    (True, [{"text": "no verdict"}], []),
]


@pytest.mark.parametrize(("correct", "steps_", "expected"), VERDICT_CASES)
def test_verdicts_agree(correct: Any, steps_: list[Any], expected: list[tuple[bool, str]]) -> None:
    results = verdicts_agree({"correct": correct, "steps": steps_})
    assert results == [CheckResult("verdicts_agree", ok, d) for ok, d in expected]


FINAL_ANSWER_CASES = [
    ("x = 12", [(True, "final answer 'x = 12' reads as 12")]),
    ("12.5", [(True, "final answer '12.5' reads as 12.5")]),
    ("-3/4", [(True, "final answer '-3/4' reads as -0.75")]),
    ("1,234", [(True, "final answer '1,234' reads as 1234")]),
    ("12 cm", [(True, "final answer '12 cm' reads as 12 (unit: cm)")]),
    ("答：12厘米", [(True, "final answer '答：12厘米' reads as 12 (unit: 厘米)")]),
    ("2x = −24", [(True, "final answer '2x = −24' reads as -24")]),
    ("twelve", [(False, "final answer 'twelve' does not read as a number")]),
    ("12 + 3", [(False, "final answer '12 + 3' does not read as a number")]),
    ("3/0", [(False, "final answer '3/0' does not read as a number")]),
    (42, [(True, "final answer is the number 42")]),
    (True, [(False, "final_answer is not text or a number: True")]),
    (None, []),
]


@pytest.mark.parametrize(("answer", "expected"), FINAL_ANSWER_CASES)
def test_final_answer_parses(answer: Any, expected: list[tuple[bool, str]]) -> None:
    results = final_answer_parses({"final_answer": answer})
    assert results == [CheckResult("final_answer_parses", ok, d) for ok, d in expected]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("Answer: x = 1/2", (0.5, "")), ("75 %", (75.0, "%")), ("1.2.3", None), ("", None)],
)
def test_parse_final_answer(text: str, parsed: tuple[float, str] | None) -> None:
    assert parse_final_answer(text) == parsed


ISSUE = {"kind": "truncation", "description": "label cut", "bbox_2d": [10, 20, 300, 60]}
ELEMENT = {"label": "button", "text": "OK", "bbox_2d": [5, 5, 50, 9]}

ISSUE_CASES = [
    ([ISSUE, ISSUE], [(True, "every issue has a bbox_2d (2 issues)")]),
    ([ISSUE, {"kind": "overlap"}], [(False, "no bbox_2d on 1 of 2 issues: issues[1] (overlap)")]),
    (
        [{**ISSUE, "bbox_2d": None}],
        [(False, "no bbox_2d on 1 of 1 issues: issues[0] (truncation)")],
    ),
    ([], []),
    (None, []),
    ("none", [(False, "issues is not a list: 'none'")]),
    (["x"], [(False, "issues[0] is not an object: 'x'")]),
]


@pytest.mark.parametrize(("issues", "expected"), ISSUE_CASES)
def test_issues_have_boxes(issues: Any, expected: list[tuple[bool, str]]) -> None:
    results = issues_have_boxes({"issues": issues, "elements": []})
    assert results == [CheckResult("issues_have_boxes", ok, d) for ok, d in expected]


BOX_CASES = [
    (
        {"issues": [ISSUE], "elements": [ELEMENT]},
        [(True, "every bbox_2d is within 0–1000 with positive area (2 boxes)")],
    ),
    (
        {
            "issues": [{**ISSUE, "bbox_2d": [10, 20, 1200, 40]}],
            "elements": [{**ELEMENT, "bbox_2d": [5, 5, 5, 9]}],
        },
        [
            (
                False,
                "$.issues[0].bbox_2d [10, 20, 1200, 40] is outside 0–1000;"
                " $.elements[0].bbox_2d [5, 5, 5, 9] has no area",
            )
        ],
    ),
    (
        {"elements": [{**ELEMENT, "bbox_2d": [1, 2, 3]}]},
        [(False, "$.elements[0].bbox_2d [1, 2, 3] is not a list of 4 numbers")],
    ),
    ({"issues": [{"kind": "typo", "bbox_2d": None}], "elements": []}, []),
    ({"issues": [], "elements": []}, []),
]


@pytest.mark.parametrize(("screenshot", "expected"), BOX_CASES)
def test_boxes_inside_image(screenshot: dict[str, Any], expected: list[tuple[bool, str]]) -> None:
    results = boxes_inside_image(screenshot)
    assert results == [CheckResult("boxes_inside_image", ok, d) for ok, d in expected]


def test_check_names_are_stable() -> None:
    assert sorted(CHECKS) == ["gauge", "homework", "receipt", "screenshot"]


def test_run_checks_runs_named_groups_in_order() -> None:
    results = run_checks(["gauge", "receipt"], {**GAUGE, **RECEIPT}, CheckContext(threshold=6.0))
    assert [(r.name, r.ok) for r in results] == [
        ("value_in_scale", True),
        ("threshold_alarm", False),
        ("items_sum", True),
        ("total_adds_up", True),
        ("tax_rate", True),
        ("item_amounts", True),
    ]


@pytest.mark.parametrize(
    ("name", "value", "names"),
    [
        (
            "homework",
            {"correct": True, "steps": steps("correct"), "final_answer": "4"},
            ["verdicts_agree", "final_answer_parses"],
        ),
        (
            "screenshot",
            {"issues": [ISSUE], "elements": [ELEMENT]},
            ["issues_have_boxes", "boxes_inside_image"],
        ),
        ("gauge", GAUGE, ["value_in_scale"]),  # no threshold set: no alarm result
    ],
)
def test_each_group_runs_its_checks(name: str, value: dict[str, Any], names: list[str]) -> None:
    results = run_checks([name], value, CheckContext())
    assert [r.name for r in results] == names
    assert all(r.ok for r in results)


def test_a_non_object_answer_fails_its_group() -> None:
    assert run_checks(["receipt"], [1, 2], CheckContext()) == [
        CheckResult("receipt", False, "expected a JSON object, got list")
    ]


def test_unknown_check_name_is_named() -> None:
    with pytest.raises(ValueError) as raised:
        run_checks(["receipt", "reciept"], RECEIPT, CheckContext())
    assert (
        str(raised.value)
        == "unknown check 'reciept'; known checks: gauge, homework, receipt, screenshot"
    )
