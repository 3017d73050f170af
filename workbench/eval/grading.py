"""Human grading of an eval run: two graders mark every answer, a third arbitrates.

Marks live beside the results in `marks.jsonl`, append-only, one JSON object a line::

    {"case", "turn" (0-based), "model": "a" | "b" | null, "grader",
     "mark": "correct" | "wrong" | "hallucinated", "role": "grader" | "arbiter", "at" (UTC ISO)}

`save_mark` appends one line under an exclusive lock, so graders saving at once lose nothing;
`load_marks` reads them back, a grader's later mark of an answer replacing the earlier one.
`queue_for` gives a grader the answers still to mark (never anyone else's marks),
`agreement_report` the two graders' agreement, Cohen's κ and the disagreements for the arbiter,
and `final_marks` the mark each answer ends with; `regrade` applies those to the results.
"""

from __future__ import annotations

import copy
import fcntl
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from workbench.eval.run import RESULTS_FILE, model_runs
from workbench.eval.scoring import agreement, cohens_kappa

MARKS_FILE = "marks.jsonl"
MARKS = ("correct", "wrong", "hallucinated")
ROLES = ("grader", "arbiter")
MODELS = ("a", "b")
NAME_LIMIT = 60  # characters in a grader's name

log = logging.getLogger(__name__)


class AnswerKey(NamedTuple):
    """One answer to grade: a turn of a case, by model "a" or "b" (None with one model)."""

    case: str
    turn: int
    model: str | None


@dataclass(frozen=True)
class Mark:
    """One grader's mark of one answer, as a line of marks.jsonl."""

    case: str
    turn: int
    model: str | None
    grader: str
    mark: str
    role: str = "grader"
    at: str = ""

    @property
    def answer(self) -> AnswerKey:
        return AnswerKey(self.case, self.turn, self.model)


# ---------------------------------------------------------------- files


def load_results(results_dir: str | Path) -> list[dict[str, Any]]:
    """Return the lines of `results_dir`/results.jsonl (a line cut short at the end skipped)."""
    return [item for _, item in _json_lines(Path(results_dir) / RESULTS_FILE)]


def save_mark(results_dir: str | Path, mark: Mark) -> Mark:
    """Append `mark` to marks.jsonl beside the results and return it as saved (name trimmed, time
    set); ValueError when the name, mark, role or answer is not valid for these results."""
    folder = Path(results_dir)
    saved = replace(mark, grader=_checked_name(mark.grader), at=_now())
    if saved.mark not in MARKS:
        raise ValueError(f"mark must be one of {', '.join(MARKS)}, not {saved.mark!r}")
    if saved.role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {saved.role!r}")
    _check_answer(saved.answer, load_results(folder))
    if saved.role == "arbiter":
        _check_arbiter(saved, load_marks(folder))
    data = (json.dumps(asdict(saved), ensure_ascii=False) + "\n").encode("utf-8")
    with (folder / MARKS_FILE).open("a+b") as file:
        fcntl.flock(file, fcntl.LOCK_EX)  # released when the file closes
        file.seek(0, os.SEEK_END)
        if file.tell():
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":  # a line cut short by a crash: keep ours whole after it
                data = b"\n" + data
        file.write(data)  # one write of the whole line
        file.flush()
        os.fsync(file.fileno())
    return saved


def load_marks(results_dir: str | Path) -> list[Mark]:
    """Return the marks saved beside the results, in order, a grader's later mark of an answer
    replacing the earlier one; [] when there are none."""
    path = Path(results_dir) / MARKS_FILE
    if not path.exists():
        return []
    latest: dict[tuple[AnswerKey, str], Mark] = {}
    for number, item in _json_lines(path):
        try:
            mark = Mark(**item)
        except TypeError as error:
            log.warning("%s line %d skipped: %s", path, number, error)
            continue
        if mark.mark not in MARKS or mark.role not in ROLES:
            log.warning("%s line %d skipped: mark %r, role %r", path, number, mark.mark, mark.role)
            continue
        latest.pop((mark.answer, mark.grader), None)  # re-inserted last: file order kept
        latest[(mark.answer, mark.grader)] = mark
    return list(latest.values())


