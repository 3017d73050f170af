"""The Homework grading tab."""

from __future__ import annotations

from tabs.common import build_domain_tab
from tabs.context import AppContext, DomainTab
from tabs.layout import TabUI

TAB = DomainTab(
    key="homework",
    title="Homework grading",
    description=(
        "Transcribe a student's solution, grade it step by step, and explain the mistake."
    ),
    role_example="You are a patient Grade 7 maths teacher.",
)
TITLE = TAB.title


def build(ctx: AppContext) -> TabUI:
    """Lay out the tab and wire its events; return its components."""
    return build_domain_tab(ctx, TAB)
