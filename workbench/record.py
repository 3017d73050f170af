"""The record of one answer: JSON-ready data for the UI's result.json and `ask --json`.

Keys are stable: scripts read them. No dict in it has a "path" key (schema errors say "at"):
API clients such as gradio_client take any dict with a "path" for a file. `parsed` is the
model's own JSON, copied as it was read; `answer_json` is the JSON handed on, with the values
under the abstain threshold as null; `confidence` scores each value (docs/confidence.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from workbench.answers.checks import CheckResult
from workbench.evidence.match import evidence_json
from workbench.pipeline import Answer, PixelBox, Question
from workbench.session import Status


def result_record(
    answer: Answer,
    question: Question,
    *,
    status: Status,
    tab: str | None,
    image_name: str,
    image_sha256: str,
    asked_at: datetime | None = None,
) -> dict[str, Any]:
    """Return what was asked, of which model, with which settings, and what came back."""
    extraction = answer.extraction
    return {
        "asked_at": _utc(asked_at or datetime.now(UTC)),
        "model": status.model,
        "random_weights": status.random_weights,
        "device": status.device,
        "dtype": status.dtype,
        "engine": status.engine,
        "tab": tab,
        "preset": question.preset,
        "language": question.language,
        "role": question.role,
        "question": question.question,
        "parameters": _parameters(question),
        "image_name": image_name,
        "image_sha256": image_sha256,
        "image_size": list(question.image.size),
        "region": _region(question),
        "pages": list(question.page_numbers) or None,  # a document's pages, 1-based
        "enhanced": list(question.enhanced),  # what was done to the image before the model
        "history_left_out": answer.left_out,
        "answer": answer.text,
        "parsed": extraction.value if extraction else None,
        "answer_json": answer.handed_on,
        "confidence": answer.confidence.as_dict() if answer.confidence else None,
        "validation": {
            "valid": answer.valid,
            "extraction_error": extraction.error if extraction else "",
            "errors": [{"at": error.path, "message": error.message} for error in answer.errors],
        },
        "checks": checks_json(answer.checks),
        "boxes": boxes_json(answer.boxes),
        "evidence": evidence_json(answer.evidence, path_key="at"),  # not "path": see above
        "repairs": list(answer.repairs),
        "turns": [stats.as_dict() for stats in answer.stats],
    }


def checks_json(checks: Sequence[CheckResult]) -> list[dict[str, Any]]:
    """Return the domain checks as records keep them: [{"name", "ok", "detail"}], in English."""
    return [{"name": check.name, "ok": check.ok, "detail": check.detail} for check in checks]


def boxes_json(boxes: Sequence[tuple[str, PixelBox]]) -> list[dict[str, Any]]:
    """Return the answer's boxes as records keep them: [{"label", "box": [x0, y0, x1, y1]}]."""
    return [{"label": label, "box": list(box)} for label, box in boxes]


def _parameters(question: Question) -> dict[str, Any]:
    """Return the settings the answer was made and checked with."""
    params, alarm = question.params, question.check_context
    budget = params.visual_tokens
    return {
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_new_tokens": params.max_new_tokens,
        "visual_tokens": None if budget is None else list(budget),  # (min, max) per image
        "strict": question.strict,
        "repair_turns": question.repair_turns,
        "alarm": None
        if alarm.threshold is None
        else {"threshold": alarm.threshold, "direction": alarm.threshold_direction},
    }


def _region(question: Question) -> dict[str, Any] | None:
    region = question.region
    if region is None:
        return None
    return {"box": list(region.as_box()), "mode": question.region_mode}


def _utc(moment: datetime) -> str:
    """Return ISO 8601 in UTC to the second, like 2025-01-31T09:30:00Z; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
