"""Running one preset over a batch's items, and writing what came of them.

`run_batch` asks the preset's question about each item as `ask` does and yields a `Row` per item
as it finishes. Each row goes to results.jsonl at once, so a crash loses nothing and `resume`
goes on where it stopped; results.csv and annotated.zip are written at the end, or on stop.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from PIL import Image

from workbench.answers.confidence import box_levels
from workbench.answers.drawing import draw_boxes
from workbench.choices import ask_budget, preset_params, render_tokens, strict_choice
from workbench.engines.base import EngineError, GenerationParams, one_line
from workbench.intake import read_intake
from workbench.intake.files import Item, safe_name
from workbench.intake.images import ImageError
from workbench.pipeline import Answer, Finished, ask, make_question
from workbench.prompts.presets import Preset
from workbench.record import result_record
from workbench.session import ModelSession

KEY_FIELDS = 8  # scalar fields of the answer shown as columns
RESULTS, TABLE, ANNOTATED = "results.jsonl", "results.csv", "annotated"
REPAIR_TURNS = 1  # as `ask` and the tabs by default
Progress = Callable[[int, int, Item], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """What came of one item: the error, or the verdict, checks, evidence and key fields."""

    key: str
    file: str
    ok: bool = False
    error: str = ""
    valid: bool | None = None  # None: a free-text preset, or no answer
    checks_passed: int = 0
    checks_total: int = 0
    not_on_image: int | None = None  # values of the answer the OCR did not find
    confidence_level: str | None = None  # the lowest level of any value (docs/confidence.md)
    confidence: dict[str, Any] | None = None  # the record's "confidence"
    fields: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int = 0
    generated_tokens: int = 0  # all turns, repairs included
    seconds: float = 0.0
    annotated: str = ""  # relative to the output folder

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        """Return the row a results.jsonl line holds; other keys (the record) are left out."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True)
class _Plan:
    """How every item is asked: as `ask` asks with the preset and its defaults."""

    preset: Preset
    tab: str | None
    text: str
    params: GenerationParams
    strict: bool
    render_tokens: int  # a PDF page is drawn for this many visual tokens
    fields: tuple[str, ...]
    abstain_below: float | None = None  # None: the preset's
    agreement: int | None = None  # None: the preset's


def run_batch(
    items: Iterable[Item],
    session: ModelSession,
    preset: Preset,
    *,
    out_dir: Path,
    resume: bool = False,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    tab: str | None = None,
    max_new_tokens: int | None = None,
) -> Iterator[Row]:
    """Yield a row per item as it is answered, each appended to results.jsonl at once.

    `stop` set ends the batch after the current item. `resume` skips the items results.jsonl
    already holds. results.csv and annotated.zip come at the end, with the earlier rows too.
    `progress(done, total, item)` is called as each item begins. ModelLoadError when the
    model cannot be loaded.
    """
    out_dir = Path(out_dir)
    (out_dir / ANNOTATED).mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    rows = _read_rows(results) if resume else {}
    if not resume:
        results.unlink(missing_ok=True)
        for old in (out_dir / ANNOTATED).glob("*.png"):
            old.unlink()
    session.get()
    settings = session.settings
    params = preset_params(preset, max_new_tokens)
    budget = ask_budget(preset, settings, session.status)  # capped on the CPU, as `ask` does
    plan = _Plan(
        preset=preset,
        tab=tab,
        text=preset.prompt("en")[1],
        params=replace(params, visual_tokens=budget),
        strict=strict_choice(None, preset, session.status.engine),
        render_tokens=render_tokens(preset, settings),
        fields=schema_fields(preset.schema),
        abstain_below=settings.abstain_below,
        agreement=settings.agreement,
    )
    todo = [item for item in items if item.key not in rows]
    try:
        with results.open("a", encoding="utf-8") as sink:
            for done, item in enumerate(todo):
                if stop is not None and stop.is_set():
                    break
                if progress is not None:
                    progress(done, len(todo), item)
                row, record = _run_one(item, session, plan, out_dir)
                sink.write(json.dumps({**asdict(row), "record": record}, ensure_ascii=False))
                sink.write("\n")
                sink.flush()
                os.fsync(sink.fileno())
                rows[row.key] = row
                yield row
    finally:
        write_table(list(rows.values()), out_dir / TABLE, plan.fields)
        _zip_folder(out_dir / ANNOTATED, out_dir / f"{ANNOTATED}.zip")


def _run_one(
    item: Item, session: ModelSession, plan: _Plan, out_dir: Path
) -> tuple[Row, dict[str, Any] | None]:
    """Return the item's row and its result record (None when it failed)."""
    started = time.monotonic()
    try:
        if item.error:
            raise ValueError(item.error)
        pages = [item.page] if item.page else None
        intake = read_intake(item.path, pages=pages, max_tokens=plan.render_tokens)
        question = make_question(
            intake,
            plan.text,
            plan.params,
            preset=plan.preset,
            evidence=True,
            strict=plan.strict,
            repair_turns=REPAIR_TURNS,
            abstain_below=plan.abstain_below,
            agreement=plan.agreement,
        )
        answer = next(e.answer for e in ask(session, question) if isinstance(e, Finished))
        record = result_record(
            answer,
            question,
            status=session.status,
            tab=plan.tab,
            image_name=item.name,
            image_sha256=intake.digest,
        )
        annotated = _annotate(item, intake.image, answer, out_dir)
    except Exception as error:  # one bad file is a row with its message; the batch goes on
        expected = isinstance(error, ValueError | OSError)  # ImageError is a ValueError
        log.log(logging.INFO if expected else logging.ERROR, "%s failed", item.name, exc_info=True)
        return Row(item.key, item.name, error=_message(error), seconds=_since(started)), None
    row = _answered_row(item, answer, question.schema is not None, plan.fields, annotated)
    return replace(row, seconds=_since(started)), record


