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

from workbench import memory, patches, tiny
from workbench.budget import size_bounds
from workbench.engine import Generation, GenerationParams, LoadedInfo, Message, ModelLoadError
from workbench.patches import Patch
from workbench.settings import Settings
from workbench.strict import SchemaConstraint, strict_support

MODEL_CONFIGS = Path(__file__).resolve().parent / "model_configs"
SMALLER_MODEL = "Qwen/Qwen3-VL-2B-Instruct"

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
            processor_kwargs={"size": size_bounds(params.visual_tokens or self.info.visual_tokens)},
        )
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

    device = _resolve_device(settings.device)
    budget = settings.visual_budget(device)
    shape = model_shape(_config(source, hub))
    free_gib = _free_memory_gib(settings, device)
    dtype, dtype_reason = _resolve_dtype(settings.dtype, device, shape, budget[1], free_gib)
    if not settings.skip_memory_check:
        report("checking that the model fits in memory")
        _check_memory(settings, device, shape, dtype, budget[1], free_gib)
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
    _check_token_ids(source, model.config, processor)

    info = LoadedInfo(
        device=device,
        dtype=_dtype_name(dtype),
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


def _resolve_dtype(
    requested: str,
    device: str,
    shape: memory.ModelShape,
    visual_tokens: int,
    free_gib: float | None,
) -> tuple[Any, str]:
    """Return the dtype to load in, and why it was chosen."""
    if requested != "auto":
        return getattr(torch, requested), "as asked (--dtype)"
    if device == "cuda":
        if torch.cuda.is_bf16_supported():
            return torch.bfloat16, "auto: the GPU computes in bfloat16"
        return torch.float16, "auto: this GPU has no bfloat16 (compute capability below 8.0)"
    if device == "mps":
        return torch.float16, "auto: float16 on Apple GPUs"
    native = cpu_bf16_feature()
    if native:
        return torch.bfloat16, f"auto: the CPU computes bfloat16 natively ({native})"
    # Without native bf16, float32 prefills faster (bench model); bfloat16 halves the memory.
    need = memory.estimate(shape, "float32", visual_tokens)
    if free_gib is not None and need.total_gib > free_gib:
        return torch.bfloat16, "auto: float32 would not fit in memory; bfloat16 halves it"
    return torch.float32, "auto: this CPU has no native bfloat16, so float32 is faster"


def cpu_bf16_feature() -> str | None:
    """Return the CPU feature that computes bfloat16 natively (AMX, AVX512-BF16), if any."""
    cpu = torch.cpu
    if getattr(cpu, "_is_amx_tile_supported", lambda: False)():
        return "AMX"
    if getattr(cpu, "_is_avx512_bf16_supported", lambda: False)():
        return "AVX512-BF16"
    return None


def _config(source: str, hub: dict[str, str]) -> Any:
    try:
        return transformers.AutoConfig.from_pretrained(source, **hub)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None


def model_shape(config: Any) -> memory.ModelShape:
    """Return the parameter counts and cache dimensions of a config, built on the meta device."""
    with torch.device("meta"):  # no memory, no initialisation: only the shapes
        model = transformers.AutoModelForImageTextToText.from_config(config)
    text = config.get_text_config()
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    return memory.ModelShape(
        parameters=sum(parameter.numel() for parameter in model.parameters()),
        embedding_parameters=model.get_input_embeddings().weight.numel(),
        layers=text.num_hidden_layers,
        kv_heads=getattr(text, "num_key_value_heads", None) or text.num_attention_heads,
        head_dim=head_dim,
    )


def _free_memory_gib(settings: Settings, device: str) -> float | None:
    """Return the memory free where the weights go: VRAM less headroom on CUDA, else RAM."""
    if device != "cuda":
        return memory.free_ram_gib()
    free = 0.0
    for index in range(torch.cuda.device_count()):
        available, total = torch.cuda.mem_get_info(index)
        free += min(available, total - settings.gpu_headroom_gib * memory.GIB) / memory.GIB
    return max(free, 0.0)


def _check_memory(
    settings: Settings,
    device: str,
    shape: memory.ModelShape,
    dtype: Any,
    visual_tokens: int,
    free_gib: float | None,
) -> None:
    weights = settings.quantization if settings.quantization != "none" else _dtype_name(dtype)
    need = memory.estimate(shape, weights, visual_tokens)
    alternatives = [
        (f"--dtype {name}", memory.estimate(shape, name, visual_tokens))
        for name in ("bfloat16",)
        if name != weights
    ]
    if device == "cuda":
        alternatives += [
            (
                f"--quantization {mode} (needs bitsandbytes)",
                memory.estimate(shape, mode, visual_tokens),
            )
            for mode in ("8bit", "4bit")
            if mode != weights
        ]
    smaller = model_shape(
        transformers.AutoConfig.from_pretrained(str(MODEL_CONFIGS / "qwen3-vl-2b-instruct.json"))
    )
    if smaller.parameters < shape.parameters:
        alternatives.append(
            (
                f"--model {SMALLER_MODEL} --dtype bfloat16",
                memory.estimate(smaller, "bfloat16", visual_tokens),
            )
        )
    where = "the GPU" if device == "cuda" else "this machine"
    refusal = memory.check_fits(need, free_gib, settings.memory_limit_gib, where, alternatives)
    if refusal:
        raise ModelLoadError(*refusal)


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
        actual = tokenizer.convert_tokens_to_ids(token)
        if configured is None:
            continue
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
