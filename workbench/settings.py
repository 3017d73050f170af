"""Settings from command-line flags and `WORKBENCH_*` environment variables, in one place.

A flag wins over its environment variable, which wins over the default. `add_arguments` puts the
same flags on any parser (the app's launcher, the `ask` CLI), so both read settings alike.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.budget import MAX_BUDGET, Budget, check_budget, device_budget

MAX_AGREEMENT = 8  # extra answers for agreement, at most: each costs a whole answer

DEFAULT_MODEL = "Qwen/Qwen3-VL-4B-Instruct"
ENGINES = ("auto", "transformers", "llamacpp", "openai")
DEFAULT_QUANT = "Q4_K_M"
DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "bfloat16", "float16", "float32")
ATTENTION = ("auto", "sdpa", "eager", "flash_attention_2")
QUANTIZATION = ("none", "4bit", "8bit")
COMPILE = ("auto", "on", "off")


@dataclass(frozen=True)
class Settings:
    """How to load and run the model."""

    model: str = DEFAULT_MODEL
    engine: str = "auto"  # transformers on a CUDA GPU, llama.cpp elsewhere; or by the model
    device: str = "auto"
    dtype: str = "auto"
    gpu_headroom_gib: float = 2.0
    min_visual_tokens: int | None = None  # None: the device's default budget
    max_visual_tokens: int | None = None
    attention: str = "auto"
    quantization: str = "none"
    cache_dir: Path = dataclasses.field(default_factory=lambda: default_cache_dir())
    memory_limit_gib: float | None = None  # caps the memory the pre-load check assumes
    skip_memory_check: bool = False
    history_tokens: int | None = None  # most tokens of chat history sent; None: what fits
    # The remote engine (--engine openai): an OpenAI-compatible server such as vLLM or SGLang.
    base_url: str = ""
    api_model: str = ""  # "": the first model the server lists
    api_key_env: str = ""  # the name of the variable holding the API key, never the key
    request_timeout: float = 300.0
    # The llama.cpp engine (--engine llamacpp): a GGUF model and its vision file.
    quant: str = DEFAULT_QUANT  # which of a GGUF repo's files: Q4_K_M, Q8_0, F16, …
    mmproj: str = ""  # the vision file beside a local .gguf; "": found beside it or in the repo
    threads: int | None = None  # None: one per physical core
    # Compiled decoding (transformers): a static KV cache and a compiled decoding step.
    compile: str = "auto"  # auto: on with CUDA, once measured there; on; off
    preload: bool = False  # load (and warm up) when the app starts, not on the first question
    # Confidence (docs/confidence.md): None leaves each preset's own choice.
    abstain_below: float | None = None  # values less confident than this are handed on as null
    agreement: int | None = None  # extra sampled answers compared value by value

    def __post_init__(self) -> None:
        _check_choice("engine", self.engine, ENGINES)
        if self.engine == "openai" and not self.base_url.startswith(("http://", "https://")):
            raise ValueError(
                "--engine openai needs --base-url, the server's OpenAI API address such as "
                f"http://gpu-box:8000/v1; got {self.base_url!r}"
            )
        if self.base_url and self.engine != "openai":
            raise ValueError("--base-url is for the remote engine: add --engine openai")
        if self.mmproj and self.engine not in ("auto", "llamacpp"):
            raise ValueError("--mmproj is for the llama.cpp engine: add --engine llamacpp")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, got {self.threads}")
        if not (math.isfinite(self.request_timeout) and self.request_timeout > 0):
            raise ValueError(f"request timeout must be > 0 s, got {self.request_timeout}")
        _check_choice("device", self.device, DEVICES)
        _check_choice("compile", self.compile, COMPILE)
        _check_choice("dtype", self.dtype, DTYPES)
        _check_choice("attention", self.attention, ATTENTION)
        _check_choice("quantization", self.quantization, QUANTIZATION)
        low, high = self.min_visual_tokens, self.max_visual_tokens
        check_budget((1 if low is None else low, MAX_BUDGET if high is None else high))
        if not math.isfinite(self.gpu_headroom_gib) or self.gpu_headroom_gib < 0:
            raise ValueError(f"gpu headroom must be >= 0 GiB, got {self.gpu_headroom_gib}")
        if self.history_tokens is not None and self.history_tokens < 0:
            raise ValueError(f"history tokens must be >= 0, got {self.history_tokens}")
        if self.abstain_below is not None and not 0 <= self.abstain_below <= 1:
            raise ValueError(f"abstain below must be 0 to 1, got {self.abstain_below}")
        if self.agreement is not None and not 0 <= self.agreement <= MAX_AGREEMENT:
            raise ValueError(f"agreement must be 0 to {MAX_AGREEMENT}, got {self.agreement}")
        limit = self.memory_limit_gib
        if limit is not None and not (math.isfinite(limit) and limit > 0):
            raise ValueError(f"memory limit must be > 0 GiB, got {limit}")

    @property
    def remote(self) -> str:
        """Return the remote server's base URL, or "" for the in-process engine."""
        return self.base_url if self.engine == "openai" else ""

    def visual_budget(self, device: str) -> Budget:
        """Return the (min, max) visual tokens per image: the flags, else the device default."""
        low, high = self.min_visual_tokens, self.max_visual_tokens
        default_low, default_high = device_budget(device)
        high = max(default_high, low or 0) if high is None else high
        return check_budget((min(default_low, high) if low is None else low, high))

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (and checked again)."""
        return dataclasses.replace(self, **changes)


def default_cache_dir() -> Path:
    """Return the workbench cache: `WORKBENCH_CACHE_DIR`, else ~/.cache/workbench."""
    return Path(os.environ.get("WORKBENCH_CACHE_DIR") or Path.home() / ".cache" / "workbench")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


# flag name -> (field, type, help). The environment variable is WORKBENCH_<FIELD>.
_FLAGS: dict[str, tuple[str, type, str]] = {
    "--model": ("model", str, "hub id, local directory, or 'tiny' (random weights, offline)"),
    "--engine": (
        "engine",
        str,
        f"{', '.join(ENGINES)} (auto: transformers on a CUDA GPU, else llama.cpp; a GGUF "
        "model: llama.cpp)",
    ),
    "--device": ("device", str, f"{', '.join(DEVICES)} (auto: cuda, then mps, then cpu)"),
    "--dtype": ("dtype", str, "auto: bfloat16 (float16 on MPS and GPUs without bf16)"),
    "--gpu-headroom-gib": ("gpu_headroom_gib", float, "GPU memory left free per device"),
    "--min-visual-tokens": ("min_visual_tokens", int, "visual tokens per image, at least"),
    "--max-visual-tokens": ("max_visual_tokens", int, "visual tokens per image, at most"),
    "--attention": ("attention", str, "auto: flash_attention_2 when installed, else sdpa"),
    "--quantization": ("quantization", str, "none, 4bit or 8bit (CUDA + bitsandbytes only)"),
    "--cache-dir": ("cache_dir", Path, "where the tiny model and examples are kept"),
    "--memory-limit-gib": ("memory_limit_gib", float, "memory the pre-load check may assume"),
    "--skip-memory-check": ("skip_memory_check", bool, "load even if the model may not fit"),
    "--history-tokens": ("history_tokens", int, "chat history sent, at most (default: what fits)"),
    "--base-url": ("base_url", str, "openai engine: the server, e.g. http://gpu-box:8000/v1"),
    "--api-model": ("api_model", str, "openai engine: the model (default: the first listed)"),
    "--api-key-env": ("api_key_env", str, "openai engine: the variable holding the API key"),
    "--request-timeout": ("request_timeout", float, "openai engine: seconds to wait (300)"),
    "--quant": ("quant", str, f"llamacpp engine: a GGUF repo's quantization ({DEFAULT_QUANT})"),
    "--mmproj": ("mmproj", str, "llamacpp engine: the vision file (default: beside the model)"),
    "--threads": ("threads", int, "llamacpp engine: CPU threads (default: the physical cores)"),
    "--compile": (
        "compile",
        str,
        "transformers engine: compiled decoding, auto, on or off (auto: off until measured)",
    ),
    "--preload": ("preload", bool, "load the model as the app starts, not on the first question"),
    "--abstain-below": (
        "abstain_below",
        float,
        "confidence 0-1: values below it are returned as null (default: the preset's, else none)",
    ),
    "--agreement": (
        "agreement",
        int,
        f"extra sampled answers (0-{MAX_AGREEMENT}) compared for each value's confidence "
        "(default: the preset's, else 0)",
    ),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the settings flags to a parser; unset flags fall back to the environment."""
    group = parser.add_argument_group("model settings")
    for flag, (field, kind, help_text) in _FLAGS.items():
        if kind is bool:
            group.add_argument(flag, dest=field, action="store_true", default=None, help=help_text)
        else:
            group.add_argument(flag, dest=field, type=kind, default=None, help=help_text)


def from_environment(
    args: argparse.Namespace | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Return settings from parsed flags, then `WORKBENCH_*` variables, then defaults."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field, kind, _ in _FLAGS.values():
        flag_value = getattr(args, field, None) if args is not None else None
        env_value = environ.get(f"WORKBENCH_{field.upper()}")
        if flag_value is not None:
            values[field] = flag_value
        elif env_value:
            try:
                values[field] = _parse(kind, env_value)
            except ValueError:
                raise ValueError(
                    f"WORKBENCH_{field.upper()}={env_value!r} is not a valid {kind.__name__}"
                ) from None
    return Settings(**values)


def _parse(kind: type, text: str) -> object:
    if kind is not bool:
        return kind(text)
    if text.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if text.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)
