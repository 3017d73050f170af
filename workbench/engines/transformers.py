"""The in-process engine: generation with transformers, streamed from a worker thread.

Loading (device, dtype, placement, processor, checks) is in `workbench.engines.loading`. This module
imports torch and transformers; the session imports it only when a model loads.
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import torch
from transformers import (
    LogitsProcessor,
    StoppingCriteria,
    StoppingCriteriaList,
    TextIteratorStreamer,
)

from workbench.budget import Budget, size_bounds
from workbench.engines.base import (
    Generation,
    GenerationParams,
    GenerationStats,
    LoadedInfo,
    Message,
)
from workbench.engines.compiled import CompiledDecoding, compile_wanted
from workbench.engines.loading import Report, load_model
from workbench.engines.strict import SchemaConstraint, strict_support
from workbench.settings import Settings


class TransformersEngine:
    """Streams answers from a model held in this process; one generation at a time."""

    name = "transformers"

    def __init__(self, model: Any, processor: Any, info: LoadedInfo, compile: bool = False) -> None:
        self.model = model
        self.processor = processor
        self._worker = _Worker()
        self._compiled = CompiledDecoding(model) if compile else None
        self._constraint: SchemaConstraint | None = None
        if strict_support(self.name).available:
            vocab_size = model.config.get_text_config().vocab_size
            self._constraint = SchemaConstraint(processor.tokenizer, vocab_size)
        self.info = replace(info, constrains_schema=self._constraint is not None)

    @classmethod
    def load(cls, settings: Settings, report: Report) -> TransformersEngine:
        """Load the model named in settings, reporting each stage; raise ModelLoadError."""
        model, processor, info = load_model(settings, report)
        engine = cls(model, processor, info, compile=compile_wanted(settings.compile))
        if engine._compiled is not None:
            report("compiling for fast decoding")
            engine.warm_up()
        elif settings.preload:  # nobody waits yet: the first pass's set-up is paid now
            report("warming up")
            engine.warm_up()
        return engine

    def warm_up(self) -> None:
        """Answer a short text question, so that kernels are ready (and the decoding step
        compiled) before a user's first question."""
        messages: list[Message] = [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]
        self.stream(messages, GenerationParams(temperature=0.0, max_new_tokens=4)).run()
        if self._compiled is not None:
            self.info = replace(self.info, compiled=self._compiled.failure or "on")

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation:
        """Start generating on a worker thread and return the streamed answer."""
        if params.json_schema is not None and self._constraint is None:
            raise ValueError(strict_support(self.name).reason)
        started = time.perf_counter()
        inputs = self.processor_inputs(messages, params.visual_tokens or self.info.visual_tokens)
        generation = Generation(pieces=iter(()))
        stats = generation.stats
        stats.constrained = params.json_schema is not None
        # Counted before the move, so reading the count never waits for the device.
        stats.prompt_tokens = int(inputs["input_ids"].shape[1])
        stats.visual_tokens = int((inputs["input_ids"] == self.model.config.image_token_id).sum())
        inputs = inputs.to(self.model.device)
        input_ids = inputs["input_ids"]
        streamer = _TimedStreamer(self.processor.tokenizer)
        # First in the list: it sees the model's own scores, before the schema's mask.
        chosen = _ChosenLogprobs()
        constraint = self._constraint(params.json_schema) if self._constraint else []

        kwargs = dict(
            inputs,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([_StopOnEvent(generation.stop_event)]),
            logits_processor=[chosen, *constraint],
            max_new_tokens=params.max_new_tokens,
            repetition_penalty=params.repetition_penalty,
            **_sampling(params),
        )
        if self._compiled is not None:
            tokens = stats.prompt_tokens + params.max_new_tokens
            kwargs.update(self._compiled.generate_kwargs(tokens))
        failure: list[BaseException] = []

        def work() -> None:
            try:
                with torch.inference_mode():
                    output = self.model.generate(**kwargs)
                stats.stopped = generation.stop_event.is_set()
                stats.generated_tokens = int(output.shape[1] - input_ids.shape[1])
                stats.finish_reason = _finish_reason(stats, params)
                new = output[0, input_ids.shape[1] :]
                generation.tokens = token_texts(self.processor.tokenizer, new, chosen.logprobs(new))
            except BaseException as error:  # reported to the consumer, never lost in a thread
                stats.finish_reason = "error"
                failure.append(error)
                streamer.end()

        finished = self._worker.submit(work)

        def pieces() -> Iterator[str]:
            for piece in streamer:
                if piece:  # the streamer yields "" until a word is complete
                    yield piece
            finished.wait()
            stats.total_seconds = time.perf_counter() - started
            if streamer.first_token_at is not None:
                stats.time_to_first_token = streamer.first_token_at - started
            if failure:
                raise failure[0]

        generation.pieces = pieces()
        return generation

    def count_tokens(self, text: str) -> int:
        """Return how many tokens the text takes in a prompt."""
        return len(self.processor.tokenizer.encode(text, add_special_tokens=False))

    def processor_inputs(self, messages: list[Message], visual_tokens: Budget) -> Any:
        """Return the model's inputs for chat messages (on the CPU), images within the budget."""
        return self.processor.apply_chat_template(
            messages,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
            processor_kwargs={"size": size_bounds(visual_tokens)},
        )

    def unload(self) -> None:
        """Drop the model and free its memory."""
        self._worker.close()
        self.model = None
        self.processor = None
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


