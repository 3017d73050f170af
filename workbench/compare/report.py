"""A comparison as a bug report to file: Markdown, JSON, annotated images and crops in a zip.

The Markdown is laid out as a bug tracker takes an issue: a title, steps to reproduce, what was
expected, what happened (the changes, the text cut short, the lines under AA contrast), and the
attachments, all of which are in the zip beside it.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from workbench.compare.drawing import draw_comparison, draw_contrast
from workbench.compare.models import Box, Change, Comparison
from workbench.messages import word

CROP_MARGIN = 16  # pixels around a change in its crop
CROP_GAP = 12  # pixels between the before and after crops


def write_report(
    out: Path,
    before_name: str,
    after_name: str,
    before: Image.Image,
    after: Image.Image,
    comparison: Comparison,
    defects: list[dict] | None = None,
    language: str = "en",
) -> Path:
    """Return the zip written at `out`: report.md, report.json, before.png, after.png, crops/."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    marked_before, marked_after = draw_comparison(before, after, comparison)
    if comparison.contrast_before or comparison.contrast_after:
        marked_before = draw_contrast(marked_before, comparison.contrast_before)
        marked_after = draw_contrast(marked_after, comparison.contrast_after)
    crops = {
        f"crops/change-{c.number}.png": change_crop(before, after, c) for c in comparison.changes
    }
    attachments = ["before.png", "after.png", *crops, "report.json"]
    by_change = {int(d["change"]): d for d in defects or [] if str(d.get("change", "")).isdigit()}
    markdown = report_markdown(
        before_name, after_name, comparison, by_change, attachments, language
    )
    record = {
        "title": _title(before_name, after_name, comparison, by_change, language),
        "before": before_name,
        "after": after_name,
        "comparison": comparison.as_dict(),
        "defects": list(defects or []),
        "attachments": attachments,
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.md", markdown)
        archive.writestr("report.json", json.dumps(record, ensure_ascii=False, indent=2))
        archive.writestr("before.png", _png(marked_before))
        archive.writestr("after.png", _png(marked_after))
        for name, crop in crops.items():
            archive.writestr(name, _png(crop))
    return out


def report_markdown(
    before_name: str,
    after_name: str,
    comparison: Comparison,
    defects: dict[int, dict[str, Any]],
    attachments: list[str],
    language: str = "en",
) -> str:
    """Return the report's Markdown: title, steps, expected, actual, attachments."""

    def say(key: str, **facts: object) -> str:
        return word(f"compare.report.{key}", language, **facts)

    lines = [f"# {_title(before_name, after_name, comparison, defects, language)}", ""]
    lines += [f"## {say('steps')}", ""]
    steps = (say("step_before", before=before_name), say("step_after", after=after_name))
    lines += [f"{n}. {step}" for n, step in enumerate((*steps, say("step_compare")), start=1)]
    lines += ["", f"## {say('expected')}", "", say("expected_text"), "", f"## {say('actual')}", ""]
    if comparison.problem:
        lines += [say("problem", reason=comparison.problem_text(language)), ""]
    if comparison.changes:
        lines += [say("table"), "|---|---|---|---|---|---|"]
        lines += [
            _row(change, defects.get(change.number), language) for change in comparison.changes
        ]
    elif not comparison.problem:
        lines.append(say("no_changes"))
    if comparison.truncations:
        lines += ["", f"### {say('cut')}", ""]
        lines += [
            f"- {t.side}: {_quoted(t.text)} ({t.reason}) at {list(t.box)}"
            for t in comparison.truncations
        ]
    failing = [("before", line) for line in comparison.contrast_before if not line.aa]
    failing += [("after", line) for line in comparison.contrast_after if not line.aa]
    if failing:
        lines += ["", f"### {say('contrast')}", ""]
        lines += [
            f"- {side}: {_quoted(line.text)} {line.ratio:.2f}:1 ({line.foreground} on "
            f"{line.background}{', large' if line.large else ''}) at {list(line.box)}"
            for side, line in failing
        ]
    lines += ["", f"## {say('attachments')}", ""]
    lines += [f"- [{name}]({name})" for name in attachments]
    return "\n".join(lines) + "\n"


def change_crop(before: Image.Image, after: Image.Image, change: Change) -> Image.Image:
    """Return the change cut out of each image it is on, side by side at before's scale."""
    scale = before.width / after.width
    parts = []
    if change.before_box is not None:
        parts.append(before.crop(_padded(change.before_box, before.size, CROP_MARGIN)))
    if change.after_box is not None:
        crop = after.crop(_padded(change.after_box, after.size, round(CROP_MARGIN / scale)))
        size = (max(1, round(crop.width * scale)), max(1, round(crop.height * scale)))
        parts.append(crop.resize(size, Image.Resampling.LANCZOS) if scale != 1 else crop)
    width = sum(part.width for part in parts) + CROP_GAP * (len(parts) - 1)
    sheet = Image.new("RGB", (max(1, width), max(part.height for part in parts)), "white")
    x = 0
    for part in parts:
        sheet.paste(part.convert("RGB"), (x, 0))
        x += part.width + CROP_GAP
    return sheet


def _title(before: str, after: str, comparison: Comparison, defects: dict, language: str) -> str:
    count = sum(1 for d in defects.values() if d.get("defect"))
    return word(
        "compare.report.title",
        language,
        before=before,
        after=after,
        count=len(comparison.changes),
        defects=count,
    )


def _row(change: Change, defect: dict[str, Any] | None, language: str) -> str:
    verdict = ""
    if defect is not None:
        key = "compare.report.defect" if defect.get("defect") else "compare.report.not_defect"
        verdict = word(
            key, language, severity=defect.get("severity", ""), why=defect.get("why", "")
        )
    cells = (
        str(change.number),
        change.kind,
        _quoted(change.before_text),
        _quoted(change.after_text),
        change.detail,
        verdict,
    )
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |"


def _quoted(text: str) -> str:
    return f"“{text}”" if text else "—"


def _padded(box: Box, size: tuple[int, int], margin: int) -> Box:
    x0, y0, x1, y1 = box
    return (
        max(0, x0 - margin),
        max(0, y0 - margin),
        min(size[0], x1 + margin),
        min(size[1], y1 + margin),
    )


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=False)
    return buffer.getvalue()