def _answered_row(
    item: Item, answer: Answer, structured: bool, names: tuple[str, ...], annotated: str
) -> Row:
    evidence, confidence = answer.evidence, answer.confidence
    return Row(
        item.key,
        item.name,
        ok=True,
        valid=answer.valid if structured else None,
        checks_passed=sum(check.ok for check in answer.checks),
        checks_total=len(answer.checks),
        not_on_image=None if evidence is None else evidence.total - evidence.found,
        confidence_level=confidence.lowest_level if confidence else None,
        confidence=confidence.as_dict() if confidence else None,
        fields=key_values(answer.handed_on, names),  # values under the threshold as null
        prompt_tokens=sum(stats.prompt_tokens for stats in answer.stats),
        generated_tokens=sum(stats.generated_tokens for stats in answer.stats),
        annotated=annotated,
    )


def _annotate(item: Item, image: Image.Image, answer: Answer, out_dir: Path) -> str:
    """Write the image with the model's boxes; return its path relative to `out_dir`."""
    tag = hashlib.sha1(item.key.encode()).hexdigest()[:8]  # two "a.png" in two folders
    relative = f"{ANNOTATED}/{safe_name(item.name)[:80]}-{tag}.png"
    levels = box_levels(answer.confidence, answer.extraction.value if answer.extraction else None)
    draw_boxes(image, answer.boxes, levels).save(out_dir / relative)
    return relative


def _message(error: Exception) -> str:
    if isinstance(error, ImageError):
        return error.text("en")
    if isinstance(error, EngineError):
        return f"{error.reason} {error.hint}".strip()
    return str(error) if isinstance(error, ValueError | OSError) else one_line(error)


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def schema_fields(schema: dict[str, Any] | None) -> tuple[str, ...]:
    """Return the first `KEY_FIELDS` top-level properties of a schema that hold one value."""
    scalar = {"string", "number", "integer", "boolean"}
    properties = (schema or {}).get("properties", {})
    names = []
    for name, spec in properties.items():
        kinds = spec.get("type") if isinstance(spec, dict) else None
        kinds = {kinds} if isinstance(kinds, str) else set(kinds or ())
        if kinds and kinds - {"null"} <= scalar and kinds - {"null"}:
            names.append(name)
    return tuple(names[:KEY_FIELDS])


def key_values(value: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Return the named fields of a JSON object, else its first `KEY_FIELDS` scalar fields."""
    if not isinstance(value, dict):
        return {}
    if names:
        return {name: value[name] for name in names if _scalar(value.get(name))}
    return dict([(k, v) for k, v in value.items() if _scalar(v)][:KEY_FIELDS])


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


# ---------------------------------------------------------------- files


def _read_rows(path: Path) -> dict[str, Row]:
    """Return results.jsonl's rows by key, the last one for a key; a torn last line is left."""
    rows: dict[str, Row] = {}
    if not path.exists():
        return rows
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        try:
            row = Row.from_dict(json.loads(line))
        except (ValueError, TypeError):  # a line cut short by a crash: asked again
            log.warning("a line of %s cannot be read; its item is asked again", path)
            continue
        rows[row.key] = row
    if text and not text.endswith("\n"):
        path.write_text("".join(line + "\n" for line in text.splitlines()), encoding="utf-8")
    return rows


FIXED_COLUMNS = (
    "file",
    "ok",
    "error",
    "valid",
    "checks_passed",
    "checks_total",
    "not_on_image",
    "confidence_level",
)
LAST_COLUMNS = ("prompt_tokens", "generated_tokens", "seconds", "annotated")


def write_table(rows: list[Row], path: Path, names: tuple[str, ...] = ()) -> None:
    """Write the rows as CSV: the verdict columns, a column per key field, tokens and time."""
    names = names or tuple(dict.fromkeys(name for row in rows for name in row.fields))
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow([*FIXED_COLUMNS, *names, *LAST_COLUMNS])
        for row in rows:
            data = asdict(row)
            cells = [data[c] for c in FIXED_COLUMNS]
            cells += [row.fields.get(n, "") for n in names]
            writer.writerow([_cell(cell) for cell in [*cells, *(data[c] for c in LAST_COLUMNS)]])
    partial.replace(path)


def _cell(value: Any) -> Any:
    """Return a CSV cell; text a spreadsheet would run as a formula is quoted with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _zip_folder(folder: Path, target: Path) -> None:
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as archive:  # PNG: compressed
        for png in sorted(folder.glob("*.png")):
            archive.write(png, f"{folder.name}/{png.name}")
    partial.replace(target)


def row_summary(row: Row) -> str:
    """Return a row as one line: the error, or the verdict, checks, evidence and time."""
    if not row.ok:
        return f"error: {row.error}"
    parts = [] if row.valid is None else ["valid" if row.valid else "INVALID"]
    if row.checks_total:
        parts.append(f"checks {row.checks_passed}/{row.checks_total}")
    if row.not_on_image:
        parts.append(f"{row.not_on_image} value(s) not on the image")
    if row.confidence_level:
        parts.append(f"lowest confidence {row.confidence_level}")
    return ", ".join([*parts, f"{row.generated_tokens} tokens, {row.seconds:.1f} s"])