def _json_lines(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    """Yield (line number, object) for each line of a JSON-lines file; a line that is not JSON
    (cut short by a crash) is skipped with a warning."""
    with path.open(encoding="utf-8") as file:
        for number, text in enumerate(file, start=1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except json.JSONDecodeError:
                log.warning("%s line %d is not whole JSON, skipped", path, number)
                continue
            if isinstance(item, dict):
                yield number, item


def _checked_name(name: str) -> str:
    trimmed = name.strip() if isinstance(name, str) else ""
    if not trimmed:
        raise ValueError("the grader's name is empty")
    if len(trimmed) > NAME_LIMIT:
        raise ValueError(f"the grader's name is {len(trimmed)} characters; at most {NAME_LIMIT}")
    if not trimmed.isprintable():
        raise ValueError("the grader's name has a control character")
    return trimmed


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _check_answer(key: AnswerKey, results: Sequence[dict[str, Any]]) -> None:
    """Raise ValueError unless `key` is an answer in the results."""
    line = next((line for line in results if line["id"] == key.case), None)
    if line is None:
        raise ValueError(f"case {key.case!r} is not in {RESULTS_FILE}")
    two = "a" in line
    if two and key.model not in MODELS:
        raise ValueError(f"case {key.case!r} has two models: model must be 'a' or 'b'")
    if not two and key.model is not None:
        raise ValueError(f"case {key.case!r} has one model: model must be null")
    turns = model_runs(line)[MODELS.index(key.model) if two else 0]["turns"]
    if isinstance(key.turn, bool) or not isinstance(key.turn, int):
        raise ValueError(f"turn must be a whole number, not {key.turn!r}")
    if not 0 <= key.turn < len(turns):
        raise ValueError(f"case {key.case!r} has turns 0 to {len(turns) - 1}, not {key.turn}")


def _check_arbiter(mark: Mark, marks: Iterable[Mark]) -> None:
    """Raise ValueError when the arbiter graded this answer: the arbiter is a third person."""
    graders = {m.grader for m in marks if m.answer == mark.answer and m.role == "grader"}
    if mark.grader in graders:
        raise ValueError(f"{mark.grader} graded this answer and cannot arbitrate it")


# ---------------------------------------------------------------- the protocol


def answers(results: Sequence[dict[str, Any]]) -> list[AnswerKey]:
    """Return every answer in the results: each turn of each case, per model."""
    keys = []
    for line in results:
        runs = model_runs(line)
        models: Sequence[str | None] = MODELS if len(runs) == 2 else (None,)
        for model, run in zip(models, runs, strict=True):
            keys += [AnswerKey(line["id"], turn, model) for turn in range(len(run["turns"]))]
    return keys


def queue_for(
    grader: str, marks: Iterable[Mark], results: Sequence[dict[str, Any]]
) -> list[AnswerKey]:
    """Return the answers `grader` has not marked yet, in results order (keys only: a grader
    never sees another grader's marks)."""
    done = {mark.answer for mark in marks if mark.grader == grader.strip()}
    return [key for key in answers(results) if key not in done]


def agreement_report(marks: Iterable[Mark], grader_a: str, grader_b: str) -> dict[str, Any]:
    """Return the answers both graders marked, their agreement (percent), Cohen's κ, and the
    answers they disagree on (the arbiter's queue)."""
    own = _graded(marks)
    mine, theirs = own.get(grader_a, {}), own.get(grader_b, {})
    both = [key for key in mine if key in theirs]
    marks_a, marks_b = [mine[key] for key in both], [theirs[key] for key in both]
    kappa = cohens_kappa(marks_a, marks_b)
    return {
        "graders": [grader_a, grader_b],
        "answers": len(both),
        "agreement_percent": round(100 * agreement(marks_a, marks_b), 1) if both else None,
        "kappa": None if kappa is None else round(kappa, 4),
        "disagreements": [key for key in both if mine[key] != theirs[key]],
    }


def final_marks(marks: Iterable[Mark]) -> dict[AnswerKey, str | None]:
    """Return each marked answer's final mark: the graders' when they agree (or one graded), the
    arbiter's when they disagree, None (undecided) while no arbiter has."""
    graded: dict[AnswerKey, dict[str, str]] = {}
    arbitrated: dict[AnswerKey, str] = {}
    for mark in marks:
        if mark.role == "arbiter":
            arbitrated[mark.answer] = mark.mark  # the later arbiter's mark decides
        else:  # a grader's later mark replaces their earlier one
            graded.setdefault(mark.answer, {})[mark.grader] = mark.mark
    final: dict[AnswerKey, str | None] = {}
    for key in dict.fromkeys([*graded, *arbitrated]):
        given = set(graded.get(key, {}).values())
        final[key] = given.pop() if len(given) == 1 else arbitrated.get(key)
    return final


def regrade(
    results: Sequence[dict[str, Any]], final: Mapping[AnswerKey, str | None]
) -> list[dict[str, Any]]:
    """Return copies of the results where each decided human mark replaces a turn's automatic
    score ("correct" passes, "wrong" and "hallucinated" fail); the turn keeps it as "human"."""
    regraded = []
    for line in results:
        line = copy.deepcopy(line)
        runs = model_runs(line)
        models: Sequence[str | None] = MODELS if len(runs) == 2 else (None,)
        for model, run in zip(models, runs, strict=True):
            for index, turn in enumerate(run["turns"]):
                human = final.get(AnswerKey(line["id"], index, model))
                if human is None:
                    continue
                passed = human == "correct"
                if passed != turn["passed"]:
                    turn["reason"] = f"human: {human} (automatic: {turn['reason']})"
                turn["passed"], turn["human"] = passed, human
            if any("human" in turn for turn in run["turns"]):
                run["passed"] = run["error"] is None and all(t["passed"] for t in run["turns"])
        if len(runs) == 2:
            line["agree"] = runs[0]["passed"] == runs[1]["passed"]
        regraded.append(line)
    return regraded


def _graded(marks: Iterable[Mark]) -> dict[str, dict[AnswerKey, str]]:
    """Return each grader's marks by answer (graders only, not the arbiter)."""
    own: dict[str, dict[AnswerKey, str]] = {}
    for mark in marks:
        if mark.role == "grader":
            own.setdefault(mark.grader, {})[mark.answer] = mark.mark
    return own
