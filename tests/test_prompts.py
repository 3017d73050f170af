"""The repair request lists the problems in the chosen language; the Chinese one has no English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.test_extract import FAIL_CASES
from tests.test_validation import KEYWORD_CASES
from workbench.answers.extract import extract_json
from workbench.answers.validation import validate
from workbench.messages import repair_outcome
from workbench.prompts.turns import repair_request

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["merchant"],
    "properties": {
        "total": {"type": "number"},
        "items": {"type": "array", "items": {"properties": {"amount": {"minimum": 0}}}},
    },
}
BROKEN = {"items": [{"amount": -1}], "total": "abc"}

# A quoted value or key ("a b", "^\\d+$"); then a JSON path ($.items[0].amount, $[ ]).
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_PATH = re.compile(r"\$[^\s：，；、]*")
# Words a Chinese sentence may carry: the format's name, and JSON's literals and null type.
_TERMS = {"JSON", "null", "true", "false"}


def english_words(text: str) -> list[str]:
    """Return the runs of ASCII letters left once quoted values, keys and paths are taken out."""
    bare = _PATH.sub(" ", _QUOTED.sub(" ", text))
    return [word for word in re.findall(r"[A-Za-z]+", bare) if word not in _TERMS]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Your JSON does not match the required schema:\n"
            "- $: 'merchant' is a required property\n"
            "- $.items[0].amount: -1 is less than the minimum of 0\n"
            "- $.total: 'abc' is not of type 'number'\n"
            "Reply with the corrected JSON only, no other text.",
        ),
        (
            "zh",
            "你的 JSON 不符合要求的结构：\n"
            '- $：缺少必需的属性 "merchant"\n'
            "- $.items[0].amount：-1 小于最小值 0\n"
            '- $.total："abc" 不是数字\n'
            "只回复修正后的 JSON，不要其他文字。",
        ),
    ],
)
def test_the_repair_request_lists_schema_errors_in_the_chosen_language(
    language: str, expected: str
) -> None:
    assert repair_request(validate(BROKEN, SCHEMA), language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Your JSON does not match the required schema:\n"
            "- could not read the JSON at line 1, column 6: expected ':' after the key\n"
            "Reply with the corrected JSON only, no other text.",
        ),
        (
            "zh",
            "你的 JSON 不符合要求的结构：\n"
            '- 无法读取第 1 行第 6 列处的 JSON：键后面应为 ":"\n'
            "只回复修正后的 JSON，不要其他文字。",
        ),
    ],
)
def test_the_repair_request_words_an_extraction_problem(language: str, expected: str) -> None:
    problem = extract_json('{"a" 1}').problem
    assert problem is not None
    assert repair_request([problem], language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Your JSON does not match the required schema:\n- $.x: bad\n"
            "Reply with the corrected JSON only, no other text.",
        ),
        ("zh", "你的 JSON 不符合要求的结构：\n- $.x: bad\n只回复修正后的 JSON，不要其他文字。"),
    ],
)
def test_worded_strings_are_listed_as_they_are(language: str, expected: str) -> None:
    assert repair_request(["$.x: bad"], language) == expected


def _keyword_errors() -> list[Any]:
    return [error for _, schema, value, *_ in KEYWORD_CASES for error in validate(value, schema)]


def _extraction_problems() -> list[Any]:
    return [extract_json(text).problem for _, text, *_ in FAIL_CASES]


def test_the_chinese_repair_request_has_no_english_sentence() -> None:
    problems = [*_keyword_errors(), *_extraction_problems(), *validate(BROKEN, SCHEMA)]
    assert len(problems) == len(KEYWORD_CASES) + len(FAIL_CASES) + 3
    assert english_words(repair_request(problems, "zh")) == []


def test_the_english_check_finds_english() -> None:
    english = repair_request(validate(BROKEN, SCHEMA), "en")
    assert english_words(english)[:4] == ["Your", "does", "not", "match"]
    assert english_words('不符合 "date" 格式：$.items[0].a b') == ["b"]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language must be one of en, zh; got 'fr'"):
        repair_request([], "fr")


@pytest.mark.parametrize(
    ("left", "language", "expected"),
    [
        (
            0,
            "en",
            "repair fixed: $: 'merchant' is a required property; "
            "$.items[0].amount: -1 is less than the minimum of 0; "
            "$.total: 'abc' is not of type 'number'",
        ),
        (
            0,
            "zh",
            '修复了：$：缺少必需的属性 "merchant"；$.items[0].amount：-1 小于最小值 0；'
            '$.total："abc" 不是数字',
        ),
        (2, "en", "repair left 2 of 3 problem(s)"),
        (2, "zh", "修复后仍有 2 个问题（原有 3 个）"),
    ],
)
def test_repair_outcome(left: int, language: str, expected: str) -> None:
    assert repair_outcome(validate(BROKEN, SCHEMA), left, language) == expected
