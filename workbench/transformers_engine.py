"""The in-process engine: transformers' `AutoModelForImageTextToText` + `AutoProcessor`.

This module imports torch and transformers; the session imports it only when a model loads.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
import transformers
from huggingface_hub import constants
from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from workbench import patches, sizing, tiny
from workbench.budget import Budget, size_bounds
from workbench.engine import Generation, GenerationParams, LoadedInfo, Message, ModelLoadError
from workbench.patches import Patch
from workbench.settings import Settings
from workbench.strict import SchemaConstraint, strict_support

log = logging.getLogger(__name__)

Report = Callable[[str], None]


class TransformersEngine:
    """Streams answers from a model held in this process; one generation at a time."""

    name = "transformers"

    def __init__(self, model: Any, processor: Any, settings: Settings, info: LoadedInfo) -> None:
        self.model = model
        self.processor = processor
        self.settings = settings
        self.info = info
        self._worker = _Worker()
        self._constraint: SchemaConstraint | None = None
        if strict_support(self.name)[0]:
            vocab_size = model.config.get_text_config().vocab_size
            self._constraint = SchemaConstraint(processor.tokenizer, vocab_size)

    @classmethod
    def load(cls, settings: Settings, report: Report) -> TransformersEngine:
        """Load the model named in settings, reporting each stage; raise ModelLoadError."""
        return _load(settings, report)

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation:
        """Start generating on a worker thread and return the streamed answer."""
        if params.json_schema is not None and self._constraint is None:
            raise ValueError(strict_support(self.name)[1])
        started = time.perf_counter()
        inputs = self.processor_inputs(messages, params.visual_tokens or self.info.visual_tokens)
        generation = Generation(pieces=iter(()))
        stats = generation.stats
        # Counted before the move, so reading the count never waits for the device.
        stats.prompt_tokens = int(inputs["input_ids"].shape[1])
        stats.visual_tokens = int((inputs["input_ids"] == self.model.config.image_token_id).sum())
        inputs = inputs.to(self.model.device)
        input_ids = inputs["input_ids"]
        streamer = _TimedStreamer(self.processor.tokenizer)

        kwargs = dict(
            inputs,
            streamer=streamer,
            stopping_criteria=StoppingCriteriaList([_StopOnEvent(generation.stop_event)]),
            logits_processor=self._constraint(params.json_schema) if self._constraint else [],
            max_new_tokens=params.max_new_tokens,
            repetition_penalty=params.repetition_penalty,
            **_sampling(params),
        )
        failure: list[BaseException] = []

        def work() -> None:
            try:
                with torch.inference_mode():
                    output = self.model.generate(**kwargs)
                stats.stopped = generation.stop_event.is_set()
                stats.generated_tokens = int(output.shape[1] - input_ids.shape[1])
            except BaseException as error:  # reported to the consumer, never lost in a thread
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
                stats.finish_reason = "error"
                raise failure[0]
            stats.finish_reason = _finish_reason(stats, params)

        generation.pieces = pieces()
        return generation

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


class _Worker:
    """One long-lived thread that runs generations one at a time, in the order asked.

    Long-lived because torch's CPU kernels keep a pool of OpenMP threads per calling thread:
    a fresh thread per answer made a fresh pool each time, which cost up to 1.5 s per answer
    on a 2-core CPU (the pipeline then ran 1.13 × a bare `generate`).
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], None], threading.Event] | None]
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._run, name="generate", daemon=True).start()

    def submit(self, job: Callable[[], None]) -> threading.Event:
        """Queue a job; the returned event is set once it has run."""
        done = threading.Event()
        self._jobs.put((job, done))
        return done

    def close(self) -> None:
        """End the thread once the queued jobs have run."""
        self._jobs.put(None)

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, done = item
            try:
                job()
            finally:
                done.set()


def _finish_reason(stats: Any, params: GenerationParams) -> str:
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


