"""`python -m workbench bench model`: load time, memory and speed of a real-size model, per dtype.

No weights are needed: the model is built with random weights from a real config (Qwen3-VL-4B or
-2B, shipped in `model_configs/`), with the tiny model's tokenizer and special-token ids so the
real processor and chat template run. The compute is the real model's; the words are noise.
Each dtype runs in its own process, so its peak memory is its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.budget import GPU_BUDGET, Budget
from workbench.engines import tiny
from workbench.settings import Settings

CONFIGS = Path(__file__).resolve().parents[1] / "model_configs"
SIZES = {"448²": (448, 448), "1024²": (1024, 1024)}  # at the GPU budget: 256 and 1,024 tokens
PHONE = (4032, 3024)  # a 12 MP phone photo, at the device's default budget
NEW_TOKENS = 24
PIPELINE_TOKENS = 8
QUESTION = "Read every number on this receipt."
_MARKER = "workbench_bench_model.json"


def bench_model(settings: Settings, config: str, layers: int | None, runs: int) -> Iterator[str]:
    """Yield the benchmark's lines: one row per dtype, then the pipeline and decode verdicts."""
    model_dir = model_dir_for(settings.cache_dir, config, layers)
    device, dtypes = _device_and_dtypes(settings)
    yield f"model {config}{f', {layers} text layers' if layers else ''} (random weights)"
    yield f"device {device}: {machine(device)}"
    yield (
        f"{'dtype':<24} {'load s':>6} {'peak GiB':>8} {'est GiB':>7} "
        + " ".join(f"{f'{name} ttft s':>13} {'tok/s':>6}" for name in SIZES)
        + f" {'phone ttft s':>15}"
    )
    results = {}
    for dtype in dtypes:
        result = _run_child(settings, model_dir, dtype, runs if dtype == "auto" else 0)
        results[dtype] = result
        yield _row(dtype, result)
    auto = results["auto"]
    yield (
        f"phone photo {PHONE[0]}×{PHONE[1]} at the default budget {auto['budget']}: "
        f"{auto['phone']['visual_tokens']} visual tokens, first word after "
        f"{auto['phone']['ttft']:.1f} s in {auto['dtype']}"
    )
    pipeline, bare = auto["pipeline_s"], auto["bare_s"]
    ratio = pipeline / bare
    yield (
        f"pipeline vs bare processor + generate ({auto['dtype']}, 448², {PIPELINE_TOKENS} new "
        f"tokens, median of {runs}): {pipeline:.3f} s vs {bare:.3f} s = {ratio:.3f} × "
        f"({(pipeline - bare) * 1000:+.1f} ms)  target ≤ 1.05 × {_verdict(ratio <= 1.05)}"
    )
    if device == "cpu" and "float32" in results:
        rate, fp32 = auto["448²"]["tok_s"], results["float32"]["448²"]["tok_s"]
        yield (
            f"CPU decode in the auto dtype ({auto['dtype']}) {rate:.2f} tok/s vs float32 "
            f"{fp32:.2f} tok/s  target ≥ float32 {_verdict(rate >= fp32)}"
        )


def _device_and_dtypes(settings: Settings) -> tuple[str, list[str]]:
    import torch

    if settings.device in ("auto", "cuda") and torch.cuda.is_available():
        return "cuda", ["auto", "float16", "float32"]
    return "cpu", ["auto", "float32"]


def machine(device: str) -> str:
    if device == "cuda":
        import torch

        return torch.cuda.get_device_name(0)
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {os.cpu_count()} cores"


def _row(dtype: str, result: dict[str, Any]) -> str:
    name = f"{result['dtype']} (auto)" if dtype == "auto" else dtype
    peak = result["peak_vram_gib"] or result["peak_rss_gib"]
    cells = " ".join(
        f"{result[size]['ttft']:>13.2f} {result[size]['tok_s']:>6.2f}" for size in SIZES
    )
    return (
        f"{name:<24} {result['load_s']:>6.1f} {peak:>8.2f} {result['estimate_gib']:>7.2f} "
        f"{cells} {result['phone']['ttft']:>15.2f}"
    )


def _verdict(ok: bool) -> str:
    return "✓" if ok else "✗"


# ---------------------------------------------------------------- building the model


def model_dir_for(cache_dir: Path, config: str, layers: int | None) -> Path:
    """Return a model directory with random weights for the config, building it once."""
    if config == tiny.TINY_NAME:
        return tiny.ensure_tiny_model(cache_dir)
    path = CONFIGS / f"{config}.json" if (CONFIGS / f"{config}.json").is_file() else Path(config)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONFIGS.glob("*.json")))
        raise ValueError(f"No config at {config}: pass a config.json path, or one of {known}.")
    data = json.loads(path.read_text())
    if layers is not None:
        if layers < 1:
            raise ValueError(f"--layers must be at least 1, got {layers}")
        data["text_config"]["num_hidden_layers"] = layers
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]
    target = cache_dir / "bench-models" / f"{path.stem}-{digest}"
    if not (target / _MARKER).is_file():
        _build(data, tiny.ensure_tiny_model(cache_dir), target)
    return target


