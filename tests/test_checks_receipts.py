"""Receipt checks: items add up, the total and tax follow, each line multiplies out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.helpers import Check, Quiet, Said, check_name, quiet_params, said_params, worded
from workbench.answers.checks import item_amounts, items_sum, tax_rate, total_adds_up

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


RECEIPT_SAID: list[Said] = [
    (
        "items add up",
        items_sum,
        RECEIPT,
        True,
        "items add up to 7.55, subtotal says 7.55",
        "明细合计 7.55，小计为 7.55",
    ),
    (
        "items off by a cent",
        items_sum,
        receipt(subtotal=7.56),
        False,
        "items add up to 7.55, subtotal says 7.56",
        "明细合计 7.55，小计为 7.56",
    ),
    (
        "float sum 0.1 + 0.2",
        items_sum,
        receipt(items=items((1, 0.1, 0.1), (1, 0.2, 0.2)), subtotal=0.3),
        True,
        "items add up to 0.30, subtotal says 0.30",
        "明细合计 0.30，小计为 0.30",
    ),
    (
        "amount not a number",
        items_sum,
        receipt(items=items((1, 1, 1), (1, 3, "three"))),
        False,
        "items[1].amount is not a number: 'three'",
        'items[1].amount 不是数字："three"',
    ),
    (
        "items not a list",
        items_sum,
        receipt(items="none"),
        False,
        "items is not a list: 'none'",
        'items 不是数组："none"',
    ),
    (
        "amount as money text",
        items_sum,
        receipt(items=items((1, 8, "$8.00")), subtotal=8),
        True,
        "items add up to 8.00, subtotal says 8.00",
        "明细合计 8.00，小计为 8.00",
    ),
    (
        "total adds up",
        total_adds_up,
        RECEIPT,
        True,
        "7.55 - 1.00 + 0.52 = 7.07, total says 7.07",
        "7.55 - 1.00 + 0.52 = 7.07，合计为 7.07",
    ),
    (
        "negative discount counts as positive",
        total_adds_up,
        receipt(discounts=[{"amount": -1.0}]),
        True,
        "7.55 - 1.00 + 0.52 = 7.07, total says 7.07",
        "7.55 - 1.00 + 0.52 = 7.07，合计为 7.07",
    ),
    (
        "no discounts",
        total_adds_up,
        receipt(discounts=..., total=8.07),
        True,
        "7.55 - 0.00 + 0.52 = 8.07, total says 8.07",
        "7.55 - 0.00 + 0.52 = 8.07，合计为 8.07",
    ),
    (
        "total wrong",
        total_adds_up,
        receipt(total=8.07),
        False,
        "7.55 - 1.00 + 0.52 = 7.07, total says 8.07",
        "7.55 - 1.00 + 0.52 = 7.07，合计为 8.07",
    ),
    (
        "total not a number",
        total_adds_up,
        receipt(total="7,07"),
        False,
        "total is not a number: '7,07'",
        'total 不是数字："7,07"',
    ),
    (
        "tax matches the rate",
        tax_rate,
        RECEIPT,
        True,
        "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.52",
        "(7.55 - 1.00) × 8.0% = 0.52，税额为 0.52",
    ),
    (
        "tax a cent off is rounding",
        tax_rate,
        receipt(tax=0.53),
        True,
        "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.53",
        "(7.55 - 1.00) × 8.0% = 0.52，税额为 0.53",
    ),
    (
        "tax two cents off",
        tax_rate,
        receipt(tax=0.54),
        False,
        "(7.55 - 1.00) × 8.0% = 0.52, tax says 0.54",
        "(7.55 - 1.00) × 8.0% = 0.52，税额为 0.54",
    ),
    (
        "rate written as a fraction",
        tax_rate,
        receipt(tax_rate=0.08),
        False,
        "(7.55 - 1.00) × 0.08% = 0.01, tax says 0.52;"
        " tax_rate is a percent, and 0.08 looks like a fraction",
        "(7.55 - 1.00) × 0.08% = 0.01，税额为 0.52；tax_rate 应为百分数，0.08 看起来是写成了小数",
    ),
    (
        "lines multiply out",
        item_amounts,
        RECEIPT,
        True,
        "qty × unit_price = amount for 3 items",
        "3 行明细的数量 × 单价均等于金额",
    ),
    (
        "a line is wrong",
        item_amounts,
        receipt(items=items((1, 3.0, 3.5), (2, 1.25, 2.5))),
        False,
        "items[0] 'item0': 1 × 3.0 = 3.00, amount says 3.50",
        'items[0] "item0"：1 × 3.0 = 3.00，金额为 3.50',
    ),
    (
        "two lines are wrong, one without a name",
        item_amounts,
        receipt(items=[{"qty": 2, "unit_price": 1, "amount": 3}, *items((1, 3.0, 3.5))]),
        False,
        "items[0]: 2 × 1 = 2.00, amount says 3.00;"
        " items[1] 'item0': 1 × 3.0 = 3.00, amount says 3.50",
        'items[0]：2 × 1 = 2.00，金额为 3.00；items[1] "item0"：1 × 3.0 = 3.00，金额为 3.50',
    ),
    (
        "lines without qty are skipped",
        item_amounts,
        receipt(items=[{"amount": 3}, *items((2, 1.5, 3))]),
        True,
        "qty × unit_price = amount for 1 item",
        "1 行明细的数量 × 单价均等于金额",
    ),
    (
        "qty not a number",
        item_amounts,
        receipt(items=items((True, 3, 3))),
        False,
        "items[0].qty is not a number: True",
        "items[0].qty 不是数字：true",
    ),
    (
        "an item not an object",
        item_amounts,
        receipt(items=[None]),
        False,
        "items[0] is not an object: None",
        "items[0] 不是对象：null",
    ),
]
RECEIPT_QUIET: list[Quiet] = [
    ("no subtotal", items_sum, receipt(subtotal=None)),
    ("an amount missing", items_sum, receipt(items=[{"name": "x"}])),
    ("no tax", total_adds_up, receipt(tax=...)),
    ("no rate", tax_rate, receipt(tax_rate=None)),
    ("no line has all three", item_amounts, receipt(items=[{"amount": 3}])),
]


@pytest.mark.parametrize(("check", "value", "ok", "english", "chinese"), said_params(RECEIPT_SAID))
def test_check_says_why_in_english_and_chinese(
    check: Check, value: Any, ok: bool, english: str, chinese: str
) -> None:
    assert worded(check(value)) == [(check_name(check), ok, english, chinese)]


@pytest.mark.parametrize(("check", "value"), quiet_params(RECEIPT_QUIET))
def test_check_without_its_fields_stays_quiet(check: Check, value: Any) -> None:
    assert check(value) == []
