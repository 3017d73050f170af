"""JSON extraction from messy model output: fences, prose, repairs, truncation."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.answers.extract import NO_JSON, Extraction, extract_json

CUT = "answer was cut off inside {} and can't be completed unambiguously"
CUT_ZH = "回答在{}处被截断，无法确定地补全"
NO_JSON_ZH = "回答中没有 JSON 对象或数组"
CLOSED_1 = "closed 1 bracket left open by the token limit"
CLOSED_2 = "closed 2 brackets left open by the token limit"

READ_CASES = [
    ("plain object", '{"a": 1, "b": [true, null, 2.5]}', {"a": 1, "b": [True, None, 2.5]}, ()),
    ("top-level array", '[{"x": 1}, {"x": -2e3}]', [{"x": 1}, {"x": -2000.0}], ()),
    (
        "json fence with prose around it",
        'Here is the receipt:\n```json\n{"total": 12.5}\n```\nLet me know!',
        {"total": 12.5},
        (),
    ),
    ("plain fence", '```\n{"ok": true}\n```', {"ok": True}, ()),
    ("fence without a newline", '```json{"a": 1}```', {"a": 1}, ()),
    (
        "last fenced block wins",
        'First try:\n```json\n{"total": 10}\n```\nCorrected:\n```json\n{"total": 12}\n```',
        {"total": 12},
        ("used the last of 2 fenced JSON blocks",),
    ),
    (
        "a python fence is not JSON",
        "```python\nprint({'a': 1})\n```\n```json\n{\"a\": 2}\n```",
        {"a": 2},
        (),
    ),
    (
        "prose: the largest value wins over an aside",
        'As noted in [1], the result is {"value": 7.4, "unit": "bar"}.',
        {"value": 7.4, "unit": "bar"},
        ("used the largest of 2 JSON values in the answer",),
    ),
    (
        "prose: two objects, the larger wins",
        '{"a": 1} and then the full answer {"a": 1, "b": 2}',
        {"a": 1, "b": 2},
        ("used the largest of 2 JSON values in the answer",),
    ),
    (
        "a reasoning model's draft in <think> is skipped",
        '<think>Draft: {"total": 1, "tax": 2, "items": []}</think>\nAnswer: {"total": 3}',
        {"total": 3},
        (),
    ),
    (
        "full-width punctuation as syntax around Chinese",
        "｛“商户”：“超市”，“金额”：［12，3.5］｝",
        {"商户": "超市", "金额": [12, 3.5]},
        ("replaced full-width punctuation ｛“”：，［］｝",),
    ),
    (
        "full-width punctuation inside strings stays",
        '{"备注": "他说：“你好，再见”｛1｝", "数量": 2}',
        {"备注": "他说：“你好，再见”｛1｝", "数量": 2},
        (),
    ),
    (
        "mixed: ASCII quotes, full-width comma and colon",
        '{"商品"："牛奶"，"价格"：3.5}',
        {"商品": "牛奶", "价格": 3.5},
        ("replaced full-width punctuation ：，",),
    ),
    (
        "single-quoted strings",
        "{'name': 'O\\'Brien', 'quote': 'say \"hi\"'}",
        {"name": "O'Brien", "quote": 'say "hi"'},
        ("converted single-quoted strings",),
    ),
    (
        "Python literals",
        '{"correct": True, "bad": False, "reason": None}',
        {"correct": True, "bad": False, "reason": None},
        ("converted Python literals True/False/None",),
    ),
    (
        "trailing commas",
        '{"items": [1, 2, 3,], "n": 3,}',
        {"items": [1, 2, 3], "n": 3},
        ("removed trailing commas",),
    ),
    (
        "raw newline and tab inside a string",
        '{"text": "line one\nline two\tend"}',
        {"text": "line one\nline two\tend"},
        (),
    ),
    (
        "escapes, unicode and a surrogate pair",
        '{"s": "a \\"q\\" \\\\ \\u00e9 \\ud83d\\ude00 \\d"}',
        {"s": 'a "q" \\ é 😀 \\d'},
        (),
    ),
    (
        "truncated mid-array after a comma",
        '{"a": 1, "b": [1, 2, ',
        {"a": 1, "b": [1, 2]},
        (CLOSED_2,),
    ),
    (
        "truncated right after a complete value",
        '{"items": [{"name": "Milk", "amount": 2.5}]',
        {"items": [{"name": "Milk", "amount": 2.5}]},
        (CLOSED_1,),
    ),
    (
        "truncated in a half-written number",
        '{"subtotal": 86.5, "total": 9',
        {"subtotal": 86.5},
        ("dropped unfinished $.total at the cut-off", CLOSED_1),
    ),
    (
        "truncated in a dangling key",
        '{"subtotal": 86.5, "tot',
        {"subtotal": 86.5},
        ("dropped unfinished key in $ at the cut-off", CLOSED_1),
    ),
    (
        "truncated after a key and colon",
        '{"subtotal": 86.5, "total": ',
        {"subtotal": 86.5},
        ("dropped unfinished $.total at the cut-off", CLOSED_1),
    ),
    (
        "truncated in a literal",
        '{"ok": 1, "correct": tr',
        {"ok": 1},
        ("dropped unfinished $.correct at the cut-off", CLOSED_1),
    ),
    (
        "truncated inside a string: the member is dropped, not closed",
        '{"total": 12, "items": [{"name": "Milk"}, {"name": "Bre',
        {"total": 12, "items": [{"name": "Milk"}]},
        ("dropped unfinished $.items[1] at the cut-off", CLOSED_2),
    ),
    (
        "truncated inside an unterminated fence",
        'Sure:\n```json\n{"a": [1, 2\n',
        {"a": [1, 2]},
        (CLOSED_2,),
    ),
    (
        "several repairs at once",
        "```json\n｛'成绩'：True，'步骤'：[1，2，],\n",
        {"成绩": True, "步骤": [1, 2]},
        (
            "replaced full-width punctuation ｛：，",
            "converted single-quoted strings",
            "converted Python literals True",
            "removed trailing commas",
            CLOSED_1,
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "value", "repairs"),
    [case[1:] for case in READ_CASES],
    ids=[case[0] for case in READ_CASES],
)
def test_extract_reads_value(text: str, value: Any, repairs: tuple[str, ...]) -> None:
    result = extract_json(text)
    assert (result.value, result.problem, result.error, result.repairs) == (
        value,
        None,
        "",
        repairs,
    )
    assert result.ok


# Every kind of fix, worded in English and in Chinese.
FIX_CASES = [
    (
        "the last fenced block",
        '```json\n{"total": 10}\n```\n```json\n{"total": 12}\n```',
        ("used the last of 2 fenced JSON blocks",),
        ("采用了 2 个 JSON 代码块中的最后一个",),
    ),
    (
        "the largest value",
        'See [1]: {"value": 7.4}',
        ("used the largest of 2 JSON values in the answer",),
        ("采用了回答中 2 个 JSON 值里最大的一个",),
    ),
    (
        "full-width punctuation",
        '{"商品"："牛奶"，"价格"：3.5}',
        ("replaced full-width punctuation ：，",),
        ("替换了全角标点 ：，",),
    ),
    (
        "single quotes, Python literals, trailing commas",
        "{'ok': True, 'why': None,}",
        (
            "converted single-quoted strings",
            "converted Python literals True/None",
            "removed trailing commas",
        ),
        ("转换了单引号字符串", "转换了 Python 字面量 True/None", "删除了多余的结尾逗号"),
    ),
    (
        "a member dropped at the cut, one bracket closed",
        '{"subtotal": 86.5, "total": 9',
        ("dropped unfinished $.total at the cut-off", CLOSED_1),
        ("丢弃了截断处未写完的 $.total", "补上了因输出长度上限而未闭合的 1 个括号"),
    ),
    (
        "a key dropped at the cut, two brackets closed",
        '{"a": [1, 2], "b": {"c": 1, "d',
        ("dropped unfinished key in $.b at the cut-off", CLOSED_2),
        ("丢弃了截断处未写完的 $.b 中的键", "补上了因输出长度上限而未闭合的 2 个括号"),
    ),
]


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [case[1:] for case in FIX_CASES],
    ids=[case[0] for case in FIX_CASES],
)
def test_fixes_are_worded_in_both_languages(
    text: str, english: tuple[str, ...], chinese: tuple[str, ...]
) -> None:
    fixes = extract_json(text).fixes
    assert tuple(fix.text("en") for fix in fixes) == english
    assert tuple(fix.text("zh") for fix in fixes) == chinese


FAIL_CASES = [
    ("bare number", "The answer is 42.", NO_JSON, NO_JSON_ZH),
    ("fenced scalar", '```json\n"yes"\n```', NO_JSON, NO_JSON_ZH),
    ("empty answer", "", NO_JSON, NO_JSON_ZH),
    ("cut off while still thinking", '<think>Draft: {"total": 1, "tax": 2', NO_JSON, NO_JSON_ZH),
    (
        "cut inside the only string",
        '{"merchant": "Wal',
        CUT.format("a string value"),
        CUT_ZH.format("字符串值"),
    ),
    ("cut inside a number", '{"total": -', CUT.format("a number"), CUT_ZH.format("数字")),
    ("cut inside a literal", '{"ok": tr', CUT.format("a literal"), CUT_ZH.format("字面量")),
    ("cut inside the first key", '{"tot', CUT.format("a key"), CUT_ZH.format("键")),
    (
        "cut after the only key",
        '{"total":',
        CUT.format("a key with no value"),
        CUT_ZH.format("没有值的键"),
    ),
    (
        "cut right after the opening brace",
        "Here you go: {",
        CUT.format("an empty object"),
        CUT_ZH.format("空对象"),
    ),
    (
        "cut in a nested empty array",
        '{"items": [',
        CUT.format("an empty array"),
        CUT_ZH.format("空数组"),
    ),
    (
        "cut string hiding brackets is not re-read",
        '{"note": "see [1] and {2}',
        CUT.format("a string value"),
        CUT_ZH.format("字符串值"),
    ),
    (
        "broken syntax, with its place",
        'Result:\n{"a" 1}',
        "could not read the JSON at line 2, column 6: expected ':' after the key",
        '无法读取第 2 行第 6 列处的 JSON：键后面应为 ":"',
    ),
    (
        "unquoted word",
        '{"a": maybe}',
        "could not read the JSON at line 1, column 7: unexpected 'maybe'",
        '无法读取第 1 行第 7 列处的 JSON：此处不应出现 "maybe"',
    ),
    (
        "unexpected character",
        '{"a": @}',
        "could not read the JSON at line 1, column 7: unexpected '@'",
        '无法读取第 1 行第 7 列处的 JSON：此处不应出现 "@"',
    ),
    (
        "unquoted key",
        "{a: 1}",
        "could not read the JSON at line 1, column 2: expected a quoted key",
        "无法读取第 1 行第 2 列处的 JSON：此处应为带引号的键",
    ),
    (
        "missing comma",
        '{"a": 1 "b": 2}',
        "could not read the JSON at line 1, column 9: expected ',' or '}'",
        '无法读取第 1 行第 9 列处的 JSON：此处应为 "," 或 "}"',
    ),
    (
        "half an exponent",
        '{"a": 1e}',
        "could not read the JSON at line 1, column 7: '1e' is not a number",
        '无法读取第 1 行第 7 列处的 JSON："1e" 不是数字',
    ),
    (
        "nested too deeply",
        "[" * 300 + "]" * 300,
        "JSON nested deeper than 200 levels",
        "JSON 嵌套超过 200 层",
    ),
]


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [case[1:] for case in FAIL_CASES],
    ids=[case[0] for case in FAIL_CASES],
)
def test_extract_reports_why_not(text: str, english: str, chinese: str) -> None:
    result = extract_json(text)
    assert (result.value, result.error, result.repairs) == (None, english, ())
    assert result.problem is not None
    assert (result.problem.text("en"), result.problem.text("zh")) == (english, chinese)
    assert result == Extraction(problem=result.problem)
    assert not result.ok


def test_ok_is_true_for_a_value() -> None:
    assert extract_json("[]").ok
