"""`bench model --engine llamacpp|both`: llama.cpp against transformers bf16, one random model.

The random model of `bench model` (a real config, random weights) is converted to GGUF with
llama.cpp's converter and quantized to 4 bits (Q4_K_M where `llama-quantize` is on the PATH,
else gguf's Q4_0); its vision file stays F16 (gguf's Python Q8_0 quantizes tensors llama.cpp's
vision code wants in float; the app takes Qwen's own Q8_0 vision file, made by llama.cpp).
Each engine runs in its own process, so its peak memory is its own, and the engines take turns,
so a busy spell hits both alike.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.bench.model import SIZES, machine, model_dir_for
from workbench.budget import GPU_BUDGET
from workbench.settings import Settings

NEW_TOKENS = 24
ANSWER_TOKENS = 300  # a receipt's structured answer
ANSWER_BUDGET = (256, 256)  # a 448² receipt, as both engines see it
# The targets, llama.cpp against transformers bf16 on this kind of laptop CPU.
TARGETS = {"decode": 6.0, "answer": 4.0, "first_token": 1.2, "peak_gib": 6.0}
_BUILT = "workbench_bench_gguf.json"


def bench_engines(
    settings: Settings, config: str, layers: int | None, runs: int, engines: tuple[str, ...]
) -> Iterator[str]:
    """Yield the benchmark's lines: a row per engine and run, then the ratios and targets."""
    model_dir = model_dir_for(settings.cache_dir, config, layers)
    yield f"model {config}{f', {layers} text layers' if layers else ''} (random weights)"
    yield f"device cpu: {machine('cpu')}"
    files = {"transformers": (str(model_dir), "")}
    if "llamacpp" in engines:
        files["llamacpp"] = _gguf_pair(model_dir)
        model, mmproj = (Path(path).name for path in files["llamacpp"])
        yield f"files for llamacpp: {model} + {mmproj}"
    yield (
        f"{'engine':<22} {'load s':>6} {'peak GiB':>8} "
        + " ".join(f"{f'{name} ttft s':>13} {'tok/s':>6}" for name in SIZES)
        + f" {f'{ANSWER_TOKENS}-token answer s':>22}"
    )
    results: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
    for _ in range(runs):
        for engine in engines:
            result = _run_child(settings, engine, *files[engine])
            results[engine].append(result)
            yield _row(engine, result)
    if len(engines) == 2:
        yield from _verdicts({engine: _median(rows) for engine, rows in results.items()})


def _gguf_pair(model_dir: Path) -> tuple[str, str]:
    """Return the 4-bit model and F16 vision file for the checkpoint, converting them once."""
    from workbench.engines.gguf_build import convert_checkpoint, quantize

    target = model_dir.parent / f"{model_dir.name}-gguf"
    marker = target / _BUILT
    if marker.is_file():
        built = json.loads(marker.read_text())
        return built["model"], built["mmproj"]
    full = convert_checkpoint(model_dir, target, outtype="f16")
    native = shutil.which("llama-quantize")
    if native:
        model = target / f"{model_dir.name}-Q4_K_M.gguf"
        subprocess.run([native, str(full.model), str(model), "Q4_K_M"], check=True)
    else:
        model = target / f"{model_dir.name}-Q4_0.gguf"
        quantize(full.model, model, "Q4_0")
    full.model.unlink()  # 8.9 GB for the 4B: only the quantized file is used
    marker.write_text(json.dumps({"model": str(model), "mmproj": str(full.mmproj)}))
    return str(model), str(full.mmproj)


