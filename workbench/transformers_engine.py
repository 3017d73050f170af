"""The in-process engine: transformers' `AutoModelForImageTextToText` + `AutoProcessor`.

This module imports torch and transformers; the session imports it only when a model loads.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
import transformers
from huggingface_hub import constants
from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

from workbench import patches, tiny
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
        self._busy = threading.Lock()
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
        inputs = self.processor.apply_chat_template(
            messages,
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
            processor_kwargs={"size": self.settings.image_size_bounds},
        ).to(self.model.device)
        input_ids = inputs["input_ids"]
        streamer = _TimedStreamer(self.processor.tokenizer)
        generation = Generation(pieces=iter(()))
        stats = generation.stats
        stats.prompt_tokens = int(input_ids.shape[1])
        stats.visual_tokens = int((input_ids == self.model.config.image_token_id).sum())

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
                with self._busy, torch.inference_mode():
                    output = self.model.generate(**kwargs)
                stats.stopped = generation.stop_event.is_set()
                stats.generated_tokens = int(output.shape[1] - input_ids.shape[1])
            except BaseException as error:  # reported to the consumer, never lost in a thread
                failure.append(error)
                streamer.end()

        worker = threading.Thread(target=work, name="generate", daemon=True)
        worker.start()

        def pieces() -> Iterator[str]:
            for piece in streamer:
                if piece:  # the streamer yields "" until a word is complete
                    yield piece
            worker.join()
            stats.total_seconds = time.perf_counter() - started
            if streamer.first_token_at is not None:
                stats.time_to_first_token = streamer.first_token_at - started
            if failure:
                stats.finish_reason = "error"
                raise failure[0]
            stats.finish_reason = _finish_reason(stats, params)

        generation.pieces = pieces()
        return generation

    def unload(self) -> None:
        """Drop the model and free its memory."""
        self.model = None
        self.processor = None
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


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
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool)


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

    device = _resolve_device(settings.device)
    dtype = _resolve_dtype(settings.dtype, device)
    attention = _resolve_attention(settings.attention, device)
    model_kwargs: dict[str, Any] = {"dtype": dtype, "attn_implementation": attention, **hub}
    model_kwargs.update(_placement(settings, device, applied))
    model_kwargs.update(_quantization(settings.quantization, device))

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

    report(f"loading the weights onto {device} ({_dtype_name(dtype)})")
    try:
        model = transformers.AutoModelForImageTextToText.from_pretrained(source, **model_kwargs)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None
    model.eval()
    patch = patches.pad_token_to_eos(processor.tokenizer, model.generation_config)
    applied += [patch] if patch else []

    info = LoadedInfo(device, _dtype_name(dtype), attention, random_weights, tuple(applied))
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


def _resolve_device(requested: str) -> str:
    has_mps = torch.backends.mps.is_available()
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    available = {"cpu": True, "cuda": torch.cuda.is_available(), "mps": has_mps}
    if not available[requested]:
        raise ModelLoadError(
            f"Device {requested!r} was asked for but is not available here.",
            "Use --device auto (or cpu).",
        )
    return requested


def _resolve_dtype(requested: str, device: str) -> Any:
    if requested == "auto":
        requested = {"cuda": "bfloat16", "mps": "float16"}.get(device, "float32")
    return getattr(torch, requested)


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def _resolve_attention(requested: str, device: str) -> str:
    has_flash = importlib.util.find_spec("flash_attn") is not None
    if requested == "auto":
        return "flash_attention_2" if device == "cuda" and has_flash else "sdpa"
    if requested == "flash_attention_2" and not (device == "cuda" and has_flash):
        raise ModelLoadError(
            "flash_attention_2 needs a CUDA GPU and the flash-attn package.",
            "Use --attention sdpa (or auto).",
        )
    return requested


def _placement(settings: Settings, device: str, applied: list[Patch]) -> dict:
    if device != "cuda":
        return {"device_map": device}
    count = torch.cuda.device_count()
    max_memory: dict[int | str, str] = {
        index: f"{_gpu_budget_gib(index, settings.gpu_headroom_gib)}GiB" for index in range(count)
    }
    max_memory, patch = patches.drop_gpu_max_memory(max_memory, count)
    applied += [patch] if patch else []
    return {"device_map": "auto", "max_memory": max_memory}


def _gpu_budget_gib(index: int, headroom_gib: float) -> int:
    total_gib = torch.cuda.get_device_properties(index).total_memory / 2**30
    return max(1, int(total_gib - headroom_gib))


def _quantization(mode: str, device: str) -> dict[str, Any]:
    if mode == "none":
        return {}
    if device != "cuda":
        raise ModelLoadError(
            f"{mode} weights need a CUDA GPU (bitsandbytes); this device is {device}.",
            "Use --quantization none.",
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise ModelLoadError(
            f"{mode} weights need the bitsandbytes package, which is not installed.",
            "Run: pip install bitsandbytes (or use --quantization none).",
        )
    if mode == "4bit":
        config = transformers.BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_compute_dtype=torch.bfloat16
        )
    else:
        config = transformers.BitsAndBytesConfig(load_in_8bit=True)
    return {"quantization_config": config}
