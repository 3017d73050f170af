"""The llama.cpp engine on the tiny GGUF pair: llama.cpp's own server, in this process.

Shapes, counts, status and errors only: the tiny model's words are noise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from gradio_client import Client
from PIL import Image

from tests.app_client import RUN_LINE, ask_quick, example_image
from tests.conftest import launch_app
from workbench.engines.base import GenerationParams, ModelLoadError
from workbench.engines.openai import data_url
from workbench.pipeline import Finished, ask, make_question
from workbench.session import ModelSession
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PICTURE = Image.new("RGB", (640, 480), (240, 240, 230))  # 20 × 15 = 300 visual tokens
LONG = GenerationParams(temperature=1.0, top_p=1.0, max_new_tokens=3000)
# A schema the tiny model can finish within a few tokens: a grammar then makes it valid.
SMALL_SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 9}},
    "required": ["n"],
    "additionalProperties": False,
}


def llamacpp(cache_dir: Path, **changes) -> ModelSession:
    return ModelSession(Settings(model="tiny", engine="llamacpp", cache_dir=cache_dir, **changes))


@pytest.fixture(scope="module")
def session(cache_dir: Path) -> ModelSession:
    session = llamacpp(cache_dir)
    session.get()
    yield session
    session.unload()


def _messages(text: str = "What is this?", *images: Image.Image) -> list[dict]:
    parts = [{"type": "image", "image": image} for image in images or (PICTURE,)]
    return [{"role": "user", "content": [*parts, {"type": "text", "text": text}]}]


def _answer(session: ModelSession, question) -> object:
    return next(event for event in ask(session, question) if isinstance(event, Finished)).answer


# --- status ---------------------------------------------------------------------------------


def test_the_status_says_llamacpp_on_the_cpu_and_why(session):
    status = session.status
    assert (status.state, status.engine, status.device) == ("ready", "llamacpp", "cpu")
    assert status.model == "tiny" and status.random_weights
    assert status.dtype == "F16"  # the tiny pair is converted unquantized
    assert "ready on CPU with llama.cpp" in status.summary()
    assert "CPU（llama.cpp）" in status.summary("zh")
    assert "engine: llamacpp, as asked (--engine)" in status.details()
    assert "engine: llamacpp" in status.describe()


def test_auto_on_this_cpu_loads_llamacpp(cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    from workbench.engines import choice

    monkeypatch.setattr(choice, "cuda_usable", lambda: False)
    auto = ModelSession(Settings(model="tiny", engine="auto", cache_dir=cache_dir))
    assert auto.status.engine == "llamacpp"
    assert "no CUDA GPU" in auto.status.engine_line()  # said before anything loads
    auto.get()
    try:
        assert auto.status.engine == "llamacpp" and auto.status.state == "ready"
        assert "no CUDA GPU: llama.cpp answers fastest on a CPU" in auto.status.details()
    finally:
        auto.unload()


# --- answers --------------------------------------------------------------------------------


def test_an_answer_streams_with_the_servers_token_counts(session):
    generation = session.stream(_messages(), GenerationParams(max_new_tokens=24, temperature=1.0))
    pieces = list(generation)

    stats = generation.stats
    assert len(pieces) > 1, "the answer should arrive in pieces"
    assert generation.text == "".join(pieces)
    assert stats.visual_tokens == 300
    assert stats.prompt_tokens > stats.visual_tokens  # from the server's usage
    assert stats.generated_tokens == 24 and stats.finish_reason == "length"
    assert 0 < stats.time_to_first_token <= stats.total_seconds


def test_the_server_sees_exactly_the_visual_tokens_the_budget_allows(session):
    counts = {}
    for budget in ((64, 300), (64, 120)):
        generation = session.stream(
            _messages(), GenerationParams(max_new_tokens=2, visual_tokens=budget)
        )
        generation.run()
        counts[budget] = generation.stats
    full, small = counts[(64, 300)], counts[(64, 120)]
    assert (full.visual_tokens, small.visual_tokens) == (300, 108)  # 640×480 → 384×288
    # The same text around them: the server's counts differ by the images' difference.
    assert full.prompt_tokens - small.prompt_tokens == 300 - 108


def test_a_grounding_budget_reaches_the_server_whole(session):
    """Boxes want at least 1,024 image tokens: the server's bounds do not shrink them."""
    big = Image.new("RGB", (1024, 1024), "white")
    generation = session.stream(
        _messages("Where?", big), GenerationParams(max_new_tokens=1, visual_tokens=(1024, 1024))
    )
    generation.run()
    assert generation.stats.visual_tokens == 1024
    assert generation.stats.prompt_tokens > 1024


def test_pages_go_together_in_one_turn(session):
    one = session.stream(_messages("Read."), GenerationParams(max_new_tokens=1))
    one.run()
    two = session.stream(_messages("Read.", PICTURE, PICTURE), GenerationParams(max_new_tokens=1))
    two.run()
    assert two.stats.visual_tokens == 600
    assert two.stats.prompt_tokens - one.stats.prompt_tokens >= 300


def test_a_follow_up_carries_the_history(session):
    params = GenerationParams(max_new_tokens=4, temperature=1.0)
    first = _answer(session, make_question(PICTURE, "What is this?", params))
    history = tuple(first.turns)
    second = _answer(session, make_question(PICTURE, "And then?", params, history=history))
    assert second.stats[0].prompt_tokens > first.stats[0].prompt_tokens


