"""Scoring answers against expectations, retention over turns, and agreement between graders."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.eval.expectations import Expectation
from workbench.eval.scoring import Outcome, agreement, cohens_kappa, retention, score

EXACT = Expectation("text", "Sign in")
CONTAINS = Expectation("text", "Sign in", match="contains")


@pytest.mark.parametrize(
    ("expect", "answer", "parsed", "passed"),
    [
        (EXACT, "Sign in", None, True),
        (EXACT, "  sign\n  IN ", None, True),  # case and whitespace
        (EXACT, '"Sign in".', None, True),  # quotes and a full stop around it
        (EXACT, "Ｓｉｇｎ ｉｎ", None, True),  # full-width letters: NFKC
        (EXACT, "Sign in button", None, False),
        (EXACT, "Sign-in", None, False),
        (EXACT, '{"label": "Sign in"}', {"label": "Sign in"}, True),  # a string value in JSON
        (EXACT, "{...}", {"items": [{"text": "sign in"}]}, True),  # nested
        (EXACT, '{"Sign in": 1}', {"Sign in": 1}, False),  # keys are not values
        (CONTAINS, "The SIGN  IN button is clipped", None, True),
        (CONTAINS, "The Log in button is clipped", None, False),
        (CONTAINS, "{...}", {"defect": "the sign in button"}, True),
    ],
)
def test_text(expect: Expectation, answer: str, parsed: Any, passed: bool) -> None:
    assert score(expect, answer, parsed).passed is passed


def test_text_reasons() -> None:
    assert score(EXACT, "sign in", None) == Outcome(True, 'the answer is "Sign in"')
    assert score(EXACT, "Log in", None) == Outcome(
        False, 'expected "Sign in"; the answer is "Log in"'
    )
    assert score(CONTAINS, "Log in", None) == Outcome(False, 'expected "Sign in" in "Log in"')
    long = score(EXACT, "x" * 100, None).reason
    assert long == 'expected "Sign in"; the answer is "' + "x" * 58 + "…"


@pytest.mark.parametrize(
    ("pattern", "answer", "outcome"),
    [
        ("(?i)blue", "It is BLUE.", Outcome(True, 'regex (?i)blue matched "BLUE"')),
        ("blue", "It is BLUE.", Outcome(False, "regex blue did not match")),
        (r"^\d{3}$", "The code is 123", Outcome(False, r"regex ^\d{3}$ did not match")),
        (r"\d{3}", "The code is 1234", Outcome(True, 'regex \\d{3} matched "123"')),  # search
    ],
)
def test_regex(pattern: str, answer: str, outcome: Outcome) -> None:
    assert score(Expectation("regex", pattern), answer, None) == outcome


NEAR = Expectation("number", 6.4, tolerance=0.1)
ON_THE_DOT = Expectation("number", 6.4)


@pytest.mark.parametrize(
    ("expect", "answer", "parsed", "outcome"),
    [
        (NEAR, "6.3", None, Outcome(True, "expected 6.4 ± 0.1; read 6.3")),  # inclusive
        (NEAR, "6.5", None, Outcome(True, "expected 6.4 ± 0.1; read 6.5")),
        (NEAR, "6.51", None, Outcome(False, "expected 6.4 ± 0.1; read 6.51")),
        (ON_THE_DOT, "It shows 6.4.", None, Outcome(True, "expected 6.4; read 6.4")),
        (ON_THE_DOT, "6.41", None, Outcome(False, "expected 6.4; read 6.41")),
        (ON_THE_DOT, "6,4", None, Outcome(True, "expected 6.4; read 6,4")),  # decimal comma
        (ON_THE_DOT, "about 6.4, range 0 to 10", None, Outcome(True, "expected 6.4; read 6.4")),
        (ON_THE_DOT, "no reading", None, Outcome(False, "no number in the answer")),
        (ON_THE_DOT, "3.0 then 6.4", {"value": 6.4}, Outcome(True, "expected 6.4; read 6.4")),
        (
            ON_THE_DOT,
            '{"value": null}',
            {"value": None},
            Outcome(False, "the answer's value is null, not a number"),
        ),
        (
            Expectation("number", 1016.82),
            "Total 1,016.82",
            None,
            Outcome(True, "expected 1016.82; read 1,016.82"),
        ),
    ],
)
def test_numbers(expect: Expectation, answer: str, parsed: Any, outcome: Outcome) -> None:
    assert score(expect, answer, parsed) == outcome


IN_BAR = Expectation("interval", (6.2, 6.6), unit="bar")


@pytest.mark.parametrize(
    ("answer", "parsed", "passed", "read"),
    [
        ("6.4 bar", None, True, "6.4 bar"),
        ("Pressure – 6.4 bar.", None, True, "6.4 bar"),  # a dash, not a minus sign
        ("6.2 BAR", None, True, "6.2 bar"),  # inclusive bounds; units in any case
        ("6.6bar", None, True, "6.6 bar"),
        ("6.61 bar", None, False, "6.61 bar"),
        ("6.19 bar", None, False, "6.19 bar"),
        ("6.4 psi", None, False, "6.4 psi, not in bar"),
        ("6.4", None, False, "6.4 with no unit"),
        ("{...}", {"value": 6.4, "unit": "Bar"}, True, "6.4 Bar"),
        ("{...}", {"value": 6.4, "unit": ""}, False, "6.4 with no unit"),
        ("6.4 bar", {"value": 7, "unit": "bar"}, False, "7 bar"),  # the JSON comes first
    ],
)
def test_an_interval_with_a_unit(answer: str, parsed: Any, passed: bool, read: str) -> None:
    reason = f"expected a number within 6.2 to 6.6 bar; read {read}"
    assert score(IN_BAR, answer, parsed) == Outcome(passed, reason)


@pytest.mark.parametrize(
    ("value", "unit", "answer", "passed", "read"),
    [
        (-5, "°C", "-5 °C", True, "-5 °c"),
        (-5, "°C", "−5℃", True, "−5 °c"),
        (-5, "°C", "-5 C", True, "-5 c"),
        (-5, "°C", "-5 degrees Celsius", True, "-5 degrees celsius"),
        (-5, "°C", "5 °C", False, "5 °c"),
        (-5, "°C", "-5 °F", False, "-5 °f, not in °C"),
        (-5, "celsius", "-5 °C", True, "-5 °c"),
        (101, "kPa", "101 KPA", True, "101 kpa"),
        (250, "kWh", "250 kilowatt-hours", True, "250 kilowatt hours"),
        (12, "m³", "12 m3 so far", True, "12 m3"),
        (7, "%", "VAT 7%", True, "7 %"),
        (7, "%", "VAT 7 percent", True, "7 percent"),
        (30, "psi", "30 bar", False, "30 bar, not in psi"),
    ],
)
def test_units_and_their_aliases(
    value: float, unit: str, answer: str, passed: bool, read: str
) -> None:
    outcome = score(Expectation("number", value, unit=unit), answer, None)
    assert outcome == Outcome(passed, f"expected {value} {unit}; read {read}")


RECEIPT = Expectation("json", {"total": 22.23, "tax": 1.65, "merchant": "Fresh Market"})


@pytest.mark.parametrize(
    ("expect", "parsed", "outcome"),
    [
        (
            RECEIPT,
            {"total": 22.34, "tax": 1.66, "merchant": "FRESH  market", "date": "2024-03-14"},
            Outcome(True, "all 3 fields match"),  # within 0.5 % or 0.01; extra fields allowed
        ),
        (
            RECEIPT,
            {"tax": 1.67, "merchant": "Fresh Market"},
            Outcome(False, "missing field total; field tax is 1.67, expected 1.65"),
        ),
        (
            Expectation("json", {"items": [{"price": 0.5}]}),
            {"items": [{"price": 0.52}]},
            Outcome(False, "field items[0].price is 0.52, expected 0.5"),
        ),
        (
            Expectation("json", {"items": [{"price": 0.5}]}),
            {"items": [{"price": 0.51}]},
            Outcome(True, "all 1 field match"),
        ),
        (
            Expectation("json", {"total": 5, "note": "x" * 50}),
            {"total": 5, "note": "a different wording"},
            Outcome(True, "all 1 field match (1 free-text field not scored)"),
        ),
        (RECEIPT, None, Outcome(False, "the answer is not JSON")),
        (
            Expectation("json", {key: 1 for key in "abcdefg"}),
            {},
            Outcome(
                False,
                "missing field a; missing field b; missing field c; missing field d;"
                " missing field e; and 2 more",
            ),
        ),
    ],
)
def test_json(expect: Expectation, parsed: Any, outcome: Outcome) -> None:
    assert score(expect, "{...}", parsed) == outcome


@pytest.mark.parametrize(
    ("answer", "parsed", "says"),
    [
        ("{...}", {"correct": True, "steps": []}, "correct"),
        ("{...}", {"correct": False}, "incorrect"),
        ("The answer is correct.", None, "correct"),
        ("The answer is INCORRECT.", None, "incorrect"),
        ("The final answer is not correct.", None, "incorrect"),
        ("The answer isn't correct.", None, "incorrect"),
        ("Step 1 is incorrect, but the final answer is correct.", None, "correct"),  # the last
        ("Step 1 is correct; step 2 is incorrect. Overall: incorrect", None, "incorrect"),
        ("答案正确。", None, "correct"),
        ("答案不正确。", None, "incorrect"),
        ("第二步错误。", None, "incorrect"),
    ],
)
def test_verdict(answer: str, parsed: Any, says: str) -> None:
    for expected in ("correct", "incorrect"):
        outcome = score(Expectation("verdict", expected), answer, parsed)
        reason = f"expected {expected}; the answer says {says}"
        assert outcome == Outcome(expected == says, reason)


@pytest.mark.parametrize(
    ("answer", "parsed", "reason"),
    [
        ("I cannot tell.", None, "no verdict (correct or incorrect) in the answer"),
        ("{...}", {"correct": "yes"}, 'the answer\'s correct field is "yes", not a boolean'),
    ],
)
def test_no_verdict(answer: str, parsed: Any, reason: str) -> None:
    assert score(Expectation("verdict", "correct"), answer, parsed) == Outcome(False, reason)


@pytest.mark.parametrize(
    ("first", "follow_ups", "share"),
    [
        # Cases 1 and 3 had the first turn right: 2 of their 3 follow-ups are right.
        ([True, False, True], [[True, False], [True, True], [True]], 2 / 3),
        ([True, True], [[True], [True, True]], 1.0),
        ([False, False], [[True], [True]], None),  # no first turn right
        ([True], [[]], None),  # right, but no follow-up
        ([], [], None),
    ],
)
def test_retention(first: list[bool], follow_ups: list[list[bool]], share: float | None) -> None:
    assert retention(first, follow_ups) == share


def test_retention_needs_one_list_of_follow_ups_per_case() -> None:
    with pytest.raises(ValueError, match="2 first turns but 1 lists of follow-ups"):
        retention([True, True], [[True]])


# Two graders, yes/no, 10 items: 4 yes-yes, 3 no-no, 1 yes-no, 2 no-yes.
# po = 7/10 = 0.7; A says yes 5/10, B 6/10: pe = 0.5·0.6 + 0.5·0.4 = 0.5; κ = 0.2/0.5 = 0.4.
TWO_A = ["yes"] * 4 + ["no"] * 3 + ["yes"] + ["no"] * 2
TWO_B = ["yes"] * 4 + ["no"] * 3 + ["no"] + ["yes"] * 2
# Three marks, 10 items:
#   A: C C C C C W W W H H   (C 5, W 3, H 2)
#   B: C C C C W W W H H C   (C 5, W 3, H 2)
# Alike on items 1-4, 6, 7, 9: po = 0.7. pe = 0.5² + 0.3² + 0.2² = 0.25 + 0.09 + 0.04 = 0.38.
# κ = (0.7 - 0.38) / (1 - 0.38) = 0.32 / 0.62 = 16/31 ≈ 0.516.
C, W, H = "correct", "wrong", "hallucinated"
THREE_A = [C, C, C, C, C, W, W, W, H, H]
THREE_B = [C, C, C, C, W, W, W, H, H, C]


@pytest.mark.parametrize(
    ("marks_a", "marks_b", "kappa", "share"),
    [
        (TWO_A, TWO_B, 0.4, 0.7),
        (THREE_A, THREE_B, 16 / 31, 0.7),
        ([C, C, C], [C, C, C], 1.0, 1.0),  # one mark only: pe = 1, full agreement
        ([C, W, H], [C, W, H], 1.0, 1.0),
        ([C, W], [W, C], -1.0, 0.0),  # po = 0, pe = 0.5
        ([C, C], [W, W], 0.0, 0.0),  # po = 0, pe = 0
    ],
)
def test_kappa_and_agreement(
    marks_a: list[str], marks_b: list[str], kappa: float, share: float
) -> None:
    assert cohens_kappa(marks_a, marks_b) == pytest.approx(kappa)
    assert agreement(marks_a, marks_b) == pytest.approx(share)


def test_kappa_and_agreement_need_the_same_items() -> None:
    assert cohens_kappa([], []) is None
    with pytest.raises(ValueError, match="no marks"):
        agreement([], [])
    with pytest.raises(ValueError, match="marked 2 and 1 items"):
        cohens_kappa([C, W], [C])
    with pytest.raises(ValueError, match="marked 1 and 2 items"):
        agreement([C], [C, W])
