"""A confidence for every value: the signals, their mix, abstaining, and the measure on eval.

The mechanics run on a scripted engine that writes known values (some wrong) at known token
probabilities; the tiny model and a streamed OpenAI-style reply show that real engines hand
their tokens' log-probabilities through, aligned to the text (shape only: its words are noise).
"""

from __future__ import annotations

import json
import math
from concurrent.futures import Future
from pathlib import Path

import httpx
import openai
import pytest
from PIL import Image

from tests.helpers import ProbableSession, spoken
from workbench.answers.checks import CheckResult
from workbench.answers.checks.wording import note
from workbench.answers.confidence import (
    LEVELS,
    WEIGHTS,
    box_levels,
    combine,
    confidence_report,
    level_of,
    lowest_level,
)
from workbench.answers.drawing import LEVEL_COLOURS, draw_boxes
from workbench.answers.spans import token_offsets, value_spans
from workbench.engines.base import GenerationParams, LoadedInfo
from workbench.engines.openai import LLAMACPP, OpenAIEngine
from workbench.eval.calibration import at_or_above, auroc, by_level
from workbench.eval.expectations import Expectation
from workbench.eval.golden import Case, Turn
from workbench.eval.run import run_set
from workbench.evidence.ocr import OcrLine
from workbench.pipeline import Finished, ask, make_question
from workbench.prompts.presets import PresetError, load_presets
from workbench.record import result_record
from workbench.settings import Settings, add_arguments, from_environment

PICTURE = Image.new("RGB", (200, 100), "white")

# --- the pure parts, tabled --------------------------------------------------------------


@pytest.mark.parametrize(
    ("signals", "score"),
    [
        ({"tokens": 0.9, "ocr": None, "agreement": None, "checks": None}, 0.9),
        ({"tokens": 0.9, "ocr": 1.0, "agreement": None, "checks": None}, 0.9429),  # 0.66/0.7
        ({"tokens": 0.9, "ocr": 1.0, "agreement": None, "checks": 0.0}, 0.7333),  # 0.66/0.9
        ({"tokens": 0.3, "ocr": 0.0, "agreement": None, "checks": 0.0}, 0.1333),
        ({"tokens": 1.0, "ocr": 1.0, "agreement": 0.5, "checks": 1.0}, 0.875),  # 1.05/1.2
        ({"tokens": None, "ocr": None, "agreement": None, "checks": None}, 0.5),
        ({"tokens": None, "ocr": None, "agreement": None, "checks": 1.0}, 0.5),  # only lowers
        ({"tokens": None, "ocr": None, "agreement": None, "checks": 0.0}, 0.0),
    ],
)
def test_signals_mix_as_a_weighted_mean_of_those_measured(signals, score):
    assert combine(signals) == score


@pytest.mark.parametrize(
    ("score", "level"),
    [(1.0, "high"), (0.8, "high"), (0.79, "check"), (0.5, "check"), (0.0, "low")],
)
def test_levels_are_bounded_by_the_table(score, level):
    assert level_of(score) == level


def test_the_table_is_data_in_order():
    assert [name for name, _ in LEVELS] == ["high", "check", "low"]
    assert [bound for _, bound in LEVELS] == sorted((bound for _, bound in LEVELS), reverse=True)
    assert set(WEIGHTS) == {"tokens", "ocr", "agreement", "checks"}
    assert lowest_level(["high", "low", "check"]) == "low" and lowest_level([]) is None


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ('{"a": 12.5}', {"$.a": (6, 10), "$": (0, 11)}),
        ('Sure: {"name": "Tea"}', {"$.name": (16, 19), "$": (6, 21)}),  # quotes left out
        ("```json\n{'n': [1, 2]}\n```", {"$.n[0]": (15, 16), "$.n[1]": (18, 19)}),
    ],
)
def test_value_spans_find_each_value_in_the_text(text, spans):
    found = value_spans(text, json.loads(text.split("\n")[1].replace("'", '"'))
                        if "```" in text else json.loads(text[text.index("{"):]))  # fmt: skip
    assert {path: found[path] for path in spans} == spans


