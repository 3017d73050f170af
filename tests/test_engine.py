"""The transformers engine on the tiny random Qwen3-VL: streaming, counts, determinism, stop."""

from __future__ import annotations

import threading
import time

import pytest
from PIL import Image

from workbench.budget import device_budget, visual_tokens
from workbench.engines.base import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_P,
    GenerationParams,
)
from workbench.settings import Settings


def _messages(size: tuple[int, int], question: str = "What does it say?") -> list[dict]:
    image = Image.new("RGB", size, "white")
    return [
        {"role": "system", "content": "You read receipts."},
        {
            "role": "user",
            "content": [{"type": "image", "image": image}, {"type": "text", "text": question}],
        },
    ]


GREEDY = GenerationParams(temperature=0, max_new_tokens=12)


def test_stream_pieces_concatenate_to_the_text(tiny_session):
    generation = tiny_session.stream(_messages((320, 320)), GREEDY)
    pieces = list(generation)
    assert pieces, "the tiny model streamed nothing"
    assert all(pieces), "empty pieces must be skipped"
    assert "".join(pieces) == generation.text


def test_token_counts(tiny_session):
    generation = tiny_session.stream(_messages((512, 512)), GREEDY)
    generation.run()
    stats = generation.stats
    assert stats.visual_tokens == 256  # 512/32 × 512/32
    assert stats.prompt_tokens > stats.visual_tokens
    assert 1 <= stats.generated_tokens <= GREEDY.max_new_tokens
    assert stats.finish_reason in {"stop", "length"}
    assert stats.time_to_first_token is not None
    assert 0 < stats.time_to_first_token <= stats.total_seconds


