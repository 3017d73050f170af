"""Will the model fit? An estimate from its config, compared with the memory that is free.

The estimate is weights (parameters × bytes per element for the dtype or quantization) plus
the KV cache for the longest prompt a question can make (the visual-token bound, the text around
it and the new tokens), plus what torch and the processor need to run. Checked before loading,
so a laptop that cannot hold the model hears it from the workbench, not from the OOM killer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

GIB = 2**30
# Per stored element. bitsandbytes quantizes the linear layers; embeddings stay bfloat16.
WEIGHT_BYTES = {"float32": 4.0, "bfloat16": 2.0, "float16": 2.0, "8bit": 1.0, "4bit": 0.5}
TEXT_TOKENS = 1024  # system prompt, question and history around the image
NEW_TOKENS = 2048  # room for a long structured answer
RUNTIME_GIB = 1.0  # torch, transformers and the processor, measured idle after import
ACTIVATION_SHARE = 0.05  # prefill activations, as a share of the weights


@dataclass(frozen=True)
class ModelShape:
    """The numbers of a model's config that decide its memory."""

    parameters: int
    embedding_parameters: int  # kept in 16 bits under 8-/4-bit quantization
    layers: int
    kv_heads: int
    head_dim: int


@dataclass(frozen=True)
class MemoryNeed:
    """What a model needs, in GiB, for one way of loading it."""

    weights: str  # a dtype name, or "8bit" / "4bit"
    weights_gib: float
    kv_cache_gib: float
    runtime_gib: float
    tokens: int  # the KV cache is sized for this many

    @property
    def total_gib(self) -> float:
        """Return the whole estimate."""
        return self.weights_gib + self.kv_cache_gib + self.runtime_gib

    def describe(self) -> str:
        """Return the estimate with its parts, for a message."""
        return (
            f"about {self.total_gib:.1f} GiB (weights {self.weights_gib:.1f}, KV cache "
            f"{self.kv_cache_gib:.1f} for {self.tokens:,} tokens, runtime {self.runtime_gib:.1f})"
        )


def estimate(shape: ModelShape, weights: str, visual_tokens: int) -> MemoryNeed:
    """Return the memory a model needs with `weights` (dtype or quantization) per image bound."""
    per_element = WEIGHT_BYTES[weights]
    quantized = weights in ("8bit", "4bit")
    if quantized:
        other = shape.parameters - shape.embedding_parameters
        weight_bytes = shape.embedding_parameters * 2 + other * per_element
    else:
        weight_bytes = shape.parameters * per_element
    # Activations and the cache stay in the compute dtype: bfloat16 for quantized weights.
    compute_bytes = 2.0 if quantized else per_element
    tokens = visual_tokens + TEXT_TOKENS + NEW_TOKENS
    kv_bytes = 2 * shape.layers * shape.kv_heads * shape.head_dim * tokens * compute_bytes
    unquantized = shape.parameters * compute_bytes
    runtime = RUNTIME_GIB * GIB + ACTIVATION_SHARE * unquantized
    return MemoryNeed(weights, weight_bytes / GIB, kv_bytes / GIB, runtime / GIB, tokens)


def free_ram_gib(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """Return the RAM that can be had without swapping (MemAvailable), or None if unknown."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024 / GIB
    except (OSError, ValueError, IndexError):
        pass
    try:  # not Linux: free pages, which undercounts the reclaimable cache
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES") / GIB
    except (ValueError, OSError, AttributeError):
        return None


def fits(need: MemoryNeed, free_gib: float | None, limit_gib: float | None) -> bool:
    """Return whether the estimate fits in what is free (or capped); True when unknown."""
    available = _available(free_gib, limit_gib)
    return available is None or need.total_gib <= available


def check_fits(
    need: MemoryNeed,
    free_gib: float | None,
    limit_gib: float | None,
    where: str,
    alternatives: list[tuple[str, MemoryNeed]],
) -> tuple[str, str] | None:
    """Return (reason, hint) when the model would not fit, else None.

    `alternatives` are other ways to load it (a flag and its estimate); those that fit are named.
    """
    if fits(need, free_gib, limit_gib):
        return None
    available = _available(free_gib, limit_gib) or 0.0  # known: fits() is True otherwise
    source = "the --memory-limit-gib cap" if available == limit_gib else f"free on {where}"
    reason = (
        f"The model would not fit: in {need.weights} it needs {need.describe()}, "
        f"but {available:.1f} GiB is {source}."
    )
    fitting = [
        f"{flag} ({option.total_gib:.1f} GiB)"
        for flag, option in alternatives
        if option.total_gib <= available
    ]
    hint = f"What would fit: {'; '.join(fitting)}. " if fitting else ""
    hint += (
        "Or serve the model from a GPU machine (vLLM or SGLang), free some memory, or pass "
        "--skip-memory-check to try anyway."
    )
    return reason, hint


def _available(free_gib: float | None, limit_gib: float | None) -> float | None:
    known = [value for value in (free_gib, limit_gib) if value is not None]
    return min(known) if known else None
