"""The app through its API: `gradio_client` against the launched Blocks, on the tiny model.

The tiny model's words are noise, so these tests assert on what the app does around them:
streaming, chat structure, statuses, token counts, verdicts, exports and errors.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

import workbench.presets
from tabs.handlers import Controls
from tests.conftest import launch_app
from workbench.budget import device_budget, visual_tokens

TABS = ("receipts", "screenshots", "homework", "gauges")
REPO = Path(__file__).resolve().parent.parent
# Outputs of the ask endpoints, in order.
CHAT, STATUS, PARSED, VERDICT, CHECKS, ANNOTATED, EXPORT, DETAILS = range(8)
EXPORT_KEYS = {"answer", "parsed", "validation", "checks", "model", "parameters", "region"}
SHARE_WAIT_SECONDS = 40


@pytest.fixture(scope="module")
def client(app_url: str) -> Client:
    """Return one API client of the shared app."""
    return Client(app_url, verbose=False)


def _image(ctx, tab: str, boxes: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """Return the annotator value for the tab's first example image."""
    return {"image": handle_file(str(ctx.examples[tab][0].image_path)), "boxes": boxes or []}


def _submit(client: Client, tab: str, image: dict[str, Any] | None, **overrides: Any):
    """Start an ask on a tab, with short defaults; return the job."""
    inputs: dict[str, Any] = {
        "image": image,
        "question": "What is in this picture?",
        "role": "",
        "preset": None,
        "temperature": 1.0,  # full sampling: greedy on random weights may repeat a blank
        "top_p": 1.0,
        "max_new_tokens": 16,
        "history": [],
        "language": "en",
        "region_mode": "crop",
        "strict": False,
        "repair_turns": 0,
        "threshold": None,
        "direction": "above",
        **overrides,
    }
    return client.submit(**inputs, api_name=f"/{tab}_ask")


def _ask(client: Client, tab: str, image: dict[str, Any] | None, **overrides: Any):
    """Ask and return (the number of streamed updates, the final outputs)."""
    job = _submit(client, tab, image, **overrides)
    updates = sum(1 for _ in job)
    return updates, job.result(timeout=120)


def _text(content: Any) -> str:
    """Return the text of a chat message's content (a string or Gradio's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list):
        return "".join(_text(part) for part in content)
    return ""


def _messages(chat: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(message["role"], _text(message["content"])) for message in chat]


def _questions(chat: list[dict[str, Any]]) -> list[str]:
    return [text for role, text in _messages(chat) if role == "user"]


def _tokens(result: tuple, turn: int = 0) -> dict[str, int]:
    return result[DETAILS]["turns"][turn]["tokens"]


def _preset_name(ctx, tab: str, index: int = 0) -> str:
    return ctx.presets[tab].presets[index].name


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _controls(client: Client, tab: str, preset: str, language: str = "en") -> dict[str, Any]:
    """Return what choosing a preset puts into the controls, by name."""
    values = client.predict(preset=preset, language=language, api_name=f"/{tab}_preset")
    return dict(zip(Controls._fields, values, strict=True))


def _device_max(ctx) -> tuple[str, int]:
    """Return the device and its max visual tokens: the loaded model's, else the CPU guess."""
    if ctx.session.loaded:
        return ctx.session.status.device, ctx.session.status.visual_tokens[1]
    return "cpu", device_budget("cpu")[1]


def _cost(client: Client, tab: str, image: dict | None, **overrides: Any) -> str:
    """Return the cost line under a tab's image."""
    inputs = {"image": image, "region_mode": "crop", "preset": None, **overrides}
    return client.predict(**inputs, api_name=f"/{tab}_cost")


@pytest.fixture(scope="module")
def photo_1024x768(tmp_path_factory) -> Path:
    """Return a 1024×768 PNG: 768 visual tokens when the budget's max allows them."""
    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.new("RGB", (1024, 768), (200, 180, 160)).save(path)
    return path


# --- streaming answers --------------------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_streams_an_answer(client, app_context, tab):
    question = f"What does this {tab} picture show?"
    job = _submit(client, tab, _image(app_context, tab), question=question, max_new_tokens=32)
    updates = list(job)
    result = job.result(timeout=120)

    assert len(updates) > 2, "the answer should arrive in several updates"
    messages = _messages(result[CHAT])
    assert [role for role, _ in messages] == ["user", "assistant"]
    assert messages[0][1] == question
    assert messages[1][1].strip()
    assert "tiny" in result[STATUS] or "random weights" in result[STATUS]
    tokens = _tokens(result)
    assert tokens["visual"] > 0
    assert tokens["prompt"] > tokens["visual"]
    assert 0 < tokens["generated"] <= 32
    assert result[DETAILS]["region"] is None
    assert result[DETAILS]["preset"] is None


