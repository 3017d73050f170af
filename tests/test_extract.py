"""JSON extraction from messy model output: fences, prose, repairs, truncation."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.extract import NO_JSON, Extraction, extract_json

CUT = "answer was cut off inside {} and can't be completed unambiguously"
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
    assert extract_json(text) == Extraction(value=value, error="", repairs=repairs)


FAIL_CASES = [
    ("bare number", "The answer is 42.", NO_JSON),
    ("fenced scalar", '```json\n"yes"\n```', NO_JSON),
    ("empty answer", "", NO_JSON),
    ("cut off while still thinking", '<think>Draft: {"total": 1, "tax": 2', NO_JSON),
    ("cut inside the only string", '{"merchant": "Wal', CUT.format("a string value")),
    ("cut inside a number", '{"total": -', CUT.format("a number")),
    ("cut right after the opening brace", "Here you go: {", CUT.format("an empty object")),
    ("cut in a nested empty array", '{"items": [', CUT.format("an empty array")),
    (
        "cut string hiding brackets is not re-read",
        '{"note": "see [1] and {2}',
        CUT.format("a string value"),
    ),
    (
        "broken syntax, with its place",
        'Result:\n{"a" 1}',
        "could not read the JSON at line 2, column 6: expected ':' after the key",
    ),
    (
        "unquoted word",
        '{"a": maybe}',
        "could not read the JSON at line 1, column 7: unexpected 'maybe'",
    ),
    ("nested too deeply", "[" * 300 + "]" * 300, "JSON nested deeper than 200 levels"),
]


@pytest.mark.parametrize(
    ("text", "error"), [case[1:] for case in FAIL_CASES], ids=[case[0] for case in FAIL_CASES]
)
def test_extract_reports_why_not(text: str, error: str) -> None:
    result = extract_json(text)
    assert result == Extraction(value=None, error=error, repairs=())
    assert not result.ok


def test_ok_is_true_for_a_value() -> None:
    assert extract_json("[]").ok
