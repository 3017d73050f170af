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

DEFAULT_MODEL = "Qwen/Qwen3-VL-4B-Instruct"
ENGINES = ("transformers",)
DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "bfloat16", "float16", "float32")
ATTENTION = ("auto", "sdpa", "eager", "flash_attention_2")
QUANTIZATION = ("none", "4bit", "8bit")
# One visual token covers a 32×32 pixel square (patch 16, merged 2×2).
PIXELS_PER_VISUAL_TOKEN = 32 * 32


@dataclass(frozen=True)
class Settings:
    """How to load and run the model."""

    model: str = DEFAULT_MODEL
    engine: str = "transformers"
    device: str = "auto"
    dtype: str = "auto"
    gpu_headroom_gib: float = 2.0
    min_visual_tokens: int = 256
    max_visual_tokens: int = 1280
    attention: str = "auto"
    quantization: str = "none"
    cache_dir: Path = dataclasses.field(default_factory=lambda: default_cache_dir())

    def __post_init__(self) -> None:
        _check_choice("engine", self.engine, ENGINES)
        _check_choice("device", self.device, DEVICES)
        _check_choice("dtype", self.dtype, DTYPES)
        _check_choice("attention", self.attention, ATTENTION)
        _check_choice("quantization", self.quantization, QUANTIZATION)
        if not 1 <= self.min_visual_tokens <= self.max_visual_tokens:
            raise ValueError(
                f"visual-token bounds must satisfy 1 <= min <= max, got "
                f"{self.min_visual_tokens}..{self.max_visual_tokens}"
            )
        if not math.isfinite(self.gpu_headroom_gib) or self.gpu_headroom_gib < 0:
            raise ValueError(f"gpu headroom must be >= 0 GiB, got {self.gpu_headroom_gib}")

    @property
    def image_size_bounds(self) -> dict[str, int]:
        """Return the processor's per-image pixel bounds for the visual-token bounds."""
        return {
            "shortest_edge": self.min_visual_tokens * PIXELS_PER_VISUAL_TOKEN,
            "longest_edge": self.max_visual_tokens * PIXELS_PER_VISUAL_TOKEN,
        }

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
    "--engine": ("engine", str, f"inference engine: {', '.join(ENGINES)}"),
    "--device": ("device", str, f"{', '.join(DEVICES)} (auto: cuda, then mps, then cpu)"),
    "--dtype": ("dtype", str, "auto: bfloat16 on CUDA, float16 on MPS, float32 on CPU"),
    "--gpu-headroom-gib": ("gpu_headroom_gib", float, "GPU memory left free per device"),
    "--min-visual-tokens": ("min_visual_tokens", int, "smallest visual-token budget per image"),
    "--max-visual-tokens": ("max_visual_tokens", int, "largest visual-token budget per image"),
    "--attention": ("attention", str, "auto: flash_attention_2 when installed, else sdpa"),
    "--quantization": ("quantization", str, "none, 4bit or 8bit (CUDA + bitsandbytes only)"),
    "--cache-dir": ("cache_dir", Path, "where the tiny model and examples are kept"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the settings flags to a parser; unset flags fall back to the environment."""
    group = parser.add_argument_group("model settings")
    for flag, (field, kind, help_text) in _FLAGS.items():
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
                values[field] = kind(env_value)
            except ValueError:
                raise ValueError(
                    f"WORKBENCH_{field.upper()}={env_value!r} is not a valid {kind.__name__}"
                ) from None
    return Settings(**values)
