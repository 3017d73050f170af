"""Scoring: does an answer meet a golden case's expectation, and do two graders agree?

`score(expect, answer_text, parsed)` returns an `Outcome`: passed, and a short reason. By kind:

- text: both sides in Unicode NFKC, case folded, whitespace collapsed; "exact" also ignores
  quotes and a full stop around either side ("Sign in." is "Sign in"). Compared with the answer
  text and, when the answer parsed as JSON, with each string value in it.
- regex: `re.search` over the answer text.
- number, interval: the parsed JSON's `value` (the gauges' schema) when the answer has one, else
  the first number in the text, read by `workbench.evidence.printed.number_matches` (so "1,016.82",
  "1.016,82", full-width digits and "6,4" read as people mean them; where a number may be read
  two ways it passes if either reading fits). A minus sign counts only written right against
  the digits ("-5 °C"), so a dash before a number ("Pressure – 6.4 bar") is not a sign. Bounds
  are inclusive. With a unit, the answer's unit must be the same: its `unit` field, or the
  word right after the number, compared case-insensitively through `_UNIT_ALIASES`.
- json: `workbench.eval.truth.compare_json`, every expected field must match (numbers within 0.5 %
  or 0.01); long free text it leaves unscored does not fail the case.
- verdict: the parsed JSON's `correct` boolean, else the last of the words correct / incorrect
  (also "not correct", 正确 / 不正确 / 错误) in the text: answers give their verdict last.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.eval.expectations import Expectation
from workbench.eval.truth import compare_json
from workbench.evidence.printed import normalise, number_matches

_SHOWN = 60  # an answer quoted back in a reason is cut to this many characters
_MAX_LISTED = 5  # fields named in a json reason before "and N more"
_EDGES = " \"'`“”‘’「」『』.。"  # around an exact text: quotes and a full stop

# Units by their canonical (folded) spelling; any other unit is compared as written, folded.
_UNIT_ALIASES = {
    "°c": ("c", "celsius", "degc", "deg c", "degree celsius", "degrees celsius", "degrees c"),
    "°f": ("f", "fahrenheit", "degf", "deg f", "degree fahrenheit", "degrees fahrenheit"),
    "bar": ("bars",),
    "mbar": ("millibar", "millibars"),
    "psi": ("lb/in2", "lbf/in2"),
    "kpa": ("kilopascal", "kilopascals"),
    "mpa": ("megapascal", "megapascals"),
    "kwh": ("kilowatt hour", "kilowatt hours"),
    "m3": ("cubic metre", "cubic metres", "cubic meter", "cubic meters"),
    "%": ("percent", "per cent"),
}
_CANONICAL_UNIT = {alias: unit for unit, aliases in _UNIT_ALIASES.items() for alias in aliases}
# The unit after a number, in normalised text: "bar", "°c", "° c", "kwh", "lb/in2", "m3", and
# a second word for names such as "degrees celsius" or "kilowatt-hours".
_WORD = r"°?\s?[^\W\d_]+(?:/[^\W\d_]+)?\d?"
_UNIT_AFTER = re.compile(rf"\s*(?P<first>{_WORD})(?:[\s-](?P<second>{_WORD}))?")
_VERDICT = re.compile(
    r"(?P<negated>\bnot\s+|n['’]t\s+|不)?"  # "not correct", "isn't correct", 不正确
    r"(?P<word>\bincorrect\b|\bcorrect\b|正确|错误)"
)


@dataclass(frozen=True)
class Outcome:
    """Whether an answer met its expectation, and a short sentence saying why."""

    passed: bool
    reason: str


def score(expect: Expectation, answer_text: str, parsed: Any | None) -> Outcome:
    """Return whether `answer_text` (and its JSON, `parsed`, if any) meets `expect`."""
    return _SCORERS[expect.kind](expect, answer_text, parsed)


def _score_text(expect: Expectation, answer_text: str, parsed: Any) -> Outcome:
    wanted = _fold(expect.value)
    candidates = [_fold(answer_text), *map(_fold, _strings_in(parsed))]
    if expect.match == "contains":
        passed = any(wanted in candidate for candidate in candidates)
        if passed:
            return Outcome(True, f"the answer contains {_quoted(expect.value)}")
        return Outcome(False, f"expected {_quoted(expect.value)} in {_quoted(answer_text)}")
    passed = any(candidate.strip(_EDGES) == wanted.strip(_EDGES) for candidate in candidates)
    if passed:
        return Outcome(True, f"the answer is {_quoted(expect.value)}")
    return Outcome(False, f"expected {_quoted(expect.value)}; the answer is {_quoted(answer_text)}")


def _score_regex(expect: Expectation, answer_text: str, parsed: Any) -> Outcome:
    match = re.search(expect.value, answer_text)
    if match is None:
        return Outcome(False, f"regex {expect.value} did not match")
    return Outcome(True, f"regex {expect.value} matched {_quoted(match[0])}")


@dataclass(frozen=True)
class _Reading:
    """A number in the answer: the values it may stand for, as written, and its unit if any."""

    values: frozenset[float]
    written: str
    unit: str | None


def _score_number(expect: Expectation, answer_text: str, parsed: Any) -> Outcome:
    unit = f" {expect.unit}" if expect.unit else ""
    if expect.kind == "interval":
        low, high = expect.value
        wanted = f"expected a number within {_number(low)} to {_number(high)}{unit}"
    else:
        low, high = expect.value - expect.tolerance, expect.value + expect.tolerance
        spread = f" ± {_number(expect.tolerance)}" if expect.tolerance else ""
        wanted = f"expected {_number(expect.value)}{spread}{unit}"
    reading = _read_number(answer_text, parsed)
    if isinstance(reading, str):
        return Outcome(False, reading)
    margin = 1e-9 * max(1.0, abs(low), abs(high))  # 6.5 - 0.1 is 6.3999…
    inside = any(low - margin <= value <= high + margin for value in reading.values)
    # Without an expected unit, the word after a number may be any word ("6 and 7"): not shown.
    shown_unit = reading.unit if expect.unit else None
    read = f"{reading.written} {shown_unit}" if shown_unit else reading.written
    if expect.unit and reading.unit is None:
        return Outcome(False, f"{wanted}; read {read} with no unit")
    if expect.unit and _canonical_unit(reading.unit or "") != _canonical_unit(expect.unit):
        return Outcome(False, f"{wanted}; read {read}, not in {expect.unit}")
    return Outcome(inside, f"{wanted}; read {read}")


def _read_number(answer_text: str, parsed: Any) -> _Reading | str:
    """Return the answer's number, or a sentence saying why there is none."""
    if isinstance(parsed, dict) and "value" in parsed:
        value, unit = parsed["value"], parsed.get("unit")
        if not _is_number(value):
            return f"the answer's value is {_quoted(value)}, not a number"
        unit = unit.strip() if isinstance(unit, str) and unit.strip() else None
        return _Reading(frozenset({float(value)}), _number(value), unit)
    text = normalise(answer_text)
    found = number_matches(text)
    if not found:
        return "no number in the answer"
    start, written, values = found[0]
    end = start + len(written)
    if written[0] in "-−" and written[1:2].isdigit():
        values = frozenset(-value for value in values)
    else:  # a plus, or a dash before the number ("Pressure – 6.4 bar"): not part of it
        written = written.lstrip("+-−– ")
    if written.endswith("%"):
        return _Reading(values, written.removesuffix("%").strip(), "%")
    return _Reading(values, written, _unit_after(text[end:]))


