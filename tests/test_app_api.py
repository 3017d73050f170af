"""The app through its API: `gradio_client` against the launched Blocks, on the tiny model.

The tiny model's words are noise, so these tests assert on what the app does around them:
streaming, chat structure, statuses, token counts, verdicts, exports and errors. Every endpoint
takes its values by name; the conversation lives in the app's per-session state, so one
`Client` is one user, who keeps a conversation across calls, and a second `Client` is another.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio.utils import get_upload_folder
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from PIL import Image

import workbench.presets
from tabs.events import ASK_OUTPUTS, PRESET_OUTPUTS
from tabs.results import EMPTY, EXPORTS, FREE_TEXT, STOPPED_NOTE
from tests.conftest import launch_app
from workbench.bench_app import free_port
from workbench.budget import device_budget, visual_tokens
from workbench.conversation import EMPTY_ANSWER, NEW_PICTURE, STOPPED_MARK
from workbench.engine import Generation

TABS = ("receipts", "screenshots", "homework", "gauges")
REPO = Path(__file__).resolve().parent.parent
# What the ask, submit, regenerate and clear endpoints return, in order: the state is not sent.
OUTPUTS = tuple(name for name in ASK_OUTPUTS if name != "conversation")
EXPORT_KEYS = {"answer", "parsed", "validation", "checks", "model", "parameters", "region"}
SHARE_WAIT_SECONDS = 40
# A quick free question: no preset (no schema, no repair turn), a short answer. Full sampling:
# greedy decoding on random weights may repeat a blank.
QUICK: dict[str, Any] = {
    "question": "What is in this picture?",
    "preset": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_new_tokens": 16,
    "strict": False,
    "repair_turns": 0,
}
RUN_LINE = re.compile(r"⏱ (\d+) visual \+ (\d+) text in · (\d+) out · ")


@pytest.fixture
def client(app_url: str) -> Client:
    """Return a new API client of the shared app: a new user, with no conversation yet."""
    return Client(app_url, verbose=False)


def _image(ctx, tab: str, boxes: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """Return the annotator value for the tab's first example image."""
    return {"image": handle_file(str(ctx.examples[tab][0].image_path)), "boxes": boxes or []}


def _named(values: tuple | list) -> dict[str, Any]:
    """Return an ask endpoint's outputs by component name."""
    return dict(zip(OUTPUTS, values, strict=True))


def _changed(value: Any) -> bool:
    """Return whether a streamed output carries a value (a partial update leaves others be)."""
    return not (isinstance(value, dict) and value.get("__type__") == "update")


def _submit(
    client: Client, tab: str, image: dict[str, Any] | None, endpoint: str = "ask", **overrides: Any
):
    """Start a quick ask (or submit) on a tab, values by name; return the job."""
    return client.submit(image=image, **{**QUICK, **overrides}, api_name=f"/{tab}_{endpoint}")


def _ask(
    client: Client, tab: str, image: dict[str, Any] | None, endpoint: str = "ask", **overrides: Any
) -> tuple[int, dict[str, Any]]:
    """Ask and return (the number of streamed updates, the final outputs by name)."""
    job = _submit(client, tab, image, endpoint, **overrides)
    updates = sum(1 for _ in job)
    return updates, _named(job.result(timeout=120))


def _regenerate(
    client: Client, tab: str, image: dict[str, Any] | None, **overrides: Any
) -> dict[str, Any]:
    """Ask this client's last question again, with quick settings; return the outputs by name."""
    settings = {name: value for name, value in QUICK.items() if name != "question"}
    values = client.predict(image=image, **{**settings, **overrides}, api_name=f"/{tab}_regenerate")
    return _named(values)


def _refusal(result: dict[str, Any]) -> str:
    """Return the run line of a refused question, checking that nothing else moved."""
    moved = [name for name, value in result.items() if name != "run_status" and _changed(value)]
    assert not moved, f"a refusal should only set the run line, not {moved}"
    assert result["run_status"].startswith("⚠️ "), result["run_status"]
    return result["run_status"]


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


def _answers(chat: list[dict[str, Any]]) -> list[str]:
    return [text for role, text in _messages(chat) if role == "assistant"]


def _shown(answer: str) -> str:
    """Return an answer as the chat shows it (the Chatbot tidies it like `inspect.cleandoc`)."""
    return inspect.cleandoc(answer or EMPTY_ANSWER)