def test_streamed_updates_grow_the_answer(client, app_context):
    job = _submit(client, "receipts", _image(app_context, "receipts"), max_new_tokens=24)
    answers = []
    for update in job:
        chat = update[CHAT]
        if isinstance(chat, list) and len(chat) == 2:
            answers.append(_text(chat[1]["content"]))
    final = _text(job.result(timeout=120)[CHAT][1]["content"])

    assert len(set(answers)) > 1, "the assistant message should change while streaming"
    assert any(len(answer) < len(final) for answer in answers)


# --- regions ------------------------------------------------------------------------------


def test_region_crop_shows_the_model_less_and_highlight_keeps_the_image(client, app_context):
    box = [{"xmin": 10, "ymin": 10, "xmax": 90, "ymax": 90, "label": "region"}]
    _, whole = _ask(client, "receipts", _image(app_context, "receipts"))
    _, cropped = _ask(client, "receipts", _image(app_context, "receipts", box), region_mode="crop")
    _, outlined = _ask(
        client, "receipts", _image(app_context, "receipts", box), region_mode="highlight"
    )

    assert _tokens(cropped)["visual"] < _tokens(whole)["visual"]
    assert _tokens(outlined)["visual"] == _tokens(whole)["visual"]
    assert cropped[DETAILS]["region"] == {"box": [10, 10, 90, 90], "mode": "crop"}
    assert outlined[DETAILS]["region"] == {"box": [10, 10, 90, 90], "mode": "highlight"}
    assert whole[DETAILS]["region"] is None
    # The marked region is drawn on the result image, and exported beside result.json.
    assert cropped[ANNOTATED] is not None
    assert sorted(Path(path).name for path in cropped[EXPORT]) == ["annotated.png", "result.json"]


# --- multi-turn chat and isolation --------------------------------------------------------


def test_history_grows_across_turns(client, app_context):
    image = _image(app_context, "homework")
    _, first = _ask(client, "homework", image, question="First question?")
    _, second = _ask(client, "homework", image, question="Second question?", history=first[CHAT])

    messages = _messages(second[CHAT])
    assert [role for role, _ in messages] == ["user", "assistant"] * 2
    assert _questions(second[CHAT]) == ["First question?", "Second question?"]
    assert messages[1][1] == _messages(first[CHAT])[1][1]
    assert _tokens(second)["prompt"] > _tokens(first)["prompt"]
    assert _tokens(second)["visual"] == _tokens(first)["visual"]


def _conversation(client: Client, ctx, name: str, turns: int = 2) -> list[dict[str, Any]]:
    chat: list[dict[str, Any]] = []
    for turn in range(turns):
        _, result = _ask(
            client,
            "screenshots",
            _image(ctx, "screenshots"),
            question=f"{name} question {turn}?",
            history=chat,
        )
        chat = result[CHAT]
    return chat


def test_two_clients_keep_their_own_history(app_url, app_context):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    alice_chat = _conversation(alice, app_context, "Alice", turns=1)
    bob_chat = _conversation(bob, app_context, "Bob", turns=1)
    _, alice_again = _ask(
        alice,
        "screenshots",
        _image(app_context, "screenshots"),
        question="Alice question 1?",
        history=alice_chat,
    )

    assert _questions(alice_again[CHAT]) == ["Alice question 0?", "Alice question 1?"]
    assert _questions(bob_chat) == ["Bob question 0?"]


def test_two_clients_at_once_stay_isolated(app_url, app_context):
    names = ("Carol", "Dave")
    chats: dict[str, list] = {}
    failures: list[BaseException] = []

    def converse(name: str) -> None:
        try:
            chats[name] = _conversation(Client(app_url, verbose=False), app_context, name)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=converse, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not failures, failures
    for name in names:
        assert _questions(chats[name]) == [f"{name} question 0?", f"{name} question 1?"]


# --- presets ------------------------------------------------------------------------------


