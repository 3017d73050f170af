"""The visual-token budget through the API: the cost line, capped presets, the run details."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from gradio_client import handle_file
from PIL import Image

from tests.app_client import ask_quick, cost_of, turn_tokens
from workbench.budget import visual_tokens


@pytest.fixture(scope="module")
def photo_1024x768(tmp_path_factory) -> Path:
    """Return a 1024×768 PNG: 768 visual tokens when the budget's max allows them."""
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.new("RGB", (1024, 768), (200, 180, 160)).save(path)
    return path


@pytest.mark.parametrize(
    ("slider", "line"),
    [
        (1280, "🖼 768 visual tokens (the model sees 1024×768 px)"),  # fits: 32 × 24 tokens
        (256, "🖼 234 visual tokens (the model sees 576×416 px)"),  # shrunk: 18 × 13 tokens
    ],
)
def test_cost_line_counts_the_visual_tokens_of_an_upload(client, photo_1024x768, slider, line):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    assert cost_of(client, "receipts", image, visual_tokens=slider).startswith(line)


def test_cost_line_counts_the_crop_in_crop_mode_and_the_image_in_highlight_mode(
    client, photo_1024x768
):
    box = [{"xmin": 0, "ymin": 0, "xmax": 320, "ymax": 320, "label": "region"}]
    image = {"image": handle_file(str(photo_1024x768)), "boxes": box}
    cropped = cost_of(client, "screenshots", image, region_mode="crop", visual_tokens=1280)
    outlined = cost_of(client, "screenshots", image, region_mode="highlight", visual_tokens=1280)

    # 320×320 is 100 tokens, under the min of 256: grown to 512×512.
    assert cropped.startswith("🖼 256 visual tokens (the model sees 512×512 px)")
    assert outlined.startswith("🖼 768 visual tokens (the model sees 1024×768 px)")


def test_cost_line_without_an_image_is_empty(client):
    assert cost_of(client, "receipts", None, visual_tokens=1280) == ""


def test_cost_line_of_a_text_file_named_png_says_so(client, text_as_png):
    line = cost_of(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    assert line.startswith("⚠️ ")
    assert "not an image" in line


@pytest.mark.cpu
def test_cost_line_says_when_the_cpu_caps_a_preset(client, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    capped = cost_of(client, "receipts", image, preset="Extract all fields", visual_tokens=384)
    raised = cost_of(client, "receipts", image, preset="Extract all fields", visual_tokens=2048)

    # Below the preset's min of 1024 the device's min applies: shrunk into 384, 704×512 px.
    assert capped.startswith("🖼 352 visual tokens (the model sees 704×512 px)")
    assert "asks for up to 2,048 visual tokens; capped at 384 on CPU" in capped
    assert raised.startswith("🖼 1,036 visual tokens (the model sees 1184×896 px)")  # grown
    assert "capped" not in raised


@pytest.mark.cpu
@pytest.mark.parametrize(
    ("slider", "budget"),
    [
        (384, (256, 384)),  # capped: no longer the preset's min, or small images grow past 384
        (576, (256, 576)),
        (1024, (256, 1024)),
        (2048, (1024, 2048)),  # the preset's own budget
    ],
)
def test_a_capped_preset_does_not_enlarge_images_past_the_slider(app_context, slider, budget):
    from tabs.domain import cost

    preset = app_context.presets["receipts"].get("Extract all fields")
    assert preset.generation.visual_tokens == (1024, 2048)
    assert cost.visual_budget(app_context, preset, slider) == budget
    assert visual_tokens((400, 700), budget) <= slider  # a small receipt photo


def test_ask_with_a_small_slider_shows_the_budget_in_the_run_details(client, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    _, small = ask_quick(client, "receipts", image, visual_tokens=128)
    _, large = ask_quick(client, "receipts", image, visual_tokens=1280)

    assert small["details"]["parameters"]["visual_tokens"] == [128, 128]  # min never above max
    assert turn_tokens(small)["visual"] == visual_tokens((1024, 768), (128, 128)) == 117
    assert large["details"]["parameters"]["visual_tokens"] == [256, 1280]
    assert turn_tokens(large)["visual"] == 768


def test_cost_line_after_an_answer_predicts_the_wait(client, app_context, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    ask_quick(client, "receipts", image)
    rate = app_context.session.prefill_rate
    assert rate is not None, "an answer with an image measures the prefill rate"
    line = cost_of(client, "receipts", image, visual_tokens=1280)

    assert re.fullmatch(
        r"🖼 768 visual tokens \(the model sees 1024×768 px\) · first word in about [\d.]+ s"
        r" \(this session: [\d,]+ tokens/s prefill\)",
        line,
    ), line


def test_cost_line_before_the_model_loads_says_the_first_question_loads_it(
    app_context, cache_dir, photo_1024x768
):
    from tabs.domain import cost
    from tabs.receipts import TAB
    from workbench.session import ModelSession
    from workbench.settings import Settings

    fresh = dataclasses.replace(
        app_context,
        session=ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir)),
    )
    line = cost.cost_line(
        {"image": str(photo_1024x768), "boxes": []}, "crop", None, 1280, ctx=fresh, tab=TAB
    )
    assert line == (
        "🖼 768 visual tokens (the model sees 1024×768 px) (the first question also loads the model)"
    )
    assert not fresh.session.loaded