def test_greedy_decoding_is_deterministic(tiny_session):
    first = tiny_session.stream(_messages((320, 320)), GREEDY)
    second = tiny_session.stream(_messages((320, 320)), GREEDY)
    assert first.run() == second.run()
    assert first.stats.generated_tokens == second.stats.generated_tokens


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((512, 512), 256),  # exactly the lower bound
        ((640, 480), 300),
        ((1024, 768), 768),
        ((1280, 1024), 1280),  # exactly the upper bound
    ],
)
def test_visual_tokens_follow_the_image_size(tiny_session, size, expected):
    width, height = size
    assert expected == (width // 32) * (height // 32)
    params = GenerationParams(max_new_tokens=1, visual_tokens=(256, 1280))
    generation = tiny_session.stream(_messages(size), params)
    generation.run()
    assert generation.stats.visual_tokens == expected


@pytest.mark.parametrize("size", [(100, 100), (3000, 2400), (64, 1600)])
def test_visual_tokens_stay_within_the_device_budget(tiny_session, size):
    low, high = tiny_session.get().info.visual_tokens
    assert (low, high) == device_budget(tiny_session.status.device)
    generation = tiny_session.stream(_messages(size), GenerationParams(max_new_tokens=1))
    generation.run()
    assert low <= generation.stats.visual_tokens <= high


@pytest.mark.parametrize(
    ("size", "budget"),
    [
        ((4032, 3024), (256, 576)),  # a phone photo on the CPU budget
        ((3024, 4032), (256, 1280)),
        ((1170, 2532), (1024, 2048)),  # a phone screenshot, grounding budget
        ((800, 1800), (256, 576)),  # a long receipt
        ((100, 100), (256, 576)),  # scaled up to the lower bound
        ((333, 777), (64, 64)),
    ],
)
def test_predicted_visual_tokens_match_the_processor(tiny_session, size, budget):
    params = GenerationParams(max_new_tokens=1, visual_tokens=budget)
    generation = tiny_session.stream(_messages(size), params)
    generation.run()
    assert generation.stats.visual_tokens == visual_tokens(size, budget)


def test_multi_turn_history_reaches_the_prompt(tiny_session):
    one_turn = tiny_session.stream(_messages((320, 320)), GenerationParams(max_new_tokens=1))
    one_turn.run()
    history = [
        *_messages((320, 320)),
        {"role": "assistant", "content": "The total is 12.50."},
        {"role": "user", "content": [{"type": "text", "text": "And the tax?"}]},
    ]
    two_turns = tiny_session.stream(history, GenerationParams(max_new_tokens=1))
    two_turns.run()
    assert two_turns.stats.visual_tokens == one_turn.stats.visual_tokens
    assert two_turns.stats.prompt_tokens > one_turn.stats.prompt_tokens + 5


def test_stop_ends_generation_within_a_step_and_frees_the_model(tiny_session):
    params = GenerationParams(temperature=0, max_new_tokens=400)
    generation = tiny_session.stream(_messages((320, 320)), params)
    for received, _ in enumerate(generation, start=1):
        if received == 3:
            generation.stop()
    stats = generation.stats
    assert stats.stopped
    assert stats.finish_reason == "cancelled"
    # A step or two may already be in flight when stop() lands; far fewer than the limit.
    assert stats.generated_tokens < 20
    started = time.perf_counter()
    follow_up = tiny_session.stream(_messages((320, 320)), GREEDY)
    follow_up.run()
    assert follow_up.stats.finish_reason in {"stop", "length"}
    assert time.perf_counter() - started < 30


def test_abandoned_stream_stops_generating_and_releases_the_model(tiny_session):
    # Greedy on this prompt, the tiny model never says eos: unstopped, it makes all 400 tokens.
    params = GenerationParams(temperature=0, max_new_tokens=400)
    generation = tiny_session.stream(_messages((320, 320)), params)
    pieces = iter(generation)
    next(pieces)
    pieces.close()  # a browser tab closed mid-answer; nobody reads the rest
    stats = generation.stats
    deadline = time.perf_counter() + 60
    while not stats.finish_reason and time.perf_counter() < deadline:
        time.sleep(0.01)  # the worker fills in the stats when generate returns
    assert stats.finish_reason == "cancelled" and stats.stopped
    # A step or two may already be in flight when the stop lands; far fewer than the limit.
    assert 1 <= stats.generated_tokens < 20
    follow_up = tiny_session.stream(_messages((320, 320)), GREEDY)
    assert follow_up.run() is not None
    assert follow_up.stats.finish_reason in {"stop", "length"}


def test_sampling_parameters_are_accepted(tiny_session):
    params = GenerationParams(temperature=1.2, top_p=0.5, top_k=5, repetition_penalty=1.3)
    generation = tiny_session.stream(_messages((320, 320)), params)
    generation.run()
    assert 1 <= generation.stats.generated_tokens <= params.max_new_tokens


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"temperature": -0.1}, "temperature -0.1 is outside 0 to 2"),
        ({"temperature": 3.0}, "temperature 3.0 is outside 0 to 2"),
        ({"top_p": 0}, "top_p 0 is outside (0, 1]"),
        ({"top_p": 1.01}, "top_p 1.01 is outside (0, 1]"),
        ({"top_k": -1}, "top_k -1 is below 0"),
        ({"max_new_tokens": 0}, "max_new_tokens 0 is outside 1 to 8192"),
        ({"max_new_tokens": 8193}, "max_new_tokens 8193 is outside 1 to 8192"),
        ({"repetition_penalty": 0}, "repetition_penalty 0 is not above 0"),
    ],
)
def test_bad_generation_params_are_refused(changes, message):
    with pytest.raises(ValueError) as caught:
        GenerationParams(**changes)
    assert str(caught.value) == message


def test_generation_params_take_the_shared_defaults():
    params = GenerationParams()
    assert (params.temperature, params.top_p, params.max_new_tokens) == (
        DEFAULT_TEMPERATURE,
        DEFAULT_TOP_P,
        DEFAULT_MAX_NEW_TOKENS,
    )
    edges = {"temperature": 2.0, "top_p": 1.0, "max_new_tokens": 8192}
    assert GenerationParams(**edges).max_new_tokens == 8192


@pytest.mark.parametrize("budget", [(0, 10), (600, 500), (1, 20000)])
def test_bad_visual_budgets_are_refused(budget):
    with pytest.raises(ValueError, match="visual-token budget"):
        GenerationParams(visual_tokens=budget)


def test_concurrent_streams_all_finish(tiny_session):
    results: list[int] = []

    def ask() -> None:
        generation = tiny_session.stream(_messages((320, 320)), GREEDY)
        generation.run()
        results.append(generation.stats.generated_tokens)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 3 and all(results)


def test_settings_visual_bounds_apply_per_call(cache_dir):
    from workbench.session import ModelSession

    session = ModelSession(
        Settings(
            model="tiny",
            engine="transformers",
            cache_dir=cache_dir,
            min_visual_tokens=16,
            max_visual_tokens=64,
        )
    )
    generation = session.stream(_messages((1024, 1024)), GenerationParams(max_new_tokens=1))
    generation.run()
    assert generation.stats.visual_tokens == 64
