"""What the tests share: scripted answers, two stand-in sessions, the CJK font marker, and how a
domain check's case is written (tests/test_checks_*.py).

Nothing here imports torch, transformers or gradio, so a pure test may use any of it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from workbench.answers.checks import CheckResult
from workbench.engines.base import Generation, GenerationParams, LoadedInfo
from workbench.examples import _common
from workbench.session import Status
from workbench.settings import Settings

# The examples that draw Chinese are left out where no CJK font is installed; CI installs one.
HAS_CJK_FONT = _common.cjk_font_path() is not None
CJK_EXAMPLES = frozenset({"vat_invoice_hangzhou"})
needs_cjk_font = pytest.mark.skipif(
    not HAS_CJK_FONT, reason=f"the Chinese VAT invoice example is left out: {_common.no_cjk_font()}"
)


def example_params(names: Iterable[str]) -> list[Any]:
    """Return example names for `parametrize`, those that need a CJK font marked so."""
    return [
        pytest.param(name, marks=needs_cjk_font) if name in CJK_EXAMPLES else name for name in names
    ]


def scripted_generation(pieces: Iterable[str], pause: float = 0.0) -> Generation:
    """Return a generation that yields these pieces and, like an engine, honours stop().

    `pause` seconds pass before each piece, so a test can stop an answer half-way.
    """
    generation = Generation(pieces=iter(()))

    def honouring() -> Iterator[str]:
        for piece in pieces:
            if generation.stop_event.is_set():
                generation.stats.stopped = True
                generation.stats.finish_reason = "cancelled"
                return
            if pause:
                time.sleep(pause)
            yield piece

    generation.pieces = honouring()
    return generation


class ScriptedSession:
    """A stand-in session that answers with scripted texts, one a turn, and records what it
    was sent (`sent`, and the last `params`)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.sent: list[list[dict]] = []
        self.params: GenerationParams | None = None

    def stream(self, messages: list[dict], params: GenerationParams) -> Generation:
        self.sent.append(messages)
        self.params = params
        text = self.answers.pop(0)
        # In two pieces, as a streamed answer comes.
        generation = scripted_generation([text[: len(text) // 2], text[len(text) // 2 :]])
        generation.stats.generated_tokens = len(text)
        generation.stats.finish_reason = "stop"
        return generation


class RecordingSession:
    """A stand-in model session, already loaded, that answers from a script and records.

    It counts a word as a token; `stopped` makes the engine report each answer as ended by Stop.
    """

    def __init__(
        self,
        *answers: str,
        stopped: bool = False,
        context_tokens: int = 32_768,
        visual_tokens: tuple[int, int] = (256, 384),
    ) -> None:
        self.answers = list(answers)
        self.stopped = stopped
        self.sent: list[list[dict[str, Any]]] = []
        self.settings = Settings(model="tiny", engine="transformers")
        self.status = Status("ready", "tiny", device="cpu", visual_tokens=visual_tokens)
        self.loaded = True
        self.context_tokens = context_tokens
        self.visual_tokens = visual_tokens

    def loading(self) -> Iterator[Status]:
        """Yield nothing: the model is loaded."""
        yield from ()

    def get(self) -> RecordingSession:
        return self

    @property
    def info(self) -> LoadedInfo:
        return LoadedInfo(
            "cpu", "float32", "sdpa", random_weights=True, visual_tokens=self.visual_tokens
        )

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages: list[dict[str, Any]], params: GenerationParams) -> Generation:
        self.sent.append(messages)
        text = self.answers.pop(0) if self.answers else "An answer."
        generation = Generation(pieces=iter([text] if text else []))
        generation.stats.generated_tokens = len(text.split())
        generation.stats.stopped = self.stopped
        generation.stats.finish_reason = "cancelled" if self.stopped else "stop"
        return generation


# --- domain checks: a case, and what a check says about it ------------------------------------

Check = Callable[[Any], list[CheckResult]]
# (id, check, answer, ok, English, Chinese): what the check says about the answer.
Said = tuple[str, Check, Any, bool, str, str]
# (id, check, answer): the check has nothing to check and says nothing.
Quiet = tuple[str, Check, Any]


def check_name(check: Check) -> str:
    """Return the name a check's results carry: its function's name."""
    return getattr(check, "func", check).__name__


def worded(results: list[CheckResult]) -> list[tuple[str, bool, str, str]]:
    """Return (name, ok, English, Chinese) for each result; .detail is the English."""
    assert all(result.detail == result.text() == result.text("en") for result in results)
    return [(result.name, result.ok, result.detail, result.text("zh")) for result in results]


def said_params(cases: list[Said]) -> list[Any]:
    """Return (check, answer, ok, English, Chinese) params, each named "check: case"."""
    return [pytest.param(*case[1:], id=f"{check_name(case[1])}: {case[0]}") for case in cases]


def quiet_params(cases: list[Quiet]) -> list[Any]:
    """Return (check, answer) params, each named "check: case"."""
    return [pytest.param(*case[1:], id=f"{check_name(case[1])}: {case[0]}") for case in cases]


# --- an engine that says how sure it was: known values at known token probabilities ----------

Spoken = str | tuple[str, float]  # plain text (probability 0.99), or (text, its probability)


def spoken(parts: Iterable[Spoken]) -> tuple[str, list[tuple[str, float]]]:
    """Return the text and the (token, log-probability) pairs of scripted parts: each part is a
    token, plain text at probability 0.99, a (text, probability) pair at that probability."""
    tokens = [(part, 0.99) if isinstance(part, str) else part for part in parts]
    return "".join(text for text, _ in tokens), [(t, math.log(p)) for t, p in tokens]


class ProbableSession(RecordingSession):
    """A RecordingSession whose answers come with their tokens' log-probabilities, as an engine
    that reports them does; each answer is a list of `Spoken` parts."""

    def __init__(self, *answers: list[Spoken], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spoken = [spoken(parts) for parts in answers]
        self.params: list[GenerationParams] = []

    def stream(self, messages: list[dict[str, Any]], params: GenerationParams) -> Generation:
        self.sent.append(messages)
        self.params.append(params)
        text, tokens = self.spoken.pop(0)
        generation = Generation(pieces=iter([text]))
        generation.tokens = tokens
        generation.stats.generated_tokens = len(tokens)
        generation.stats.finish_reason = "stop"
        return generation
