"""The events of a domain tab, wired by name: inputs as keyword arguments, updates as names."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from typing import Any

import gradio as gr

from tabs import cost, handlers, results
from tabs.context import AppContext, DomainTab
from tabs.layout import TabUI

ENGINE_QUEUE = "engine"  # one queue slot shared by every tab's model calls
ASK_OUTPUTS = ("conversation", "chat", "run_status", *results.RESULTS)
PRESET_OUTPUTS = tuple(handlers.PresetDefaults.__dataclass_fields__)
# What the cost line reads; the question, role and language only enter the wait estimate, and
# the page's language words it.
COST_INPUTS = (
    "image",
    "region_mode",
    "preset",
    "visual_tokens",
    "question",
    "role",
    "language",
    "ui_language",
)


def wire(ui: TabUI, ctx: AppContext, tab: DomainTab) -> None:
    """Wire the tab's events; every one has an API name `/<tab>_<event>`."""
    bound = {"ctx": ctx, "tab": tab}
    controls = ui.pick(handlers.CONTROLS)
    queue = {"concurrency_id": ENGINE_QUEUE, "concurrency_limit": ctx.concurrency}
    asking = {
        "inputs_kwargs": {"conversation": ui.conversation, "question": ui.question, **controls},
        "outputs": list(ui.pick(ASK_OUTPUTS).values()),
        **queue,
    }
    ask = _named(ui, partial(handlers.ask_question, **bound), asking["inputs_kwargs"])
    asked = ui.ask.click(ask, api_name=f"{tab.key}_ask", **asking)
    submitted = ui.question.submit(ask, api_name=f"{tab.key}_submit", **asking)
    regenerating = {"conversation": ui.conversation, **controls}
    regenerated = ui.regenerate.click(
        _named(ui, partial(handlers.regenerate, **bound), regenerating),
        inputs_kwargs=regenerating,
        outputs=asking["outputs"],
        api_name=f"{tab.key}_regenerate",
        **queue,
    )
    answering = [asked, submitted, regenerated]
    # Not Gradio's `cancels`: cancelling a generator while it waits for the next word can
    # fail its event and paint every output with an error badge. The answer stops itself.
    ui.stop.click(
        _named(ui, partial(handlers.stop, **bound)),
        None,
        None,
        api_name=f"{tab.key}_stop",
        queue=False,
    )
    ui.clear.click(
        _named(ui, handlers.clear),
        None,
        list(ui.pick(ASK_OUTPUTS).values()),
        api_name=f"{tab.key}_clear",
        queue=False,
    )
    uploaded = {"image": ui.image, "ui_language": ui.ui_language}
    ui.image.upload(
        _named(ui, handlers.check_upload, uploaded),
        inputs_kwargs=uploaded,
        outputs=[ui.image],
        api_visibility="private",
        show_progress="hidden",  # through the queue: its toast needs the queue's stream
    )
    preset_inputs = {"preset": ui.preset, "language": ui.language}
    ui.preset.change(
        _named(ui, partial(handlers.choose_preset, **bound), preset_inputs),
        inputs_kwargs=preset_inputs,
        outputs=list(ui.pick(PRESET_OUTPUTS).values()),
        api_name=f"{tab.key}_preset",
        queue=False,
    )
    ui.language.change(
        _named(ui, partial(handlers.translate_question, **bound), preset_inputs),
        inputs_kwargs=preset_inputs,
        outputs=[ui.question],
        api_name=f"{tab.key}_language",
        queue=False,
    )
    shown = {"conversation": ui.conversation, "ui_language": ui.ui_language}
    ui.ui_language.change(  # the chat's marks in the page's new language
        _named(ui, handlers.show_chat, shown),
        inputs_kwargs=shown,
        outputs=[ui.chat],
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
    _wire_cost(ui, bound, answering)


def _wire_cost(ui: TabUI, bound: dict[str, Any], answering: list[Any]) -> None:
    """Keep the cost line current: image, region, mode, preset, slider, page language, answers."""
    line = partial(cost.cost_line, **bound)
    inputs = ui.pick(COST_INPUTS)
    # One event for every trigger, run again with the latest values when triggered while busy:
    # an example sets the image and the preset, and the preset then moves the slider.
    gr.on(
        [
            ui.image.change,
            ui.region_mode.change,
            ui.preset.change,
            ui.visual_tokens.change,
            ui.ui_language.change,
        ],
        line,
        inputs_kwargs=inputs,
        outputs=[ui.cost],
        api_name=f"{bound['tab'].key}_cost",
        queue=False,
        trigger_mode="always_last",
        show_progress="hidden",  # it takes milliseconds; a timer over it would only flicker
    )
    for event in answering:  # an answer measures the prefill rate, which the line then shows
        # The same function as /<tab>_cost, so no second public endpoint.
        event.then(
            line,
            inputs_kwargs=inputs,
            outputs=[ui.cost],
            queue=False,
            api_visibility="private",
            show_progress="hidden",
        )


def _named(
    ui: TabUI, handler: Callable[..., Any], inputs: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """Return the handler with its name-keyed updates keyed by the tab's components.

    The wrapper takes exactly the `inputs` names, each control with its default from
    `Controls`, so the API (and `gradio_client`) knows which values a caller may leave out;
    and Gradio's `request` when the handler takes one (which browser session is asking).
    """
    wants_request = "request" in inspect.signature(handler).parameters

    def run(request: gr.Request | None, values: dict[str, Any]) -> Any:
        return handler(**values, request=request) if wants_request else handler(**values)

    if inspect.isgeneratorfunction(handler):

        def stream(request: gr.Request | None = None, **values: Any) -> Any:
            for update in run(request, values):
                yield ui.updates(update)

        wrapper = stream
    else:

        def call(request: gr.Request | None = None, **values: Any) -> Any:
            updates = run(request, values)
            return None if updates is None else ui.updates(updates)

        wrapper = call
    wrapper.__doc__ = handler.__doc__  # the API page's description (no __wrapped__: Gradio
    # would then read the type hints of the handler, a partial, and miss `request`)
    wrapper.__signature__ = _signature(inputs or {})  # type: ignore[attr-defined]
    return wrapper


def _signature(inputs: dict[str, Any]) -> inspect.Signature:
    """Return `(request, *, <inputs>)`: Gradio fills a positional `gr.Request` itself."""
    defaults = {field.name: field.default for field in fields(handlers.Controls)}
    empty = inspect.Parameter.empty
    request = inspect.Parameter(
        "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request
    )
    return inspect.Signature(
        [
            request,
            *(
                inspect.Parameter(
                    name, inspect.Parameter.KEYWORD_ONLY, default=defaults.get(name, empty)
                )
                for name in inputs
            ),
        ]
    )
