"""Human grading: marks.jsonl under concurrent saves, κ and agreement, arbitration, the report."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from workbench.eval.grading import (
    MARKS_FILE,
    AnswerKey,
    Mark,
    agreement_report,
    final_marks,
    load_marks,
    queue_for,
    save_mark,
)
from workbench.eval.report import summary, write_reports
from workbench.eval.run import RESULTS_FILE

SAVES = 200  # marks each process saves at once with the other


def _turn(passed: bool) -> dict[str, Any]:
    return {
        "question": "q",
        "answer": "",
        "parsed": None,
        "kind": "text",
        "expect": {},
        "passed": passed,
        "reason": "auto",
        "schema_valid": None,
        "checks": [],
        "evidence": None,
        "boxes": [],
        "tokens": 10,
        "latency_s": 1.0,
        "repairs": 0,
    }


def _run(passed: list[bool]) -> dict[str, Any]:
    turns = [_turn(p) for p in passed]
    return {"model": "m", "passed": all(passed), "error": None, "turns": turns}


def _line(case: str, *runs: list[bool], level: str = "L1") -> dict[str, Any]:
    head = {"id": case, "tab": "gauges", "level": level, "turn_count": len(runs[0])}
    head |= {"image": "x.png", "page": None, "image_size": None, "preset": None}
    if len(runs) == 1:
        return head | _run(runs[0])
    a, b = _run(runs[0]), _run(runs[1])
    return head | {"a": a, "b": b, "agree": a["passed"] == b["passed"]}


def _results_dir(folder: Path, lines: list[dict[str, Any]]) -> Path:
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / RESULTS_FILE).write_text(text, encoding="utf-8")
    return folder


# six answers: case "one" two turns, "two" one, "three" three
SIX = [_line("one", [True, True]), _line("two", [False]), _line("three", [True, False, True])]
KEYS = [AnswerKey("one", 0, None), AnswerKey("one", 1, None), AnswerKey("two", 0, None)]
KEYS += [AnswerKey("three", turn, None) for turn in range(3)]
ANN = ["correct", "correct", "correct", "wrong", "wrong", "hallucinated"]
BOB = ["correct", "correct", "wrong", "wrong", "wrong", "correct"]


def _marks(grader: str, marks: list[str], role: str = "grader") -> list[Mark]:
    return [Mark(*key, grader, mark, role) for key, mark in zip(KEYS, marks, strict=True)]


def test_agreement_and_kappa_by_hand() -> None:
    # agreed 4 of 6; chance = Σ ann·bob counts = correct 3·3 + wrong 2·3 + hallucinated 1·0 = 15
    # κ = (4·6 - 15) / (6² - 15) = 9/21
    report = agreement_report(_marks("ann", ANN) + _marks("bob", BOB), "ann", "bob")
    assert report == {
        "graders": ["ann", "bob"],
        "answers": 6,
        "agreement_percent": 66.7,
        "kappa": round(9 / 21, 4),
        "disagreements": [KEYS[2], KEYS[5]],
    }


def test_agreement_counts_only_the_answers_both_graded() -> None:
    marks = _marks("ann", ANN) + _marks("bob", BOB)[:2]
    report = agreement_report(marks, "ann", "bob")
    assert (report["answers"], report["agreement_percent"], report["kappa"]) == (2, 100.0, 1.0)
    nobody = agreement_report(marks, "ann", "cat")
    assert (nobody["answers"], nobody["agreement_percent"], nobody["kappa"]) == (0, None, None)


def test_the_arbiter_decides_disagreements() -> None:
    marks = _marks("ann", ANN) + _marks("bob", BOB)
    marks.append(Mark("two", 0, None, "cat", "wrong", "arbiter"))
    final = final_marks(marks)
    assert final == {
        KEYS[0]: "correct",
        KEYS[1]: "correct",
        KEYS[2]: "wrong",  # the arbiter's
        KEYS[3]: "wrong",
        KEYS[4]: "wrong",
        KEYS[5]: None,  # disagreed, no arbiter yet: undecided
    }
    # an arbiter's mark where the graders agree changes nothing; one grader's mark counts
    extra = [Mark("one", 0, None, "cat", "wrong", "arbiter"), Mark("x", 0, None, "ann", "wrong")]
    assert final_marks(marks + extra)[KEYS[0]] == "correct"
    assert final_marks(extra[1:]) == {AnswerKey("x", 0, None): "wrong"}


def test_save_and_load_later_mark_replaces_earlier(tmp_path: Path) -> None:
    folder = _results_dir(tmp_path, SIX)
    assert load_marks(folder) == []
    saved = save_mark(folder, Mark("two", 0, None, "  ann ", "wrong"))
    assert saved.grader == "ann" and saved.at.endswith("+00:00")
    save_mark(folder, Mark("one", 1, None, "bob", "correct"))
    save_mark(folder, Mark("two", 0, None, "ann", "hallucinated"))
    marks = load_marks(folder)
    assert [(m.case, m.grader, m.mark) for m in marks] == [
        ("one", "bob", "correct"),
        ("two", "ann", "hallucinated"),
    ]
    line = json.loads((folder / MARKS_FILE).read_text().splitlines()[0])
    assert list(line) == ["case", "turn", "model", "grader", "mark", "role", "at"]


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    folder = _results_dir(tmp_path, SIX)
    save_mark(folder, Mark("two", 0, None, "ann", "wrong"))
    with (folder / MARKS_FILE).open("a") as file:
        file.write('{"case": "one", "turn": 0, "mod')  # the crash
    assert [m.grader for m in load_marks(folder)] == ["ann"]
    save_mark(folder, Mark("one", 0, None, "bob", "correct"))  # starts on a line of its own
    assert [m.grader for m in load_marks(folder)] == ["ann", "bob"]


def test_a_grader_queue_holds_only_their_unmarked_answers() -> None:
    lines = [_line("pair", [True, False], [True])]
    marks = [Mark("pair", 1, "a", "ann", "wrong"), Mark("pair", 0, "b", "bob", "correct")]
    assert queue_for("ann", marks, lines) == [("pair", 0, "a"), ("pair", 0, "b")]
    assert queue_for("cat", marks, lines) == [("pair", 0, "a"), ("pair", 1, "a"), ("pair", 0, "b")]


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (Mark("one", 0, None, "   ", "wrong"), "name is empty"),
        (Mark("one", 0, None, "x" * 61, "wrong"), "at most 60"),
        (Mark("one", 0, None, "a\nb", "wrong"), "control character"),
        (Mark("one", 0, None, "ann", "maybe"), "mark must be one of"),
        (Mark("one", 0, None, "ann", "wrong", "boss"), "role must be one of"),
        (Mark("nine", 0, None, "ann", "wrong"), "'nine' is not in results.jsonl"),
        (Mark("one", 2, None, "ann", "wrong"), "turns 0 to 1, not 2"),
        (Mark("one", -1, None, "ann", "wrong"), "turns 0 to 1, not -1"),
        (Mark("one", 0, "a", "ann", "wrong"), "one model"),
        (Mark("one", 0, None, "ann", "wrong", "arbiter"), "cannot arbitrate"),
    ],
)
def test_invalid_marks_are_refused(tmp_path: Path, mark: Mark, message: str) -> None:
    folder = _results_dir(tmp_path, SIX)
    save_mark(folder, Mark("one", 0, None, "ann", "correct"))
    before = (folder / MARKS_FILE).read_bytes()
    with pytest.raises(ValueError, match=message):
        save_mark(folder, mark)
    assert (folder / MARKS_FILE).read_bytes() == before


def test_two_models_need_a_or_b(tmp_path: Path) -> None:
    folder = _results_dir(tmp_path, [_line("pair", [True], [False])])
    with pytest.raises(ValueError, match="'a' or 'b'"):
        save_mark(folder, Mark("pair", 0, None, "ann", "wrong"))
    assert save_mark(folder, Mark("pair", 0, "b", "x" * 60, "wrong")).model == "b"


def _grade_all(folder: Path, grader: str, start: Any) -> None:
    start.wait()
    for case in range(SAVES // 10):
        for turn in range(10):
            save_mark(folder, Mark(f"c{case}", turn, None, grader, "correct"))


def test_two_graders_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    lines = [_line(f"c{case}", [True] * 10) for case in range(SAVES // 10)]
    folder = _results_dir(tmp_path, lines)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    workers = [context.Process(target=_grade_all, args=(folder, g, start)) for g in ("ann", "bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    text = (folder / MARKS_FILE).read_text()
    rows = [json.loads(row) for row in text.splitlines()]  # every line whole
    assert text.endswith("\n") and len(rows) == 2 * SAVES
    for grader in ("ann", "bob"):
        assert len({(r["case"], r["turn"]) for r in rows if r["grader"] == grader}) == SAVES
        assert queue_for(grader, load_marks(folder), lines) == []


def test_the_report_follows_the_human_marks(tmp_path: Path) -> None:
    # automatic: one passes, two fails, three fails (turn 1)
    folder = _results_dir(tmp_path, SIX)
    plain = summary(SIX)["models"][0]
    assert plain["accuracy"]["all"]["all"]["count"] == 1 and "human" not in plain
    marks = [
        Mark("one", 1, None, "ann", "hallucinated"),  # was passed: one now fails
        Mark("one", 1, None, "bob", "hallucinated"),
        Mark("three", 1, None, "ann", "correct"),  # was failed: three now passes
        Mark("two", 0, None, "ann", "correct"),  # disagreed, undecided: automatic stays
        Mark("two", 0, None, "bob", "wrong"),
    ]
    for mark in marks:
        save_mark(folder, mark)
    model = summary(SIX, load_marks(folder))["models"][0]
    assert model["accuracy"]["all"]["all"] == {"count": 1, "total": 3, "percent": 33.3}
    assert model["accuracy"]["L1"]["gauges"]["count"] == 1
    assert model["human"] == {
        "graded": {"count": 2, "total": 6, "percent": 33.3},
        "hallucinated": {"count": 1, "total": 2, "percent": 50.0},
    }
    save_mark(folder, Mark("two", 0, None, "cat", "correct", "arbiter"))
    model = summary(SIX, load_marks(folder))["models"][0]
    assert model["accuracy"]["all"]["all"]["count"] == 2
    assert model["human"]["graded"]["count"] == 3
    markdown, _ = write_reports(SIX, folder, ["m"])
    text = markdown.read_text()
    assert "| Turns graded by people | 3/6 (50%) |" in text
    assert "| Marked hallucinated (of those) | 1/3 (33.3%) |" in text
    assert "**one** (gauges, L1): turn 2: human: hallucinated (automatic: auto)" in text
    assert "**three**" not in text


def test_human_marks_change_where_the_models_disagree() -> None:
    lines = [_line("pair", [True], [False])]
    assert len(summary(lines)["disagreements"]) == 1
    marks = [Mark("pair", 0, "b", "ann", "correct")]
    report = summary(lines, marks)
    assert report["disagreements"] == []
    assert [m["human"]["graded"]["count"] for m in report["models"]] == [0, 1]
