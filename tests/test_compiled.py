"""Compiled decoding (--compile on), tried on the CPU as a proxy for CUDA: the tiny model gives
eager's greedy tokens, questions of other lengths reuse the compiled step, Stop and strict
answers hold, and a failed compile falls back to eager decoding."""

from __future__ import annotations

import json

import jsonschema
import pytest
from PIL import Image

from workbench.engines.base import GenerationParams
from workbench.engines.compiled import CACHE_SIZES, cache_size, compile_wanted
from workbench.engines.strict import strict_support
from workbench.session import ModelSession
from workbench.settings import Settings

torch = pytest.importorskip("torch")

GREEDY = GenerationParams(temperature=0, max_new_tokens=16)


def _messages(size: tuple[int, int], question: str) -> list[dict]:
    image = Image.new("RGB", size, "white")
    content = [{"type": "image", "image": image}, {"type": "text", "text": question}]
    return [{"role": "user", "content": content}]


@pytest.fixture(scope="module")
def compiled(cache_dir):
    """Return a session on the tiny model with compiled decoding, compiled at load."""
    session = ModelSession(
        Settings(model="tiny", engine="transformers", compile="on", cache_dir=cache_dir)
    )
    session.get()
    yield session
    session.unload()


def _graphs() -> int:
    return int(torch._dynamo.utils.counters["stats"]["unique_graphs"])


def test_compile_auto_stays_off_until_measured_on_a_gpu():
    assert [compile_wanted(setting) for setting in ("auto", "on", "off")] == [False, True, False]
    with pytest.raises(ValueError, match="compile must be one of auto, on, off"):
        Settings(compile="yes")


@pytest.mark.parametrize(
    ("tokens", "context", "size"),
    [(10, 32_768, 2048), (2048, 32_768, 2048), (2049, 32_768, 4096), (9000, 8192, 8192)],
)
def test_the_cache_comes_in_a_few_sizes(tokens, context, size):
    assert cache_size(tokens, context) == size
    assert size in CACHE_SIZES or size == context


def test_compiled_at_load_and_said_in_the_status(compiled):
    assert _graphs() > 0, "nothing was compiled"
    assert compiled.status.compiled == "on"
    assert "compiled decoding" in compiled.status.details()
    assert "编译解码" in compiled.status.details("zh")


def test_same_greedy_tokens_as_eager(compiled, tiny_session):
    messages = _messages((320, 320), "What does it say?")
    fast = compiled.stream(messages, GREEDY)
    eager = tiny_session.stream(messages, GREEDY)
    assert fast.run() == eager.run()
    assert fast.stats.generated_tokens == eager.stats.generated_tokens > 2


def test_questions_of_other_lengths_reuse_the_compiled_step(compiled):
    compiled.stream(_messages((256, 256), "Total?"), GREEDY).run()
    before = _graphs()
    for size, question in (((320, 448), "What is the date on it, please?"), ((512, 384), "Hi")):
        generation = compiled.stream(_messages(size, question), GREEDY)
        generation.run()
        assert generation.stats.generated_tokens > 2  # decoded past the prefill's token
    assert _graphs() == before, "a question of another length compiled the step again"


def test_stop_ends_within_two_tokens(compiled, monkeypatch):
    from workbench.engines import transformers as engine

    put, tokens, asked = engine._TimedStreamer.put, [], []

    def counting(streamer, value):  # the first call is the prompt, then one per new token
        put(streamer, value)
        tokens.append(value)
        if len(tokens) == 1 + 5:
            asked[0].stop()

    monkeypatch.setattr(engine._TimedStreamer, "put", counting)
    params = GenerationParams(temperature=0, max_new_tokens=200)
    asked.append(compiled.stream(_messages((320, 320), "Read it all."), params))
    asked[0].run()
    assert asked[0].stats.finish_reason == "cancelled"
    assert 5 <= asked[0].stats.generated_tokens <= 5 + 2


@pytest.mark.skipif(not strict_support("transformers").available, reason="xgrammar not installed")
def test_strict_answers_stay_valid(compiled):
    schema = {
        "type": "object",
        "properties": {"total": {"type": "number", "minimum": 0, "maximum": 999}},
        "required": ["total"],
        "additionalProperties": False,
    }
    params = GenerationParams(temperature=0, max_new_tokens=40, json_schema=schema)
    text = compiled.stream(_messages((320, 320), "Total as JSON."), params).run()
    jsonschema.validate(json.loads(text), schema)


def test_a_failed_compile_decodes_eagerly_and_says_why(cache_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("inductor: no C++ compiler found")

    monkeypatch.setattr(torch, "compile", lambda fn, **options: broken)
    session = ModelSession(
        Settings(model="tiny", engine="transformers", compile="on", cache_dir=cache_dir)
    )
    try:
        session.get()
        assert session.status.state == "ready"
        assert (
            "compiling failed, decoding eagerly (RuntimeError: inductor" in session.status.details()
        )
        generation = session.stream(_messages((320, 320), "What does it say?"), GREEDY)
        generation.run()
        assert generation.stats.generated_tokens > 2
        assert generation.stats.finish_reason in {"stop", "length"}
    finally:
        session.unload()
