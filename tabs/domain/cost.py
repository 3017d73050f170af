"""The visual-token budget in the UI: the slider's value per preset and device, and the cost line.

The line under the image says what the image will cost the model (visual tokens, the size it
sees) and, once an answer has measured this machine's prefill rate, how long the first word
will take.
"""

from __future__ import annotations

import gradio as gr

from tabs.domain.context import AppContext, DomainTab, find_preset, picture, shows_page_of
from tabs.wording import say
from workbench.budget import Budget, expected_wait, preset_budget, preset_max, resized
from workbench.budget import visual_tokens as count_visual_tokens
from workbench.choices import grounding_floor
from workbench.prompts.presets import Preset
from workbench.prompts.turns import model_view

VISUAL_SLIDER = (64, 4096)  # the visual-token slider's range, widened for a larger --max flag


def visual_slider_range(ctx: AppContext) -> tuple[int, int]:
    """Return the slider's (minimum, maximum), wide enough for a --max-visual-tokens flag."""
    flag = ctx.session.settings.max_visual_tokens
    if flag is None:
        return VISUAL_SLIDER
    return min(VISUAL_SLIDER[0], flag), max(VISUAL_SLIDER[1], flag)


def cost_line(
    image: dict | None,
    region_mode: str,
    preset: str | None,
    visual_tokens: float | None,
    question: str | None = None,
    role: str | None = None,
    language: str = "en",
    ui_language: str = "en",
    document: str | None = None,
    pages: list[int] | None = None,
    *,
    ctx: AppContext,
    tab: DomainTab,
) -> str:
    """Return what the image costs the model: visual tokens, the size it sees, the wait.

    `language` is the prompt's (its length enters the wait); `ui_language` words the line.
    """
    try:
        chosen = find_preset(ctx, tab, preset)
    except gr.Error:
        chosen = None
    budget = visual_budget(ctx, chosen, visual_tokens)
    note = _cap_note(ctx, chosen, budget[1], ui_language)
    if not image or not image.get("image"):
        return note
    try:
        uploaded = picture(image, ui_language)
        shown, _ = model_view(uploaded.image, uploaded.region, region_mode)
    except (gr.Error, ValueError) as error:  # say it here; the Ask button raises it
        return f"⚠️ {getattr(error, 'message', error)}"
    tokens = count_visual_tokens(shown.size, budget)
    width, height = resized(shown.size, budget)
    line = say("cost.tokens", ui_language, tokens=tokens, width=width, height=height)
    if document and pages and len(pages) > 1 and shows_page_of(image["image"], document):
        tokens *= len(pages)  # each page within its own budget; pages alike in size
        line = say(
            "cost.pages", ui_language, tokens=tokens, pages=len(pages), width=width, height=height
        )
    rate = ctx.session.prefill_rate
    instructions = chosen.prompt(language)[0] if chosen else ""
    wait = expected_wait(tokens + _text_tokens(role or "", instructions, question or ""), rate)
    if wait is not None:
        seconds = f"{wait:.1f}" if wait < 10 else f"{wait:.0f}"
        line += say("cost.wait", ui_language, seconds=seconds, rate=rate)
    elif not ctx.session.loaded:
        line += say("cost.first_load", ui_language)
    return f"{line}\n\n{note}" if note else line


def _text_tokens(*texts: str) -> int:
    """Return a rough count of the prompt's text tokens: a quarter of its UTF-8 bytes.

    Qwen's tokenizer packs about four characters of English into a token, and a Chinese
    character (three bytes) into about 0.75 of one: near enough for a wait. The chat history
    and the chat template's few tokens are left out.
    """
    return sum(len(text.encode("utf-8")) for text in texts) // 4


def _device_budget(ctx: AppContext) -> tuple[str, Budget]:
    """Return the device and its default visual-token budget: the loaded engine's, or a guess."""
    status = ctx.session.status
    if ctx.session.loaded and status.visual_tokens:
        return status.device, status.visual_tokens
    # Before the first load the device is a guess: finding out would import torch, and the UI
    # must come up in seconds. "auto" is taken as the CPU, whose small budget is the safe side;
    # after the load the engine's own budget applies (the slider's value is read on page load).
    settings = ctx.session.settings
    device = "cpu" if settings.device in ("auto", "cpu") else settings.device
    return device, settings.visual_budget(device)


def slider_default(ctx: AppContext, preset: Preset | None) -> int:
    """Return the preset's max visual tokens, capped on the CPU; else the device's max."""
    asked = preset.generation.visual_tokens if preset else None
    low, high = visual_slider_range(ctx)
    floor = grounding_floor(preset, ctx.session.status.engine)
    return max(low, min(preset_max(asked, *_device_budget(ctx), floor), high))


def visual_budget(ctx: AppContext, preset: Preset | None, slider: float | None) -> Budget:
    """Return the (min, max) visual tokens an ask uses: the slider's max, min never above it."""
    asked = preset.generation.visual_tokens if preset else None
    high = slider_default(ctx, preset) if slider is None else int(slider)
    floor = grounding_floor(preset, ctx.session.status.engine)
    return preset_budget(asked, *_device_budget(ctx), high, floor)


def _cap_note(ctx: AppContext, preset: Preset | None, slider: int, language: str = "en") -> str:
    """Return a note when the slider is below what the preset asks for; else ""."""
    asked = preset.generation.visual_tokens if preset else None
    if asked is None or slider >= asked[1]:
        return ""
    device, (_, device_max) = _device_budget(ctx)
    if device == "cpu" and slider == device_max:
        return say("cost.capped_cpu", language, asked=asked[1], slider=slider)
    return say("cost.capped", language, asked=asked[1], slider=slider)
