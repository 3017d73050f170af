"""One question, start to finish: messages → streamed answer → JSON, schema, checks, boxes.

`ask` yields events as it goes, so a UI can stream the text and a script can just take the last
event. A structured answer that fails its schema gets up to `repair_turns` follow-ups that show
the model its errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from PIL import Image

from workbench.answers.boxes import Region, bbox_to_pixels, find_boxes
from workbench.answers.checks import CheckContext, CheckResult, run_checks
from workbench.answers.confidence import ConfidenceReport, confidence_report
from workbench.answers.extract import Extraction, extract_json
from workbench.answers.validation import SchemaError, validate
from workbench.choices import preset_params
from workbench.engines.base import Engine, Generation, GenerationParams, GenerationStats, Message
from workbench.evidence.match import EvidenceReport, check_answer, check_text, model_boxes_from
from workbench.evidence.ocr import OcrLine, start_reading
from workbench.intake import Intake
from workbench.messages import Language, Problem, repair_outcome
from workbench.prompts.conversation import ModelTurn, fit_history
from workbench.prompts.presets import Preset
from workbench.prompts.turns import (
    HIGHLIGHT_NOTE,
    RegionMode,
    View,
    build_messages,
    model_view,
    repair_request,
    system_prompt,
    threshold_note,
)
from workbench.settings import MAX_AGREEMENT

PixelBox = tuple[int, int, int, int]
# Extra answers for agreement are sampled at least this warm: greedy ones would all agree.
AGREEMENT_TEMPERATURE = 0.7
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Question:
    """Everything one ask needs, as plain data."""

    image: Image.Image
    question: str
    params: GenerationParams
    system: str = ""
    role: str = ""  # the user's role, already put ahead of the preset's prompt in `system`
    preset: str | None = None  # the preset's name, for the record
    history: tuple[ModelTurn, ...] = ()  # earlier turns about the same image, oldest first
    history_tokens: int | None = None  # most tokens of history to send; None: what fits
    region: Region | None = None
    region_mode: RegionMode = "crop"
    pages: tuple[Image.Image, ...] = ()  # a document's further pages, sent after `image`
    page_numbers: tuple[int, ...] = ()  # 1-based, of `image` and `pages`, when from a document
    enhanced: tuple[dict[str, Any], ...] = ()  # what was done to the image first (enhance.Step)
    evidence: bool = False  # look for each value of the answer in the image's OCR lines
    schema: dict[str, Any] | None = None
    checks: tuple[str, ...] = ()
    check_context: CheckContext = field(default_factory=CheckContext)
    repair_turns: int = 1
    strict: bool = False  # constrain decoding to the schema, where the engine can
    language: Language = "en"  # of the highlighted-region note and the repair request
    abstain_below: float | None = None  # values less confident than this are handed on as null
    agreement: int = 0  # extra sampled answers compared value by value (0: none)


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
    left_out: int = 0  # earlier turns of the history that did not fit its budget
    evidence: EvidenceReport | None = None  # each value: seen on the image (OCR) or not
    tokens: list[tuple[str, float]] | None = None  # the last turn's (text, logprob) per token
    samples: list[Any] | None = None  # the extra answers' JSON, for agreement (None: not asked)
    confidence: ConfidenceReport | None = None  # each value of the JSON: how far to trust it

    @property
    def handed_on(self) -> Any:
        """Return the JSON handed on: the parsed answer, values under the threshold as null."""
        value = self.extraction.value if self.extraction else None
        return value if self.confidence is None else self.confidence.handed_on(value)

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


def make_question(
    image: Image.Image | Intake,
    text: str,
    params: GenerationParams,
    *,
    preset: Preset | None = None,
    role: str = "",
    language: Language = "en",
    structured: bool = True,
    history: tuple[ModelTurn, ...] = (),
    history_tokens: int | None = None,
    region: Region | None = None,
    region_mode: RegionMode = "crop",
    evidence: bool = False,
    check_context: CheckContext | None = None,
    repair_turns: int = 1,
    strict: bool = False,
    abstain_below: float | None = None,
    agreement: int | None = None,
) -> Question:
    """Return a question about an image as a tab asks it: the role ahead of the preset's prompt.

    From an `Intake`, the image, a document's further pages, the region and what enhancement
    did come with it. `structured=False` keeps the preset's prompt but not its schema and
    checks (a free-text follow-up). `abstain_below` and `agreement` left None take the
    preset's; an abstain threshold of 0 is none.
    """
    instructions = preset.prompt(language)[0] if preset else ""
    structured = structured and preset is not None
    if isinstance(image, Intake):
        region = image.region if region is None else region
        seen: dict[str, Any] = {
            "image": image.image,
            "pages": image.others,
            "page_numbers": image.page_numbers,
            "enhanced": image.steps,
        }
    else:
        seen = {"image": image}
    return Question(
        question=text,
        params=params,
        system=system_prompt(role, instructions),
        role=role,
        preset=preset.name if preset else None,
        history=history,
        history_tokens=history_tokens,
        region=region,
        region_mode=region_mode,
        evidence=evidence,
        schema=preset.schema if structured else None,
        checks=preset.checks if structured else (),
        check_context=check_context or CheckContext(),
        repair_turns=repair_turns,
        strict=strict,
        language=language,
        abstain_below=_threshold(abstain_below, preset),
        agreement=_samples(agreement, preset),
        **seen,
    )


def _threshold(asked: float | None, preset: Preset | None) -> float | None:
    """Return the abstain threshold in force: the one asked for, else the preset's; 0 is none."""
    threshold = asked if asked is not None else (preset.abstain_below if preset else None)
    if threshold is not None and not 0 <= threshold <= 1:
        raise ValueError(f"abstain_below {threshold} is outside 0 to 1")
    return threshold or None


