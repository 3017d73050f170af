"""Put the tabs together into one Gradio app around one model session."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr

from tabs import batch, compare, evaluate, gauges, homework, receipts, review, screenshots
from tabs.agents import add_tools
from tabs.domain import cost
from tabs.domain.answering import status_line
from tabs.domain.context import AppContext, DomainTab, find_preset
from tabs.domain.layout import TabUI
from tabs.i18n import DETECT_LANGUAGE_JS, I18N, UI_LANGUAGE_CHOICES, relabel, translated
from workbench.engines.choice import choose_engine
from workbench.engines.strict import strict_support
from workbench.examples import ensure_examples
from workbench.intake import file_digest
from workbench.intake.images import MAX_FILE_BYTES
from workbench.prompts.presets import load_all
from workbench.session import ModelSession
from workbench.settings import Settings

# The tabs in display order. Each module has a KEY, a TITLE and `build(ctx, ui_language)`.
DOMAIN_TABS = (receipts, screenshots, homework, gauges)
# Not domain tabs: two screenshots compared, many files with one preset, and people grading an
# eval run.
TABS = (receipts, screenshots, compare, homework, gauges, batch, review, evaluate)
# Each domain tab is also a tool for agents (`/<tab>_tool`; MCP with `launch.py --mcp`).
AGENT_TABS = tuple(tab.TAB for tab in DOMAIN_TABS)
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
    available, reason = strict_support(choose_engine(settings).engine)
    examples = ensure_examples(settings.cache_dir / "examples")
    digests = {
        file_digest(example.image_path): example
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
        results_root=Path("eval-results").resolve(),
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
        "i18n": I18N,  # the browser's language picks the labels on first paint
    }


def build_app(ctx: AppContext) -> gr.Blocks:
    """Return the app: a header with the model status and the page's language, then the tabs."""
    with gr.Blocks(
        title="Workbench — vision answers you can check", delete_cache=DELETE_CACHE
    ) as app:
        with gr.Row():
            gr.Markdown(I18N("page.header"))
            with gr.Column(min_width=240):
                status = gr.Markdown(status_line(ctx.session.status), elem_id="model-status")
                ui_language = gr.Radio(
                    UI_LANGUAGE_CHOICES,
                    value="en",
                    label=I18N("page.ui_language"),
                    elem_id="ui-language",
                )
        built: list[tuple[DomainTab, TabUI]] = []
        with gr.Tabs():
            for tab in TABS:
                with gr.Tab(I18N(f"{tab.KEY}.title"), id=tab.KEY):
                    ui = tab.build(ctx, ui_language)
                if tab in DOMAIN_TABS:
                    built.append((tab.TAB, ui))
        _wire_page(app, ctx, status, ui_language, built)
        add_tools(app, ctx, AGENT_TABS)
        ctx.departures.watch(app)  # what Gradio keeps for a closed page goes, in time
    return app


def _wire_page(
    app: gr.Blocks,
    ctx: AppContext,
    status: gr.Markdown,
    ui_language: gr.Radio,
    built: list[tuple[DomainTab, TabUI]],
) -> None:
    """Wire the page: its language from the browser, its language switch, the status timer."""
    sliders = [ui.visual_tokens for _, ui in built]
    app.load(
        partial(_page_load, ctx=ctx, status=status, ui_language=ui_language, built=built),
        [ui_language],
        [ui_language, status, *sliders],
        js=DETECT_LANGUAGE_JS,  # what it returns is the input: the browser's language
        api_visibility="private",
        queue=False,
    )
    # Every block that shows an I18N key is worded again when the page's language changes.
    texts = {block: keys for block in app.blocks.values() if (keys := translated(block))}
    ui_language.change(
        partial(_switch_language, ctx=ctx, status=status, texts=texts),
        [ui_language],
        [status, *texts],
        api_visibility="private",
        queue=False,
        show_progress="hidden",
    )
    timer = gr.Timer(STATUS_REFRESH_SECONDS)
    timer.tick(partial(_status, ctx), [ui_language], status, api_name="status", queue=False)


def _status(ctx: AppContext, ui_language: str = "en") -> str:
    """Return the model's status line in the page's language."""
    return status_line(ctx.session.status, ui_language)


def _switch_language(
    language: str, *, ctx: AppContext, status: gr.Markdown, texts: dict[Any, dict[str, Any]]
) -> dict[Any, Any]:
    """Return the page's texts and the status line in the chosen language."""
    return {status: _status(ctx, language), **relabel(texts, language)}


def _page_load(
    language: str,
    *,
    ctx: AppContext,
    status: gr.Markdown,
    ui_language: gr.Radio,
    built: list[tuple[DomainTab, TabUI]],
) -> dict[Any, Any]:
    """Return the browser's language, the status and, per tab, its first preset's slider.

    Once the model is loaded, the device's own budget applies (a GPU's is larger).
    """
    sliders = {
        ui.visual_tokens: cost.slider_default(ctx, find_preset(ctx, tab, ui.preset.value))
        for tab, ui in built
    }
    return {ui_language: language, status: _status(ctx, language), **sliders}
