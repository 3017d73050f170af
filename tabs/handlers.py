"""Event handlers of the domain tabs: plain functions of their inputs, no per-user globals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import gradio as gr

from tabs import results
from workbench.boxes import clamp_region
from workbench.checks import CheckContext
from workbench.engine import DEFAULT_TEMPERATURE, DEFAULT_TOP_P, GenerationParams, ModelLoadError
from workbench.examples import Example
from workbench.images import ImageError, load_image
from workbench.pipeline import Delta, Finished, Question, RepairStarted
from workbench.pipeline import ask as run_question
from workbench.presets import Preset, PresetError, PresetFile
from workbench.prompts import system_prompt
from workbench.session import ModelSession
from workbench.settings import Settings

REPAIR_PREFIX = "🔧 Repair turn: "


def _unchanged() -> tuple[Any, ...]:
    """Return fresh no-update markers for the six result outputs (Gradio consumes them)."""
    return tuple(gr.skip() for _ in range(6))


_STATUS_POLL_SECONDS = 0.3


@dataclass(frozen=True)
class AppContext:
    """What every tab shares: the one model session and read-only data."""

    session: ModelSession
    settings: Settings
    presets: dict[str, PresetFile | PresetError]
    examples: dict[str, list[Example]]
    strict_available: bool = False
    strict_reason: str = ""  # why strict mode is off, when it is
    concurrency: int = 1  # model calls at once, across all tabs


@dataclass(frozen=True)
class DomainTab:
    """A domain tab: its key (presets file, API names), title and optional extras."""

    key: str
    title: str
    description: str
    role_example: str = ""  # a persona shown as the role field's placeholder
    threshold: bool = False  # an alarm threshold input (gauges)


def tab_presets(ctx: AppContext, tab: DomainTab) -> tuple[PresetFile | None, PresetError | None]:
    """Return the tab's presets, or the error that kept them from loading."""
    loaded = ctx.presets.get(tab.key)
    if isinstance(loaded, PresetFile):
        return loaded, None
    return None, loaded


def _preset(ctx: AppContext, tab: DomainTab, name: str | None) -> Preset | None:
    presets, _ = tab_presets(ctx, tab)
    if presets is None or not name:
        return None
    try:
        return presets.get(name)
    except KeyError:
        raise gr.Error(f"There is no preset called {name!r} in this tab.") from None


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


def preset_controls(
    preset: str | None, language: str, *, ctx: AppContext, tab: DomainTab
) -> Controls:
    """Return the controls a preset sets: its question in the language, its defaults."""
    chosen = _preset(ctx, tab, preset)
    if chosen is None:
        return Controls()
    gen = chosen.generation
    return Controls(
        question=chosen.prompt(language)[1],
        temperature=gen.temperature,
        top_p=gen.top_p,
        max_new_tokens=gen.max_new_tokens,
        strict=chosen.structured and ctx.strict_available,
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
    *,
    ctx: AppContext,
    tab: DomainTab,
) -> Iterator[tuple[Any, ...]]:
    """Stream the answer into the chat, then show the parsed JSON, checks and boxes."""
    chosen = _preset(ctx, tab, preset)
    full_image, region = _image_and_region(image)
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


def _image_and_region(value: dict | None):
    if not value or not value.get("image"):
        raise gr.Error("Add an image first: upload one, paste one, or pick an example below.")
    try:
        image = load_image(value["image"])
    except ImageError as error:
        raise gr.Error(str(error)) from None
    boxes = value.get("boxes") or []
    if not boxes:
        return image, None
    box = boxes[-1]
    try:
        region = clamp_region((box["xmin"], box["ymin"], box["xmax"], box["ymax"]), image.size)
    except (KeyError, TypeError, ValueError) as error:
        raise gr.Error(f"The marked region cannot be used ({error}). Draw it again.") from None
    return image, region


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
