"""Strict mode: JSON-Schema-constrained decoding with xgrammar, valid by construction.

xgrammar is optional. `requirements-strict.txt` installs it without its triton dependency,
which only its GPU kernels use (about 1 GB the CPU path never touches).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from typing import Any, NamedTuple

ENGINES_WITH_STRICT = ("transformers", "llamacpp", "openai")


class StrictSupport(NamedTuple):
    """Whether strict mode can be asked for here, and if not, why."""

    available: bool
    reason: str


def strict_support(engine: str) -> StrictSupport:
    """Return whether strict mode can be asked for here, and if not, why.

    The remote engine sends the schema as `response_format`; whether its server holds decoding
    to it is known once it answers (`GenerationStats.constrained`).
    """
    if engine not in ENGINES_WITH_STRICT:
        return StrictSupport(False, f"Strict decoding is not available with the {engine} engine.")
    if engine == "transformers" and importlib.util.find_spec("xgrammar") is None:
        return StrictSupport(
            False,
            "Strict decoding needs xgrammar, which is not installed: "
            "pip install --no-deps -r requirements-strict.txt",
        )
    return StrictSupport(True, "")


class SchemaConstraint:
    """Builds a fresh xgrammar logits processor per generate call, compiling each schema once."""

    def __init__(self, tokenizer: Any, vocab_size: int) -> None:
        import xgrammar

        self._xgr = xgrammar
        info = xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        self._compiler = xgrammar.GrammarCompiler(info)
        self._compiled: dict[str, Any] = {}  # schema JSON -> compiled grammar
        self._lock = threading.Lock()

    def __call__(self, schema: dict[str, Any] | None) -> list[Any]:
        """Return the logits processors that hold decoding to the schema (none without one)."""
        if schema is None:
            return []
        return [_SchemaMask(self._xgr, self._compile(json.dumps(schema, sort_keys=True)))]

    def _compile(self, schema_json: str) -> Any:
        with self._lock:
            if schema_json not in self._compiled:
                # No free whitespace: a model cannot stall inside the JSON by emitting blanks.
                self._compiled[schema_json] = self._compiler.compile_json_schema(
                    schema_json, any_whitespace=False
                )
            return self._compiled[schema_json]


class _SchemaMask:
    """A logits processor for one generate call: forbids every token the schema does not allow.

    xgrammar fills the allowed-token bitmask on the CPU; it is moved to the logits' device and
    applied there, with xgrammar's CPU kernel on a CPU and plain torch elsewhere (its CUDA
    kernel needs triton, which is not installed). xgrammar's own `contrib.hf` processor copies
    the logits to the CPU instead, which fails for devices it does not know.
    """

    def __init__(self, xgr: Any, compiled: Any) -> None:
        self._xgr = xgr
        self._matcher = xgr.GrammarMatcher(compiled)
        self._bitmask = xgr.allocate_token_bitmask(1, compiled.tokenizer_info.vocab_size)
        self._prefilled = False

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if input_ids.shape[0] != 1:
            raise ValueError("strict decoding works on one answer at a time")
        matcher = self._matcher
        if self._prefilled and not matcher.is_terminated():
            # The token chosen last step; reading it syncs with the device once per step.
            token = int(input_ids[0, -1])
            if not matcher.accept_token(token):
                raise RuntimeError(f"token {token} broke the schema grammar")
        self._prefilled = True
        if not matcher.is_terminated():
            matcher.fill_next_token_bitmask(self._bitmask, 0)
        mask = self._bitmask.to(scores.device, non_blocking=True)
        backend = "cpu" if scores.device.type == "cpu" else "torch_native"
        self._xgr.apply_token_bitmask_inplace(scores, mask, backend=backend)
        return scores
