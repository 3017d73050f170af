"""How a check explains itself, in English or Chinese: a wording key plus its facts.

A check keeps its explanation as a `CheckNote` (key and facts, like `messages.Note`) and words
it on demand from the table in `sentences`. Templates are `str.format` strings with four
conversions of our own:

    {x!q}  a value from the answer, quoted: repr in English, JSON in Chinese
    {x!t}  a Python type name: list in English, 数组 in Chinese
    {x!c}  several items, listed: "a, b" / "a、b"
    {x!s}  several sentences, joined: "a; b" / "a；b"

A fact may be a note itself (a reason inside a sentence); it is worded in the same language.
Numbers are facts formatted once (Decimal cents, "12.5"), so both languages show the same digits.
"""

from __future__ import annotations

import string
from typing import Any

from workbench.checks.sentences import WORDING
from workbench.messages import Note, Wording, check_language, quote

# What the UI shows for each check (and each group, which names a failure on a non-object).
TITLES: dict[str, Wording] = {
    "receipt": Wording("Receipt", "小票"),
    "items_sum": Wording("Items add up", "明细相加等于小计"),
    "total_adds_up": Wording("Total adds up", "小计减折扣加税额等于合计"),
    "tax_rate": Wording("Tax matches the rate", "税额与税率相符"),
    "item_amounts": Wording("Lines multiply out", "每行数量乘单价等于金额"),
    "gauge": Wording("Gauge", "仪表"),
    "value_in_scale": Wording("Reading on the scale", "读数在量程之内"),
    "threshold_alarm": Wording("Alarm threshold", "报警阈值"),
    "homework": Wording("Homework", "作业"),
    "verdicts_agree": Wording("Verdicts agree", "步骤判定与总判定一致"),
    "final_answer_parses": Wording("Final answer is a number", "最终答案能读作数字"),
    "screenshot": Wording("Screenshot", "截图"),
    "issues_have_boxes": Wording("Every issue has a box", "每个问题都有框"),
    "boxes_inside_image": Wording("Boxes inside the image", "框都在图像之内"),
    "vat_invoice": Wording("VAT invoice", "增值税发票"),
    "vat_tax_rate": Wording("Tax matches the rate", "税额与税率相符"),
    "vat_total": Wording("Amount + tax = total", "金额加税额等于价税合计"),
    "total_in_words": Wording("Total in words", "大写金额与小写一致"),
    "seller_tax_id": Wording("Seller's taxpayer ID", "销售方纳税人识别号"),
    "buyer_tax_id": Wording("Buyer's taxpayer ID", "购买方纳税人识别号"),
}

# Python's name for what came instead of an object, as a Chinese reader knows JSON types
# (null, a Latin word, keeps a space from the Chinese before it).
_TYPE_NAMES_ZH = {
    "list": "数组",
    "str": "字符串",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值",
    "NoneType": " null",
}
_SEPARATORS = {("c", "en"): ", ", ("c", "zh"): "、", ("s", "en"): "; ", ("s", "zh"): "；"}


class CheckNote(Note):
    """A check's explanation kept as its wording key and facts; facts may be notes themselves."""

    def text(self, language: str = "en") -> str:
        """Return the explanation worded in `language` ("en" or "zh")."""
        return word(self.key, language, **dict(self.facts))


def note(key: str, **facts: Any) -> CheckNote:
    """Return the note for `key` with these facts."""
    return CheckNote(key, tuple(facts.items()))


def counted(key: str, count: int, **facts: Any) -> CheckNote:
    """Return the note for `key`, or `key.one` when English says one item, not several."""
    return note(f"{key}.one" if count == 1 else key, count=count, **facts)


def word(key: str, language: str, **facts: Any) -> str:
    """Return the check message `key` worded in `language` with its facts filled in."""
    check_language(language)
    return _Formatter(language).format(getattr(WORDING[key], language), **facts)


def check_title(name: str, language: str = "en") -> str:
    """Return a check's (or check group's) title for the UI; an unknown name comes back as is."""
    check_language(language)
    title = TITLES.get(name)
    return name if title is None else getattr(title, language)


class _Formatter(string.Formatter):
    """`str.format` with the conversions !q !t !c !s, and notes worded, in one language."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "q":
            return quote(value, self.language)
        if conversion == "t":
            return value if self.language == "en" else _TYPE_NAMES_ZH.get(value, value)
        if conversion in ("c", "s"):
            separator = _SEPARATORS[conversion, self.language]
            return separator.join(self.format_field(each, "") for each in value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Note):
            return value.text(self.language)
        return super().format_field(value, format_spec)
