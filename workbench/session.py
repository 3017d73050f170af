"""The one process-wide model session: loads the engine lazily, once, and reports its status."""

from __future__ import annotations

import contextlib
import logging
import re
import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

from workbench.budget import Budget
from workbench.engines.base import (
    Engine,
    Generation,
    GenerationParams,
    GenerationStats,
    Message,
    ModelLoadError,
    ServerError,
)
from workbench.engines.choice import choose_engine
from workbench.engines.patches import Patch
from workbench.messages import WORDING, ui_language, word
from workbench.settings import Settings

Report = Callable[[str], None]

log = logging.getLogger(__name__)

State = Literal["idle", "loading", "ready", "failed"]
RANDOM_WEIGHTS_WARNING = word("session.random_weights", "en")


def random_weights_warning(language: str = "en") -> str:
    """Return the warning that tiny's answers are noise, in "en" or "zh" (else English)."""
    return word("session.random_weights", ui_language(language))


def _stage_pattern(english: str) -> re.Pattern[str]:
    """Return a pattern matching a stage's English wording, each {fact} a named group."""
    parts = []
    for literal, fact, _, _ in string.Formatter().parse(english):
        parts.append(re.escape(literal))
        if fact is not None:
            parts.append(f"(?P<{fact}>.+?)")
    return re.compile("".join(parts) + r"\Z")


def _literal_length(english: str) -> int:
    return sum(len(literal) for literal, *_ in string.Formatter().parse(english))


# The loading stages, by the English that the engines report ("loading the weights onto cpu
# (bfloat16)", "downloading x: 1.2 of 8.9 GB · …"), the most words first: "downloading {file}"
# would otherwise take a whole progress line as its file name.
_STAGES = [
    (_stage_pattern(WORDING[key].en), key)
    for key in sorted(
        (key for key in WORDING if key.startswith("session.stage.")),
        key=lambda key: -_literal_length(WORDING[key].en),
    )
]


def _stage(stage: str, language: str) -> str:
    """Return a reported stage in `language`, its facts (a device, a file, bytes) as they are;
    a stage the table does not know is shown as it is."""
    for pattern, key in _STAGES:
        found = pattern.match(stage)
        if found:
            return word(key, language, **found.groupdict())
    return stage


@dataclass(frozen=True)
class Status:
    """What the session is doing, for a status line."""

    state: State
    model: str
    stage: str = ""
    device: str = ""
    dtype: str = ""
    dtype_reason: str = ""
    visual_tokens: Budget | None = None  # the default budget per image
    load_seconds: float | None = None
    patches: tuple[Patch, ...] = ()
    random_weights: bool = False
    error: str = ""
    hint: str = ""
    remote: str = ""  # the server's base URL, for the remote engine
    served_by: str = ""  # what the remote server says it is
    constrains_schema: bool = True  # whether strict mode holds decoding to the schema
    engine: str = ""  # "transformers", "llamacpp" or "openai"
    engine_reason: str = ""  # why that engine: a key of the wording table ("engine.reason.*")
    compiled: str = ""  # compiled decoding: "" not asked for, "on", else why it fell back

    def summary(self, language: str = "en") -> str:
        """Return a short line for a client's eyes: what the model is doing, in plain words."""
        language = ui_language(language)
        if self.remote:
            return self._remote_summary(language)
        if self.state == "idle":
            return word("session.idle", language, model=self.model)
        if self.state == "loading":
            stage = _stage(self.stage, language)
            return word("session.loading", language, model=self.model, stage=stage)
        if self.state == "failed":
            facts = {"model": self.model, "error": self.error, "hint": self.hint}
            return word("session.failed", language, **facts).strip()
        where = (
            word("session.cpu", language)
            if self.device == "cpu"
            else word("session.gpu", language, device=self.device)
        )
        if self.engine == "llamacpp":
            where = word("session.llamacpp", language, where=where)
        seconds = self.load_seconds
        line = word("session.ready", language, model=self.model, where=where, seconds=seconds)
        return line + self._warning(language)

    def _remote_summary(self, language: str) -> str:
        if self.state == "failed":
            facts = {"remote": self.remote, "error": self.error, "hint": self.hint}
            return word("session.remote.failed", language, **facts).strip()
        facts = {"remote": self.remote, "model": self.model}
        return word(f"session.remote.{self.state}", language, **facts) + self._warning(language)

    def _warning(self, language: str) -> str:
        """Return " · ⚠ random weights…" for a ready model with random weights, else ""."""
        if self.state != "ready" or not self.random_weights:
            return ""
        return word("session.warning", language, warning=random_weights_warning(language))

    def details(self, language: str = "en") -> str:
        """Return what sits behind the summary: dtype and why, image budget, patches."""
        if self.state != "ready":
            return ""
        language = ui_language(language)
        if self.remote:
            return self._remote_details(language)
        parts = [
            word("session.dtype_reason", language, dtype=self.dtype, reason=self.dtype_reason)
            if self.dtype_reason
            else self.dtype
        ]
        if self.visual_tokens:
            parts.append(word("session.images", language, most=self.visual_tokens[1]))
        if self.patches:
            names = ", ".join(patch.name for patch in self.patches)
            parts.append(word("session.patches", language, names=names))
        if self.compiled:
            parts.append(self._compiled_line(language))
        if self.engine_reason:
            parts.append(self.engine_line(language))
        return word("separator.sentence", language).join(parts)

    def _compiled_line(self, language: str) -> str:
        if self.compiled == "on":
            return word("session.compiled", language)
        return word("session.compile_failed", language, reason=self.compiled)

    def engine_line(self, language: str = "en") -> str:
        """Return which engine answers and why ("engine: llamacpp, no CUDA GPU: …")."""
        reason = word(self.engine_reason, language)
        return word("session.engine", language, engine=self.engine, reason=reason)

    def _remote_details(self, language: str) -> str:
        schema = "session.schema.held" if self.constrains_schema else "session.schema.ignored"
        return word(
            "session.remote.details",
            language,
            served=self.served_by or "?",
            schema=word(schema, language),
            most=self.visual_tokens[1] if self.visual_tokens else 0,
        )

    def describe(self) -> str:
        """Return one line of plain text for a log or the command line."""
        if self.remote:
            return self._remote_summary("en")
        if self.state == "idle":
            return f"{self.model}: not loaded yet (loads on the first question)"
        if self.state == "loading":
            return f"{self.model}: loading, {self.stage}…"
        if self.state == "failed":
            return f"{self.model}: failed to load. {self.error} {self.hint}".strip()
        line = f"{self.model}: ready on {self.device} in {self.dtype}"
        line += f" ({self.dtype_reason})" if self.dtype_reason else ""
        if self.visual_tokens:
            line += f", images up to {self.visual_tokens[1]:,} visual tokens"
        line += f", loaded in {self.load_seconds:.1f} s"
        if self.patches:
            line += "; patches: " + ", ".join(patch.name for patch in self.patches)
        if self.compiled:
            line += f"; {self._compiled_line('en')}"
        if self.engine_reason:
            line += f"; {self.engine_line()}"
        if self.random_weights:
            line += f". ⚠ {RANDOM_WEIGHTS_WARNING}"
        return line


