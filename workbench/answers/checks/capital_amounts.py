"""Money in Chinese capital numerals (大写金额): read it, and write it the standard way.

A VAT invoice prints its total twice: in figures (¥10775.68) and in capital numerals
(壹万零柒佰柒拾伍元陆角捌分). Reading is lenient wherever the value stays unambiguous — 零 may be
written or left out before a unit (壹拾万柒仟 and 壹拾万零柒仟 are both 107000), 壹拾 may start
as 拾, traditional forms (貳, 參, 陸, 萬, 億, 圓) read as their simplified twins, and the ⊗, ¥ or
人民币 printed in front is skipped. It is strict where the value would be a guess: two digits
without a unit between them, units out of order, a unit without its digit, a bare digit after
a unit (壹佰伍: 105 or 150?), 整 anywhere but the end.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workbench.answers.checks.wording import CheckNote, note

_DIGITS = {"零": 0, "〇": 0, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4, "伍": 5}
_DIGITS |= {"陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9}
_DIGIT_WORDS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = {"仟": 1000, "佰": 100, "拾": 10}  # within a group of four digits (万 and 亿 split them)
_CENT_PLACES = {"角": 10, "分": 1}  # counted in cents
_WAN, _YI = "万萬", "亿億"
_YUAN, _WHOLE = "元圆圓", "整正"
_LIMIT = 10**12  # one 万亿: the writer's groups end at 亿


class CapitalAmountError(ValueError):
    """An amount that does not read, or cannot be written, in 大写; `note` says why in words."""

    def __init__(self, key: str, **facts: Any) -> None:
        self.note: CheckNote = note(f"capital.{key}", **facts)
        super().__init__(self.note.text("en"))


# What is printed before the numerals: the ⊗ that stops additions, a currency sign, 人民币, 大写.
_PREFIX = re.compile(r"^(?:[⊗⨂ⓧ☒×¥￥:：]|人民币|[(（]?大写[)）]?)*")
# A red (credit) invoice: 负 or （负数） before the amount.
_NEGATIVE = re.compile(r"^[(（]?负数?[)）]?")


def parse_capital_amount(text: str) -> Decimal:
    """Return the amount a 大写 string states, in yuan to the cent; CapitalAmountError if not."""
    body, negative = _strip_marks(text)
    if body and body[-1] in _WHOLE:
        body = body[:-1]
    if not body:
        raise CapitalAmountError("no_amount")
    if whole := next((char for char in body if char in _WHOLE), None):
        raise CapitalAmountError("whole_not_last", char=whole)
    yuan_at = [index for index, char in enumerate(body) if char in _YUAN]
    if len(yuan_at) > 1:
        raise CapitalAmountError("yuan_twice", char=body[yuan_at[1]])
    if yuan_at:
        integer, fraction = body[: yuan_at[0]], body[yuan_at[0] + 1 :]
        if not integer:
            raise CapitalAmountError("group_without_digits", char=body[yuan_at[0]])
    elif any(char in _CENT_PLACES for char in body):
        integer, fraction = "", body
    else:
        raise CapitalAmountError("no_yuan")
    yuan = _integer(integer) if integer else 0
    cents = _group(fraction, cents=True)
    amount = Decimal(yuan * 100 + cents).scaleb(-2)  # exact cents: 100.00, not 100
    return -amount if negative else amount


def format_capital_amount(amount: Decimal | int | str) -> str:
    """Return an amount in 大写 as invoices print it: 壹万零柒佰柒拾伍元陆角捌分, 壹佰元整."""
    value = Decimal(amount)
    cents = int((abs(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents >= _LIMIT * 100:
        raise CapitalAmountError("too_large", amount=amount)
    yuan, jiao, fen = divmod(cents, 100)[0], cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    words = "负" if value < 0 else ""
    words += f"{_integer_words(yuan)}元" if yuan else ""
    if not jiao and not fen:
        return f"{words}整"
    if jiao:
        words += f"{_DIGIT_WORDS[jiao]}角"
    elif yuan:
        words += "零"  # 角 is 0 but 分 is not: 壹佰元零伍分
    return words + (f"{_DIGIT_WORDS[fen]}分" if fen else "")


def _strip_marks(text: str) -> tuple[str, bool]:
    """Return the numerals without spaces or the marks in front, and whether it is negative."""
    body = _PREFIX.sub("", "".join(text.split()), count=1)
    body, negative = _NEGATIVE.subn("", body, count=1)
    return _PREFIX.sub("", body, count=1), bool(negative)


def _integer(text: str) -> int:
    """Return the yuan of 壹亿贰仟万零伍: groups of four digits, split at 亿 and then at 万."""
    high, low = _split(text, _YI)
    if high is None:
        return _below_yi(text, after="", followed=False)
    return _below_yi(high, after="", followed=True) * 10**8 + _below_yi(low, "亿", False)


def _below_yi(text: str, after: str, followed: bool) -> int:
    high, low = _split(text, _WAN)
    if high is None:
        return _group(text, after=after, followed=followed)
    return _group(high, after=after, followed=True) * 10**4 + _group(low, "万", followed)


def _split(text: str, marks: str) -> tuple[str | None, str]:
    """Return (before, after) the first of `marks`, or (None, text) when there is none."""
    at = next((index for index, char in enumerate(text) if char in marks), None)
    if at is None:
        return None, text
    if at == 0:
        raise CapitalAmountError("group_without_digits", char=text[0])
    return text[:at], text[at + 1 :]


def _group(text: str, after: str = "", followed: bool = False, cents: bool = False) -> int:
    """Return the value of one group: digits, each followed by a smaller unit than the last.

    `after`: the 万 or 亿 before the group, "" when it opens the number (拾伍 may then be 15).
    `followed`: a 万 or 亿 comes next, so a lone digit (伍万) is clear.
    `cents`: the 角 and 分 after 元, where every digit needs its unit.
    """
    places = _CENT_PLACES if cents else _PLACES
    value, digit, last_place, previous = 0, None, None, ""
    for index, char in enumerate(text):
        if char in _DIGITS:
            if digit:  # a digit other than 零 is still waiting for its unit
                raise CapitalAmountError("two_digits", first=previous, second=char)
            digit = _DIGITS[char]
        elif char in places:
            place = places[char]
            if last_place is not None and place >= last_place:
                raise CapitalAmountError("units_out_of_order", char=char)
            if digit is None and not (char == "拾" and index == 0 and not after):
                raise CapitalAmountError("unit_without_digit", char=char)
            value += (1 if digit is None else digit) * place
            digit, last_place = None, place
        else:
            raise CapitalAmountError("not_a_numeral", char=char)
        previous = char
    if digit:  # a last digit without a unit: ones, unless that is a guess
        if cents:
            raise CapitalAmountError("digit_without_unit", digit=previous)
        before = text[-2] if len(text) > 1 else ""
        if before not in ("", "零", "拾"):  # 壹佰伍: 105 or 150?
            raise CapitalAmountError("ambiguous_ones", digit=previous, unit=before)
        if not before and after and not followed:  # 壹万伍: 10005 or 15000?
            raise CapitalAmountError("ambiguous_ones", digit=previous, unit=after)
        value += digit
    return value


def _integer_words(yuan: int) -> str:
    """Return whole yuan in words: a 零 stands for each run of zeros between written digits."""
    words, gap = "", False
    for value, mark in ((yuan // 10**8, "亿"), (yuan // 10**4 % 10**4, "万"), (yuan % 10**4, "")):
        if not value:
            gap = bool(words)
            continue
        if words and (gap or value < 1000):
            words += "零"
        words += _group_words(value) + mark
        gap = False
    return words


def _group_words(value: int) -> str:
    """Return 1-9999 in words: 壹仟零伍拾, 壹拾伍."""
    words, gap = "", False
    for place, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        digit = value // place % 10
        if not digit:
            gap = bool(words)
            continue
        words += ("零" if gap else "") + _DIGIT_WORDS[digit] + unit
        gap = False
    return words
