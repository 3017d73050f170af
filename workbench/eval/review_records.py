"""What a review reads: the answered records of a batch run folder, or single answers sent to it.

A review folder is a batch run folder (`results.jsonl`, a row a file, each with its result
record under "record"; `annotated/` beside it) and/or an `answers/` folder of single answers
sent to review: `answers/<name>.json` (a result record, as result.json holds it) with its image
beside it as `answers/<name>.<suffix>`. Every answered record must carry "confidence" (the
per-value scores a review is ordered by); a folder written before that is refused by name.

A record's id is stable across readings: `answers/<name>` for a single answer, and for a batch
row the same 8-character tag of its key that names its annotated image.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.answers.confidence import LEVELS
from workbench.batch.run import RESULTS
from workbench.intake.files import safe_name
from workbench.messages import word

ANSWERS = "answers"  # single answers sent to review, inside the review folder
SOURCES = "sources"  # a run sent to review: its copies of the files its rows asked about
# The confidence levels, lowest first (LEVELS gives each its lower bound).
LEVEL_ORDER = tuple(name for name, _ in sorted(LEVELS, key=lambda level: level[1]))
TO_CHECK = frozenset(LEVEL_ORDER[:2])  # values a person should look at first


class ReviewError(ValueError):
    """A review request that cannot be served; the message says why and what to do."""

    def __init__(self, key: str, **facts: object) -> None:
        self.key, self.facts = key, facts
        super().__init__(self.text("en"))

    def text(self, language: str = "en") -> str:
        """Return the message in `language` ("en" or "zh"); a fact that words itself (a schema
        error) is worded in it too."""
        facts = {
            name: fact.text(language) if callable(getattr(fact, "text", None)) else fact
            for name, fact in self.facts.items()
        }
        return word(f"review.{self.key}", language, **facts)


@dataclass(frozen=True)
class ReviewValue:
    """One value of an answer as its confidence scored it."""

    at: str  # the JSON path, as the record's evidence names it: "$.items[0].amount"
    value: Any  # the model's value, before any abstaining
    score: float
    level: str  # "high" | "check" | "low"
    reasons: tuple[str, ...] = ()

    @property
    def rank(self) -> int:
        """Return the level's place, lowest first (an unknown level counts as lowest)."""
        return LEVEL_ORDER.index(self.level) if self.level in LEVEL_ORDER else 0


@dataclass(frozen=True)
class ReviewRecord:
    """One answered record to review: where it came from, its values, and a digest of it."""

    id: str
    file: str  # as the batch rows name it: "scans/a.png", "b.pdf#page=2"
    record: dict[str, Any]
    digest: str  # of the record's JSON: an action on a rewritten record is refused
    values: tuple[ReviewValue, ...]
    source: Path | None = None  # the file the model was asked about, when it is still there
    page: int | None = None  # 1-based, of a PDF
    annotated: Path | None = None  # the batch's picture with the model's boxes
    row: dict[str, Any] | None = None  # the batch row, without its record

    @property
    def lowest(self) -> tuple[int, float]:
        """Return (the lowest level's rank, the lowest score): the queue's order."""
        if not self.values:
            return len(LEVEL_ORDER), 1.0
        return min(v.rank for v in self.values), min(v.score for v in self.values)

    def value(self, at: str) -> ReviewValue:
        """Return the value at `at`; ReviewError when the record has none there."""
        for each in self.values:
            if each.at == at:
                return each
        raise ReviewError("no_value", at=at, record=self.file)


def read_review_folder(folder: str | Path) -> list[ReviewRecord]:
    """Return the answered records of a review folder, batch rows first, in file order.

    ReviewError when the folder is missing, holds neither rows nor answers, or holds a record
    written before confidence was recorded.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReviewError("missing", folder=str(folder))
    rows, answers = folder / RESULTS, folder / ANSWERS
    if not rows.is_file() and not any(answers.glob("*.json")):
        raise ReviewError("not_a_run", folder=str(folder))
    records = _batch_records(folder) if rows.is_file() else []
    return records + _single_answers(answers)


def record_digest(record: dict[str, Any]) -> str:
    """Return the SHA-256 of a record's JSON, keys sorted: the same for the same record."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_record(records: list[ReviewRecord], record_id: str) -> ReviewRecord:
    """Return the record with `record_id`; ReviewError when the folder no longer holds it."""
    for record in records:
        if record.id == record_id:
            return record
    raise ReviewError("gone", record=record_id)


