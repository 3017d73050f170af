"""The review's audit log: `review.jsonl` in the run folder, append-only, one action a line::

    {"record", "file", "at" (a value's JSON path, or null for the whole record), "model_value",
     "reviewer_value", "action": "approve" | "correct" | "reject", "reviewer", "time" (UTC ISO),
     "digest" (of the record acted on)}

`append_action` writes one line under an exclusive lock, as the grading marks are written
(`workbench.eval.grading.save_mark`), and reads the log under the same lock first: a reviewer
who acts on a value someone else acted on since the record was shown is told so, and both
actions stay. Nothing is ever rewritten; the latest action on a value is its decision.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.eval.review_records import ReviewError

REVIEW_FILE = "review.jsonl"
ACTIONS = ("approve", "correct", "reject")
RECORD_ACTIONS = ("approve", "reject")  # on a whole record: its values still undecided
NAME_LIMIT = 60  # characters in a reviewer's name

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewAction:
    """One reviewer's action on one value of a record (or on the whole record: `at` None)."""

    record: str
    at: str | None
    model_value: Any
    reviewer_value: Any
    action: str
    reviewer: str
    time: str = ""
    digest: str = ""
    file: str = ""

    @property
    def target(self) -> tuple[str, str | None]:
        """Return (record, at): what the action decides."""
        return self.record, self.at


def checked_name(name: str | None) -> str:
    """Return the reviewer's name trimmed; ReviewError when it is empty or too long."""
    trimmed = name.strip() if isinstance(name, str) else ""
    if not trimmed:
        raise ReviewError("no_name")
    if len(trimmed) > NAME_LIMIT:
        raise ReviewError("long_name", limit=NAME_LIMIT)
    return trimmed


def append_action(
    folder: str | Path, action: ReviewAction, *, seen: int | None = None
) -> tuple[ReviewAction, list[ReviewAction]]:
    """Append `action` to review.jsonl under a lock; return (it as saved, with its time, and
    the actions of others on the same value or record written after the first `seen` lines)."""
    if action.action not in ACTIONS:
        raise ReviewError("bad_action", action=action.action, known=list(ACTIONS))
    saved = replace(action, reviewer=checked_name(action.reviewer), time=_now())
    data = (json.dumps(asdict(saved), ensure_ascii=False) + "\n").encode("utf-8")
    with (Path(folder) / REVIEW_FILE).open("a+b") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
        file.seek(0)
        before = file.read()
        earlier = _unseen(_parse(before.decode("utf-8", "replace")), saved, seen)
        if before and not before.endswith(b"\n"):  # a line cut short by a crash: ours stays whole
            data = b"\n" + data
        file.seek(0, os.SEEK_END)
        file.write(data)  # one write of the whole line
        file.flush()
        os.fsync(file.fileno())
    return saved, earlier


def load_actions(folder: str | Path) -> list[ReviewAction]:
    """Return every action in review.jsonl, in order; [] when there is none yet."""
    path = Path(folder) / REVIEW_FILE
    if not path.exists():
        return []
    return _parse(path.read_text(encoding="utf-8", errors="replace"))


def log_length(folder: str | Path) -> int:
    """Return how many actions the log holds now: what a reviewer has `seen` when shown."""
    return len(load_actions(folder))


def decisions(
    actions: Iterable[ReviewAction], digests: dict[str, str]
) -> dict[tuple[str, str | None], ReviewAction]:
    """Return the latest action on each value (and each whole record), by (record, at).

    Actions on a record whose digest is no longer the record's (the run was rewritten under
    the review) are left out: they judged another answer.
    """
    latest: dict[tuple[str, str | None], ReviewAction] = {}
    for action in actions:
        if digests.get(action.record) == action.digest:
            latest[action.target] = action
    return latest


def _parse(text: str) -> list[ReviewAction]:
    names = {f.name for f in fields(ReviewAction)}
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            action = ReviewAction(**{k: v for k, v in item.items() if k in names})
        except (json.JSONDecodeError, TypeError, AttributeError):
            log.warning("%s line %d is not a whole action, skipped", REVIEW_FILE, number)
            continue
        if action.action in ACTIONS:
            found.append(action)
    return found


def _unseen(
    actions: list[ReviewAction], action: ReviewAction, seen: int | None
) -> list[ReviewAction]:
    """Return the actions after the first `seen` by others on the same value or record."""
    if seen is None:
        return []
    return [
        other
        for other in actions[seen:]
        if other.record == action.record
        and other.reviewer != action.reviewer
        and (other.at == action.at or other.at is None or action.at is None)
    ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
