"""The ask pipeline: regions, repair turns, checks and boxes; strict decoding on the tiny model."""

from __future__ import annotations

import json
import threading

import pytest
from PIL import Image

from tests.helpers import ScriptedSession
from workbench.answers.boxes import Region
from workbench.answers.checks import CheckContext
from workbench.answers.extract import extract_json
from workbench.engines.base import GenerationParams
from workbench.engines.strict import strict_support
from workbench.pipeline import (
    Delta,
    Finished,
    Question,
    RepairStarted,
    ask,
    make_question,
    preset_question,
)
from workbench.prompts.presets import load_all
from workbench.prompts.turns import build_messages, model_view, system_prompt

GAUGE_SCHEMA = load_all()["gauges"].get("Read the value").schema
VALID_GAUGE = {
    "value": 6.4,
    "unit": "bar",
    "scale_min": 0,
    "scale_max": 10,
    "confidence": 0.9,
    "bbox_2d": [500, 250, 750, 500],
}


def _question(**changes) -> Question:
    base = {
        "image": Image.new("RGB", (800, 600), "white"),
        "question": "Read the gauge.",
        "params": GenerationParams(max_new_tokens=64),
        "schema": GAUGE_SCHEMA,
        "checks": ("gauge",),
    }
    return Question(**{**base, **changes})


def _run(session, question: Question) -> tuple[list, object]:
    events = list(ask(session, question))
    assert isinstance(events[-1], Finished)
    return events, events[-1].answer


def test_a_valid_answer_needs_no_repair_and_maps_boxes():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    events, answer = _run(session, _question())
    assert answer.valid
    assert not any(isinstance(event, RepairStarted) for event in events)
    assert "".join(e.text for e in events if isinstance(e, Delta)) == answer.text
    assert answer.boxes == [("6.4 bar", (400, 150, 600, 300))]
    assert [check.name for check in answer.checks] == ["value_in_scale"]
    assert all(check.ok for check in answer.checks)


def test_boxes_map_back_through_the_crop():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    region = Region(100, 200, 500, 400)
    _, answer = _run(session, _question(region=region, region_mode="crop"))
    sent_image = session.sent[0][-1]["content"][0]["image"]
    assert sent_image.size == (400, 200)
    assert answer.view.crop == region
    # 0–1000 of the 400×200 crop, then the crop's offset
    assert answer.boxes == [("6.4 bar", (300, 250, 400, 300))]


def test_highlight_shows_the_full_image_with_the_region_outlined():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    region = Region(100, 200, 500, 400)
    _, answer = _run(session, _question(region=region, region_mode="highlight"))
    sent_image = session.sent[0][-1]["content"][0]["image"]
    assert sent_image.size == (800, 600)
    assert sent_image.getpixel((100, 300)) == (220, 38, 38)
    assert answer.view.crop is None
    assert session.sent[0][-1]["content"][1]["text"].endswith("outlined in red.")


def test_an_invalid_answer_gets_a_repair_turn_that_shows_the_errors():
    broken = {**VALID_GAUGE, "value": "six"}
    session = ScriptedSession(json.dumps(broken), json.dumps(VALID_GAUGE))
    events, answer = _run(session, _question(repair_turns=1))
    repairs = [event for event in events if isinstance(event, RepairStarted)]
    assert len(repairs) == 1
    assert "$.value" in repairs[0].request
    assert answer.valid
    assert len(answer.turns) == 2
    assert answer.repairs == ["repair fixed: $.value: 'six' is not of type 'number'"]
    # The repair turn carries the first answer in its history.
    assert session.sent[1][-2] == {"role": "assistant", "content": json.dumps(broken)}


@pytest.mark.parametrize(("turns", "asked"), [(0, 1), (1, 2), (2, 3)])
def test_repair_turns_are_bounded(turns, asked):
    session = ScriptedSession(*["not json at all"] * 3)
    _, answer = _run(session, _question(repair_turns=turns))
    assert len(session.sent) == asked
    assert not answer.valid
    assert answer.extraction.error
    assert len(answer.repairs) == turns


def test_free_text_answers_are_not_parsed():
    session = ScriptedSession("The needle points at about six bar.")
    _, answer = _run(session, _question(schema=None, checks=()))
    assert answer.extraction is None
    assert answer.errors == [] and answer.checks == [] and answer.boxes == []


def test_strict_passes_the_schema_to_the_engine():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    _run(session, _question(strict=True))
    assert session.params.json_schema == GAUGE_SCHEMA


@pytest.mark.parametrize(
    ("role", "instructions", "expected"),
    [
        ("You are a QA engineer.", "Find defects.", "You are a QA engineer.\n\nFind defects."),
        ("", "Find defects.", "Find defects."),
        ("  You are a QA engineer. ", "", "You are a QA engineer."),
        ("", "", ""),
    ],
)
def test_the_role_goes_ahead_of_the_instructions(role, instructions, expected):
    assert system_prompt(role, instructions) == expected


def test_messages_carry_the_image_on_the_first_turn_only():
    image = Image.new("RGB", (64, 64))
    messages = build_messages("Be exact.", image, [("What is it?", "A gauge.")], "Its value?")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"][0] == {"type": "image", "image": image}
    assert all(part["type"] == "text" for part in messages[3]["content"])


