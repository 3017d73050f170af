"""Compatibility patches, applied by the model session when it loads, never at import time.

Each patch is a named function that checks its own condition, does nothing when the condition is
off, logs one line saying why when it applies, and is safe to call twice. What applied is
returned as a `Patch`, so the session can list it in its status.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Qwen3-VL arrived in transformers 4.57; the workbench is tested on 5.x.
QWEN3_VL_MIN_TRANSFORMERS = "4.57.0"
QWEN3_VL_MODEL_TYPES = ("qwen3_vl", "qwen3_vl_moe")


@dataclass(frozen=True)
class Patch:
    """A patch that applied, and why."""

    name: str
    why: str


class IncompatibleTransformers(RuntimeError):
    """The installed transformers cannot run the requested model."""


def _applied(name: str, why: str) -> Patch:
    log.info("patch %s: %s", name, why)
    return Patch(name, why)


def require_transformers_for(model_type: str, installed: str | None = None) -> None:
    """Raise a clear error when transformers is too old to know Qwen3-VL."""
    if model_type not in QWEN3_VL_MODEL_TYPES:
        return
    from packaging.version import Version

    if installed is None:
        import transformers

        installed = transformers.__version__
    if Version(installed) < Version(QWEN3_VL_MIN_TRANSFORMERS):
        raise IncompatibleTransformers(
            f"transformers {installed} does not know Qwen3-VL ({model_type}); it needs "
            f"transformers >= {QWEN3_VL_MIN_TRANSFORMERS}. Run: pip install -r requirements.txt"
        )


@functools.cache
def torchvision_works() -> bool:
    """Return whether torchvision imports (a wheel built for another torch fails on import)."""
    try:
        import torchvision  # noqa: F401
    except Exception:  # ImportError, or RuntimeError "operator torchvision::nms does not exist"
        return False
    return True


def processor_without_video(model_type: str, has_torchvision: bool | None = None) -> Patch | None:
    """Return a patch when Qwen3-VL's processor must be built without its video processor."""
    if model_type not in QWEN3_VL_MODEL_TYPES:
        return None
    if has_torchvision is None:
        has_torchvision = torchvision_works()
    if has_torchvision:
        return None
    return _applied(
        "processor_without_video",
        "torchvision is missing, and transformers builds Qwen3-VL's video processor with it: "
        "images work, video input is refused",
    )


@functools.cache
def image_only_processor_class() -> type:
    """Return a Qwen3-VL processor class that has no video processor and refuses video."""
    from transformers import Qwen3VLProcessor

    class ImageOnlyQwen3VLProcessor(Qwen3VLProcessor):
        # ProcessorMixin reads its sub-processors from this signature: no video_processor here.
        def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
            super().__init__(
                image_processor, tokenizer, None, chat_template=chat_template, **kwargs
            )

        def __call__(self, images=None, text=None, videos=None, **kwargs):
            if videos is not None:
                raise ValueError(
                    "Video input needs torchvision, which is not installed (or does not match "
                    "torch). Send images, or install a torchvision built for this torch."
                )
            return super().__call__(images=images, text=text, **kwargs)

    return ImageOnlyQwen3VLProcessor


def writable_hub_cache(hub_cache: Path, fallback: Path) -> tuple[Path, Patch | None]:
    """Return a hub cache directory that can be written: `hub_cache`, else `fallback`."""
    if _writable(hub_cache):
        return hub_cache, None
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback, _applied(
        "writable_hub_cache", f"hub cache {hub_cache} is not writable; using {fallback}"
    )


def _writable(directory: Path) -> bool:
    # os.access says yes to root on read-only mounts, so actually try to write.
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


def pad_token_to_eos(tokenizer: Any, generation_config: Any) -> Patch | None:
    """Set the pad token to eos when the tokenizer or generation config has none."""
    if tokenizer.pad_token_id is not None and generation_config.pad_token_id is not None:
        return None
    eos = tokenizer.eos_token
    if eos is None:
        return None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = eos
    if generation_config.pad_token_id is None:
        generation_config.pad_token_id = tokenizer.pad_token_id
    return _applied("pad_token_to_eos", f"no pad token; using eos {eos!r}")
