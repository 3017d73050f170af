"""The Compare tab: two screenshots, what changed boxed on both, text cut short, contrast; then
the model's verdicts on the changes (`tabs.compare_judge`) and a report to file.

Comparing is deterministic and needs no model (`workbench.compare`); it runs outside the
engine's queue. What was compared stays in the tab's `gr.State` (paths, masks, the comparison,
the verdicts), so the judge and the report work on the pair on screen.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator
from PIL import Image

from tabs import compare_judge
from tabs.compare_inputs import drawn_masks, file_name, parse_masks, read_pair
from tabs.compare_parts import Compared, CompareUI
from tabs.compare_show import (
    CHANGE_COLUMNS,
    CONTRAST_COLUMNS,
    DEFECT_COLUMNS,
    changes_table,
    contrast_summary,
    contrast_table,
    summary_line,
    truncations_markdown,
)
from tabs.domain import layout  # noqa: F401 (it sets the annotator to hand over upload paths)
from tabs.domain.context import AppContext
from tabs.i18n import I18N
from tabs.wording import say
from workbench.compare import (
    CompareError,
    Comparison,
    compare_images,
    draw_comparison,
    draw_contrast,
)
from workbench.engines.base import MAX_NEW_TOKENS_RANGE, one_line

KEY = "compare"
TITLE = "Compare"
VIEW_HEIGHT = 640  # a phone screenshot whole, both side by side, in a laptop's window
log = logging.getLogger(__name__)


def build(ctx: AppContext, ui_language: gr.Radio | None = None) -> CompareUI:
    """Lay out the Compare tab inside the current `gr.Tab` and wire its events."""
    gr.Markdown(I18N("compare.description"))
    parts: dict[str, Any] = {
        "ui_language": ui_language if ui_language is not None else gr.State("en"),
        "state": gr.State(None),
    }
    with gr.Row(equal_height=False):
        for side in ("before", "after"):
            with gr.Column(min_width=300):
                parts[side] = _image_input(f"compare_tab.{side}.label", side)
    parts["masks"] = gr.Textbox(
        label=I18N("compare_tab.masks.label"),
        placeholder=I18N("compare_tab.masks.placeholder"),
        elem_id="compare-masks",
    )
    parts["run"] = gr.Button(
        I18N("compare_tab.run.button"), variant="primary", elem_id="compare-run"
    )
    parts["status"] = gr.Markdown(elem_id="compare-status")
    with gr.Column(visible=False) as parts["results"]:
        parts |= _views()
        parts |= _contrast()
        parts |= _judging()
    ui = CompareUI(**parts)
    _wire(ui, ctx)
    return ui


def _image_input(label: str, side: str) -> image_annotator:
    """Return an image input on which boxes mark regions to ignore."""
    return image_annotator(
        label=I18N(label),
        image_type="filepath",
        use_default_label=True,  # no label dialog after each box
        sources=["upload", "clipboard"],
        height=420,
        elem_id=f"compare-{side}",
    )


def _views() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with gr.Tabs():
        with gr.Tab(I18N("compare_tab.side_by_side")), gr.Row():
            parts["before_view"] = gr.Image(
                label=I18N("compare_tab.before_view.label"),
                height=VIEW_HEIGHT,
                interactive=False,
                elem_id="compare-before-view",
            )
            parts["after_view"] = gr.Image(
                label=I18N("compare_tab.after_view.label"),
                height=VIEW_HEIGHT,
                interactive=False,
                elem_id="compare-after-view",
            )
        with gr.Tab(I18N("compare_tab.slider")):
            parts["slider"] = gr.ImageSlider(
                label=I18N("compare_tab.slider.label"), interactive=False, max_height=800
            )
    parts["changes"] = gr.Dataframe(
        headers=list(CHANGE_COLUMNS),
        interactive=False,
        wrap=True,
        label=I18N("compare_tab.changes.label"),
        elem_id="compare-changes",
    )
    parts["truncations"] = gr.Markdown(elem_id="compare-truncations")
    return parts


def _contrast() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with gr.Accordion(I18N("compare_tab.contrast.accordion"), open=False):
        with gr.Row():
            parts["contrast_before"] = gr.Image(
                label=I18N("compare_tab.contrast_before.label"),
                interactive=False,
                height=VIEW_HEIGHT,
            )
            parts["contrast_after"] = gr.Image(
                label=I18N("compare_tab.contrast_after.label"),
                interactive=False,
                height=VIEW_HEIGHT,
            )
        parts["contrast_summary"] = gr.Markdown(elem_id="compare-contrast-summary")
        parts["contrast_table"] = gr.Dataframe(
            headers=list(CONTRAST_COLUMNS),
            interactive=False,
            wrap=True,
            label=I18N("compare_tab.contrast_table.label"),
        )
    return parts


def _judging() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    with gr.Accordion(I18N("compare_tab.judge.accordion"), open=True):
        with gr.Row():
            parts["judge"] = gr.Button(I18N("compare_tab.judge.button"), elem_id="compare-judge")
            parts["max_new_tokens"] = gr.Slider(
                *MAX_NEW_TOKENS_RANGE, value=1024, step=1, label=I18N("max_new_tokens.label")
            )
        parts["judge_status"] = gr.Markdown(elem_id="compare-judge-status")
        parts["answer"] = gr.Textbox(
            label=I18N("compare_tab.answer.label"), lines=4, max_lines=12, interactive=False
        )
        parts["verdicts"] = gr.Markdown(elem_id="compare-verdicts")
        parts["defects"] = gr.Dataframe(
            headers=list(DEFECT_COLUMNS),
            interactive=False,
            wrap=True,
            label=I18N("compare_tab.defects.label"),
        )
    with gr.Row():
        parts["report"] = gr.Button(I18N("compare_tab.report.button"), elem_id="compare-report")
        parts["report_file"] = gr.File(
            label=I18N("compare_tab.report.label"),
            interactive=False,
            visible=False,  # shown once there is a report
            elem_id="compare-report-file",
        )
    return parts


def _wire(ui: CompareUI, ctx: AppContext) -> None:
    """Wire Compare (no model, no engine queue), the judge (the engine's queue) and the report."""
    shown = [
        ui.state, ui.status, ui.results, ui.before_view, ui.after_view, ui.slider, ui.changes,
        ui.truncations, ui.contrast_before, ui.contrast_after, ui.contrast_summary,
        ui.contrast_table, ui.answer, ui.verdicts, ui.defects, ui.judge_status, ui.report_file,
    ]  # fmt: skip
    ui.run.click(
        partial(run_compare, ui=ui),
        [ui.before, ui.after, ui.masks, ui.ui_language],
        shown,
        api_name=f"{KEY}_run",
    )
    compare_judge.wire(ui, ctx)


def run_compare(
    before: dict | None,
    after: dict | None,
    masks: str | None,
    language: str | None,
    *,
    ui: CompareUI,
) -> dict[Any, Any]:
    """Compare button: load both screenshots, compare them, show what was found."""
    said = language or "en"
    try:
        images = read_pair(before, after, said)
        boxes = parse_masks(masks, said) + drawn_masks(before) + drawn_masks(after, images)
        comparison = compare_images(images[0][0], images[1][0], boxes)
    except gr.Error as error:
        return refused(ui, error.message)
    except CompareError as error:
        return refused(ui, error.text(said))
    except Exception as error:  # the server log keeps the traceback; the user gets one line
        log.exception("comparing two screenshots failed")
        return refused(ui, say("compare_tab.failed", said, error=one_line(error)))
    (before_image, before_path), (after_image, after_path) = images
    state = Compared(
        before_path, after_path, file_name(before_path), file_name(after_path), comparison
    )
    return ui.updates(_shown(before_image, after_image, comparison, said) | {"state": state})


def _shown(before: Image.Image, after: Image.Image, comparison: Comparison, said: str) -> dict:
    """Return every view of a comparison, and the model's part and the report cleared."""
    drawn = (before, after) if comparison.problem else draw_comparison(before, after, comparison)
    sides = (("before", comparison.contrast_before), ("after", comparison.contrast_after))
    lines = [*comparison.contrast_before, *comparison.contrast_after]
    return {
        "status": summary_line(comparison, said),
        "results": gr.update(visible=True),
        "before_view": drawn[0],
        "after_view": drawn[1],
        # The slider lays one image over the other: the same size, or the handle lies.
        "slider": (drawn[0], drawn[1].resize(drawn[0].size)),
        "changes": changes_table(comparison, said),
        "truncations": truncations_markdown(comparison, said),
        "contrast_before": draw_contrast(before, comparison.contrast_before),
        "contrast_after": draw_contrast(after, comparison.contrast_after),
        "contrast_summary": contrast_summary(lines, said),
        "contrast_table": contrast_table(sides, said),
        "answer": "",
        "verdicts": "",
        "defects": compare_judge.empty_defects(said),
        "judge_status": "",
        "report_file": gr.update(value=None, visible=False),
    }


def refused(ui: CompareUI, message: str, status: str = "status") -> dict[Any, Any]:
    """Return a user's mistake: a toast and the status line; nothing else moves."""
    log.info("refused: %s", message)
    gr.Warning(message)
    return ui.updates({status: f"⚠️ {message}"})
