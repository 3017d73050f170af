"""Answering a question in a tab: validate, load the model, stream, then show the results.

The entry points are `tabs.domain.handlers.ask_question` and `regenerate`; this module does the
rest, keeping the conversation (`gr.State`) and the screen in step, and stopping on the Stop
signal.
"""

from __future__ import annotations

import html
import logging
import math
import threading
from collections.abc import Iterator
from dataclasses import replace

import gradio as gr

from tabs.domain import cost, pages, results
from tabs.domain.context import (
    AppContext,
    Controls,
    DomainTab,
    Updates,
    find_preset,
    mistake,
    picture,
    refused,
)
from tabs.wording import say
from workbench.answers.checks import CheckContext
from workbench.engines.base import EngineError, GenerationParams, ModelLoadError, one_line
from workbench.intake import Intake
from workbench.intake.cache import release_free_memory
from workbench.pipeline import (
    Answer,
    Delta,
    Finished,
    Question,
    RepairStarted,
    ask,
    asks_for_json,
    make_question,
)
from workbench.prompts.conversation import (
    Conversation,
    Exchange,
    Notice,
    Turn,
    chat_messages,
    with_answer,
)
from workbench.prompts.presets import Preset
from workbench.session import Status

log = logging.getLogger(__name__)


def status_line(status: Status, language: str = "en") -> str:
    """Return a model status as Markdown: a short line, the details behind a hover."""
    icon = {"idle": "⚪", "loading": "⏳", "ready": "🟢", "failed": "🔴"}[status.state]
    line = f"{icon} {status.summary(language)}"
    if status.random_weights or status.state == "failed":
        line = f"**{line}**"
    details = status.details(language)
    return f'{line} <span title="{html.escape(details)}">ⓘ</span>' if details else line


def answer(
    conversation: Conversation,
    text: str,
    controls: Controls,
    ctx: AppContext,
    tab: DomainTab,
    request: gr.Request,
) -> Iterator[Updates]:
    said = controls.ui_language
    try:
        chosen = find_preset(ctx, tab, controls.preset, said)
        budget = cost.visual_budget(ctx, chosen, controls.visual_tokens)
        asked = pages.page_numbers(controls.pages, said)
        shown = picture(controls.image, said, controls.enhance, controls.document, asked, budget[1])
        key = shown.key(controls.region_mode)
        question = _question(conversation.history(key), text, shown, chosen, controls, ctx)
    except gr.Error as error:
        yield refused(error.message)
        return
    # Until the answer is complete the state holds it as stopped: should the event end early
    # (the browser closed), the state keeps the partial answer, marked.
    exchange = Exchange(question=text, image=key, turns=(Turn(text, ""),), stopped=True)
    yield _streaming(conversation, exchange, said) | {"run_status": "", **results.EMPTY}
    stop = ctx.stops.start((request.session_hash, tab.key))
    try:
        yield from _stream(conversation, exchange, question, shown, ctx, tab, stop, said)
    finally:
        ctx.stops.finish((request.session_hash, tab.key), stop)
        # Once the last update is out: the image, its visual tokens and the OCR's buffers were
        # freed, but glibc would keep the pages, and the app's memory would creep up all day.
        release_free_memory()


def _stream(
    conversation: Conversation,
    exchange: Exchange,
    question: Question,
    shown: Intake,
    ctx: AppContext,
    tab: DomainTab,
    stop: threading.Event,
    said: str = "en",
) -> Iterator[Updates]:
    """Load the model and stream the answer; `said` is the language the user reads."""
    try:
        for status in ctx.session.loading():
            if stop.is_set():  # the model goes on loading for the next question
                break
            yield {"run_status": status_line(status, said)}
    except ModelLoadError as error:
        message = say("load.failed", said, reason=error.reason, hint=error.hint)
        yield _failed(conversation, message, said)
        return
    if stop.is_set():  # stopped before the model answered: nothing was asked
        stopped = say("stopped.before", said)
        notice = Notice(f"{stopped} (“{exchange.question}”)")
        yield _ended(conversation.add(notice), stopped, said)
        return
    try:
        for event in ask(ctx.session, question, stop):
            if isinstance(event, Delta):
                exchange = with_answer(exchange, exchange.turns[-1].answer + event.text)
            elif isinstance(event, RepairStarted):
                exchange = replace(exchange, turns=(*exchange.turns, Turn(event.request, "", True)))
            elif isinstance(event, Finished):
                yield _finished(
                    conversation, exchange, event.answer, question, shown, ctx, tab, said
                )
                return
            yield _streaming(conversation, exchange, said)
    except EngineError as error:  # a remote server's failure: it says what to do
        log.warning("answering in the %s tab failed: %s", tab.key, error)
        failed = conversation.add(replace(exchange, stopped=False, failed=True))
        yield _failed(failed, f"{error.reason} {error.hint}".strip(), said)
    except Exception as error:  # the server log keeps the traceback; the user gets one line
        log.exception("answering in the %s tab failed", tab.key)
        yield _failed(
            conversation.add(replace(exchange, stopped=False, failed=True)),
            say("answer.failed", said, error=one_line(error)),
            said,
        )


