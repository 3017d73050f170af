"""The llama.cpp engine: llama.cpp's own server inside this process, on a GGUF model + mmproj.

`xllamacpp` runs llama.cpp's C++ server (continuous batching, images, JSON-schema grammars) in
the process, on a loopback address. The remote engine talks to it as to any OpenAI-compatible
server, so streaming, Stop (closing the stream cancels the slot), `usage`, images resized for
the budget and every error message are the same code. This module picks and checks the files,
starts the server and stops it.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import openai

from workbench.engines import gguf, memory
from workbench.engines.base import (
    Generation,
    GenerationParams,
    LoadedInfo,
    Message,
    ModelLoadError,
)
from workbench.engines.choice import LLAMACPP_SLOTS, apple_silicon
from workbench.engines.openai import LLAMACPP, OpenAIEngine
from workbench.settings import Settings

log = logging.getLogger(__name__)

CONTEXT_PER_SLOT = 8192  # tokens: two 2,048-token images, the question, history and the answer
RUNTIME_GIB = 0.5  # the server, the vision encoder's buffers and Python around them
# The most visual tokens an image may have here: Qwen's upper guidance for boxes and small print.
# The server's bounds are set to it, and larger budgets are cut to it before the image is
# resized, so the tokens counted on the client are the tokens the server sees.
IMAGE_TOKENS = 2048
# llama.cpp's server copies a slot's prompt state to a host-memory cache whenever another
# conversation takes the slot, up to 8 GiB by default (the 4B keeps 0.15 MB a token: 150-300
# MB for a prompt with a 1,024-2,048-token image), so the app grew all day. Each slot still
# keeps its own conversation's state, so follow-ups reuse their prompt; the copies are off.
PROMPT_CACHE_MIB = 0


class LlamaCppEngine:
    """Streams answers from llama.cpp's server, running in this process."""

    name = "llamacpp"

    def __init__(self, server: Any, remote: OpenAIEngine, info: LoadedInfo) -> None:
        self._server = server  # the only reference: dropping it stops the server
        self._remote = remote
        self.info = info

    @classmethod
    def load(cls, settings: Settings, report: Any) -> LlamaCppEngine:
        """Find the GGUF pair, check it fits, start the server; raise ModelLoadError."""
        pair = gguf.resolve_gguf(
            settings.model,
            quant=settings.quant,
            mmproj=settings.mmproj or None,
            cache_dir=settings.cache_dir,
            report=report,
        )
        slots = LLAMACPP_SLOTS
        shape = gguf.model_shape(pair.model)
        _check_memory(settings, pair, shape, slots)
        budget = settings.visual_budget("cpu")
        budget = (min(budget[0], IMAGE_TOKENS), min(budget[1], IMAGE_TOKENS))
        report("starting llama.cpp")
        server = _start(pair, settings, slots)
        report("warming up")
        _warm_up(server)
        url = f"{server.listening_address}/v1"
        client = openai.OpenAI(base_url=url, api_key="EMPTY", timeout=settings.request_timeout)
        info = LoadedInfo(
            device="metal" if apple_silicon() else "cpu",
            dtype=gguf.quant_name(pair.model),
            attention="",
            random_weights=pair.random_weights,
            visual_tokens=budget,
            context_tokens=CONTEXT_PER_SLOT,
            model=pair.name,
            served_by=LLAMACPP,
            constrains_schema=True,
        )
        remote = OpenAIEngine(client, replace(info, remote=url))
        return cls(server, remote, info)

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation:
        """Stream an answer; Stop closes its stream and the server frees the slot."""
        if params.visual_tokens and params.visual_tokens[1] > IMAGE_TOKENS:
            low, _ = params.visual_tokens
            params = replace(params, visual_tokens=(min(low, IMAGE_TOKENS), IMAGE_TOKENS))
        return self._remote.stream(messages, params)

    def count_tokens(self, text: str) -> int:
        """Return an upper estimate of the tokens in `text` (the tokenizer is the server's)."""
        return self._remote.count_tokens(text)

    def unload(self) -> None:
        """Close the connections and stop the server (it stops when nothing refers to it)."""
        self._remote.unload()
        self._server = None


def physical_cores() -> int:
    """Return the physical cores: llama.cpp decodes fastest with one thread per core."""
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def _start(pair: gguf.GgufPair, settings: Settings, slots: int) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(pair.model)
    params.mmproj.path = str(pair.mmproj)
    params.model_alias = {pair.name}
    params.n_parallel = slots
    params.n_ctx = CONTEXT_PER_SLOT * slots  # shared by the slots
    threads = settings.threads or physical_cores()
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    # Images arrive resized for the question's budget; the server's bounds must not resize them
    # again, so they span every budget a question can have here.
    params.image_min_tokens = 1
    params.image_max_tokens = IMAGE_TOKENS
    params.port = 0  # a free port, on the loopback address
    params.verbosity = 1  # warnings and errors on stderr
    params.cache_ram_mib = PROMPT_CACHE_MIB
    try:
        return xllamacpp.Server(params)
    except RuntimeError as error:  # the reason is on stderr; the files were checked already
        raise ModelLoadError(
            f"llama.cpp could not start on {pair.name}: {error}",
            "See the log above it for llama.cpp's reason; the next question tries again.",
        ) from None


def _warm_up(server: Any) -> None:
    """Answer one token in-process: the first answer pays for paging the weights in, and
    xllamacpp (2026.10) can hang when a server that never answered is dropped."""
    request = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1}
    try:
        server.handle_chat_completions(request)
    except RuntimeError as error:  # the server runs; the first question will say what fails
        log.warning("llama.cpp warm-up failed: %s", error)


def _check_memory(settings: Settings, pair: gguf.GgufPair, shape: Any, slots: int) -> None:
    """Raise ModelLoadError when the files, KV cache and buffers would not fit in RAM."""
    if settings.skip_memory_check:
        return
    need = _need(pair, shape, CONTEXT_PER_SLOT * slots)
    refusal = memory.check_fits(
        need, memory.free_ram_gib(), settings.memory_limit_gib, "this machine", []
    )
    if refusal:
        raise ModelLoadError(*refusal)


def _need(pair: gguf.GgufPair, shape: Any, tokens: int) -> memory.MemoryNeed:
    files = sum(Path(path).stat().st_size for path in (pair.model, pair.mmproj))
    kv_bytes = 2 * shape.layers * shape.kv_heads * shape.head_dim * tokens * 2  # f16 cache
    return memory.MemoryNeed(
        gguf.quant_name(pair.model), files / memory.GIB, kv_bytes / memory.GIB, RUNTIME_GIB, tokens
    )
