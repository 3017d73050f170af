"""Compiled decoding for the transformers engine: a static KV cache and a compiled decoding step.

Eager `generate` launches every kernel of every layer from Python for each token; on a GPU that,
not the arithmetic, bounds a 4B model's speed. A static cache (fixed shapes) lets the decoding
step be compiled once and, on CUDA, replayed as a CUDA graph. The prompt's prefill stays eager,
so the first token comes no later than without compiling.

Shapes decide when torch compiles again, so the cache comes in a few sizes: questions of
different lengths within one size reuse the compiled step, and the one cache of that size is
kept (its addresses too, which CUDA graphs are recorded against). If compiling fails, decoding
goes on eagerly and says why — an answer never fails for it.
"""

from __future__ import annotations

import logging
from typing import Any

import torch
from transformers import CompileConfig, StaticCache

from workbench.engines.base import one_line

log = logging.getLogger(__name__)

# Static cache sizes in tokens (prompt plus answer): the smallest that holds a question is used.
CACHE_SIZES = (2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144)


def compile_wanted(setting: str) -> bool:
    """Return whether to compile decoding for --compile auto|on|off.

    "auto" stays off on every device until compiled decoding has been measured on a GPU
    (docs/hardware.md): on the CPU it is slower than eager, and on CUDA it is unmeasured.
    """
    return setting == "on"


def cache_size(tokens: int, context_tokens: int) -> int:
    """Return the static cache size for a question of `tokens` (prompt plus answer), at most
    the model's context window."""
    for size in CACHE_SIZES:
        if size >= tokens:
            return min(size, context_tokens)
    return context_tokens


class CompiledDecoding:
    """The model's compiled decoding step, with its static cache; eager if compiling fails.

    transformers' `generate` decodes through `model.get_compiled_call(compile_config)` when the
    cache is static; this object stands in as that call, so it can catch a failed compile.
    """

    def __init__(self, model: Any) -> None:
        cuda = model.device.type == "cuda"
        # "reduce-overhead" records CUDA graphs; there are none to record on the CPU.
        self.config = CompileConfig(mode="reduce-overhead" if cuda else "default")
        self.config._compile_all_devices = True  # transformers compiles on CUDA only by default
        self._model = model
        self._eager = model.__call__
        self._compiled = torch.compile(model.__call__, **self.config.to_dict())
        self._cache: tuple[int, StaticCache] | None = None
        self.failure = ""  # why decoding is eager, once compiling failed
        model._compiled_call, model._last_compile_config = self, self.config

    def generate_kwargs(self, tokens: int) -> dict[str, Any]:
        """Return what `generate` needs to decode through the compiled step for a question of
        `tokens` (prompt plus answer): a static cache of its size (reset), and the config."""
        if self.failure:
            return {}
        context = self._model.config.get_text_config().max_position_embeddings
        size = cache_size(tokens, context)
        if self._cache is None or self._cache[0] != size:
            self._cache = None  # free the old size's memory before taking the new one's
            text_config = self._model.config.get_text_config(decoder=True)
            self._cache = size, StaticCache(config=text_config, max_cache_len=size)
        cache = self._cache[1]
        with torch.inference_mode():  # its tensors were made by `generate`, in inference mode
            cache.reset()
        return {"past_key_values": cache, "compile_config": self.config}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failure:
            try:
                return self._compiled(*args, **kwargs)
            except Exception as error:  # compiling failed: this step and the rest go eagerly
                self.failure = one_line(error)
                log.warning("compiled decoding failed, decoding eagerly: %s", self.failure)
        return self._eager(*args, **kwargs)