def _tokens(result: dict[str, Any], turn: int = 0) -> dict[str, int]:
    return result["details"]["turns"][turn]["tokens"]


def _preset_name(ctx, tab: str, index: int = 0) -> str:
    return ctx.presets[tab].presets[index].name


def _controls(client: Client, tab: str, preset: str, language: str = "en") -> dict[str, Any]:
    """Return what choosing a preset puts into the controls, by name."""
    values = client.predict(preset=preset, language=language, api_name=f"/{tab}_preset")
    return dict(zip(PRESET_OUTPUTS, values, strict=True))


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
    result = _named(job.result(timeout=120))

    assert len(updates) > 2, "the answer should arrive in several updates"
    messages = _messages(result["chat"])
    assert [role for role, _ in messages] == ["user", "assistant"]
    assert messages[0][1] == question
    assert messages[1][1].strip()
    tokens = _tokens(result)
    assert tokens["visual"] > 0
    assert tokens["prompt"] > tokens["visual"]
    assert 0 < tokens["generated"] <= 32
    # The run line under the question gives the same counts, and says the words are noise.
    line = RUN_LINE.match(result["run_status"])
    assert line, result["run_status"]
    assert tuple(map(int, line.groups())) == (
        tokens["visual"],
        tokens["prompt"] - tokens["visual"],
        tokens["generated"],
    )
    assert "random weights" in result["run_status"]
    assert result["details"]["region"] is None
    assert result["details"]["preset"] is None


def test_streamed_updates_grow_the_answer(client, app_context):
    job = _submit(client, "receipts", _image(app_context, "receipts"), max_new_tokens=24)
    answers = []
    for update in job:
        chat = _named(update)["chat"]
        if _changed(chat) and len(chat) == 2:
            answers.append(_text(chat[1]["content"]))
    final = _text(_named(job.result(timeout=120))["chat"][1]["content"])

    assert len(set(answers)) > 1, "the assistant message should change while streaming"
    assert any(len(answer) < len(final) for answer in answers)


def _slow_generation(pieces: list[str]) -> Generation:
    """Return a scripted answer that takes a while and, like an engine, honours stop()."""
    generation = Generation(pieces=iter(()))

    def slowly():
        for piece in pieces:
            if generation.stop_event.is_set():
                generation.stats.stopped = True
                generation.stats.finish_reason = "cancelled"
                return
            time.sleep(0.05)
            yield piece

    generation.pieces = slowly()
    return generation


SLOW_PIECES = [f"w{index}," for index in range(400)]  # 20 s, unless stopped


def _start_slow_answer(
    client: Client, ctx, patched: pytest.MonkeyPatch, question: str, pieces: list[str] = SLOW_PIECES
):
    """Start a slow scripted answer on the receipts tab; return the job once text shows."""
    session = ctx.session
    session.get()
    patched.setattr(session, "stream", lambda *_: _slow_generation(pieces))
    job = _submit(client, "receipts", _image(ctx, "receipts"), question=question)
    for update in job:
        chat = _named(update)["chat"]
        if _changed(chat) and _answers(chat)[-1]:
            return job
    raise AssertionError("the answer ended before any text was shown")


def _assert_stopped_early(answer: str) -> None:
    partial, mark = answer.rsplit("\n\n", 1)
    assert mark == STOPPED_MARK
    assert partial and "".join(SLOW_PIECES).startswith(partial)
    assert len(partial) < len("".join(SLOW_PIECES)), "the answer should have stopped early"


def test_stop_by_name_ends_the_answer_and_keeps_it_marked(client, app_context, monkeypatch):
    with monkeypatch.context() as patched:
        job = _start_slow_answer(client, app_context, patched, "Stop me?")
        client.predict(api_name="/receipts_stop")
        result = _named(job.result(timeout=30))

    assert _questions(result["chat"]) == ["Stop me?"]
    _assert_stopped_early(_answers(result["chat"])[-1])
    assert result["verdict"].startswith(STOPPED_NOTE)
    assert RUN_LINE.match(result["run_status"]) and " · stopped" in result["run_status"]
    # The stopped exchange stays in the conversation; the next question follows it.
    _, other = _ask(client, "receipts", _image(app_context, "receipts"), question="And now?")
    assert _questions(other["chat"]) == ["Stop me?", "And now?"]


