"""What every engine shares: generation parameters, a streamed generation and its statistics.

An engine turns chat messages into a `Generation`: iterate it for text pieces as they are
decoded, call `stop()` to end it within one decoding step, then read `stats`. Messages are
plain chat dicts: `{"role": "system"|"user"|"assistant", "content": str | list[part]}` with
parts `{"type": "text", "text": …}` and `{"type": "image", "image": PIL.Image}`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from workbench.budget import GPU_BUDGET, Budget, check_budget
from workbench.engines.patches import Patch

Message = dict[str, Any]

# Qwen's model card defaults for Qwen3-VL-Instruct.
DEFAULT_TEMPERATURE = 0.7
DEFAULT_TOP_P = 0.8
DEFAULT_TOP_K = 20
DEFAULT_MAX_NEW_TOKENS = 1024

# The allowed (low, high) of each setting, inclusive, for GenerationParams, presets and sliders.
TEMPERATURE_RANGE = (0.0, 2.0)
TOP_P_RANGE = (0.0, 1.0)  # the low end is excluded: top_p 0 would leave no token to sample
MAX_NEW_TOKENS_RANGE = (1, 8192)
_RANGES = {
    "temperature": TEMPERATURE_RANGE,
    "top_p": TOP_P_RANGE,
    "max_new_tokens": MAX_NEW_TOKENS_RANGE,
}
_LOW_END_EXCLUDED = {"top_p"}


def out_of_range(setting: str, value: float) -> str | None:
    """Return "<value> is outside <range>" when `setting` cannot take `value`; None if it can."""
    low, high = _RANGES[setting]
    if setting in _LOW_END_EXCLUDED:
        inside, shown = low < value <= high, f"({low:g}, {high:g}]"
    else:
        inside, shown = low <= value <= high, f"{low:g} to {high:g}"
    return None if inside else f"{value} is outside {shown}"


@dataclass(frozen=True)
class GenerationParams:
    """Sampling settings for one answer; temperature 0 means greedy decoding."""

    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    top_k: int = DEFAULT_TOP_K
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    repetition_penalty: float = 1.0
    json_schema: dict[str, Any] | None = None  # constrained decoding, where the engine can
    visual_tokens: Budget | None = None  # (min, max) per image; None: the engine's default

    def __post_init__(self) -> None:
        if self.visual_tokens is not None:
            object.__setattr__(self, "visual_tokens", check_budget(self.visual_tokens))
        for setting in _RANGES:
            problem = out_of_range(setting, getattr(self, setting))
            if problem:
                raise ValueError(f"{setting} {problem}")
        if self.top_k < 0:
            raise ValueError(f"top_k {self.top_k} is below 0")
        if self.repetition_penalty <= 0:
            raise ValueError(f"repetition_penalty {self.repetition_penalty} is not above 0")

    @property
    def greedy(self) -> bool:
        """Return whether decoding picks the most likely token every step."""
        return self.temperature == 0


@dataclass
class GenerationStats:
    """Token counts and timings of one answer (seconds; rates in tokens per second)."""

    prompt_tokens: int = 0
    visual_tokens: int = 0
    generated_tokens: int = 0
    time_to_first_token: float | None = None
    total_seconds: float = 0.0
    stopped: bool = False  # ended by stop(), not by eos or the token limit
    finish_reason: str = ""  # "stop" (eos), "length", "cancelled", "error"
    constrained: bool = False  # decoding was held to the JSON schema

    @property
    def tokens_per_second(self) -> float | None:
        """Return the decoding rate after the first token, when there is one to measure."""
        if self.time_to_first_token is None or self.generated_tokens < 2:
            return None
        decoding = self.total_seconds - self.time_to_first_token
        return (self.generated_tokens - 1) / decoding if decoding > 0 else None

    def as_dict(self) -> dict[str, Any]:
        """Return the stats as plain JSON-ready data."""
        return {
            "tokens": {
                "prompt": self.prompt_tokens,
                "visual": self.visual_tokens,
                "generated": self.generated_tokens,
            },
            "timings": {
                "time_to_first_token_s": _round(self.time_to_first_token),
                "total_s": _round(self.total_seconds),
                "tokens_per_second": _round(self.tokens_per_second),
            },
            "finish_reason": self.finish_reason,
            "constrained": self.constrained,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass
class Generation:
    """A streamed answer: iterate for text pieces; `text` and `stats` fill in as it runs.

    `tokens`, once the stream ends, holds each generated token's (text, log-probability) as
    the model chose it, where the engine can tell (None where it cannot): the model's own
    confidence in what it wrote (workbench.answers.confidence).
    """

    pieces: Iterator[str]
    stop_event: threading.Event = field(default_factory=threading.Event)
    stats: GenerationStats = field(default_factory=GenerationStats)
    text: str = ""
    tokens: list[tuple[str, float]] | None = None

    def __iter__(self) -> Iterator[str]:
        try:
            for piece in self.pieces:
                self.text += piece
                yield piece
        finally:
            # A consumer that walks away (a closed UI stream) must not leave the model busy.
            self.stop_event.set()

    def stop(self) -> None:
        """Ask the engine to end this answer within one decoding step."""
        self.stop_event.set()

    def run(self) -> str:
        """Consume the whole stream and return the text."""
        for _ in self:
            pass
        return self.text


@dataclass(frozen=True)
class LoadedInfo:
    """What was loaded, for the status panel."""

    device: str
    dtype: str
    attention: str
    random_weights: bool
    patches: tuple[Patch, ...] = ()
    dtype_reason: str = ""
    visual_tokens: Budget = GPU_BUDGET  # the default budget per image on this device
    context_tokens: int = 32_768  # the most tokens the model attends to: prompt plus answer
    model: str = ""  # the model's name where the engine knows it better than the settings
    remote: str = ""  # the server's base URL, for a remote engine
    served_by: str = ""  # what the server says it is ("vllm", "sglang", …), for a remote engine
    constrains_schema: bool = True  # whether a JSON schema holds decoding to it
    compiled: str = ""  # compiled decoding: "" not asked for, "on", else why it fell back to eager


class Engine(Protocol):
    """Streams an answer for chat messages."""

    name: str
    info: LoadedInfo

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation: ...

    def count_tokens(self, text: str) -> int: ...

    def unload(self) -> None: ...


def one_line(error: BaseException) -> str:
    """Return an error as one line for a user: its type and the first line of its message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


class EngineError(RuntimeError):
    """The engine cannot answer: `reason` says why, `hint` what to do; both for a user's eyes."""

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(f"{reason} {hint}".strip())
        self.reason = reason
        self.hint = hint


class ModelLoadError(EngineError):
    """The model could not be loaded (or, remotely, its server not reached)."""


class ServerError(EngineError):
    """A remote server failed a request; `recheck` when the server itself is in doubt (down,
    stuck or failing), so that it is asked for its models again before the next question."""

    def __init__(self, reason: str, hint: str = "", recheck: bool = False) -> None:
        super().__init__(reason, hint)
        self.recheck = recheck