@pytest.mark.parametrize(
    ("text", "pieces", "offsets"),
    [
        ("ab cd", ["ab", " c", "d"], [(0, 2), (2, 4), (4, 5)]),  # joined exactly
        ("日本", ["\ufffd", "日", "本"], [(0, 0), (0, 1), (1, 2)]),  # a piece not in the text
        ('{"x": 1}', ['{"', "Z", '": ', "1}"], [(0, 2), (2, 2), (3, 6), (6, 8)]),
    ],
)
def test_tokens_are_laid_along_the_text(text, pieces, offsets):
    assert token_offsets(text, [(piece, 0.0) for piece in pieces]) == offsets


def _failed(name: str) -> CheckResult:
    return CheckResult(name, False, note("sentences", parts=()))


def test_each_signal_speaks_about_its_values():
    text, tokens = spoken(['{"total": ', ("12.5", 0.3), ', "tax": ', ("1.5", 0.9), "}"])
    report = confidence_report(
        json.loads(text),
        text=text,
        tokens=tokens,
        ocr={"$.total": "not_seen", "$.tax": "off_box"},
        checks=[_failed("total_adds_up")],
        samples=[{"total": 12.5, "tax": 1.2}, None],
        threshold=0.4,
    )
    total, tax = report.values
    assert total.signals == {"tokens": 0.3, "ocr": 0.0, "agreement": 0.5, "checks": 0.0}
    assert tax.signals == {"tokens": 0.9, "ocr": 0.6, "agreement": 0.0, "checks": 0.0}
    assert total.reasons == (
        "tokens 0.30", "not seen on the image", "samples agree 0.50", "total adds up failed"
    )  # fmt: skip
    assert (total.score, total.level, total.abstained) == (0.225, "low", True)  # 0.27 / 1.2
    assert (tax.score, tax.level, tax.abstained) == (0.45, "low", False)  # 0.54 / 1.2
    assert report.handed_on({"total": 12.5, "tax": 1.5}) == {"total": None, "tax": 1.5}


def test_boxes_take_the_worst_level_of_their_object_and_its_colour():
    text, tokens = spoken(
        ['{"items": [{"name": "', ("Tea", 0.2), '", "bbox_2d": [0, 0, 500, 500]}]}']
    )
    parsed = json.loads(text)
    report = confidence_report(parsed, text=text, tokens=tokens)
    assert [each.path for each in report.values] == ["$.items[0].name", "$.items[0].bbox_2d"]
    assert box_levels(report, parsed) == ["low"]
    drawn = draw_boxes(Image.new("RGB", (100, 100), "white"), [("Tea", (10, 10, 90, 90))], ["low"])
    assert drawn.getpixel((50, 10)) == LEVEL_COLOURS["low"]


# --- through the pipeline: the record, abstaining, agreement -----------------------------

SCHEMA_PRESET = """
[[presets]]
name = "Extract"
system = "Read the receipt."
question = "Extract the fields as JSON."
schema = "any.schema.json"
checks = ["receipt"]
{extra}
[presets.zh]
system = "读取收据。"
question = "以 JSON 提取字段。"
"""


def _preset_file(folder: Path, extra: str = ""):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "any.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    path = folder / "receipts.toml"
    path.write_text(SCHEMA_PRESET.format(extra=extra), encoding="utf-8")
    return load_presets(path)


@pytest.mark.parametrize(
    ("extra", "problem"),
    [("abstain_below = 1.5", "abstain_below"), ("agreement = 9", "agreement")],
)
def test_presets_refuse_a_threshold_or_agreement_out_of_range(tmp_path, extra, problem):
    with pytest.raises(PresetError, match=problem):
        _preset_file(tmp_path, extra)


