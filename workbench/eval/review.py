"""The review queue: the values a person should check first, and their actions on them.

`build_queue` orders a review folder's records (`review_records.read_review_folder`) with the
values at "low" or "check" first: the lowest level first, then the lowest score. `act` saves
one reviewer's Approve, Correct or Reject of a value (or Approve / Reject of a whole record) to
the audit log (`review_log`), after checking the name, the record's digest (refused when the
run was rewritten since it was shown) and, for a correction, the preset's JSON Schema at that
value ("abc" for a number is refused, nothing written). `record_status` and `progress` say
where the review stands.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.answers.validation import json_path, validate
from workbench.eval.review_log import (
    RECORD_ACTIONS,
    ReviewAction,
    append_action,
    checked_name,
    decisions,
    load_actions,
)
from workbench.eval.review_records import (
    TO_CHECK,
    ReviewError,
    ReviewRecord,
    find_record,
    read_review_folder,
)

STATUSES = ("approved", "corrected", "rejected", "partly", "")  # "": not reviewed yet
# One step of a JSON path: `.name`, `[3]` or `["odd key"]`.
_STEP = re.compile(r'\.(?P<name>[^.\[\]]+)|\[(?P<index>\d+)\]|\[(?P<quoted>"(?:[^"\\]|\\.)*")\]')
Decided = dict[tuple[str, str | None], ReviewAction]


@dataclass(frozen=True)
class Saved:
    """What `act` wrote, and what others had done to the same value since it was shown."""

    action: ReviewAction
    earlier: tuple[ReviewAction, ...]


def build_queue(records: Sequence[ReviewRecord]) -> list[ReviewRecord]:
    """Return the records to review in order: those with a value at "low" or "check" first,
    the lowest level, then the lowest score first; the rest after, in file order."""
    order = {record.id: index for index, record in enumerate(records)}

    def key(record: ReviewRecord) -> tuple[bool, int, float, int]:
        to_check = any(value.level in TO_CHECK for value in record.values)
        return (not to_check, *record.lowest, order[record.id])

    return sorted(records, key=key)


def decided(folder: str | Path, records: Sequence[ReviewRecord]) -> Decided:
    """Return the latest action on each value and record of the folder still current."""
    return decisions(load_actions(folder), {record.id: record.digest for record in records})


def value_decision(record: ReviewRecord, at: str, decided: Decided) -> ReviewAction | None:
    """Return what decides a value: its own latest action, else the record's, else None."""
    return decided.get((record.id, at)) or decided.get((record.id, None))


def record_status(record: ReviewRecord, decided: Decided) -> str:
    """Return "approved", "corrected", "rejected", "partly" (some values decided) or ""."""
    whole = decided.get((record.id, None))
    if whole is not None and whole.action == "reject":
        return "rejected"
    actions = [value_decision(record, value.at, decided) for value in record.values]
    if not record.values:
        return "approved" if whole is not None else ""
    if not any(actions):
        return ""
    if not all(actions):
        return "partly"
    changed = any(action.action != "approve" for action in actions if action)
    return "corrected" if changed else "approved"


def progress(records: Sequence[ReviewRecord], decided: Decided) -> tuple[int, int]:
    """Return (records reviewed to the end, records in the queue)."""
    done = sum(record_status(record, decided) not in ("", "partly") for record in records)
    return done, len(records)


def act(
    folder: str | Path,
    record_id: str,
    digest: str,
    reviewer: str | None,
    action: str,
    *,
    at: str | None = None,
    text: str | None = None,
    seen: int | None = None,
) -> Saved:
    """Save a reviewer's action on a value (`at`) or a whole record; return it as saved.

    ReviewError, nothing written, for an empty name, a record rewritten since it was shown
    (`digest`), a value the record lacks, or a correction that breaks the preset's schema.
    """
    name = checked_name(reviewer)
    record = find_record(read_review_folder(folder), record_id)
    if record.digest != digest:
        raise ReviewError("changed", record=record.file)
    if at is None:
        if action not in RECORD_ACTIONS:
            raise ReviewError("record_action", action=action)
        model_value = reviewer_value = None
    else:
        model_value = record.value(at).value
        reviewer_value = {"approve": model_value, "reject": None}.get(action)
        if action == "correct":
            reviewer_value = correction(record, at, text)
    entry = ReviewAction(
        record.id, at, model_value, reviewer_value, action, name, digest=digest, file=record.file
    )
    saved, earlier = append_action(folder, entry, seen=seen)
    return Saved(saved, tuple(earlier))


