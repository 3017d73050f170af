"""Golden sets: valid ones load into cases; every malformed line is named with its line number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workbench.eval.golden import Case, Expectation, GoldenSetError, Turn, load_cases
from workbench.prompts.presets import PresetError, load_all

TABS = ("gauges", "homework", "receipts", "screenshots")
PRESETS = {
    "receipts": ("Extract all fields", "Verify totals"),
    "gauges": ("Read the value",),
    "homework": ("Grade step by step",),
    "screenshots": ("Find layout defects",),
}
FILES = ("receipts/r001.jpg", "gauges/g004.png", "gauges/manual.pdf", "ui/login.png")
BASE = {
    "id": "x-1",
    "image": "receipts/r001.jpg",
    "tab": "receipts",
    "preset": "Extract all fields",
    "level": "L1",
    "expect": {"json": {"total": 22.23}},
}
# A bad line is written as line 4: after a comment, an empty line and the valid BASE case.
HEADER = ["# a comment", "", json.dumps(BASE)]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Return a golden-set folder holding the image files, without cases.jsonl."""
    for name in FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"not really an image")
    return tmp_path.resolve()


def _write(folder: Path, lines: list[str]) -> None:
    (folder / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _problems(folder: Path, lines: list[str], **kwargs: Any) -> list[str]:
    _write(folder, lines)
    with pytest.raises(GoldenSetError) as caught:
        load_cases(folder, **kwargs)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


def _case(**changes: Any) -> str:
    """Return BASE with id x-2 and `changes` (None removes a key), as a JSON line."""
    case = {**BASE, "id": "x-2", **changes}
    return json.dumps({key: value for key, value in case.items() if value is not None})


# --- Valid sets ------------------------------------------------------------------------------


def test_a_valid_set_loads_in_file_order(folder: Path) -> None:
    lines = [
        "# receipts first",
        json.dumps(BASE),
        "",
        "   # an indented comment",
        json.dumps(
            {
                "id": "g-004",
                "image": "gauges/manual.pdf#page=3",
                "tab": "gauges",
                "question": "What is the pressure?",
                "level": "L2",
                "expect": {"interval": [6.2, 6.6], "unit": "bar"},
            }
        ),
        json.dumps(
            {
                "id": "s-010",
                "image": "ui/login.png",
                "tab": "screenshots",
                "preset": "Find layout defects",
                "level": "L3",
                "turns": [
                    {"expect": {"text": "Sign in", "match": "contains"}},
                    {"question": "What colour is it?", "expect": {"regex": "(?i)blue"}},
                ],
            }
        ),
    ]
    _write(folder, lines)
    cases = load_cases(folder, presets=PRESETS)
    assert cases == [
        Case(
            id="x-1",
            image=folder / "receipts/r001.jpg",
            page=None,
            tab="receipts",
            preset="Extract all fields",
            level="L1",
            turns=(Turn(None, Expectation("json", {"total": 22.23})),),
        ),
        Case(
            id="g-004",
            image=folder / "gauges/manual.pdf",
            page=3,
            tab="gauges",
            preset=None,
            level="L2",
            turns=(Turn("What is the pressure?", Expectation("interval", (6.2, 6.6), unit="bar")),),
        ),
        Case(
            id="s-010",
            image=folder / "ui/login.png",
            page=None,
            tab="screenshots",
            preset="Find layout defects",
            level="L3",
            turns=(
                Turn(None, Expectation("text", "Sign in", match="contains")),
                Turn("What colour is it?", Expectation("regex", "(?i)blue")),
            ),
        ),
    ]


@pytest.mark.parametrize(
    ("expect", "expectation"),
    [
        ({"text": "Sign in"}, Expectation("text", "Sign in", match="exact")),
        ({"regex": "^\\d+$"}, Expectation("regex", "^\\d+$")),
        ({"number": 6.4}, Expectation("number", 6.4, tolerance=0)),
        (
            {"number": 21, "tolerance": 0.5, "unit": "°C"},
            Expectation("number", 21, tolerance=0.5, unit="°C"),
        ),
        ({"interval": [3, 3]}, Expectation("interval", (3, 3))),
        ({"verdict": "incorrect"}, Expectation("verdict", "incorrect")),
    ],
)
def test_each_kind_of_expectation_loads(
    folder: Path, expect: dict[str, Any], expectation: Expectation
) -> None:
    _write(folder, [_case(expect=expect)])
    [case] = load_cases(folder, tabs=TABS)
    assert case.turns == (Turn(None, expectation),)


def test_the_apps_own_tabs_and_presets_are_used(folder: Path) -> None:
    _write(folder, [json.dumps(BASE)])
    assert [case.id for case in load_cases(folder)] == ["x-1"]  # tabs from the preset files
    assert [case.id for case in load_cases(folder, presets=load_all())] == ["x-1"]


# --- Malformed lines -------------------------------------------------------------------------

MALFORMED = [
    ("[1, 2]", "expected a JSON object, got an array"),
    ('{"id": "x-2", "id": "x-3"}', "not valid JSON (key 'id' given twice)"),
    ('{"id": NaN}', "not valid JSON (NaN is not a number)"),
    (_case(id=None), "id: missing required key"),
    (_case(id=5), "id: expected a non-empty string, got 5"),
    (_case(id=""), 'id: expected a non-empty string, got ""'),
    (json.dumps({**BASE}), "id: duplicate 'x-1' (first on line 3)"),
    (_case(questoin="Total?"), "questoin: unknown key (did you mean 'question'?)"),
    (
        _case(tab="reciepts"),
        "tab: unknown tab 'reciepts' (known: gauges, homework, receipts, screenshots)",
    ),
    (
        _case(preset="Extract fields"),
        "preset: receipts has no preset 'Extract fields' (did you mean 'Extract all fields'?)",
    ),
    (
        _case(preset="Zzz"),
        "preset: receipts has no preset 'Zzz' (known: 'Extract all fields', 'Verify totals')",
    ),
    (_case(level="L4"), "level: expected one of L1, L2, L3, got 'L4'"),
    (_case(level=1), "level: expected a non-empty string, got 1"),
    (_case(image=None), "image: missing required key"),
    (_case(image="receipts/r999.jpg"), "image: file not found: receipts/r999.jpg"),
    (_case(image="receipts"), "image: file not found: receipts"),
    (
        _case(image="/etc/hosts"),
        "image: must be relative to the golden set's folder, got '/etc/hosts'",
    ),
    (
        _case(image="C:\\data\\r.jpg"),
        "image: must be relative to the golden set's folder, got 'C:\\\\data\\\\r.jpg'",
    ),
    (
        _case(image="receipts/../../r.jpg"),
        "image: must stay inside the golden set's folder, got 'receipts/../../r.jpg'",
    ),
    (
        _case(image="gauges/manual.pdf#page=0"),
        "image: expected '#page=N' with N from 1, got '#page=0'",
    ),
    (_case(image="gauges/manual.pdf#p2"), "image: expected '#page=N' with N from 1, got '#p2'"),
    (_case(image="gauges/g004.png#page=1"), "image: '#page=' is for a PDF, not 'gauges/g004.png'"),
    (_case(preset=None), "needs a preset or a question (or turns)"),
    (_case(question=""), 'question: expected a non-empty string, got ""'),
    (_case(expect=None), "expect: missing required key"),
    (_case(expect="22.23"), "expect: expected an object, got a string"),
    (
        _case(expect={"text": "a", "regex": "a"}),
        "expect: needs exactly one of text, regex, number, interval, json, verdict;"
        " got text and regex",
    ),
    (_case(expect={"text": "a", "case": True}), "expect.case: unknown key"),
    (_case(expect={"text": ""}), 'expect.text: expected a non-empty string, got ""'),
    (
        _case(expect={"text": "a", "match": "fuzzy"}),
        "expect.match: expected 'exact' or 'contains', got \"fuzzy\"",
    ),
    (
        _case(expect={"regex": "(blue"}),
        "expect.regex: not a valid regular expression"
        " (missing ), unterminated subpattern at position 0)",
    ),
    (_case(expect={"number": "6.4"}), 'expect.number: expected a number, got "6.4"'),
    (_case(expect={"number": True}), "expect.number: expected a number, got true"),
    (
        _case(expect={"number": 6.4, "tolerance": -1}),
        "expect.tolerance: must be at least 0, got -1",
    ),
    (
        _case(expect={"interval": [1, 2], "tolerance": 1}),
        "expect.tolerance: does not apply to interval expectations",
    ),
    (_case(expect={"number": 1, "unit": ""}), 'expect.unit: expected a non-empty string, got ""'),
    (
        _case(expect={"interval": [6.6, 6.2]}),
        "expect.interval: low 6.6 is above high 6.2",
    ),
    (
        _case(expect={"interval": [6.2]}),
        "expect.interval: expected [low, high], two numbers, got [6.2]",
    ),
    (_case(expect={"json": []}), "expect.json: expected a non-empty object, got []"),
    (
        _case(expect={"verdict": "right"}),
        "expect.verdict: expected 'correct' or 'incorrect', got \"right\"",
    ),
    (_case(expect=None, turns=[]), "turns: expected a non-empty array, got []"),
    (
        _case(turns=[{"question": "Total?", "expect": {"text": "a"}}]),
        "expect: goes inside turns when turns is given",
    ),
    (
        _case(expect=None, turns=[{"expect": {"text": "a"}}, {"expect": {"text": "b"}}]),
        "turns[1].question: missing required key",
    ),
    (
        _case(expect=None, question="Q?", turns=[{"expect": {"text": "a"}}]),
        "question: goes inside turns when turns is given",
    ),
    (
        _case(expect=None, turns=[{"question": "Q?", "answer": "a", "expect": {"text": "a"}}]),
        "turns[0].answer: unknown key",
    ),
    (_case(expect=None, turns=[{"question": "Q?"}]), "turns[0].expect: missing required key"),
    (_case(expect=None, turns=["Q?"]), "turns[0]: expected an object, got a string"),
]


@pytest.mark.parametrize(("line", "problem"), MALFORMED, ids=[p[:50] for _, p in MALFORMED])
def test_a_malformed_line_is_named_with_its_line_number(
    folder: Path, line: str, problem: str
) -> None:
    assert _problems(folder, [*HEADER, line], presets=PRESETS) == [f"cases.jsonl line 4: {problem}"]


def test_broken_json_names_the_column(folder: Path) -> None:
    problems = _problems(folder, [*HEADER, '{"id": "x-2",'], tabs=TABS)
    assert problems == [
        "cases.jsonl line 4: not valid JSON"
        " (Expecting property name enclosed in double quotes, column 14)"
    ]


def test_every_problem_on_every_line_is_listed(folder: Path) -> None:
    lines = [
        json.dumps({"id": 7, "image": "nope.png", "tab": "x", "level": "L9", "expect": {}}),
        json.dumps(BASE),
        "not json",
        json.dumps(BASE),
    ]
    assert _problems(folder, lines, tabs=TABS) == [
        "cases.jsonl line 1: id: expected a non-empty string, got 7",
        "cases.jsonl line 1: image: file not found: nope.png",
        "cases.jsonl line 1: tab: unknown tab 'x' (known: gauges, homework, receipts, screenshots)",
        "cases.jsonl line 1: level: expected one of L1, L2, L3, got 'L9'",
        "cases.jsonl line 1: needs a preset or a question (or turns)",
        "cases.jsonl line 1: expect: needs exactly one of text, regex, number, interval, json,"
        " verdict; got none",
        "cases.jsonl line 3: not valid JSON (Expecting value, column 1)",
        "cases.jsonl line 4: id: duplicate 'x-1' (first on line 2)",
    ]


def test_a_misspelt_kind_is_named_too(folder: Path) -> None:
    assert _problems(folder, [_case(expect={"txt": "a"})], tabs=TABS) == [
        "cases.jsonl line 1: expect.txt: unknown key (did you mean 'text'?)",
        "cases.jsonl line 1: expect: needs exactly one of text, regex, number, interval, json,"
        " verdict; got none",
    ]


def test_an_image_linked_from_outside_is_refused(folder: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.jpg"
    outside.write_bytes(b"x")
    (folder / "link.jpg").symlink_to(outside)
    assert _problems(folder, [_case(image="link.jpg")], tabs=TABS) == [
        "cases.jsonl line 1: image: 'link.jpg' leads outside the golden set's folder"
    ]


def test_presets_that_did_not_load_cannot_check_a_case(folder: Path) -> None:
    broken = {**PRESETS, "receipts": PresetError(Path("receipts.toml"), "", "file not found")}
    assert _problems(folder, [json.dumps(BASE)], presets=broken) == [
        "cases.jsonl line 1: preset: cannot be checked, the receipts presets did not load"
        " (receipts.toml: file not found)"
    ]


def test_a_set_without_cases_or_file_is_an_error(folder: Path) -> None:
    assert _problems(folder, ["# only a comment", ""], tabs=TABS) == ["cases.jsonl: no cases"]
    (folder / "cases.jsonl").unlink()
    with pytest.raises(GoldenSetError, match=r"cases\.jsonl: file not found"):
        load_cases(folder, tabs=TABS)