CLOSE_WAIT_SECONDS = 10.0  # an answer still running when the model is dropped: not forever


class _Worker:
    """One long-lived thread that runs generations one at a time, in the order asked.

    Long-lived because torch's CPU kernels keep a pool of OpenMP threads per calling thread:
    a fresh thread per answer made a fresh pool each time, which cost up to 1.5 s per answer
    on a 2-core CPU (the pipeline then ran 1.13 × a bare `generate`).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], None], threading.Event] | None]
        self._jobs = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="generate", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> threading.Event:
        """Queue a job; the returned event is set once it has run."""
        done = threading.Event()
        self._jobs.put((job, done))
        return done

    def close(self, wait: float = CLOSE_WAIT_SECONDS) -> None:
        """End the thread once the queued jobs have run; wait for it up to `wait` seconds.

        Waited for, so that its OpenMP threads are gone before the process may exit: C++
        aborts ("terminate called without an active exception") when they are torn down then.
        """
        self._jobs.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join(wait)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, done = item
            try:
                job()
            finally:
                done.set()


def _finish_reason(stats: GenerationStats, params: GenerationParams) -> str:
    if stats.stopped:
        return "cancelled"
    return "length" if stats.generated_tokens >= params.max_new_tokens else "stop"


def _sampling(params: GenerationParams) -> dict[str, Any]:
    if params.greedy:
        # None clears the checkpoint's sampling defaults, which greedy decoding would warn about.
        return {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    return {
        "do_sample": True,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": params.top_k or None,
    }


class _ChosenLogprobs(LogitsProcessor):
    """Records the log-probability of each token chosen, from the scores it was chosen from.

    A processor sees step t's scores before the token is picked; the pick shows up as the last
    input id of step t + 1. So each step keeps its log-softmax (one vector, on the device) and
    gathers the previous step's pick: no copy to the CPU, no wait, until `logprobs` at the end.
    """

    def __init__(self) -> None:
        self._last: Any = None
        self._picked: list[Any] = []

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self._last is not None:
            self._picked.append(self._last.gather(-1, input_ids[:1, -1:]).view(1))
        self._last = scores[:1].float().log_softmax(-1)
        return scores

    def logprobs(self, generated: Any) -> list[float]:
        """Return the log-probability of each generated token (the last one gathered here)."""
        picked = list(self._picked)
        if self._last is not None and len(generated) > len(picked):
            picked.append(self._last.gather(-1, generated[-1:].view(1, 1)).view(1))
        return torch.cat(picked).tolist() if picked else []


def token_texts(tokenizer: Any, ids: Any, logprobs: list[float]) -> list[tuple[str, float]]:
    """Return (text, log-probability) per token, special tokens as ""; the pieces of one wide
    character (each alone decodes to "\ufffd") go together, their log-probabilities added."""
    ids = ids.tolist()[: len(logprobs)]
    single = tokenizer.batch_decode([[each] for each in ids], skip_special_tokens=True)
    pairs: list[tuple[str, float]] = []
    start = 0
    for index, text in enumerate(single):
        if "\ufffd" in text or start < index:
            whole = tokenizer.decode(ids[start : index + 1], skip_special_tokens=True)
            if whole.endswith("\ufffd") and index + 1 < len(single):
                continue  # the character is not complete yet
            text = whole
        pairs.append((text, sum(logprobs[start : index + 1])))
        start = index + 1
    return pairs


class _StopOnEvent(StoppingCriteria):
    """Ends generation at the next decoding step once its event is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self._flags: tuple[Any, Any] | None = None  # (keep going, stop) for each sequence

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        # On the ids' device: transformers ORs this into its own flags, which live there. Made
        # once, not each step: a tensor a step is a kernel launch a token on a GPU.
        if self._flags is None:
            self._flags = tuple(
                torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)
                for stop in (False, True)
            )
        return self._flags[self.event.is_set()]


class _TimedStreamer(TextIteratorStreamer):
    """A text streamer that notes when the first generated token arrived."""

    def __init__(self, tokenizer: Any) -> None:
        super().__init__(tokenizer, skip_prompt=True, skip_special_tokens=True)
        self.first_token_at: float | None = None

    def put(self, value: Any) -> None:
        if not self.next_tokens_are_prompt and self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        super().put(value)
