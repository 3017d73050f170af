"""The builder the domain tabs share: a tab is a `DomainTab` and its presets file.

A tab module holds its `DomainTab` and `build(ctx, ui_language)`, which calls
`build_domain_tab`: the layout (`tabs.domain.layout`) fed by the tab's presets and examples, then
its events (`tabs.domain.events`). Handlers (`tabs.domain.handlers`) are module-level functions;
per-user data travels in each event's values.
"""

from __future__ import annotations

import gradio as gr

from tabs.domain import events, layout
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI


def build_domain_tab(ctx: AppContext, tab: DomainTab, ui_language: gr.Radio) -> TabUI:
    """Lay out one domain tab inside the current `gr.Tab`, wire its events; return its parts.

    `ui_language` is the page's language switch: the tab's handlers word what they say in it.
    """
    ui = layout.lay_out(ctx, tab, ui_language)
    events.wire(ui, ctx, tab)
    return ui
