"""One question, start to finish: messages → streamed answer → JSON, schema, checks, boxes.

`ask` yields events as it goes, so a UI can stream the text and a script can just take the last
event. A structured answer that fails its schema gets up to `repair_turns` follow-ups that show
the model its errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image

from workbench.boxes import Region, bbox_to_pixels, find_boxes
from workbench.checks import CheckContext, CheckResult, run_checks
from workbench.engine import GenerationParams, GenerationStats
from workbench.extract import Extraction, extract_json
from workbench.presets import Preset
from workbench.prompts import (
    HIGHLIGHT_NOTE,
    View,
    build_messages,
    model_view,
    repair_request,
)
from workbench.session import ModelSession
from workbench.validation import SchemaError, validate

PixelBox = tuple[int, int, int, int]


@dataclass(frozen=True)
class Question:
    """Everything one ask needs, as plain data."""

    image: Image.Image
    question: str
    params: GenerationParams
    system: str = ""
    history: tuple[tuple[str, str], ...] = ()
    region: Region | None = None
    region_mode: str = "crop"
    schema: dict[str, Any] | None = None
    checks: tuple[str, ...] = ()
    check_context: CheckContext = field(default_factory=CheckContext)
    repair_turns: int = 1
    strict: bool = False  # constrain decoding to the schema, where the engine can
    language: str = "en"  # of the highlighted-region note and the repair request


@dataclass
class Answer:
    """The outcome of one ask, repairs included."""

    text: str
    view: View
    turns: list[tuple[str, str]] = field(default_factory=list)
    stats: list[GenerationStats] = field(default_factory=list)
    extraction: Extraction | None = None
    errors: list[SchemaError] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    boxes: list[tuple[str, PixelBox]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)  # what each repair turn fixed

    @property
    def valid(self) -> bool:
        """Return whether the answer parsed and matched its schema."""
        return self.extraction is not None and self.extraction.ok and not self.errors


@dataclass(frozen=True)
class Delta:
    """A piece of streamed text; `turn` counts from 0 (repairs are later turns)."""

    text: str
    turn: int


@dataclass(frozen=True)
class RepairStarted:
    """A repair turn begins; `request` is what the model is told."""

    request: str
    turn: int


@dataclass(frozen=True)
class Finished:
    """The final answer."""

    answer: Answer


Event = Delta | RepairStarted | Finished


def preset_question(
    preset: Preset, image: Image.Image, *, strict: bool, max_new_tokens: int | None = None
) -> Question:
    """Return a preset's own question about an image, with its defaults and no repair turn."""
    return Question(
        image=image,
        question=preset.question,
        params=GenerationParams(
            temperature=preset.generation.temperature,
            top_p=preset.generation.top_p,
            max_new_tokens=max_new_tokens or preset.generation.max_new_tokens,
            visual_tokens=preset.generation.visual_tokens,
        ),
        system=preset.system,
        schema=preset.schema,
        checks=preset.checks,
        repair_turns=0,
        strict=strict,
    )


def ask(session: ModelSession, question: Question) -> Iterator[Event]:
    """Yield the streamed answer to a question, then its checked result."""
    shown, view = model_view(question.image, question.region, question.region_mode)
    params = question.params
    if question.strict and question.schema is not None:
        params = replace(params, json_schema=question.schema)
    answer = Answer(text="", view=view)
    turns = list(question.history)
    prompt = question.question
    if question.region is not None and question.region_mode == "highlight":
        prompt += "\n" + HIGHLIGHT_NOTE[question.language]
    for turn in range(question.repair_turns + 1):
        if turn:
            yield RepairStarted(prompt, turn)
        messages = build_messages(question.system, shown, turns, prompt)
        generation = session.stream(messages, params)
        for piece in generation:
            yield Delta(piece, turn)
        answer.stats.append(generation.stats)
        answer.turns.append((prompt, generation.text))
        turns.append((prompt, generation.text))
        before = _problems(answer)
        _analyse(answer, generation.text, question)
        if turn:
            answer.repairs.append(_repair_note(before, answer))
        if question.schema is None or answer.valid or generation.stats.stopped:
            break
        prompt = repair_request(_problems(answer), question.language)
    yield Finished(answer)


def _analyse(answer: Answer, text: str, question: Question) -> None:
    answer.text = text
    if question.schema is None and not question.checks:
        return
    answer.extraction = extract_json(text)
    value = answer.extraction.value
    if value is None:
        answer.errors, answer.checks, answer.boxes = [], [], []
        return
    answer.errors = validate(value, question.schema) if question.schema else []
    answer.checks = run_checks(question.checks, value, question.check_context)
    answer.boxes = [
        (label, bbox_to_pixels(bbox, answer.view.image_size, answer.view.crop))
        for label, bbox in find_boxes(value)
    ]


def _problems(answer: Answer) -> list[str]:
    if answer.extraction is None:
        return []
    if not answer.extraction.ok:
        return [answer.extraction.error]
    return [f"{error.path}: {error.message}" for error in answer.errors]


def _repair_note(before: list[str], answer: Answer) -> str:
    if answer.valid:
        return "repair fixed: " + "; ".join(before)
    return f"repair left {len(_problems(answer))} of {len(before)} problem(s)"
