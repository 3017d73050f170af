"""The layout every domain tab shares: one builder fed by the tab's presets and examples.

Each part of the layout returns its components by name; `TabUI` holds them all, so events and
handlers refer to a component by its name and nothing is counted by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator

from tabs.domain import cost
from tabs.domain.context import AppContext, DomainTab, tab_presets
from tabs.domain.handlers import PresetDefaults, example_labels, example_rows, preset_defaults
from tabs.i18n import I18N
from workbench.engines.base import MAX_NEW_TOKENS_RANGE, TEMPERATURE_RANGE
from workbench.prompts.conversation import Conversation

LANGUAGE_CHOICES = [("English", "en"), ("中文", "zh")]  # the prompt's language
REGION_MODE_CHOICES = [
    (I18N("region.crop"), "crop"),
    (I18N("region.highlight"), "highlight"),
]
DIRECTION_CHOICES = [(I18N("direction.above"), "above"), (I18N("direction.below"), "below")]
ENHANCE_CHOICES = [(I18N(f"enhance.{mode}"), mode) for mode in ("auto", "on", "off")]
TOP_P_STEP = 0.05  # the slider's lowest value too: top-p must be above 0


@dataclass(frozen=True)
class TabUI:
    """The components of one domain tab, by name (the page's language switch among them)."""

    ui_language: gr.Radio
    conversation: gr.State
    image: Any
    enhanced: gr.Markdown
    document: gr.File
    thumbnails: gr.Gallery
    pages: gr.Dropdown
    cost: gr.Markdown
    region_mode: gr.Radio
    enhance: gr.Radio
    run_status: gr.Markdown
    preset: gr.Dropdown
    language: gr.Radio
    role: gr.Textbox
    question: gr.Textbox
    threshold: gr.Textbox
    direction: gr.Radio
    temperature: gr.Slider
    top_p: gr.Slider
    max_new_tokens: gr.Slider
    strict: gr.Checkbox
    repair_turns: gr.Slider
    visual_tokens: gr.Slider
    abstain_below: gr.Slider
    chat: gr.Chatbot
    ask: gr.Button
    stop: gr.Button
    regenerate: gr.Button
    clear: gr.Button
    annotated: gr.Image
    verdict: gr.Markdown
    checks: gr.Markdown
    evidence: gr.Markdown
    truth: gr.Markdown
    parsed: gr.JSON
    downloads: gr.File
    send_review: gr.Button
    sent: gr.Markdown  # what Send to review did, or why not
    details: gr.JSON

    def pick(self, names: tuple[str, ...]) -> dict[str, Any]:
        """Return the named components, as `inputs_kwargs` takes them."""
        return {name: getattr(self, name) for name in names}

    def updates(self, values: dict[str, Any]) -> dict[Any, Any]:
        """Return name-keyed updates keyed by component, as Gradio takes them."""
        return {getattr(self, name): value for name, value in values.items()}


def lay_out(ctx: AppContext, tab: DomainTab, ui_language: gr.Radio) -> TabUI:
    """Lay out one domain tab inside the current `gr.Tab`; return its components."""
    presets, error = tab_presets(ctx, tab)
    gr.Markdown(I18N(f"{tab.key}.description"))
    if error:
        with gr.Column(elem_classes="preset-error"):
            gr.Markdown(I18N("preset.error"))
            gr.Markdown(f"`{error}`", elem_id=f"{tab.key}-preset-error")
    first = presets.presets[0].name if presets else None
    defaults = preset_defaults(first, "en", ctx=ctx, tab=tab)
    parts: dict[str, Any] = {"ui_language": ui_language, "conversation": gr.State(Conversation())}
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            parts |= _image_column(ctx, tab, first)
        with gr.Column(scale=6, min_width=360):
            parts |= _question_column(ctx, tab, first, defaults)
    # The examples come right under the controls, where a first-time visitor looks, and the
    # results below them; the examples need the image and preset inputs, so they come last.
    with gr.Row() as examples_row:
        pass
    parts |= _results_row(tab)
    ui = TabUI(**parts)
    with examples_row:
        _examples(ui, ctx, tab)
    return ui


def _image_column(ctx: AppContext, tab: DomainTab, first: str | None) -> dict[str, Any]:
    parts: dict[str, Any] = {
        "image": _region_input(tab),
        # What enhancement did to the image the model sees ("brightened (CLAHE), …").
        "enhanced": gr.Markdown("", elem_id=f"{tab.key}-enhanced"),
        # With no image yet, it says whether the preset's budget is capped on this device.
        "cost": gr.Markdown(
            cost.cost_line(None, "crop", first, None, ctx=ctx, tab=tab),
            elem_classes="visual-cost",
            elem_id=f"{tab.key}-cost",
        ),
    }
    with gr.Row():
        parts["region_mode"] = gr.Radio(
            REGION_MODE_CHOICES, value="crop", label=I18N("region.label"), elem_id=f"{tab.key}-mode"
        )
        parts["enhance"] = gr.Radio(
            ENHANCE_CHOICES, value="auto", label=I18N("enhance.label"), elem_id=f"{tab.key}-enhance"
        )
    parts["document"] = gr.File(
        label=I18N("document.label"),
        file_types=[".pdf", ".heic", ".heif"],
        height=140,
        elem_id=f"{tab.key}-document",
    )
    parts["thumbnails"] = gr.Gallery(
        label=I18N("thumbnails.label"),
        columns=6,
        height=170,
        allow_preview=False,
        visible=False,
        elem_id=f"{tab.key}-thumbnails",
    )
    # A dropdown, not checkboxes: its choices change per document, and a checkbox group
    # refuses a value outside the choices it was built with in events outside the queue.
    parts["pages"] = gr.Dropdown(
        [],
        multiselect=True,
        allow_custom_value=True,
        label=I18N("pages.label"),
        visible=False,
        elem_id=f"{tab.key}-pages",
    )
    return parts


def _region_input(tab: DomainTab) -> image_annotator:
    """Return the image input with one-box region selection."""
    return image_annotator(
        label=I18N("image.label"),
        single_box=True,
        image_type="filepath",
        # No label_list: Gradio rebuilds the annotator when an example loads and the
        # component wraps a label list twice, which breaks drawing (label.trim error).
        use_default_label=True,  # no label dialog after each box
        sources=["upload", "clipboard"],
        height=460,
        elem_id=f"{tab.key}-image",
    )


def _upload_path(component: Any, image: Any) -> str | None:
    """Return the uploaded file's path, untouched, for `load_image` to check and convert."""
    return None if image is None else str(image.path)


# The stock component decodes and re-saves every upload (transparency turned black, 16-bit scans
# clipped, no pixel limit, a generic error for a non-image): `load_image` does all of that with
# clear messages. Set on the class: Gradio rebuilds a session's copy of a component from its
# class when an event updates it (an example, a PDF's page), and that copy must do the same. A
# subclass would do too, but Gradio then writes a .pyi stub beside the module at import time.
image_annotator.preprocess_image = _upload_path


def _question_column(
    ctx: AppContext, tab: DomainTab, first: str | None, defaults: PresetDefaults
) -> dict[str, Any]:
    presets, _ = tab_presets(ctx, tab)
    parts: dict[str, Any] = {
        "run_status": gr.Markdown(elem_classes="model-status", elem_id=f"{tab.key}-status")
    }
    with gr.Row():
        parts["preset"] = gr.Dropdown(
            list(presets.names) if presets else [],
            value=first,
            label=I18N("preset.label"),
            scale=3,
            elem_id=f"{tab.key}-preset",
        )
        parts["language"] = gr.Radio(
            LANGUAGE_CHOICES,
            value="en",
            label=I18N("language.label"),
            scale=2,
            elem_id=f"{tab.key}-language",
        )
    parts["role"] = gr.Textbox(
        "",
        label=I18N("role.label"),
        placeholder=I18N(f"{tab.key}.role_example"),
        elem_id=f"{tab.key}-role",
    )
    parts["question"] = gr.Textbox(
        label=I18N("question.label"),
        value=defaults.question,
        lines=3,
        elem_id=f"{tab.key}-question",
    )
    with gr.Row(visible=tab.threshold):  # in sight: the gauges tab is about this alarm
        # A text box, not gr.Number: the browser sends a Number's empty value as 0.
        parts["threshold"] = gr.Textbox(
            "",
            label=I18N("threshold.label"),
            placeholder=I18N("threshold.placeholder"),
            elem_id=f"{tab.key}-threshold",
        )
        parts["direction"] = gr.Radio(
            DIRECTION_CHOICES, value="above", label=I18N("direction.label")
        )
    parts |= _generation_controls(ctx, tab, defaults)
    parts["chat"] = gr.Chatbot(
        label=I18N("chat.label"),
        show_label=False,  # a floating label would sit over the first message
        placeholder=I18N("chat.placeholder"),
        height=380,
        elem_id=f"{tab.key}-chat",
    )
    with gr.Row():
        parts["ask"] = gr.Button(I18N("ask.button"), variant="primary", elem_id=f"{tab.key}-ask")
        parts["stop"] = gr.Button(I18N("stop.button"), variant="stop", elem_id=f"{tab.key}-stop")
        parts["regenerate"] = gr.Button(I18N("regenerate.button"), elem_id=f"{tab.key}-regenerate")
        parts["clear"] = gr.Button(I18N("clear.button"), elem_id=f"{tab.key}-clear")
    return parts


def _generation_controls(
    ctx: AppContext, tab: DomainTab, defaults: PresetDefaults
) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with gr.Accordion(I18N("generation.accordion"), open=False):
        with gr.Row():
            parts["temperature"] = gr.Slider(
                *TEMPERATURE_RANGE, defaults.temperature, step=0.05, label=I18N("temperature.label")
            )
            parts["top_p"] = gr.Slider(
                TOP_P_STEP, 1, defaults.top_p, step=TOP_P_STEP, label=I18N("top_p.label")
            )
        with gr.Row():  # two a row: three squeeze "Max new tokens" onto three lines
            parts["max_new_tokens"] = gr.Slider(
                *MAX_NEW_TOKENS_RANGE,
                defaults.max_new_tokens,
                step=1,
                label=I18N("max_new_tokens.label"),
            )
            parts["repair_turns"] = gr.Slider(0, 2, 1, step=1, label=I18N("repair_turns.label"))
        parts["strict"] = gr.Checkbox(
            value=defaults.strict,
            interactive=ctx.strict_available,
            label=I18N("strict.label"),
            info=None if ctx.strict_available else ctx.strict_reason,
        )
        parts["visual_tokens"] = gr.Slider(
            *cost.visual_slider_range(ctx),
            # Set again on page load: once the model is loaded, the device's own budget applies.
            value=defaults.visual_tokens,
            step=64,
            label=I18N("visual_tokens.label"),
            info=I18N("visual_tokens.info"),
            elem_id=f"{tab.key}-visual-tokens",
        )
        parts["abstain_below"] = gr.Slider(
            0,
            1,
            defaults.abstain_below,
            step=0.05,
            label=I18N("abstain_below.label"),
            elem_id=f"{tab.key}-abstain-below",
        )
    return parts


def _results_row(tab: DomainTab) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            parts["annotated"] = gr.Image(
                label=I18N("annotated.label"),
                type="pil",
                interactive=False,
                elem_id=f"{tab.key}-annotated",
            )
            gr.Markdown(I18N("legend.boxes"), elem_classes="box-legend")
        with gr.Column(scale=6, min_width=360):
            parts["verdict"] = gr.Markdown("", elem_id=f"{tab.key}-verdict")
            parts["checks"] = gr.Markdown("")
            parts["evidence"] = gr.Markdown("", elem_id=f"{tab.key}-evidence")
            parts["truth"] = gr.Markdown("", elem_id=f"{tab.key}-truth")
            parts["parsed"] = gr.JSON(label=I18N("parsed.label"))
            parts["downloads"] = gr.File(
                label=I18N("downloads.label"), file_count="multiple", interactive=False
            )
            # The answer into the team's review queue (`tabs.send_review`); until then it is
            # this user's own.
            parts["send_review"] = gr.Button(
                I18N("send_review.button"), size="sm", elem_id=f"{tab.key}-send-review"
            )
            parts["sent"] = gr.Markdown("", elem_id=f"{tab.key}-sent")
            with gr.Accordion(I18N("details.accordion"), open=False):
                parts["details"] = gr.JSON(label=I18N("details.label"))
    return parts


def _examples(ui: TabUI, ctx: AppContext, tab: DomainTab) -> None:
    rows = example_rows(ctx, tab)
    if rows:
        gr.Examples(
            rows,
            inputs=[ui.image, ui.preset],
            label=I18N("examples.label"),
            example_labels=example_labels(ctx, tab),
            examples_per_page=8,
            api_name=f"{tab.key}_example",
        )
