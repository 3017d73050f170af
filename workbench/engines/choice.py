"""Which engine answers, and why: `--engine auto` decides by the hardware and by the model.

With no `--model` (or `tiny`): transformers and the safetensors checkpoint on a CUDA GPU, where
its compiled bf16 path is fast; llama.cpp and the GGUF repo elsewhere (a laptop's CPU, Apple
silicon), where it decodes ~7× faster at two thirds of the memory. With a `--model`: the engine
that can read it. Nothing here imports torch: the choice is made before anything loads.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench.engines.gguf import DEFAULT_GGUF_REPO, looks_like_gguf
from workbench.settings import DEFAULT_MODEL, Settings

# llama.cpp's server decodes this many answers at once (its slots); on a laptop more slots
# share the same cores, so each answer would come slower.
LLAMACPP_SLOTS = 2


@dataclass(frozen=True)
class EngineChoice:
    """The engine that answers, the model it loads, and why (a key of the wording table)."""

    engine: str  # "transformers", "llamacpp" or "openai"
    model: str
    reason: str  # "engine.reason.*"


def choose_engine(settings: Settings) -> EngineChoice:
    """Return the engine for the settings; `auto` looks at the model, then the hardware."""
    engine, model = settings.engine, settings.model
    if engine != "auto":
        if engine == "llamacpp" and model == DEFAULT_MODEL:
            model = DEFAULT_GGUF_REPO
        return EngineChoice(engine, model, "engine.reason.asked")
    if model not in (DEFAULT_MODEL, "tiny"):
        if looks_like_gguf(model):
            return EngineChoice("llamacpp", model, "engine.reason.gguf")
        return EngineChoice("transformers", model, "engine.reason.checkpoint")
    if settings.device == "cuda" or (settings.device == "auto" and cuda_usable()):
        return EngineChoice("transformers", model, "engine.reason.cuda")
    gguf_model = DEFAULT_GGUF_REPO if model == DEFAULT_MODEL else model
    reason = "engine.reason.apple" if apple_silicon() else "engine.reason.cpu"
    return EngineChoice("llamacpp", gguf_model, reason)


def cuda_usable() -> bool:
    """Return whether torch could use a CUDA GPU, without importing it: an NVIDIA driver is
    here and the installed torch is a CUDA build."""
    if not (Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi")):
        return False
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return False
    version = Path(spec.origin).parent / "version.py"
    try:
        built = re.search(r"^cuda\b[^=]*=\s*(.+)$", version.read_text(), re.MULTILINE)
    except OSError:
        return False
    return built is not None and built.group(1).strip() != "None"


def apple_silicon() -> bool:
    """Return whether this is a Mac on Apple silicon."""
    return platform.system() == "Darwin" and platform.machine() == "arm64"
