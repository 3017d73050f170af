"""Domain checks on a parsed answer: do a receipt's sums add up, is a gauge past its threshold.

Every check returns a list: one CheckResult, or none when a field it needs is missing or null
(that is the schema validator's to report; a check with nothing to check stays quiet). A field
that is there but is not a number is a failed check that names it. Money is compared in Decimal
cents, never in floats.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, ParamSpec

from workbench.boxes import MODEL_SCALE, bbox_fields, bbox_problem

DIRECTIONS = ("above", "below")
CENT = Decimal("0.01")
MONEY_TOLERANCE = Decimal("0.005")  # after rounding to cents: the amounts must agree to the cent
# Shops round tax per line or on the total, so a computed tax may be a cent off the printed one.
TAX_TOLERANCE = Decimal("0.01")
_WIDE = Context(prec=400)  # enough digits to round any float to cents without an overflow

_NUMBER_TEXT = re.compile(
    r"(?P<sign>[-+]?)"  # a sign before the currency: -$5.00
    r"[$€£¥￥]?"  # an optional currency sign
    r"(?P<digits>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"  # 1,234.50 or 1234.5
    r"|[-+]?\.\d+)"  # or .50
)
_FINAL_ANSWER = re.compile(
    r"(?:.*=)?"  # anything up to the last '=': "x = 12", "2x = 24"
    r"(?:[^\d=]*[:：])?"  # a label without digits: "Answer:", "答："
    r"\s*(?P<sign>[-+−]?)\s*"  # a sign, ASCII or the Unicode minus
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"  # 1,234 / 12.5 / .5
    r"(?:\s*/\s*(?P<denominator>\d+))?"  # a fraction: -3/4
    r"\s*(?P<unit>[^\d+\-−*/^=()]*)",  # a unit without digits or operators: cm, %, 厘米
    re.DOTALL,
)

_P = ParamSpec("_P")
_Outcome = tuple[bool, str]


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: its stable name, whether it passed, and the numbers behind it."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CheckContext:
    """What the user set beside the answer: the gauge alarm threshold and its direction."""

    threshold: float | None = None
    threshold_direction: str = "above"

    def __post_init__(self) -> None:
        if self.threshold_direction not in DIRECTIONS:
            raise ValueError(
                f"threshold direction must be 'above' or 'below', got {self.threshold_direction!r}"
            )


class _Unusable(Exception):
    """A field a check needs is there, but is not a number (or not a list, or not an object)."""


def _check(name: str) -> Callable[[Callable[_P, _Outcome | None]], Callable[_P, list[CheckResult]]]:
    """Return a decorator turning (ok, detail) or None into a result list, _Unusable into a fail."""

    def wrap(body: Callable[_P, _Outcome | None]) -> Callable[_P, list[CheckResult]]:
        @functools.wraps(body)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> list[CheckResult]:
            try:
                outcome = body(*args, **kwargs)
            except _Unusable as problem:
                return [CheckResult(name, False, str(problem))]
            return [] if outcome is None else [CheckResult(name, *outcome)]

        return run

    return wrap


# Receipts ---------------------------------------------------------------------------------------


@_check("items_sum")
def items_sum(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the items_sum result: do the item amounts add up to the subtotal?"""
    subtotal = _number(receipt, "subtotal")
    amounts = _column(receipt, "items", "amount")
    if subtotal is None or amounts is None:
        return None
    total = sum(map(_cents, amounts), Decimal("0.00"))
    return _same(total, subtotal), f"items add up to {total}, subtotal says {_cents(subtotal)}"


