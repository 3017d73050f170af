"""Send to review: a batch run or a single answer into the team's review folder, which is all the
Review tab lists; one user's run is not another's to send."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import datetime
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tabs import batch as batch_tab
from tabs import review as review_tab
from tabs.app import build_app
from tabs.domain import events, handlers
from tabs.receipts import TAB
from tabs.review_handlers import roots
from tabs.review_view import run_folders
from tests.conftest import launch_blocks
from tests.helpers import RecordingSession
from tests.review_runs import make_run, picture, receipt_json, record, value
from workbench.eval.review_records import ReviewError, read_review_folder
from workbench.eval.review_send import answer_source, run_name, send_run, send_single_answer
from workbench.prompts.conversation import Conversation

WHEN = datetime(2025, 5, 1, 13, 4)


# ---------------------------------------------------------------- the core


@pytest.mark.parametrize(
    ("tab", "preset", "name"),
    [
        ("receipts", "Extract all fields", "2025-05-01-1304-receipts-extract-all-fields"),
        ("gauges", "读数 / Read", "2025-05-01-1304-gauges-read"),
        (None, None, "2025-05-01-1304"),
        ("x", "a" * 200, "2025-05-01-1304-x-" + "a" * 62),  # 80 characters at most
    ],
)
def test_a_sent_run_is_named_by_time_tab_and_preset(tab, preset, name) -> None:
    assert run_name(WHEN, tab, preset) == name


def test_a_run_sent_twice_gets_two_folders_and_the_review_tab_lists_both(tmp_path: Path) -> None:
    run = make_run(tmp_path / "uploads" / "abc123")
    root = tmp_path / "results"
    first = send_run(run, root, "receipts", "Extract all fields", WHEN)
    second = send_run(run, root, "receipts", "Extract all fields", WHEN)
    assert first.name == "2025-05-01-1304-receipts-extract-all-fields"
    assert second.name == first.name + "-2"
    assert (first / "results.jsonl").read_bytes() == (run / "results.jsonl").read_bytes()
    assert run_folders({"results": root}) == [
        f"results/review/{first.name}",
        f"results/review/{second.name}",
    ]
    assert len(read_review_folder(first)) == 4


def test_a_sent_run_keeps_its_pictures_after_the_uploads_are_aged_out(tmp_path: Path) -> None:
    run = make_run(tmp_path / "uploads" / "abc123")
    sent = send_run(run, tmp_path / "results", "receipts", "Extract all fields", WHEN)
    shutil.rmtree(tmp_path / "uploads")  # Gradio's delete_cache, two hours later
    sources = [each.source for each in read_review_folder(sent) if each.source is not None]
    assert len(sources) == 4
    assert all(source.is_file() and sent in source.parents for source in sources)


@pytest.mark.parametrize(
    ("made", "key"),
    [("missing", "send.gone"), ("empty", "send.no_rows")],
)
def test_a_run_that_is_gone_or_has_no_rows_is_refused(tmp_path: Path, made: str, key: str) -> None:
    folder = tmp_path / "run"
    if made == "empty":
        folder.mkdir()
    with pytest.raises(ReviewError) as raised:
        send_run(folder, tmp_path / "results", "receipts", "P", WHEN)
    assert raised.value.key == key
    assert not (tmp_path / "results").exists()


def test_an_answer_goes_with_the_file_it_was_about(tmp_path: Path) -> None:
    image = picture(tmp_path / "a.png")
    other = picture(tmp_path / "b.png", "grey")
    made = record(image, receipt_json(5.0), [value("$.total", 5.0, "low", 0.1)])
    assert answer_source(made, [None, other, image]) == image
    with pytest.raises(ReviewError) as raised:
        answer_source(made, [other])
    assert raised.value.key == "send.image_changed" and "a.png" in raised.value.text()
    sent, folder = send_single_answer(made, [image], tmp_path / "results")
    assert folder == tmp_path / "results" / "review"
    (found,) = read_review_folder(folder)
    assert found.id == sent and found.source.read_bytes() == image.read_bytes()
    assert run_folders({"results": tmp_path / "results"}) == ["results/review"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ("no answer", "send.no_answer"),
        ("free text", "send.nothing_to_review"),
        ("no values", "send.nothing_to_review"),
    ],
)
def test_an_answer_with_nothing_to_review_is_refused(tmp_path: Path, change: str, key: str) -> None:
    image = picture(tmp_path / "a.png")
    made = record(image, receipt_json(5.0), [])
    if change == "no answer":
        made = {}
    elif change == "free text":
        made["confidence"] = None
    with pytest.raises(ReviewError) as raised:
        send_single_answer(made, [image], tmp_path / "results")
    assert raised.value.key == key
    assert not (tmp_path / "results").exists()


# ---------------------------------------------------------------- a domain tab


def test_a_domain_tabs_answer_is_sent_with_its_image(app_context, tmp_path: Path) -> None:
    example = app_context.examples["receipts"][0]
    ctx = dataclasses.replace(
        app_context,
        session=RecordingSession(json.dumps(example.truth)),
        results_root=tmp_path / "results",
    )
    image = {"image": str(example.image_path), "boxes": []}
    final: dict = {}
    for update in handlers.ask_question(
        Conversation(),
        "Extract every field.",
        ctx=ctx,
        tab=TAB,
        request=gr.Request(session_hash="tester"),
        image=image,
        preset=example.preset,
        strict=False,
        repair_turns=0,
    ):
        final |= update
    line = events._send_to_review(final["details"], image, None, "en", ctx=ctx)["sent"]
    assert line.startswith("✅ Sent the answer about ") and "results/review" in line
    (found,) = read_review_folder(tmp_path / "results" / "review")
    assert found.record == final["details"] and found.values
    assert run_folders(roots(ctx)) == ["results/review"]
    refused = events._send_to_review(None, image, None, "en", ctx=ctx)["sent"]
    assert refused.startswith("⚠️ Ask a question first")


def test_every_domain_tab_has_its_own_send_endpoint(app_context) -> None:
    app = build_app(app_context)
    names = {fn.api_name for fn in app.fns.values()}
    for key in app_context.presets:
        assert f"{key}_send_review" in names, key


# ---------------------------------------------------------------- the Batch tab, to the Review tab


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sent") / "results"


@pytest.fixture(scope="module")
def url(app_context, results: Path) -> str:
    ctx = dataclasses.replace(app_context, results_root=results)
    with gr.Blocks() as app:
        with gr.Tab("Batch"):
            batch_tab.build(ctx)
        with gr.Tab("Review"):
            review_tab.build(ctx)
    yield launch_blocks(app, ctx)
    app.close()


def test_a_batch_run_is_the_users_own_until_sent(url: str, results: Path, tmp_path: Path) -> None:
    ann, bob = Client(url, verbose=False), Client(url, verbose=False)
    path = tmp_path / "scan.png"
    Image.new("RGB", (64, 48), "white").save(path)
    status, _, downloads = ann.predict(
        files=[handle_file(str(path))],
        tab="receipts",
        preset="Extract all fields",
        max_new_tokens=8,
        api_name="/batch_run",
    )
    assert status.startswith("1 of 1 files") and downloads
    assert ann.predict(api_name="/review_folders")["choices"] == []  # nothing sent yet
    refused = bob.predict(api_name="/batch_send_review")
    assert refused.startswith("⚠️ Run a batch first")  # Ann's run is not Bob's to send
    line = ann.predict(api_name="/batch_send_review")
    assert line.startswith("✅ Sent the batch run (1 row(s)) to review as results/review/")
    (sent,) = (results / "review").iterdir()
    assert sent.name.endswith("-receipts-extract-all-fields")
    assert (sent / "results.jsonl").is_file()
    choices = [c[1] for c in bob.predict(api_name="/review_folders")["choices"]]
    assert choices == [f"results/review/{sent.name}"]
