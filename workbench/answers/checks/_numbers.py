"""Numbers in checks: read fields as Decimal, round money to cents, compare within a tolerance."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from workbench.answers.checks._base import _rows, _Unusable
from workbench.answers.checks.wording import note

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
        path = f"{where}.{key}" if where else key
        raise _Unusable(note("field.not_number", path=path, raw=raw))
    return number


def _column(parent: dict[str, Any], key: str, field: str) -> list[Decimal] | None:
    """Return one number from each entry of a list field; None when the list or one is missing."""
    if parent.get(key) is None:
        return None
    numbers = [_number(row, field, where) for where, row in _rows(parent, key)]
    return None if None in numbers else [n for n in numbers if n is not None]


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_WIDE)


def _same(a: Decimal, b: Decimal, tolerance: Decimal = MONEY_TOLERANCE) -> bool:
    """Return whether two amounts agree once both are rounded to cents."""
    return abs(_cents(a) - _cents(b)) <= tolerance
