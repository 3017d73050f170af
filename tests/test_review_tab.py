"""The Review tab through its API: the queue, actions with a name, refusals, two reviewers at
once, moving through the queue and the golden set made of it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client

from tabs import review as review_tab
from tabs.review_view import run_folders
from tests.conftest import launch_blocks
from tests.review_runs import make_run
from workbench.eval.review_log import REVIEW_FILE, load_actions

# What a record's view returns, in order (the state is not sent).
SHOWN = ("queue", "header", "image", "values", "at", "value", "status", "progress")
RUN = "results/runs/run-1"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a results root with one batch run (runs/run-1) and an eval run, not offered."""
    root = tmp_path_factory.mktemp("review") / "results"
    make_run(root / "runs" / "run-1")
    (root / "eval-1").mkdir(parents=True)
    (root / "eval-1" / "results.jsonl").write_text(json.dumps({"id": "case"}) + "\n")
    return root


@pytest.fixture(scope="module")
def url(app_context, root: Path) -> str:
    with gr.Blocks() as app, gr.Tab("Review"):
        review_tab.build(replace(app_context, results_root=root))
    yield launch_blocks(app, app_context)
    app.close()


def _client(url: str) -> Client:
    return Client(url, verbose=False, download_files=False)


def _shown(values: tuple) -> dict:
    """Return a view's outputs by name; the picked value's path, not its dropdown's update."""
    shown = dict(zip(SHOWN, values, strict=True))
    if isinstance(shown["at"], dict):
        shown["at"] = shown["at"].get("value")
    return shown


def _call(client: Client, endpoint: str, *inputs) -> dict:
    return _shown(client.predict(*inputs, api_name=f"/review_{endpoint}"))


def test_only_runs_under_the_roots_are_offered(root: Path, url: str) -> None:
    assert [c for c in run_folders({"results": root}) if c.startswith("results/")] == [RUN]
    client = _client(url)
    for folder in ("results/eval-1", "results/../x", "/etc", None):
        status = _call(client, "load", folder)["status"]
        assert status.startswith("⚠️"), folder


def test_the_queue_opens_on_the_least_certain_value(url: str) -> None:
    shown = _call(_client(url), "load", RUN)
    assert shown["header"].startswith("**scans/c.png**")
    assert shown["progress"] == "0 of 4 records reviewed · record 1 of 4"
    assert shown["value"] == "40.0" and shown["image"] is not None
    files = [row[1] for row in shown["queue"]["data"]]
    assert files == [f"scans/{n}.png" for n in "cadb"]
    assert [row[0] for row in shown["values"]["data"]] == ["$.total", "$.items[0].amount"]


def test_actions_need_a_name_and_a_fitting_value(root: Path, url: str) -> None:
    client = _client(url)
    _call(client, "load", RUN)
    log = root / "runs" / "run-1" / REVIEW_FILE
    before = len(load_actions(log.parent))
    refused = _call(client, "approve", RUN, " ", "$.total", "40.0")
    assert "Type your name first" in refused["status"]
    refused = _call(client, "correct", RUN, "Ann", "$.total", "abc")
    assert "does not fit $.total" in refused["status"] and "Nothing was saved" in refused["status"]
    assert len(load_actions(log.parent)) == before
    fresh = _client(url)  # nothing shown yet
    assert "Load the queue first" in _call(fresh, "approve", RUN, "Ann", "$.total", "1")["status"]


def test_a_review_through_the_queue_then_a_golden_set(root: Path, url: str) -> None:
    client = _client(url)
    first = _call(client, "load", RUN)
    assert first["at"] == "$.total"
    after = _call(client, "correct", RUN, "Ann", "$.total", "41")
    assert after["status"] == "Saved: correct $.total."
    assert after["value"] == "40.0"  # the record's next open value: its amount
    after = _call(client, "approve", RUN, "Ann", after["at"], after["value"])
    assert after["header"].startswith("**scans/a.png**")  # c is done: the next record
    assert after["progress"].startswith("1 of 4 records reviewed")
    after = _call(client, "approve_record", RUN, "Ann")
    assert after["header"].startswith("**scans/d.png**")
    back = _call(client, "previous", RUN)
    assert back["header"].startswith("**scans/a.png**") and "approved" in back["header"]
    status, downloads = client.predict(RUN, api_name="/review_golden")
    assert status.startswith("Golden set written: 2 case(s)")
    assert {Path(d["path"] if isinstance(d, dict) else d).name for d in downloads} == {
        "golden.zip",
        "reviewed.jsonl",
        "reviewed.csv",
    }


def test_two_reviewers_on_one_record_lose_nothing(root: Path, url: str) -> None:
    ann, bob = _client(url), _client(url)
    shown = _call(ann, "load", RUN)
    _call(bob, "load", RUN)
    at = shown["at"]
    _call(ann, "approve", RUN, "Ann", at, shown["value"])
    later = _call(bob, "reject", RUN, "Bob", at, shown["value"])
    assert "Ann had already chosen “approve” here" in later["status"]
    actions = load_actions(root / "runs" / "run-1")
    assert [(a.reviewer, a.action) for a in actions[-2:]] == [("Ann", "approve"), ("Bob", "reject")]