@_check("total_adds_up")
def total_adds_up(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the total_adds_up result: subtotal − |discounts| + tax = total?"""
    subtotal, tax, total = (_number(receipt, key) for key in ("subtotal", "tax", "total"))
    discounts = _discount_total(receipt)
    if subtotal is None or tax is None or total is None or discounts is None:
        return None
    expected = _cents(subtotal) - discounts + _cents(tax)
    sums = f"{_cents(subtotal)} - {discounts} + {_cents(tax)} = {expected}"
    return _same(expected, total), f"{sums}, total says {_cents(total)}"


@_check("tax_rate")
def tax_rate(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the tax_rate result: (subtotal − discounts) × tax_rate / 100 = tax, within a cent?"""
    rate, subtotal, tax = (_number(receipt, key) for key in ("tax_rate", "subtotal", "tax"))
    discounts = _discount_total(receipt)
    if rate is None or subtotal is None or tax is None or discounts is None:
        return None
    base = _cents(subtotal) - discounts
    expected = _cents(base * rate / 100)
    ok = _same(expected, tax, TAX_TOLERANCE)
    detail = f"({_cents(subtotal)} - {discounts}) × {rate}% = {expected}, tax says {_cents(tax)}"
    if not ok and _same(base * rate, tax, TAX_TOLERANCE):
        detail += f"; tax_rate is a percent, and {rate} looks like a fraction"
    return ok, detail


@_check("item_amounts")
def item_amounts(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the item_amounts result: qty × unit_price = amount for each item having all three?"""
    checked, wrong = 0, []
    for where, item in _rows(receipt, "items"):
        qty, price, amount = (_number(item, key, where) for key in ("qty", "unit_price", "amount"))
        if qty is None or price is None or amount is None:
            continue
        checked += 1
        if not _same(qty * price, amount):
            name = f" {item['name']!r}" if isinstance(item.get("name"), str) else ""
            product = f"{qty} × {price} = {_cents(qty * price)}"
            wrong.append(f"{where}{name}: {product}, amount says {_cents(amount)}")
    if not checked:
        return None
    if wrong:
        return False, "; ".join(wrong)
    return True, f"qty × unit_price = amount for {_count(checked, 'item')}"


# Gauges -----------------------------------------------------------------------------------------


@_check("value_in_scale")
def value_in_scale(gauge: dict[str, Any]) -> _Outcome | None:
    """Return the value_in_scale result: scale_min ≤ value ≤ scale_max?"""
    value, low, high = (_number(gauge, key) for key in ("value", "scale_min", "scale_max"))
    if value is None or low is None or high is None:
        return None
    if low > high:
        return False, f"scale_min {low} is above scale_max {high}"
    inside = low <= value <= high
    unit, where = _unit(gauge), "within" if inside else "outside"
    return inside, f"{value}{unit} is {where} the scale {low} to {high}{unit}"


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
    unit = _unit(gauge)
    if past:
        return False, f"ALARM: {value}{unit} is {direction} the threshold {limit}{unit}"
    return True, f"{value}{unit} is not {direction} the threshold {limit}{unit}"


# Homework ---------------------------------------------------------------------------------------


@_check("verdicts_agree")
def verdicts_agree(homework: dict[str, Any]) -> _Outcome | None:
    """Return the verdicts_agree result: is `correct` true exactly when every step is correct?"""
    correct, steps = homework.get("correct"), homework.get("steps")
    if correct is None or steps is None:
        return None
    if not isinstance(correct, bool):
        raise _Unusable(f"correct is not true or false: {correct!r}")
    verdicts = [_verdict(step, where) for where, step in _rows(homework, "steps")]
    if not verdicts or None in verdicts:
        return None
    wrong = [f"steps[{i}]" for i, verdict in enumerate(verdicts) if verdict == "incorrect"]
    marked = (
        f"{len(wrong)} of {_count(len(verdicts), 'step')} marked incorrect ({', '.join(wrong)})"
    )
    if not wrong:
        marked = f"all {_count(len(verdicts), 'step')} marked correct"
    agree = correct == (not wrong)
    return agree, f"correct is {str(correct).lower()} {'and' if agree else 'but'} {marked}"


@_check("final_answer_parses")
def final_answer_parses(homework: dict[str, Any]) -> _Outcome | None:
    """Return the final_answer_parses result: does the final answer read as a number, and which?"""
    answer = homework.get("final_answer")
    if answer is None:
        return None
    if isinstance(answer, int | float) and _to_decimal(answer) is not None:
        return True, f"final answer is the number {answer}"
    if not isinstance(answer, str):
        raise _Unusable(f"final_answer is not text or a number: {answer!r}")
    parsed = parse_final_answer(answer)
    if parsed is None:
        return False, f"final answer {answer!r} does not read as a number"
    number, unit = parsed
    shown = f"{number:.10g}" + (f" (unit: {unit})" if unit else "")
    return True, f"final answer {answer!r} reads as {shown}"


def parse_final_answer(text: str) -> tuple[float, str] | None:
    """Return (number, unit) for answers like "x = 12", "-3/4", "1,234", "12 cm"; else None."""
    match = _FINAL_ANSWER.fullmatch(text.strip())
    if not match:
        return None
    number = float(match["number"].replace(",", ""))
    if match["denominator"]:
        if int(match["denominator"]) == 0:
            return None
        number /= int(match["denominator"])
    if match["sign"] in ("-", "−"):
        number = -number
    return number, match["unit"].strip()


# Screenshots ------------------------------------------------------------------------------------


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


# Registry ---------------------------------------------------------------------------------------


def check_receipt(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the receipt checks: items_sum, total_adds_up, tax_rate, item_amounts."""
    if not isinstance(value, dict):
        return _not_an_object("receipt", value)
    return [*items_sum(value), *total_adds_up(value), *tax_rate(value), *item_amounts(value)]


def check_gauge(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the gauge checks: value_in_scale, threshold_alarm (when a threshold is set)."""
    if not isinstance(value, dict):
        return _not_an_object("gauge", value)
    alarm = threshold_alarm(value, context.threshold, context.threshold_direction)
    return [*value_in_scale(value), *alarm]


def check_homework(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the homework checks: verdicts_agree, final_answer_parses."""
    if not isinstance(value, dict):
        return _not_an_object("homework", value)
    return [*verdicts_agree(value), *final_answer_parses(value)]


def check_screenshot(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the screenshot checks: issues_have_boxes, boxes_inside_image."""
    if not isinstance(value, dict):
        return _not_an_object("screenshot", value)
    return [*issues_have_boxes(value), *boxes_inside_image(value)]


# Preset files name these keys: keep them stable.
CHECKS: dict[str, Callable[[Any, CheckContext], list[CheckResult]]] = {
    "receipt": check_receipt,
    "gauge": check_gauge,
    "homework": check_homework,
    "screenshot": check_screenshot,
}


def run_checks(names: Sequence[str], value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the results of the named check groups, in order; ValueError names an unknown one."""
    for name in names:
        if name not in CHECKS:
            raise ValueError(f"unknown check {name!r}; known checks: {', '.join(sorted(CHECKS))}")
    return [result for name in names for result in CHECKS[name](value, context)]


# Helpers ----------------------------------------------------------------------------------------


def _not_an_object(name: str, value: Any) -> list[CheckResult]:
    return [CheckResult(name, False, f"expected a JSON object, got {type(value).__name__}")]


def _to_decimal(raw: Any) -> Decimal | None:
    """Return a number, or a numeric string such as "$1,234.50", as a Decimal; None otherwise."""
    if isinstance(raw, bool):  # True is an int to Python, not a number to a receipt
        return None
    if isinstance(raw, int | float):
        text = repr(raw)
    elif isinstance(raw, str) and (match := _NUMBER_TEXT.fullmatch(raw.strip())):
        text = match["sign"] + match["digits"].replace(",", "")
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # "--5": signs on both sides of the currency
        return None
    return number if number.is_finite() else None


def _number(row: dict[str, Any], key: str, where: str = "") -> Decimal | None:
    """Return row[key] as a Decimal, None when missing or null; _Unusable when not a number."""
    raw = row.get(key)
    if raw is None:
        return None
    number = _to_decimal(raw)
    if number is None:
        raise _Unusable(f"{where}{'.' if where else ''}{key} is not a number: {raw!r}")
    return number


def _rows(parent: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
    """Return (path like "items[2]", object) for each entry of a list field; [] when missing."""
    rows = parent.get(key)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise _Unusable(f"{key} is not a list: {rows!r}")
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise _Unusable(f"{key}[{index}] is not an object: {row!r}")
    return [(f"{key}[{index}]", row) for index, row in enumerate(rows)]


def _column(parent: dict[str, Any], key: str, field: str) -> list[Decimal] | None:
    """Return one number from each entry of a list field; None when the list or one is missing."""
    if parent.get(key) is None:
        return None
    numbers = [_number(row, field, where) for where, row in _rows(parent, key)]
    return None if None in numbers else [n for n in numbers if n is not None]


def _discount_total(receipt: dict[str, Any]) -> Decimal | None:
    """Return the discounts as one positive amount (0 without discounts); None if one is missing."""
    amounts = _column(receipt, "discounts", "amount") if receipt.get("discounts") else []
    if amounts is None:
        return None
    return sum((abs(_cents(amount)) for amount in amounts), Decimal("0.00"))


def _verdict(step: dict[str, Any], where: str) -> str | None:
    """Return "correct" or "incorrect" (None when missing); raise _Unusable for anything else."""
    raw = step.get("verdict")
    verdict = raw.strip().lower() if isinstance(raw, str) else raw
    if raw is not None and verdict not in ("correct", "incorrect"):
        raise _Unusable(f"{where}.verdict is {raw!r}, not 'correct' or 'incorrect'")
    return verdict


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def _same(a: Decimal, b: Decimal, tolerance: Decimal = MONEY_TOLERANCE) -> bool:
    """Return whether two amounts agree once both are rounded to cents."""
    return abs(_cents(a) - _cents(b)) <= tolerance


def _unit(gauge: dict[str, Any]) -> str:
    unit = gauge.get("unit")
    return f" {unit.strip()}" if isinstance(unit, str) and unit.strip() else ""


def _count(n: int, noun: str) -> str:
    """Return "1 item", "3 items", "2 boxes"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}es" if noun.endswith("x") else f"{n} {noun}s"
