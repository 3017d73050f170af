"""Loading a model in this process: device, dtype, placement, processor, weights, checks.

Every failure a user can cause or fix (a wrong path, no network, a model that does not fit, a
config that disagrees with its tokenizer) comes out as a `ModelLoadError` saying what to do.
A hub id is downloaded into the hub cache first (`download`: progress, resume) and loaded from
there, so transformers never downloads out of sight.
This module imports torch and transformers; the session imports it only when a model loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import transformers
from huggingface_hub import constants

from workbench.engines import download, patches, sizing, tiny
from workbench.engines.base import LoadedInfo, ModelLoadError
from workbench.engines.patches import Patch
from workbench.settings import Settings

Report = Callable[[str], None]


def load_model(settings: Settings, report: Report) -> tuple[Any, Any, LoadedInfo]:
    """Return the model, its processor and what was loaded, reporting each stage."""
    applied: list[Patch] = []
    source, random_weights = _source(settings, report)
    cache_dir, patch = patches.writable_hub_cache(
        Path(constants.HF_HUB_CACHE), settings.cache_dir / "hub"
    )
    applied += [patch] if patch else []
    hub = {"cache_dir": str(cache_dir)}
    if not Path(source).is_dir():  # a hub id: its files come into the cache first, watched
        source = str(download.fetch_checkpoint(source, hub_cache=cache_dir, report=report).folder)
        random_weights = tiny.is_tiny(source)

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
    model_kwargs.update(sizing.placement(settings, device))
    model_kwargs.update(quantization)

    report("loading the processor")
    patch = patches.processor_without_video(model_type)
    applied += [patch] if patch else []
    processor = _processor(source, hub, image_only=patch is not None)

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
        context_tokens=_context_tokens(model.config),
    )
    return model, processor, info


def _context_tokens(config: Any) -> int:
    """Return the model's context window from its (text) config."""
    text = getattr(config, "text_config", config)
    return int(text.max_position_embeddings)


def _source(settings: Settings, report: Report) -> tuple[str, bool]:
    """Return where to load from (a hub id or a directory), and whether its weights are random."""
    if settings.model == tiny.TINY_NAME:
        report("building the tiny random model")
        return str(tiny.ensure_tiny_model(settings.cache_dir)), True
    source = settings.model
    if not _looks_like_path(source):
        return source, False
    directory = Path(source).expanduser()
    if not directory.is_dir():
        raise ModelLoadError(
            f"There is no model directory at {source}.",
            "Check the path, pass a hub id such as Qwen/Qwen3-VL-4B-Instruct, "
            "or use --model tiny to try the app with random weights.",
        )
    return str(directory), tiny.is_tiny(str(directory))


def _processor(source: str, hub: dict[str, str], image_only: bool) -> Any:
    try:
        if image_only:
            return patches.image_only_processor_class().from_pretrained(source, **hub)
        return transformers.AutoProcessor.from_pretrained(source, **hub)
    except (OSError, ValueError) as error:
        raise _load_error(source, error) from None


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
