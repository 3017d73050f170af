"""What the four domain tabs share: one builder fed by a tab's presets and examples.

A tab module is a `DomainTab` plus `build(ctx)`. Handlers live in `tabs.handlers` as module-level
functions; what they need from the app (the session, the tab's presets) is bound with
`functools.partial`, and everything per user travels in each event's inputs and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator

from tabs import cost, handlers
from tabs.context import AppContext, DomainTab, tab_presets

LANGUAGE_CHOICES = [("English", "en"), ("中文", "zh")]
REGION_MODE_CHOICES = [
    ("Crop to the region", "crop"),
    ("Highlight it on the full image", "highlight"),
]
ENGINE_QUEUE = "engine"  # one queue slot shared by every tab's model calls


def _upload_path(image: Any) -> str | None:
    """Return the uploaded file's path, untouched, for `load_image` to check and convert."""
    return None if image is None else str(image.path)


@dataclass
class _Widgets:
    """The components of one tab, filled in as the layout is built."""

    parts: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.parts[name]
        except KeyError:
            raise AttributeError(name) from None

    def add(self, **components: Any) -> None:
        self.parts.update(components)


def build_domain_tab(ctx: AppContext, tab: DomainTab) -> None:
    """Lay out one domain tab inside the current `gr.Tab` and wire its events."""
    presets, error = tab_presets(ctx, tab)
    gr.Markdown(tab.description)
    if error:
        gr.Markdown(
            f"⚠️ **Presets could not be loaded** — `{error}`. Fix the file and restart; "
            "free questions still work.",
            elem_classes="preset-error",
            elem_id=f"{tab.key}-preset-error",
        )
    w = _Widgets()
    first = presets.presets[0].name if presets else None
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            _image_column(w, ctx, tab, first)
        with gr.Column(scale=6, min_width=360):
            _question_column(w, ctx, tab, first)
    _results_row(w, tab)
    _examples(w, ctx, tab)
    _wire(w, ctx, tab)


def _image_column(w: _Widgets, ctx: AppContext, tab: DomainTab, first: str | None) -> None:
    w.add(
        image=_region_input(tab),
        # With no image yet, it says whether the preset's budget is capped on this device.
        cost=gr.Markdown(
            cost.cost_line(None, "crop", first, None, ctx=ctx, tab=tab),
            elem_classes="visual-cost",
            elem_id=f"{tab.key}-cost",
        ),
        region_mode=gr.Radio(
            REGION_MODE_CHOICES, value="crop", label="Region", elem_id=f"{tab.key}-mode"
        ),
    )


def _region_input(tab: DomainTab) -> image_annotator:
    """Return the image input with one-box region selection."""
    annotator = image_annotator(
        label="Image — drag a box to mark a region (optional)",
        single_box=True,
        image_type="filepath",
        # No label_list: Gradio rebuilds the annotator when an example loads and the
        # component wraps a label list twice, which breaks drawing (label.trim error).
        use_default_label=True,  # no label dialog after each box
        sources=["upload", "clipboard"],
        height=460,
        elem_id=f"{tab.key}-image",
    )
    # The stock component decodes and re-saves every upload (transparency turned black, 16-bit
    # scans clipped, no pixel limit, a generic error for a non-image): `load_image` does all
    # of that with clear messages. A subclass would do too, but Gradio then writes a .pyi
    # stub beside the module at import time.
    annotator.preprocess_image = _upload_path
    return annotator


def _question_column(w: _Widgets, ctx: AppContext, tab: DomainTab, first: str | None) -> None:
    presets, _ = tab_presets(ctx, tab)
    w.add(
        status=gr.Markdown(
            partial(handlers.status_line, ctx.session),
            elem_classes="model-status",
            elem_id=f"{tab.key}-status",
        )
    )
    with gr.Row():
        w.add(
            preset=gr.Dropdown(
                list(presets.names) if presets else [],
                value=first,
                label="Preset",
                scale=3,
                elem_id=f"{tab.key}-preset",
            ),
            language=gr.Radio(LANGUAGE_CHOICES, value="en", label="Answer in", scale=2),
        )
    w.add(
        role=gr.Textbox(
            label="Role (put ahead of the preset's instructions)",
            placeholder=f"e.g. {tab.role_example}",
            elem_id=f"{tab.key}-role",
        ),
        question=gr.Textbox(
            label="Question",
            value=handlers.preset_question(first, "en", ctx=ctx, tab=tab),
            lines=3,
            elem_id=f"{tab.key}-question",
        ),
    )
    with gr.Row(visible=tab.threshold):  # in sight: the gauges tab is about this alarm
        w.add(
            threshold=gr.Number(None, label="Alarm threshold (in the reading's unit)"),
            direction=gr.Radio(["above", "below"], value="above", label="Alarm when the value is"),
        )
    _generation_controls(w, ctx, tab, first)
    w.add(chat=gr.Chatbot(label="Conversation", height=380, elem_id=f"{tab.key}-chat"))
    with gr.Row():
        w.add(
            ask=gr.Button("Ask", variant="primary", elem_id=f"{tab.key}-ask"),
            stop=gr.Button("Stop", variant="stop", elem_id=f"{tab.key}-stop"),
            regenerate=gr.Button("Regenerate", elem_id=f"{tab.key}-regenerate"),
            clear=gr.Button("Clear", elem_id=f"{tab.key}-clear"),
        )


