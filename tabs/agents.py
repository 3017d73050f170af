"""The domain tabs as tools for agents: an image and a question in, the checked answer out.

Each domain tab gets one endpoint, `/<tab>_tool`, whose function is called `<tab>_ask`: Gradio's
MCP server (`launch.py --mcp`) names a tool after its function and describes it with the
docstring, and serves only these. Unlike the tab's own `/<tab>_ask`, which takes the whole
page's inputs and returns the page's updates, a tool takes a few plain values, keeps no
conversation, and returns what `python -m workbench ask --json` prints. Its answers wait in the
same engine queue as the tabs' questions.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

import gradio as gr
from gradio_client import Client

from tabs.agent_images import FORMS, image_file
from tabs.domain.context import AppContext, DomainTab, mistake, tab_presets
from tabs.domain.events import ENGINE_QUEUE
from tabs.wording import say
from workbench.answers.checks import CheckContext
from workbench.choices import ask_budget, preset_params, render_tokens
from workbench.cli.ask import ask_report, summary_lines
from workbench.engines.base import EngineError, ModelLoadError, one_line
from workbench.intake import ImageError, read_intake
from workbench.intake.images import MAX_FILE_BYTES
from workbench.messages import Language, check_language, ui_language
from workbench.pipeline import Answer, Finished, Question, ask, make_question
from workbench.prompts.presets import Preset, slug
from workbench.record import result_record

log = logging.getLogger(__name__)
ALARM = ("threshold", "direction")  # the parameters of a tab with an alarm threshold only
Direction = Literal["above", "below"]


@dataclass(frozen=True)
class ToolQuestion:
    """What an agent asks a tab: an image, and what to ask about it (defaults: the preset's)."""

    image: str
    question: str = ""
    preset: str = ""
    language: str = "en"
    role: str = ""
    max_new_tokens: int | None = None
    threshold: float | None = None
    direction: str = "above"


def tool_name(tab: DomainTab) -> str:
    """Return the name agents call a tab's tool by (its function's name)."""
    return f"{tab.key}_ask"


def endpoint(tab: DomainTab) -> str:
    """Return the API name of a tab's tool (`/<tab>_ask` is the page's own ask)."""
    return f"{tab.key}_tool"


def add_tools(app: gr.Blocks, ctx: AppContext, tabs: Iterable[DomainTab]) -> None:
    """Add each tab's tool as an API endpoint of the app (call inside its `gr.Blocks`)."""
    for tab in tabs:
        added = gr.api(
            agent_tool(ctx, tab),
            api_name=endpoint(tab),
            concurrency_id=ENGINE_QUEUE,
            concurrency_limit=ctx.concurrency,
        )
        # gr.api labels its values "1st", "2nd", …: no page shows them, and the API docs
        # name each by its parameter.
        for block_id in (*added["inputs"], *added["outputs"]):
            app.blocks[block_id].label = None


def agent_tool(ctx: AppContext, tab: DomainTab) -> Callable[..., str]:
    """Return the tab's tool: a function named and described for agents, typed for the API.

    A function made per tab, not a partial: Gradio reads the name, the docstring and the type
    hints of the function itself.
    """

    def tool(
        image: str,
        question: str = "",
        preset: str = "",
        language: Language = "en",
        role: str = "",
        max_new_tokens: int | None = None,
        threshold: float | None = None,
        direction: Direction = "above",
    ) -> str:
        asked = ToolQuestion(
            image, question, preset, language, role, max_new_tokens, threshold, direction
        )
        return json.dumps(answer_for_agent(ctx, tab, asked), ensure_ascii=False)

    signature = inspect.signature(tool)
    if not tab.threshold:
        kept = [p for name, p in signature.parameters.items() if name not in ALARM]
        tool.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    tool.__name__ = tool.__qualname__ = tool_name(tab)
    tool.__doc__ = describe(ctx, tab)
    return tool


def describe(ctx: AppContext, tab: DomainTab) -> str:
    """Return a tab tool's docstring: what it does, its presets, each parameter, what returns.

    Gradio reads it as Google-style: a description, then one line per parameter after "Args:".
    """
    presets, error = tab_presets(ctx, tab)
    listed = [_preset_line(preset) for preset in presets.presets] if presets else []
    first = slug(presets.presets[0].name) if presets else ""
    offered = f"Presets: {'; '.join(listed)}." if listed else f"No presets: {error}."
    lines = [
        f"Ask the {tab.title} tab about one image. {tab.description}",
        "The model answers the preset's question (or yours) about the image; a structured "
        "preset's answer comes back parsed and validated against its JSON Schema, with the "
        "tab's domain checks and, for each value, whether OCR found it on the image.",
        offered,
        "",
        "Args:",
        f"image: The picture: a public {FORMS['web']} URL, a data URL "
        f"({FORMS['example']}), or the path that POST {FORMS['upload']} returned for the file "
        f"(a PDF: its first page). At most {MAX_FILE_BYTES // 2**20} MB.",
        "question: What to ask about the image; empty: the preset's own question.",
        f"preset: The preset, by name or slug; empty: the first ({first}).",
        "language: The language of the preset's question and of the answer: en or zh.",
        f"role: Who the model should be, put ahead of the preset's prompt; e.g. {tab.role_example}",
        "max_new_tokens: The most tokens the answer may have; empty: the preset's limit.",
    ]
    if tab.threshold:
        lines += [
            "threshold: The alarm threshold for the reading; empty: no alarm check.",
            "direction: Which side of the threshold raises the alarm: above or below.",
        ]
    lines += [
        "",
        "Returns:",
        "JSON text: answer (the model's words), parsed (its JSON, null for free text), "
        "validation (valid, errors), checks [{name, ok, detail}], evidence (values found by "
        "OCR), boxes, summary (the same in lines of English), the model, settings and timings. "
        "random_weights true means a test model whose words mean nothing.",
    ]
    return "\n".join(lines)


def _preset_line(preset: Preset) -> str:
    kind = f"JSON, checks: {', '.join(preset.checks) or 'none'}" if preset.structured else "text"
    return f"{slug(preset.name)} ({preset.name}; {kind})"


def answer_for_agent(ctx: AppContext, tab: DomainTab, asked: ToolQuestion) -> dict[str, Any]:
    """Return `ask --json`'s report of one question about one image, with its summary lines.

    gr.Error (no traceback) says what was wrong with what was asked, or why the model failed.
    """
    said = ui_language(asked.language)
    chosen = _preset(ctx, tab, asked.preset)
    try:
        check_language(asked.language)
        alarm = CheckContext(threshold=asked.threshold, threshold_direction=asked.direction)
        params = preset_params(chosen, asked.max_new_tokens)
    except ValueError as error:
        raise mistake(str(error)) from None
    text = asked.question.strip() or (chosen.prompt(asked.language)[1] if chosen else "")
    if not text:
        raise mistake(say("ask.empty", said))
    path = image_file(asked.image, said)
    try:
        intake = read_intake(path, max_tokens=render_tokens(chosen, ctx.settings))
    except ImageError as error:
        raise mistake(error.text(said)) from None
    except OSError as error:  # the file went while it was read
        raise mistake(one_line(error)) from None
    try:
        for _ in ctx.session.loading():
            pass
    except ModelLoadError as error:
        raise mistake(say("load.failed", said, reason=error.reason, hint=error.hint)) from None
    status = ctx.session.status
    question = make_question(
        intake,
        text,
        replace(params, visual_tokens=ask_budget(chosen, ctx.settings, status)),
        preset=chosen,
        role=asked.role,
        language=asked.language,  # type: ignore[arg-type]  # checked above
        evidence=True,
        check_context=alarm,
        strict=chosen is not None and chosen.structured and ctx.strict_available,
    )
    answer = _answer(ctx, tab, question, said)
    record = result_record(
        answer,
        question,
        status=status,
        tab=tab.key,
        image_name=intake.name,
        image_sha256=intake.digest,
    )
    return {**ask_report(record, status, answer), "summary": summary_lines(record)}


def _preset(ctx: AppContext, tab: DomainTab, name: str) -> Preset | None:
    """Return the preset asked for by name or slug, else the tab's first; gr.Error if unknown."""
    presets, error = tab_presets(ctx, tab)
    if presets is None:
        if name.strip():
            raise mistake(str(error))
        return None
    try:
        return presets.find(name.strip()) if name.strip() else presets.presets[0]
    except ValueError as unknown:
        raise mistake(str(unknown)) from None


def _answer(ctx: AppContext, tab: DomainTab, question: Question, said: str) -> Answer:
    """Return the pipeline's answer; gr.Error, worded for the user, when the engine fails."""
    try:
        for event in ask(ctx.session, question):
            if isinstance(event, Finished):
                return event.answer
    except EngineError as error:  # a remote server's failure: it says what to do
        log.warning("a %s tool call failed: %s", tab.key, error)
        raise gr.Error(f"{error.reason} {error.hint}".strip(), print_exception=False) from None
    except Exception as error:  # the server log keeps the traceback; the agent gets one line
        log.exception("a %s tool call failed", tab.key)
        raise gr.Error(say("answer.failed", said, error=one_line(error))) from None
    raise gr.Error(say("answer.failed", said, error="no answer"))


def serve_only_tools(
    app: gr.Blocks, tabs: Iterable[DomainTab], login: tuple[str, str] | None = None
) -> None:
    """Narrow the launched app's MCP server to the tabs' tools; behind a login, log it in.

    Gradio makes a tool of every public endpoint (the page's own too: status, stop, clear, …).
    And it answers a queued tool through a client of the app that it opens without a login,
    which the login refuses: that client is opened here, logged in as `login`.
    """
    server = app.mcp_server_obj
    if server is None:
        return
    wanted = {f"/{endpoint(tab)}" for tab in tabs}
    tools = {name: path for name, path in server.tool_to_endpoint.items() if path in wanted}
    missing = wanted - set(tools.values())
    if missing:  # Gradio changed how it finds tools: say so rather than serve none
        raise RuntimeError(f"the MCP server has no tool for {', '.join(sorted(missing))}")
    server.tool_to_endpoint = tools
    if login is not None:
        server._client_instance = Client(
            server.local_url or app.local_url,
            auth=login,
            download_files=False,
            verbose=False,
            analytics_enabled=False,
            _skip_components=False,
            headers={"x-gradio-user": "mcp"},  # as Gradio's own client
        )
