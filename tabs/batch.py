"""The Batch tab: one preset over many files, a row per file as it finishes, and the downloads;
and a regression run over two folders of screenshots (`tabs.batch_compare`).

The work is `workbench.batch.run.run_batch`; this module only lays out the widgets, turns its rows
into a table and a status line, and keeps each run's files in Gradio's upload folder
(`workbench-batch/<uuid>`), which Gradio serves and ages out. The run is that user's own until
Send to review copies it into the team's results folder (`workbench.eval.review_send`).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from tabs import batch_compare
from tabs.domain.context import AppContext
from tabs.domain.events import ENGINE_QUEUE
from tabs.i18n import I18N, TEXT
from tabs.send_review import send_batch_run
from tabs.wording import say
from workbench.batch.run import ANNOTATED, RESULTS, TABLE, Row, run_batch
from workbench.engines.base import MAX_NEW_TOKENS_RANGE
from workbench.intake.files import collect
from workbench.prompts.presets import Preset, PresetFile
from workbench.session import ModelLoadError

KEY = "batch"  # the Stop signal's key beside the browser session, and the API names' prefix
OUTPUT_FOLDER = "workbench-batch"  # inside Gradio's upload folder
FILE_TYPES = ["image", ".pdf", ".zip", ".heic", ".heif"]
COLUMNS = ["file", "result", "valid", "checks", "not on the image", "key fields"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchUI:
    """The tab's components, by name."""

    files: gr.File
    tab: gr.Dropdown
    preset: gr.Dropdown
    max_new_tokens: gr.Slider
    run: gr.Button
    stop: gr.Button
    status: gr.Markdown
    table: gr.Dataframe
    downloads: gr.File
    ui_language: gr.Radio | gr.State
    send_review: gr.Button
    sent_run: gr.State  # {"folder", "tab", "preset"} of this user's last run, for Send to review


def loaded_tabs(ctx: AppContext) -> dict[str, PresetFile]:
    """Return the domain tabs whose presets loaded, by key."""
    return {key: found for key, found in ctx.presets.items() if isinstance(found, PresetFile)}


def build(ctx: AppContext, ui_language: gr.Radio | None = None) -> BatchUI:
    """Lay out the Batch tab inside the current `gr.Tab` and wire its events."""
    tabs = loaded_tabs(ctx)
    first_tab = next(iter(tabs), None)
    names = list(tabs[first_tab].names) if first_tab else []
    first = tabs[first_tab].presets[0] if names else None
    gr.Markdown(I18N("batch.description"))
    files = gr.File(file_count="multiple", file_types=FILE_TYPES, label=I18N("batch.files.label"))
    with gr.Row():
        tab = gr.Dropdown(
            [(_tab_title(key), key) for key in tabs], value=first_tab, label=I18N("batch.tab.label")
        )
        # Any name: the choices follow the tab in the browser, and an API caller may name any
        # tab's preset in one call; Run checks the pair and says when it does not fit.
        preset = gr.Dropdown(
            names,
            value=names[0] if names else None,
            allow_custom_value=True,
            label=I18N("preset.label"),
        )
    with gr.Accordion(I18N("batch.options.accordion"), open=False):
        max_new_tokens = gr.Slider(
            *MAX_NEW_TOKENS_RANGE,
            value=_tokens(first),
            step=1,
            label=I18N("max_new_tokens.label"),
        )
    with gr.Row():
        run = gr.Button(I18N("batch.run.button"), variant="primary")
        stop = gr.Button(I18N("stop.button"), variant="stop")
    status = gr.Markdown()
    table = gr.Dataframe(
        headers=COLUMNS,
        datatype=["str"] * len(COLUMNS),
        column_count=(len(COLUMNS), "fixed"),
        interactive=False,
        wrap=True,
        label=I18N("batch.table.label"),
    )
    downloads = gr.File(file_count="multiple", interactive=False, label=I18N("downloads.label"))
    send_review = gr.Button(I18N("send_review.button"), size="sm", elem_id="batch-send-review")
    language = ui_language if ui_language is not None else gr.State("en")
    ui = BatchUI(
        files,
        tab,
        preset,
        max_new_tokens,
        run,
        stop,
        status,
        table,
        downloads,
        language,
        send_review,
        gr.State(None),
    )
    _wire(ui, ctx)
    # Screenshots of two builds, compared pair by pair (no model): a regression run.
    batch_compare.build(language, ctx)
    return ui


def _wire(ui: BatchUI, ctx: AppContext) -> None:
    """Wire Run (through the engine's queue), Stop and the dropdowns; each has an API name."""
    handlers = BatchHandlers(ctx, ui)
    ui.run.click(
        handlers.run,
        [ui.files, ui.tab, ui.preset, ui.max_new_tokens, ui.ui_language],
        [ui.status, ui.table, ui.downloads, ui.sent_run],
        api_name=f"{KEY}_run",
        concurrency_id=ENGINE_QUEUE,
        concurrency_limit=ctx.concurrency,
    )
    ui.send_review.click(
        handlers.send_to_review,
        [ui.sent_run, ui.ui_language],
        [ui.status],
        api_name=f"{KEY}_send_review",
    )
    # Not Gradio's `cancels`: the batch stops itself after the file it is on, keeping its rows.
    ui.stop.click(handlers.stop, None, None, api_name=f"{KEY}_stop", queue=False)
    ui.tab.change(handlers.presets, [ui.tab], [ui.preset], api_name=f"{KEY}_presets", queue=False)
    ui.preset.change(
        handlers.tokens,
        [ui.tab, ui.preset],
        [ui.max_new_tokens],
        api_name=f"{KEY}_tokens",
        queue=False,
    )


