"""The Compare tab's model turn and report: which changes are defects (streamed), and the zip.

The turn is `workbench.compare.turn`: both images, changes boxed and numbered, the answer
schema-checked and its change numbers checked. It runs in the engine's queue, as every tab's
model calls do. The report is `workbench.compare.write_report`, with the verdicts when there are.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from tabs.compare_parts import Compared, CompareUI
from tabs.compare_show import (
    DEFECT_COLUMNS,
    defects_table,
    empty_table,
    judged_line,
    judged_markdown,
)
from tabs.domain import cost
from tabs.domain.answering import status_line
from tabs.domain.context import AppContext
from tabs.domain.events import ENGINE_QUEUE
from tabs.wording import say
from workbench.choices import preset_params
from workbench.compare import CompareError, load_screenshot, write_report
from workbench.compare.turn import defects_from, defects_preset, defects_question, judge
from workbench.engines.base import EngineError, ModelLoadError, one_line
from workbench.intake.images import ImageError
from workbench.pipeline import Delta, Finished, RepairStarted
from workbench.prompts.presets import PresetError

OUTPUT_FOLDER = "workbench-compare"  # inside Gradio's upload folder, which ages files out
REPAIR_MARK = "\n\n— ↻ —\n\n"  # between an answer and its repair, in the streamed text
log = logging.getLogger(__name__)


def wire(ui: CompareUI, ctx: AppContext) -> None:
    """Wire the judge (through the engine's queue) and the report; each has an API name."""
    ui.judge.click(
        partial(run_judge, ctx=ctx, ui=ui),
        [ui.state, ui.max_new_tokens, ui.ui_language],
        [ui.state, ui.judge_status, ui.answer, ui.verdicts, ui.defects],
        api_name="compare_judge",
        concurrency_id=ENGINE_QUEUE,
        concurrency_limit=ctx.concurrency,
    )
    ui.report.click(
        partial(make_report, ui=ui),
        [ui.state, ui.ui_language],
        [ui.report_file, ui.judge_status],
        api_name="compare_report",
    )


def empty_defects(language: str) -> pd.DataFrame:
    """Return the verdicts table with no rows, its columns in the page's language."""
    return empty_table(DEFECT_COLUMNS, language)


def run_judge(
    compared: Compared | None,
    max_new_tokens: float | None,
    language: str | None,
    *,
    ctx: AppContext,
    ui: CompareUI,
) -> Iterator[dict[Any, Any]]:
    """Ask the model which changes are defects; yield the streamed answer, then the verdicts."""
    said = language or "en"
    if compared is None or not compared.comparison.changes:
        key = "compare_tab.first" if compared is None else "compare_tab.nothing_to_judge"
        yield _refused(ui, say(key, said))
        return
    try:
        before, after = (_load(path) for path in (compared.before_path, compared.after_path))
        preset = defects_preset()
        params = preset_params(preset, int(max_new_tokens) if max_new_tokens else None)
        params = replace(params, visual_tokens=cost.visual_budget(ctx, preset, None))
        question = defects_question(
            before, after, compared.comparison, params=params, preset=preset, language=said
        )
    except (CompareError, ImageError) as error:
        yield _refused(ui, error.text(said))
        return
    except (PresetError, ValueError) as error:
        yield _refused(ui, one_line(error))
        return
    try:
        for status in ctx.session.loading():
            yield {ui.judge_status: status_line(status, said)}
    except ModelLoadError as error:
        yield _refused(ui, say("load.failed", said, reason=error.reason, hint=error.hint))
        return
    yield from _stream(compared, question, ctx, ui, said)


def _stream(compared: Compared, question: Any, ctx: AppContext, ui: CompareUI, said: str):
    """Yield the answer as it grows, then the verdicts and the checks."""
    text = ""
    yield {ui.judge_status: "", ui.answer: "", ui.verdicts: "", ui.defects: empty_defects(said)}
    try:
        for event in judge(ctx.session, question, compared.comparison):
            if isinstance(event, Delta):
                text += event.text
            elif isinstance(event, RepairStarted):
                text += REPAIR_MARK
            elif isinstance(event, Finished):
                answer = event.answer
                defects = defects_from(answer, compared.comparison)
                changes = len(compared.comparison.changes)
                yield {
                    ui.state: replace(compared, defects=tuple(defects)),
                    ui.judge_status: judged_line(defects, changes, said),
                    ui.answer: text,
                    ui.verdicts: judged_markdown(answer, said),
                    ui.defects: defects_table(defects, said),
                }
                return
            yield {ui.answer: text}
    except EngineError as error:  # a remote server's failure: it says what to do
        yield _refused(ui, f"{error.reason} {error.hint}".strip())
    except Exception as error:  # the server log keeps the traceback; the user gets one line
        log.exception("judging a comparison failed")
        yield _refused(ui, say("answer.failed", said, error=one_line(error)))


def make_report(compared: Compared | None, language: str | None, *, ui: CompareUI) -> Any:
    """Report button: return the zip of the pair on screen (with the verdicts, if asked)."""
    said = language or "en"
    if compared is None:
        return _refused(ui, say("compare_tab.first", said))
    out_dir = Path(get_upload_folder()) / OUTPUT_FOLDER / uuid.uuid4().hex
    out_dir.mkdir(parents=True)
    stem = Path(compared.after_name).stem or "screenshot"
    try:
        zipped = write_report(
            out_dir / f"compare-{stem}.zip",
            compared.before_name,
            compared.after_name,
            _load(compared.before_path),
            _load(compared.after_path),
            compared.comparison,
            defects=list(compared.defects) or None,
            language=said,
        )
    except (CompareError, ImageError) as error:
        return _refused(ui, error.text(said))
    return {
        ui.report_file: gr.update(value=str(zipped), visible=True),
        ui.judge_status: say("compare_tab.report_ready", said),
    }


def _load(path: str):
    """Return a screenshot compared before; CompareError when its upload has aged out."""
    return load_screenshot(path)


def _refused(ui: CompareUI, message: str) -> dict[Any, Any]:
    """Return a user's mistake (or a failure said in one line): a toast and the judge's line."""
    log.info("refused: %s", message)
    gr.Warning(message)
    return {ui.judge_status: f"⚠️ {message}"}
