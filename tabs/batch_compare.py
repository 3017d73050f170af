"""The Batch tab's regression run: two folders (or zips) of screenshots, paired by file name.

The work is `workbench.compare.compare_folders`; this module lays out its part of the Batch
tab, copies the uploads into a folder per side, runs it on a thread while the table grows, and
offers the report. Each run's files live in Gradio's upload folder
(`workbench-regression/<uuid>`), which Gradio serves and ages out.

No model is asked unless the judge box is ticked: then the model says which changes of each
pair are defects (`workbench.compare.turn.PairJudge`). A run that asks the model waits its turn
in the engine's queue, as every model call does, and one that does not never holds it up: the
box shows one of two Run buttons, wired to the two queues (`batch_compare_run`,
`batch_compare_judge`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from tabs.compare_inputs import parse_masks
from tabs.compare_show import columns
from tabs.domain import cost
from tabs.domain.answering import status_line
from tabs.domain.context import AppContext
from tabs.domain.events import ENGINE_QUEUE
from tabs.i18n import I18N
from tabs.wording import say
from workbench.choices import preset_params
from workbench.compare import FolderReport, PairResult, compare_folders
from workbench.compare.turn import PairJudge, defects_preset
from workbench.engines.base import ModelLoadError, one_line
from workbench.prompts.presets import PresetError

KEY = "batch_compare"
OUTPUT_FOLDER = "workbench-regression"  # inside Gradio's upload folder
FILE_TYPES = ["image", ".zip"]
COLUMNS = ("pair", "changes", "defects", "failures", "truncations", "problem")
POLL_SECONDS = 0.25
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FolderCompareUI:
    """The regression run's components, by name."""

    before: gr.File
    after: gr.File
    masks: gr.Textbox
    judge: gr.Checkbox
    run: gr.Button
    run_judged: gr.Button  # Run when the judge box is ticked: through the engine's queue
    status: gr.Markdown
    table: gr.Dataframe
    missing: gr.Markdown
    downloads: gr.File


def build(ui_language: gr.Radio | gr.State, ctx: AppContext | None = None) -> FolderCompareUI:
    """Lay out the regression run inside the Batch tab and wire it; without `ctx` (no model
    to ask) the judge box is hidden."""
    with gr.Accordion(I18N("batch_compare.accordion"), open=False):
        with gr.Row():
            before = gr.File(
                file_count="multiple",
                file_types=FILE_TYPES,
                label=I18N("batch_compare.before.label"),
                elem_id=f"{KEY}-before",
            )
            after = gr.File(
                file_count="multiple",
                file_types=FILE_TYPES,
                label=I18N("batch_compare.after.label"),
                elem_id=f"{KEY}-after",
            )
        masks = gr.Textbox(
            label=I18N("compare_tab.masks.label"),
            placeholder=I18N("compare_tab.masks.placeholder"),
        )
        judge = gr.Checkbox(False, label=I18N("batch_compare.judge.label"), visible=ctx is not None)
        run = gr.Button(I18N("batch_compare.run.button"), variant="primary", elem_id=f"{KEY}-run")
        run_judged = gr.Button(
            I18N("batch_compare.run.button"),
            variant="primary",
            visible=False,
            elem_id=f"{KEY}-run-judged",
        )
        status = gr.Markdown(elem_id=f"{KEY}-status")
        table = gr.Dataframe(
            headers=list(COLUMNS),
            interactive=False,
            wrap=True,
            label=I18N("batch_compare.table.label"),
        )
        missing = gr.Markdown(elem_id=f"{KEY}-missing")
        downloads = gr.File(file_count="multiple", interactive=False, label=I18N("downloads.label"))
    ui = FolderCompareUI(
        before, after, masks, judge, run, run_judged, status, table, missing, downloads
    )
    _wire(ui, ui_language, ctx)
    return ui


def _wire(ui: FolderCompareUI, ui_language: gr.Radio | gr.State, ctx: AppContext | None) -> None:
    """Wire both Run buttons and the box that picks one; each event has an API name."""
    inputs = [ui.before, ui.after, ui.masks, ui_language]
    outputs = [ui.status, ui.table, ui.missing, ui.downloads]
    ui.run.click(partial(run_folders, ui=ui), inputs, outputs, api_name=f"{KEY}_run")
    ui.judge.change(
        _pick_run, [ui.judge], [ui.run, ui.run_judged], api_name=f"{KEY}_pick", queue=False
    )
    if ctx is None:
        return
    ui.run_judged.click(
        partial(run_folders, ui=ui, ctx=ctx),
        inputs,
        outputs,
        api_name=f"{KEY}_judge",
        concurrency_id=ENGINE_QUEUE,
        concurrency_limit=ctx.concurrency,
    )


def _pick_run(judge: bool) -> tuple[Any, Any]:
    """Return the Run buttons' visibility: the engine-queued one when the model is asked."""
    return gr.update(visible=not judge), gr.update(visible=bool(judge))


def run_folders(
    before: list[str] | None,
    after: list[str] | None,
    masks: str | None,
    language: str | None,
    *,
    ui: FolderCompareUI,
    ctx: AppContext | None = None,
) -> Iterator[dict[Any, Any]]:
    """Compare the two sides pair by pair (with `ctx`, the model judging each); yield the
    status and the table, last the files."""
    said = language or "en"
    if not before or not after:
        yield _refused(ui, say("batch_compare.no_files", said))
        return
    try:
        boxes = parse_masks(masks, said)
    except gr.Error as error:
        yield _refused(ui, error.message)
        return
    judge = None
    if ctx is not None:
        try:
            judge = _judge(ctx, said)
        except (PresetError, ValueError) as error:
            yield _refused(ui, one_line(error))
            return
        yield from _load(ctx, judge, ui, said)
    work = Path(get_upload_folder()) / OUTPUT_FOLDER / uuid.uuid4().hex
    sides = (_side(before, work / "before"), _side(after, work / "after"))
    yield {ui.status: say("batch_compare.starting", said), ui.table: _table([], said)}
    yield from _running(ui, sides, work / "report", boxes, said, judge)


