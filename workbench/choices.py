"""What a question is asked with, decided in one place for the tabs, `ask`, batches and eval:
a preset's generation defaults, strict decoding, the visual-token budget, and the resolution a
document's pages are rendered at."""

from __future__ import annotations

from dataclasses import replace

from workbench.budget import GROUNDING_TOKENS, Budget, preset_budget
from workbench.engines.base import GenerationParams
from workbench.engines.strict import strict_support
from workbench.prompts.presets import Preset
from workbench.session import Status
from workbench.settings import Settings


def preset_params(preset: Preset | None, max_new_tokens: int | None = None) -> GenerationParams:
    """Return a preset's generation defaults (else the engine's), with another token limit if
    given; ValueError when that limit is out of range."""
    if preset is None:
        params = GenerationParams()
    else:
        gen = preset.generation
        params = GenerationParams(
            temperature=gen.temperature,
            top_p=gen.top_p,
            max_new_tokens=gen.max_new_tokens,
            visual_tokens=gen.visual_tokens,
        )
    return params if max_new_tokens is None else replace(params, max_new_tokens=max_new_tokens)


def strict_choice(asked: bool | None, preset: Preset | None, engine: str) -> bool:
    """Return whether to constrain decoding: as asked, else when the preset and engine can."""
    structured = preset is not None and preset.structured
    support = strict_support(engine)
    if asked is None:
        return structured and support.available
    if asked and not structured:
        raise ValueError("--strict needs a structured preset (one with a schema; see `presets`)")
    if asked and not support.available:
        raise ValueError(support.reason)
    return asked


def ask_budget(preset: Preset | None, settings: Settings, status: Status) -> Budget | None:
    """Return the preset's visual tokens, capped on the CPU as the tabs cap them.

    None (the session's budget) without a preset budget, or when a visual-token flag or
    variable is set: that wins.
    """
    asked = preset.generation.visual_tokens if preset else None
    if asked is None or (settings.min_visual_tokens, settings.max_visual_tokens) != (None, None):
        return None
    floor = grounding_floor(preset, status.engine)
    return preset_budget(asked, status.device, status.visual_tokens or asked, floor=floor)


def grounding_floor(preset: Preset | None, engine: str) -> int:
    """Return the visual tokens a preset keeps on the CPU: llama.cpp's Qwen-VL wants at least
    1,024 for boxes, and decodes fast enough to afford them; else 0 (the CPU cap applies)."""
    if engine == "llamacpp" and preset is not None and preset.returns_boxes:
        return GROUNDING_TOKENS
    return 0


def render_tokens(preset: Preset | None, settings: Settings) -> int:
    """Return the visual tokens a document's pages are rendered for: the largest budget the
    question may use."""
    most = (preset.generation.visual_tokens if preset else None) or settings.visual_budget("cuda")
    return max(most)
