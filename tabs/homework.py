"""The Homework grading tab."""

from __future__ import annotations

import gradio as gr

from tabs.domain.common import build_domain_tab
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI

TAB = DomainTab(
    key="homework",
    title="Homework grading",
    description=(
        "Transcribe a student's solution, grade it step by step, and explain the mistake."
    ),
    role_example="You are a patient Grade 7 maths teacher.",
)
KEY, TITLE = TAB.key, TAB.title


def build(ctx: AppContext, ui_language: gr.Radio) -> TabUI:
    """Lay out the tab and wire its events (words in `ui_language`); return its components."""
    return build_domain_tab(ctx, TAB, ui_language)
