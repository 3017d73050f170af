"""The memory check: estimates from a config, refusals before loading, the dtype auto picks."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from workbench.engines import memory, sizing
from workbench.engines.base import ModelLoadError
from workbench.engines.memory import MemoryNeed, ModelShape, check_fits, estimate, free_ram_gib
from workbench.session import ModelSession
from workbench.settings import Settings

GIB = memory.GIB
# Qwen3-VL-4B-Instruct's shape, as model_shape reads it from the shipped config.
SHAPE_4B = ModelShape(
    parameters=4_437_815_808,
    embedding_parameters=388_956_160,
    layers=36,
    kv_heads=8,
    head_dim=128,
)


def test_shape_of_the_shipped_configs():
    import transformers

    configs = sizing.MODEL_CONFIGS
    four = transformers.AutoConfig.from_pretrained(str(configs / "qwen3-vl-4b-instruct.json"))
    two = transformers.AutoConfig.from_pretrained(str(configs / "qwen3-vl-2b-instruct.json"))
    assert sizing.model_shape(four) == SHAPE_4B
    smaller = sizing.model_shape(two)
    assert 2.0e9 < smaller.parameters < 2.2e9
    assert (smaller.layers, smaller.kv_heads, smaller.head_dim) == (28, 8, 128)


@pytest.mark.parametrize(
    ("weights", "weights_gib", "kv_gib", "total_gib"),
    [
        # 4.44 B × 4 bytes; KV 2 × 36 × 8 × 128 × (576 + 1024 + 2048) tokens × 4 bytes;
        # runtime 1 GiB + 5% of the weights in the compute dtype
        ("float32", 16.532, 1.002, 19.361),
        ("bfloat16", 8.266, 0.501, 10.180),
        ("float16", 8.266, 0.501, 10.180),
        # embeddings stay 16-bit; the rest 1 or ½ byte; cache and activations in bfloat16
        ("8bit", 4.495, 0.501, 6.410),
        ("4bit", 2.610, 0.501, 4.524),
    ],
)
def test_estimate_for_each_weight_format(weights, weights_gib, kv_gib, total_gib):
    need = estimate(SHAPE_4B, weights, visual_tokens=576)
    assert need.tokens == 576 + memory.TEXT_TOKENS + memory.NEW_TOKENS
    assert round(need.weights_gib, 3) == weights_gib
    assert round(need.kv_cache_gib, 3) == kv_gib
    assert round(need.total_gib, 3) == total_gib


def _need(total: float) -> MemoryNeed:
    return MemoryNeed("float32", total - 1.0, 0.0, 1.0, 1000)


@pytest.mark.parametrize(
    ("free", "limit", "refused", "named"),
    [
        (20.0, None, False, ""),
        (None, None, False, ""),  # unknown: nothing to compare with
        (20.0, 12.0, True, "12.0 GiB is the --memory-limit-gib cap"),
        (12.0, 40.0, True, "12.0 GiB is free on this machine"),
        (None, 12.0, True, "--memory-limit-gib"),
    ],
)
def test_check_fits(free, limit, refused, named):
    refusal = check_fits(_need(19.4), free, limit, "this machine", [])
    assert (refusal is not None) == refused
    if refusal:
        reason, hint = refusal
        assert named in reason and "19.4 GiB" in reason
        assert "--skip-memory-check" in hint


def test_refusal_names_only_the_alternatives_that_fit():
    alternatives = [("--dtype bfloat16", _need(10.2)), ("--quantization 4bit", _need(4.7))]
    reason, hint = check_fits(_need(19.4), 8.0, None, "the GPU", alternatives)
    assert "8.0 GiB is free on the GPU" in reason
    assert "--quantization 4bit (4.7 GiB)" in hint
    assert "bfloat16" not in hint


def test_free_ram_reads_mem_available(tmp_path: Path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24000000 kB\nMemAvailable:   16777216 kB\n")
    assert free_ram_gib(meminfo) == 16.0


# ---------------------------------------------------------------- dtype auto


@pytest.mark.parametrize(
    ("native", "why"),
    [
        ("AVX512-BF16", "natively with AVX512-BF16"),
        ("AMX", "natively with AMX"),
        (None, "faster decoding; no native bf16 here"),
    ],
)
def test_auto_dtype_on_cpu_is_bfloat16(monkeypatch, native, why):
    monkeypatch.setattr(sizing, "cpu_bf16_feature", lambda: native)
    chosen, reason = sizing.resolve_dtype("auto", "cpu")
    assert chosen == torch.bfloat16
    assert reason.startswith("auto: ") and why in reason


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_asked_dtype_wins(monkeypatch, dtype):
    monkeypatch.setattr(sizing, "cpu_bf16_feature", lambda: "AMX")
    chosen, reason = sizing.resolve_dtype(dtype, "cpu")
    assert (chosen, reason) == (getattr(torch, dtype), "as asked with --dtype")


# ---------------------------------------------------------------- refusing before loading


@pytest.fixture
def weights_never_load(monkeypatch):
    import transformers

    def refuse(*args, **kwargs):
        raise AssertionError("the weights were loaded despite the refusal")

    monkeypatch.setattr(transformers.AutoModelForImageTextToText, "from_pretrained", refuse)


def test_a_model_that_does_not_fit_is_refused_before_loading(cache_dir, weights_never_load):
    session = ModelSession(
        Settings(model="tiny", engine="transformers", cache_dir=cache_dir, memory_limit_gib=0.01)
    )
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert "would not fit" in caught.value.reason and "0.0 GiB" in caught.value.reason
    assert "--skip-memory-check" in caught.value.hint
    assert session.status.state == "failed"
    assert "would not fit" in session.status.describe()


def test_skip_memory_check_loads_anyway(cache_dir):
    settings = Settings(
        model="tiny",
        engine="transformers",
        cache_dir=cache_dir,
        memory_limit_gib=0.01,
        skip_memory_check=True,
    )
    session = ModelSession(settings)
    assert session.get().model is not None


# ---------------------------------------------------------------- config and tokenizer disagree


def test_config_tokenizer_mismatch_is_a_load_error(cache_dir, mismatched_model):
    session = ModelSession(Settings(model=str(mismatched_model), cache_dir=cache_dir))
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert "does not match its tokenizer" in caught.value.reason
    assert "image_token_id 151655 is outside the vocabulary" in caught.value.reason
    assert not session.loaded
