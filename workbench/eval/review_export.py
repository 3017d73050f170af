"""What a review gives back: the batch exports with its decisions, and a golden set.

`write_reviewed` writes `reviewed.jsonl` and `reviewed.csv` beside the batch's own: every row,
its "reviewed" status, and the answer's JSON with the reviewers' corrections in it (a rejected
value becomes null). `golden_from_review` turns the approved and corrected records into a golden
set (`cases.jsonl` + images, `workbench.eval.golden`'s format), each case with
`"source": "review"`, so `eval` measures the model against what people accepted.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.batch.run import RESULTS, Row, schema_fields, write_table
from workbench.eval.golden import load_cases, write_cases
from workbench.eval.review import (
    Decided,
    decided,
    loaded_presets,
    parse_path,
    record_schema,
    record_status,
    value_decision,
)
from workbench.eval.review_picture import verified_source
from workbench.eval.review_records import ReviewError, ReviewRecord, read_review_folder
from workbench.eval.run import EXAMPLE_LEVELS
from workbench.intake.documents import is_pdf
from workbench.intake.images import ImageError, load_image

REVIEWED_JSONL, REVIEWED_CSV = "reviewed.jsonl", "reviewed.csv"
GOLDEN_DIR = "golden"  # inside the run folder, unless told otherwise
IMAGES = "images"  # inside the golden set


@dataclass(frozen=True)
class GoldenOutcome:
    """What `golden_from_review` wrote, and the records it left out with the reason."""

    folder: Path
    cases: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def reviewed_json(record: ReviewRecord, decided: Decided) -> Any:
    """Return the model's JSON with each decided value as the reviewer left it."""
    document = copy.deepcopy(record.record.get("parsed"))
    for value in record.values:
        action = value_decision(record, value.at, decided)
        if action is not None and action.action != "approve" and action.at is not None:
            document = _put(document, parse_path(value.at), action.reviewer_value)
    return document


def write_reviewed(folder: str | Path) -> tuple[Path, Path]:
    """Write reviewed.jsonl and reviewed.csv beside the batch's exports; return their paths."""
    folder = Path(folder)
    records = read_review_folder(folder)
    decisions = decided(folder, records)
    by_key = {str((r.row or {}).get("key", r.id)): r for r in records}
    lines, rows = [], []
    answers = [{"key": r.id, "file": r.file, "ok": True} for r in records if r.row is None]
    for row in _rows(folder) + answers:
        record = by_key.get(str(row.get("key")))
        status = record_status(record, decisions) if record else ""
        corrected = reviewed_json(record, decisions) if record else None
        fields = dict(row.get("fields") or {})
        if isinstance(corrected, dict):
            fields = {name: corrected.get(name, value) for name, value in fields.items()}
        lines.append({**row, "reviewed": status, "reviewed_json": corrected})
        rows.append(replace(Row.from_dict(row), fields={**fields, "reviewed": status}))
    jsonl = folder / REVIEWED_JSONL
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    jsonl.with_name(jsonl.name + ".part").write_text(text, encoding="utf-8")
    jsonl.with_name(jsonl.name + ".part").replace(jsonl)
    names = schema_fields(record_schema(records[0].record)) if records else ()
    names = names or tuple(dict.fromkeys(n for row in rows for n in row.fields if n != "reviewed"))
    write_table(rows, folder / REVIEWED_CSV, (*names, "reviewed"))
    return jsonl, folder / REVIEWED_CSV


