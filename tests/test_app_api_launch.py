"""The launched app: its status, `launch.py --share` offline, a model that fails to load."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from gradio_client import Client, handle_file

from tests.app_client import (
    QUICK,
    ask_quick,
    chat_messages,
    chat_questions,
    example_image,
    turn_tokens,
)
from tests.conftest import launch_app
from workbench.bench.app import free_port
from workbench.examples import ensure_examples

REPO = Path(__file__).resolve().parent.parent
SHARE_WAIT_SECONDS = 40


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
    image = example_image(app_context, "gauges")
    app, url = launch_app(broken)
    try:
        client = Client(url, verbose=False)
        failed = []
        for _ in range(2):  # a failed load is retried on the next question, and fails alike
            _, result = ask_quick(client, "gauges", image)
            failed.append(result)
        assert broken.session.load_count == 2
        status = client.predict(api_name="/status")
        assert "🔴" in status and "no model directory at" in status
        # Each failure is a notice in the chat, in place of the question it could not answer.
        notice = chat_messages(failed[0]["chat"])[0][1]
        assert notice.startswith("⚠️ The model could not be loaded. There is no model directory")
        assert chat_messages(failed[0]["chat"]) == [("assistant", notice)]
        assert chat_messages(failed[1]["chat"]) == [("assistant", notice)] * 2
        assert all(result["run_status"] == f"🔴 {notice[3:]}" for result in failed)

        # With a model that loads, the same client asks afresh: notices are not history.
        broken.session.switch(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
        _, answered = ask_quick(client, "gauges", image)
        _, alone = ask_quick(Client(url, verbose=False), "gauges", image)
        assert chat_messages(answered["chat"])[:2] == [("assistant", notice)] * 2
        assert chat_questions(answered["chat"]) == [QUICK["question"]]
        assert turn_tokens(answered)["prompt"] == turn_tokens(alone)["prompt"]
    finally:
        app.close()
        broken.session.unload()


# --- launch.py --preload ------------------------------------------------------------------


def test_preload_loads_the_model_before_any_question(cache_dir):
    import launch

    temp = os.environ.get("GRADIO_TEMP_DIR")
    args = launch.parse_args(["--model", "tiny", "--port", str(free_port()), "--preload"])
    app, url, _ = launch.serve(args, quiet=True)
    try:
        client = Client(url, verbose=False)
        deadline = time.monotonic() + 120
        statuses = [client.predict("en", api_name="/status")]
        while " ready on " not in statuses[-1] and time.monotonic() < deadline:
            time.sleep(0.2)
            statuses.append(client.predict("en", api_name="/status"))
        assert " ready on " in statuses[-1], statuses  # no question was asked
        assert all("loads on the first question" not in status for status in statuses[1:])
        gauge = ensure_examples(cache_dir / "examples")["gauges"][0].image_path
        _, result = ask_quick(client, "gauges", {"image": handle_file(str(gauge)), "boxes": []})
        assert result["run_status"].startswith("⏱"), result["run_status"]  # answered
        assert client.predict("en", api_name="/status") == statuses[-1]  # loaded once
    finally:
        app.close()
        os.environ["GRADIO_TEMP_DIR"] = temp or ""  # serve() gave the app a folder of its own
