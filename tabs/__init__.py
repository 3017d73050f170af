"""The Gradio face: one module per tab, the domain tabs' machinery in `tabs.domain`; the
registry is `tabs.app.TABS`."""
