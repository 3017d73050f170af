"""What the Review tab shows of a run: the run folders offered, the queue, one record's view.

Pure helpers over `workbench.eval.review*` (no events here); `tabs.review` wires them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from tabs.wording import say
from workbench.batch.run import RESULTS
from workbench.eval.review import (
    Decided,
    build_queue,
    decided,
    progress,
    record_status,
    value_decision,
)
from workbench.eval.review_log import log_length
from workbench.eval.review_picture import review_picture
from workbench.eval.review_records import (
    ANSWERS,
    LEVEL_ORDER,
    TO_CHECK,
    ReviewError,
    ReviewRecord,
    read_review_folder,
)

DEPTH = 2  # run folders are looked for this many levels under each root
QUEUE_COLUMNS = ["#", "file", "lowest", "score", "status"]
VALUE_COLUMNS = ["value", "model", "score", "level", "reasons", "decided"]


def columns(names: list[str], language: str) -> list[str]:
    """Return a table's column names in the page's language."""
    return [name if name == "#" else say(f"review.col.{name}", language) for name in names]


def level_word(level: str, language: str) -> str:
    """Return a confidence level in the page's language (an unknown one as it is)."""
    return say(f"review.level.{level}", language) if level in LEVEL_ORDER else level


def run_folders(roots: dict[str, Path]) -> list[str]:
    """Return the review folders under each root as "root/relative" choices, none leading out."""
    found = []
    for name, root in roots.items():
        root = Path(root).resolve()
        if not root.is_dir():
            continue
        for depth in range(DEPTH + 1):
            for folder in sorted(root.glob("*/" * depth)) if depth else [root]:
                if folder.resolve().is_relative_to(root) and _is_run(folder):
                    found.append(f"{name}/{folder.relative_to(root).as_posix()}".rstrip("/."))
    return found


def _is_run(folder: Path) -> bool:
    """Return whether a folder holds batch rows with records, or answers sent to review."""
    if any((folder / ANSWERS).glob("*.json")):
        return True
    try:
        with (folder / RESULTS).open(encoding="utf-8") as file:
            first = json.loads(file.readline() or "null")
    except (OSError, ValueError):
        return False
    return isinstance(first, dict) and "record" in first


def folder_path(roots: dict[str, Path], choice: str | None) -> Path:
    """Return the folder of a choice; ReviewError unless it is one offered."""
    if not choice:
        raise ReviewError("no_folder")
    if choice not in run_folders(roots):
        raise ReviewError("unknown_folder", folder=choice)
    root, _, relative = choice.partition("/")
    return Path(roots[root]).resolve() / relative


def queue(folder: Path) -> tuple[list[ReviewRecord], Decided]:
    """Return the folder's records in queue order and the decisions on them."""
    records = build_queue(read_review_folder(folder))
    return records, decided(folder, records)


def queue_table(records: list[ReviewRecord], decisions: Decided, language: str) -> pd.DataFrame:
    """Return the queue as its list shows it."""
    rows = []
    for number, record in enumerate(records, start=1):
        rank, score = record.lowest
        level = min(record.values, key=lambda v: (v.rank, v.score)).level if record.values else ""
        status = status_word(record_status(record, decisions), language)
        shown = [level_word(level, language), f"{score:.2f}" if rank < 3 else "", status]
        rows.append([str(number), record.file, *shown])
    return pd.DataFrame(rows, columns=columns(QUEUE_COLUMNS, language))


def status_word(status: str, language: str) -> str:
    """Return a record's status in the page's language."""
    return say(f"review.status.{status or 'none'}", language)


def first_to_check(record: ReviewRecord, decisions: Decided) -> str | None:
    """Return the path of the value to look at first: undecided, least certain; else the first."""
    open_ = [v for v in record.values if value_decision(record, v.at, decisions) is None]
    pool = open_ or list(record.values)
    if not pool:
        return None
    return min(pool, key=lambda v: (v.level not in TO_CHECK, v.rank, v.score)).at


def values_table(record: ReviewRecord, decisions: Decided, language: str) -> pd.DataFrame:
    """Return the record's values: path, model's value, score, level, reasons, decision."""
    rows = []
    for value in record.values:
        action = value_decision(record, value.at, decisions)
        done = ""
        if action is not None:
            shown = say(f"review.action.{action.action}", language)
            done = f"{shown} · {action.reviewer}"
            if action.action == "correct":
                done += f" → {shown_value(action.reviewer_value)}"
        reasons = "; ".join(value.reasons)
        level = level_word(value.level, language)
        score = f"{value.score:.2f}"
        rows.append([value.at, shown_value(value.value), score, level, reasons, done])
    return pd.DataFrame(rows, columns=columns(VALUE_COLUMNS, language))


def shown_value(value: Any) -> str:
    """Return a value as the reviewer edits it: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def record_view(
    folder: Path, records: list[ReviewRecord], decisions: Decided, index: int, at: str | None
) -> dict[str, Any]:
    """Return what the tab shows of the record at `index`, the value `at` picked (or the first
    to check): its header, picture, values, the value's text and the state to keep."""
    record = records[index]
    at = at if at in {v.at for v in record.values} else first_to_check(record, decisions)
    value = record.value(at).value if at else None
    return {
        "record": record,
        "at": at,
        "choices": [v.at for v in record.values],
        "text": "" if at is None else shown_value(value),
        "picture": review_picture(record, at),
        "state": {
            "index": index,
            "id": record.id,
            "digest": record.digest,
            "seen": log_length(folder),
        },
        "progress": progress(records, decisions),
    }