def send_answer(folder: str | Path, record: dict[str, Any], image: str | Path) -> str:
    """Put a single answer (its result record and image) into `folder`/answers; return its id."""
    _confidence(record, str(record.get("image_name") or "the answer"))
    target = Path(folder) / ANSWERS
    target.mkdir(parents=True, exist_ok=True)
    stem = f"{safe_name(Path(str(record.get('image_name') or 'answer')).stem)[:60]}"
    stem += f"-{record_digest(record)[:8]}"
    shutil.copyfile(image, target / f"{stem}{Path(image).suffix.lower()}")
    (target / f"{stem}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return f"{ANSWERS}/{stem}"


# ---------------------------------------------------------------- reading


def _batch_records(folder: Path) -> list[ReviewRecord]:
    """Return the answered rows of results.jsonl, the last row of a key (a resume asks again)."""
    latest: dict[str, dict[str, Any]] = {}
    text = (folder / RESULTS).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            if number == len(text.splitlines()):
                continue  # cut short by a crash: the batch's resume asks it again
            raise ReviewError("unreadable", file=RESULTS, line=number) from None
        if not isinstance(row, dict) or "key" not in row or "record" not in row:
            raise ReviewError("not_a_run", folder=str(folder))
        latest.pop(row["key"], None)
        latest[row["key"]] = row
    return [_batch_record(folder, row) for row in latest.values() if row.get("record")]


def _batch_record(folder: Path, row: dict[str, Any]) -> ReviewRecord:
    record = row["record"]
    name = str(row.get("file") or row["key"])
    values = _confidence(record, name)
    source, page = _source(folder, str(row["key"]))
    annotated = folder / row["annotated"] if row.get("annotated") else None
    return ReviewRecord(
        id=hashlib.sha1(str(row["key"]).encode()).hexdigest()[:8],  # as batch names its PNG
        file=name,
        record=record,
        digest=record_digest(record),
        values=values,
        source=source,
        page=page,
        annotated=annotated if annotated and annotated.is_file() else None,
        row={key: value for key, value in row.items() if key != "record"},
    )


def _single_answers(folder: Path) -> list[ReviewRecord]:
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise ReviewError("unreadable", file=f"{ANSWERS}/{path.name}", line=1) from None
        if not isinstance(record, dict):
            raise ReviewError("unreadable", file=f"{ANSWERS}/{path.name}", line=1)
        images = [p for p in folder.glob(f"{path.stem}.*") if p.suffix.lower() != ".json"]
        pages = record.get("pages") or [None]
        records.append(
            ReviewRecord(
                id=f"{ANSWERS}/{path.stem}",
                file=str(record.get("image_name") or path.stem),
                record=record,
                digest=record_digest(record),
                values=_confidence(record, path.name),
                source=images[0] if images else None,
                page=pages[0],
            )
        )
    return records


def _confidence(record: dict[str, Any], name: str) -> tuple[ReviewValue, ...]:
    """Return a record's scored values; ReviewError when it has no confidence (an older run)."""
    if "confidence" not in record:
        raise ReviewError("older", record=name)
    confidence = record["confidence"]
    if confidence is None:  # nothing scored: a free-text answer
        return ()
    if not isinstance(confidence, dict) or not isinstance(confidence.get("values"), list):
        raise ReviewError("older", record=name)
    values = []
    for each in confidence["values"]:
        if isinstance(each, dict) and isinstance(each.get("at"), str):
            score = each.get("score")
            values.append(
                ReviewValue(
                    at=each["at"],
                    value=each.get("value"),
                    score=float(score) if isinstance(score, int | float) else 0.0,
                    level=str(each.get("level") or "low"),
                    reasons=tuple(str(reason) for reason in each.get("reasons") or ()),
                )
            )
    return tuple(values)


def source_copy(folder: Path, path: str) -> Path:
    """Return where a run sent to review keeps its copy of the file at `path` (a batch row's
    file lives in Gradio's upload folder, which ages it out)."""
    return folder / SOURCES / hashlib.sha256(path.encode()).hexdigest()[:16] / Path(path).name


def _source(folder: Path, key: str) -> tuple[Path | None, int | None]:
    """Return the file a batch row asked about (and its page), when it is still there.

    A key is the file's resolved path, `#page=N` for a PDF's page, `!member` for a zip's
    member, whose unpacked copy the Batch tab keeps in the run's `unpacked/` folder.
    """
    path, _, page = key.partition("#page=")
    number = int(page) if page.isdigit() else None
    _, _, member = path.partition("!")
    if not member:
        for found in (Path(path), source_copy(folder, path)):  # a sent run's copy outlives it
            if found.is_file():
                return found, number
        return None, number
    for found in sorted((folder / "unpacked").glob(f"*/{member}")):
        if found.is_file():
            return found, number
    return None, number
