"""Turn a finished answer into what a tab shows: verdict, checks, boxes, export files."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.drawing import draw_boxes, outline_region
from workbench.pipeline import Answer, Question
from workbench.session import RANDOM_WEIGHTS_WARNING

if TYPE_CHECKING:
    from tabs.handlers import AppContext
    from workbench.presets import Preset


@dataclass(frozen=True)
class Shown:
    """The status line and the result outputs, in the tab's output order."""

    status: str
    outputs: tuple[Any, ...]  # parsed, verdict, checks, annotated, downloads, details


def render(
    answer: Answer, question: Question, ctx: AppContext, preset: Preset | None, language: str
) -> Shown:
    """Return what the tab shows for a finished answer."""
    status = ctx.session.status
    details = _details(answer, question, ctx, preset, language)
    annotated = _annotated(answer, question)
    files = _export(details, answer, annotated)
    parsed = answer.extraction.value if answer.extraction else None
    line = _stats_line(answer)
    if status.random_weights:
        line += f" — **⚠ {RANDOM_WEIGHTS_WARNING}**"
    outputs = (parsed, verdict(answer), checks_markdown(answer), annotated, files, details)
    return Shown(line, outputs)


def verdict(answer: Answer) -> str:
    """Return the validation verdict as Markdown (empty for free-text answers)."""
    if answer.extraction is None:
        return ""
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


def _details(
    answer: Answer, question: Question, ctx: AppContext, preset: Preset | None, language: str
) -> dict[str, Any]:
    status = ctx.session.status
    region = question.region
    budget = question.params.visual_tokens
    return {
        "model": status.model,
        "random_weights": status.random_weights,
        "device": status.device,
        "preset": preset.name if preset else None,
        "language": language,
        "parameters": {
            "temperature": question.params.temperature,
            "top_p": question.params.top_p,
            "max_new_tokens": question.params.max_new_tokens,
            "visual_tokens": None if budget is None else list(budget),  # (min, max) per image
            "strict": question.strict,
            "repair_turns": question.repair_turns,
        },
        "image_size": list(question.image.size),
        "region": None
        if region is None
        else {
            "box": [region.left, region.top, region.right, region.bottom],
            "mode": question.region_mode,
        },
        "answer": answer.text,
        "parsed": answer.extraction.value if answer.extraction else None,
        "validation": {
            "valid": answer.valid,
            "extraction_error": answer.extraction.error if answer.extraction else "",
            "errors": [{"path": e.path, "message": e.message} for e in answer.errors],
        },
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in answer.checks],
        "boxes": [{"label": label, "box": list(box)} for label, box in answer.boxes],
        "repairs": answer.repairs,
        "turns": [stats.as_dict() for stats in answer.stats],
    }


def _export(details: dict[str, Any], answer: Answer, annotated) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="workbench-export-"))
    result = folder / "result.json"
    result.write_text(json.dumps(details, ensure_ascii=False, indent=2), encoding="utf-8")
    files = [str(result)]
    if annotated is not None:
        image = folder / "annotated.png"
        annotated.save(image)
        files.append(str(image))
    return files
