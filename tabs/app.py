"""Put the tabs together into one Gradio app around one model session."""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

import gradio as gr

from tabs import TABS, cost
from tabs.answering import status_line
from tabs.context import AppContext, DomainTab, find_preset
from tabs.layout import TabUI
from workbench.examples import ensure_examples
from workbench.images import MAX_FILE_BYTES
from workbench.presets import load_all
from workbench.session import ModelSession
from workbench.settings import Settings
from workbench.strict import strict_support

THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="slate")
CSS = """
.model-status p { margin: 0; font-size: 0.92em; }
.preset-error { border-left: 4px solid #dc2626; padding-left: 0.75em; }
"""
STATUS_REFRESH_SECONDS = 3
# Uploads and exports age out of Gradio's cache: checked every 15 minutes, kept for 2 hours.
DELETE_CACHE = (15 * 60, 2 * 60 * 60)


def create_context(settings: Settings, concurrency: int = 1) -> AppContext:
    """Return what the tabs share; nothing here loads the model."""
    available, reason = strict_support(settings.engine)
    examples = ensure_examples(settings.cache_dir / "examples")
    digests = {
        hashlib.sha256(example.image_path.read_bytes()).hexdigest(): example
        for tab_examples in examples.values()
        for example in tab_examples
    }
    return AppContext(
        session=ModelSession(settings),
        settings=settings,
        presets=load_all(),
        examples=examples,
        example_digests=digests,
        strict_available=available,
        strict_reason=reason,
        concurrency=concurrency,
    )


def launch_options(ctx: AppContext) -> dict[str, Any]:
    """Return the `launch()` arguments the app needs wherever it is served (the launcher, tests)."""
    return {
        # The examples live in the cache (~/.cache/workbench), outside Gradio's temp folder.
        "allowed_paths": [str(ctx.settings.cache_dir / "examples")],
        "max_file_size": MAX_FILE_BYTES,
        "theme": THEME,
        "css": CSS,
        "footer_links": ["api"],
    }


def build_app(ctx: AppContext) -> gr.Blocks:
    """Return the app: a header with the model status, then one tab per domain."""
    with gr.Blocks(
        title="Workbench — vision answers you can check", delete_cache=DELETE_CACHE
    ) as app:
        with gr.Row():
            gr.Markdown(
                "## 🔎 Workbench\nPut a picture in front of the model and check its answer."
            )
            status = gr.Markdown(status_line(ctx.session.status), elem_id="model-status")
        built: list[tuple[DomainTab, TabUI]] = []
        with gr.Tabs():
            for tab in TABS:
                with gr.Tab(tab.TAB.title, id=tab.TAB.key):
                    built.append((tab.TAB, tab.build(ctx)))
        sliders = [ui.visual_tokens for _, ui in built]
        app.load(
            partial(_page_load, ctx=ctx, status=status, built=built),
            None,
            [status, *sliders],
            api_visibility="private",
            queue=False,
        )
        timer = gr.Timer(STATUS_REFRESH_SECONDS)
        timer.tick(partial(_status, ctx), None, status, api_name="status", queue=False)
    return app


def _status(ctx: AppContext) -> str:
    return status_line(ctx.session.status)


def _page_load(
    *, ctx: AppContext, status: gr.Markdown, built: list[tuple[DomainTab, TabUI]]
) -> dict[Any, Any]:
    """Return the status and, per tab, the slider for its first preset on this device.

    Once the model is loaded, the device's own budget applies (a GPU's is larger).
    """
    sliders = {
        ui.visual_tokens: cost.slider_default(ctx, find_preset(ctx, tab, ui.preset.value))
        for tab, ui in built
    }
    return {status: _status(ctx), **sliders}
