"""Event handlers of the domain tabs: plain functions of named values, returning named updates.

A handler takes the tab's values by name (the conversation from `gr.State`, the question, the
`Controls`) and returns or yields `{name: value}` updates; `tabs.domain.events` maps the names onto
the tab's components. Nothing here reads the chat on screen: it is drawn from the conversation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

import gradio as gr

from tabs.domain import answering, cost, pages, results
from tabs.domain.context import (
    AppContext,
    Controls,
    DomainTab,
    Updates,
    find_preset,
    picture,
    refused,
    tab_presets,
)
from tabs.wording import say
from workbench.engines.base import DEFAULT_MAX_NEW_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P
from workbench.prompts.conversation import Conversation, chat_messages


@dataclass(frozen=True)
class PresetDefaults:
    """What choosing a preset puts into the tab's controls, by component name."""

    question: str = ""
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    strict: bool = False
    visual_tokens: int = cost.VISUAL_SLIDER[0]
    abstain_below: float = 0.0  # the app's --abstain-below, else the preset's; 0: off

    def updates(self) -> Updates:
        """Return the defaults as updates keyed by component name."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def preset_defaults(
    preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab
) -> PresetDefaults:
    """Return the controls a preset sets: its question in the language, its defaults."""
    chosen = find_preset(ctx, tab, preset)
    abstain = ctx.settings.abstain_below
    if chosen is None:
        return PresetDefaults(
            visual_tokens=cost.slider_default(ctx, None), abstain_below=abstain or 0.0
        )
    gen = chosen.generation
    return PresetDefaults(
        question=chosen.prompt(language)[1],
        temperature=gen.temperature,
        top_p=gen.top_p,
        max_new_tokens=gen.max_new_tokens,
        strict=chosen.structured and ctx.strict_available,
        visual_tokens=cost.slider_default(ctx, chosen),
        abstain_below=(chosen.abstain_below if abstain is None else abstain) or 0.0,
    )


def choose_preset(preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab) -> Updates:
    """Return the preset's question and generation defaults."""
    return preset_defaults(preset, language, ctx=ctx, tab=tab).updates()


def translate_question(
    preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab
) -> Updates:
    """Return the preset's question in the chosen language."""
    return {"question": preset_defaults(preset, language, ctx=ctx, tab=tab).question}


def example_rows(ctx: AppContext, tab: DomainTab) -> list[list[Any]]:
    """Return the tab's examples as rows for `gr.Examples`: annotator value, preset."""
    presets, _ = tab_presets(ctx, tab)
    names = presets.names if presets else ()
    return [
        [
            {"image": str(example.image_path), "boxes": []},
            example.preset if example.preset in names else None,
        ]
        for example in ctx.examples.get(tab.key, [])
    ]


def example_labels(ctx: AppContext, tab: DomainTab) -> list[str]:
    """Return what each example is called in the tab: its name and the preset it uses."""
    return [
        f"{example.name.replace('_', ' ').capitalize()} · {example.preset}"
        for example in ctx.examples.get(tab.key, [])
    ]


def stop(*, ctx: AppContext, tab: DomainTab, request: gr.Request) -> None:
    """Stop button: end this browser's answer in this tab within a word, keeping what was said."""
    ctx.stops.stop((request.session_hash, tab.key))


def check_upload(image: dict | None, ui_language: str = "en") -> Updates:
    """Refuse an upload that is not a usable image as it arrives: say why, empty the area.

    Left in place, the annotator would show a broken picture a few pixels high. An upload
    replaces a document whose page the area showed.
    """
    try:
        picture(image, ui_language)
    except gr.Error as error:
        refused(error.message)
        return {"image": None, "document": None, **pages.NO_PAGES}
    return {"document": None, **pages.NO_PAGES}


def enhancement_note(image: dict | None, enhance: str, ui_language: str = "en") -> str:
    """Return what enhancement does to the image the model will see ("" for nothing)."""
    if not image or not image.get("image"):
        return ""
    try:
        summary = picture(image, ui_language, enhance).enhanced[0].summary(ui_language)
    except gr.Error:
        return ""  # the upload check says what is wrong
    return f"✨ {say('enhanced.note', ui_language, summary=summary)}" if summary else ""


def show_chat(conversation: Conversation, ui_language: str = "en") -> Updates:
    """Return the chat drawn again in the page's language (its marks; not what was said)."""
    return {"chat": chat_messages(conversation, language=ui_language)}


def clear() -> Updates:
    """Return an empty conversation, chat, run line and results."""
    return {"conversation": Conversation(), "chat": [], "run_status": "", **results.EMPTY}


def ask_question(
    conversation: Conversation,
    question: str,
    *,
    ctx: AppContext,
    tab: DomainTab,
    request: gr.Request,
    **controls: Any,
) -> Iterator[Updates]:
    """Stream the answer into the chat, then show the parsed JSON, checks and boxes."""
    if not (question or "").strip():
        yield refused(say("ask.empty", controls.get("ui_language", "en")))
        return
    yield from answering.answer(
        conversation, question.strip(), Controls(**controls), ctx, tab, request
    )


def regenerate(
    conversation: Conversation,
    *,
    ctx: AppContext,
    tab: DomainTab,
    request: gr.Request,
    **controls: Any,
) -> Iterator[Updates]:
    """Ask the last question again with the current settings, replacing its answer."""
    earlier, last = conversation.without_last_exchange()
    if last is None:
        yield refused(say("regenerate.none", controls.get("ui_language", "en")))
        return
    yield from answering.answer(earlier, last.question, Controls(**controls), ctx, tab, request)
