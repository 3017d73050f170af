"""Every sentence the VAT invoice checks and the 大写 reader write, in one place to translate.

Templates use `str.format` fields; `say(key, **values)` fills one in. The keys are stable; the
English text may change (and will gain a Chinese twin when the UI is translated).
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # vat_tax_rate, vat_total
    "tax": "{amount} × {rate}% = {expected}, tax says {tax}",
    "tax_rate_fraction": "; tax_rate is a percent, and {rate} looks like a fraction",
    "total": "{amount} + {tax} = {expected}, total says {total}",
    # total_in_words
    "words": "{words!r} reads as {value}, total says {total}",
    "words_expected": "; {total} in words is {expected!r}",
    "words_unreadable": "total_in_words {words!r} does not read as an amount: {problem}",
    # seller_tax_id, buyer_tax_id
    "uscc_ok": "{field} {code}: unified social credit code, check character {check} is right",
    "uscc_wrong": "{field} {code}: the check character should be {expected}, not {found}",
    "uscc_alphabet": "{field} {code}: a unified social credit code never contains {chars}",
    "uscc_region": "{field} {code}: characters 3-8 (the region code) must be digits",
    "legacy_id": (
        "{field} {code}: not an 18-character unified social credit code but a legacy"
        " {length}-character taxpayer ID, which has no check character to verify"
    ),
    "id_characters": "{field} {code}: a taxpayer ID has only digits and capital letters",
    "id_length": (
        "{field} {code} has {length} characters; a unified social credit code has 18"
        " (legacy taxpayer IDs 15, 17 or 20)"
    ),
    "not_text": "{field} is not text: {raw!r}",
    # reading 大写 amounts (the {problem} of words_unreadable)
    "no_amount": "no amount",
    "whole_not_last": "{char} is only written at the end",
    "yuan_twice": "{char} is written twice",
    "no_yuan": "no 元, 角 or 分",
    "group_without_digits": "{char} has no digits before it",
    "two_digits": "{first}{second}: two digits without a unit between them",
    "unit_without_digit": "{char} has no digit before it",
    "units_out_of_order": "{char} comes after a smaller unit",
    "ambiguous_ones": "{digit} after {unit} is ambiguous: write 零{digit} or a unit after it",
    "digit_without_unit": "{digit} has no 角 or 分 after it",
    "not_a_numeral": "{char!r} is not a capital numeral or unit",
    "too_large": "{amount} is too large to write in words (10¹² yuan or more)",
}


def say(key: str, **values: Any) -> str:
    """Return the message `key` with its fields filled in."""
    return MESSAGES[key].format(**values)
