"""The review queue without a UI: order, the audit log and its lock, refusals, the exports,
golden sets made from a review, and AI-vs-reviewer agreement."""

from __future__ import annotations

import csv
import json
import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.review_runs import TOTALS, make_run, picture, receipt_json, record, value
from workbench.cli.main import main
from workbench.eval.golden import load_cases
from workbench.eval.review import (
    act,
    build_queue,
    correction,
    decided,
    parse_path,
    progress,
    record_status,
)
from workbench.eval.review_agreement import agreement, fold_path
from workbench.eval.review_export import golden_from_review, write_reviewed
from workbench.eval.review_log import REVIEW_FILE, ReviewAction, append_action, load_actions
from workbench.eval.review_picture import review_picture, value_boxes
from workbench.eval.review_records import ReviewError, read_review_folder, send_answer


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return make_run(tmp_path / "run")


def _by_file(folder: Path) -> dict[str, Any]:
    return {record.file.removeprefix("scans/"): record for record in read_review_folder(folder)}


def test_the_queue_puts_low_and_check_values_first(run: Path) -> None:
    queue = build_queue(read_review_folder(run))
    # c has a "low" value; a and d a "check" (a's score lower); b is all "high"; e failed.
    assert [record.file for record in queue] == [f"scans/{n}.png" for n in "cadb"]


@pytest.mark.parametrize(
    ("at", "parts"),
    [
        ("$.total", ("total",)),
        ("items[0].amount", ("items", 0, "amount")),
        ("$.items[12].name", ("items", 12, "name")),
        ('$["odd key"][1]', ("odd key", 1)),
        ("$", ()),
    ],
)
def test_json_paths_are_read(at: str, parts: tuple) -> None:
    assert parse_path(at) == parts


@pytest.mark.parametrize(
    ("at", "text", "expected"),
    [
        ("$.total", "41", 41),
        ("$.total", " 12.75 ", 12.75),
        ("$.merchant", "2024", "2024"),  # text where the schema wants text
        ("$.merchant", "Shop & Co", "Shop & Co"),
        ("$.date", "null", None),
    ],
)
def test_a_correction_is_read_as_the_schema_wants(run: Path, at: str, text: str, expected) -> None:
    a = _by_file(run)["a.png"]
    extra = {"$.date": value("$.date", "2024-05-01", "check", 0.5)}
    a = a.__class__(**{**a.__dict__, "values": (*a.values, *_values(extra))})
    got = correction(a, at, text)
    assert got == expected and type(got) is type(expected)


def _values(extra: dict[str, Any]):
    from workbench.eval.review_records import ReviewValue

    return [ReviewValue(v["at"], v["value"], v["score"], v["level"]) for v in extra.values()]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"reviewer": "  "}, "no_name"),
        ({"reviewer": "x" * 61}, "long_name"),
        ({"text": "abc"}, "bad_value"),
        ({"text": ""}, "empty_value"),
        ({"at": "$.nowhere"}, "no_value"),
        ({"digest": "0" * 64}, "changed"),
        ({"record_id": "deadbeef"}, "gone"),
        ({"at": None}, "record_action"),  # a whole record is approved or rejected, not corrected
    ],
)
def test_a_bad_action_is_refused_and_nothing_is_written(run: Path, change: dict, key: str) -> None:
    a = _by_file(run)["a.png"]
    call = {"record_id": a.id, "digest": a.digest, "reviewer": "Ann", "at": "$.total"}
    call |= {"text": "13"} | change
    with pytest.raises(ReviewError) as caught:
        act(run, call.pop("record_id"), call.pop("digest"), call.pop("reviewer"), "correct", **call)
    assert caught.value.key == key
    assert caught.value.text("zh") != caught.value.text("en")
    assert not (run / REVIEW_FILE).exists()


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda tmp: tmp / "nothing-here", "missing"),
        (lambda tmp: make_run(tmp / "old", confidence=False), "older"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "not_a_run"),
    ],
)
def test_a_folder_that_cannot_be_reviewed_says_why(tmp_path: Path, make, key: str) -> None:
    with pytest.raises(ReviewError) as caught:
        read_review_folder(make(tmp_path))
    assert caught.value.key == key