def _generation_controls(w: _Widgets, ctx: AppContext, tab: DomainTab, first: str | None) -> None:
    defaults = handlers.preset_controls(first, "en", ctx=ctx, tab=tab)
    with gr.Accordion("Generation and checking", open=False):
        with gr.Row():
            w.add(
                temperature=gr.Slider(0, 2, defaults.temperature, step=0.05, label="Temperature"),
                top_p=gr.Slider(0.05, 1, defaults.top_p, step=0.05, label="Top-p"),
                max_new_tokens=gr.Slider(
                    16, 4096, defaults.max_new_tokens, step=16, label="Max new tokens"
                ),
            )
        with gr.Row():
            w.add(
                strict=gr.Checkbox(
                    value=defaults.strict,
                    interactive=ctx.strict_available,
                    label="Strict JSON (schema-constrained decoding)",
                    info=None if ctx.strict_available else ctx.strict_reason,
                ),
                repair_turns=gr.Slider(0, 2, 1, step=1, label="Repair turns for invalid JSON"),
            )
        w.add(
            visual_tokens=gr.Slider(
                *cost.visual_slider_range(ctx),
                # Read on page load: once the model is loaded, the device's own budget applies
                # (and the cost line follows the slider's change).
                value=partial(cost.preset_visual_tokens, first, ctx=ctx, tab=tab),
                step=64,
                label="Visual tokens per image (max)",
                info="One token is 32×32 pixels. More reads small print better; the first word "
                "comes later. The preset sets it; the line under the image shows the cost.",
                elem_id=f"{tab.key}-visual-tokens",
            )
        )


def _results_row(w: _Widgets, tab: DomainTab) -> None:
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            w.add(
                annotated=gr.Image(
                    label="Boxes from the answer",
                    type="pil",
                    interactive=False,
                    elem_id=f"{tab.key}-annotated",
                )
            )
        with gr.Column(scale=6, min_width=360):
            w.add(
                verdict=gr.Markdown("", elem_id=f"{tab.key}-verdict"),
                checks=gr.Markdown(""),
                parsed=gr.JSON(label="Parsed JSON"),
                downloads=gr.File(label="Export", file_count="multiple", interactive=False),
            )
            with gr.Accordion("Run details", open=False):
                w.add(details=gr.JSON(label="Tokens, timings, parameters, region"))


def _examples(w: _Widgets, ctx: AppContext, tab: DomainTab) -> None:
    rows = handlers.example_rows(ctx, tab)
    if rows:
        gr.Examples(
            rows,
            inputs=[w.image, w.preset],
            label="Examples (made by the workbench; ground truth stored beside each)",
            examples_per_page=8,
            api_name=f"{tab.key}_example",
        )


def _wire(w: _Widgets, ctx: AppContext, tab: DomainTab) -> None:
    ask_inputs = [
        w.image, w.question, w.role, w.preset, w.temperature, w.top_p, w.max_new_tokens,
        w.chat, w.language, w.region_mode, w.strict, w.repair_turns, w.threshold, w.direction,
        w.visual_tokens,
    ]  # fmt: skip
    results = [w.parsed, w.verdict, w.checks, w.annotated, w.downloads, w.details]
    outputs = [w.chat, w.status, *results]
    queue = {"concurrency_id": ENGINE_QUEUE, "concurrency_limit": ctx.concurrency}
    asked = w.ask.click(
        partial(handlers.ask, ctx=ctx, tab=tab), ask_inputs, outputs,
        api_name=f"{tab.key}_ask", **queue,
    )  # fmt: skip
    submitted = w.question.submit(
        partial(handlers.ask, ctx=ctx, tab=tab), ask_inputs, outputs,
        api_name=f"{tab.key}_submit", **queue,
    )  # fmt: skip
    regenerated = w.regenerate.click(
        partial(handlers.regenerate, ctx=ctx, tab=tab), ask_inputs, outputs,
        api_name=f"{tab.key}_regenerate", **queue,
    )  # fmt: skip
    w.stop.click(
        handlers.stop, None, None, cancels=[asked, submitted, regenerated],
        api_name=f"{tab.key}_stop", queue=False,
    )  # fmt: skip
    w.clear.click(
        handlers.clear, None, [w.chat, *results], api_name=f"{tab.key}_clear", queue=False
    )
    w.preset.change(
        partial(handlers.preset_controls, ctx=ctx, tab=tab),
        [w.preset, w.language],
        [w.question, w.temperature, w.top_p, w.max_new_tokens, w.strict, w.visual_tokens],
        api_name=f"{tab.key}_preset", queue=False,
    )  # fmt: skip
    w.language.change(
        partial(handlers.preset_question, ctx=ctx, tab=tab),
        [w.preset, w.language],
        [w.question],
        api_name=f"{tab.key}_language", queue=False,
    )  # fmt: skip
    _wire_cost(w, ctx, tab, answered=(asked, submitted, regenerated))


def _wire_cost(w: _Widgets, ctx: AppContext, tab: DomainTab, answered: tuple[Any, ...]) -> None:
    """Keep the cost line under the image current: image, region, mode, preset, slider, answers."""
    line = partial(cost.cost_line, ctx=ctx, tab=tab)
    # The question, role and language only enter the wait estimate: typing does not trigger it.
    inputs = [w.image, w.region_mode, w.preset, w.visual_tokens, w.question, w.role, w.language]
    # One event for every trigger, run again with the latest values when triggered while busy:
    # an example sets the image and the preset, and the preset then moves the slider.
    gr.on(
        [w.image.change, w.region_mode.change, w.preset.change, w.visual_tokens.change],
        line, inputs, [w.cost],
        api_name=f"{tab.key}_cost", queue=False, trigger_mode="always_last",
        show_progress="hidden",  # it takes milliseconds; a timer over it would only flicker
    )  # fmt: skip
    for event in answered:  # an answer measures the prefill rate, which the line then shows
        # The same function as /<tab>_cost, so no second public endpoint.
        event.then(
            line, inputs, [w.cost], queue=False, api_visibility="private", show_progress="hidden"
        )