def test_the_settings_take_the_flags_and_refuse_bad_values():
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--abstain-below", "0.6", "--agreement", "2"])
    settings = from_environment(args, environ={})
    assert (settings.abstain_below, settings.agreement) == (0.6, 2)
    assert from_environment(None, {"WORKBENCH_ABSTAIN_BELOW": "0.3"}).abstain_below == 0.3
    with pytest.raises(ValueError, match="abstain below must be 0 to 1"):
        Settings(abstain_below=2.0)


RIGHT = ['{"merchant": "', ("Cafe", 0.95), '", "subtotal": ', ("10.0", 0.9), ', "tax": ',
         ("1.5", 0.9), ', "total": ', ("11.5", 0.9), "}"]  # fmt: skip


def _answer(session, preset, **asked):
    question = make_question(PICTURE, "Extract.", GenerationParams(temperature=0.0),
                             preset=preset, repair_turns=0, **asked)  # fmt: skip
    answer = next(e.answer for e in ask(session, question) if isinstance(e, Finished))
    return question, answer


def test_a_value_under_the_threshold_is_handed_on_as_null_with_its_reason(tmp_path):
    preset = _preset_file(tmp_path).presets[0]
    wrong = [*RIGHT[:7], ("12.5", 0.3), "}"]
    question, answer = _answer(ProbableSession(wrong), preset, abstain_below=0.5)
    record = result_record(answer, question, status=ProbableSession().status, tab="receipts",
                           image_name="r.png", image_sha256="0")  # fmt: skip
    assert record["parsed"]["total"] == 12.5  # the model's own JSON, as read
    assert record["answer_json"]["total"] is None and record["answer_json"]["tax"] == 1.5
    total = record["confidence"]["values"][-1]
    assert total["at"] == "$.total" and total["abstained"] and total["level"] == "low"
    assert "total adds up failed" in total["reasons"]
    assert (record["confidence"]["threshold"], record["confidence"]["samples"]) == (0.5, 0)
    assert json.loads(json.dumps(record)) == record  # JSON-ready


def test_the_presets_threshold_applies_unless_asked_otherwise(tmp_path):
    preset = _preset_file(tmp_path, "abstain_below = 0.95").presets[0]
    _, answer = _answer(ProbableSession(RIGHT), preset)
    assert answer.confidence.threshold == 0.95 and answer.handed_on["total"] is None
    _, answer = _answer(ProbableSession(RIGHT), preset, abstain_below=0.0)  # the UI's "off"
    assert answer.confidence.threshold is None and answer.handed_on == answer.extraction.value


def test_agreement_asks_k_warm_samples_and_compares_value_by_value(tmp_path):
    preset = _preset_file(tmp_path).presets[0]
    other = [*RIGHT[:3], ("11.0", 0.9), *RIGHT[4:]]  # a sample reading another subtotal
    session = ProbableSession(RIGHT, RIGHT, other)
    _, answer = _answer(session, preset, agreement=2)
    assert [p.temperature for p in session.params] == [0.0, 0.7, 0.7]
    agreement = {each.path: each.signals["agreement"] for each in answer.confidence.values}
    assert agreement == {"$.merchant": 1.0, "$.subtotal": 0.5, "$.tax": 1.0, "$.total": 1.0}
    assert len(answer.turns) == 1  # samples are no turns of the conversation


# --- the measure: confidence ranks wrong values below right ones on the eval harness -----

TRUTH = {"merchant": "Cafe", "subtotal": 10.0, "tax": 1.5, "total": 11.5}
LINES = tuple(
    OcrLine(text, (0, 20 * row, 100, 20 * row + 15), 0.99)
    for row, text in enumerate(["Cafe", "Subtotal 10.00", "Tax 1.50", "Total 11.50"])
)
# A: the total misread (unsure, not on the image, the sum fails); B: all right; C: the total
# written as the subtotal, confidently (seen on the image: only the failing sum doubts it).
SCRIPTED = [
    [*RIGHT[:7], ("12.5", 0.3), "}"],
    RIGHT,
    [*RIGHT[:3], ("11.5", 0.9), *RIGHT[4:]],
]