def test_another_clients_stop_does_not_stop_this_answer(app_url, app_context, monkeypatch):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    pieces = SLOW_PIECES[:40]  # 2 s
    with monkeypatch.context() as patched:
        job = _start_slow_answer(alice, app_context, patched, "Go on?", pieces)
        bob.predict(api_name="/receipts_stop")
        result = _named(job.result(timeout=30))

    assert _answers(result["chat"]) == ["".join(pieces)]
    assert " · stopped" not in result["run_status"]


def test_a_cancelled_answer_is_kept_and_marked_stopped(client, app_context, monkeypatch):
    # job.cancel() ends the event from the client's side, as a closed page does: the state keeps
    # the partial answer it last yielded, marked as stopped.
    with monkeypatch.context() as patched:
        job = _start_slow_answer(client, app_context, patched, "Cancel me?")
        assert job.cancel()
    _, after = _ask(client, "receipts", _image(app_context, "receipts"), question="And now?")

    assert _questions(after["chat"]) == ["Cancel me?", "And now?"]
    _assert_stopped_early(_answers(after["chat"])[0])


def test_ask_by_name_defaults_every_control_to_the_tab(client, app_context):
    # Only the image and the question: every control takes the tab's value, which is the
    # first preset's (a structured one, with a repair turn).
    preset = app_context.presets["receipts"].presets[0]
    values = client.predict(
        image=_image(app_context, "receipts"),
        question="What is the total?",
        api_name="/receipts_ask",
    )
    result = _named(values)

    questions = _questions(result["chat"])
    assert questions[0] == "What is the total?"
    assert all(asked.startswith("🔧 Repair turn: ") for asked in questions[1:])
    assert _answers(result["chat"])[-1].strip()
    assert result["run_status"].startswith("⏱ ")
    details = result["details"]
    assert details["preset"] == preset.name
    assert details["language"] == "en"
    assert details["parameters"]["temperature"] == pytest.approx(preset.generation.temperature)
    assert details["parameters"]["max_new_tokens"] == preset.generation.max_new_tokens
    assert details["parameters"]["strict"] is (preset.structured and app_context.strict_available)
    assert details["parameters"]["repair_turns"] == 1
    assert result["verdict"].startswith(("✅", "❌"))


def test_submit_and_ask_continue_one_conversation(client, app_context):
    image = _image(app_context, "receipts")
    _, asked = _ask(client, "receipts", image, question="Asked with the button?")
    _, submitted = _ask(client, "receipts", image, "submit", question="Submitted with Enter?")

    assert _questions(submitted["chat"]) == ["Asked with the button?", "Submitted with Enter?"]
    assert _tokens(submitted)["prompt"] > _tokens(asked)["prompt"]


def test_the_run_line_shows_the_model_loading_then_the_answer(app_context, cache_dir):
    from workbench.session import ModelSession
    from workbench.settings import Settings

    fresh = dataclasses.replace(
        app_context, session=ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    )
    app, url = launch_app(fresh)
    try:
        job = _submit(Client(url, verbose=False), "receipts", _image(app_context, "receipts"))
        lines = [_named(update)["run_status"] for update in job]
        job.result(timeout=120)
    finally:
        app.close()
        fresh.session.unload()

    before, *loading, after = [line for line in lines if _changed(line)]
    assert before == "", "no run line until the model is asked"
    # Then the load's stages, ending with the ready status; the stages a fast load shows vary.
    assert loading, lines
    assert all(line.startswith("⏳ tiny") for line in loading[:-1]), loading
    assert loading[-1].lstrip("*").startswith("🟢 tiny"), loading[-1]
    assert RUN_LINE.match(after), after


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
    assert cropped["details"]["region"] == {"box": [10, 10, 90, 90], "mode": "crop"}
    assert outlined["details"]["region"] == {"box": [10, 10, 90, 90], "mode": "highlight"}
    assert whole["details"]["region"] is None
    # The marked region is drawn on the result image, and exported beside result.json.
    assert cropped["annotated"] is not None
    assert sorted(Path(path).name for path in cropped["downloads"]) == [
        "annotated.png",
        "result.json",
    ]


