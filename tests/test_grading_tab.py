"""The Grading tab through its API: blind grading, agreement and κ, arbitration, refusals."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from PIL import Image

from tabs import evaluate as grading_tab
from tests.conftest import launch_blocks
from workbench.eval.grading import agreement_report, load_marks
from workbench.eval.run import RESULTS_FILE


def _turn(question: str, answer: str) -> dict[str, Any]:
    return {"question": question, "answer": answer, "expect": {"value": 42}, "passed": True}


def _line(case: str, turns: int) -> dict[str, Any]:
    run = {"model": "m", "passed": True, "error": None}
    head = {"id": case, "tab": "gauges", "level": "L1", "image": "pics/dial.png"}
    return head | run | {"turns": [_turn(f"q {case} {n}", f"a {case} {n}") for n in range(turns)]}


def _two_models(case: str) -> dict[str, Any]:
    a = {"model": "m1", "passed": True, "error": None, "turns": [_turn("q two", "answer by a")]}
    b = {"model": "m2", "passed": False, "error": None, "turns": [_turn("q two", "answer by b")]}
    head = {"id": case, "tab": "receipts", "level": "L2", "image": "/etc/passwd"}
    return head | {"a": a, "b": b, "agree": False}


# five answers: "one" has three turns, "two" is answered by models a and b
LINES = [_line("one", 3), _two_models("two")]
ANN = ["correct", "correct", "wrong", "hallucinated", "correct"]
BOB = ["correct", "wrong", "wrong", "correct", "correct"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a results root: runs/eval-1 (with a picture beside it), runs/deep/eval-2, and a
    folder three levels down that is not offered; a results folder outside the root too."""
    base = tmp_path_factory.mktemp("grading")
    root = base / "runs"
    for folder in (root / "eval-1", root / "deep" / "eval-2", root / "a" / "b" / "c"):
        folder.mkdir(parents=True)
        text = "".join(json.dumps(line) + "\n" for line in LINES)
        (folder / RESULTS_FILE).write_text(text, encoding="utf-8")
    (root / "deep" / "pics").mkdir()  # beside eval-2: inside its parent's tree
    Image.new("RGB", (8, 6), "red").save(root / "deep" / "pics" / "dial.png")
    (base / "outside").mkdir()
    (base / "outside" / RESULTS_FILE).write_text(json.dumps(LINES[0]) + "\n")
    return root


@pytest.fixture(scope="module")
def url(app_context, root: Path) -> str:
    with gr.Blocks() as app, gr.Tab("Grading"):
        grading_tab.build(replace(app_context, results_root=root))
    yield launch_blocks(app, app_context)
    app.close()


def _client(url: str) -> Client:
    return Client(url, verbose=False, download_files=False)


def _grade(client: Client, folder: str, grader: str, marks: list[str]) -> list[tuple]:
    """Grade every answer in order; return each answer as shown, and the last output."""
    shown = [client.predict(folder, grader, api_name="/grading_next")]
    for mark in marks:
        shown.append(client.predict(folder, grader, mark, api_name="/grading_mark"))
    return shown


def test_only_folders_under_the_root_are_offered(root: Path, url: str) -> None:
    assert grading_tab.result_folders(root) == ["eval-1", "deep/eval-2"]
    client = _client(url)
    for folder in ("../outside", str(root.parent / "outside"), "a/b/c", "deep/pics"):
        status = client.predict(folder, "ann", api_name="/grading_next")[5]
        assert "not one of the results folders" in status, folder
    client.predict(api_name="/grading_folders")  # answers, nothing crashes


def test_an_empty_name_or_no_folder_is_refused(url: str) -> None:
    client = _client(url)
    assert "Type your name first" in client.predict("eval-1", "  ", api_name="/grading_next")[5]
    assert "Pick a results folder" in client.predict(None, "ann", api_name="/grading_next")[5]
    # a mark with nothing shown yet
    status = client.predict("eval-1", "ann", "correct", api_name="/grading_mark")[5]
    assert "Next answer" in status


