"""Homework checks: the steps' verdicts agree with the overall one, the final answer reads."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Check, Quiet, Said, check_name, quiet_params, said_params, worded
from workbench.answers.checks import final_answer_parses, parse_final_answer, verdicts_agree


def steps(*verdicts: str) -> list[dict[str, str]]:
    """Return homework steps with the given verdicts."""
    return [{"text": f"step {i}", "verdict": v, "reason": ""} for i, v in enumerate(verdicts)]


HOMEWORK_SAID: list[Said] = [
    (
        "right, every step right",
        verdicts_agree,
        {"correct": True, "steps": steps("correct", "correct", "correct")},
        True,
        "correct is true and all 3 steps marked correct",
        "3 个步骤全部标为正确，与 correct 为 true 一致",
    ),
    (
        "wrong, a step wrong",
        verdicts_agree,
        {"correct": False, "steps": steps("correct", "incorrect", "correct")},
        True,
        "correct is false and 1 of 3 steps marked incorrect (steps[1])",
        "3 个步骤中有 1 个标为错误（steps[1]），与 correct 为 false 一致",
    ),
    (
        "right, two steps wrong",
        verdicts_agree,
        {"correct": True, "steps": steps("incorrect", "correct", "incorrect")},
        False,
        "correct is true but 2 of 3 steps marked incorrect (steps[0], steps[2])",
        "3 个步骤中有 2 个标为错误（steps[0]、steps[2]），与 correct 为 true 不符",
    ),
    (
        "right, the one step wrong",
        verdicts_agree,
        {"correct": True, "steps": steps("incorrect")},
        False,
        "correct is true but 1 of 1 step marked incorrect (steps[0])",
        "仅有的 1 个步骤标为错误（steps[0]），与 correct 为 true 不符",
    ),
    (
        "wrong, the one step right",
        verdicts_agree,
        {"correct": False, "steps": steps("correct")},
        False,
        "correct is false but all 1 step marked correct",
        "仅有的 1 个步骤标为正确，与 correct 为 false 不符",
    ),
    (
        "verdict with spaces and a capital",
        verdicts_agree,
        {"correct": True, "steps": steps(" Correct ")},
        True,
        "correct is true and all 1 step marked correct",
        "仅有的 1 个步骤标为正确，与 correct 为 true 一致",
    ),
    (
        "correct not a boolean",
        verdicts_agree,
        {"correct": "yes", "steps": steps("correct")},
        False,
        "correct is not true or false: 'yes'",
        'correct 应为 true 或 false，实际是 "yes"',
    ),
    (
        "verdict neither",
        verdicts_agree,
        {"correct": True, "steps": steps("maybe")},
        False,
        "steps[0].verdict is 'maybe', not 'correct' or 'incorrect'",
        'steps[0].verdict 是 "maybe"，应为 "correct" 或 "incorrect"',
    ),
    (
        "x = 12",
        final_answer_parses,
        {"final_answer": "x = 12"},
        True,
        "final answer 'x = 12' reads as 12",
        '最终答案 "x = 12" 读作 12',
    ),
    (
        "a decimal",
        final_answer_parses,
        {"final_answer": "12.5"},
        True,
        "final answer '12.5' reads as 12.5",
        '最终答案 "12.5" 读作 12.5',
    ),
    (
        "a fraction",
        final_answer_parses,
        {"final_answer": "-3/4"},
        True,
        "final answer '-3/4' reads as -0.75",
        '最终答案 "-3/4" 读作 -0.75',
    ),
    (
        "thousands separator",
        final_answer_parses,
        {"final_answer": "1,234"},
        True,
        "final answer '1,234' reads as 1234",
        '最终答案 "1,234" 读作 1234',
    ),
    (
        "a unit",
        final_answer_parses,
        {"final_answer": "12 cm"},
        True,
        "final answer '12 cm' reads as 12 (unit: cm)",
        '最终答案 "12 cm" 读作 12（单位：cm）',
    ),
    (
        "a Chinese label and unit",
        final_answer_parses,
        {"final_answer": "答：12厘米"},
        True,
        "final answer '答：12厘米' reads as 12 (unit: 厘米)",
        '最终答案 "答：12厘米" 读作 12（单位：厘米）',
    ),
    (
        "the Unicode minus",
        final_answer_parses,
        {"final_answer": "2x = −24"},
        True,
        "final answer '2x = −24' reads as -24",
        '最终答案 "2x = −24" 读作 -24',
    ),
    (
        "a word",
        final_answer_parses,
        {"final_answer": "twelve"},
        False,
        "final answer 'twelve' does not read as a number",
        '最终答案 "twelve" 无法读作数字',
    ),
    (
        "a sum",
        final_answer_parses,
        {"final_answer": "12 + 3"},
        False,
        "final answer '12 + 3' does not read as a number",
        '最终答案 "12 + 3" 无法读作数字',
    ),
    (
        "over zero",
        final_answer_parses,
        {"final_answer": "3/0"},
        False,
        "final answer '3/0' does not read as a number",
        '最终答案 "3/0" 无法读作数字',
    ),
    (
        "a JSON number",
        final_answer_parses,
        {"final_answer": 42},
        True,
        "final answer is the number 42",
        "最终答案是数字 42",
    ),
    (
        "a boolean",
        final_answer_parses,
        {"final_answer": True},
        False,
        "final_answer is not text or a number: True",
        "final_answer 应为文本或数字，实际是 true",
    ),
]
HOMEWORK_QUIET: list[Quiet] = [
    ("no steps", verdicts_agree, {"correct": True, "steps": []}),
    ("no overall verdict", verdicts_agree, {"correct": None, "steps": steps("correct")}),
    ("a step without a verdict", verdicts_agree, {"correct": True, "steps": [{"text": "x"}]}),
    ("no final answer", final_answer_parses, {"final_answer": None}),
]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("Answer: x = 1/2", (0.5, "")), ("75 %", (75.0, "%")), ("1.2.3", None), ("", None)],
)
def test_parse_final_answer(text: str, parsed: tuple[float, str] | None) -> None:
    assert parse_final_answer(text) == parsed


@pytest.mark.parametrize(("check", "value", "ok", "english", "chinese"), said_params(HOMEWORK_SAID))
def test_check_says_why_in_english_and_chinese(
    check: Check, value: Any, ok: bool, english: str, chinese: str
) -> None:
    assert worded(check(value)) == [(check_name(check), ok, english, chinese)]


@pytest.mark.parametrize(("check", "value"), quiet_params(HOMEWORK_QUIET))
def test_check_without_its_fields_stays_quiet(check: Check, value: Any) -> None:
    assert check(value) == []