def _build(data: dict[str, Any], tiny_dir: Path, target: Path) -> None:
    import torch
    import transformers

    tiny_config = json.loads((tiny_dir / "config.json").read_text())
    # The tiny tokenizer's ids, so its processor and chat template drive the big model.
    for key in ("image_token_id", "video_token_id", "vision_start_token_id", "vision_end_token_id"):
        data[key] = tiny_config[key]
    for key in ("bos_token_id", "eos_token_id", "pad_token_id"):
        data["text_config"][key] = tiny_config["text_config"].get(key)
    config = transformers.AutoConfig.for_model(**data)
    torch.manual_seed(0)
    model = transformers.AutoModelForImageTextToText.from_config(config, dtype=torch.bfloat16)
    shutil.rmtree(target, ignore_errors=True)
    model.save_pretrained(target)
    own = {"config.json", tiny._MARKER}  # the weights, config and marker are the big model's
    for item in tiny_dir.iterdir():
        if item.name not in own and item.suffix != ".safetensors":
            shutil.copy(item, target / item.name)
    (target / _MARKER).write_text(json.dumps({"random_weights": True}))


# ---------------------------------------------------------------- one dtype, in its own process


def _run_child(
    settings: Settings, model_dir: Path, dtype: str, pipeline_runs: int
) -> dict[str, Any]:
    module = "workbench.bench.model"
    command = [sys.executable, "-m", module, str(model_dir), dtype, str(pipeline_runs)]
    env = {**os.environ, "WORKBENCH_CACHE_DIR": str(settings.cache_dir)}
    env["WORKBENCH_DEVICE"], env["WORKBENCH_COMPILE"] = settings.device, settings.compile
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"bench model ({dtype}) failed: {' '.join(tail)}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure(model_dir: str, dtype: str, pipeline_runs: int) -> dict[str, Any]:
    """Return one dtype's figures; the pipeline against bare generate when `pipeline_runs`."""
    import torch
    from PIL import Image

    from workbench.engines import memory
    from workbench.engines.sizing import model_shape
    from workbench.session import ModelSession
    from workbench.settings import from_environment

    settings = from_environment().replace(model=model_dir, dtype=dtype)
    session = ModelSession(settings)
    engine = session.get()
    info = engine.info
    result: dict[str, Any] = {"dtype": info.dtype, "budget": list(info.visual_tokens)}
    result["load_s"] = session.status.load_seconds
    shape = model_shape(engine.model.config)
    result["estimate_gib"] = memory.estimate(shape, info.dtype, info.visual_tokens[1]).total_gib
    # Untimed: the first pass pages the weights in and warms the kernels.
    answer_stats(session, Image.new("RGB", (64, 64), "white"), (16, 16), 2)
    for name, size in SIZES.items():
        stats = answer_stats(session, Image.new("RGB", size, "white"), GPU_BUDGET, NEW_TOKENS)
        result[name] = {
            "visual_tokens": stats.visual_tokens,
            "ttft": stats.time_to_first_token,
            "tok_s": stats.tokens_per_second or 0.0,
        }
    stats = answer_stats(session, Image.new("RGB", PHONE, "white"), info.visual_tokens, 1)
    result["phone"] = {"visual_tokens": stats.visual_tokens, "ttft": stats.time_to_first_token}
    if pipeline_runs:
        result.update(_pipeline_against_bare(session, pipeline_runs))
    result["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 2**30
    cuda = torch.cuda.is_available() and info.device == "cuda"
    result["peak_vram_gib"] = torch.cuda.max_memory_allocated() / 2**30 if cuda else None
    return result


def _messages(image: Any) -> list[dict[str, Any]]:
    question = {"type": "text", "text": QUESTION}
    return [{"role": "user", "content": [{"type": "image", "image": image}, question]}]


def answer_stats(session: Any, image: Any, budget: Budget, new_tokens: int) -> Any:
    from workbench.engines.base import GenerationParams

    messages = _messages(image)
    params = GenerationParams(temperature=0, max_new_tokens=new_tokens, visual_tokens=budget)
    generation = session.stream(messages, params)
    generation.run()
    return generation.stats


def _pipeline_against_bare(session: Any, runs: int) -> dict[str, float]:
    """Return the median seconds per question: the workbench pipeline, and bare generate."""
    import torch
    from PIL import Image

    from workbench.engines.base import GenerationParams
    from workbench.pipeline import Question, ask

    engine = session.get()
    image = Image.new("RGB", SIZES["448²"], "white")
    params = GenerationParams(
        temperature=0, max_new_tokens=PIPELINE_TOKENS, visual_tokens=GPU_BUDGET
    )
    question = Question(image=image, question=QUESTION, params=params, repair_turns=0)
    messages = _messages(image)

    def through_pipeline() -> None:
        for _ in ask(session, question):
            pass

    def bare() -> None:
        inputs = engine.processor_inputs(messages, GPU_BUDGET).to(engine.model.device)
        with torch.inference_mode():
            engine.model.generate(**inputs, max_new_tokens=PIPELINE_TOKENS, do_sample=False)

    timings: dict[str, list[float]] = {"pipeline_s": [], "bare_s": []}
    for _ in range(runs):  # alternating, so a busy spell hits both alike
        for key, run in (("pipeline_s", through_pipeline), ("bare_s", bare)):
            started = time.perf_counter()
            run()
            timings[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) for key, values in timings.items()}


if __name__ == "__main__":  # one dtype in its own process: DIR DTYPE PIPELINE_RUNS
    directory, dtype_name, run_count = sys.argv[1:4]
    print(json.dumps(_measure(directory, dtype_name, int(run_count))))