def test_a_documents_pages_ride_together_in_order_on_the_first_turn():
    pages = [Image.new("RGB", (64, 64), colour) for colour in ("red", "green", "blue")]
    messages = build_messages("", pages, [("Totals?", "12.")], "And the tax?")
    first = messages[0]["content"]
    assert [part["type"] for part in first] == ["image", "image", "image", "text"]
    assert [part["image"] for part in first[:3]] == pages
    assert all(part["type"] == "text" for part in messages[2]["content"])


def test_empty_question_and_bad_mode_are_refused():
    image = Image.new("RGB", (64, 64))
    with pytest.raises(ValueError, match="question is empty"):
        build_messages("", image, [], "   ")
    with pytest.raises(ValueError, match="region mode"):
        model_view(image, None, "zoom")


STRUCTURED = [
    (tab, preset)
    for tab, presets in load_all().items()
    for preset in presets.presets
    if preset.structured
]


@pytest.mark.skipif(
    not strict_support("transformers").available, reason=strict_support("transformers").reason
)
@pytest.mark.parametrize(
    ("tab", "preset"), STRUCTURED, ids=[f"{tab}:{preset.name}" for tab, preset in STRUCTURED]
)
def test_strict_decoding_on_tiny_yields_valid_json_for_every_structured_preset(
    tiny_session, tab, preset
):
    import torch

    torch.manual_seed(0)
    question = preset_question(preset, Image.new("RGB", (320, 320), "white"), strict=True)
    *_, finished = ask(tiny_session, question)
    answer = finished.answer
    stats = answer.stats[0]
    assert stats.generated_tokens <= preset.generation.max_new_tokens
    assert stats.finish_reason == "stop", "the grammar must let the answer end"
    assert answer.extraction.ok, answer.extraction.error
    assert answer.errors == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "does not match the required schema"), ("zh", "不符合要求的结构")],
)
def test_the_repair_request_speaks_the_chosen_language(language, expected):
    session = ScriptedSession("not json", json.dumps(VALID_GAUGE))
    events, _ = _run(session, _question(repair_turns=1, language=language))
    (repair,) = [event for event in events if isinstance(event, RepairStarted)]
    assert expected in repair.request
    assert extract_json("not json").problem.line(language) in repair.request


@pytest.mark.parametrize(
    ("language", "direction", "note"),
    [
        ("en", "above", "The alarm threshold is 6.5 (in the unit of the dial): the alarm goes off "
         "when the reading is above it."),
        ("zh", "below", "报警阈值为 6.5（与表盘单位相同）：读数低于阈值时报警。"),
    ],
)  # fmt: skip
def test_the_model_is_told_the_threshold_the_check_uses(language, direction, note):
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    context = CheckContext(threshold=6.5, threshold_direction=direction)
    _, answer = _run(session, _question(check_context=context, language=language))
    assert session.sent[0][-1]["content"][1]["text"] == f"Read the gauge.\n{note}"
    (alarm,) = [check for check in answer.checks if check.name == "threshold_alarm"]
    assert "6.5" in alarm.detail


def test_without_a_threshold_the_model_is_told_none_and_no_alarm_is_checked():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    _, answer = _run(session, _question())
    assert session.sent[0][-1]["content"][1]["text"] == "Read the gauge."
    assert "threshold_alarm" not in [check.name for check in answer.checks]


def test_a_free_text_follow_up_keeps_the_prompt_but_not_the_schema():
    preset = load_all()["gauges"].get("Read the value")
    params = GenerationParams(max_new_tokens=8)
    image = Image.new("RGB", (64, 64))
    follow_up = make_question(image, "Why?", params, preset=preset, structured=False)
    assert (follow_up.schema, follow_up.checks) == (None, ())
    assert follow_up.system == make_question(image, "Why?", params, preset=preset).system
    assert follow_up.preset == preset.name


def _printed_gauge() -> Image.Image:
    """Return a white picture with the gauge's reading printed on it, large."""
    from PIL import ImageDraw, ImageFont

    image = Image.new("RGB", (800, 600), "white")
    font = ImageFont.load_default(size=72)
    ImageDraw.Draw(image).text((100, 100), "6.4 bar", fill="black", font=font)
    return image


def test_evidence_looks_for_each_value_on_the_image_while_the_answer_streams():
    session = ScriptedSession(json.dumps({**VALID_GAUGE, "value": 6.4, "scale_max": 999}))
    _, answer = _run(session, _question(image=_printed_gauge(), evidence=True))
    seen = {e.path: e.found for e in answer.evidence.values}
    assert seen["$.value"] and seen["$.unit"]
    assert not seen["$.scale_max"]  # 999 is printed nowhere
    _, without = _run(ScriptedSession(json.dumps(VALID_GAUGE)), _question())
    assert without.evidence is None


def test_a_stopped_answer_does_not_wait_for_the_evidence():
    session = ScriptedSession(json.dumps(VALID_GAUGE))
    stop = threading.Event()
    stop.set()
    events = list(ask(session, _question(image=_printed_gauge(), evidence=True), stop))
    answer = events[-1].answer
    assert answer.stats[-1].stopped and answer.evidence is None
