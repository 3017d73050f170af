"""What to load, and where: device, dtype, attention, placement, and whether it fits in memory.

Decided before any weight is read, from the config and the machine, so a model that cannot fit
is refused with numbers instead of ending in the kernel's OOM killer.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import torch
import transformers

from workbench.engines import memory
from workbench.engines.base import ModelLoadError
from workbench.settings import Settings

MODEL_CONFIGS = Path(__file__).resolve().parents[1] / "model_configs"
SMALLER_MODEL = "Qwen/Qwen3-VL-2B-Instruct"


def resolve_device(requested: str) -> str:
    has_mps = torch.backends.mps.is_available()
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": has_mps}
    if not available[requested]:
        raise ModelLoadError(
            f"Device {requested!r} was asked for but is not available here.",
            "Use --device auto (or cpu).",
        )
    return requested


def resolve_dtype(requested: str, device: str) -> tuple[Any, str]:
    """Return the dtype to load in, and why it was chosen."""
    if requested != "auto":
        return getattr(torch, requested), "as asked with --dtype"
    if device == "cuda":
        if torch.cuda.is_bf16_supported(including_emulation=False):  # T4, V100: emulated, slow
            return torch.bfloat16, "auto: the GPU computes in bfloat16"
        return torch.float16, "auto: this GPU has no bfloat16, compute capability below 8.0"
    if device == "mps":
        return torch.float16, "auto: float16 on Apple GPUs"
    native = cpu_bf16_feature()
    if native:
        return torch.bfloat16, f"auto: the CPU computes bfloat16 natively with {native}"
    # Measured with `bench model` on AVX2 kernels: bfloat16 prefills 1.4-1.6× slower than
    # float32 but decodes 4× faster, so any answer past a few words finishes sooner.
    return (
        torch.bfloat16,
        "auto: half the memory of float32 and faster decoding; no native bf16 here",
    )


def cpu_bf16_feature() -> str | None:
    """Return the CPU feature that computes bfloat16 natively (AMX, AVX512-BF16), if any."""
    cpu = torch.cpu
    if getattr(cpu, "_is_amx_tile_supported", lambda: False)():
        return "AMX"
    if getattr(cpu, "_is_avx512_bf16_supported", lambda: False)():
        return "AVX512-BF16"
    return None


def dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def model_shape(config: Any) -> memory.ModelShape:
    """Return the parameter counts and cache dimensions of a config, built on the meta device."""
    with torch.device("meta"):  # no memory, no initialisation: only the shapes
        model = transformers.AutoModelForImageTextToText.from_config(config)
    text = config.get_text_config()
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    return memory.ModelShape(
        parameters=sum(parameter.numel() for parameter in model.parameters()),
        embedding_parameters=model.get_input_embeddings().weight.numel(),
        layers=text.num_hidden_layers,
        kv_heads=getattr(text, "num_key_value_heads", None) or text.num_attention_heads,
        head_dim=head_dim,
    )


def free_memory_gib(settings: Settings, device: str) -> float | None:
    """Return the memory free where the weights go: VRAM less headroom on CUDA, else RAM."""
    if device != "cuda":
        return memory.free_ram_gib()
    free = 0.0
    for index in range(torch.cuda.device_count()):
        available, total = torch.cuda.mem_get_info(index)
        free += min(available, total - settings.gpu_headroom_gib * memory.GIB) / memory.GIB
    return max(free, 0.0)


def check_memory(
    settings: Settings,
    device: str,
    shape: memory.ModelShape,
    dtype: Any,
    visual_tokens: int,
) -> None:
    """Raise ModelLoadError, naming what would fit, when the model would not fit in memory."""
    weights = settings.quantization if settings.quantization != "none" else dtype_name(dtype)
    need = memory.estimate(shape, weights, visual_tokens)
    free_gib = free_memory_gib(settings, device)
    if memory.fits(need, free_gib, settings.memory_limit_gib):
        return  # the usual case: no alternatives to work out
    alternatives = []
    if weights != "bfloat16":
        alternatives.append(("--dtype bfloat16", memory.estimate(shape, "bfloat16", visual_tokens)))
    if device == "cuda":
        alternatives += [
            (
                f"--quantization {mode} (needs bitsandbytes)",
                memory.estimate(shape, mode, visual_tokens),
            )
            for mode in ("8bit", "4bit")
            if mode != weights
        ]
    smaller = model_shape(
        transformers.AutoConfig.from_pretrained(str(MODEL_CONFIGS / "qwen3-vl-2b-instruct.json"))
    )
    if smaller.parameters < shape.parameters:
        alternatives.append(
            (
                f"--model {SMALLER_MODEL} --dtype bfloat16",
                memory.estimate(smaller, "bfloat16", visual_tokens),
            )
        )
    where = "the GPU" if device == "cuda" else "this machine"
    refusal = memory.check_fits(need, free_gib, settings.memory_limit_gib, where, alternatives)
    if refusal:
        raise ModelLoadError(*refusal)


def resolve_attention(requested: str, device: str) -> str:
    has_flash = importlib.util.find_spec("flash_attn") is not None
    if requested == "auto":
        return "flash_attention_2" if device == "cuda" and has_flash else "sdpa"
    if requested == "flash_attention_2" and not (device == "cuda" and has_flash):
        raise ModelLoadError(
            "flash_attention_2 needs a CUDA GPU and the flash-attn package.",
            "Use --attention sdpa (or auto).",
        )
    return requested


def placement(settings: Settings, device: str) -> dict[str, Any]:
    """Return where the weights go: the device, or every visible GPU less the headroom."""
    if device != "cuda":
        return {"device_map": device}
    # One entry per GPU torch can see, so every key names a GPU that exists.
    max_memory = {
        index: f"{_gpu_budget_gib(index, settings.gpu_headroom_gib)}GiB"
        for index in range(torch.cuda.device_count())
    }
    return {"device_map": "auto", "max_memory": max_memory}


def _gpu_budget_gib(index: int, headroom_gib: float) -> int:
    total_gib = torch.cuda.get_device_properties(index).total_memory / 2**30
    return max(1, int(total_gib - headroom_gib))


def quantization_kwargs(mode: str, device: str) -> dict[str, Any]:
    if mode == "none":
        return {}
    if device != "cuda":
        raise ModelLoadError(
            f"{mode} weights need a CUDA GPU (bitsandbytes); this device is {device}.",
            "Use --quantization none.",
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ModelLoadError(
            f"{mode} weights need the bitsandbytes package, which is not installed.",
            "Run: pip install bitsandbytes (or use --quantization none).",
        )
    if mode == "4bit":
        config = transformers.BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16
        )
    else:
        config = transformers.BitsAndBytesConfig(load_in_8bit=True)
    return {"quantization_config": config}
