"""Chinese 大写 amounts, as a VAT invoice writes its total in words: read, written, refused."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from workbench.answers.checks import CapitalAmountError, format_capital_amount, parse_capital_amount

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


# (text, why it does not read in English, in Chinese)
UNREADABLE_AMOUNTS = [
    ("", "no amount", "没有金额"),
    ("整", "no amount", "没有金额"),
    ("⊗", "no amount", "没有金额"),
    ("壹贰元", "壹贰: two digits without a unit between them", "壹贰：两个数字之间没有单位"),
    ("壹仟仟元", "仟 comes after a smaller unit", "仟出现在比它小的单位之后"),
    ("壹佰仟元", "仟 comes after a smaller unit", "仟出现在比它小的单位之后"),
    ("伍分叁角", "角 comes after a smaller unit", "角出现在比它小的单位之后"),
    ("佰元", "佰 has no digit before it", "佰前面没有数字"),
    ("壹万拾伍元", "拾 has no digit before it", "拾前面没有数字"),
    (
        "壹佰伍元",  # 105 or 150?
        "伍 after 佰 is ambiguous: write 零伍 or a unit after it",
        "佰后面的伍有歧义：应写成零伍，或在伍后面加上单位",
    ),
    (
        "壹万伍元",  # 10005 or 15000?
        "伍 after 万 is ambiguous: write 零伍 or a unit after it",
        "万后面的伍有歧义：应写成零伍，或在伍后面加上单位",
    ),
    (
        "壹仟伍万元",
        "伍 after 仟 is ambiguous: write 零伍 or a unit after it",
        "仟后面的伍有歧义：应写成零伍，或在伍后面加上单位",
    ),
    ("伍角叁", "叁 has no 角 or 分 after it", "叁后面没有角或分"),
    ("壹万贰仟", "no 元, 角 or 分", "没有元、角或分"),
    ("12345.67", "no 元, 角 or 分", "没有元、角或分"),
    ("壹佰元整伍角", "整 is only written at the end", "整只能写在末尾"),
    ("壹佰元贰元", "元 is written twice", "元出现了两次"),
    ("元整", "元 has no digits before it", "元前面没有数字"),
    ("亿元", "亿 has no digits before it", "亿前面没有数字"),
    ("壹佰美元", "'美' is not a capital numeral or unit", '"美" 不是大写数字或单位'),
    ("壹佰元伍拾", "'拾' is not a capital numeral or unit", '"拾" 不是大写数字或单位'),
    ("壹万万元", "'万' is not a capital numeral or unit", '"万" 不是大写数字或单位'),
    ("一百元", "'一' is not a capital numeral or unit", '"一" 不是大写数字或单位'),
]


@pytest.mark.parametrize(("text", "english", "chinese"), UNREADABLE_AMOUNTS)
def test_unreadable_capital_amount_says_why(text: str, english: str, chinese: str) -> None:
    with pytest.raises(CapitalAmountError) as raised:
        parse_capital_amount(text)
    assert (str(raised.value), raised.value.note.text("zh")) == (english, chinese)
    assert isinstance(raised.value, ValueError)


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
    with pytest.raises(CapitalAmountError) as raised:
        format_capital_amount(10**12)
    assert (str(raised.value), raised.value.note.text("zh")) == (
        "1000000000000 is too large to write in words (10¹² yuan or more)",
        "1000000000000 太大，无法写成大写金额（达到或超过 10¹² 元）",
    )
