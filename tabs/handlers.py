"""Event handlers of the domain tabs: plain functions of their inputs, no per-user globals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any, NamedTuple

import gradio as gr

from tabs import cost, results
from tabs.context import AppContext, DomainTab, find_preset, image_and_region, tab_presets
from workbench.checks import CheckContext
from workbench.engine import (
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_P,
    GenerationParams,
    ModelLoadError,
    one_line,
)
from workbench.pipeline import Delta, Finished, Question, RepairStarted
from workbench.pipeline import ask as run_question
from workbench.prompts import system_prompt
from workbench.session import ModelSession

log = logging.getLogger(__name__)
REPAIR_PREFIX = "🔧 Repair turn: "


def _unchanged() -> tuple[Any, ...]:
    """Return fresh no-update markers for the six result outputs (Gradio consumes them)."""
    return tuple(gr.skip() for _ in range(6))


_STATUS_POLL_SECONDS = 0.3


def status_line(session: ModelSession) -> str:
    """Return the model status as Markdown, with the random-weights warning made loud."""
    status = session.status
    icon = {"idle": "⚪", "loading": "⏳", "ready": "🟢", "failed": "🔴"}[status.state]
    line = f"{icon} {status.describe()}"
    return f"**{line}**" if status.random_weights or status.state == "failed" else line


class Controls(NamedTuple):
    """What choosing a preset puts into the tab's controls."""

    question: str = ""
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    max_new_tokens: int = 512
    strict: bool = False
    visual_tokens: int = cost.VISUAL_SLIDER[0]  # the slider: max visual tokens per image


def preset_controls(
    preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab
) -> Controls:
    """Return the controls a preset sets: its question in the language, its defaults."""
    chosen = find_preset(ctx, tab, preset)
    if chosen is None:
        return Controls(visual_tokens=cost.slider_default(ctx, None))
    gen = chosen.generation
    return Controls(
        question=chosen.prompt(language)[1],
        temperature=gen.temperature,
        top_p=gen.top_p,
        max_new_tokens=gen.max_new_tokens,
        strict=chosen.structured and ctx.strict_available,
        visual_tokens=cost.slider_default(ctx, chosen),
    )


def preset_question(preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab) -> str:
    """Return the preset's question in the chosen language."""
    return preset_controls(preset, language, ctx=ctx, tab=tab).question


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


def stop() -> None:
    """Stop button: the cancelled event closes its stream, which stops the model."""


def clear() -> tuple[Any, ...]:
    """Return empty chat and results."""
    return [], None, "", "", None, None, None


def ask(
    image: dict | None,
    question: str,
    role: str,
    preset: str | None,
    temperature: float,
    top_p: float,
    max_new_tokens: float,
    history: list | None,
    language: str = "en",
    region_mode: str = "crop",
    strict: bool = False,
    repair_turns: float = 1,
    threshold: float | None = None,
    direction: str = "above",
    max_visual_tokens: float | None = None,
    *,
    ctx: AppContext,
    tab: DomainTab,
) -> Iterator[tuple[Any, ...]]:
    """Stream the answer into the chat, then show the parsed JSON, checks and boxes."""
    chosen = find_preset(ctx, tab, preset)
    full_image, region = image_and_region(image)
    if not (question or "").strip():
        raise gr.Error("The question is empty. Type a question or pick a preset.")
    chat = _normalise_history(history)
    request = Question(
        image=full_image,
        question=question.strip(),
        params=GenerationParams(
            temperature=float(temperature),
            top_p=float(top_p),
            max_new_tokens=int(max_new_tokens),
            visual_tokens=cost.visual_budget(ctx, chosen, max_visual_tokens),
        ),
        system=system_prompt(role or "", chosen.prompt(language)[0] if chosen else ""),
        history=tuple(_turns(chat)),
        region=region,
        region_mode=region_mode,
        schema=chosen.schema if chosen else None,
        checks=chosen.checks if chosen else (),
        check_context=CheckContext(threshold=threshold, threshold_direction=direction),
        repair_turns=int(repair_turns),
        strict=bool(strict) and ctx.strict_available,
        language=language,
    )
    chat = [*chat, _message("user", request.question), _message("assistant", "")]
    yield from _wait_for_model(ctx.session, chat)
    try:
        for event in run_question(ctx.session, request):
            if isinstance(event, Delta):
                chat[-1]["content"] += event.text
            elif isinstance(event, RepairStarted):
                chat += [_message("user", REPAIR_PREFIX + event.request), _message("assistant", "")]
            elif isinstance(event, Finished):
                shown = results.render(event.answer, request, ctx, chosen, language)
                yield (chat, shown.status, *shown.outputs)
                return
            yield chat, gr.skip(), *_unchanged()
    except Exception as error:  # the server log keeps the traceback; the user gets one line
        log.exception("answering in the %s tab failed", tab.key)
        raise gr.Error(
            f"The model failed while answering ({one_line(error)}). "
            "Try again; if it keeps failing, try a smaller image budget or restart the app."
        ) from None