class ModelSession:
    """Owns the engine: `get()` loads it once behind a lock; a failed load can be retried."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()  # held for a whole load
        self._changed = threading.Condition()  # notified on every status change
        self._engine: Engine | None = None
        self._status = _idle(settings)
        self.load_count = 0  # how many loads were attempted, for tests and the status panel
        self._prefill_rate: float | None = None

    @property
    def settings(self) -> Settings:
        """Return the settings the next load will use."""
        return self._settings

    @property
    def status(self) -> Status:
        """Return the current status (an immutable snapshot)."""
        return self._status

    @property
    def loaded(self) -> bool:
        """Return whether a model is loaded."""
        return self._engine is not None

    def get(self) -> Engine:
        """Return the engine, loading it first if needed; raise ModelLoadError on failure."""
        engine = self._engine
        if engine is not None:
            return engine
        with self._lock:
            if self._engine is None:
                self._engine = self._load()
            return self._engine

    def loading(self, poll_seconds: float = 0.3) -> Iterator[Status]:
        """Load the model on a worker thread if needed, yielding its status until it is loaded.

        Yields nothing when the model is already loaded. Otherwise yields the status when the
        load has begun, whenever it changes and at least every `poll_seconds`, and last the
        status the load ended in ("ready" or "failed"); then raises ModelLoadError if it failed.
        Concurrent callers share one load, as with `get()`.
        """
        if not poll_seconds > 0:
            raise ValueError(f"poll_seconds must be > 0, got {poll_seconds}")
        if self.loaded:
            return
        done = threading.Event()
        failure: list[BaseException] = []

        def load() -> None:
            try:
                self.get()
            except BaseException as error:  # handed to the caller, never lost in the thread
                failure.append(error)
            finally:
                with self._changed:
                    done.set()
                    self._changed.notify_all()

        # A status left from before (idle, or a failed earlier load) is not worth showing:
        # the first one yielded is the new load's, unless it has not begun within a poll.
        shown: Status | None = self._status if self._status.state != "loading" else None
        threading.Thread(target=load, name="load-model", daemon=True).start()
        while not done.is_set():
            self._wait_for_change(shown, done, poll_seconds)
            if not done.is_set():
                shown = self._status
                yield shown
        if self._status is not shown:
            yield self._status
        if failure:
            raise failure[0]

    def preload(self) -> None:
        """Start loading on a background thread; a failure shows in the status, raises nothing."""

        def load() -> None:
            with contextlib.suppress(ModelLoadError):
                self.get()

        threading.Thread(target=load, name="preload-model", daemon=True).start()

    @property
    def prefill_rate(self) -> float | None:
        """Return prompt tokens per second before the first word, as last measured with an image."""
        return self._prefill_rate

    def count_tokens(self, text: str) -> int:
        """Return how many tokens the text takes in a prompt (loading the model if needed)."""
        return self.get().count_tokens(text)

    @property
    def context_tokens(self) -> int:
        """Return the model's context window in tokens (loading the model if needed)."""
        return self.get().info.context_tokens

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation:
        """Return a streamed answer from the engine (loading it first if needed).

        A remote server that is down or failing is dropped with the error as the status: the
        next question asks it for its models afresh (and says so, if it still cannot).
        """
        engine = self.get()
        generation = engine.stream(messages, params)
        pieces = generation.pieces

        def measured() -> Iterator[str]:
            try:
                yield from pieces
            except ServerError as error:
                if error.recheck:
                    self._lose(engine, error)
                raise
            self._note_prefill(generation.stats)

        generation.pieces = measured()
        return generation

    def _note_prefill(self, stats: GenerationStats) -> None:
        if stats.visual_tokens and stats.time_to_first_token:
            self._prefill_rate = stats.prompt_tokens / stats.time_to_first_token

    def switch(self, settings: Settings) -> None:
        """Unload the current model; the next `get()` loads with the new settings."""
        with self._lock:
            self._drop()
            self._settings = settings
            self._set_status(_idle(settings))

    def unload(self) -> None:
        """Free the model; the next `get()` loads it again."""
        with self._lock:
            self._drop()
            self._set_status(_idle(self._settings))

    def _lose(self, engine: Engine, error: ServerError) -> None:
        """Forget an engine whose server went away; other streams on it end on their own."""
        with self._lock:
            if self._engine is engine:
                self._engine = None
                self._fail(error.reason, error.hint)

    def _drop(self) -> None:
        if self._engine is not None:
            self._engine.unload()
            self._engine = None

    def _wait_for_change(self, shown: Status | None, done: threading.Event, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: done.is_set() or self._status is not shown, timeout)

    def _set_status(self, status: Status) -> None:
        with self._changed:
            self._status = status
            self._changed.notify_all()

    def _load(self) -> Engine:
        settings = self._settings
        self.load_count += 1
        started = time.perf_counter()

        idle = _idle(settings)

        def report(stage: str) -> None:
            log.info("loading %s: %s", settings.model, stage)
            self._set_status(replace(idle, state="loading", stage=stage))

        try:
            engine = _load_engine(settings, report)
        except ModelLoadError as error:
            self._fail(error.reason, error.hint)
            raise
        except Exception as error:  # anything else is still a failed load, not a dead app
            log.exception("loading %s failed", settings.model)
            self._fail(f"{type(error).__name__}: {error}", "See the server log for details.")
            raise ModelLoadError(self._status.error, self._status.hint) from error
        info = engine.info
        ready = replace(
            idle,
            state="ready",
            model=info.model or idle.model,
            device=info.device,
            dtype=info.dtype,
            dtype_reason=info.dtype_reason,
            visual_tokens=info.visual_tokens,
            load_seconds=time.perf_counter() - started,
            patches=info.patches,
            random_weights=info.random_weights,
            remote=info.remote,
            served_by=info.served_by,
            constrains_schema=info.constrains_schema,
            compiled=info.compiled,
        )
        self._set_status(ready)
        log.info("%s", ready.describe())
        return engine

    def _fail(self, reason: str, hint: str) -> None:
        failed = replace(_idle(self._settings), state="failed", error=reason, hint=hint)
        self._set_status(failed)
        log.warning("%s", self._status.describe())


def _idle(settings: Settings) -> Status:
    choice = choose_engine(settings)
    return Status(
        "idle",
        choice.model,
        remote=settings.remote,
        engine=choice.engine,
        engine_reason=choice.reason,
    )


def _load_engine(settings: Settings, report: Report) -> Engine:
    """Return the engine for the settings, loaded; the only place the heavy imports start."""
    choice = choose_engine(settings)
    if choice.engine == "openai":  # no torch: a laptop can drive a GPU server
        from workbench.engines.openai import OpenAIEngine

        return OpenAIEngine.load(settings, report)
    if choice.engine == "llamacpp":  # no torch either, unless the tiny GGUF must be built
        from workbench.engines.llamacpp import LlamaCppEngine

        return LlamaCppEngine.load(settings.replace(model=choice.model), report)
    report("importing torch and transformers")
    from workbench.engines.transformers import TransformersEngine

    return TransformersEngine.load(settings, report)
