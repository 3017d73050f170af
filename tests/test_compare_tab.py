"""The Compare tab, driven through its API: a drawn pair compared, bad input said in one line,
the model's verdicts (tiny model: shape only) and the report; the screenshots tab's contrast."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tabs import compare as compare_tab
from tabs.compare_inputs import parse_masks
from tabs.i18n import I18N
from tabs.screenshots import screenshot_contrast
from tabs.wording import say
from tests.conftest import launch_blocks
from workbench.compare.drawn import Screen, draw_screen

# What compare_run returns, in order (neither the state nor the results' column is sent).
OUTPUTS = (
    "status", "before_view", "after_view", "slider", "changes", "truncations",
    "contrast_before", "contrast_after", "contrast_summary", "contrast_table", "answer",
    "verdicts", "defects", "judge_status", "report_file",
)  # fmt: skip
JUDGED = ("judge_status", "answer", "verdicts", "defects")
LEFT = {"__type__": "update"}  # an output a refusal leaves as it was


@pytest.fixture(scope="module")
def client(app_context):
    """Return a client of a page holding only the Compare tab (and a language switch)."""
    with gr.Blocks() as app:
        language = gr.Radio(["en", "zh"], value="en", label=I18N("page.ui_language"))
        with gr.Tabs(), gr.Tab(I18N("compare.title"), id="compare"):
            compare_tab.build(app_context, language)
    yield Client(launch_blocks(app, app_context), verbose=False)
    app.close()


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    """Return a drawn pair of phone screens whose title changed: before.png, after.png."""
    folder = tmp_path_factory.mktemp("pair")
    paths = folder / "before.png", folder / "after.png"
    for path, title in zip(paths, ("Orders", "Purchases"), strict=True):
        draw_screen(Screen(title=title), dpr=1)[0].save(path)
    return paths


def _value(path: Path | None, boxes: list[dict[str, int]] | None = None) -> dict[str, Any] | None:
    return None if path is None else {"image": handle_file(str(path)), "boxes": boxes or []}


def _compare(client: Client, before: Path | None, after: Path | None, **options) -> dict:
    values = client.predict(
        before=_value(before),
        after=_value(after),
        masks=options.get("masks", ""),
        language=options.get("language", "en"),
        api_name="/compare_run",
    )
    return dict(zip(OUTPUTS, values, strict=True))


def test_a_drawn_pair_is_compared_and_boxed_on_both(client: Client, pair) -> None:
    shown = _compare(client, *pair)
    assert not shown["status"].startswith("⚠️"), shown["status"]
    rows = shown["changes"]["data"]
    assert rows and rows[0][0] == "1"
    assert shown["changes"]["headers"] == ["#", "kind", "before", "after", "detail"]
    for name in ("before_view", "after_view", "contrast_before", "contrast_after"):
        assert Image.open(shown[name]).size == (360, 800), name
    assert len(shown["slider"]) == 2
    assert shown["contrast_table"]["headers"][2:5] == ["ratio", "AA", "AAA"]
    assert shown["report_file"]["value"] is None and not shown["report_file"]["visible"]
    assert shown["answer"] == ""


def test_the_words_follow_the_page_language(client: Client, pair) -> None:
    shown = _compare(client, *pair, language="zh")
    assert shown["changes"]["headers"][:3] == ["#", "类型", "之前"]
    assert "处变化" in shown["status"]


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "screen.pdf"
    Image.new("RGB", (200, 300), "white").save(path, "PDF")
    return path


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("no before", say("compare_tab.missing.before")),
        ("nothing", say("compare_tab.missing.both")),
        ("bad mask", say("compare_tab.bad_mask", mask="1,2,3")),
        ("pdf", "PDF"),
    ],
)
def test_bad_input_is_one_line_and_nothing_else_moves(
    client: Client, pair, pdf: Path, case: str, said: str
) -> None:
    before, after = pair
    inputs = {
        "no before": (None, after, ""),
        "nothing": (None, None, ""),
        "bad mask": (before, after, "0,0,10,10; 1,2,3"),
        "pdf": (pdf, after, ""),
    }[case]
    shown = _compare(client, *inputs[:2], masks=inputs[2])
    assert shown["status"].startswith("⚠️ ") and said in shown["status"], shown["status"]
    assert all(shown[name] == LEFT for name in OUTPUTS if name != "status")


def test_unrelated_screens_say_so(client: Client, pair, tmp_path: Path) -> None:
    noise = tmp_path / "noise.png"
    pixels = np.random.default_rng(0).integers(0, 255, (800, 360, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(noise)
    shown = _compare(client, pair[0], noise)
    assert shown["status"].startswith("⚠️ "), shown["status"]


def test_masks_drawn_or_typed_hide_the_change(client: Client, pair) -> None:
    everything = "0,0,360,800"
    shown = _compare(client, *pair, masks=everything)
    assert shown["changes"]["data"] == [] or shown["changes"]["data"] == [[""] * 5]


def test_the_judge_and_the_report_need_a_comparison_first(client: Client, app_url=None) -> None:
    fresh = Client(client.src, verbose=False)
    status, *_ = fresh.predict(max_new_tokens=16, language="en", api_name="/compare_judge")
    assert status == f"⚠️ {say('compare_tab.first')}"
    report, status = fresh.predict(language="en", api_name="/compare_report")
    assert report == LEFT and status == f"⚠️ {say('compare_tab.first')}"


def test_compare_judge_report(client: Client, pair) -> None:
    """The tiny model's verdicts are noise: only their shape is checked."""
    _compare(client, *pair)
    job = client.submit(max_new_tokens=16, language="en", api_name="/compare_judge")
    updates = sum(1 for _ in job)
    judged = dict(zip(JUDGED, job.result(timeout=300), strict=True))
    assert updates >= 2
    assert not judged["judge_status"].startswith("⚠️"), judged["judge_status"]
    assert isinstance(judged["answer"], str) and judged["answer"]
    assert "JSON" in judged["verdicts"]  # the validation line: valid, or why not
    assert judged["defects"]["headers"] == ["change", "defect", "severity", "why"]
    report, status = client.predict(language="en", api_name="/compare_report")
    assert status == say("compare_tab.report_ready")
    assert report["visible"] is True
    with zipfile.ZipFile(report["value"]) as zipped:
        names = zipped.namelist()
    assert "report.md" in names and "report.json" in names


def test_the_screenshot_contrast_section(pair) -> None:
    image, summary, table = screenshot_contrast({"image": str(pair[0]), "boxes": []}, "zh")
    assert image.size == (360, 800)
    assert "行文字中有" in summary
    assert list(table.columns)[:3] == ["图像", "文字", "对比度"]
    assert len(table) >= 1
    image, summary, table = screenshot_contrast(None, "en")
    assert image is None and summary == "" and table.empty


@pytest.mark.parametrize(
    ("text", "boxes"),
    [
        ("", []),
        ("0,0,1080,80", [(0, 0, 1080, 80)]),
        (" 0, 0, 10, 10 ;5 5 20 30\n", [(0, 0, 10, 10), (5, 5, 20, 30)]),
    ],
)
def test_typed_masks(text: str, boxes: list) -> None:
    assert parse_masks(text, "en") == boxes


@pytest.mark.parametrize("text", ["1,2,3", "10,10,5,20", "a,b,c,d", "0,0,10,10,12"])
def test_a_typed_mask_that_is_not_a_box(text: str) -> None:
    with pytest.raises(gr.Error) as raised:
        parse_masks(text, "zh")
    assert raised.value.message == say("compare_tab.bad_mask", "zh", mask=text)
