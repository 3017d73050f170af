"""Answers through the API: each tab streams, Stop ends an answer, the run line follows the load."""

from __future__ import annotations

import dataclasses

import pytest
from gradio_client import Client

from tabs.domain.results import STOPPED_NOTE
from tests.app_client import (
    RUN_LINE,
    TABS,
    ask_quick,
    by_name,
    carries_value,
    chat_answers,
    chat_messages,
    chat_questions,
    example_image,
    submit_quick,
    text_of,
    turn_tokens,
)
from tests.conftest import launch_app
from tests.helpers import scripted_generation
from workbench.prompts.conversation import STOPPED_MARK


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_streams_an_answer(client, app_context, tab):
    question = f"What does this {tab} picture show?"
    job = submit_quick(
        client, tab, example_image(app_context, tab), question=question, max_new_tokens=32
    )
    updates = list(job)
    result = by_name(job.result(timeout=120))

    assert len(updates) > 2, "the answer should arrive in several updates"
    messages = chat_messages(result["chat"])
    assert [role for role, _ in messages] == ["user", "assistant"]
    assert messages[0][1] == question
    assert messages[1][1].strip()
    tokens = turn_tokens(result)
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
    job = submit_quick(
        client, "receipts", example_image(app_context, "receipts"), max_new_tokens=24
    )
    answers = []
    for update in job:
        chat = by_name(update)["chat"]
        if carries_value(chat) and len(chat) == 2:
            answers.append(text_of(chat[1]["content"]))
    final = text_of(by_name(job.result(timeout=120))["chat"][1]["content"])

    assert len(set(answers)) > 1, "the assistant message should change while streaming"
    assert any(len(answer) < len(final) for answer in answers)


SLOW_PIECES = [f"w{index}," for index in range(400)]  # 20 s, unless stopped
SLOW_PAUSE = 0.05  # seconds before each piece


def _start_slow_answer(
    client: Client, ctx, patched: pytest.MonkeyPatch, question: str, pieces: list[str] = SLOW_PIECES
):
    """Start a slow scripted answer on the receipts tab; return the job once text shows."""
    session = ctx.session
    session.get()
    patched.setattr(session, "stream", lambda *_: scripted_generation(pieces, SLOW_PAUSE))
    job = submit_quick(client, "receipts", example_image(ctx, "receipts"), question=question)
    for update in job:
        chat = by_name(update)["chat"]
        if carries_value(chat) and chat_answers(chat)[-1]:
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
        result = by_name(job.result(timeout=30))

    assert chat_questions(result["chat"]) == ["Stop me?"]
    _assert_stopped_early(chat_answers(result["chat"])[-1])
    assert result["verdict"].startswith(STOPPED_NOTE)
    assert RUN_LINE.match(result["run_status"]) and " · stopped" in result["run_status"]
    # The stopped exchange stays in the conversation; the next question follows it.
    _, other = ask_quick(
        client, "receipts", example_image(app_context, "receipts"), question="And now?"
    )
    assert chat_questions(other["chat"]) == ["Stop me?", "And now?"]


def test_another_clients_stop_does_not_stop_this_answer(app_url, app_context, monkeypatch):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    pieces = SLOW_PIECES[:40]  # 2 s
    with monkeypatch.context() as patched:
        job = _start_slow_answer(alice, app_context, patched, "Go on?", pieces)
        bob.predict(api_name="/receipts_stop")
        result = by_name(job.result(timeout=30))

    assert chat_answers(result["chat"]) == ["".join(pieces)]
    assert " · stopped" not in result["run_status"]


def test_a_cancelled_answer_is_kept_and_marked_stopped(client, app_context, monkeypatch):
    # job.cancel() ends the event from the client's side, as a closed page does: the state keeps
    # the partial answer it last yielded, marked as stopped.
    with monkeypatch.context() as patched:
        job = _start_slow_answer(client, app_context, patched, "Cancel me?")
        assert job.cancel()
    _, after = ask_quick(
        client, "receipts", example_image(app_context, "receipts"), question="And now?"
    )

    assert chat_questions(after["chat"]) == ["Cancel me?", "And now?"]
    _assert_stopped_early(chat_answers(after["chat"])[0])


def test_ask_by_name_defaults_every_control_to_the_tab(client, app_context):
    # Only the image and the question: every control takes the tab's value, which is the
    # first preset's (a structured one, with a repair turn).
    preset = app_context.presets["receipts"].presets[0]
    values = client.predict(
        image=example_image(app_context, "receipts"),
        question="What is the total?",
        api_name="/receipts_ask",
    )
    result = by_name(values)

    questions = chat_questions(result["chat"])
    assert questions[0] == "What is the total?"
    assert all(asked.startswith("🔧 Repair turn: ") for asked in questions[1:])
    assert chat_answers(result["chat"])[-1].strip()
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
    image = example_image(app_context, "receipts")
    _, asked = ask_quick(client, "receipts", image, question="Asked with the button?")
    _, submitted = ask_quick(client, "receipts", image, "submit", question="Submitted with Enter?")

    assert chat_questions(submitted["chat"]) == ["Asked with the button?", "Submitted with Enter?"]
    assert turn_tokens(submitted)["prompt"] > turn_tokens(asked)["prompt"]


def test_the_run_line_shows_the_model_loading_then_the_answer(app_context, cache_dir):
    from workbench.session import ModelSession
    from workbench.settings import Settings

    fresh = dataclasses.replace(
        app_context,
        session=ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir)),
    )
    app, url = launch_app(fresh)
    try:
        job = submit_quick(
            Client(url, verbose=False), "receipts", example_image(app_context, "receipts")
        )
        lines = [by_name(update)["run_status"] for update in job]
        job.result(timeout=120)
    finally:
        app.close()
        fresh.session.unload()

    before, *loading, after = [line for line in lines if carries_value(line)]
    assert before == "", "no run line until the model is asked"
    # Then the load's stages, ending with the ready status; the stages a fast load shows vary.
    assert loading, lines
    assert all(line.startswith("⏳ tiny") for line in loading[:-1]), loading
    assert loading[-1].lstrip("*").startswith("🟢 tiny"), loading[-1]
    assert RUN_LINE.match(after), after
