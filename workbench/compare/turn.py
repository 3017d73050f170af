"""The model's eye on a pair of screenshots: which of the found changes are defects, and why.

One turn with both images (BEFORE, then AFTER, as a document's pages go together), each with the
changes boxed and numbered (`draw_comparison`), the changes listed by number in the question.
The answer is JSON checked against `presets/compare/compare_defects.schema.json`, repaired as
any answer is (`pipeline.ask`), then checked here: every change it names must be one of those
listed, judged once. The preset lives in `presets/compare/`, apart from the tabs' preset files,
so that no tab lists it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from PIL import Image

from workbench.answers.boxes import bbox_to_pixels, is_valid_bbox
from workbench.answers.checks import CheckResult
from workbench.answers.checks.wording import note
from workbench.compare import Change, Comparison, draw_comparison
from workbench.compare.folders import NotJudged
from workbench.engines.base import EngineError, GenerationParams, ModelLoadError, one_line
from workbench.messages import Language, word
from workbench.pipeline import Answer, AskSession, Event, Finished, Question, ask
from workbench.prompts.presets import PRESETS_DIR, Preset, load_presets
from workbench.prompts.turns import system_prompt
from workbench.record import result_record
from workbench.session import Status

PRESET_FILE = PRESETS_DIR / "compare" / "defects.toml"
CHECK = "change_numbers"  # the check's stable name, as records keep it
# How each change is listed in the question: its number (as boxed), kind, texts, detail.
_LISTED = {
    "en": {"heading": "The changes found (numbered as boxed on both images):", "none": "none"},
    "zh": {"heading": "找到的变化（编号与两张图上的框一致）：", "none": "无"},
}
log = logging.getLogger(__name__)


def defects_preset() -> Preset:
    """Return the preset of the defects turn; PresetError names the file and key if broken."""
    return load_presets(PRESET_FILE).presets[0]


def changes_listed(changes: Sequence[Change], language: Language = "en") -> str:
    """Return the changes as the question lists them, one line each, by number."""
    words = _LISTED[language]
    lines = [words["heading"]]
    for change in changes:
        texts = " → ".join(
            repr(text) if text else words["none"]
            for text in (change.before_text, change.after_text)
        )
        detail = f" ({change.detail})" if change.detail else ""
        lines.append(f"{change.number}. {change.kind}: {texts}{detail}")
    return "\n".join(lines)


def defects_question(
    before: Image.Image,
    after: Image.Image,
    comparison: Comparison,
    *,
    params: GenerationParams | None = None,
    preset: Preset | None = None,
    role: str = "",
    language: Language = "en",
    repair_turns: int = 1,
    strict: bool = False,
) -> Question:
    """Return the question that shows the model both images, changes boxed, and lists them."""
    preset = preset or defects_preset()
    instructions, asked = preset.prompt(language)
    drawn_before, drawn_after = draw_comparison(before, after, comparison)
    gen = preset.generation
    params = params or GenerationParams(
        temperature=gen.temperature,
        top_p=gen.top_p,
        max_new_tokens=gen.max_new_tokens,
        visual_tokens=gen.visual_tokens,
    )
    return Question(
        image=drawn_before,
        pages=(drawn_after,),  # sent after the first image, as a document's next page is
        question=f"{asked}\n\n{changes_listed(comparison.changes, language)}",
        params=params,
        system=system_prompt(role, instructions),
        role=role,
        preset=preset.name,
        schema=preset.schema,
        repair_turns=repair_turns,
        strict=strict,
        language=language,
    )


def judge(
    session: AskSession,
    question: Question,
    comparison: Comparison,
    stop: threading.Event | None = None,
) -> Iterator[Event]:
    """Yield the streamed answer, then the checked answer: its change numbers checked, its boxes
    in AFTER's pixels."""
    numbers = [change.number for change in comparison.changes]
    after_size = question.pages[0].size if question.pages else question.image.size
    for event in ask(session, question, stop):
        if isinstance(event, Finished):
            yield Finished(_checked(event.answer, numbers, after_size))
        else:
            yield event


def _checked(answer: Answer, numbers: Sequence[int], after_size: tuple[int, int]) -> Answer:
    """Return the answer with the change-number check added and its boxes on AFTER."""
    value = answer.extraction.value if answer.extraction else None
    if value is None:
        return answer
    # `ask` mapped the boxes onto the first image (BEFORE); the schema says they are on AFTER,
    # and each is named by its change's number.
    rows = value.get("defects") if isinstance(value, dict) else None
    boxes = [
        (f"#{row.get('change')}", bbox_to_pixels(row["bbox_2d"], after_size))
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and is_valid_bbox(row.get("bbox_2d"))
    ]
    return replace(answer, checks=[*answer.checks, *change_numbers(value, numbers)], boxes=boxes)