def test_a_new_region_or_mode_starts_the_model_afresh_and_keeps_the_chat(app_url, app_context):
    box = [{"xmin": 10, "ymin": 10, "xmax": 90, "ymax": 90, "label": "region"}]
    whole, region = _image(app_context, "screenshots"), _image(app_context, "screenshots", box)
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _, first = _ask(alice, "screenshots", whole, question="What is this?")
    _, moved = _ask(alice, "screenshots", region, question="And here?")
    _, alone = _ask(bob, "screenshots", region, question="And here?")
    _, outlined = _ask(alice, "screenshots", region, question="And now?", region_mode="highlight")

    # The chat keeps the earlier exchange and says the model starts afresh…
    assert _messages(moved["chat"])[:3] == [*_messages(first["chat"]), ("assistant", NEW_PICTURE)]
    assert _questions(moved["chat"]) == ["What is this?", "And here?"]
    # … and the model sees no history: the prompt of a first question about that region.
    assert _tokens(moved)["prompt"] == _tokens(alone)["prompt"]
    # Another mode for the same box is another picture too.
    assert _answers(outlined["chat"]).count(NEW_PICTURE) == 2
    assert _questions(outlined["chat"]) == ["What is this?", "And here?", "And now?"]


# --- multi-turn chat and isolation --------------------------------------------------------


def test_history_grows_across_turns(client, app_context):
    image = _image(app_context, "homework")
    _, first = _ask(client, "homework", image, question="First question?")
    _, second = _ask(client, "homework", image, question="Second question?")

    messages = _messages(second["chat"])
    assert [role for role, _ in messages] == ["user", "assistant"] * 2
    assert _questions(second["chat"]) == ["First question?", "Second question?"]
    assert messages[1][1] == _messages(first["chat"])[1][1]
    assert _tokens(second)["prompt"] > _tokens(first)["prompt"]
    assert _tokens(second)["visual"] == _tokens(first)["visual"]


def test_the_history_sent_is_the_clients_own_and_clear_drops_it(app_url, app_context):
    image = _image(app_context, "homework")
    question = "The same question?"
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _, first = _ask(alice, "homework", image, question=question)
    _, again = _ask(alice, "homework", image, question=question)
    _, bobs = _ask(bob, "homework", image, question=question)
    cleared = _named(alice.predict(api_name="/homework_clear"))
    _, fresh = _ask(alice, "homework", image, question=question)

    alone = _tokens(first)["prompt"]
    # Same image, same question: only the first exchange, sent as history, adds to the prompt.
    assert _tokens(again)["prompt"] > alone
    assert _tokens(bobs)["prompt"] == alone, "another client starts with no history"
    assert _tokens(fresh)["prompt"] == alone, "Clear drops the history"
    assert _questions(again["chat"]) == [question, question]
    assert _questions(bobs["chat"]) == [question]
    assert cleared["chat"] == []
    assert _questions(fresh["chat"]) == [question]


def test_regenerate_by_name_replaces_the_last_answer(client, app_context):
    image = _image(app_context, "receipts")
    _, first = _ask(client, "receipts", image, question="First question?")
    _, second = _ask(client, "receipts", image, question="Second question?")
    again = _regenerate(client, "receipts", image)

    assert _questions(again["chat"]) == ["First question?", "Second question?"]
    answers = _answers(again["chat"])
    assert answers[0] == _answers(first["chat"])[0]
    assert answers[1] == _shown(again["details"]["answer"])
    # The replaced exchange is not sent: the model sees what it saw for the second question.
    assert _tokens(again)["prompt"] == _tokens(second)["prompt"]
    assert RUN_LINE.match(again["run_status"])


def _conversation(client: Client, ctx, name: str, turns: int = 2) -> list[dict[str, Any]]:
    """Ask `turns` questions on the screenshots tab; return the chat."""
    chat: list[dict[str, Any]] = []
    for turn in range(turns):
        _, result = _ask(
            client, "screenshots", _image(ctx, "screenshots"), question=f"{name} question {turn}?"
        )
        chat = result["chat"]
    return chat


