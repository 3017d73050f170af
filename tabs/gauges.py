"""The Gauges & meters tab."""

from __future__ import annotations

import gradio as gr

from tabs.domain.common import build_domain_tab
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI

TAB = DomainTab(
    key="gauges",
    title="Gauges & meters",
    description=(
        "Read analog gauges and digital meters, check the value against the "
        "scale, and raise an alarm past your threshold."
    ),
    role_example="You are a plant maintenance technician doing a morning round.",
    threshold=True,
)
KEY, TITLE = TAB.key, TAB.title


def build(ctx: AppContext, ui_language: gr.Radio) -> TabUI:
    """Lay out the tab and wire its events (words in `ui_language`); return its components."""
    return build_domain_tab(ctx, TAB, ui_language)