def change_numbers(value: Any, numbers: Sequence[int]) -> list[CheckResult]:
    """Return the change_numbers result: is every change named one of those listed, once?

    Nothing to check (no list of defects, no numbers in it) says nothing: that is the schema's.
    """
    rows = value.get("defects") if isinstance(value, dict) else None
    if not isinstance(rows, list):
        return []
    named = [row["change"] for row in rows if isinstance(row, dict) and _is_int(row.get("change"))]
    if not named:
        return []
    known = set(numbers)
    unknown = sorted({number for number in named if number not in known})
    twice = sorted({number for number in named if named.count(number) > 1})
    if unknown:
        facts = {"unknown": unknown, "count": len(known)}
        return [CheckResult(CHECK, False, note("judge.check.unknown", **facts))]
    if twice:
        return [CheckResult(CHECK, False, note("judge.check.twice", twice=twice))]
    return [CheckResult(CHECK, True, note("judge.check.ok", judged=len(named), count=len(known)))]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def defects_from(answer: Answer, comparison: Comparison) -> list[dict[str, Any]]:
    """Return the answer's verdicts on listed changes, as the report takes them; [] if none."""
    value = answer.extraction.value if answer.extraction else None
    rows = value.get("defects") if isinstance(value, dict) else None
    if not isinstance(rows, list):
        return []
    known = {change.number for change in comparison.changes}
    keys = ("change", "defect", "severity", "why", "bbox_2d")
    return [
        {key: row[key] for key in keys if key in row}
        for row in rows
        if isinstance(row, dict) and row.get("change") in known and _is_int(row.get("change"))
    ]


def defects_record(
    answer: Answer,
    question: Question,
    comparison: Comparison,
    *,
    status: Status,
    names: tuple[str, str],
    digests: tuple[str, str] = ("", ""),
    asked_at: datetime | None = None,
) -> dict[str, Any]:
    """Return the turn's record: what any answer's record holds, with both images named, the
    comparison it was asked about and the verdicts on its changes."""
    record = result_record(
        answer,
        question,
        status=status,
        tab="compare",
        image_name=names[0],
        image_sha256=digests[0],
        asked_at=asked_at,
    )
    after = question.pages[0] if question.pages else question.image
    record |= {
        "after_name": names[1],
        "after_sha256": digests[1],
        "after_size": list(after.size),
        "comparison": comparison.as_dict(),
        "defects": defects_from(answer, comparison),
    }
    return record


@dataclass
class PairJudge:
    """`compare_folders`' judge: the model's verdicts on each pair, or `NotJudged` saying why
    none (worded in `language`). A model that cannot load is tried once; every later pair says
    so without trying again."""

    session: AskSession
    params: GenerationParams | None = None  # None: the preset's
    language: Language = "en"
    refused: str = ""  # why no pair can be judged (the model did not load); "" while it can
    stop: threading.Event | None = None

    def __call__(
        self, before: Image.Image, after: Image.Image, comparison: Comparison
    ) -> list[dict[str, Any]]:
        """Return the verdicts on the pair's changes; NotJudged when there are none."""
        question = self.question(before, after, comparison)
        return self.verdicts(self.answer(question, comparison), comparison)

    def question(self, before: Image.Image, after: Image.Image, comparison: Comparison) -> Question:
        """Return the turn's question, as `defects_question` asks it with this judge's settings."""
        return defects_question(
            before, after, comparison, params=self.params, language=self.language
        )

    def answer(self, question: Question, comparison: Comparison) -> Answer:
        """Return the checked answer; NotJudged for a model that failed to load or to answer."""
        if self.refused:
            raise NotJudged(self.refused)
        try:
            for event in judge(self.session, question, comparison, self.stop):
                if isinstance(event, Finished):
                    return event.answer
        except ModelLoadError as error:
            reason = f"{error.reason} {error.hint}".strip()
            self.refused = word("compare.not_judged.load", self.language, reason=reason)
            raise NotJudged(self.refused) from error
        except EngineError as error:  # a remote server's failure: it says what to do
            reason = f"{error.reason} {error.hint}".strip()
            raise NotJudged(self._failed(reason)) from error
        except Exception as error:  # the log keeps the traceback; the pair's row says one line
            log.exception("judging a pair of screenshots failed")
            raise NotJudged(self._failed(one_line(error))) from error
        raise NotJudged(self._failed("no answer"))

    def verdicts(self, answer: Answer, comparison: Comparison) -> list[dict[str, Any]]:
        """Return the answer's verdicts; NotJudged when it is no valid list of them."""
        if answer.valid:
            return defects_from(answer, comparison)
        extraction = answer.extraction
        if extraction is not None and extraction.problem is not None:
            problem = extraction.problem.text(self.language)
        else:
            problem = answer.errors[0].line(self.language) if answer.errors else "?"
        raise NotJudged(word("compare.not_judged.invalid", self.language, problem=problem))

    def _failed(self, error: str) -> str:
        return word("compare.not_judged.failed", self.language, error=error)