def test_two_clients_keep_their_own_history(app_url, app_context):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _conversation(alice, app_context, "Alice", turns=1)
    bob_chat = _conversation(bob, app_context, "Bob", turns=1)
    _, alice_again = _ask(
        alice, "screenshots", _image(app_context, "screenshots"), question="Alice question 1?"
    )

    assert _questions(alice_again["chat"]) == ["Alice question 0?", "Alice question 1?"]
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
    _, result = _ask(
        client,
        "receipts",
        _image(app_context, "receipts"),
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
        assert _answers(shot["chat"])[0].strip()
        assert shot["details"]["preset"] == name

        _, receipt = _ask(client, "receipts", _image(ctx, "receipts"), preset=None)
        assert _answers(receipt["chat"])[0].strip()
        assert receipt["details"]["preset"] is None
        assert receipt["verdict"] == FREE_TEXT
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
    assert _cost(client, "receipts", image, visual_tokens=slider).startswith(line)


def test_cost_line_counts_the_crop_in_crop_mode_and_the_image_in_highlight_mode(
    client, photo_1024x768
):
    box = [{"xmin": 0, "ymin": 0, "xmax": 320, "ymax": 320, "label": "region"}]
    image = {"image": handle_file(str(photo_1024x768)), "boxes": box}
    cropped = _cost(client, "screenshots", image, region_mode="crop", visual_tokens=1280)
    outlined = _cost(client, "screenshots", image, region_mode="highlight", visual_tokens=1280)

    # 320×320 is 100 tokens, under the min of 256: grown to 512×512.
    assert cropped.startswith("🖼 256 visual tokens (the model sees 512×512 px)")
    assert outlined.startswith("🖼 768 visual tokens (the model sees 1024×768 px)")


def test_cost_line_without_an_image_is_empty(client):
    assert _cost(client, "receipts", None, visual_tokens=1280) == ""


def test_cost_line_of_a_text_file_named_png_says_so(client, text_as_png):
    line = _cost(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    assert line.startswith("⚠️ ")
    assert "not an image" in line


@pytest.mark.cpu
def test_cost_line_says_when_the_cpu_caps_a_preset(client, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    capped = _cost(client, "receipts", image, preset="Extract all fields", visual_tokens=384)
    raised = _cost(client, "receipts", image, preset="Extract all fields", visual_tokens=2048)

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
    _, small = _ask(client, "receipts", image, visual_tokens=128)
    _, large = _ask(client, "receipts", image, visual_tokens=1280)

    assert small["details"]["parameters"]["visual_tokens"] == [128, 128]  # min never above max
    assert _tokens(small)["visual"] == visual_tokens((1024, 768), (128, 128)) == 117
    assert large["details"]["parameters"]["visual_tokens"] == [256, 1280]
    assert _tokens(large)["visual"] == 768


def test_cost_line_after_an_answer_predicts_the_wait(client, app_context, photo_1024x768):
    image = {"image": handle_file(str(photo_1024x768)), "boxes": []}
    _ask(client, "receipts", image)
    rate = app_context.session.prefill_rate
    assert rate is not None, "an answer with an image measures the prefill rate"
    line = _cost(client, "receipts", image, visual_tokens=1280)

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
    assert _messages(result["chat"])[-1][0] == "assistant"
    assert _answers(result["chat"])[-1].strip()
    assert RUN_LINE.match(result["run_status"]), result["run_status"]


def _failing_pieces():
    yield "The total"
    raise RuntimeError("CUDA error: device-side assert triggered\nCompile with TORCH_USE_DSA")


def test_a_failure_while_answering_is_one_clear_line(client, app_context, monkeypatch):
    session = app_context.session
    session.get()
    monkeypatch.setattr(session, "stream", lambda *_: Generation(pieces=_failing_pieces()))
    _, result = _ask(client, "receipts", _image(app_context, "receipts"))
    monkeypatch.undo()

    failed = "The model failed while answering (RuntimeError: CUDA error: device-side assert"
    assert result["run_status"].startswith(f"🔴 {failed}"), result["run_status"]
    notice = _messages(result["chat"])[-1]
    assert notice[0] == "assistant" and notice[1].startswith(f"⚠️ {failed}"), notice
    for line in (result["run_status"], notice[1]):
        assert "Traceback" not in line and "TORCH_USE_DSA" not in line
    _assert_app_still_answers(client, app_context)


def test_a_failed_answer_is_not_sent_with_the_next_question(app_url, app_context, monkeypatch):
    image = _image(app_context, "receipts")
    session = app_context.session
    session.get()
    alice = Client(app_url, verbose=False)
    with monkeypatch.context() as patched:
        patched.setattr(session, "stream", lambda *_: Generation(pieces=_failing_pieces()))
        _, failed = _ask(alice, "receipts", image)
    assert failed["run_status"].startswith("🔴 The model failed while answering")
    _, after = _ask(alice, "receipts", image)
    _, alone = _ask(Client(app_url, verbose=False), "receipts", image)

    assert not any(STOPPED_MARK in answer for answer in _answers(after["chat"]))
    assert _tokens(after)["prompt"] == _tokens(alone)["prompt"]


def test_no_image_is_a_clear_refusal(client, app_context):
    _, result = _ask(client, "receipts", None)
    assert _refusal(result).startswith("⚠️ Add an image first")
    _assert_app_still_answers(client, app_context)


@pytest.fixture
def text_as_png(tmp_path) -> Path:
    """Return a text file that calls itself a PNG."""
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not pixels\n" * 20, encoding="utf-8")
    return fake


def test_text_file_named_png_is_refused_and_the_app_keeps_working(client, app_context, text_as_png):
    _, result = _ask(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    _refusal(result)
    _assert_app_still_answers(client, app_context)


def test_text_file_named_png_says_it_is_not_an_image(client, text_as_png):
    _, result = _ask(client, "receipts", {"image": handle_file(str(text_as_png)), "boxes": []})
    assert "not an image" in _refusal(result)


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

    with Image.open(result["annotated"]) as shown:
        corner = shown.convert("RGB").getpixel((5, 5))
    assert min(corner) > 240, f"transparent corner shown as {corner}"


@pytest.mark.parametrize("question", ["", "   \n"])
def test_empty_question_is_a_clear_refusal(client, app_context, question):
    _, result = _ask(client, "gauges", _image(app_context, "gauges"), question=question)
    assert _refusal(result).startswith("⚠️ The question is empty")
    _assert_app_still_answers(client, app_context)


def test_regenerate_without_a_question_is_a_clear_refusal(client, app_context):
    result = _regenerate(client, "receipts", _image(app_context, "receipts"))
    assert _refusal(result) == "⚠️ There is no question to regenerate yet. Ask one first."


# --- small endpoints ----------------------------------------------------------------------


def test_clear_empties_the_chat_the_run_line_and_the_results(client, app_context):
    _, asked = _ask(client, "receipts", _image(app_context, "receipts"))
    assert asked["chat"] and asked["run_status"] and asked["details"]
    cleared = _named(client.predict(api_name="/receipts_clear"))

    assert cleared == {"chat": [], "run_status": "", **EMPTY}


def test_status_names_the_model(client):
    assert "tiny" in client.predict(api_name="/status")


# --- launch.py --share, offline -----------------------------------------------------------


def test_launch_share_offline_keeps_serving_locally_with_a_password(tmp_path):
    port = free_port()
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
    image = _image(app_context, "gauges")
    app, url = launch_app(broken)
    try:
        client = Client(url, verbose=False)
        failed = []
        for _ in range(2):  # a failed load is retried on the next question, and fails alike
            _, result = _ask(client, "gauges", image)
            failed.append(result)
        assert broken.session.load_count == 2
        status = client.predict(api_name="/status")
        assert "🔴" in status and "no model directory at" in status
        # Each failure is a notice in the chat, in place of the question it could not answer.
        notice = _messages(failed[0]["chat"])[0][1]
        assert notice.startswith("⚠️ The model could not be loaded. There is no model directory")
        assert _messages(failed[0]["chat"]) == [("assistant", notice)]
        assert _messages(failed[1]["chat"]) == [("assistant", notice)] * 2
        assert all(result["run_status"] == f"🔴 {notice[3:]}" for result in failed)

        # With a model that loads, the same client asks afresh: notices are not history.
        broken.session.switch(Settings(model="tiny", cache_dir=cache_dir))
        _, answered = _ask(client, "gauges", image)
        _, alone = _ask(Client(url, verbose=False), "gauges", image)
        assert _messages(answered["chat"])[:2] == [("assistant", notice)] * 2
        assert _questions(answered["chat"]) == [QUICK["question"]]
        assert _tokens(answered)["prompt"] == _tokens(alone)["prompt"]
    finally:
        app.close()
        broken.session.unload()


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
        _ask(client, "gauges", _image(app_context, "gauges"), **{setting: value})
