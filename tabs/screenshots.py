"""The UI screenshots tab."""

from __future__ import annotations

import gradio as gr

from tabs.domain.common import build_domain_tab
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI

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


def build(ctx: AppContext, ui_language: gr.Radio) -> TabUI:
    """Lay out the tab and wire its events (words in `ui_language`); return its components."""
    return build_domain_tab(ctx, TAB, ui_language)