def golden_from_review(folder: str | Path, out: str | Path | None = None) -> GoldenOutcome:
    """Write a golden set of the approved and corrected records of a review; return what was
    written. ReviewError when the folder cannot be reviewed or no record can become a case."""
    folder = Path(folder)
    records = read_review_folder(folder)
    decisions = decided(folder, records)
    target = Path(out) if out is not None else folder / GOLDEN_DIR
    (target / IMAGES).mkdir(parents=True, exist_ok=True)
    cases, skipped = [], []
    for record in records:
        try:
            cases.append(_case(record, decisions, target))
        except ReviewError as error:
            skipped.append((record.file, error.text("en")))
    if not cases:
        raise ReviewError("no_cases", folder=str(folder))
    write_cases(target, cases)
    load_cases(target, presets=loaded_presets())  # what we wrote must read back as a golden set
    return GoldenOutcome(target, len(cases), skipped)


def _case(record: ReviewRecord, decisions: Decided, target: Path) -> dict[str, Any]:
    """Return the golden case of one reviewed record; ReviewError saying why it cannot be."""
    status = record_status(record, decisions)
    if status not in ("approved", "corrected"):
        raise ReviewError("not_accepted", status=status or "not reviewed")
    expected: Any = {}
    for value in record.values:
        action = value_decision(record, value.at, decisions)
        if action is not None and action.action != "reject":
            accepted = value.value if action.action == "approve" else action.reviewer_value
            expected = _put(expected, parse_path(value.at), accepted, grow=True)
    if not expected:
        raise ReviewError("nothing_accepted")
    tab, preset = record.record.get("tab"), record.record.get("preset")
    if record_schema(record.record) is None:
        raise ReviewError("no_preset", tab=str(tab), preset=str(preset))
    case_id = "review-" + re.sub(r"[^A-Za-z0-9_-]+", "-", record.id).strip("-")
    case: dict[str, Any] = {"id": case_id, "image": _image(record, target, case_id)}
    case |= {"tab": tab, "preset": preset, "level": EXAMPLE_LEVELS.get(str(tab), "L1")}
    question = record.record.get("question")
    found = loaded_presets()[tab].get(preset)
    if question and question not in (found.prompt("en")[1], found.prompt("zh")[1]):
        case["question"] = question
    return case | {"expect": {"json": expected}, "source": "review"}


def _image(record: ReviewRecord, target: Path, case_id: str) -> str:
    """Copy (or crop) the record's image into the set; return its path as a case names it."""
    source = verified_source(record)
    if source is None:
        raise ReviewError("no_image", record=record.file)
    if is_pdf(source):
        name = f"{IMAGES}/{case_id}.pdf"
        shutil.copyfile(source, target / name)
        return f"{name}#page={record.page or 1}"
    region = record.record.get("region") or {}
    if region.get("mode") == "crop" and isinstance(region.get("box"), list):
        name = f"{IMAGES}/{case_id}.png"  # the model saw the crop: the case shows it the same
        try:
            load_image(source).crop(tuple(region["box"])).save(target / name)
        except (ImageError, OSError, ValueError) as error:
            raise ReviewError("no_image", record=f"{record.file} ({error})") from error
        return name
    name = f"{IMAGES}/{case_id}{source.suffix.lower()}"
    shutil.copyfile(source, target / name)
    return name


def _put(document: Any, parts: tuple[str | int, ...], value: Any, grow: bool = False) -> Any:
    """Return `document` with `value` at `parts`; `grow` makes the objects and lists on the way
    (a list's earlier places hold {}: nothing to compare)."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(head, int):
        items = list(document) if isinstance(document, list) else []
        if not grow and head >= len(items):
            return document
        items += [{} for _ in range(head + 1 - len(items))]
        items[head] = _put(items[head], rest, value, grow)
        return items
    holder = dict(document) if isinstance(document, dict) else {}
    if not grow and head not in holder:
        return document
    holder[head] = _put(holder.get(head, {}), rest, value, grow)
    return holder


def _rows(folder: Path) -> list[dict[str, Any]]:
    """Return the batch rows, the last per key; [] without a batch."""
    path = folder / RESULTS
    if not path.is_file():
        return []
    latest: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "key" in row:
            latest.pop(row["key"], None)
            latest[row["key"]] = row
    return list(latest.values())
