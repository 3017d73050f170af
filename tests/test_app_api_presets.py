"""Presets through the API: their controls, verdicts, result.json, strict JSON, broken files."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest
from gradio.utils import get_upload_folder
from gradio_client import Client

import workbench.prompts.presets
from tabs.domain.results import EXPORTS, FREE_TEXT
from tests.app_client import (
    ask_quick,
    chat_answers,
    device_visual_max,
    example_image,
    nth_preset,
    preset_controls,
)
from tests.conftest import launch_app
from workbench.engines.base import Generation

EXPORT_KEYS = {"answer", "parsed", "validation", "checks", "model", "parameters", "region"}


def test_preset_endpoint_returns_question_and_generation_defaults(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    controls = preset_controls(client, "receipts", preset.name)

    assert controls["question"] == preset.question
    assert controls["temperature"] == pytest.approx(preset.generation.temperature)
    assert controls["top_p"] == pytest.approx(preset.generation.top_p)
    assert controls["max_new_tokens"] == preset.generation.max_new_tokens
    assert controls["strict"] is (preset.structured and app_context.strict_available)


@pytest.mark.parametrize(
    ("tab", "name"),
    [
        ("receipts", "Extract all fields"),  # asks for [1024, 2048]
        ("gauges", "Read the value"),  # asks for [256, 768]
        ("receipts", "Summarise for an expense report"),  # asks for nothing
    ],
)
def test_preset_endpoint_sets_the_visual_token_slider(client, app_context, tab, name):
    asked = app_context.presets[tab].get(name).generation.visual_tokens
    device, device_max = device_visual_max(app_context)
    if asked is None:
        expected = device_max
    else:  # the preset's max, capped at the device's on the CPU
        expected = min(asked[1], device_max) if device == "cpu" else asked[1]

    assert preset_controls(client, tab, name)["visual_tokens"] == expected


def test_preset_endpoint_in_chinese(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    question = preset_controls(client, "receipts", preset.name, "zh")["question"]
    switched = client.predict(preset=preset.name, language="zh", api_name="/receipts_language")

    assert question == preset.zh.question
    assert switched == preset.zh.question
    assert re.search(r"[\u4e00-\u9fff]", question)


def test_structured_preset_gives_verdict_and_exports_result_json(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    assert preset.structured
    _, result = ask_quick(
        client,
        "receipts",
        example_image(app_context, "receipts"),
        question=preset.question,
        preset=preset.name,
        max_new_tokens=32,
    )

    verdict = result["verdict"]
    assert verdict.startswith(("✅", "❌"))
    assert result["parsed"] is not None or "No usable JSON" in verdict
    assert result["details"]["preset"] == preset.name
    exported = {Path(path).name: Path(path) for path in result["downloads"]}
    assert "result.json" in exported
    saved = json.loads(exported["result.json"].read_text(encoding="utf-8"))
    assert saved.keys() >= EXPORT_KEYS
    assert saved == result["details"]
    assert saved["model"] == "tiny"
    assert saved["parameters"]["max_new_tokens"] == 32
    assert saved["region"] is None
    assert saved["validation"]["valid"] is verdict.startswith("✅")
    # The server wrote it inside Gradio's upload folder, which ages files out.
    written = [
        path
        for path in (Path(get_upload_folder()) / EXPORTS).glob("*/result.json")
        if path.read_bytes() == exported["result.json"].read_bytes()
    ]
    assert len(written) == 1, "the client's copy should match one export on the server"


def test_schema_errors_reach_api_callers_as_data(client, app_context, monkeypatch):
    # A scripted answer that parses but breaks the receipt schema.
    session = app_context.session
    session.get()
    answer = json.dumps({"merchant": "Shop", "total": "12.50"})
    monkeypatch.setattr(session, "stream", lambda *_: Generation(pieces=iter([answer])))
    preset = app_context.presets["receipts"].get("Extract all fields")
    _, result = ask_quick(
        client,
        "receipts",
        example_image(app_context, "receipts"),
        question=preset.question,
        preset=preset.name,
    )

    errors = result["details"]["validation"]["errors"]
    assert errors, result["details"]["validation"]
    # "at", not "path": the client would take a dict with a "path" for a file to download.
    assert all(set(error) == {"at", "message"} for error in errors), errors
    assert all(error["at"].startswith("$") for error in errors)
    assert any(error["at"] == "$.total" for error in errors), errors
    count = len(errors)
    assert result["verdict"].startswith(f"❌ **{count} schema error{'s' * (count != 1)}**")
    assert result["details"]["validation"]["valid"] is False
    (export,) = [path for path in result["downloads"] if Path(path).name == "result.json"]
    assert json.loads(Path(export).read_text(encoding="utf-8"))["validation"]["errors"] == errors


def test_strict_mode_gives_valid_json(client, app_context):
    if not app_context.strict_available:
        pytest.skip(f"strict mode unavailable here: {app_context.strict_reason}")
    name = "Read the value"
    controls = preset_controls(client, "gauges", name)
    assert controls["strict"] is True
    _, result = ask_quick(
        client,
        "gauges",
        example_image(app_context, "gauges"),
        question=controls["question"],
        preset=name,
        max_new_tokens=max(int(controls["max_new_tokens"]), 256),
        strict=True,
        repair_turns=0,
    )

    assert result["verdict"].startswith("✅"), result["verdict"]
    assert result["details"]["validation"] == {
        "valid": True,
        "extraction_error": "",
        "errors": [],
    }
    assert result["details"]["parameters"]["strict"] is True
    assert set(result["parsed"]) == {
        "value",
        "unit",
        "scale_min",
        "scale_max",
        "confidence",
        "bbox_2d",
    }
    assert "Domain checks" in result["checks"]


def test_broken_preset_file_breaks_only_its_tab(app_context, tmp_path):
    presets_dir = tmp_path / "presets"
    shutil.copytree(workbench.prompts.presets.PRESETS_DIR, presets_dir)
    receipts = presets_dir / "receipts.toml"
    text = receipts.read_text(encoding="utf-8")
    first = 'name = "Extract all fields"\n'
    assert first in text
    receipts.write_text(text.replace(first, first + 'colour = "red"\n', 1), encoding="utf-8")
    loaded = workbench.prompts.presets.load_all(presets_dir)
    assert isinstance(loaded["receipts"], workbench.prompts.presets.PresetError)
    ctx = dataclasses.replace(app_context, presets=loaded)

    app, url = launch_app(ctx)
    try:
        client = Client(url, verbose=False)
        errors = [
            component["props"]["value"]
            for component in client.config["components"]
            if component["props"].get("elem_id") == "receipts-preset-error"
        ]
        assert len(errors) == 1
        assert "receipts.toml" in errors[0]
        assert "presets[0].colour: unknown key" in errors[0]
        others = [
            component
            for component in client.config["components"]
            if str(component["props"].get("elem_id", "")).endswith("-preset-error")
        ]
        assert len(others) == 1, "only the receipts tab reports a preset error"

        name = nth_preset(ctx, "screenshots")
        _, shot = ask_quick(
            client,
            "screenshots",
            example_image(ctx, "screenshots"),
            preset=name,
            question=ctx.presets["screenshots"].get(name).question,
        )
        assert chat_answers(shot["chat"])[0].strip()
        assert shot["details"]["preset"] == name

        _, receipt = ask_quick(client, "receipts", example_image(ctx, "receipts"), preset=None)
        assert chat_answers(receipt["chat"])[0].strip()
        assert receipt["details"]["preset"] is None
        assert receipt["verdict"] == FREE_TEXT
    finally:
        app.close()
