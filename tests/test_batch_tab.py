"""The Batch tab, driven through its API: rows as files finish, errors as rows, Stop, downloads."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tabs import batch as batch_tab
from tabs.domain.events import ENGINE_QUEUE
from tabs.i18n import I18N
from tabs.wording import say
from tests.conftest import launch_blocks

TOKENS = 8  # the random model's answers are never read; only their rows


@pytest.fixture(scope="module")
def client(app_context):
    """Return a client of a page holding only the Batch tab, on the tiny model."""
    with gr.Blocks() as app, gr.Tabs(), gr.Tab(I18N("batch.title"), id="batch"):
        batch_tab.build(app_context)
    yield Client(launch_blocks(app, app_context), verbose=False)
    app.close()


def _images(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        path = folder / f"img{index}.png"
        Image.new("RGB", (64 + 8 * index, 48), "white").save(path)
        paths.append(path)
    return paths


def _run(client: Client, files: list[Path], **options):
    arguments = {
        "files": [handle_file(str(path)) for path in files],
        "tab": "receipts",
        "preset": "Extract all fields",
        "max_new_tokens": TOKENS,
        **options,
    }
    return client.submit(**arguments, api_name="/batch_run")


def test_presets_follow_the_tab(client: Client, app_context) -> None:
    update = client.predict("gauges", api_name="/batch_presets")
    names = app_context.presets["gauges"].names
    assert update["value"] == names[0]
    assert [choice[1] for choice in update["choices"]] == list(names)


def test_a_run_gives_a_row_per_file_the_broken_one_with_its_message(
    client: Client, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_text("not an image", encoding="utf-8")
    status, table, downloads = _run(client, [*_images(tmp_path, 2), broken]).result(timeout=60)
    rows = {row[0]: row for row in table["data"]}
    assert list(rows) == ["img0.png", "img1.png", "broken.png"]
    assert rows["img0.png"][1] == rows["img1.png"][1] == "ok"
    assert rows["broken.png"][1] not in ("", "ok")
    assert status.startswith("3 of 3 files") and "1 with errors" in status
    by_name = {Path(path).name: Path(path) for path in downloads}
    assert sorted(by_name) == ["annotated.zip", "results.csv", "results.jsonl"]
    assert len(by_name["results.jsonl"].read_text(encoding="utf-8").splitlines()) == 3


def test_no_files_or_no_preset_is_a_message_and_nothing_else(
    client: Client, tmp_path: Path
) -> None:
    status, table, downloads = client.predict(
        files=[], tab="receipts", preset="Extract all fields", api_name="/batch_run"
    )
    assert status.startswith("⚠️ Add files first")
    assert table == downloads == {"__type__": "update"}  # left as they were
    status, *_ = _run(client, _images(tmp_path, 1), preset="No such preset").result(timeout=30)
    assert status.startswith("⚠️ Pick a tab and a preset")


def test_stop_keeps_the_rows_so_far(client: Client, tmp_path: Path) -> None:
    files = _images(tmp_path, 8)
    job = _run(client, files)
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:  # wait for the first finished row
        outputs = job.outputs()
        if outputs and outputs[-1][1]["data"]:
            break
        time.sleep(0.05)
    client.predict(api_name="/batch_stop")
    status, table, downloads = job.result(timeout=60)
    assert 1 <= len(table["data"]) < len(files)
    assert status.endswith("stopped")
    assert {Path(path).name for path in downloads} == {
        "annotated.zip",
        "results.csv",
        "results.jsonl",
    }


# --- the regression run: two folders of screenshots, paired by file name --------------------


def _screens(folder: Path, names: list[str], title: str) -> list[Path]:
    from workbench.compare.drawn import Screen, draw_screen

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        draw_screen(Screen(title=title), dpr=1)[0].save(folder / name)
        paths.append(folder / name)
    return paths


def test_two_folders_give_a_row_per_pair_the_missing_listed_and_a_report(
    client: Client, tmp_path: Path
) -> None:
    before = _screens(tmp_path / "before", ["home.png", "login.png", "gone.png"], "Orders")
    after = _screens(tmp_path / "after", ["home.png", "login.png", "new.png"], "Purchases")
    job = client.submit(
        before=[handle_file(str(path)) for path in before],
        after=[handle_file(str(path)) for path in after],
        masks="",
        api_name="/batch_compare_run",
    )
    status, table, missing, downloads = job.result(timeout=120)
    rows = {Path(row[0]).stem: row for row in table["data"]}  # paired by name
    assert sorted(rows) == ["home", "login"]
    assert all(int(row[1]) >= 1 for row in rows.values())  # the title changed on each
    assert status.startswith("2 pairs compared")
    assert "gone" in missing and "new" in missing
    assert {Path(path).name for path in downloads} >= {"report.md", "report.json", "regression.zip"}


def test_two_zips_are_two_folders(client: Client, tmp_path: Path) -> None:
    import zipfile

    zips = []
    for side, title in (("before", "Orders"), ("after", "Purchases")):
        [screen] = _screens(tmp_path / side, ["home.png"], title)
        zipped = tmp_path / f"{side}.zip"
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.write(screen, "home.png")
        zips.append(zipped)
    status, table, _, _ = client.predict(
        before=[handle_file(str(zips[0]))],
        after=[handle_file(str(zips[1]))],
        masks="",
        api_name="/batch_compare_run",
    )
    assert [Path(row[0]).stem for row in table["data"]] == ["home"], status


def test_one_side_empty_is_a_message(client: Client, tmp_path: Path) -> None:
    [screen] = _screens(tmp_path, ["home.png"], "Orders")
    status, table, missing, downloads = client.predict(
        before=[handle_file(str(screen))], after=[], masks="", api_name="/batch_compare_run"
    )
    assert status == "⚠️ " + say("batch_compare.no_files", "en")
    assert table == missing == downloads == {"__type__": "update"}


def test_the_judge_box_asks_the_model_about_each_pair(app_context, tmp_path: Path) -> None:
    """The box shows the Run that goes through the engine's queue; its rows count the defects
    the (stand-in) model called, or say why a pair was not judged."""
    import json
    from dataclasses import replace

    from tabs import batch_compare
    from tests.helpers import RecordingSession

    verdict = {"defects": [{"change": 1, "defect": True, "severity": "low", "why": "x"}]}
    session = RecordingSession(json.dumps(verdict), "no JSON", "still none")
    ctx = replace(app_context, session=session)
    with gr.Blocks() as app:
        batch_compare.build(gr.State("en"), ctx)
    client = Client(launch_blocks(app, ctx), verbose=False)
    try:
        client.predict(judge=True, api_name="/batch_compare_pick")  # the box shows its Run
        before = _screens(tmp_path / "before", ["home.png", "login.png"], "Orders")
        after = _screens(tmp_path / "after", ["home.png", "login.png"], "Purchases")
        status, table, _, downloads = client.predict(
            before=[handle_file(str(path)) for path in before],
            after=[handle_file(str(path)) for path in after],
            masks="",
            api_name="/batch_compare_judge",
        )
    finally:
        app.close()
    queues = {fn.api_name: fn.concurrency_id for fn in app.fns.values()}
    assert queues["batch_compare_judge"] == ENGINE_QUEUE != queues["batch_compare_run"]
    defects = sorted(row[2] for row in table["data"])
    assert defects[0] == "1" and defects[1].startswith("not judged: The model's answer was no")
    assert "1 defects · 1 pairs not judged" in status and len(session.sent) == 3
    assert {Path(path).name for path in downloads} >= {"report.md", "report.json"}
