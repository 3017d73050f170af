"""Bad input through the API: failures, refusals, odd files and out-of-range settings."""

from __future__ import annotations

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

from tests.app_client import (
    RUN_LINE,
    ask_quick,
    chat_answers,
    chat_messages,
    example_image,
    refusal_line,
    regenerate_quick,
    turn_tokens,
)
from workbench.engines.base import Generation
from workbench.prompts.conversation import STOPPED_MARK


def _assert_app_still_answers(client: Client, ctx) -> None:
    _, result = ask_quick(client, "receipts", example_image(ctx, "receipts"))
    assert chat_messages(result["chat"])[-1][0] == "assistant"
    assert chat_answers(result["chat"])[-1].strip()
    assert RUN_LINE.match(result["run_status"]), result["run_status"]


def _failing_pieces():
    yield "The total"
    raise RuntimeError("CUDA error: device-side assert triggered\nCompile with TORCH_USE_DSA")


def test_a_failure_while_answering_is_one_clear_line(client, app_context, monkeypatch):
    session = app_context.session
    session.get()
    monkeypatch.setattr(session, "stream", lambda *_: Generation(pieces=_failing_pieces()))
    _, result = ask_quick(client, "receipts", example_image(app_context, "receipts"))
    monkeypatch.undo()

    failed = "The model failed while answering (RuntimeError: CUDA error: device-side assert"
    assert result["run_status"].startswith(f"🔴 {failed}"), result["run_status"]
    notice = chat_messages(result["chat"])[-1]
    assert notice[0] == "assistant" and notice[1].startswith(f"⚠️ {failed}"), notice
    for line in (result["run_status"], notice[1]):
        assert "Traceback" not in line and "TORCH_USE_DSA" not in line
    _assert_app_still_answers(client, app_context)


def test_a_failed_answer_is_not_sent_with_the_next_question(app_url, app_context, monkeypatch):
    image = example_image(app_context, "receipts")
    session = app_context.session
    session.get()
    alice = Client(app_url, verbose=False)
    with monkeypatch.context() as patched:
        patched.setattr(session, "stream", lambda *_: Generation(pieces=_failing_pieces()))
        _, failed = ask_quick(alice, "receipts", image)
    assert failed["run_status"].startswith("🔴 The model failed while answering")
    _, after = ask_quick(alice, "receipts", image)
    _, alone = ask_quick(Client(app_url, verbose=False), "receipts", image)

    assert not any(STOPPED_MARK in answer for answer in chat_answers(after["chat"]))
    assert turn_tokens(after)["prompt"] == turn_tokens(alone)["prompt"]


def test_no_image_is_a_clear_refusal(client, app_context):
    _, result = ask_quick(client, "receipts", None)
    assert refusal_line(result).startswith("⚠️ Add an image first")
    _assert_app_still_answers(client, app_context)


def test_text_file_named_png_is_refused_and_the_app_keeps_working(client, app_context, text_as_png):
    _, result = ask_quick(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    refusal_line(result)
    _assert_app_still_answers(client, app_context)


def test_text_file_named_png_says_it_is_not_an_image(client, text_as_png):
    _, result = ask_quick(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    assert "not an image" in refusal_line(result)


def test_transparent_screenshot_is_shown_on_white(client, tmp_path):
    path = tmp_path / "transparent.png"
    Image.new("RGBA", (320, 240), (0, 0, 0, 0)).save(path)
    box = [{"xmin": 100, "ymin": 80, "xmax": 200, "ymax": 160}]
    _, result = ask_quick(
        client,
        "screenshots",
        {"image": handle_file(str(path)), "boxes": box},
        region_mode="highlight",
    )

    with Image.open(result["annotated"]) as shown:
        corner = shown.convert("RGB").getpixel((5, 5))
    assert min(corner) > 240, f"transparent corner shown as {corner}"


@pytest.mark.parametrize("question", ["", "   \n"])
def test_empty_question_is_a_clear_refusal(client, app_context, question):
    _, result = ask_quick(client, "gauges", example_image(app_context, "gauges"), question=question)
    assert refusal_line(result).startswith("⚠️ The question is empty")
    _assert_app_still_answers(client, app_context)


def test_regenerate_without_a_question_is_a_clear_refusal(client, app_context):
    result = regenerate_quick(client, "receipts", example_image(app_context, "receipts"))
    assert refusal_line(result) == "⚠️ There is no question to regenerate yet. Ask one first."


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("language", "fr"),
        ("region_mode", "zoom"),
        ("direction", "sideways"),
        ("top_p", 0),
        ("temperature", 3),
        ("max_new_tokens", 0),
        ("preset", "Nonsense"),
    ],
)
def test_out_of_range_settings_from_api_callers_are_clear_errors(
    client, app_context, setting, value
):
    # Gradio checks radio choices and slider bounds before the handler runs (the handler's
    # own range check, which names the setting, is in test_app_wiring.py).
    pattern = rf"'?{value}'? .*(not in the list of choices|less than|greater than)"
    with pytest.raises(AppError, match=pattern):
        ask_quick(client, "gauges", example_image(app_context, "gauges"), **{setting: value})
