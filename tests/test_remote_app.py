"""The app on the remote engine, through its API, against `workbench serve --model tiny`."""

from __future__ import annotations

import inspect

import httpx
import pytest
from gradio_client import Client, handle_file

from tabs.app import create_context
from tests.conftest import ModelServer, launch_app
from workbench.bench.app import free_port
from workbench.bench.load import OUTPUTS, question_for, run_users
from workbench.prompts.conversation import EMPTY_ANSWER
from workbench.settings import Settings

TABS = ("receipts", "screenshots", "homework", "gauges")
QUICK = {
    "preset": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_new_tokens": 24,
    "strict": False,
    "repair_turns": 0,
}


def _app(url: str, cache_dir, concurrency: int = 8):
    ctx = create_context(
        Settings(engine="openai", base_url=url, cache_dir=cache_dir), concurrency=concurrency
    )
    app, app_url = launch_app(ctx)
    return ctx, app, app_url


@pytest.fixture(scope="module")
def remote_app(model_server, cache_dir):
    ctx, app, url = _app(model_server.url, cache_dir)
    yield ctx, url
    app.close()


def _picture(ctx, tab: str) -> dict:
    return {"image": handle_file(str(ctx.examples[tab][0].image_path)), "boxes": []}


def _ask(client: Client, ctx, tab: str, question: str, **overrides) -> tuple[int, dict]:
    job = client.submit(
        image=_picture(ctx, tab), question=question, **{**QUICK, **overrides},
        api_name=f"/{tab}_ask",
    )  # fmt: skip
    updates = sum(1 for _ in job)
    return updates, dict(zip(OUTPUTS, job.result(timeout=120), strict=True))


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_streams_an_answer_from_the_server(remote_app, model_server, tab):
    ctx, url = remote_app
    client = Client(url, verbose=False)
    updates, result = _ask(client, ctx, tab, f"What does this {tab} picture show?")

    assert updates > 2, "the answer should arrive in several updates"
    turn = result["details"]["turns"][0]
    assert turn["tokens"]["prompt"] > turn["tokens"]["visual"] > 0
    assert 0 < turn["tokens"]["generated"] <= 24
    assert result["run_status"].startswith("⏱ ")
    assert result["details"]["device"] == "remote"
    status = client.predict(api_name="/status")
    assert f"remote: {model_server.url} · model " in status and "reachable" in status


def test_an_unreachable_server_is_a_message_at_the_first_question_and_the_page_stays(cache_dir):
    server_url = f"http://127.0.0.1:{free_port()}/v1"
    ctx, app, url = _app(server_url, cache_dir)
    try:
        _, result = _ask(Client(url, verbose=False), ctx, "receipts", "Anyone there?")
        assert result["run_status"].startswith("🔴 ")
        assert server_url in result["run_status"] and "--base-url" in result["run_status"]
        assert httpx.get(url).status_code == 200
        # The next question tries again, and says so again.
        _, again = _ask(Client(url, verbose=False), ctx, "receipts", "Now?")
        assert server_url in again["run_status"]
    finally:
        app.close()


def test_a_server_killed_mid_answer_is_a_message_and_a_restart_answers(cache_dir):
    server = ModelServer().start()
    ctx, app, url = _app(server.url, cache_dir)
    try:
        client = Client(url, verbose=False)
        job = client.submit(
            image=_picture(ctx, "receipts"), question="A long one?",
            **{**QUICK, "max_new_tokens": 4000}, api_name="/receipts_ask",
        )  # fmt: skip
        for update in job:
            chat = dict(zip(OUTPUTS, update, strict=True))["chat"]
            if isinstance(chat, list) and len(chat) == 2 and chat[1]["content"]:
                server.kill()
                break
        result = dict(zip(OUTPUTS, job.result(timeout=60), strict=True))
        assert result["run_status"].startswith("🔴 ")
        assert server.url in result["run_status"]
        assert "the next question tries again" in result["run_status"]

        server.start()
        _, after = _ask(client, ctx, "receipts", "And now?")
        assert after["run_status"].startswith("⏱ "), after["run_status"]
    finally:
        app.close()
        server.stop()


def test_sixteen_users_asking_three_questions_each_keep_their_own_conversations(remote_app):
    ctx, url = remote_app
    image = ctx.examples["receipts"][0].image_path
    asked = run_users(url, image, users=16, questions=3, **{**QUICK, "max_new_tokens": 8})

    assert len(asked) == 48
    assert [one for one in asked if one.failed] == []
    for one in asked:
        chat = one.outputs["chat"]
        mine = [question_for(one.user, turn) for turn in range(one.turn + 1)]
        questions = [message["content"] for message in chat if message["role"] == "user"]
        assert [_text(question) for question in questions] == mine
        # The answer shown is the one recorded for this user's question.
        assert one.outputs["details"]["question"] == one.question
        answers = [message["content"] for message in chat if message["role"] == "assistant"]
        recorded = one.outputs["details"]["answer"]
        assert _text(answers[-1]) == inspect.cleandoc(recorded or EMPTY_ANSWER)


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return ""
