"""The record of one answer (result.json, `ask --json`): its keys and values, exactly."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from PIL import Image

from tests.helpers import ScriptedSession
from workbench.answers.boxes import Region
from workbench.answers.checks import CheckContext, CheckResult
from workbench.answers.checks.wording import note
from workbench.choices import preset_params
from workbench.engines.base import GenerationParams
from workbench.evidence.match import Evidence, EvidenceReport
from workbench.pipeline import Answer, Finished, Question, ask, make_question
from workbench.prompts.presets import load_all
from workbench.record import boxes_json, checks_json, result_record
from workbench.session import Status

GAUGE = load_all()["gauges"].get("Read the value")
STATUS = Status(
    "ready", "tiny", device="cpu", dtype="bfloat16", random_weights=True, engine="transformers"
)
NOON = datetime(2025, 1, 31, 12, 0, 0, tzinfo=UTC)
READING = {
    "value": 6.4,
    "unit": "bar",
    "scale_min": 0,
    "scale_max": 10,
    "confidence": 0.9,
    "bbox_2d": [500, 250, 750, 500],
}
# What tabs/domain/results.py::_details put in result.json before the record: all of it stays.
DETAILS_KEYS = {
    "model",
    "random_weights",
    "device",
    "preset",
    "language",
    "parameters",
    "image_size",
    "region",
    "answer",
    "parsed",
    "validation",
    "checks",
    "boxes",
    "repairs",
    "turns",
}


def _answer(question: Question, *texts: str) -> Answer:
    *_, finished = ask(ScriptedSession(*texts), question)
    assert isinstance(finished, Finished)
    return finished.answer


def _record(answer: Answer, question: Question, **changes: Any) -> dict[str, Any]:
    options = {
        "status": STATUS,
        "tab": "gauges",
        "image_name": "dial.jpg",
        "image_sha256": "ab" * 32,
        "asked_at": NOON,
        **changes,
    }
    return result_record(answer, question, **options)


def _gauge_question(**options: Any) -> Question:
    return make_question(
        Image.new("RGB", (800, 600), "white"),
        "Read the gauge.",
        preset_params(GAUGE),
        preset=GAUGE,
        **options,
    )


def _turn(generated: int) -> dict[str, Any]:
    return {
        "tokens": {"prompt": 0, "visual": 0, "generated": generated},
        "timings": {"time_to_first_token_s": None, "total_s": 0.0, "tokens_per_second": None},
        "finish_reason": "stop",
        "constrained": False,
    }


def test_a_preset_answer_with_region_and_alarm_records_everything():
    question = _gauge_question(
        role="You are a plant operator.",
        language="zh",
        region=Region(100, 200, 500, 400),
        region_mode="crop",
        check_context=CheckContext(threshold=5.0, threshold_direction="above"),
    )
    text = json.dumps(READING)
    record = _record(_answer(question, text), question)

    confidence = record.pop("confidence")  # its own tests: tests/test_confidence.py
    assert record.pop("answer_json") == READING  # no threshold: every value handed on
    assert [value["level"] for value in confidence["values"]] == ["check"] * 6
    assert record == {
        "asked_at": "2025-01-31T12:00:00Z",
        "model": "tiny",
        "random_weights": True,
        "device": "cpu",
        "dtype": "bfloat16",
        "engine": "transformers",
        "tab": "gauges",
        "preset": "Read the value",
        "language": "zh",
        "role": "You are a plant operator.",
        "question": "Read the gauge.",
        "parameters": {
            "temperature": 0.1,
            "top_p": 0.8,
            "max_new_tokens": 256,
            "visual_tokens": [256, 768],
            "strict": False,
            "repair_turns": 1,
            "alarm": {"threshold": 5.0, "direction": "above"},
        },
        "image_name": "dial.jpg",
        "image_sha256": "ab" * 32,
        "image_size": [800, 600],
        "region": {"box": [100, 200, 500, 400], "mode": "crop"},
        "pages": None,
        "enhanced": [],
        "history_left_out": 0,
        "answer": text,
        "parsed": READING,
        "validation": {"valid": True, "extraction_error": "", "errors": []},
        "checks": [
            {
                "name": "value_in_scale",
                "ok": True,
                "detail": "6.4 bar is within the scale 0 to 10 bar",
            },
            {
                "name": "threshold_alarm",
                "ok": False,
                "detail": "ALARM: 6.4 bar is above the threshold 5.0 bar",
            },
        ],
        # 0–1000 of the 400×200 crop, then the crop's offset
        "boxes": [{"label": "6.4 bar", "box": [300, 250, 400, 300]}],
        "evidence": None,
        "repairs": [],
        "turns": [_turn(len(text))],
    }
    assert set(record) >= DETAILS_KEYS


def test_a_repaired_answer_records_both_turns_and_the_errors_it_had():
    question = _gauge_question(repair_turns=1)
    broken = json.dumps({**READING, "value": "six"})
    fixed = json.dumps(READING)
    record = _record(_answer(question, broken, fixed), question)

    assert record["validation"] == {"valid": True, "extraction_error": "", "errors": []}
    assert record["repairs"] == ["repair fixed: $.value: 'six' is not of type 'number'"]
    assert record["turns"] == [_turn(len(broken)), _turn(len(fixed))]
    assert record["parameters"]["alarm"] is None


@pytest.mark.parametrize(
    ("texts", "validation"),
    [
        (
            [json.dumps({**READING, "value": "six"})],
            {
                "valid": False,
                "extraction_error": "",
                "errors": [{"at": "$.value", "message": "'six' is not of type 'number'"}],
            },
        ),
        (
            ["no JSON here"],
            {
                "valid": False,
                "extraction_error": "no JSON object or array in the answer",
                "errors": [],
            },
        ),
    ],
    ids=["schema-error", "no-json"],
)
def test_an_invalid_answer_says_why(texts: list[str], validation: dict[str, Any]):
    question = _gauge_question(repair_turns=0)
    record = _record(_answer(question, *texts), question)
    assert record["validation"] == validation
    assert record["repairs"] == []


def test_a_free_question_has_no_preset_tab_parse_or_checks():
    question = make_question(Image.new("RGB", (64, 48)), "What is it?", GenerationParams())
    record = _record(_answer(question, "A red square."), question, tab=None)

    picked = {key: record[key] for key in ("tab", "preset", "role", "language", "region")}
    assert picked == {"tab": None, "preset": None, "role": "", "language": "en", "region": None}
    assert (record["answer"], record["parsed"], record["checks"], record["boxes"]) == (
        "A red square.",
        None,
        [],
        [],
    )
    assert record["validation"] == {"valid": False, "extraction_error": "", "errors": []}
    assert record["parameters"] == {
        "temperature": 0.7,
        "top_p": 0.8,
        "max_new_tokens": 1024,
        "visual_tokens": None,
        "strict": False,
        "repair_turns": 1,
        "alarm": None,
    }


def test_left_out_history_is_recorded():
    question = make_question(Image.new("RGB", (64, 48)), "And now?", GenerationParams())
    answer = _answer(question, "Still red.")
    answer.left_out = 3
    assert _record(answer, question)["history_left_out"] == 3


@pytest.mark.parametrize(
    ("asked_at", "expected"),
    [
        (datetime(2025, 1, 31, 12, 0, 0, 999_999, tzinfo=UTC), "2025-01-31T12:00:00Z"),
        (datetime(2025, 1, 31, 20, 0, tzinfo=timezone(timedelta(hours=8))), "2025-01-31T12:00:00Z"),
        (datetime(2025, 1, 31, 12, 0), "2025-01-31T12:00:00Z"),  # naive: taken as UTC
    ],
    ids=["utc", "beijing", "naive"],
)
def test_asked_at_is_iso_8601_in_utc(asked_at: datetime, expected: str):
    question = make_question(Image.new("RGB", (8, 8)), "Q", GenerationParams())
    assert _record(_answer(question, "A"), question, asked_at=asked_at)["asked_at"] == expected


def test_asked_at_defaults_to_now():
    question = make_question(Image.new("RGB", (8, 8)), "Q", GenerationParams())
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = result_record(
        _answer(question, "A"), question, status=STATUS, tab=None, image_name="", image_sha256=""
    )["asked_at"]
    assert stamp.endswith("Z")
    assert before <= datetime.fromisoformat(stamp) <= datetime.now(UTC)


def test_the_record_is_json_with_no_path_key_anywhere():
    question = _gauge_question(
        region=Region(0, 0, 400, 300), region_mode="highlight", repair_turns=0
    )
    record = _record(_answer(question, json.dumps({**READING, "value": "six"})), question)
    assert json.loads(json.dumps(record)) == record

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {key for item in value.values() for key in keys(item)}
        if isinstance(value, list):
            return {key for item in value for key in keys(item)}
        return set()

    assert record["validation"]["errors"]  # a schema error is there, under "at"
    assert "path" not in keys(record)


def test_pages_enhancement_and_evidence_are_recorded_with_no_path_key():
    # As an intake of a PDF's pages 2 and 3, brightened, would make it.
    question = replace(_gauge_question(), page_numbers=(2, 3), enhanced=({"step": "brightened"},))
    answer = _answer(question, json.dumps(READING))
    answer.evidence = EvidenceReport(
        (Evidence("$.value", 6.4, True, (10, 20, 30, 40)), Evidence("$.unit", "bar", False))
    )
    record = _record(answer, question)

    assert record["pages"] == [2, 3]
    assert record["enhanced"] == [{"step": "brightened"}]
    # gradio_client would take a dict with a "path" for a file: the JSON path is "at".
    assert record["evidence"] == {
        "values": [
            {"at": "$.value", "value": 6.4, "found": True, "box": [10, 20, 30, 40],
             "model_box_off": False},
            {"at": "$.unit", "value": "bar", "found": False, "box": None, "model_box_off": False},
        ],
        "found": 1,
        "total": 2,
    }  # fmt: skip


def test_checks_and_boxes_as_records_keep_them():
    within = note("gauge.within", value="6.4", unit=" bar", low="0", high="10")
    checks = [CheckResult("value_in_scale", True, within)]
    assert json.dumps(checks_json(checks), ensure_ascii=False) == (
        '[{"name": "value_in_scale", "ok": true, '
        '"detail": "6.4 bar is within the scale 0 to 10 bar"}]'
    )
    boxes = boxes_json([("6.4", (1, 2, 3, 4))])
    assert json.dumps(boxes) == '[{"label": "6.4", "box": [1, 2, 3, 4]}]'
    assert checks_json([]) == boxes_json([]) == []