def test_follow_ups_reuse_their_slots_prompt_and_no_copies_pile_up_in_memory(session):
    """Two conversations keep their slots' state; the state a third one displaces is not
    copied to the host (llama.cpp's 8 GiB prompt cache grew a day of demos without end), so
    the displaced conversation reads its prompt again."""
    server = session.get()._server

    def turn(history: list[dict], text: str, seed: int | None = None) -> list[dict]:
        content = [{"type": "text", "text": text}]
        if seed is not None:
            picture = Image.effect_noise((448, 448), 40 + 10 * seed).convert("RGB")
            content.insert(0, {"type": "image_url", "image_url": {"url": data_url(picture)}})
        history = [*history, {"role": "user", "content": content}]
        reply = server.handle_chat_completions({"messages": history, "max_tokens": 4})
        reused[text] = reply["timings"]["cache_n"]
        said = reply["choices"][0]["message"]["content"]
        return [*history, {"role": "assistant", "content": said}]

    reused: dict[str, int] = {}
    image_tokens = 196  # 448² in 32-pixel cells
    alice, bob = turn([], "Alice asks", 1), turn([], "Bob asks", 2)
    alice, bob = turn(alice, "Alice again"), turn(bob, "Bob again")
    assert min(reused["Alice again"], reused["Bob again"]) > image_tokens
    turn([], "Carol asks", 3)  # takes the slot of the least recent: Alice's
    turn(alice, "Alice once more")
    assert reused["Alice once more"] < image_tokens


def test_stop_ends_the_answer_and_frees_the_slot(session):
    quick = GenerationParams(max_new_tokens=4)
    started = time.perf_counter()
    session.stream(_messages(), quick).run()
    baseline = time.perf_counter() - started

    generation = session.stream(_messages(), LONG)
    for count, _ in enumerate(generation):
        if count == 1:
            generation.stop()
    assert generation.stats.finish_reason == "cancelled" and generation.stats.stopped
    assert generation.stats.generated_tokens <= 3  # ended within a token or two

    # Had the slot gone on with 3,000 tokens, both slots would not be free for long.
    started = time.perf_counter()
    for _ in range(2):
        session.stream(_messages(), quick).run()
    assert time.perf_counter() - started < 2 * baseline + 3.0


def test_strict_decoding_is_held_to_the_schema_by_the_server(session):
    preset_free = make_question(
        PICTURE, "Give n.", GenerationParams(max_new_tokens=16), strict=True, repair_turns=0
    )
    question = replace(preset_free, schema=SMALL_SCHEMA)
    answer = _answer(session, question)
    assert answer.stats[0].constrained
    assert json.loads(answer.text)["n"] in range(10)
    assert answer.valid


def test_two_answers_at_once_each_get_their_own(session):
    from concurrent.futures import ThreadPoolExecutor

    greedy = GenerationParams(temperature=0.0, max_new_tokens=8)
    texts = ["Question one: what?", "Question two: where?"]
    alone = [session.stream(_messages(text), greedy).run() for text in texts]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda text: session.stream(_messages(text), greedy).run(), texts))
    assert together == alone


# --- faults ---------------------------------------------------------------------------------


def test_a_file_that_is_not_gguf_is_a_clear_failure_and_the_next_load_tries_again(
    cache_dir: Path, tmp_path: Path
):
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    session = ModelSession(Settings(model=str(fake), engine="llamacpp", cache_dir=cache_dir))
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert "is not a GGUF file" in caught.value.reason
    assert session.status.state == "failed"
    assert "is not a GGUF file" in session.status.summary()
    with pytest.raises(ModelLoadError):  # tried again, not remembered
        session.get()
    assert session.load_count == 2


def test_a_model_that_does_not_fit_is_refused_before_starting(cache_dir: Path):
    session = llamacpp(cache_dir, memory_limit_gib=0.001)
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert "would not fit" in caught.value.reason and "KV cache" in caught.value.reason
    assert "--skip-memory-check" in caught.value.hint


# --- the command line and the app -----------------------------------------------------------


def _workbench(cache_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WORKBENCH_")}
    env.update(HF_HUB_OFFLINE="1", WORKBENCH_CACHE_DIR=str(cache_dir))
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_ask_json_says_which_engine_and_why(cache_dir: Path, tmp_path: Path):
    image = tmp_path / "picture.png"
    PICTURE.save(image)
    done = _workbench(
        cache_dir, "ask", "--engine", "llamacpp", "--model", "tiny", "--image", str(image),
        "--question", "What?", "--max-new-tokens", "4", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert (report["engine"], report["engine_reason"]) == ("llamacpp", "as asked (--engine)")
    assert report["device"] == "cpu" and report["dtype"] == "F16"
    assert report["tokens"]["visual"] == 300


def test_ask_with_a_file_that_is_not_gguf_exits_3_with_one_line(cache_dir: Path, tmp_path: Path):
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    image = tmp_path / "picture.png"
    PICTURE.save(image)
    done = _workbench(
        cache_dir, "ask", "--model", str(fake), "--image", str(image), "--question", "What?"
    )
    assert done.returncode == 3
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "is not a GGUF file" in errors[0]
    assert "Traceback" not in done.stderr


def test_a_tab_answers_through_llamacpp(cache_dir: Path):
    from tabs.app import create_context

    ctx = create_context(Settings(model="tiny", engine="llamacpp", cache_dir=cache_dir))
    assert ctx.strict_available  # llama.cpp holds decoding to a schema
    app, url = launch_app(ctx)
    try:
        client = Client(url, verbose=False, download_files=False)
        updates, result = ask_quick(client, "receipts", example_image(ctx, "receipts"))
        assert updates > 2, "the answer should stream"
        assert result["chat"][-1]["role"] == "assistant" and result["chat"][-1]["content"]
        assert RUN_LINE.search(result["run_status"]), result["run_status"]
        assert "with llama.cpp" in client.predict("en", api_name="/status")
    finally:
        app.close()
        ctx.session.unload()