# ---------------------------------------------------------------- corrections


def correction(record: ReviewRecord, at: str, text: str | None) -> Any:
    """Return the reviewer's text as the JSON value the schema wants at `at`.

    "12.5" is a number where the schema wants one and text where it wants text; "null" is
    null. ReviewError naming the value and what the schema wants when no reading fits.
    """
    raw = (text or "").strip()
    if not raw:
        raise ReviewError("empty_value", at=at)
    model_value = record.value(at).value
    schema = record_schema(record.record) or _schema_of(model_value)
    parts = parse_path(at)
    problem: Any = ""
    for candidate in _readings(raw, model_value):
        document = _with_value(record.record.get("parsed"), parts, candidate, at)
        wanted = json_path(parts)
        errors = [e for e in validate(document, schema) if _under(e.path, wanted)]
        if not errors:
            return candidate
        problem = problem or errors[0]
    raise ReviewError("bad_value", at=at, value=raw, problem=problem)


def parse_path(at: str) -> tuple[str | int, ...]:
    """Return the steps of a JSON path: "$.items[0].amount" (or "items[0].amount") as
    ("items", 0, "amount"); ReviewError for a path that is not one."""
    rest = at[1:] if at.startswith("$") else at
    if rest and not rest.startswith((".", "[")):
        rest = "." + rest
    parts: list[str | int] = []
    while rest:
        match = _STEP.match(rest)
        if match is None:
            raise ReviewError("no_value", at=at, record="")
        if match["name"] is not None:
            parts.append(match["name"])
        elif match["index"] is not None:
            parts.append(int(match["index"]))
        else:
            parts.append(json.loads(match["quoted"]))
        rest = rest[match.end() :]
    return tuple(parts)


@functools.lru_cache(maxsize=1)
def loaded_presets() -> dict[str, Any]:
    """Return the app's preset files by tab, read once."""
    from workbench.prompts.presets import load_all  # the preset files, only when asked

    return load_all()


def record_schema(record: dict[str, Any]) -> dict[str, Any] | None:
    """Return the JSON Schema of the record's tab and preset, None when it has none."""
    found = loaded_presets().get(str(record.get("tab")))
    name = record.get("preset")
    if found is None or isinstance(found, Exception) or name not in getattr(found, "names", ()):
        return None
    return found.get(name).schema


def _schema_of(value: Any) -> dict[str, Any]:
    """Return the schema a value's own JSON type gives, or null, when the preset gives none."""
    kinds = {bool: "boolean", int: "number", float: "number", str: "string"}
    kind = kinds.get(type(value))
    return {"type": [kind, "null"]} if kind else {}


def _readings(raw: str, model_value: Any) -> list[Any]:
    """Return the ways to read the text: as JSON and as text, the model's kind first."""
    try:
        as_json = json.loads(raw)
    except json.JSONDecodeError:
        return [raw]
    if as_json == raw:
        return [raw]
    return [raw, as_json] if isinstance(model_value, str) else [as_json, raw]


def _with_value(parsed: Any, parts: tuple[str | int, ...], value: Any, at: str) -> Any:
    """Return a copy of the model's JSON with `value` at `parts`."""
    if not parts:
        return value
    document = copy.deepcopy(parsed)
    holder = document
    try:
        for part in parts[:-1]:
            holder = holder[part]
        if parts[-1] not in holder if isinstance(holder, dict) else parts[-1] >= len(holder):
            raise KeyError(parts[-1])
        holder[parts[-1]] = value
    except (KeyError, IndexError, TypeError):
        raise ReviewError("no_value", at=at, record="") from None
    return document


def _under(path: str, wanted: str) -> bool:
    return path == wanted or path.startswith((wanted + ".", wanted + "["))
