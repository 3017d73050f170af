"""The Review tab: a person checks a batch run's values, the least certain first.

The protocol is `workbench.eval.review*` (review.jsonl in the run folder); this module lays out
the widgets and wires the events to `tabs.review_handlers`. Run folders are offered from the
app's results root (what the Batch tab and the domain tabs sent to `results/review/`), never
typed, and every handler checks the folder it is given against them. Keys A / C / R / N / P
press the buttons (not while typing).
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from tabs.domain.context import AppContext
from tabs.i18n import I18N
from tabs.review_handlers import ReviewHandlers, ReviewUI, roots
from tabs.review_view import QUEUE_COLUMNS, VALUE_COLUMNS, run_folders

KEY, TITLE = "review", "Review"
ACTIONS = ("approve", "correct", "reject")
SHORTCUTS = {"a": "approve", "c": "correct", "r": "reject", "n": "next", "p": "previous"}
# Keys press the tab's buttons, by element id, unless the reviewer is typing or the tab is hidden.
KEYS_JS = """
if (!window.workbenchReviewKeys) {
    window.workbenchReviewKeys = true;
    const ids = SHORTCUT_IDS;
    document.addEventListener('keydown', (event) => {
        if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
        const target = event.target;
        const typing = target && (target.isContentEditable ||
            ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
        const id = ids[event.key.toLowerCase()];
        const button = id && document.getElementById(id);
        if (typing || !button || button.offsetParent === null) return;
        event.preventDefault();
        button.click();
    });
}
""".replace("SHORTCUT_IDS", json.dumps({key: f"review-{name}" for key, name in SHORTCUTS.items()}))


# ---------------------------------------------------------------- layout


def build(ctx: AppContext, ui_language: gr.Radio | None = None) -> ReviewUI:
    """Lay out the Review tab inside the current tab, wire its events; return its parts."""
    gr.Markdown(I18N("review.intro"))
    gr.Markdown(I18N("review.where"))
    with gr.Row():
        folder = gr.Dropdown(
            run_folders(roots(ctx)),
            value=None,
            label=I18N("review.folder.label"),
            allow_custom_value=True,  # a run made after start-up; checked by each handler
            scale=3,
            elem_id="review-folder",
        )
        refresh = gr.Button(I18N("review.refresh.button"), scale=0)
        reviewer = gr.Textbox(
            label=I18N("review.reviewer.label"), max_lines=1, scale=2, elem_id="review-reviewer"
        )
    load = gr.Button(I18N("review.load.button"), variant="primary")
    progress = gr.Markdown(elem_id="review-progress")
    with gr.Row():
        with gr.Column(scale=2):
            header = gr.Markdown(elem_id="review-header")
            image = gr.Image(
                label=I18N("review.image.label"), type="pil", interactive=False, height=420
            )
        with gr.Column(scale=3):
            values = _table(VALUE_COLUMNS, "review.values.label", "review-values")
            # Any path: the choices follow the record shown; the handlers check it is one of its.
            at = gr.Dropdown(
                [], label=I18N("review.at.label"), allow_custom_value=True, elem_id="review-at"
            )
            value = gr.Textbox(
                label=I18N("review.value.label"), max_lines=1, elem_id="review-value"
            )
            buttons = _action_buttons()
            status = gr.Markdown(elem_id="review-status")
    gr.Markdown(I18N("review.keys"))
    gr.HTML("", js_on_load=KEYS_JS, elem_id="review-keys")
    queue_list = _table(QUEUE_COLUMNS, "review.queue.label", "review-queue")
    golden = gr.Button(I18N("review.golden.button"), elem_id="review-golden")
    downloads = gr.File(
        file_count="multiple", interactive=False, label=I18N("review.downloads.label"), height=140
    )
    language = ui_language if ui_language is not None else gr.State("en")
    ui = ReviewUI(
        folder,
        reviewer,
        queue_list,
        header,
        image,
        values,
        at,
        value,
        status,
        progress,
        downloads,
        gr.State(None),
        language,
    )
    _wire(ui, ReviewHandlers(ctx, ui), refresh, load, golden, buttons)
    return ui


def _table(columns: list[str], label: str, elem_id: str) -> gr.Dataframe:
    return gr.Dataframe(
        headers=columns,
        datatype=["str"] * len(columns),
        column_count=(len(columns), "fixed"),
        interactive=False,
        wrap=True,
        label=I18N(label),
        elem_id=elem_id,
    )


def _action_buttons() -> dict[str, gr.Button]:
    """Lay out the value's, the record's and the moving buttons; return them by name."""
    with gr.Row():
        found = {
            "approve": gr.Button(
                I18N("review.approve.button"), variant="primary", elem_id="review-approve"
            ),
            "correct": gr.Button(I18N("review.correct.button"), elem_id="review-correct"),
            "reject": gr.Button(
                I18N("review.reject.button"), variant="stop", elem_id="review-reject"
            ),
        }
    with gr.Row():
        found["approve_record"] = gr.Button(I18N("review.approve_record.button"), size="sm")
        found["reject_record"] = gr.Button(I18N("review.reject_record.button"), size="sm")
    with gr.Row():
        found["previous"] = gr.Button(I18N("review.previous.button"), elem_id="review-previous")
        found["next"] = gr.Button(I18N("review.next.button"), elem_id="review-next")
    return found


def _wire(
    ui: ReviewUI,
    handlers: ReviewHandlers,
    refresh: gr.Button,
    load: gr.Button,
    golden: gr.Button,
    buttons: dict[str, gr.Button],
) -> None:
    """Wire every event, each with an API name."""
    shown, language = ui.shown(), ui.ui_language
    refresh.click(handlers.folders, None, ui.folder, api_name="review_folders", queue=False)
    load.click(handlers.load, [ui.folder, language], shown, api_name="review_load")
    moving = [ui.folder, ui.current, language]
    buttons["previous"].click(handlers.previous, moving, shown, api_name="review_previous")
    buttons["next"].click(handlers.next, moving, shown, api_name="review_next")
    ui.queue.select(handlers.jump, moving, shown, api_name="review_jump")
    ui.at.input(
        handlers.pick, [ui.folder, ui.current, ui.at, language], shown, api_name="review_pick"
    )
    acting = [ui.folder, ui.reviewer, ui.current, ui.at, ui.value]
    for action in ACTIONS:
        buttons[action].click(
            _acting(handlers, action), [*acting, language], shown, api_name=f"review_{action}"
        )
    ui.value.submit(
        _acting(handlers, "correct"), [*acting, language], shown, api_name="review_correct_enter"
    )
    whole = [ui.folder, ui.reviewer, ui.current, language]
    for action in ("approve", "reject"):
        buttons[f"{action}_record"].click(
            _acting_on_record(handlers, action), whole, shown, api_name=f"review_{action}_record"
        )
    golden.click(
        handlers.golden, [ui.folder, language], [ui.status, ui.downloads], api_name="review_golden"
    )


def _acting(handlers: ReviewHandlers, action: str) -> Any:
    """Return a button's handler: `action` on the value shown."""

    def save(folder: Any, reviewer: Any, current: Any, at: Any, text: Any, language: Any) -> dict:
        return handlers.act(folder, reviewer, current, at, text, action, language)

    return save


def _acting_on_record(handlers: ReviewHandlers, action: str) -> Any:
    """Return a button's handler: `action` on the whole record shown."""

    def save(folder: Any, reviewer: Any, current: Any, language: Any) -> dict:
        return handlers.act(folder, reviewer, current, None, None, action, language)

    return save
