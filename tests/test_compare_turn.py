"""The model's turn on a pair of screenshots: both images sent, changes listed by number, the
answer schema-checked and its change numbers checked. The tiny model is run for shape only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PIL import Image

from tests.helpers import ScriptedSession
from workbench.compare import Change, Comparison
from workbench.compare.drawn import Screen, draw_screen
from workbench.compare.turn import (
    CHECK,
    change_numbers,
    changes_listed,
    defects_from,
    defects_preset,
    defects_question,
    defects_record,
    judge,
)
from workbench.engines.base import GenerationParams
from workbench.pipeline import Answer, Finished
from workbench.session import Status

CHANGES = (
    Change(1, "text", (10, 10, 90, 30), (10, 10, 120, 30), "Coffee beans", "Green tea"),
    Change(2, "removed", (10, 200, 300, 260), None, "Bakery", "", "row removed"),
    Change(3, "added", None, (10, 300, 100, 340), "", "New", ""),
)
COMPARISON = Comparison(before_size=(360, 800), after_size=(360, 800), scale=1.0, changes=CHANGES)


def _pair() -> tuple[Image.Image, Image.Image]:
    before, _ = draw_screen(Screen(), dpr=1)
    after, _ = draw_screen(Screen(title="Purchases"), dpr=1)
    return before, after


def _verdicts(*numbers: Any) -> dict[str, Any]:
    return {
        "defects": [
            {"change": number, "defect": True, "severity": "high", "why": "cut"}
            for number in numbers
        ]
    }


@pytest.mark.parametrize(
    ("value", "ok", "en"),
    [
        (_verdicts(1, 2, 3), True, "3 of the 3 changes judged, each once"),
        (_verdicts(2), True, "1 of the 3 changes judged, each once"),
        (_verdicts(1, 7, 9), False, "change 7, 9 is not listed (the changes are numbered 1 to 3)"),
        (_verdicts(1, 1), False, "change 1 is judged more than once"),
    ],
)
def test_the_change_numbers_check(value: Any, ok: bool, en: str) -> None:
    [result] = change_numbers(value, [1, 2, 3])
    assert (result.name, result.ok, result.text("en")) == (CHECK, ok, en)
    assert result.text("zh") and result.text("zh") != en


@pytest.mark.parametrize(
    "value",
    [None, [], {"defects": "none"}, {"defects": []}, {"defects": [{"change": "1"}]}, {"x": 1}],
)
def test_nothing_to_check_says_nothing(value: Any) -> None:
    assert change_numbers(value, [1, 2]) == []


def test_the_changes_are_listed_by_number_in_either_language() -> None:
    listed = changes_listed(CHANGES).splitlines()
    assert listed[1:] == [
        "1. text: 'Coffee beans' → 'Green tea'",
        "2. removed: 'Bakery' → none (row removed)",
        "3. added: none → 'New'",
    ]
    zh = changes_listed(CHANGES, "zh").splitlines()
    assert zh[2] == "2. removed: 'Bakery' → 无 (row removed)"


def test_the_preset_loads_with_its_schema() -> None:
    preset = defects_preset()
    assert preset.schema is not None and preset.schema["required"] == ["defects"]
    assert preset.zh.question


def test_a_scripted_answer_is_checked_and_its_boxes_are_on_after() -> None:
    before, after = _pair()
    after = after.resize((720, 1600))  # a retina capture: boxes map onto its own pixels
    value = _verdicts(1, 7)
    value["defects"][0]["bbox_2d"] = [0, 0, 500, 500]
    session = ScriptedSession(json.dumps(value), json.dumps(_verdicts(1)))
    question = defects_question(before, after, COMPARISON, repair_turns=0)
    events = list(judge(session, question, COMPARISON))
    answer = events[-1].answer
    assert isinstance(events[-1], Finished) and answer.valid
    assert [(check.name, check.ok) for check in answer.checks] == [(CHECK, False)]
    assert answer.boxes == [("#1", (0, 0, 360, 800))]
    assert [row["change"] for row in defects_from(answer, COMPARISON)] == [1]


def test_both_images_go_in_one_turn_boxed(tiny_session) -> None:
    """Shape only: the turn runs on the tiny model and comes back as a record."""
    before, after = _pair()
    spy = _Spy(tiny_session)
    params = GenerationParams(temperature=1.0, top_p=1.0, max_new_tokens=16)
    question = defects_question(before, after, COMPARISON, params=params, repair_turns=0)
    events = list(judge(spy, question, COMPARISON))
    assert isinstance(events[-1], Finished)
    answer: Answer = events[-1].answer
    [messages] = spy.sent
    user = next(message for message in messages if message["role"] == "user")
    images = [part["image"] for part in user["content"] if part["type"] == "image"]
    assert [image.size for image in images] == [before.size, after.size]
    assert images[0].tobytes() != before.tobytes()  # the changes are drawn on it
    text = next(part["text"] for part in user["content"] if part["type"] == "text")
    assert "1. text:" in text and "3. added:" in text
    record = defects_record(
        answer, question, COMPARISON, status=Status("ready", "tiny"), names=("a.png", "b.png")
    )
    assert set(record["validation"]) == {"valid", "extraction_error", "errors"}
    assert record["image_name"] == "a.png" and record["after_name"] == "b.png"
    assert record["after_size"] == list(after.size)
    assert len(record["comparison"]["changes"]) == 3
    assert isinstance(record["defects"], list)
    json.dumps(record)  # JSON-ready


class _Spy:
    """The tiny session, keeping what it was sent."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.sent: list[list[dict]] = []

    @property
    def context_tokens(self) -> int:
        return self.inner.context_tokens

    def get(self):
        return self.inner.get()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream(self, messages, params):
        self.sent.append(messages)
        return self.inner.stream(messages, params)
