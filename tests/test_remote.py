"""The remote engine against a real server: `python -m workbench serve --model tiny` on loopback.

The server is transformers' own OpenAI-compatible one; what it cannot show (vLLM's and SGLang's
extra fields, HTTP errors on demand) is checked on the `openai` client over a mock transport.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import openai
import pytest
from PIL import Image

from tabs.domain.results import render
from tests.conftest import ModelServer
from workbench.answers.boxes import Region
from workbench.bench.app import free_port
from workbench.engines.base import (
    GenerationParams,
    LoadedInfo,
    ModelLoadError,
    ServerError,
)
from workbench.engines.openai import OpenAIEngine, data_url
from workbench.pipeline import Finished, RepairStarted, ask, make_question
from workbench.prompts.presets import load_all
from workbench.session import ModelSession
from workbench.settings import Settings

REPO = Path(__file__).resolve().parent.parent
PICTURE = Image.new("RGB", (640, 480), (240, 240, 230))  # 20 × 15 = 300 visual tokens
LONG = GenerationParams(temperature=1.0, top_p=1.0, max_new_tokens=4000)  # ~8 s on the server


def remote(url: str, **changes) -> ModelSession:
    return ModelSession(Settings(engine="openai", base_url=url, **changes))


def _messages(text: str = "What is this?", image: Image.Image = PICTURE) -> list[dict]:
    return [
        {
            "role": "user",
            "content": [{"type": "image", "image": image}, {"type": "text", "text": text}],
        }
    ]


def _answer(session: ModelSession, question) -> object:
    return next(event for event in ask(session, question) if isinstance(event, Finished)).answer


@pytest.fixture(scope="module")
def session(model_server) -> ModelSession:
    session = remote(model_server.url)
    session.get()
    return session


# --- status and loading -----------------------------------------------------------------------


def test_status_names_the_server_the_model_and_that_it_answers(session, model_server):
    status = session.status
    assert status.state == "ready"
    assert status.summary().startswith(f"remote: {model_server.url} · model ")
    assert " · reachable" in status.summary()
    assert status.summary("zh").startswith(f"远程：{model_server.url} · 模型 ")
    # The served model is the tiny one: its words are noise, and the status says so.
    assert status.random_weights and "random weights" in status.summary()
    assert "served by transformers" in status.details()
    assert session.context_tokens > 0  # the server's max_model_len
    assert "ignores JSON schemas" in status.details()


def test_an_unreachable_url_fails_the_load_with_the_url_and_what_to_do():
    url = f"http://127.0.0.1:{free_port()}/v1"
    session = remote(url)
    started = time.perf_counter()
    with pytest.raises(ModelLoadError) as caught:
        list(session.loading())
    assert time.perf_counter() - started < 15
    assert url in caught.value.reason and "cannot be reached" in caught.value.reason
    assert "--base-url" in caught.value.hint
    assert session.status.state == "failed"
    assert session.status.summary().startswith(f"remote: {url} · The model server at {url}")


def test_an_unknown_api_model_names_the_ones_served(model_server):
    with pytest.raises(ModelLoadError) as caught:
        remote(model_server.url, api_model="gpt-5").get()
    assert "'gpt-5'" in caught.value.reason and "tiny-qwen3-vl" in caught.value.reason
    assert "--api-model" in caught.value.hint


def test_an_api_key_variable_that_is_not_set_is_named(model_server, monkeypatch):
    monkeypatch.delenv("WORKBENCH_TEST_KEY", raising=False)
    with pytest.raises(ModelLoadError, match="WORKBENCH_TEST_KEY"):
        remote(model_server.url, api_key_env="WORKBENCH_TEST_KEY").get()


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
    # The same text around them: the server's prompt counts differ by the images' difference.
    assert full.prompt_tokens - small.prompt_tokens == 300 - 108


def test_a_crop_reaches_the_server_as_fewer_prompt_tokens(session):
    image = Image.new("RGB", (1024, 768), "white")
    params = GenerationParams(max_new_tokens=2, temperature=1.0, visual_tokens=(64, 1280))
    whole = _answer(session, make_question(image, "Read it.", params))
    crop = _answer(session, make_question(image, "Read it.", params, region=Region(0, 0, 320, 256)))
    assert whole.stats[0].prompt_tokens - crop.stats[0].prompt_tokens == 768 - 80


def test_stop_closes_the_stream_and_the_server_stops_generating(session):
    quick = GenerationParams(max_new_tokens=4)
    started = time.perf_counter()
    session.stream(_messages(), quick).run()
    baseline = time.perf_counter() - started

    generation = session.stream(_messages(), LONG)
    for count, _ in enumerate(generation):
        if count == 3:
            generation.stop()
    assert generation.stats.finish_reason == "cancelled" and generation.stats.stopped
    assert generation.stats.generated_tokens <= 6

    # The server answers one request at a time: had it gone on with 4,000 tokens (~8 s), the
    # next question would wait for them.
    started = time.perf_counter()
    session.stream(_messages(), quick).run()
    assert time.perf_counter() - started < baseline + 2.0


def test_strict_without_server_support_is_validated_repaired_and_said(session, app_context):
    preset = load_all()["receipts"].presets[0]
    params = GenerationParams(max_new_tokens=8, temperature=1.0)
    question = make_question(
        PICTURE, preset.question, params, preset=preset, strict=True, repair_turns=1
    )
    events = list(ask(session, question))
    answer = events[-1].answer

    assert any(isinstance(event, RepairStarted) for event in events)
    assert len(answer.turns) == 2 and not answer.valid
    assert [stats.constrained for stats in answer.stats] == [False, False]
    from workbench.intake import Intake
    from workbench.intake.enhance import enhance

    shown = render(
        answer,
        question,
        app_context,
        _tab("receipts"),
        Intake((enhance(PICTURE, "off"),), name="p.png", digest="0"),
    )
    assert "does not hold decoding to a schema" in shown["verdict"]


def _tab(key: str):
    from tabs.app import DOMAIN_TABS as TABS

    return next(tab.TAB for tab in TABS if tab.TAB.key == key)


def test_many_questions_at_once_each_get_their_own_answer(session):
    # Greedy answers are reproducible: asked one at a time first, they are the reference.
    texts = [f"Question number {index}: what is shown?" for index in range(6)]
    greedy = GenerationParams(temperature=0.0, max_new_tokens=10)
    alone = [session.stream(_messages(text), greedy).run() for text in texts]
    together: dict[int, str] = {}

    def one(index: int) -> None:
        together[index] = session.stream(_messages(texts[index]), greedy).run()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [together[index] for index in range(len(texts))] == alone


# --- failures ---------------------------------------------------------------------------------


def test_a_server_killed_mid_stream_is_one_message_and_a_restart_answers_again():
    server = ModelServer().start()
    try:
        session = remote(server.url)
        generation = session.stream(_messages(), LONG)
        with pytest.raises(ServerError) as caught:
            for count, _ in enumerate(generation):
                if count == 3:
                    server.kill()
        assert server.url in caught.value.reason
        assert "next question tries again" in caught.value.hint
        assert session.status.state == "failed" and server.url in session.status.summary()

        server.start()
        answer = session.stream(_messages(), GenerationParams(max_new_tokens=4)).run()
        assert isinstance(answer, str)
        assert session.status.state == "ready"
    finally:
        server.stop()


# --- the command line -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_ask_with_the_remote_engine_prints_the_record(model_server, app_context):
    image = app_context.examples["receipts"][0].image_path
    done = _cli(
        "ask", "--engine", "openai", "--base-url", model_server.url, "--image", str(image),
        "--preset", "receipts:verify-totals", "--max-new-tokens", "8", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    record = json.loads(done.stdout)
    assert record["device"] == "remote" and record["random_weights"] is True
    assert record["tokens"]["prompt"] > record["tokens"]["visual"] > 0
    assert record["parameters"]["strict"] is True and record["constrained"] is False


def test_cli_ask_against_no_server_exits_3_with_one_line(app_context):
    url = f"http://127.0.0.1:{free_port()}/v1"
    image = app_context.examples["receipts"][0].image_path
    done = _cli("ask", "--engine", "openai", "--base-url", url, "--image", str(image),
                "--question", "hi", "--json")  # fmt: skip
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and url in done.stderr, done.stderr


# --- what the server cannot show: requests and errors over a mock transport -------------------


def _mocked(handler, served_by: str = "vllm") -> OpenAIEngine:
    client = openai.OpenAI(
        base_url="http://gpu-box:8000/v1",
        api_key="EMPTY",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    info = LoadedInfo(
        device="remote", dtype="", attention="", random_weights=False,
        model="Qwen/Qwen3-VL-4B-Instruct", remote="http://gpu-box:8000/v1",
        served_by=served_by, constrains_schema=served_by in ("vllm", "sglang"),
    )  # fmt: skip
    return OpenAIEngine(client, info)


def _sse(*texts: str) -> httpx.Response:
    chunks = [
        {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": "m",
         "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
        for text in texts
    ]  # fmt: skip
    chunks.append(
        {"id": "1", "object": "chat.completion.chunk", "created": 0, "model": "m", "choices": [],
         "usage": {"prompt_tokens": 321, "completion_tokens": len(texts), "total_tokens": 0}}
    )  # fmt: skip
    body = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
    return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})


SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}}


@pytest.mark.parametrize("served_by", ["vllm", "sglang"])
def test_vllm_and_sglang_get_the_extra_fields_the_budget_and_the_schema(served_by):
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return _sse('{"total"', ": 1}")

    engine = _mocked(handler, served_by)
    params = GenerationParams(top_k=20, repetition_penalty=1.05, json_schema=SCHEMA,
                              visual_tokens=(256, 1280))  # fmt: skip
    generation = engine.stream(_messages(), params)
    assert generation.run() == '{"total": 1}'

    body = sent[0]
    assert body["model"] == "Qwen/Qwen3-VL-4B-Instruct" and body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.7, 0.8, 1024)
    assert (body["top_k"], body["repetition_penalty"]) == (20, 1.05)
    assert body["mm_processor_kwargs"] == {
        "size": {"shortest_edge": 256 * 1024, "longest_edge": 1280 * 1024}
    }
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True},
    }
    image = body["messages"][0]["content"][0]
    assert image["type"] == "image_url" and image["image_url"]["url"].startswith("data:image/")
    assert generation.stats.constrained
    assert (generation.stats.prompt_tokens, generation.stats.generated_tokens) == (321, 2)


def test_other_servers_get_only_the_standard_fields():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return _sse("ok")

    engine = _mocked(handler, served_by="transformers")
    generation = engine.stream(_messages(), GenerationParams(json_schema=SCHEMA))
    generation.run()
    assert not {"top_k", "repetition_penalty", "mm_processor_kwargs"} & set(sent[0])
    assert "response_format" in sent[0]  # sent anyway; the server may ignore it
    assert not generation.stats.constrained


def test_a_vllm_that_refuses_per_request_budgets_gets_resized_images_alone():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        if "mm_processor_kwargs" in body:
            message = "Per-request mm_processor_kwargs are disabled by default."
            return httpx.Response(400, json={"error": {"message": message}})
        return _sse("ok")

    engine = _mocked(handler)
    assert engine.stream(_messages(), GenerationParams()).run() == "ok"
    assert engine.stream(_messages(), GenerationParams()).run() == "ok"
    assert ["mm_processor_kwargs" in body for body in sent] == [True, False, False]


@pytest.mark.parametrize(
    ("status", "said", "hint", "recheck"),
    [
        (401, "refused the request (HTTP 401: bad key)", "--api-key-env", False),
        (404, "refused the request (HTTP 404: bad key)", "--base-url", False),
        (422, "refused the request (HTTP 422: bad key)", "see its log", False),
        (500, "failed (HTTP 500: bad key)", "server's log", True),
    ],
)
def test_http_errors_are_one_message_naming_the_server(status, said, hint, recheck):
    engine = _mocked(lambda request: httpx.Response(status, json={"detail": "bad key"}))
    with pytest.raises(ServerError) as caught:
        engine.stream(_messages(), GenerationParams()).run()
    assert caught.value.reason == f"The model server at http://gpu-box:8000/v1 {said}."
    assert hint in caught.value.hint
    assert caught.value.recheck == recheck


def test_a_timeout_says_how_long_it_waited_and_what_to_change():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    engine = _mocked(handler)
    with pytest.raises(ServerError) as caught:
        engine.stream(_messages(), GenerationParams()).run()
    assert "did not answer within" in caught.value.reason
    assert "--request-timeout" in caught.value.hint and caught.value.recheck


def test_an_image_goes_as_png_or_jpeg_whichever_is_smaller():
    import numpy as np

    flat = Image.new("RGB", (256, 256), "white")
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 255, (256, 256, 3), np.uint8))
    assert data_url(flat).startswith("data:image/png;base64,")
    assert data_url(noise).startswith("data:image/jpeg;base64,")


# --- settings ---------------------------------------------------------------------------------


def test_the_remote_engine_needs_a_base_url_and_a_base_url_needs_it():
    with pytest.raises(ValueError, match="--engine openai needs --base-url"):
        Settings(engine="openai")
    with pytest.raises(ValueError, match="add --engine openai"):
        Settings(base_url="http://gpu-box:8000/v1")
    with pytest.raises(ValueError, match="request timeout"):
        Settings(engine="openai", base_url="http://x/v1", request_timeout=0)
