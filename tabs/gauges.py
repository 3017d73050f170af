"""The Gauges & meters tab."""

from __future__ import annotations

from tabs.common import build_domain_tab
from tabs.context import AppContext, DomainTab
from tabs.layout import TabUI

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
TITLE = TAB.title


def build(ctx: AppContext) -> TabUI:
    """Lay out the tab and wire its events; return its components."""
    return build_domain_tab(ctx, TAB)