def test_preset_endpoint_returns_question_and_generation_defaults(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    controls = _controls(client, "receipts", preset.name)

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
    device, device_max = _device_max(app_context)
    if asked is None:
        expected = device_max
    else:  # the preset's max, capped at the device's on the CPU
        expected = min(asked[1], device_max) if device == "cpu" else asked[1]

    assert _controls(client, tab, name)["visual_tokens"] == expected


def test_preset_endpoint_in_chinese(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    question = _controls(client, "receipts", preset.name, "zh")["question"]
    switched = client.predict(preset=preset.name, language="zh", api_name="/receipts_language")

    assert question == preset.zh.question
    assert switched == preset.zh.question
    assert re.search(r"[\u4e00-\u9fff]", question)


def test_structured_preset_gives_verdict_and_exports_result_json(client, app_context):
    preset = app_context.presets["receipts"].presets[0]
    assert preset.structured
    _, result = _ask(
        client,
        "receipts",
        _image(app_context, "receipts"),
        question=preset.question,
        preset=preset.name,
        max_new_tokens=32,
    )

    verdict = result[VERDICT]
    assert verdict.startswith(("✅", "❌"))
    assert result[PARSED] is not None or "No usable JSON" in verdict
    assert result[DETAILS]["preset"] == preset.name
    exported = {Path(path).name: Path(path) for path in result[EXPORT]}
    assert "result.json" in exported
    saved = json.loads(exported["result.json"].read_text(encoding="utf-8"))
    assert saved.keys() >= EXPORT_KEYS
    assert saved["model"] == "tiny"
    assert saved["parameters"]["max_new_tokens"] == 32
    assert saved["region"] is None
    assert saved["validation"]["valid"] is verdict.startswith("✅")


def test_strict_mode_gives_valid_json(client, app_context):
    if not app_context.strict_available:
        pytest.skip(f"strict mode unavailable here: {app_context.strict_reason}")
    name = "Read the value"
    controls = _controls(client, "gauges", name)
    assert controls["strict"] is True
    _, result = _ask(
        client,
        "gauges",
        _image(app_context, "gauges"),
        question=controls["question"],
        preset=name,
        max_new_tokens=max(int(controls["max_new_tokens"]), 256),
        strict=True,
        repair_turns=0,
    )

    assert result[VERDICT].startswith("✅"), result[VERDICT]
    assert result[DETAILS]["validation"] == {"valid": True, "extraction_error": "", "errors": []}
    assert result[DETAILS]["parameters"]["strict"] is True
    assert set(result[PARSED]) == {
        "value",
        "unit",
        "scale_min",
        "scale_max",
        "confidence",
        "bbox_2d",
    }
    assert "Domain checks" in result[CHECKS]


def test_broken_preset_file_breaks_only_its_tab(app_context, tmp_path):
    presets_dir = tmp_path / "presets"
    shutil.copytree(workbench.presets.PRESETS_DIR, presets_dir)
    receipts = presets_dir / "receipts.toml"
    text = receipts.read_text(encoding="utf-8")
    first = 'name = "Extract all fields"\n'
    assert first in text
    receipts.write_text(text.replace(first, first + 'colour = "red"\n', 1), encoding="utf-8")
    loaded = workbench.presets.load_all(presets_dir)
    assert isinstance(loaded["receipts"], workbench.presets.PresetError)
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

        name = _preset_name(ctx, "screenshots")
        _, shot = _ask(
            client,
            "screenshots",
            _image(ctx, "screenshots"),
            preset=name,
            question=ctx.presets["screenshots"].get(name).question,
        )
        assert _messages(shot[CHAT])[1][1].strip()
        assert shot[DETAILS]["preset"] == name

        _, receipt = _ask(client, "receipts", _image(ctx, "receipts"), preset=None)
        assert _messages(receipt[CHAT])[1][1].strip()
        assert receipt[DETAILS]["preset"] is None
        assert receipt[VERDICT] == ""
    finally:
        app.close()


# --- visual-token budget and the cost line -------------------------------------------------


@pytest.mark.parametrize(
    ("slider", "line"),
    [
        (1280, "🖼 768 visual tokens (the model sees 1024×768 px)"),  # fits: 32 × 24 tokens
        (256, "🖼 234 visual tokens (the model sees 576×416 px)"),  # shrunk: 18 × 13 tokens
    ],
)
def test_cost_line_counts_the_visual_tokens_of_an_upload(client, photo_1024x768, slider, line):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    assert _cost(client, "receipts", image, max_visual_tokens=slider).startswith(line)


def test_cost_line_counts_the_crop_in_crop_mode_and_the_image_in_highlight_mode(
    client, photo_1024x768
):
    box = [{"xmin": 0, "ymin": 0, "xmax": 320, "ymax": 320, "label": "region"}]
    image = {"image": handle_file(str(photo_1024x768)), "boxes": box}
    cropped = _cost(client, "screenshots", image, region_mode="crop", max_visual_tokens=1280)
    outlined = _cost(client, "screenshots", image, region_mode="highlight", max_visual_tokens=1280)

    # 320×320 is 100 tokens, under the min of 256: grown to 512×512.
    assert cropped.startswith("🖼 256 visual tokens (the model sees 512×512 px)")
    assert outlined.startswith("🖼 768 visual tokens (the model sees 1024×768 px)")


def test_cost_line_without_an_image_is_empty(client):
    assert _cost(client, "receipts", None, max_visual_tokens=1280) == ""


def test_cost_line_of_a_text_file_named_png_says_so(client, text_as_png):
    line = _cost(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    assert line.startswith("⚠️ ")
    assert "not an image" in line


@pytest.mark.cpu
def test_cost_line_says_when_the_cpu_caps_a_preset(client, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    capped = _cost(client, "receipts", image, preset="Extract all fields", max_visual_tokens=384)
    raised = _cost(client, "receipts", image, preset="Extract all fields", max_visual_tokens=2048)

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
    from tabs import cost

    preset = app_context.presets["receipts"].get("Extract all fields")
    assert preset.generation.visual_tokens == (1024, 2048)
    assert cost.visual_budget(app_context, preset, slider) == budget
    assert visual_tokens((400, 700), budget) <= slider  # a small receipt photo


def test_ask_with_a_small_slider_shows_the_budget_in_the_run_details(client, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    _, small = _ask(client, "receipts", image, max_visual_tokens=128)
    _, large = _ask(client, "receipts", image, max_visual_tokens=1280)

    assert small[DETAILS]["parameters"]["visual_tokens"] == [128, 128]  # min never above max
    assert _tokens(small)["visual"] == visual_tokens((1024, 768), (128, 128)) == 117
    assert large[DETAILS]["parameters"]["visual_tokens"] == [256, 1280]
    assert _tokens(large)["visual"] == 768


def test_cost_line_after_an_answer_predicts_the_wait(client, app_context, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    _ask(client, "receipts", image)
    rate = app_context.session.prefill_rate
    assert rate is not None, "an answer with an image measures the prefill rate"
    line = _cost(client, "receipts", image, max_visual_tokens=1280)

    assert re.fullmatch(
        r"🖼 768 visual tokens \(the model sees 1024×768 px\) · first word in about [\d.]+ s"
        r" \(this session: [\d,]+ tokens/s prefill\)",
        line,
    ), line


def test_cost_line_before_the_model_loads_says_the_first_question_loads_it(
    app_context, cache_dir, photo_1024x768
):
    from tabs import cost
    from tabs.receipts import TAB
    from workbench.session import ModelSession
    from workbench.settings import Settings

    fresh = dataclasses.replace(
        app_context, session=ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    )
    line = cost.cost_line(
        {"image": str(photo_1024x768), "boxes": []}, "crop", None, 1280, ctx=fresh, tab=TAB
    )
    assert line == (
        "🖼 768 visual tokens (the model sees 1024×768 px) (the first question also loads the model)"
    )
    assert not fresh.session.loaded


# --- bad input ----------------------------------------------------------------------------


def _assert_app_still_answers(client: Client, ctx) -> None:
    _, result = _ask(client, "receipts", _image(ctx, "receipts"))
    assert _messages(result[CHAT])[1][1].strip()


def test_a_failure_while_answering_is_one_clear_line(client, app_context, monkeypatch):
    from workbench.engine import Generation

    def failing_pieces():
        yield "The total"
        raise RuntimeError("CUDA error: device-side assert triggered\nCompile with TORCH_USE_DSA")

    session = app_context.session
    session.get()
    monkeypatch.setattr(session, "stream", lambda *_: Generation(pieces=failing_pieces()))
    with pytest.raises(AppError) as caught:
        _ask(client, "receipts", _image(app_context, "receipts"))
    message = str(caught.value)
    assert "The model failed while answering (RuntimeError: CUDA error" in message
    assert "Traceback" not in message and "TORCH_USE_DSA" not in message
    monkeypatch.undo()
    _assert_app_still_answers(client, app_context)


def test_no_image_is_a_clear_error(client, app_context):
    with pytest.raises(AppError, match="Add an image first"):
        _ask(client, "receipts", None)
    _assert_app_still_answers(client, app_context)


@pytest.fixture
def text_as_png(tmp_path) -> Path:
    """Return a text file that calls itself a PNG."""
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not pixels\n" * 20, encoding="utf-8")
    return fake


def test_text_file_named_png_is_refused_and_the_app_keeps_working(client, app_context, text_as_png):
    with pytest.raises(AppError):
        _ask(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    _assert_app_still_answers(client, app_context)


def test_text_file_named_png_says_it_is_not_an_image(client, text_as_png):
    with pytest.raises(AppError, match="not an image"):
        _ask(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})


def test_transparent_screenshot_is_shown_on_white(client, tmp_path):
    path = tmp_path / "transparent.png"
    Image.new("RGBA", (320, 240), (0, 0, 0, 0)).save(path)
    box = [{"xmin": 100, "ymin": 80, "xmax": 200, "ymax": 160}]
    _, result = _ask(
        client,
        "screenshots",
        {"image": handle_file(str(path)), "boxes": box},
        region_mode="highlight",
    )

    with Image.open(result[ANNOTATED]) as shown:
        corner = shown.convert("RGB").getpixel((5, 5))
    assert min(corner) > 240, f"transparent corner shown as {corner}"


@pytest.mark.parametrize("question", ["", "   \n"])
def test_empty_question_is_a_clear_error(client, app_context, question):
    with pytest.raises(AppError, match="The question is empty"):
        _ask(client, "gauges", _image(app_context, "gauges"), question=question)
    _assert_app_still_answers(client, app_context)


def test_regenerate_without_a_question_is_a_clear_error(client, app_context):
    with pytest.raises(AppError, match="no question to regenerate"):
        client.predict(
            _image(app_context, "receipts"),
            "",
            "",
            None,
            0.0,
            0.8,
            16,
            [],
            "en",
            "crop",
            False,
            0,
            None,
            "above",
            api_name="/receipts_regenerate",
        )


# --- small endpoints ----------------------------------------------------------------------


def test_clear_returns_an_empty_chat(client):
    chat, parsed, verdict, checks, annotated, export, details = client.predict(
        api_name="/receipts_clear"
    )
    assert chat == []
    assert (parsed, verdict, checks, annotated, export, details) == (None, "", "", None, None, None)


def test_status_names_the_model(client):
    assert "tiny" in client.predict(api_name="/status")


# --- launch.py --share, offline -----------------------------------------------------------


def test_launch_share_offline_keeps_serving_locally_with_a_password(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "launch.py", "--model", "tiny", "--share", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        lines.extend(process.stdout)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    started = time.monotonic()
    try:
        while time.monotonic() - started < SHARE_WAIT_SECONDS and process.poll() is None:
            if any("No share link could be made" in line for line in lines):
                break
            time.sleep(0.2)
        output = "".join(lines)
        assert process.poll() is None, f"launch.py exited early:\n{output}"
        assert re.search(r"Share link login: user 'workbench', password '\S+'", output), output
        assert "No share link could be made" in output, (
            f"no offline share message after {SHARE_WAIT_SECONDS} s:\n{output}"
        )
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert response.status_code in (200, 401)
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=10)
        assert config.status_code == 401, "auth should guard the app's config"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)


def test_a_model_that_fails_to_load_is_explained_and_the_app_keeps_serving(
    app_context, cache_dir, tmp_path
):
    from workbench.session import ModelSession
    from workbench.settings import Settings

    missing = tmp_path / "no-model-here"
    broken = dataclasses.replace(
        app_context, session=ModelSession(Settings(model=str(missing), cache_dir=cache_dir))
    )
    app, url = launch_app(broken)
    try:
        client = Client(url, verbose=False)
        for _ in range(2):  # a failed load is retried on the next question, and fails alike
            with pytest.raises(AppError, match="no model directory at"):
                _ask(client, "gauges", _image(app_context, "gauges"))
        assert broken.session.load_count == 2
        assert "failed to load" in client.predict(api_name="/status")
    finally:
        app.close()


@pytest.mark.parametrize(
    ("setting", "value"),
    [("language", "fr"), ("region_mode", "zoom"), ("direction", "sideways"), ("top_p", 0)],
)
def test_out_of_range_settings_from_api_callers_are_clear_errors(
    client, app_context, setting, value
):
    # Gradio checks radio choices and slider bounds before the handler runs.
    with pytest.raises(AppError, match=rf"'?{value}'? .*(not in the list of choices|less than)"):
        _ask(client, "gauges", _image(app_context, "gauges"), **{setting: value})