def test_two_graders_grade_blind_then_agreement_and_the_arbiter(root: Path, url: str) -> None:
    ann = _grade(_client(url), "deep/eval-2", "Ann Q", ANN)
    header, question, answer, _, image, status = ann[0]
    assert (question, answer, status) == ("q one 0", "a one 0", "0 of 5 graded by Ann Q")
    assert "**one** · gauges · L1 · turn 1" in header
    assert image is not None  # pics/dial.png lies inside the results folder's parent tree
    assert ann[4][2] == "answer by b" and ann[4][4] is None  # /etc/passwd is not shown
    assert ann[-1][5] == "5 of 5 graded by Ann Q — nothing left to grade."
    assert ann[-1][1:3] == ("", "")

    bob = _grade(_client(url), "deep/eval-2", "Bob", BOB)
    assert [shown[5] for shown in bob] == [f"{n} of 5 graded by Bob" for n in range(5)] + [
        "5 of 5 graded by Bob — nothing left to grade."
    ]
    for shown in bob:  # Bob never sees Ann, or any mark
        text = json.dumps(shown[:4] + shown[5:6])
        assert "Ann" not in text and not any(mark in text for mark in ("wrong", "hallucinated"))

    client = _client(url)
    folder = root / "deep" / "eval-2"
    expected = agreement_report(load_marks(folder), "Ann Q", "Bob")
    report, rows, dispute, _, arbiter_status = client.predict(
        "deep/eval-2", "Ann Q", "Bob", api_name="/grading_agreement"
    )
    assert expected["agreement_percent"] == 60.0 and len(expected["disagreements"]) == 2
    kappa = f"{expected['kappa']:.2f}"
    assert report == f"agreement 60.0 % · Cohen's κ {kappa} · 2 disagreements"
    assert [(row["case"], row["turn"], row["model"]) for row in rows] == [
        tuple(key) for key in expected["disagreements"]
    ]
    assert rows[0] == {"case": "one", "turn": 1, "model": None, "Ann Q": "correct"} | {
        "Bob": "wrong",
        "arbiter": None,
    }
    assert dispute.startswith("one · gauges · L1 · turn 2") and "Ann Q: correct" in dispute
    assert arbiter_status == "2 of 2 disagreements left to settle."

    # a grader cannot arbitrate an answer they graded; a third person can
    refused = client.predict(
        "deep/eval-2", "Ann Q", "Bob", "Bob", "wrong", api_name="/grading_arbitrate"
    )
    assert "Bob graded this answer and cannot arbitrate it" in refused[4]
    settled = client.predict(
        "deep/eval-2", "Ann Q", "Bob", "Cy", "wrong", api_name="/grading_arbitrate"
    )
    assert settled[1][0]["arbiter"] == "wrong"
    assert settled[2].startswith("two · receipts · L2 · turn 1 · model a")
    assert settled[4] == "1 of 2 disagreements left to settle."
    arbiter = [m for m in load_marks(folder) if m.role == "arbiter"]
    assert [(m.case, m.turn, m.grader, m.mark) for m in arbiter] == [("one", 1, "Cy", "wrong")]
    done = client.predict(
        "deep/eval-2", "Ann Q", "Bob", "Cy", "correct", api_name="/grading_arbitrate"
    )
    assert done[4] == "All 2 disagreements are settled." and done[2] == ""


def test_the_api_is_the_six_named_events(url: str) -> None:
    named = set(_client(url).view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert named == {f"/grading_{name}" for name in GRADING_API}


GRADING_API = ("folders", "next", "mark", "agreement", "arbitrate", "report")


def test_the_status_is_worded_in_the_pages_language(app_context, root: Path) -> None:
    with gr.Blocks():
        language = gr.Radio(["en", "zh"], value="zh")
        ui = grading_tab.build(replace(app_context, results_root=root), language)
    refused = grading_tab.grading_next(None, "ann", "zh", ui=ui, root=root)
    assert refused[ui.status].startswith("⚠️ 请先选择")
    shown = grading_tab.grading_next("eval-1", "zoe", "zh", ui=ui, root=root)
    assert shown[ui.status].startswith("zoe 已评 0 /")
    assert (
        "graded by" in grading_tab.grading_next("eval-1", "zoe", "en", ui=ui, root=root)[ui.status]
    )