def _run_child(settings: Settings, engine: str, model: str, mmproj: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "workbench.bench.engines", engine, model, mmproj]
    env = {**os.environ, "WORKBENCH_CACHE_DIR": str(settings.cache_dir)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"bench model ({engine}) failed: {' '.join(tail)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(engine: str, result: dict[str, Any]) -> str:
    name = f"{engine} {result['dtype']}"
    cells = " ".join(
        f"{_cell(result[size]['ttft'], 13)} {result[size]['tok_s']:>6.2f}" for size in SIZES
    )
    answer = f"{result['answer_s']:.1f} ({result['answer_tokens']} tok)"
    return f"{name:<22} {result['load_s']:>6.1f} {result['peak_gib']:>8.2f} {cells} {answer:>22}"


def _cell(seconds: float | None, width: int) -> str:
    """Return seconds for a column, or "—" where no text came (a random model's bytes may not
    make up one character)."""
    return "—".rjust(width) if seconds is None else f"{seconds:>{width}.2f}"


def _median(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the median of each figure over the runs."""
    first = rows[0]
    merged: dict[str, Any] = {"dtype": first["dtype"]}
    for key in ("load_s", "peak_gib", "answer_s"):
        merged[key] = statistics.median(row[key] for row in rows)
    for size in SIZES:
        merged[size] = {
            part: _median_of([row[size][part] for row in rows]) for part in ("ttft", "tok_s")
        }
    return merged


def _median_of(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.median(known) if known else None


def _verdicts(median: dict[str, dict[str, Any]]) -> Iterator[str]:
    fast, base = median["llamacpp"], median["transformers"]
    decode = fast["448²"]["tok_s"] / base["448²"]["tok_s"]
    yield _target("decoding", decode, f"≥ {TARGETS['decode']:g}× transformers", decode >= 6)
    sooner = base["answer_s"] / fast["answer_s"]
    yield _target(
        f"{ANSWER_TOKENS}-token answer done",
        sooner,
        f"≥ {TARGETS['answer']:g}× sooner",
        sooner >= 4,
    )
    for size in SIZES:
        if fast[size]["ttft"] is None or base[size]["ttft"] is None:
            yield f"first token {size}: no text came from one engine, no ratio"
            continue
        ratio = fast[size]["ttft"] / base[size]["ttft"]
        limit = TARGETS["first_token"]
        yield _target(f"first token {size}", ratio, f"≤ {limit:g}× transformers'", ratio <= limit)
    peak = fast["peak_gib"]
    limit = TARGETS["peak_gib"]
    yield f"peak memory of llamacpp {peak:.2f} GiB  target ≤ {limit:g} {_mark(peak <= limit)}"


def _target(what: str, ratio: float, target: str, ok: bool) -> str:
    return f"{what}: {ratio:.2f}×  target {target} {_mark(ok)}"


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


# ---------------------------------------------------------------- one engine, in its own process


def _measure(engine: str, model: str, mmproj: str) -> dict[str, Any]:
    from PIL import Image

    from workbench.bench.model import answer_stats
    from workbench.session import ModelSession
    from workbench.settings import from_environment

    dtype = "bfloat16" if engine == "transformers" else "auto"
    settings = from_environment().replace(model=model, engine=engine, mmproj=mmproj, dtype=dtype)
    session = ModelSession(settings)
    session.get()
    result: dict[str, Any] = {"dtype": session.status.dtype, "load_s": session.status.load_seconds}
    # Untimed: the first pass pages the weights in and warms the kernels.
    answer_stats(session, Image.new("RGB", (64, 64), "white"), (16, 16), 2)
    for name, size in SIZES.items():
        stats = answer_stats(session, Image.new("RGB", size, "white"), GPU_BUDGET, NEW_TOKENS)
        result[name] = {"ttft": stats.time_to_first_token, "tok_s": stats.tokens_per_second or 0.0}
    result["answer_s"], result["answer_tokens"] = _structured_answer(session)
    result["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30
    session.unload()
    return result


def _structured_answer(session: Any) -> tuple[float, int]:
    """Return the seconds and tokens of a receipt preset's answer, end to end through `ask`."""
    from PIL import Image

    from workbench.choices import preset_params
    from workbench.pipeline import Finished, ask, make_question
    from workbench.prompts.presets import load_all

    preset = load_all()["receipts"].presets[0]
    params = replace(
        preset_params(preset, ANSWER_TOKENS), visual_tokens=ANSWER_BUDGET, temperature=0
    )
    image = Image.new("RGB", SIZES["448²"], "white")
    question = make_question(image, preset.question, params, preset=preset, repair_turns=0)
    started = time.perf_counter()
    answer = next(event.answer for event in ask(session, question) if isinstance(event, Finished))
    return time.perf_counter() - started, answer.stats[-1].generated_tokens


if __name__ == "__main__":  # one engine in its own process: ENGINE MODEL MMPROJ
    print(json.dumps(_measure(*sys.argv[1:4])))
