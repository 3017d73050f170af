"""The UI screenshots tab: the domain tab, and the contrast of each text line of the upload."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from tabs.compare_show import CONTRAST_COLUMNS, contrast_summary, contrast_table, empty_table
from tabs.domain.common import build_domain_tab
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI
from tabs.i18n import I18N
from tabs.wording import say
from workbench.compare import CompareError, contrast_lines, draw_contrast, load_screenshot
from workbench.engines.base import one_line
from workbench.evidence.ocr import read_lines
from workbench.intake.images import ImageError

TAB = DomainTab(
    key="screenshots",
    title="UI screenshots",
    description=(
        "Find what is wrong on an app screen — truncated labels, overlapping or "
        "misaligned elements — each boxed on the screenshot."
    ),
    role_example="You are a senior Android QA engineer.",
)
KEY, TITLE = TAB.key, TAB.title
log = logging.getLogger(__name__)


def build(ctx: AppContext, ui_language: gr.Radio) -> TabUI:
    """Lay out the tab and wire its events (words in `ui_language`); return its components."""
    ui = build_domain_tab(ctx, TAB, ui_language)
    _contrast_section(ui)
    return ui


def _contrast_section(ui: TabUI) -> None:
    """Add the readability section under the answer, checked whenever the screenshot changes."""
    accordion = gr.Accordion(I18N("screenshot_contrast.accordion"), open=False)
    with accordion, gr.Row(equal_height=False):
        image = gr.Image(
            label=I18N("screenshot_contrast.image.label"),
            interactive=False,
            scale=2,
            elem_id=f"{KEY}-contrast-image",
        )
        with gr.Column(scale=3):
            summary = gr.Markdown(elem_id=f"{KEY}-contrast-summary")
            table = gr.Dataframe(
                headers=list(CONTRAST_COLUMNS),
                interactive=False,
                wrap=True,
                label=I18N("compare_tab.contrast_table.label"),
            )
    # The OCR it reads is cached: the answer's evidence then reads the same lines for free.
    ui.image.change(
        screenshot_contrast,
        [ui.image, ui.ui_language],
        [image, summary, table],
        api_name=f"{KEY}_contrast",
        trigger_mode="always_last",
        show_progress="minimal",
    )


def screenshot_contrast(value: dict | None, language: str | None) -> tuple[Any, str, Any]:
    """Return the screenshot with its failing lines boxed, the summary, and a row per line."""
    said = language or "en"
    empty = empty_table(CONTRAST_COLUMNS, said)
    path = value.get("image") if isinstance(value, dict) else None
    if not path:
        return None, "", empty
    try:
        image = load_screenshot(str(path))
        lines = contrast_lines(image, read_lines(image))
    except (CompareError, ImageError) as error:  # a PDF, or no image: the tab says so on Ask
        return None, error.text(said), empty
    except Exception as error:  # the answer matters more: one line, and the tab goes on
        log.exception("the contrast check failed")
        return (
            None,
            say("compare_tab.contrast.failed", said, error=one_line(error)),
            empty_table(CONTRAST_COLUMNS, said),
        )
    table = contrast_table([("image", lines)], said)
    return draw_contrast(image, lines), contrast_summary(lines, said), table