def _unit_after(text: str) -> str | None:
    """Return the unit word(s) at the start of `text`: a known two-word unit, else one word."""
    match = _UNIT_AFTER.match(text)
    if match is None:
        return None
    if match["second"]:
        pair = f"{match['first']} {match['second']}"
        if _canonical_unit(pair) in _UNIT_ALIASES:
            return pair
    return match["first"]


def _canonical_unit(unit: str) -> str:
    """Return a unit's canonical spelling: "Celsius" and "℃" both give "°c"."""
    folded = " ".join(unicodedata.normalize("NFKC", unit).casefold().replace("-", " ").split())
    folded = folded.replace("° ", "°")
    return _CANONICAL_UNIT.get(folded, folded)


def _score_json(expect: Expectation, answer_text: str, parsed: Any) -> Outcome:
    if parsed is None:
        return Outcome(False, "the answer is not JSON")
    comparisons = compare_json(expect.value, parsed)
    wrong = []
    for item in comparisons:
        field = item.path.removeprefix("$").removeprefix(".") or "the answer"
        if item.verdict == "missing":
            wrong.append(f"missing field {field}")
        elif item.verdict == "differs":
            expected, got = _quoted(item.expected), _quoted(item.got)
            wrong.append(f"field {field} is {got}, expected {expected}")
    if wrong:
        more = len(wrong) - _MAX_LISTED
        listed = wrong[:_MAX_LISTED] + ([f"and {more} more"] if more > 0 else [])
        return Outcome(False, "; ".join(listed))
    unscored = sum(item.verdict == "unscored" for item in comparisons)
    scored = len(comparisons) - unscored
    note = f" ({unscored} free-text field{'s' * (unscored != 1)} not scored)" if unscored else ""
    return Outcome(True, f"all {scored} field{'s' * (scored != 1)} match{note}")


