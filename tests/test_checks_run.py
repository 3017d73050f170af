"""Running checks by group: in order, each group's checks, unknown names, non-objects."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import worded
from tests.test_checks_gauges import GAUGE
from tests.test_checks_homework import steps
from tests.test_checks_receipts import RECEIPT
from tests.test_checks_screenshots import ELEMENT, ISSUE
from tests.test_checks_vat_invoice import VAT
from workbench.answers.checks import CheckContext, run_checks

# (group, answer that is not a JSON object, English, Chinese)
NOT_OBJECTS = [
    ("receipt", [1, 2], "expected a JSON object, got list", "应为 JSON 对象，实际是数组"),
    ("vat_invoice", "发票", "expected a JSON object, got str", "应为 JSON 对象，实际是字符串"),
    ("gauge", 7.4, "expected a JSON object, got float", "应为 JSON 对象，实际是数字"),
    ("homework", None, "expected a JSON object, got NoneType", "应为 JSON 对象，实际是 null"),
]


@pytest.mark.parametrize(("group", "value", "english", "chinese"), NOT_OBJECTS)
def test_a_non_object_answer_fails_its_group(
    group: str, value: Any, english: str, chinese: str
) -> None:
    assert worded(run_checks([group], value, CheckContext())) == [(group, False, english, chinese)]


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
        (
            "vat_invoice",
            VAT,
            ["vat_tax_rate", "vat_total", "total_in_words", "seller_tax_id", "buyer_tax_id"],
        ),
    ],
)
def test_each_group_runs_its_checks(name: str, value: dict[str, Any], names: list[str]) -> None:
    results = run_checks([name], value, CheckContext())
    assert [r.name for r in results] == names
    assert all(r.ok for r in results)


def test_unknown_check_name_is_named() -> None:
    with pytest.raises(ValueError) as raised:
        run_checks(["receipt", "reciept"], RECEIPT, CheckContext())
    known = "gauge, homework, receipt, screenshot, vat_invoice"
    assert str(raised.value) == f"unknown check 'reciept'; known checks: {known}"