def _judge(ctx: AppContext, said: str) -> PairJudge:
    """Return the judge on the app's model, asked in the page's language, as the Compare tab."""
    preset = defects_preset()
    params = preset_params(preset)
    params = replace(params, visual_tokens=cost.visual_budget(ctx, preset, None))
    return PairJudge(ctx.session, params=params, language=said)


def _load(ctx: AppContext, judge: PairJudge, ui: FolderCompareUI, said: str):
    """Yield the model's loading stages; one that fails leaves the judge refusing each pair."""
    try:
        for status in ctx.session.loading():
            yield {ui.status: status_line(status, said)}
    except ModelLoadError as error:
        reason = f"{error.reason} {error.hint}".strip()
        judge.refused = say("compare.not_judged.load", said, reason=reason)
        gr.Warning(judge.refused)


def _running(ui: FolderCompareUI, sides, out_dir: Path, boxes, said: str, judge: PairJudge | None):
    """Run the comparison on a thread; yield the rows as pairs finish, then the report."""
    rows: list[PairResult] = []
    total: list[int] = [0]
    outcome: dict[str, Any] = {}

    def on_pair(done: int, count: int, pair: PairResult) -> None:
        total[0] = count
        rows.append(pair)

    def work() -> None:
        try:
            outcome["report"] = compare_folders(*sides, out_dir, boxes, on_pair, judge)
        except Exception as error:  # said in one line below; the traceback stays in the log
            log.exception("comparing two folders failed")
            outcome["error"] = error

    thread = threading.Thread(target=work, name="workbench-regression", daemon=True)
    thread.start()
    shown = -1
    while thread.is_alive():
        thread.join(POLL_SECONDS)
        if len(rows) != shown:
            shown = len(rows)
            line = say("batch_compare.progress", said, done=shown, total=total[0] or "…")
            yield {ui.status: line, ui.table: _table(rows, said)}
    if "error" in outcome:
        error = outcome["error"]
        message = error.text(said) if hasattr(error, "text") else one_line(error)
        yield _refused(ui, say("batch_compare.failed", said, error=message))
        return
    yield _finished(ui, outcome["report"], said)


def _finished(ui: FolderCompareUI, report: FolderReport, said: str) -> dict[Any, Any]:
    line = say(
        "batch_compare.done",
        said,
        pairs=len(report.pairs),
        seconds=report.seconds,
        changes=sum(pair.changes for pair in report.pairs),
        failures=sum(pair.contrast_failures for pair in report.pairs),
    )
    judged = [pair for pair in report.pairs if pair.defects is not None or pair.not_judged]
    if judged:
        unjudged = sum(1 for pair in judged if pair.not_judged)
        defects = sum(pair.defects or 0 for pair in judged)
        line += say("batch_compare.judged", said, defects=defects, unjudged=unjudged)
    return {
        ui.status: line,
        ui.table: _table(list(report.pairs), said),
        ui.missing: _missing(report, said),
        ui.downloads: _downloads(report.out_dir),
    }


def _side(files: list[str], folder: Path) -> Path:
    """Return what compare_folders takes for one side: the zip given, or a folder of copies."""
    paths = [Path(file) for file in files]
    if len(paths) == 1 and zipfile.is_zipfile(paths[0]):
        return paths[0]
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:  # uploads keep their names: the pairs are matched by them
        shutil.copyfile(path, folder / path.name)
    return folder


def _table(rows: list[PairResult], said: str) -> pd.DataFrame:
    cells = [
        [
            pair.name,
            str(pair.changes),
            _defects_cell(pair, said),
            str(pair.contrast_failures),
            str(pair.truncations),
            pair.message,
        ]
        for pair in rows
    ]
    return pd.DataFrame(cells, columns=columns(COLUMNS, said, prefix="batch_compare.col"))


def _defects_cell(pair: PairResult, said: str) -> str:
    """Return the defects column: a count, why the model gave none, or "—" (not asked)."""
    if pair.not_judged:
        return say("batch_compare.not_judged", said, reason=pair.not_judged)
    return "—" if pair.defects is None else str(pair.defects)


def _missing(report: FolderReport, said: str) -> str:
    lines = []
    if report.missing_after:
        lines.append("- " + say("batch_compare.only_before", said, names=report.missing_after))
    if report.missing_before:
        lines.append("- " + say("batch_compare.only_after", said, names=report.missing_before))
    return "\n".join(lines)


def _downloads(out_dir: Path) -> list[str]:
    """Return report.md, report.json and one zip of the whole run (every pair's report)."""
    everything = shutil.make_archive(str(out_dir.parent / "regression"), "zip", out_dir)
    names = [out_dir / "report.md", out_dir / "report.json"]
    return [str(path) for path in names if path.is_file()] + [everything]


def _refused(ui: FolderCompareUI, message: str) -> dict[Any, Any]:
    """Return a user's mistake: a toast and the status line; nothing else moves."""
    log.info("refused: %s", message)
    gr.Warning(message)
    return {ui.status: f"⚠️ {message}"}