def _samples(asked: int | None, preset: Preset | None) -> int:
    """Return the extra answers for agreement: the number asked for, else the preset's."""
    count = asked if asked is not None else (preset.agreement if preset else 0)
    if not 0 <= count <= MAX_AGREEMENT:
        raise ValueError(f"agreement {count} is outside 0 to {MAX_AGREEMENT}")
    return count


def asks_for_json(text: str, preset: Preset) -> bool:
    """Return whether a follow-up wants the preset's JSON: it says "JSON", or it is the
    preset's own question. Else it is free text: "and what does the red tag mean?" should not
    get a JSON repair turn."""
    return "json" in text.lower() or text in (preset.question, preset.zh.question)


def preset_question(
    preset: Preset, image: Image.Image, *, strict: bool, max_new_tokens: int | None = None
) -> Question:
    """Return a preset's own question about an image, with its defaults and no repair turn."""
    params = preset_params(preset, max_new_tokens)
    return make_question(
        image, preset.question, params, preset=preset, repair_turns=0, strict=strict
    )


class AskSession(Protocol):
    """What `ask` needs of a model session: `ModelSession`, or a stand-in in tests."""

    @property
    def context_tokens(self) -> int: ...

    def get(self) -> Engine: ...

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation: ...

    def count_tokens(self, text: str) -> int: ...


def ask(
    session: AskSession, question: Question, stop: threading.Event | None = None
) -> Iterator[Event]:
    """Yield the streamed answer to a question, then its checked result.

    Setting `stop` ends the answer within a word, keeping what was said, and skips repairs.
    """
    shown, view = model_view(question.image, question.region, question.region_mode)
    # Read while the model answers: OCR runs on its own thread, once per image.
    pages = (question.image, *question.pages)
    reading = [start_reading(page) for page in pages] if question.evidence else []
    params = question.params
    if question.strict and question.schema is not None:
        params = replace(params, json_schema=question.schema)
    answer = Answer(text="", view=view)
    turns: list[ModelTurn] = []
    if question.history:
        kept, answer.left_out = fit_history(
            question.history, _history_budget(session, question), session.count_tokens
        )
        turns = list(kept)
    prompt = _prompt(question)
    for turn in range(question.repair_turns + 1):
        if turn:
            yield RepairStarted(prompt, turn)
        messages = build_messages(question.system, (shown, *question.pages), turns, prompt)
        generation = session.stream(messages, params)
        for piece in generation:
            if stop is not None and stop.is_set():
                generation.stop()
            yield Delta(piece, turn)
        answer.stats.append(generation.stats)
        answer.turns.append((prompt, generation.text))
        turns.append((prompt, generation.text))
        before = _problems(answer)
        _analyse(answer, generation.text, question)
        if turn:
            answer.repairs.append(repair_outcome(before, len(_problems(answer)), question.language))
        if question.schema is None or answer.valid or generation.stats.stopped:
            break
        prompt = repair_request(_problems(answer), question.language)
    answer.tokens = generation.tokens
    stopped = generation.stats.stopped or (stop is not None and stop.is_set())
    readable = answer.extraction is not None and answer.extraction.value is not None
    if question.agreement and readable and not stopped:
        answer.samples = _sampled(session, messages, params, question.agreement, stop)
    # A stopped answer ends now: it does not wait for the OCR (which goes on, cached).
    if reading and not generation.stats.stopped:
        try:
            answer.evidence = _evidence(answer, question, [future.result() for future in reading])
        except Exception:  # no evidence is no reason to lose the answer
            log.exception("OCR for the evidence failed")
    answer.confidence = _confidence(answer, question)
    yield Finished(answer)


