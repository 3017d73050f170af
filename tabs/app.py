"""Put the tabs together into one Gradio app around one model session."""

from __future__ import annotations

from functools import partial

import gradio as gr

from tabs import TABS
from tabs.context import AppContext
from tabs.handlers import status_line
from workbench.examples import ensure_examples
from workbench.presets import load_all
from workbench.session import ModelSession
from workbench.settings import Settings
from workbench.strict import strict_support

THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate")
CSS = """
.model-status p { margin: 0; font-size: 0.92em; }
.preset-error { border-left: 4px solid #dc2626; padding-left: 0.75em; }
footer { display: none !important; }
"""
STATUS_REFRESH_SECONDS = 3


def create_context(settings: Settings, concurrency: int = 1) -> AppContext:
    """Return what the tabs share; nothing here loads the model."""
    available, reason = strict_support(settings.engine)
    return AppContext(
        session=ModelSession(settings),
        settings=settings,
        presets=load_all(),
        examples=ensure_examples(settings.cache_dir / "examples"),
        strict_available=available,
        strict_reason=reason,
        concurrency=concurrency,
    )


def build_app(ctx: AppContext) -> gr.Blocks:
    """Return the app: a header with the model status, then one tab per domain."""
    with gr.Blocks(title="Workbench — vision answers you can check") as app:
        with gr.Row():
            gr.Markdown(
                "## 🔎 Workbench\nPut a picture in front of the model and check its answer."
            )
            status = gr.Markdown(partial(status_line, ctx.session), elem_id="model-status")
        with gr.Tabs():
            for tab in TABS:
                with gr.Tab(tab.TITLE, id=tab.TAB.key):
                    tab.build(ctx)
        timer = gr.Timer(STATUS_REFRESH_SECONDS)
        timer.tick(partial(status_line, ctx.session), None, status, api_name="status", queue=False)
    return app
