"""What the Compare tab is made of: its components by name, and the pair on screen (its state).

Apart from `tabs.compare`, so that the judge (`tabs.compare_judge`) names them without
importing the tab that wires it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator

from workbench.compare import Comparison


@dataclass(frozen=True)
class Compared:
    """The pair on screen, as the judge and the report need it (small: paths, not pixels)."""

    before_path: str
    after_path: str
    before_name: str
    after_name: str
    comparison: Comparison
    defects: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class CompareUI:
    """The tab's components, by name."""

    ui_language: gr.Radio | gr.State
    state: gr.State
    before: image_annotator
    after: image_annotator
    masks: gr.Textbox
    run: gr.Button
    status: gr.Markdown
    results: gr.Column
    before_view: gr.Image
    after_view: gr.Image
    slider: gr.ImageSlider
    changes: gr.Dataframe
    truncations: gr.Markdown
    contrast_before: gr.Image
    contrast_after: gr.Image
    contrast_summary: gr.Markdown
    contrast_table: gr.Dataframe
    max_new_tokens: gr.Slider
    judge: gr.Button
    judge_status: gr.Markdown
    answer: gr.Textbox
    verdicts: gr.Markdown
    defects: gr.Dataframe
    report: gr.Button
    report_file: gr.File

    def updates(self, values: dict[str, Any]) -> dict[Any, Any]:
        """Return name-keyed updates keyed by component, as Gradio takes them."""
        return {getattr(self, name): value for name, value in values.items()}
