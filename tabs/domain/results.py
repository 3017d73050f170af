"""Turn a finished answer into what a tab shows: verdict, checks, boxes, export files."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradio.utils import get_upload_folder

from tabs.i18n import swatch
from tabs.wording import say
from workbench.answers.confidence import box_levels
from workbench.answers.drawing import BOX_COLOURS, draw_boxes, outline_region
from workbench.api import RESULTS
from workbench.eval.truth import compare_json
from workbench.messages import ui_language
from workbench.pipeline import Answer, Question
from workbench.record import result_record
from workbench.session import random_weights_warning

if TYPE_CHECKING:
    from tabs.domain.context import AppContext, DomainTab
    from workbench.examples import Example
    from workbench.intake import Intake

# The result areas of a tab, by component name, as they are before any answer.
EMPTY: dict[str, Any] = dict.fromkeys(RESULTS) | dict.fromkeys(
    ("verdict", "checks", "evidence", "truth"), ""
)
FREE_TEXT = say("free_text")
STOPPED_NOTE = say("stopped.note")
EXPORTS = "workbench-exports"  # inside Gradio's cache, which ages files out and empties on exit


def render(
    answer: Answer,
    question: Question,
    ctx: AppContext,
    tab: DomainTab,
    shown: Intake,
    language: str = "en",
) -> dict[str, Any]:
    """Return what the tab shows for a finished answer, worded in the interface `language`."""
    status = ctx.session.status
    details = result_record(
        answer,
        question,
        status=status,
        tab=tab.key,
        image_name=shown.name,
        image_sha256=shown.digest,
    )
    annotated = _annotated(answer, question)
    line = _stats_line(answer, language)
    if status.random_weights:
        line += say("stats.random", language, warning=random_weights_warning(language))
    shown_verdict = verdict(answer, language)
    if answer.stats and answer.stats[-1].stopped:
        shown_verdict = f"{say('stopped.note', language)}\n\n{shown_verdict}".strip()
    constrained = all(stats.constrained for stats in answer.stats)
    if question.strict and question.schema is not None and not constrained:
        shown_verdict += f"\n\n{say('verdict.unconstrained', language)}"
    return {
        "run_status": line,
        "parsed": answer.handed_on,  # values under the abstain threshold as null
        "verdict": shown_verdict,
        "checks": checks_markdown(answer, language),
        "evidence": _joined(
            evidence_markdown(answer, language), confidence_markdown(answer, language)
        ),
        "truth": truth_markdown(ctx.example_for(shown.digest), answer, language),
        "annotated": annotated,
        "downloads": _export(details, annotated),
        "details": details,
    }


def verdict(answer: Answer, language: str = "en") -> str:
    """Return the validation verdict as Markdown, in the interface `language`."""
    if answer.extraction is None:
        return say("free_text", language)
    repaired = "".join(f"\n\n🔧 {note}" for note in answer.repairs)
    extraction = answer.extraction
    if not extraction.ok:
        problem = extraction.problem.text(language) if extraction.problem else ""
        return say("verdict.no_json", language, error=problem) + repaired
    notes = "".join(f"\n- {fix.text(language)}" for fix in extraction.fixes)
    fixed = f"\n\n{say('verdict.fixed', language)}{notes}" if notes else ""
    if not answer.errors:
        return say("verdict.valid", language) + fixed + repaired
    listed = "\n".join(
        say("verdict.line", language, at=error.path, text=error.text(language))
        for error in answer.errors[:12]
    )
    count = len(answer.errors)
    more = f"\n- {say('verdict.more', language, count=count - 12)}" if count > 12 else ""
    title = say("verdict.error" if count == 1 else "verdict.errors", language, count=count)
    return f"{title}\n{listed}{more}{fixed}{repaired}"


def checks_markdown(answer: Answer, language: str = "en") -> str:
    """Return the domain checks as a Markdown list, in the interface `language`."""
    if not answer.checks:
        return ""
    # checks.line: English names a check by its stable name, as records and scripts know it.
    lines = [
        say(
            "checks.line",
            language,
            mark="✅" if check.ok else "❌",
            name=check.name,
            title=check.title(ui_language(language)),
            text=check.text(language),
        )
        for check in answer.checks
    ]
    return say("checks.title", language) + "\n" + "\n".join(lines)


TRUTH_ROWS = 40


def truth_markdown(example: Example | None, answer: Answer, language: str = "en") -> str:
    """Return the expected-vs-got table for an answer about a built-in example (else "")."""
    if example is None or answer.extraction is None or answer.extraction.value is None:
        return ""
    rows = compare_json(example.truth, answer.extraction.value)
    scored = [row for row in rows if row.verdict != "unscored"]
    matched = sum(row.verdict == "match" for row in scored)
    name = example.name.replace("_", " ")
    lines = [
        say("truth.title", language, name=name, matched=matched, scored=len(scored)),
        "",
        say("truth.header", language),
        "|---|---|---|---|",
    ]
    for row in rows[:TRUTH_ROWS]:
        mark = say(f"truth.{row.verdict}", language)
        lines.append(f"| `{row.path}` | {_cell(row.expected)} | {_cell(row.got)} | {mark} |")
    if len(rows) > TRUTH_ROWS:
        lines.append(say("truth.more", language, count=len(rows) - TRUTH_ROWS))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 40 else text[:39] + "…"
    return text.replace("|", "\\|")


def _annotated(answer: Answer, question: Question):
    """Return the image the model saw (enhanced), with the region, the model's boxes, then the
    OCR box of each value seen; None when there is nothing to add to the upload."""
    boxes = [*answer.boxes, *_seen(answer)]
    if not boxes and question.region is None and not question.enhanced:
        return None
    image = question.image
    if question.region is not None:
        image = outline_region(image, question.region)
    parsed = answer.extraction.value if answer.extraction else None
    return draw_boxes(image, boxes, box_levels(answer.confidence, parsed))


def _seen(answer: Answer) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Return (value, OCR box) for each value of the answer seen on the image, in order."""
    if answer.evidence is None:
        return []
    return [(str(e.value), e.box) for e in answer.evidence.values if e.box is not None]