def _sampled(
    session: AskSession,
    messages: list[Message],
    params: GenerationParams,
    count: int,
    stop: threading.Event | None,
) -> list[Any]:
    """Return the JSON of `count` more answers to the last turn, sampled (None: unreadable)."""
    warm = replace(params, temperature=max(params.temperature, AGREEMENT_TEMPERATURE))
    samples: list[Any] = []
    for _ in range(count):
        if stop is not None and stop.is_set():
            break
        generation = session.stream(messages, warm)
        for _piece in generation:
            if stop is not None and stop.is_set():
                generation.stop()
        samples.append(extract_json(generation.text).value)
    return samples


def _confidence(answer: Answer, question: Question) -> ConfidenceReport | None:
    """Return each value's confidence, for an answer whose JSON was read; else None."""
    value = answer.extraction.value if answer.extraction else None
    if value is None:
        return None
    evidence = answer.evidence.values if answer.evidence else ()
    ocr = {each.path: _ocr_state(each) for each in evidence}
    return confidence_report(
        value,
        text=answer.text,
        tokens=answer.tokens,
        ocr=ocr,
        checks=answer.checks,
        samples=answer.samples,
        threshold=question.abstain_below,
    )


def _ocr_state(evidence: Any) -> str:
    if not evidence.found:
        return "not_seen"
    return "off_box" if evidence.model_box_off else "seen"


def _prompt(question: Question) -> str:
    """Return the question as the model reads it: with the region and the threshold, if set."""
    prompt = question.question
    if question.region is not None and question.region_mode == "highlight":
        prompt += "\n" + HIGHLIGHT_NOTE[question.language]
    context = question.check_context
    if context.threshold is not None:
        prompt += "\n" + threshold_note(
            context.threshold, context.threshold_direction, question.language
        )
    return prompt


# The chat template's own tokens around each turn, and a little room for error.
TEMPLATE_TOKENS = 64


def _history_budget(session: AskSession, question: Question) -> int:
    """Return the tokens the history may take: the context less the images, question, answer."""
    most = (question.params.visual_tokens or session.get().info.visual_tokens)[1]
    visual = most * (1 + len(question.pages))
    asked = session.count_tokens(question.system) + session.count_tokens(question.question)
    room = session.context_tokens - visual - asked - question.params.max_new_tokens
    room -= TEMPLATE_TOKENS
    if question.history_tokens is not None:
        room = min(room, question.history_tokens)
    return max(0, room)


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


def _evidence(
    answer: Answer, question: Question, pages: list[tuple[OcrLine, ...]]
) -> EvidenceReport:
    """Return each value of the answer looked for in the OCR lines of the pages asked about.

    Boxes are in the first page's pixels: a value seen on another page keeps no box.
    """
    lines = [line for page in pages for line in page]
    value = answer.extraction.value if answer.extraction else None
    if value is None:
        report = check_text(answer.text, lines)
    else:
        boxes = model_boxes_from(value, answer.view.image_size, answer.view.crop)
        report = check_answer(value, lines, question.schema, boxes)
    first = {line.box for line in pages[0]}
    return EvidenceReport(
        tuple(e if e.box in first or e.box is None else replace(e, box=None) for e in report.values)
    )


def _problems(answer: Answer) -> list[Problem]:
    """Return what is wrong with the answer: why no JSON was read, or its schema errors."""
    if answer.extraction is None:
        return []
    if answer.extraction.problem is not None:
        return [answer.extraction.problem]
    return list(answer.errors)
