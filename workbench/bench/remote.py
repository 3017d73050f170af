"""Benchmark `python -m workbench bench remote`: the remote engine against a bare `openai` client.

Both send the same request to the same server: a structured preset's question about the
receipt example, greedy, so both generate the same tokens. The workbench's run is the whole
pipeline (image view, messages, resizing and encoding, the stream, JSON, schema, checks); the
bare one replays the same request, built once by the engine, already encoded. Runs alternate,
so a warming or busy server weighs on both alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from dataclasses import replace

from workbench.examples import ensure_examples
from workbench.intake.images import load_image
from workbench.pipeline import Finished, ask, preset_question
from workbench.prompts.presets import load_all
from workbench.prompts.turns import build_messages
from workbench.session import ModelSession
from workbench.settings import Settings

RATIO_TARGET = 1.05


def bench_remote(settings: Settings, runs: int = 5, max_new_tokens: int = 64) -> Iterator[str]:
    """Yield a row per run, then the medians and the ratio, workbench vs bare client."""
    if not settings.remote:
        raise ValueError("bench remote needs --engine openai --base-url URL")
    session = ModelSession(settings)
    engine = session.get()
    example = ensure_examples(settings.cache_dir / "examples")["receipts"][0]
    preset = load_all()["receipts"].presets[0]
    image = load_image(example.image_path)
    question = preset_question(preset, image, strict=True, max_new_tokens=max_new_tokens)
    question = replace(question, params=replace(question.params, temperature=0.0))
    yield f"{settings.base_url} · model {engine.info.model} · served by {engine.info.served_by}"
    yield f"{preset.name!r} on {example.image_path.name}, greedy, {max_new_tokens} new tokens"

    def workbench() -> tuple[float, float | None, int]:
        began = time.perf_counter()
        answer = next(e for e in ask(session, question) if isinstance(e, Finished)).answer
        stats = answer.stats[0]
        return time.perf_counter() - began, stats.time_to_first_token, stats.generated_tokens

    # The same request, built once by the engine and replayed as it is.
    params = replace(question.params, json_schema=question.schema)
    budget = params.visual_tokens or engine.info.visual_tokens
    messages = build_messages(question.system, question.image, (), question.question)
    request = engine.request(engine.chat(messages, budget)[0], params, budget)

    def bare() -> tuple[float, float | None, int]:
        began, first, pieces = time.perf_counter(), None, 0
        with engine.client.chat.completions.create(**request) as stream:
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    first = first or time.perf_counter() - began
                    pieces += 1
                if chunk.usage:
                    pieces = chunk.usage.completion_tokens
        return time.perf_counter() - began, first, pieces

    yield f"{'run':<4} {'client':<10} {'total s':>8} {'first s':>8} {'tokens':>7}"
    totals: dict[str, list[float]] = {"workbench": [], "bare": []}
    for run in range(1, runs + 1):
        for name, measure in (("workbench", workbench), ("bare", bare)):
            total, first, tokens = measure()
            totals[name].append(total)
            first_s = f"{first:.3f}" if first is not None else "-"
            yield f"{run:<4} {name:<10} {total:>8.3f} {first_s:>8} {tokens:>7}"
    ours, theirs = (statistics.median(totals[name]) for name in ("workbench", "bare"))
    ratio = ours / theirs
    mark = "✓" if ratio <= RATIO_TARGET else "✗"
    yield f"median s: workbench {ours:.3f}, bare {theirs:.3f}"
    yield f"ratio {ratio:.3f} (target ≤ {RATIO_TARGET}) {mark}"