def evidence_markdown(answer: Answer, language: str = "en") -> str:
    """Return the evidence: the summary, then each value seen (its box's colour) or not."""
    report = answer.evidence
    if report is None or not report.total:
        return ""
    drawn = len(answer.boxes)  # the OCR boxes are drawn after the model's, colours cycling
    lines = []
    for e in report.values:
        if e.box is not None:
            mark = swatch(BOX_COLOURS[drawn % len(BOX_COLOURS)])
            drawn += 1
        else:
            mark = "✅" if e.found else "⚠️"
        said = "evidence.seen" if e.found else "evidence.missing"
        if e.found and e.model_box_off:
            said = "evidence.box_off"
        lines.append(f"- {mark} `{e.path}` = {e.value!r}: {say(said, language)}")
    title = say("evidence.title", language, summary=report.summary(language))
    return title + "\n" + "\n".join(lines)


CONFIDENCE_ROWS = 60


def confidence_markdown(answer: Answer, language: str = "en") -> str:
    """Return each value's confidence as a table: path and value, level, score, reasons."""
    report = answer.confidence
    if report is None or not report.values:
        return ""
    doubtful = sum(each.level != "high" for each in report.values)
    lines = [
        say("confidence.title", language, doubtful=doubtful, total=len(report.values)),
        "",
        say("confidence.header", language),
        "|---|---|---|---|",
    ]
    for each in report.values[:CONFIDENCE_ROWS]:
        level = say(f"confidence.level.{each.level}", language)
        why = ", ".join(each.reasons)
        if each.abstained:
            why += "; " + say("confidence.held", language, threshold=report.threshold)
        lines.append(
            f"| `{each.path}` = {_cell(each.value)} | {level} | {each.score:.2f} | {why} |"
        )
    if len(report.values) > CONFIDENCE_ROWS:
        lines.append(say("truth.more", language, count=len(report.values) - CONFIDENCE_ROWS))
    return "\n".join(lines)


def _joined(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _stats_line(answer: Answer, language: str = "en") -> str:
    stats = answer.stats[-1]
    rate = stats.tokens_per_second
    first = stats.time_to_first_token
    parts = [
        say(
            "stats.tokens",
            language,
            visual=stats.visual_tokens,
            text=stats.prompt_tokens - stats.visual_tokens,
        ),
        say("stats.out", language, count=stats.generated_tokens),
        say("stats.first", language, seconds=first) if first else "",
        say("stats.rate", language, rate=rate) if rate else "",
        say("stats.total", language, seconds=stats.total_seconds),
        say(f"stats.{stats.finish_reason}", language)
        if stats.finish_reason in ("cancelled", "length")
        else "",
    ]
    count = len(answer.stats)
    turns = say("stats.turns", language, count=count) if count > 1 else ""
    return "⏱ " + " · ".join(part for part in parts if part) + turns


def _export(details: dict[str, Any], annotated) -> list[str]:
    """Write result.json (and the annotated image) where Gradio serves and ages them out."""
    folder = Path(get_upload_folder()) / EXPORTS / uuid.uuid4().hex
    folder.mkdir(parents=True)
    result = folder / "result.json"
    result.write_text(json.dumps(details, ensure_ascii=False, indent=2), encoding="utf-8")
    files = [str(result)]
    if annotated is not None:
        image = folder / "annotated.png"
        annotated.save(image)
        files.append(str(image))
    return files