def test_a_rewritten_run_is_refused_after_the_queue_was_built(run: Path) -> None:
    shown = _by_file(run)["a.png"]
    make_run(run, failed=False)  # the batch ran again: same files, new answers
    rows = (run / "results.jsonl").read_text().replace("12.5", "99.5")
    (run / "results.jsonl").write_text(rows)
    with pytest.raises(ReviewError, match="rewritten"):
        act(run, shown.id, shown.digest, "Ann", "approve", at="$.total")


def test_actions_are_logged_with_who_what_and_when(run: Path) -> None:
    records = _by_file(run)
    a, c = records["a.png"], records["c.png"]
    act(run, a.id, a.digest, "Ann", "approve", at="$.total")
    act(run, c.id, c.digest, "Ann", "correct", at="$.total", text="41")
    act(run, c.id, c.digest, "Bob", "reject", at="$.items[0].amount")
    lines = [json.loads(line) for line in (run / REVIEW_FILE).read_text().splitlines()]
    assert [(x["record"], x["at"], x["action"], x["reviewer"]) for x in lines] == [
        (a.id, "$.total", "approve", "Ann"),
        (c.id, "$.total", "correct", "Ann"),
        (c.id, "$.items[0].amount", "reject", "Bob"),
    ]
    assert [(x["model_value"], x["reviewer_value"]) for x in lines] == [
        (12.5, 12.5),
        (40.0, 41),
        (40.0, None),
    ]
    assert all(x["time"].endswith("Z") and x["file"] for x in lines)
    found = read_review_folder(run)
    decisions = decided(run, found)
    statuses = {r.file: record_status(r, decisions) for r in found}
    assert statuses == {
        "scans/a.png": "partly",
        "scans/b.png": "",
        "scans/c.png": "corrected",
        "scans/d.png": "",
    }
    assert progress(found, decisions) == (1, 4)


def test_a_whole_record_approved_or_rejected(run: Path) -> None:
    records = _by_file(run)
    a, b = records["a.png"], records["b.png"]
    act(run, a.id, a.digest, "Ann", "correct", at="$.total", text="13")
    act(run, a.id, a.digest, "Ann", "approve")  # the rest of a's values
    act(run, b.id, b.digest, "Ann", "reject")
    decisions = decided(run, read_review_folder(run))
    assert record_status(a, decisions) == "corrected"
    assert record_status(b, decisions) == "rejected"


def test_the_later_reviewer_sees_the_earlier_action(run: Path) -> None:
    a = _by_file(run)["a.png"]
    both_shown = len(load_actions(run))  # both reviewers opened the record now
    act(run, a.id, a.digest, "Ann", "approve", at="$.total", seen=both_shown)
    later = act(run, a.id, a.digest, "Bob", "correct", at="$.total", text="13", seen=both_shown)
    assert [(x.reviewer, x.action) for x in later.earlier] == [("Ann", "approve")]
    assert [x.reviewer for x in load_actions(run)] == ["Ann", "Bob"]  # nothing lost
    decisions = decided(run, read_review_folder(run))
    assert decisions[(a.id, "$.total")].reviewer_value == 13  # the latest decides


def _append_many(folder: str, reviewer: str, count: int) -> None:
    for n in range(count):
        action = ReviewAction("r1", f"$.v{n}", n, n, "approve", reviewer, digest="d")
        append_action(folder, action)