def test_on_the_eval_harness_confidence_ranks_wrong_values_below_right_ones(tmp_path, monkeypatch):
    presets = {"receipts": _preset_file(tmp_path / "presets")}
    monkeypatch.setattr("workbench.pipeline.start_reading", _read_as(LINES))
    image = tmp_path / "r.png"
    PICTURE.save(image)
    turn = Turn(None, Expectation("json", TRUTH))
    cases = [Case(f"c{n}", image, None, "receipts", "Extract", "L1", (turn,)) for n in "ABC"]
    lines = run_set(cases, ProbableSession(*SCRIPTED), out_dir=tmp_path / "run", presets=presets)
    values = [value for line in lines for value in line["confidence"]["values"]]
    assert [(v["at"], v["score"], v["right"]) for v in values[:4]] == [
        ("$.merchant", 0.9714, True),  # (0.4 × 0.95 + 0.3) / 0.7
        ("$.subtotal", 0.7333, True),  # the failed sum lowers every value in it
        ("$.tax", 0.7333, True),
        ("$.total", 0.1333, False),
    ]
    assert auroc([v["score"] for v in values], [v["right"] for v in values]) == 0.9
    assert by_level(values) == {
        "high": {"count": 6, "right": 6, "accuracy": 1.0},
        "check": {"count": 5, "right": 4, "accuracy": 0.8},
        "low": {"count": 1, "right": 0, "accuracy": 0.0},
    }
    assert at_or_above(values)["check"] == {"count": 11, "right": 10, "accuracy": 0.9091}
    written = json.loads((tmp_path / "run" / "results.jsonl").read_text().splitlines()[0])
    assert written["confidence"]["values"][3]["level"] == "low"


def _read_as(lines):
    def start_reading(image):
        future = Future()
        future.set_result(lines)
        return future

    return start_reading


# --- real engines hand their tokens through ----------------------------------------------


def test_the_tiny_model_gives_a_logprob_per_token_aligned_to_its_text(tiny_session):
    parts = [{"type": "image", "image": PICTURE}, {"type": "text", "text": "What is this?"}]
    messages = [{"role": "user", "content": parts}]
    generation = tiny_session.stream(messages, GenerationParams(temperature=1.0, max_new_tokens=24))
    text = generation.run()
    tokens = generation.tokens
    assert tokens and all(logprob <= 0 and math.isfinite(logprob) for _, logprob in tokens)
    assert len(tokens) <= generation.stats.generated_tokens
    assert "".join(piece for piece, _ in tokens) == text


def test_a_llamacpp_server_is_asked_for_logprobs_and_they_come_through():
    sent = []
    chunks = [
        ("{", -0.1, b"{"),
        ("\u65e5", -0.5, b"\xe6\x97"),
        ("", -0.25, b"\xa5"),
        ("}", 0.0, b"}"),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        body = "".join(
            "data: " + json.dumps({"id": "1", "object": "chat.completion.chunk", "created": 0,
                "model": "m", "choices": [{"index": 0, "delta": {"content": token},
                "logprobs": {"content": [{"token": token, "logprob": logprob,
                                          "bytes": list(raw), "top_logprobs": []}]},
                "finish_reason": None}]}) + "\n\n"
            for token, logprob, raw in chunks
        )  # fmt: skip
        return httpx.Response(200, text=body + "data: [DONE]\n\n",
                              headers={"content-type": "text/event-stream"})  # fmt: skip

    transport = httpx.Client(transport=httpx.MockTransport(handler))
    client = openai.OpenAI(
        base_url="http://127.0.0.1:1/v1", api_key="EMPTY", max_retries=0, http_client=transport
    )
    info = LoadedInfo("cpu", "", "", random_weights=True, model="tiny", served_by=LLAMACPP,
                      remote="http://127.0.0.1:1/v1")  # fmt: skip
    messages = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
    generation = OpenAIEngine(client, info).stream(messages, GenerationParams())
    generation.run()
    assert sent[0]["logprobs"] is True
    assert generation.tokens == [("{", -0.1), ("日", -0.75), ("}", 0.0)]
