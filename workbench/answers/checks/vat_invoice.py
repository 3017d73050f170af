"""Chinese VAT invoice (增值税发票) checks: tax, total, total in words, taxpayer IDs.

The sentences live in `wording.CHECK_SENTENCES` (vat.*). Money is compared in Decimal cents with
the receipt checks' tolerances. A taxpayer ID (纳税人识别号) is today an 18-character unified
social credit code (统一社会信用代码, GB 32100-2015) whose last character is a check character
(a few codes issued in the 2015 pilots do not follow it); older IDs have 15, 17 or 20
characters and nothing to verify.
"""

from __future__ import annotations

from typing import Any

from workbench.answers.checks._base import (
    CheckContext,
    CheckResult,
    _check,
    _not_an_object,
    _Outcome,
    _Unusable,
)
from workbench.answers.checks._numbers import TAX_TOLERANCE, _cents, _number, _same
from workbench.answers.checks.capital_amounts import (
    CapitalAmountError,
    format_capital_amount,
    parse_capital_amount,
)
from workbench.answers.checks.wording import note

# GB 32100-2015: digits and capital letters without I, O, S, V and Z, valued 0-30 in this order.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, position, 31) for position in range(17))  # 1, 3, 9, 27, 19, 26, …
LEGACY_ID_LENGTHS = (15, 17, 20)


def check_vat_invoice(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the VAT invoice checks: vat_tax_rate, vat_total, total_in_words, the two tax IDs."""
    if not isinstance(value, dict):
        return _not_an_object("vat_invoice", value)
    return [
        *vat_tax_rate(value),
        *vat_total(value),
        *total_in_words(value),
        *seller_tax_id(value),
        *buyer_tax_id(value),
    ]


@_check("vat_tax_rate")
def vat_tax_rate(invoice: dict[str, Any]) -> _Outcome | None:
    """Return the vat_tax_rate result: amount × tax_rate / 100 = tax, within a cent?"""
    amount, rate, tax = (_number(invoice, key) for key in ("amount", "tax_rate", "tax"))
    if amount is None or rate is None or tax is None:
        return None
    expected = _cents(amount * rate / 100)
    ok = _same(expected, tax, TAX_TOLERANCE)
    sums = note("vat.tax", amount=_cents(amount), rate=rate, expected=expected, tax=_cents(tax))
    if not ok and _same(amount * rate, tax, TAX_TOLERANCE):
        return ok, note("tax_rate.fraction", sums=sums, rate=rate)
    return ok, sums


@_check("vat_total")
def vat_total(invoice: dict[str, Any]) -> _Outcome | None:
    """Return the vat_total result: amount + tax = total (价税合计), to the cent?"""
    amount, tax, total = (_number(invoice, key) for key in ("amount", "tax", "total"))
    if amount is None or tax is None or total is None:
        return None
    expected = _cents(amount) + _cents(tax)
    sums = {"amount": _cents(amount), "tax": _cents(tax), "expected": expected}
    return _same(expected, total), note("vat.total", **sums, total=_cents(total))


@_check("total_in_words")
def total_in_words(invoice: dict[str, Any]) -> _Outcome | None:
    """Return the total_in_words result: does the 大写 total read as the total in figures?"""
    words, total = _text(invoice, "total_in_words"), _number(invoice, "total")
    if words is None or total is None:
        return None
    try:
        value = parse_capital_amount(words)
    except CapitalAmountError as problem:
        return False, note("vat.words.unreadable", words=words, problem=problem.note)
    ok = _same(value, total)
    read = note("vat.words", words=words, value=value, total=_cents(total))
    if not ok and abs(total) < 10**12:
        expected = format_capital_amount(total)
        return ok, note("vat.words.expected", sums=read, total=_cents(total), expected=expected)
    return ok, read


@_check("seller_tax_id")
def seller_tax_id(invoice: dict[str, Any]) -> _Outcome | None:
    """Return the seller_tax_id result: is the seller's taxpayer ID well-formed and checked?"""
    return _tax_id(invoice, "seller_tax_id")


@_check("buyer_tax_id")
def buyer_tax_id(invoice: dict[str, Any]) -> _Outcome | None:
    """Return the buyer_tax_id result: is the buyer's taxpayer ID well-formed and checked?"""
    return _tax_id(invoice, "buyer_tax_id")


def uscc_check_character(first17: str) -> str:
    """Return the check character (18th) of a unified social credit code from its first 17."""
    if len(first17) != 17 or any(char not in USCC_ALPHABET for char in first17):
        raise ValueError(f"expected 17 characters of {USCC_ALPHABET}, got {first17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]  # 31 - 0 = 31 wraps to "0"


def _tax_id(invoice: dict[str, Any], field: str) -> _Outcome | None:
    code = _text(invoice, field)
    if code is None:
        return None
    code = "".join(code.split()).upper()  # "9135 0100 …" as some invoices space it
    if len(code) == 18:
        return _uscc(field, code)
    if len(code) not in LEGACY_ID_LENGTHS:
        return False, note("vat.id_length", field=field, code=code, length=len(code))
    if not (code.isascii() and code.isalnum()):
        return False, note("vat.id_characters", field=field, code=code)
    return True, note("vat.legacy_id", field=field, code=code, length=len(code))


def _uscc(field: str, code: str) -> _Outcome:
    foreign = sorted({char for char in code if char not in USCC_ALPHABET})
    if foreign:
        return False, note("vat.uscc_alphabet", field=field, code=code, chars=tuple(foreign))
    if not code[2:8].isdigit():
        return False, note("vat.uscc_region", field=field, code=code)
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        return False, note(
            "vat.uscc_wrong", field=field, code=code, expected=expected, found=code[17]
        )
    return True, note("vat.uscc_ok", field=field, code=code, check=expected)


def _text(row: dict[str, Any], key: str) -> str | None:
    """Return row[key] stripped; None when missing, null or blank; _Unusable when not text."""
    raw = row.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise _Unusable(note("field.not_text", path=key, raw=raw))
    return raw.strip() or None
