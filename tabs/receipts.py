"""The Receipts & invoices tab."""

from __future__ import annotations

import gradio as gr

from tabs.domain.common import build_domain_tab
from tabs.domain.context import AppContext, DomainTab
from tabs.domain.layout import TabUI

TAB = DomainTab(
    key="receipts",
    title="Receipts & invoices",
    description=(
        "Read receipts and invoices into checked JSON: line items, discounts, "
        "tax and totals, with the arithmetic verified."
    ),
    role_example="You are an accounts-payable clerk who checks every figure.",
)
KEY, TITLE = TAB.key, TAB.title


def build(ctx: AppContext, ui_language: gr.Radio) -> TabUI:
    """Lay out the tab and wire its events (words in `ui_language`); return its components."""
    return build_domain_tab(ctx, TAB, ui_language)