class _StopOnEvent(StoppingCriteria):
    """Ends generation at the next decoding step once its event is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        # On the ids' device: transformers ORs this into its own flags, which live there.
        stop = self.event.is_set()
        return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)


class _TimedStreamer(TextIteratorStreamer):
    """A text streamer that notes when the first generated token arrived."""

    def __init__(self, tokenizer: Any) -> None:
        super().__init__(tokenizer, skip_prompt=True, skip_special_tokens=True)
        self.first_token_at: float | None = None

    def put(self, value: Any) -> None:
        if not self.next_tokens_are_prompt and self.first_token_at is None:
            self.first_token_at = time.perf_counter()
        super().put(value)


# ---------------------------------------------------------------- loading


def _load(settings: Settings, report: Report) -> TransformersEngine:
    applied: list[Patch] = []
    random_weights = settings.model == tiny.TINY_NAME
    if random_weights:
        report("building the tiny random model")
        source = str(tiny.ensure_tiny_model(settings.cache_dir))
    else:
        source = settings.model
        if _looks_like_path(source) and not Path(source).expanduser().is_dir():
            raise ModelLoadError(
                f"There is no model directory at {source}.",
                "Check the path, pass a hub id such as Qwen/Qwen3-VL-4B-Instruct, "
                "or use --model tiny to try the app with random weights.",
            )
        source = str(Path(source).expanduser()) if _looks_like_path(source) else source
        random_weights = tiny.is_tiny(source)

    cache_dir, patch = patches.writable_hub_cache(
        Path(constants.HF_HUB_CACHE), settings.cache_dir / "hub"
    )
    applied += [patch] if patch else []
    hub = {"cache_dir": str(cache_dir)}

    report("reading the model config")
    model_type = _model_type(source, hub)
    try:
        patches.require_transformers_for(model_type)
    except patches.IncompatibleTransformers as error:
        raise ModelLoadError(str(error)) from None

    device = sizing.resolve_device(settings.device)
    attention = sizing.resolve_attention(settings.attention, device)
    quantization = sizing.quantization_kwargs(settings.quantization, device)
    budget = settings.visual_budget(device)
    dtype, dtype_reason = sizing.resolve_dtype(settings.dtype, device)
    if not settings.skip_memory_check:
        report("checking that the model fits in memory")
        shape = sizing.model_shape(_config(source, hub))
        sizing.check_memory(settings, device, shape, dtype, budget[1])
    model_kwargs: dict[str, Any] = {"dtype": dtype, "attn_implementation": attention, **hub}
    model_kwargs.update(sizing.placement(settings, device, applied))
    model_kwargs.update(quantization)

    report("loading the processor")
    patch = patches.processor_without_video(model_type)
    applied += [patch] if patch else []
    try:
        if patch:
            processor = patches.image_only_processor_class().from_pretrained(source, **hub)
        else:
            processor = transformers.AutoProcessor.from_pretrained(source, **hub)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None

    report(f"loading the weights onto {device} ({sizing.dtype_name(dtype)})")
    try:
        model = transformers.AutoModelForImageTextToText.from_pretrained(source, **model_kwargs)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None
    model.eval()
    patch = patches.pad_token_to_eos(processor.tokenizer, model.generation_config)
    applied += [patch] if patch else []
    _check_token_ids(source, model.config, processor)

    info = LoadedInfo(
        device=device,
        dtype=sizing.dtype_name(dtype),
        attention=attention,
        random_weights=random_weights,
        patches=tuple(applied),
        dtype_reason=dtype_reason,
        visual_tokens=budget,
    )
    return TransformersEngine(model, processor, settings, info)


def _model_type(source: str, hub: dict[str, str]) -> str:
    try:
        config, _ = transformers.PretrainedConfig.get_config_dict(source, **hub)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None
    return str(config.get("model_type", ""))


def _looks_like_path(source: str) -> bool:
    # Hub ids are "name" or "namespace/name"; anything else is meant as a local directory.
    return source.startswith(("/", ".", "~")) or source.count("/") > 1 or Path(source).is_dir()


def _load_error(source: str, error: Exception) -> ModelLoadError:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if Path(source).is_dir():
        return ModelLoadError(
            f"Could not load the model in {source}: {first_line}",
            "Check that the directory holds a complete Qwen3-VL checkpoint "
            "(config.json, weights, tokenizer and preprocessor files).",
        )
    return ModelLoadError(
        f"Could not load {source!r}: it is not in the local cache and the Hugging Face hub "
        f"could not be reached ({first_line}).",
        "Offline? Pass a local model directory with --model PATH (or WORKBENCH_MODEL), "
        "or use --model tiny to try the app with random weights.",
    )


def _config(source: str, hub: dict[str, str]) -> Any:
    try:
        return transformers.AutoConfig.from_pretrained(source, **hub)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None


def _check_token_ids(source: str, config: Any, processor: Any) -> None:
    """Refuse a checkpoint whose config and tokenizer disagree on the special token ids."""
    tokenizer = processor.tokenizer
    vocab_size = config.get_text_config().vocab_size
    expected = {
        "image_token_id": "<|image_pad|>",
        "vision_start_token_id": "<|vision_start|>",
        "vision_end_token_id": "<|vision_end|>",
    }
    problems = []
    for key, token in expected.items():
        configured = getattr(config, key, None)
        if configured is None:
            continue
        actual = tokenizer.convert_tokens_to_ids(token)
        if not 0 <= configured < vocab_size:
            problems.append(f"{key} {configured} is outside the vocabulary (size {vocab_size})")
        elif actual != configured:
            problems.append(f"{key} is {configured} but the tokenizer's {token} is {actual}")
    if len(tokenizer) > vocab_size:
        problems.append(f"the tokenizer has {len(tokenizer)} tokens, the model {vocab_size}")
    if problems:
        raise ModelLoadError(
            f"The model in {source} does not match its tokenizer: " + "; ".join(problems) + ".",
            "Its config.json and tokenizer files come from different models: download the "
            "checkpoint again, or fix the ids in config.json.",
        )
