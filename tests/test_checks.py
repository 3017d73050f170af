"""Domain checks: each passes, fails with its numbers, or stays quiet when fields are missing."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from workbench.checks import (
    CHECKS,
    CheckContext,
    CheckResult,
    boxes_inside_image,
    buyer_tax_id,
    final_answer_parses,
    format_capital_amount,
    issues_have_boxes,
    item_amounts,
    items_sum,
    parse_capital_amount,
    parse_final_answer,
    run_checks,
    seller_tax_id,
    tax_rate,
    threshold_alarm,
    total_adds_up,
    total_in_words,
    uscc_check_character,
    value_in_scale,
    vat_tax_rate,
    vat_total,
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


# --- Chinese VAT invoice: 大写 amounts, unified social credit codes, the vat_invoice checks ----

# (text as printed, the amount it states); the standard's own examples are marked 支付结算办法.
CAPITAL_AMOUNTS = [
    ("壹万贰仟叁佰肆拾伍元陆角柒分", "12345.67"),
    ("壹万零伍拾肆元柒角玖分", "10054.79"),  # one 零 for the empty 仟 and 佰
    ("⊗壹万零伍拾肆元柒角玖分", "10054.79"),
    ("ⓧ 壹万零伍拾肆元柒角玖分", "10054.79"),
    ("¥壹佰元整", "100.00"),
    ("人民币壹佰元整", "100.00"),
    ("（大写）⊗壹佰元整", "100.00"),
    ("壹佰圆正", "100.00"),
    ("壹仟肆佰零玖元伍角", "1409.50"),  # 支付结算办法: a zero between digits needs its 零
    ("壹仟陆佰捌拾元零叁角贰分", "1680.32"),  # 支付结算办法: 零 after 元 may be written …
    ("壹仟陆佰捌拾元叁角贰分", "1680.32"),  # … or left out
    ("壹拾万柒仟元零伍角叁分", "107000.53"),  # 支付结算办法: both forms again
    ("壹拾万零柒仟元伍角叁分", "107000.53"),
    ("壹万陆仟肆佰零玖元零贰分", "16409.02"),  # 支付结算办法: 角 is 0, 分 is not
    ("叁佰贰拾伍元零肆分", "325.04"),
    ("壹仟零伍元整", "1005.00"),
    ("壹仟零伍拾元整", "1050.00"),
    ("壹拾元整", "10.00"),
    ("拾元整", "10.00"),  # 壹 left out before a leading 拾
    ("拾伍元", "15.00"),
    ("壹拾伍元整", "15.00"),
    ("零元整", "0.00"),
    ("伍角", "0.50"),
    ("伍角整", "0.50"),
    ("叁分", "0.03"),
    ("零元伍角", "0.50"),
    ("壹佰元伍角叁分整", "100.53"),
    ("壹亿元整", "100000000.00"),
    ("壹亿零伍仟元整", "100005000.00"),  # 万 group empty: one 零
    ("壹亿伍万元整", "100050000.00"),
    ("壹亿零伍万元整", "100050000.00"),
    ("贰亿叁仟万零壹元整", "230000001.00"),
    ("玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分", "99999999.99"),
    ("壹万亿元整", "1000000000000.00"),
    ("壹萬貳仟參佰圓整", "12300.00"),  # traditional forms
    ("陸佰陸拾陸億元整", "66600000000.00"),
    ("（负数）壹佰元整", "-100.00"),  # red-letter invoice
    ("负壹佰元整", "-100.00"),
    ("⊗负壹佰元整", "-100.00"),
    ("壹万 零伍拾肆元 柒角玖分", "10054.79"),
]


@pytest.mark.parametrize(("text", "amount"), CAPITAL_AMOUNTS)
def test_parse_capital_amount(text: str, amount: str) -> None:
    assert str(parse_capital_amount(text)) == amount


UNREADABLE_AMOUNTS = [
    ("", "no amount"),
    ("整", "no amount"),
    ("⊗", "no amount"),
    ("壹贰元", "壹贰: two digits without a unit between them"),
    ("壹仟仟元", "仟 comes after a smaller unit"),
    ("壹佰仟元", "仟 comes after a smaller unit"),
    ("伍分叁角", "角 comes after a smaller unit"),
    ("佰元", "佰 has no digit before it"),
    ("壹万拾伍元", "拾 has no digit before it"),
    ("壹佰伍元", "伍 after 佰 is ambiguous: write 零伍 or a unit after it"),  # 105 or 150?
    ("壹万伍元", "伍 after 万 is ambiguous: write 零伍 or a unit after it"),  # 10005 or 15000?
    ("壹仟伍万元", "伍 after 仟 is ambiguous: write 零伍 or a unit after it"),
    ("伍角叁", "叁 has no 角 or 分 after it"),
    ("壹万贰仟", "no 元, 角 or 分"),
    ("12345.67", "no 元, 角 or 分"),
    ("壹佰元整伍角", "整 is only written at the end"),
    ("壹佰元贰元", "元 is written twice"),
    ("元整", "元 has no digits before it"),
    ("亿元", "亿 has no digits before it"),
    ("壹佰美元", "'美' is not a capital numeral or unit"),
    ("壹佰元伍拾", "'拾' is not a capital numeral or unit"),
    ("壹万万元", "'万' is not a capital numeral or unit"),
    ("一百元", "'一' is not a capital numeral or unit"),
]


@pytest.mark.parametrize(("text", "problem"), UNREADABLE_AMOUNTS)
def test_unreadable_capital_amount_says_why(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_capital_amount(text)
    assert str(raised.value) == problem


FORMATTED_AMOUNTS = [
    ("0", "零元整"),
    ("0.05", "伍分"),
    ("0.5", "伍角"),
    ("0.55", "伍角伍分"),
    ("10", "壹拾元整"),
    ("15", "壹拾伍元整"),
    ("100.05", "壹佰元零伍分"),
    ("1005", "壹仟零伍元整"),
    ("1050", "壹仟零伍拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("10054.79", "壹万零伍拾肆元柒角玖分"),
    ("12345.67", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("100005000", "壹亿零伍仟元整"),
    ("100050000", "壹亿零伍万元整"),
    ("230000001", "贰亿叁仟万零壹元整"),
    ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-100", "负壹佰元整"),
    ("12.345", "壹拾贰元叁角伍分"),  # rounded half up to the fen
]


@pytest.mark.parametrize(("amount", "words"), FORMATTED_AMOUNTS)
def test_format_capital_amount(amount: str, words: str) -> None:
    assert format_capital_amount(Decimal(amount)) == words
    assert parse_capital_amount(words) == Decimal(amount).quantize(Decimal("0.01"), "ROUND_HALF_UP")


def test_capital_amounts_round_trip() -> None:
    rng = random.Random(20240516)
    cents = [rng.randrange(10**digits) for digits in range(1, 15) for _ in range(300)]
    for amount in (Decimal(n).scaleb(-2) for n in cents):
        assert parse_capital_amount(format_capital_amount(amount)) == amount


def test_format_capital_amount_refuses_a_trillion() -> None:
    with pytest.raises(ValueError, match="too large to write in words"):
        format_capital_amount(10**12)


# Public codes: Tencent, Huawei, Alibaba (China), and the Fujian example often used to explain
# GB 32100; then the two invented for the example invoice.
VALID_CODES = [
    "9144030071526726XG",
    "914403001922038216",
    "91330100799655058B",
    "91350100M000100Y43",
    "91330106MA2H7C5P3M",
    "91310115MA1K3R8LXT",
]


@pytest.mark.parametrize("code", VALID_CODES)
def test_uscc_check_character(code: str) -> None:
    assert uscc_check_character(code[:17]) == code[17]


@pytest.mark.parametrize(
    "first17", ["9144030071526726", "9144030071526726XGG", "914403007152672OX"]
)
def test_uscc_check_character_needs_17_code_characters(first17: str) -> None:
    with pytest.raises(ValueError, match="expected 17 characters"):
        uscc_check_character(first17)


VAT: dict[str, Any] = {
    "invoice_code": "033002400111",
    "invoice_number": "48271635",
    "date": "2024-05-16",
    "buyer_name": "上海云帆信息技术有限公司",
    "buyer_tax_id": "91310115MA1K3R8LXT",
    "amount": 8898.04,
    "tax_rate": 13.0,
    "tax": 1156.75,
    "total_in_words": "壹万零伍拾肆元柒角玖分",
    "total": 10054.79,
    "seller_name": "杭州青禾办公用品有限公司",
    "seller_tax_id": "91330106MA2H7C5P3M",
}
WORDS = "'壹万零伍拾肆元柒角玖分'"


def vat(**changes: Any) -> dict[str, Any]:
    """Return a copy of VAT with fields replaced; a value of ... removes the field."""
    changed = copy.deepcopy(VAT)
    for key, value in changes.items():
        if value is ...:
            del changed[key]
        else:
            changed[key] = value
    return changed


SELLER_OK = (
    "seller_tax_id 91330106MA2H7C5P3M: unified social credit code, check character M is right"
)
LEGACY = (
    "{field} {code}: not an 18-character unified social credit code but a legacy"
    " {length}-character taxpayer ID, which has no check character to verify"
)
VAT_CASES = [
    ("tax matches", vat_tax_rate, VAT, [(True, "8898.04 × 13.0% = 1156.75, tax says 1156.75")]),
    (
        "tax a cent off is rounding",
        vat_tax_rate,
        vat(tax=1156.76),
        [(True, "8898.04 × 13.0% = 1156.75, tax says 1156.76")],
    ),
    (
        "tax a yuan off",
        vat_tax_rate,
        vat(tax=1157.75),
        [(False, "8898.04 × 13.0% = 1156.75, tax says 1157.75")],
    ),
    (
        "rate written as a fraction",
        vat_tax_rate,
        vat(tax_rate=0.13),
        [
            (
                False,
                "8898.04 × 0.13% = 11.57, tax says 1156.75;"
                " tax_rate is a percent, and 0.13 looks like a fraction",
            )
        ],
    ),
    (
        "exempt: rate 0, tax 0",
        vat_tax_rate,
        vat(tax_rate=0, tax=0),
        [(True, "8898.04 × 0% = 0.00, tax says 0.00")],
    ),
    ("rates differ: quiet", vat_tax_rate, vat(tax_rate=None), []),
    (
        "rate as text",
        vat_tax_rate,
        vat(tax_rate="13%"),
        [(False, "tax_rate is not a number: '13%'")],
    ),
    (
        "total adds up",
        vat_total,
        VAT,
        [(True, "8898.04 + 1156.75 = 10054.79, total says 10054.79")],
    ),
    (
        "total digits swapped",
        vat_total,
        vat(total=10054.97),
        [(False, "8898.04 + 1156.75 = 10054.79, total says 10054.97")],
    ),
    (
        "amount not a number",
        vat_total,
        vat(amount="八千"),
        [(False, "amount is not a number: '八千'")],
    ),
    ("no total: quiet", vat_total, vat(total=...), []),
    (
        "words match",
        total_in_words,
        VAT,
        [(True, f"{WORDS} reads as 10054.79, total says 10054.79")],
    ),
    (
        "words with the printed ⊗",
        total_in_words,
        vat(total_in_words="⊗壹万零伍拾肆元柒角玖分"),
        [(True, "'⊗壹万零伍拾肆元柒角玖分' reads as 10054.79, total says 10054.79")],
    ),
    (
        "words and figures disagree",
        total_in_words,
        vat(total_in_words="壹万零伍拾肆元玖角柒分"),
        [
            (
                False,
                "'壹万零伍拾肆元玖角柒分' reads as 10054.97, total says 10054.79;"
                f" 10054.79 in words is {WORDS}",
            )
        ],
    ),
    (
        "words unreadable",
        total_in_words,
        vat(total_in_words="壹万零伍拾肆元柒角玖"),
        [
            (
                False,
                "total_in_words '壹万零伍拾肆元柒角玖' does not read as an amount:"
                " 玖 has no 角 or 分 after it",
            )
        ],
    ),
    (
        "words as a number",
        total_in_words,
        vat(total_in_words=10054.79),
        [(False, "total_in_words is not text: 10054.79")],
    ),
    ("no words: quiet", total_in_words, vat(total_in_words=None), []),
    ("blank words: quiet", total_in_words, vat(total_in_words=" "), []),
    ("no total: quiet", total_in_words, vat(total=None), []),
    ("seller code checks out", seller_tax_id, VAT, [(True, SELLER_OK)]),
    (
        "printed with spaces, read in lower case",
        seller_tax_id,
        vat(seller_tax_id="9133 0106 ma2h 7c5p 3m"),
        [(True, SELLER_OK)],
    ),
    (
        "check character misread",
        seller_tax_id,
        vat(seller_tax_id="91330106MA2H7C5P3N"),
        [(False, "seller_tax_id 91330106MA2H7C5P3N: the check character should be M, not N")],
    ),
    (
        "a body character misread",
        seller_tax_id,
        vat(seller_tax_id="91330106MA2H7C5B3M"),
        [(False, "seller_tax_id 91330106MA2H7C5B3M: the check character should be 9, not M")],
    ),
    (
        "O for 0",
        seller_tax_id,
        vat(seller_tax_id="9133O1O6MA2H7C5P3M"),
        [
            (
                False,
                "seller_tax_id 9133O1O6MA2H7C5P3M: a unified social credit code never contains O",
            )
        ],
    ),
    (
        "letters in the region code",
        seller_tax_id,
        vat(seller_tax_id="9133AB06MA2H7C5P3M"),
        [
            (
                False,
                "seller_tax_id 9133AB06MA2H7C5P3M: characters 3-8 (the region code) must be digits",
            )
        ],
    ),
    (
        "legacy 15-character ID",
        seller_tax_id,
        vat(seller_tax_id="330106123456789"),
        [(True, LEGACY.format(field="seller_tax_id", code="330106123456789", length=15))],
    ),
    (
        "legacy 20-character ID",
        buyer_tax_id,
        vat(buyer_tax_id="33010619800101123X01"),
        [(True, LEGACY.format(field="buyer_tax_id", code="33010619800101123X01", length=20))],
    ),
    (
        "legacy length, odd characters",
        buyer_tax_id,
        vat(buyer_tax_id="330106-23456789"),
        [
            (
                False,
                "buyer_tax_id 330106-23456789: a taxpayer ID has only digits and capital letters",
            )
        ],
    ),
    (
        "a code a character short reads as a legacy ID",
        buyer_tax_id,
        vat(buyer_tax_id="91310115MA1K3R8LX"),
        [(True, LEGACY.format(field="buyer_tax_id", code="91310115MA1K3R8LX", length=17))],
    ),
    (
        "too short for any ID",
        buyer_tax_id,
        vat(buyer_tax_id="9131011"),
        [
            (
                False,
                "buyer_tax_id 9131011 has 7 characters; a unified social credit code has 18"
                " (legacy taxpayer IDs 15, 17 or 20)",
            )
        ],
    ),
    ("buyer without an ID: quiet", buyer_tax_id, vat(buyer_tax_id=None), []),
    ("blank ID: quiet", buyer_tax_id, vat(buyer_tax_id=""), []),
    (
        "ID as a number",
        buyer_tax_id,
        vat(buyer_tax_id=913101151),
        [(False, "buyer_tax_id is not text: 913101151")],
    ),
]


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [case[1:] for case in VAT_CASES],
    ids=[case[0] for case in VAT_CASES],
)
def test_vat_invoice_checks(
    check: Callable[[dict[str, Any]], list[CheckResult]],
    value: dict[str, Any],
    expected: list[tuple[bool, str]],
) -> None:
    assert check(value) == [CheckResult(check.__name__, ok, detail) for ok, detail in expected]


def test_check_names_are_stable() -> None:
    assert sorted(CHECKS) == ["gauge", "homework", "receipt", "screenshot", "vat_invoice"]


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


def test_a_non_object_answer_fails_its_group() -> None:
    assert run_checks(["receipt"], [1, 2], CheckContext()) == [
        CheckResult("receipt", False, "expected a JSON object, got list")
    ]
    assert run_checks(["vat_invoice"], "发票", CheckContext()) == [
        CheckResult("vat_invoice", False, "expected a JSON object, got str")
    ]


def test_unknown_check_name_is_named() -> None:
    with pytest.raises(ValueError) as raised:
        run_checks(["receipt", "reciept"], RECEIPT, CheckContext())
    known = "gauge, homework, receipt, screenshot, vat_invoice"
    assert str(raised.value) == f"unknown check 'reciept'; known checks: {known}"
