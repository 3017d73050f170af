"""The events of a domain tab, wired by name: inputs as keyword arguments, updates as names."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from typing import Any

import gradio as gr

from tabs.domain import cost, handlers, pages
from tabs.domain.context import CONTROLS, AppContext, Controls, DomainTab
from tabs.domain.layout import TabUI
from tabs.send_review import send_answer_to_review
from workbench.api import ASK_OUTPUTS

ENGINE_QUEUE = "engine"  # one queue slot shared by every tab's model calls
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
    "document",
    "pages",
)


def wire(ui: TabUI, ctx: AppContext, tab: DomainTab) -> None:
    """Wire the tab's events; every one has an API name `/<tab>_<event>`."""
    bound = {"ctx": ctx, "tab": tab}
    asking = ui.pick(("conversation", "question", *CONTROLS))
    queue = {"concurrency_id": ENGINE_QUEUE, "concurrency_limit": ctx.concurrency}
    ask = partial(handlers.ask_question, **bound)
    answering = [
        _on(ui.ask.click, ui, ask, asking, ASK_OUTPUTS, api_name=f"{tab.key}_ask", **queue),
        _on(
            ui.question.submit, ui, ask, asking, ASK_OUTPUTS, api_name=f"{tab.key}_submit", **queue
        ),
        _on(
            ui.regenerate.click,
            ui,
            partial(handlers.regenerate, **bound),
            ui.pick(("conversation", *CONTROLS)),
            ASK_OUTPUTS,
            api_name=f"{tab.key}_regenerate",
            **queue,
        ),
    ]
    # Not Gradio's `cancels`: cancelling a generator while it waits for the next word can
    # fail its event and paint every output with an error badge. The answer stops itself.
    _on(ui.stop.click, ui, partial(handlers.stop, **bound), api_name=f"{tab.key}_stop", queue=False)
    _on(
        ui.clear.click,
        ui,
        handlers.clear,
        {},
        ASK_OUTPUTS,
        api_name=f"{tab.key}_clear",
        queue=False,
    )
    _on(
        ui.image.upload,
        ui,
        handlers.check_upload,
        ui.pick(("image", "ui_language")),
        ("image", "document", "thumbnails", "pages"),
        api_visibility="private",
        show_progress="hidden",  # through the queue: its toast needs the queue's stream
    )
    _wire_document(ui, tab)
    _on(  # its own endpoint: the ask endpoints' outputs stay as `workbench.api` lists them
        ui.send_review.click,
        ui,
        partial(_send_to_review, ctx=ctx),
        ui.pick(("details", "image", "document", "ui_language")),
        ("sent",),
        api_name=f"{tab.key}_send_review",
    )
    preset_inputs = ui.pick(("preset", "language"))
    _on(
        ui.preset.change,
        ui,
        partial(handlers.choose_preset, **bound),
        preset_inputs,
        PRESET_OUTPUTS,
        api_name=f"{tab.key}_preset",
        queue=False,
    )
    _on(
        ui.language.change,
        ui,
        partial(handlers.translate_question, **bound),
        preset_inputs,
        ("question",),
        api_name=f"{tab.key}_language",
        queue=False,
    )
    _on(  # the chat's marks in the page's new language
        ui.ui_language.change,
        ui,
        handlers.show_chat,
        ui.pick(("conversation", "ui_language")),
        ("chat",),
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
    _wire_cost(ui, bound, answering)


def _send_to_review(
    details: dict[str, Any] | None,
    image: dict[str, Any] | None,
    document: str | None,
    ui_language: str,
    *,
    ctx: AppContext,
) -> dict[str, Any]:
    """Send to review: the answer shown and its image into the review folder; the line."""
    return {"sent": send_answer_to_review(ctx, details, image, document, ui_language or "en")}


def _wire_document(ui: TabUI, tab: DomainTab) -> None:
    """A PDF or phone photo into the image box; a PDF's page picker; the enhancement note."""
    _on(
        ui.document.upload,
        ui,
        pages.open_document,
        ui.pick(("document", "ui_language")),
        ("image", "document", "thumbnails", "pages", "run_status"),
        api_name=f"{tab.key}_document",
    )
    ui.thumbnails.select(  # wired by position: Gradio fills in `gr.SelectData` by its type
        pages.pick_page,
        inputs=[ui.document],
        outputs=[ui.image, ui.pages],
        api_visibility="private",
        show_progress="hidden",
    )
    _on(
        ui.pages.input,
        ui,
        pages.limit_pages,
        ui.pick(("pages", "ui_language")),
        ("pages", "run_status"),
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
    gr.on(
        [ui.image.change, ui.enhance.change, ui.ui_language.change],
        handlers.enhancement_note,
        inputs_kwargs=ui.pick(("image", "enhance", "ui_language")),
        outputs=[ui.enhanced],
        api_name=f"{tab.key}_enhanced",
        trigger_mode="always_last",
        show_progress="hidden",
    )


def _on(
    trigger: Callable[..., Any],
    ui: TabUI,
    handler: Callable[..., Any],
    inputs: dict[str, Any] | None = None,
    outputs: tuple[str, ...] = (),
    **options: Any,
) -> Any:
    """Wire a handler to a trigger: the named inputs in, its name-keyed updates out."""
    return trigger(
        _named(ui, handler, inputs),
        inputs_kwargs=inputs or None,
        outputs=list(ui.pick(outputs).values()) or None,
        **options,
    )


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
            ui.pages.change,
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
    defaults = {field.name: field.default for field in fields(Controls)}
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