def regenerate(
    image: dict | None,
    question: str,
    role: str,
    preset: str | None,
    temperature: float,
    top_p: float,
    max_new_tokens: float,
    history: list | None,
    *rest: Any,
    ctx: AppContext,
    tab: DomainTab,
) -> Iterator[tuple[Any, ...]]:
    """Ask the last question again, replacing its answer."""
    chat = _normalise_history(history)
    last = _last_question_index(chat)
    if last is None:
        raise gr.Error("There is no question to regenerate yet. Ask one first.")
    yield from ask(
        image, chat[last]["content"], role, preset, temperature, top_p, max_new_tokens,
        chat[:last], *rest, ctx=ctx, tab=tab,
    )  # fmt: skip


def _wait_for_model(session: ModelSession, chat: list) -> Iterator[tuple[Any, ...]]:
    """Load the model if needed, streaming its loading stages into the status line."""
    if session.loaded:
        yield chat, status_line(session), *_unchanged()
        return
    done = threading.Event()
    failure: list[ModelLoadError] = []

    def load() -> None:
        try:
            session.get()
        except ModelLoadError as error:
            failure.append(error)
        finally:
            done.set()

    threading.Thread(target=load, name="load-model", daemon=True).start()
    while not done.wait(_STATUS_POLL_SECONDS):
        yield chat, status_line(session), *_unchanged()
    if failure:
        error = failure[0]
        chat[-1]["content"] = f"⚠️ The model could not be loaded. {error.reason} {error.hint}"
        yield chat, status_line(session), *_unchanged()
        raise gr.Error(f"{error.reason} {error.hint}")
    yield chat, status_line(session), *_unchanged()


def _message(role: str, text: str) -> dict[str, Any]:
    return {"role": role, "content": text}


def _text(content: Any) -> str:
    """Return the text of chat content: a string, or Gradio 6's list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list):
        return "".join(_text(part) for part in content)
    return ""


def _normalise_history(history: list | None) -> list[dict[str, Any]]:
    """Return the chat as plain {"role", "content": str} messages."""
    chat = []
    for message in history or []:
        role = message.get("role") if isinstance(message, dict) else None
        if role in ("user", "assistant"):
            chat.append(_message(role, _text(message.get("content"))))
    return chat


def _turns(chat: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Return (question, answer) pairs from the chat, repair turns included."""
    turns, pending = [], None
    for message in chat:
        if message["role"] == "user":
            pending = message["content"].removeprefix(REPAIR_PREFIX)
        elif pending is not None:
            turns.append((pending, message["content"]))
            pending = None
    return turns


def _last_question_index(chat: list[dict[str, Any]]) -> int | None:
    for index in range(len(chat) - 1, -1, -1):
        message = chat[index]
        if message["role"] == "user" and not message["content"].startswith(REPAIR_PREFIX):
            return index
    return None
