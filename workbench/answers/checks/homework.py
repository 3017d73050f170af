"""Homework checks: do the step verdicts agree with the overall one, does the answer read?"""

from __future__ import annotations

import re
from typing import Any

from workbench.answers.checks._base import (
    CheckContext,
    CheckResult,
    _check,
    _not_an_object,
    _Outcome,
    _rows,
    _Unusable,
)
from workbench.answers.checks._numbers import _to_decimal
from workbench.answers.checks.wording import counted, note

_FINAL_ANSWER = re.compile(
    r"(?:.*=)?"  # anything up to the last '=': "x = 12", "2x = 24"
    r"(?:[^\d=]*[:：])?"  # a label without digits: "Answer:", "答："
    r"\s*(?P<sign>[-+−]?)\s*"  # a sign, ASCII or the Unicode minus
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"  # 1,234 / 12.5 / .5
    r"(?:\s*/\s*(?P<denominator>\d+))?"  # a fraction: -3/4
    r"\s*(?P<unit>[^\d+\-−*/^=()]*)",  # a unit without digits or operators: cm, %, 厘米
    re.DOTALL,
)


def check_homework(value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the homework checks: verdicts_agree, final_answer_parses."""
    if not isinstance(value, dict):
        return _not_an_object("homework", value)
    return [*verdicts_agree(value), *final_answer_parses(value)]


@_check("verdicts_agree")
def verdicts_agree(homework: dict[str, Any]) -> _Outcome | None:
    """Return the verdicts_agree result: is `correct` true exactly when every step is correct?"""
    correct, steps = homework.get("correct"), homework.get("steps")
    if correct is None or steps is None:
        return None
    if not isinstance(correct, bool):
        raise _Unusable(note("homework.correct_not_bool", raw=correct))
    verdicts = [_verdict(step, where) for where, step in _rows(homework, "steps")]
    if not verdicts or None in verdicts:
        return None
    wrong = tuple(f"steps[{i}]" for i, verdict in enumerate(verdicts) if verdict == "incorrect")
    if wrong:
        marked = counted("homework.some_incorrect", len(verdicts), wrong=len(wrong), paths=wrong)
    else:
        marked = counted("homework.all_correct", len(verdicts))
    agree = correct == (not wrong)
    key = "homework.agree" if agree else "homework.disagree"
    return agree, note(key, correct=str(correct).lower(), marked=marked)


@_check("final_answer_parses")
def final_answer_parses(homework: dict[str, Any]) -> _Outcome | None:
    """Return the final_answer_parses result: does the final answer read as a number, and which?"""
    answer = homework.get("final_answer")
    if answer is None:
        return None
    if isinstance(answer, int | float) and _to_decimal(answer) is not None:
        return True, note("homework.number", answer=answer)
    if not isinstance(answer, str):
        raise _Unusable(note("homework.final_not_text", raw=answer))
    parsed = parse_final_answer(answer)
    if parsed is None:
        return False, note("homework.unreadable", answer=answer)
    number, unit = parsed
    key = "homework.reads_with_unit" if unit else "homework.reads"
    return True, note(key, answer=answer, number=f"{number:.10g}", unit=unit)


def parse_final_answer(text: str) -> tuple[float, str] | None:
    """Return (number, unit) for answers like "x = 12", "-3/4", "1,234", "12 cm"; else None."""
    match = _FINAL_ANSWER.fullmatch(text.strip())
    if not match:
        return None
    number = float(match["number"].replace(",", ""))
    if match["denominator"]:
        if int(match["denominator"]) == 0:
            return None
        number /= int(match["denominator"])
    if match["sign"] in ("-", "−"):
        number = -number
    return number, match["unit"].strip()


def _verdict(step: dict[str, Any], where: str) -> str | None:
    """Return "correct" or "incorrect" (None when missing); raise _Unusable for anything else."""
    raw = step.get("verdict")
    verdict = raw.strip().lower() if isinstance(raw, str) else raw
    if raw is not None and verdict not in ("correct", "incorrect"):
        raise _Unusable(note("homework.bad_verdict", path=f"{where}.verdict", raw=raw))
    return verdict