def value_rights(expect: Expectation, parsed: Any) -> dict[str, bool | None]:
    """Return {JSON path: whether the answer's value there is right} for the values the
    expectation speaks about: a JSON truth field by field (free text: None), a verdict at
    `$.correct`. {} when the expectation says nothing about single values."""
    if parsed is None:
        return {}
    if expect.kind == "json":
        rights = {"match": True, "differs": False, "unscored": None}
        return {
            item.path: rights[item.verdict]
            for item in compare_json(expect.value, parsed)
            if item.verdict in rights
        }
    if expect.kind == "verdict" and isinstance(parsed, dict) and "correct" in parsed:
        return {"$.correct": parsed["correct"] is (expect.value == "correct")}
    return {}


def _score_verdict(expect: Expectation, answer_text: str, parsed: Any) -> Outcome:
    if isinstance(parsed, dict) and "correct" in parsed:
        correct = parsed["correct"]
        if not isinstance(correct, bool):
            return Outcome(
                False, f"the answer's correct field is {_quoted(correct)}, not a boolean"
            )
        said = "correct" if correct else "incorrect"
    else:
        words = list(_VERDICT.finditer(_fold(answer_text)))
        if not words:
            return Outcome(False, "no verdict (correct or incorrect) in the answer")
        last = words[-1]
        positive = last["word"] in ("correct", "正确")
        said = "correct" if positive != bool(last["negated"]) else "incorrect"
    return Outcome(said == expect.value, f"expected {expect.value}; the answer says {said}")


_SCORERS: dict[str, Callable[[Expectation, str, Any], Outcome]] = {
    "text": _score_text,
    "regex": _score_regex,
    "number": _score_number,
    "interval": _score_number,
    "json": _score_json,
    "verdict": _score_verdict,
}


def retention(first_right: list[bool], follow_ups_right: list[list[bool]]) -> float | None:
    """Return the share of follow-up turns right among cases whose first turn was right.

    None when no case had its first turn right and a follow-up after it.
    """
    if len(first_right) != len(follow_ups_right):
        raise ValueError(
            f"{len(first_right)} first turns but {len(follow_ups_right)} lists of follow-ups"
        )
    kept = [
        right
        for first, later in zip(first_right, follow_ups_right, strict=True)
        if first
        for right in later
    ]
    return sum(kept) / len(kept) if kept else None


def agreement(marks_a: Sequence[str], marks_b: Sequence[str]) -> float:
    """Return the share of items both graders marked the same; ValueError when there are none."""
    _same_items(marks_a, marks_b)
    if not marks_a:
        raise ValueError("no marks to compare")
    return sum(a == b for a, b in zip(marks_a, marks_b, strict=True)) / len(marks_a)


def cohens_kappa(marks_a: Sequence[str], marks_b: Sequence[str]) -> float | None:
    """Return Cohen's kappa for two graders' marks of the same items; None when there are none.

    κ = (po - pe) / (1 - pe): po the share of items marked alike, pe the share expected by
    chance from each grader's own mix of marks. When both give one and the same mark to every
    item pe is 1 and κ undefined; full agreement is then returned as 1.0.
    """
    _same_items(marks_a, marks_b)
    n = len(marks_a)
    if n == 0:
        return None
    # In whole counts: po = agreed/n and pe = chance/n², so κ = (agreed·n - chance)/(n² - chance).
    agreed = sum(a == b for a, b in zip(marks_a, marks_b, strict=True))
    counts_a, counts_b = Counter(marks_a), Counter(marks_b)
    chance = sum(counts_a[mark] * counts_b[mark] for mark in counts_a)
    if chance == n * n:
        return 1.0
    return (agreed * n - chance) / (n * n - chance)


def _same_items(marks_a: Sequence[str], marks_b: Sequence[str]) -> None:
    if len(marks_a) != len(marks_b):
        raise ValueError(f"the graders marked {len(marks_a)} and {len(marks_b)} items")


def _fold(text: str) -> str:
    """Return text in NFKC, case folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _strings_in(value: Any) -> Iterator[str]:
    """Yield every string value in parsed JSON (not the keys)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: float) -> str:
    """Return a number as people write it: 6 not 6.0, 6.4 not 6.3999999."""
    return f"{value:.10g}"


def _quoted(value: Any) -> str:
    """Return a value as JSON, cut short when long."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
