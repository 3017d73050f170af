"""Chinese VAT invoice checks: tax, total, total in words, unified social credit codes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.helpers import Check, Quiet, Said, check_name, quiet_params, said_params, worded
from workbench.answers.checks import (
    buyer_tax_id,
    seller_tax_id,
    total_in_words,
    uscc_check_character,
    vat_tax_rate,
    vat_total,
)

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
SELLER_OK_ZH = "seller_tax_id 91330106MA2H7C5P3M：统一社会信用代码，校验码 M 正确"
LEGACY = (
    "{field} {code}: not an 18-character unified social credit code but a legacy"
    " {length}-character taxpayer ID, which has no check character to verify"
)
LEGACY_ZH = (
    "{field} {code}：不是 18 位的统一社会信用代码，而是旧版的 {length} 位纳税人识别号，"
    "没有可以核对的校验码"
)
VAT_SAID: list[Said] = [
    (
        "tax matches",
        vat_tax_rate,
        VAT,
        True,
        "8898.04 × 13.0% = 1156.75, tax says 1156.75",
        "8898.04 × 13.0% = 1156.75，税额为 1156.75",
    ),
    (
        "tax a cent off is rounding",
        vat_tax_rate,
        vat(tax=1156.76),
        True,
        "8898.04 × 13.0% = 1156.75, tax says 1156.76",
        "8898.04 × 13.0% = 1156.75，税额为 1156.76",
    ),
    (
        "tax a yuan off",
        vat_tax_rate,
        vat(tax=1157.75),
        False,
        "8898.04 × 13.0% = 1156.75, tax says 1157.75",
        "8898.04 × 13.0% = 1156.75，税额为 1157.75",
    ),
    (
        "rate written as a fraction",
        vat_tax_rate,
        vat(tax_rate=0.13),
        False,
        "8898.04 × 0.13% = 11.57, tax says 1156.75;"
        " tax_rate is a percent, and 0.13 looks like a fraction",
        "8898.04 × 0.13% = 11.57，税额为 1156.75；tax_rate 应为百分数，0.13 看起来是写成了小数",
    ),
    (
        "exempt: rate 0, tax 0",
        vat_tax_rate,
        vat(tax_rate=0, tax=0),
        True,
        "8898.04 × 0% = 0.00, tax says 0.00",
        "8898.04 × 0% = 0.00，税额为 0.00",
    ),
    (
        "rate as text",
        vat_tax_rate,
        vat(tax_rate="13%"),
        False,
        "tax_rate is not a number: '13%'",
        'tax_rate 不是数字："13%"',
    ),
    (
        "total adds up",
        vat_total,
        VAT,
        True,
        "8898.04 + 1156.75 = 10054.79, total says 10054.79",
        "8898.04 + 1156.75 = 10054.79，价税合计为 10054.79",
    ),
    (
        "total digits swapped",
        vat_total,
        vat(total=10054.97),
        False,
        "8898.04 + 1156.75 = 10054.79, total says 10054.97",
        "8898.04 + 1156.75 = 10054.79，价税合计为 10054.97",
    ),
    (
        "amount not a number",
        vat_total,
        vat(amount="八千"),
        False,
        "amount is not a number: '八千'",
        'amount 不是数字："八千"',
    ),
    (
        "words match",
        total_in_words,
        VAT,
        True,
        "'壹万零伍拾肆元柒角玖分' reads as 10054.79, total says 10054.79",
        '大写 "壹万零伍拾肆元柒角玖分" 读作 10054.79，小写为 10054.79',
    ),
    (
        "words with the printed ⊗",
        total_in_words,
        vat(total_in_words="⊗壹万零伍拾肆元柒角玖分"),
        True,
        "'⊗壹万零伍拾肆元柒角玖分' reads as 10054.79, total says 10054.79",
        '大写 "⊗壹万零伍拾肆元柒角玖分" 读作 10054.79，小写为 10054.79',
    ),
    (
        "words and figures disagree",
        total_in_words,
        vat(total_in_words="壹万零伍拾肆元玖角柒分"),
        False,
        "'壹万零伍拾肆元玖角柒分' reads as 10054.97, total says 10054.79;"
        " 10054.79 in words is '壹万零伍拾肆元柒角玖分'",
        '大写 "壹万零伍拾肆元玖角柒分" 读作 10054.97，小写为 10054.79；'
        '10054.79 的大写应为 "壹万零伍拾肆元柒角玖分"',
    ),
    (
        "words unreadable",
        total_in_words,
        vat(total_in_words="壹万零伍拾肆元柒角玖"),
        False,
        "total_in_words '壹万零伍拾肆元柒角玖' does not read as an amount:"
        " 玖 has no 角 or 分 after it",
        'total_in_words "壹万零伍拾肆元柒角玖" 无法读作金额：玖后面没有角或分',
    ),
    (
        "words as a number",
        total_in_words,
        vat(total_in_words=10054.79),
        False,
        "total_in_words is not text: 10054.79",
        "total_in_words 不是文本：10054.79",
    ),
    ("seller code checks out", seller_tax_id, VAT, True, SELLER_OK, SELLER_OK_ZH),
    (
        "printed with spaces, read in lower case",
        seller_tax_id,
        vat(seller_tax_id="9133 0106 ma2h 7c5p 3m"),
        True,
        SELLER_OK,
        SELLER_OK_ZH,
    ),
    (
        "check character misread",
        seller_tax_id,
        vat(seller_tax_id="91330106MA2H7C5P3N"),
        False,
        "seller_tax_id 91330106MA2H7C5P3N: the check character should be M, not N",
        "seller_tax_id 91330106MA2H7C5P3N：校验码应为 M，而不是 N",
    ),
    (
        "a body character misread",
        seller_tax_id,
        vat(seller_tax_id="91330106MA2H7C5B3M"),
        False,
        "seller_tax_id 91330106MA2H7C5B3M: the check character should be 9, not M",
        "seller_tax_id 91330106MA2H7C5B3M：校验码应为 9，而不是 M",
    ),
    (
        "O for 0",
        seller_tax_id,
        vat(seller_tax_id="9133O1O6MA2H7C5P3M"),
        False,
        "seller_tax_id 9133O1O6MA2H7C5P3M: a unified social credit code never contains O",
        "seller_tax_id 9133O1O6MA2H7C5P3M：统一社会信用代码中不会出现 O",
    ),
    (
        "I for 1 and O for 0",
        seller_tax_id,
        vat(seller_tax_id="9I33O1O6MA2H7C5P3M"),
        False,
        "seller_tax_id 9I33O1O6MA2H7C5P3M: a unified social credit code never contains I, O",
        "seller_tax_id 9I33O1O6MA2H7C5P3M：统一社会信用代码中不会出现 I、O",
    ),
    (
        "letters in the region code",
        seller_tax_id,
        vat(seller_tax_id="9133AB06MA2H7C5P3M"),
        False,
        "seller_tax_id 9133AB06MA2H7C5P3M: characters 3-8 (the region code) must be digits",
        "seller_tax_id 9133AB06MA2H7C5P3M：第 3-8 位（行政区划码）必须是数字",
    ),
    (
        "legacy 15-character ID",
        seller_tax_id,
        vat(seller_tax_id="330106123456789"),
        True,
        LEGACY.format(field="seller_tax_id", code="330106123456789", length=15),
        LEGACY_ZH.format(field="seller_tax_id", code="330106123456789", length=15),
    ),
    (
        "legacy 20-character ID",
        buyer_tax_id,
        vat(buyer_tax_id="33010619800101123X01"),
        True,
        LEGACY.format(field="buyer_tax_id", code="33010619800101123X01", length=20),
        LEGACY_ZH.format(field="buyer_tax_id", code="33010619800101123X01", length=20),
    ),
    (
        "legacy length, odd characters",
        buyer_tax_id,
        vat(buyer_tax_id="330106-23456789"),
        False,
        "buyer_tax_id 330106-23456789: a taxpayer ID has only digits and capital letters",
        "buyer_tax_id 330106-23456789：纳税人识别号只能由数字和大写字母组成",
    ),
    (
        "a code a character short reads as a legacy ID",
        buyer_tax_id,
        vat(buyer_tax_id="91310115MA1K3R8LX"),
        True,
        LEGACY.format(field="buyer_tax_id", code="91310115MA1K3R8LX", length=17),
        LEGACY_ZH.format(field="buyer_tax_id", code="91310115MA1K3R8LX", length=17),
    ),
    (
        "too short for any ID",
        buyer_tax_id,
        vat(buyer_tax_id="9131011"),
        False,
        "buyer_tax_id 9131011 has 7 characters; a unified social credit code has 18"
        " (legacy taxpayer IDs 15, 17 or 20)",
        "buyer_tax_id 9131011 有 7 位；"
        "统一社会信用代码为 18 位（旧版纳税人识别号为 15、17 或 20 位）",
    ),
    (
        "ID as a number",
        buyer_tax_id,
        vat(buyer_tax_id=913101151),
        False,
        "buyer_tax_id is not text: 913101151",
        "buyer_tax_id 不是文本：913101151",
    ),
]
VAT_QUIET: list[Quiet] = [
    ("rate missing", vat_tax_rate, vat(tax_rate=None)),
    ("no total", vat_total, vat(total=...)),
    ("no words", total_in_words, vat(total_in_words=None)),
    ("blank words", total_in_words, vat(total_in_words=" ")),
    ("words without a total", total_in_words, vat(total=None)),
    ("buyer without an ID", buyer_tax_id, vat(buyer_tax_id=None)),
    ("blank ID", buyer_tax_id, vat(buyer_tax_id="")),
]


@pytest.mark.parametrize(("check", "value", "ok", "english", "chinese"), said_params(VAT_SAID))
def test_check_says_why_in_english_and_chinese(
    check: Check, value: Any, ok: bool, english: str, chinese: str
) -> None:
    assert worded(check(value)) == [(check_name(check), ok, english, chinese)]


@pytest.mark.parametrize(("check", "value"), quiet_params(VAT_QUIET))
def test_check_without_its_fields_stays_quiet(check: Check, value: Any) -> None:
    assert check(value) == []
