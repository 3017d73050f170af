"""Receipt checks: do the items, discounts and tax add up to the printed totals, to the cent?"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workbench.answers.checks._base import (
    CheckContext,
    CheckResult,
    _check,
    _not_an_object,
    _Outcome,
    _rows,
)
from workbench.answers.checks._numbers import TAX_TOLERANCE, _cents, _column, _number, _same
from workbench.answers.checks.wording import counted, note


def check_receipt(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the receipt checks: items_sum, total_adds_up, tax_rate, item_amounts."""
    if not isinstance(value, dict):
        return _not_an_object("receipt", value)
    return [*items_sum(value), *total_adds_up(value), *tax_rate(value), *item_amounts(value)]


@_check("items_sum")
def items_sum(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the items_sum result: do the item amounts add up to the subtotal?"""
    subtotal = _number(receipt, "subtotal")
    amounts = _column(receipt, "items", "amount")
    if subtotal is None or amounts is None:
        return None
    total = sum(map(_cents, amounts), Decimal("0.00"))
    return _same(total, subtotal), note("receipt.items_sum", total=total, subtotal=_cents(subtotal))


@_check("total_adds_up")
def total_adds_up(receipt: dict[str, Any]) -> _Outcome | None:
    """Return the total_adds_up result: subtotal − |discounts| + tax = total?"""
    subtotal, tax, total = (_number(receipt, key) for key in ("subtotal", "tax", "total"))
    discounts = _discount_total(receipt)
    if subtotal is None or tax is None or total is None or discounts is None:
        return None
    expected = _cents(subtotal) - discounts + _cents(tax)
    said = note(
        "receipt.total",
        subtotal=_cents(subtotal),
        discounts=discounts,
        tax=_cents(tax),
        expected=expected,
        total=_cents(total),
    )
    return _same(expected, total), said


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
    sums = note(
        "receipt.tax",
        subtotal=_cents(subtotal),
        discounts=discounts,
        rate=rate,
        expected=expected,
        tax=_cents(tax),
    )
    if not ok and _same(base * rate, tax, TAX_TOLERANCE):
        return ok, note("tax_rate.fraction", sums=sums, rate=rate)
    return ok, sums


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
            name = item.get("name")
            key = "receipt.line.named" if isinstance(name, str) else "receipt.line"
            facts = {"path": where, "name": name, "qty": qty, "price": price}
            wrong.append(note(key, **facts, product=_cents(qty * price), amount=_cents(amount)))
    if not checked:
        return None
    if wrong:
        return False, note("sentences", parts=tuple(wrong))
    return True, counted("receipt.lines", checked)


def _discount_total(receipt: dict[str, Any]) -> Decimal | None:
    """Return the discounts as one positive amount (0 without discounts); None if one is missing."""
    amounts = _column(receipt, "discounts", "amount") if receipt.get("discounts") else []
    if amounts is None:
        return None
    return sum((abs(_cents(amount)) for amount in amounts), Decimal("0.00"))
