"""Turn a finished answer into what a tab shows: verdict, checks, boxes, export files."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradio.utils import get_upload_folder

from workbench.drawing import draw_boxes, outline_region
from workbench.pipeline import Answer, Question
from workbench.record import result_record
from workbench.session import RANDOM_WEIGHTS_WARNING
from workbench.truth import compare_json

if TYPE_CHECKING:
    from tabs.context import AppContext, DomainTab, Picture
    from workbench.examples import Example

# The result areas of a tab, by component name, as they are before any answer.
EMPTY: dict[str, Any] = {
    "parsed": None,
    "verdict": "",
    "checks": "",
    "truth": "",
    "annotated": None,
    "downloads": None,
    "details": None,
}
RESULTS = tuple(EMPTY)
FREE_TEXT = "ℹ️ Free-text answer — no JSON expected."
STOPPED_NOTE = "⏹ **Stopped**: what follows is about the partial answer."
EXPORTS = "workbench-exports"  # inside Gradio's cache, which ages files out and empties on exit


def render(
    answer: Answer, question: Question, ctx: AppContext, tab: DomainTab, shown: Picture
) -> dict[str, Any]:
    """Return what the tab shows for a finished answer: the run line and the result areas."""
    status = ctx.session.status
    details = result_record(
        answer,
        question,
        status=status,
        tab=tab.key,
        image_name=shown.name,
        image_sha256=shown.sha256,
    )
    annotated = _annotated(answer, question)
    line = _stats_line(answer)
    if status.random_weights:
        line += f" — **⚠ {RANDOM_WEIGHTS_WARNING}**"
    shown_verdict = verdict(answer)
    if answer.stats and answer.stats[-1].stopped:
        shown_verdict = f"{STOPPED_NOTE}\n\n{shown_verdict}".strip()
    return {
        "run_status": line,
        "parsed": answer.extraction.value if answer.extraction else None,
        "verdict": shown_verdict,
        "checks": checks_markdown(answer),
        "truth": truth_markdown(ctx.example_for(shown.sha256), answer),
        "annotated": annotated,
        "downloads": _export(details, annotated),
        "details": details,
    }


def verdict(answer: Answer) -> str:
    """Return the validation verdict as Markdown."""
    if answer.extraction is None:
        return FREE_TEXT
    repaired = "".join(f"\n\n🔧 {note}" for note in answer.repairs)
    if not answer.extraction.ok:
        return f"❌ **No usable JSON**: {answer.extraction.error}{repaired}"
    notes = "".join(f"\n- {note}" for note in answer.extraction.repairs)
    fixed = f"\n\nExtraction fixed:{notes}" if notes else ""
    if not answer.errors:
        return f"✅ **Valid JSON** (matches the schema){fixed}{repaired}"
    listed = "\n".join(f"- `{error.path}`: {error.message}" for error in answer.errors[:12])
    more = f"\n- … and {len(answer.errors) - 12} more" if len(answer.errors) > 12 else ""
    count = len(answer.errors)
    return f"❌ **{count} schema error{'s' * (count != 1)}**\n{listed}{more}{fixed}{repaired}"


def checks_markdown(answer: Answer) -> str:
    """Return the domain checks as a Markdown list."""
    if not answer.checks:
        return ""
    lines = [
        f"- {'✅' if check.ok else '❌'} **{check.name}**: {check.detail}"
        for check in answer.checks
    ]
    return "**Domain checks**\n" + "\n".join(lines)


VERDICT_MARKS = {"match": "✅", "differs": "❌", "missing": "⚠️ missing", "unscored": "— not scored"}
TRUTH_ROWS = 40


def truth_markdown(example: Example | None, answer: Answer) -> str:
    """Return the expected-vs-got table for an answer about a built-in example (else "")."""
    if example is None or answer.extraction is None or answer.extraction.value is None:
        return ""
    rows = compare_json(example.truth, answer.extraction.value)
    scored = [row for row in rows if row.verdict != "unscored"]
    matched = sum(row.verdict == "match" for row in scored)
    lines = [
        f"**Expected vs got** — built-in example *{example.name.replace('_', ' ')}*: "
        f"{matched} of {len(scored)} fields match",
        "",
        "| field | expected | got | |",
        "|---|---|---|---|",
    ]
    for row in rows[:TRUTH_ROWS]:
        mark = VERDICT_MARKS[row.verdict]
        lines.append(f"| `{row.path}` | {_cell(row.expected)} | {_cell(row.got)} | {mark} |")
    if len(rows) > TRUTH_ROWS:
        lines.append(f"| … {len(rows) - TRUTH_ROWS} more | | | |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    text = text if len(text) <= 40 else text[:39] + "…"
    return text.replace("|", "\\|")


def _annotated(answer: Answer, question: Question):
    if not answer.boxes and question.region is None:
        return None
    image = question.image
    if question.region is not None:
        image = outline_region(image, question.region)
    return draw_boxes(image, answer.boxes)


def _stats_line(answer: Answer) -> str:
    stats = answer.stats[-1]
    rate = stats.tokens_per_second
    parts = [
        f"{stats.visual_tokens} visual + {stats.prompt_tokens - stats.visual_tokens} text in",
        f"{stats.generated_tokens} out",
        f"first token {stats.time_to_first_token:.2f} s" if stats.time_to_first_token else "",
        f"{rate:.1f} tok/s" if rate else "",
        f"{stats.total_seconds:.1f} s total",
        {"cancelled": "stopped", "length": "hit the token limit"}.get(stats.finish_reason, ""),
    ]
    turns = f" ({len(answer.stats)} turns)" if len(answer.stats) > 1 else ""
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