class BatchHandlers:
    """The tab's handlers, bound to the app context and its components.

    Methods, not partials: Gradio finds the `gr.Request` parameter by a method's type hints.
    """

    def __init__(self, ctx: AppContext, ui: BatchUI) -> None:
        self.ctx = ctx
        self.ui = ui

    def presets(self, tab: str | None) -> dict[str, Any]:
        """Return the preset dropdown for a tab: its preset names, the first one picked."""
        found = loaded_tabs(self.ctx).get(tab or "")
        names = list(found.names) if found else []
        return gr.update(choices=names, value=names[0] if names else None)

    def tokens(self, tab: str | None, preset: str | None) -> dict[str, Any]:
        """Return the token slider at the preset's own limit."""
        chosen = _preset(self.ctx, tab, preset)
        return gr.update() if chosen is None else gr.update(value=_tokens(chosen))

    def stop(self, request: gr.Request) -> None:
        """Stop button: the batch of this browser ends after the file it is on."""
        self.ctx.stops.stop((request.session_hash, KEY))

    def send_to_review(self, sent_run: dict | None, language: str | None) -> str:
        """Send to review: copy this user's last run into the review folder; say where."""
        return send_batch_run(self.ctx, sent_run, language or "en")

    def run(
        self,
        files: list[str] | None,
        tab: str | None,
        preset: str | None,
        max_new_tokens: float | None,
        language: str | None,
        request: gr.Request,
    ) -> Any:
        """Run the preset over the files; yield the status line, the table and, last, the files."""
        ui, language = self.ui, language or "en"
        chosen = _preset(self.ctx, tab, preset)
        if not files or chosen is None:
            yield _refused(ui, say("batch.no_files" if not files else "batch.no_preset", language))
            return
        out_dir = Path(get_upload_folder()) / OUTPUT_FOLDER / uuid.uuid4().hex
        (out_dir / "unpacked").mkdir(parents=True)
        try:
            items = collect(files, unpack_dir=out_dir / "unpacked")
        except ValueError as error:
            yield _refused(ui, say("batch.unreadable", language, error=error))
            return
        if not items:
            yield _refused(ui, say("batch.nothing", language))
            return
        key = (request.session_hash, KEY)
        stop = self.ctx.stops.start(key)
        rows: list[Row] = []
        started = time.monotonic()
        yield {
            ui.status: say("batch.starting", language, total=len(items)),
            ui.table: _table(rows),
            ui.downloads: None,
            ui.sent_run: None,
        }
        try:
            batch = run_batch(
                items,
                self.ctx.session,
                chosen,
                out_dir=out_dir,
                stop=stop,
                tab=tab,
                max_new_tokens=int(max_new_tokens) if max_new_tokens else None,
            )
            for row in batch:
                rows.append(row)
                line = _status(rows, len(items), started, language)
                yield {ui.status: line, ui.table: _table(rows)}
        except ModelLoadError as error:
            yield _refused(ui, say("batch.model", language, error=error))
            return
        finally:
            self.ctx.stops.finish(key, stop)
        line = _status(rows, len(items), started, language)
        if len(rows) < len(items):
            line += say("batch.stopped", language)
        sent_run = {"folder": str(out_dir), "tab": tab, "preset": preset}
        yield {
            ui.status: line,
            ui.table: _table(rows),
            ui.downloads: _downloads(out_dir),
            ui.sent_run: sent_run,
        }


def _refused(ui: BatchUI, message: str) -> dict[Any, Any]:
    """Return a user's mistake: a toast and the status line; nothing else moves."""
    log.info("refused: %s", message)
    gr.Warning(message)
    return {ui.status: f"⚠️ {message}"}


def _preset(ctx: AppContext, tab: str | None, name: str | None) -> Preset | None:
    found = loaded_tabs(ctx).get(tab or "")
    if found is None or not name or name not in found.names:
        return None
    return found.get(name)


def _tokens(preset: Preset | None) -> int:
    return preset.generation.max_new_tokens if preset else MAX_NEW_TOKENS_RANGE[1] // 8


def _tab_title(key: str) -> Any:
    """Return a tab's title for the dropdown: translated when the table has it."""
    return I18N(f"{key}.title") if f"{key}.title" in TEXT["en"] else key


def _status(rows: list[Row], total: int, started: float, language: str) -> str:
    """Return "12 of 30 files · 46.8 files/min", and how many failed."""
    minutes = max(time.monotonic() - started, 1e-6) / 60
    line = say("batch.progress", language, done=len(rows), total=total, rate=len(rows) / minutes)
    failed = sum(not row.ok for row in rows)
    return line + (say("batch.errors", language, count=failed) if failed else "")


def _table(rows: list[Row]) -> pd.DataFrame:
    """Return the rows as the table shows them."""
    return pd.DataFrame([_cells(row) for row in rows], columns=COLUMNS)


def _cells(row: Row) -> list[str]:
    valid = "" if row.valid is None else ("yes" if row.valid else "no")
    checks = f"{row.checks_passed}/{row.checks_total}" if row.checks_total else ""
    missing = "" if row.not_on_image is None else str(row.not_on_image)
    fields = "; ".join(f"{name}={value}" for name, value in row.fields.items())
    return [row.file, "ok" if row.ok else row.error, valid, checks, missing, fields]


def _downloads(out_dir: Path) -> list[str]:
    """Return the run's files that exist: results.csv, results.jsonl, annotated.zip."""
    names = (TABLE, RESULTS, f"{ANNOTATED}.zip")
    return [str(out_dir / name) for name in names if (out_dir / name).is_file()]