def _failed(conversation: Conversation, message: str, said: str = "en") -> Updates:
    """Return the updates for a failure: a notice in the chat (never sent to the model)."""
    gr.Warning(message)
    return _ended(conversation.add(Notice(f"⚠️ {message}")), f"🔴 {message}", said)


def _ended(conversation: Conversation, line: str, said: str = "en") -> Updates:
    chat = chat_messages(conversation, language=said)
    return {"conversation": conversation, "chat": chat, "run_status": line}


def _question(
    history: tuple[tuple[str, str], ...],
    text: str,
    shown: Intake,
    chosen: Preset | None,
    controls: Controls,
    ctx: AppContext,
) -> Question:
    """Return the pipeline's question; gr.Error names a setting out of its range."""
    try:
        params = GenerationParams(
            temperature=float(controls.temperature),
            top_p=float(controls.top_p),
            max_new_tokens=int(controls.max_new_tokens),
            visual_tokens=cost.visual_budget(ctx, chosen, controls.visual_tokens),
        )
    except ValueError as error:
        raise mistake(str(error)) from None
    # A follow-up is free text unless it asks for JSON (or is the preset's own question):
    # "and what does the red tag mean?" should not get a JSON repair turn.
    structured = chosen is not None and (not history or asks_for_json(text, chosen))
    return make_question(
        shown,
        text,
        params,
        preset=chosen,
        role=controls.role or "",
        language=controls.language,
        history=history,
        history_tokens=ctx.settings.history_tokens,
        region_mode=controls.region_mode,
        evidence=True,
        check_context=CheckContext(
            threshold=_threshold(controls.threshold, controls.ui_language),
            threshold_direction=controls.direction,
        ),
        structured=structured,
        repair_turns=int(controls.repair_turns),
        strict=bool(controls.strict) and ctx.strict_available,
        abstain_below=_abstain(controls.abstain_below),
        agreement=ctx.settings.agreement,
    )


def _abstain(value: float | None) -> float:
    """Return the abstain threshold the slider sets, within 0 to 1 (0: none)."""
    return min(1.0, max(0.0, float(value or 0.0)))


def _threshold(value: str | float | None, said: str = "en") -> float | None:
    """Return the alarm threshold typed in the tab (None when empty); gr.Error if not a number."""
    if value is None or not str(value).strip():
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise mistake(say("threshold.not_number", said, value=value)) from None
    if not math.isfinite(number):
        raise mistake(say("threshold.not_finite", said, value=value))
    return number


def _streaming(conversation: Conversation, exchange: Exchange, said: str = "en") -> Updates:
    growing = conversation.add(exchange)
    return {"conversation": growing, "chat": chat_messages(growing, streaming=True, language=said)}


def _finished(
    conversation: Conversation,
    exchange: Exchange,
    answer: Answer,
    question: Question,
    shown: Intake,
    ctx: AppContext,
    tab: DomainTab,
    said: str = "en",
) -> Updates:
    turns = tuple(
        Turn(asked, answered, repair=index > 0)
        for index, (asked, answered) in enumerate(answer.turns)
    )
    stopped = bool(answer.stats) and answer.stats[-1].stopped
    done = replace(exchange, turns=turns, stopped=stopped, left_out=answer.left_out)
    conversation = conversation.add(done)
    results_shown = results.render(answer, question, ctx, tab, shown, said)
    chat = chat_messages(conversation, language=said)
    return {"conversation": conversation, "chat": chat, **results_shown}