@pytest.mark.parametrize("kind", ["threads", "processes"])
def test_reviewers_at_once_lose_nothing(tmp_path: Path, kind: str) -> None:
    count = 40
    maker = threading.Thread if kind == "threads" else multiprocessing.get_context("spawn").Process
    workers = [maker(target=_append_many, args=(str(tmp_path), n, count)) for n in ("Ann", "Bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    lines = (tmp_path / REVIEW_FILE).read_text().splitlines()
    assert len(lines) == 2 * count
    assert all(json.loads(line)["action"] == "approve" for line in lines)
    assert sorted(x.reviewer for x in load_actions(tmp_path)) == ["Ann"] * count + ["Bob"] * count


def test_a_line_cut_short_is_skipped_and_the_next_kept_whole(tmp_path: Path) -> None:
    (tmp_path / REVIEW_FILE).write_text('{"record": "r1", "at": "$.t')  # a crash mid-line
    append_action(tmp_path, ReviewAction("r1", "$.t", 1, 1, "approve", "Ann", digest="d"))
    assert [x.reviewer for x in load_actions(tmp_path)] == ["Ann"]


def test_the_picture_shows_the_values_model_box_and_ocr_box(run: Path) -> None:
    c = _by_file(run)["c.png"]
    assert [label for label, _ in value_boxes(c, "$.total")] == ["OCR: 40.0"]
    boxes = dict(value_boxes(c, "$.items[0].amount"))
    assert boxes == {"model: 40.0": (40, 90, 360, 120)}  # the item's bbox_2d in pixels
    plain, drawn = review_picture(c), review_picture(c, "$.items[0].amount")
    assert plain.size == drawn.size == (400, 300)
    assert plain.getpixel((40, 100)) != drawn.getpixel((40, 100))


def test_the_reviewed_exports_carry_the_status_and_the_corrections(run: Path) -> None:
    c = _by_file(run)["c.png"]
    act(run, c.id, c.digest, "Ann", "correct", at="$.total", text="41")
    act(run, c.id, c.digest, "Ann", "approve")
    jsonl, table = write_reviewed(run)
    rows = list(csv.DictReader(table.open()))
    assert [row["file"] for row in rows] == [f"scans/{n}.png" for n in "abcde"]
    assert [row["reviewed"] for row in rows] == ["", "", "corrected", "", ""]
    assert rows[2]["total"] == "41" and rows[0]["total"] == "12.5"
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert lines[2]["reviewed_json"]["total"] == 41
    assert lines[2]["record"]["parsed"]["total"] == 40.0  # the model's own, kept


def test_a_golden_set_from_the_approved_and_corrected_records(run: Path, tmp_path: Path) -> None:
    records = _by_file(run)
    a, b, c, d = (records[f"{n}.png"] for n in "abcd")
    act(run, c.id, c.digest, "Ann", "correct", at="$.total", text="41")
    act(run, c.id, c.digest, "Ann", "reject", at="$.items[0].amount")
    act(run, a.id, a.digest, "Ann", "approve")
    act(run, b.id, b.digest, "Ann", "reject")
    act(run, d.id, d.digest, "Ann", "approve", at="$.total")  # d stays partly reviewed
    outcome = golden_from_review(run, tmp_path / "golden")
    assert outcome.cases == 2
    assert sorted(file for file, _ in outcome.skipped) == ["scans/b.png", "scans/d.png"]
    cases = {case.id: case for case in load_cases(tmp_path / "golden")}
    assert set(cases) == {f"review-{a.id}", f"review-{c.id}"}
    assert all(case.source == "review" and case.image.is_file() for case in cases.values())
    expect = {case.id: case.turns[0].expect.value for case in cases.values()}
    assert expect[f"review-{c.id}"] == {"total": 41}  # the rejected amount left out
    assert expect[f"review-{a.id}"] == {"total": TOTALS["a"], "merchant": "Corner Shop"}


def test_golden_from_review_on_the_command_line(run: Path, tmp_path: Path, capsys) -> None:
    assert main(["golden", "from-review", str(run)]) == 2  # nothing reviewed yet
    assert "approved or corrected" in capsys.readouterr().err
    a = _by_file(run)["a.png"]
    act(run, a.id, a.digest, "Ann", "approve")
    assert main(["golden", "from-review", str(run), "--out", str(tmp_path / "g"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cases"] == 1 and len(printed["skipped"]) == 3
    assert (run / "reviewed.csv").is_file()
    assert main(["golden", "from-review", str(tmp_path / "missing")]) == 2


def test_single_answers_sent_to_review(tmp_path: Path) -> None:
    image = picture(tmp_path / "pics" / "one.png")
    made = record(image, receipt_json(5.0), [value("$.total", 5.0, "low", 0.1)])
    sent = send_answer(tmp_path / "inbox", made, image)
    (found,) = read_review_folder(tmp_path / "inbox")
    assert found.id == sent and found.source.is_file() and found.values[0].level == "low"
    act(tmp_path / "inbox", found.id, found.digest, "Ann", "correct", at="$.total", text="5.5")
    assert golden_from_review(tmp_path / "inbox").cases == 1


def test_eval_runs_on_a_golden_set_made_from_a_review(run: Path, tiny_session) -> None:
    from workbench.eval.run import run_set

    for record_ in read_review_folder(run)[:2]:
        act(run, record_.id, record_.digest, "Ann", "approve")
    outcome = golden_from_review(run)
    lines = run_set(
        load_cases(outcome.folder), tiny_session, out_dir=run / "eval", max_new_tokens=16
    )
    assert len(lines) == 2
    assert all(line["turns"] and line["turns"][0]["kind"] == "json" for line in lines)
    assert [line["source"] for line in lines] == ["review", "review"]  # the charts read it
    written = (run / "eval" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["source"] for line in written] == ["review", "review"]


# ---------------------------------------------------------------- agreement


@pytest.mark.parametrize(
    ("at", "folded"),
    [("$.items[0].amount", "$.items[].amount"), ("$.total", "$.total"), ("a[1][2]", "a[][]")],
)
def test_field_paths_fold_their_indices(at: str, folded: str) -> None:
    assert fold_path(at) == folded


def _line(case: str, preset: str, rights: dict[str, bool | None]) -> dict[str, Any]:
    values = [{"at": at, "score": 0.5, "level": "check", "right": r} for at, r in rights.items()]
    return {"id": case, "tab": "receipts", "preset": preset, "confidence": {"values": values}}


def _tally(count: int, agree: int, disagreements: list[str]) -> dict[str, Any]:
    return {"count": count, "agree": agree, "share": agree / count, "disagreements": disagreements}


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([], {"fields": {}, "presets": {}}),
        (
            [
                _line("r1", "P", {"$.total": True, "$.items[0].amount": False, "$.date": None}),
                _line("r2", "P", {"$.total": False, "$.items[1].amount": True}),
                _line("r3", "Q", {"$.items[0].amount": False, "$.items[1].amount": False}),
            ],
            {
                "fields": {
                    "$.total": _tally(2, 1, ["r2"]),
                    "$.items[].amount": _tally(4, 1, ["r1", "r3"]),
                },
                "presets": {
                    "receipts:P": _tally(4, 2, ["r1", "r2"]),
                    "receipts:Q": _tally(2, 0, ["r3"]),
                },
            },
        ),
        (  # results written before confidence: the turn's JSON against the expected JSON
            [
                {
                    "id": "old",
                    "tab": "gauges",
                    "preset": "Read the value",
                    "turns": [
                        {
                            "expect": {"json": {"value": 6.4, "unit": "bar"}},
                            "parsed": {"value": 6.4, "unit": "psi"},
                        }
                    ],
                }
            ],
            {
                "fields": {"$.value": _tally(1, 1, []), "$.unit": _tally(1, 0, ["old"])},
                "presets": {"gauges:Read the value": _tally(2, 1, ["old"])},
            },
        ),
    ],
)
def test_agreement_per_field_and_preset(results: list, expected: dict) -> None:
    assert agreement(results) == expected


def test_agreement_of_the_second_model(run: Path) -> None:
    a = _line("x", "P", {"$.total": True})
    b = _line("x", "P", {"$.total": False})
    line = {"id": "x", "tab": "receipts", "preset": "P", "a": a, "b": b}
    assert agreement([line], model=1)["fields"]["$.total"]["disagreements"] == ["x"]


def test_a_record_with_nothing_scored_is_read_with_no_values(tmp_path: Path) -> None:
    image = picture(tmp_path / "pics" / "free.png")
    made = record(image, receipt_json(1.0), []) | {"confidence": None}  # a free-text answer
    send_answer(tmp_path / "inbox", made, image)
    (found,) = read_review_folder(tmp_path / "inbox")
    assert found.values == () and build_queue([found]) == [found]
