"""The Gradio tabs: one module each, registered here in display order."""

from tabs import gauges, homework, receipts, screenshots

TABS = (receipts, screenshots, homework, gauges)
