"""The Evaluate tab: an eval run's report at a glance; two graders mark every answer of it
blind, a third arbitrates.

"Show report" draws the run's charts and tables (`tabs.eval_report`, the figures report.html
draws). The protocol is `workbench.eval.grading` (marks.jsonl beside results.jsonl); this module
lays out the widgets and says where a grader stands. Result folders are offered from a list found
under the app's results root, never typed, and every handler checks the folder it is given
against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image

from tabs.domain.context import AppContext
from tabs.eval_report import ReportUI, build_report_view, report_view
from tabs.i18n import I18N
from tabs.wording import say
from workbench.eval.grading import (
    MARKS,
    MODELS,
    AnswerKey,
    Mark,
    agreement_report,
    answers,
    load_marks,
    load_results,
    queue_for,
    save_mark,
)
from workbench.eval.run import RESULTS_FILE, model_runs

KEY, TITLE = "grading", "Grading"
DEPTH = 2  # result folders are looked for this many levels under the root


@dataclass(frozen=True)
class GradingUI:
    """The tab's components, by name."""

    folder: gr.Dropdown
    grader: gr.Textbox
    header: gr.Markdown
    question: gr.Textbox
    answer: gr.Textbox
    expect: gr.JSON
    image: gr.Image
    status: gr.Markdown
    current: gr.State  # {"folder", "key"} of the answer shown to the grader
    grader_a: gr.Textbox
    grader_b: gr.Textbox
    report: gr.Markdown
    disagreements: gr.JSON
    arbiter: gr.Textbox
    dispute: gr.Textbox
    dispute_image: gr.Image
    arbiter_status: gr.Markdown
    disputed: gr.State  # {"folder", "graders", "key"} of the disagreement shown to the arbiter
    charts: ReportUI  # the run's report: its charts and tables


class _Refused(ValueError):
    """A request that cannot be served, worded for the user."""


# ---------------------------------------------------------------- folders and answers


def result_folders(root: Path) -> list[str]:
    """Return the folders under `root` (itself and up to DEPTH levels down) holding results, as
    paths relative to it; none that leads outside it."""
    root = Path(root).resolve()
    if not root.is_dir():
        return []
    patterns = [RESULTS_FILE, *("*/" * depth + RESULTS_FILE for depth in range(1, DEPTH + 1))]
    found = []
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            if path.is_file() and path.resolve().is_relative_to(root):
                found.append(path.parent.relative_to(root).as_posix())
    return found


def _folder(root: Path, choice: str | None, language: str) -> Path:
    """Return the results folder picked; _Refused unless it is one offered under `root`."""
    if not choice:
        raise _Refused(say("grading.no_folder", language))
    if choice not in result_folders(root):
        raise _Refused(say("grading.unknown_folder", language, folder=choice))
    return Path(root).resolve() / choice


def _name(name: str | None, language: str) -> str:
    trimmed = (name or "").strip()
    if not trimmed:
        raise _Refused(say("grading.no_name", language))
    return trimmed


def _results(folder: Path, language: str) -> list[dict[str, Any]]:
    try:
        return load_results(folder)
    except (OSError, ValueError) as error:
        raise _Refused(say("grading.unreadable", language, error=error)) from error


def _turn(results: list[dict[str, Any]], key: AnswerKey) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (the result line, the turn) of an answer."""
    line = next(line for line in results if line["id"] == key.case)
    run = model_runs(line)[MODELS.index(key.model) if key.model else 0]
    return line, run["turns"][key.turn]


def _case_image(folder: Path, line: dict[str, Any]) -> Image.Image | None:
    """Return the case's image when it is a readable file inside the results folder's parent."""
    raw = line.get("image")
    if not isinstance(raw, str) or not raw:
        return None
    base = folder.parent.resolve()
    path = Path(raw) if Path(raw).is_absolute() else base / raw
    try:
        path = path.resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return None
        with Image.open(path) as picture:
            return picture.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _heading(line: dict[str, Any], key: AnswerKey) -> str:
    where = f"turn {key.turn + 1}" + (f" · model {key.model}" if key.model else "")
    return f"**{line['id']}** · {line.get('tab', '?')} · {line.get('level', '?')} · {where}"


def _key(data: dict[str, Any] | None, folder: str | None, language: str) -> AnswerKey:
    """Return the answer a state holds for `folder`; _Refused when it holds none."""
    if not data or data.get("folder") != folder or not data.get("key"):
        raise _Refused(say("grading.no_answer", language))
    case, turn, model = data["key"]
    return AnswerKey(case, turn, model)


def _refuse(error: Exception, status: gr.Markdown) -> dict[Any, Any]:
    gr.Warning(str(error))
    return {status: f"⚠️ {error}"}


# ---------------------------------------------------------------- handlers


def grading_folders(*, root: Path) -> gr.Dropdown:
    """Return the results folders under the root, for the dropdown."""
    return gr.Dropdown(choices=result_folders(root))


def grading_report(folder: str | None, language: str = "en", *, ui: GradingUI, root: Path) -> dict:
    """Return the report of the results folder picked: its charts and tables, shown."""
    view = ui.charts
    try:
        path = _folder(root, folder, language)
        results = _results(path, language)
        if not results:
            raise _Refused(say("charts.empty", language, folder=folder))
        try:
            return report_view(path, results, language, view)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
            # lines not shaped as eval results: an older version's, or another file
            detail = f"{type(error).__name__}: {error}"
            raise _Refused(say("charts.unreadable", language, error=detail)) from error
    except _Refused as error:
        hidden = {plot: gr.update(visible=False) for plot in (view.accuracy, view.calibration)}
        hidden |= {view.agreement: gr.update(visible=False), view.tables: ""}
        return _refuse(error, view.status) | hidden | {view.panel: gr.Column(visible=True)}


def grading_next(
    folder: str | None, grader: str | None, language: str = "en", *, ui: GradingUI, root: Path
) -> dict:
    """Return the next answer in this grader's queue (no one else's marks) and the status."""
    try:
        path, name = _folder(root, folder, language), _name(grader, language)
        results = _results(path, language)
    except _Refused as error:
        return _refuse(error, ui.status)
    queue = queue_for(name, load_marks(path), results)
    total = len(answers(results))
    facts = {"done": total - len(queue), "total": total, "name": name}
    if not queue:
        empty = {ui.header: "", ui.question: "", ui.answer: "", ui.expect: None, ui.image: None}
        return empty | {ui.status: say("grading.finished", language, **facts), ui.current: None}
    key = queue[0]
    line, turn = _turn(results, key)
    return {
        ui.header: _heading(line, key),
        ui.question: turn.get("question", ""),
        ui.answer: turn.get("answer", ""),
        ui.expect: turn.get("expect"),
        ui.image: _case_image(path, line),
        ui.status: say("grading.progress", language, **facts),
        ui.current: {"folder": folder, "key": list(key)},
    }


def grading_mark(
    folder: str | None,
    grader: str | None,
    current: dict[str, Any] | None,
    mark: str,
    language: str = "en",
    *,
    ui: GradingUI,
    root: Path,
) -> dict:
    """Save the grader's mark of the answer shown and return the next one."""
    try:
        path, name = _folder(root, folder, language), _name(grader, language)
        key = _key(current, folder, language)
        try:
            save_mark(path, Mark(*key, grader=name, mark=mark))
        except (OSError, ValueError) as error:
            raise _Refused(say("grading.refused", language, error=error)) from error
    except _Refused as error:
        return _refuse(error, ui.status)
    return grading_next(folder, grader, language, ui=ui, root=root)


def grading_agreement(
    folder: str | None,
    grader_a: str | None,
    grader_b: str | None,
    language: str = "en",
    *,
    ui: GradingUI,
    root: Path,
) -> dict:
    """Return the two graders' agreement, Cohen's κ, their disagreements, and the first one
    still to settle for the arbiter."""
    try:
        path = _folder(root, folder, language)
        a, b = _name(grader_a, language), _name(grader_b, language)
        if a == b:
            raise _Refused(say("grading.same_graders", language))
        results = _results(path, language)
    except _Refused as error:
        return _refuse(error, ui.arbiter_status)
    marks = load_marks(path)
    report = agreement_report(marks, a, b)
    settled = {mark.answer: mark.mark for mark in marks if mark.role == "arbiter"}
    own = {(m.answer, m.grader): m.mark for m in marks if m.role == "grader"}
    rows = [
        {**key._asdict(), a: own[key, a], b: own[key, b], "arbiter": settled.get(key)}
        for key in report["disagreements"]
    ]
    left = [key for key in report["disagreements"] if key not in settled]
    count = len(report["disagreements"])
    shown = {ui.report: _report_line(report, language), ui.disagreements: rows}
    if not left:
        done = say("grading.disputes_done", language, count=count) if report["answers"] else ""
        view = {ui.dispute: "", ui.dispute_image: None, ui.disputed: None}
        return shown | view | {ui.arbiter_status: done}
    key = left[0]
    line, turn = _turn(results, key)
    return shown | {
        ui.dispute: _dispute_text(line, turn, key, {a: own[key, a], b: own[key, b]}),
        ui.dispute_image: _case_image(path, line),
        ui.arbiter_status: say("grading.disputes_left", language, left=len(left), count=count),
        ui.disputed: {"folder": folder, "graders": [a, b], "key": list(key)},
    }


def grading_arbitrate(
    folder: str | None,
    grader_a: str | None,
    grader_b: str | None,
    arbiter: str | None,
    disputed: dict[str, Any] | None,
    mark: str,
    language: str = "en",
    *,
    ui: GradingUI,
    root: Path,
) -> dict:
    """Save the arbiter's mark of the disagreement shown and return the next one."""
    try:
        path, name = _folder(root, folder, language), _name(arbiter, language)
        graders = [(grader_a or "").strip(), (grader_b or "").strip()]
        if not disputed or disputed.get("graders") != graders:
            raise _Refused(say("grading.no_dispute", language))
        key = _key(disputed, folder, language)
        try:
            save_mark(path, Mark(*key, grader=name, mark=mark, role="arbiter"))
        except (OSError, ValueError) as error:
            raise _Refused(say("grading.refused", language, error=error)) from error
    except _Refused as error:
        return _refuse(error, ui.arbiter_status)
    return grading_agreement(folder, grader_a, grader_b, language, ui=ui, root=root)


def _report_line(report: dict[str, Any], language: str) -> str:
    if not report["answers"]:
        return say("grading.no_overlap", language, a=report["graders"][0], b=report["graders"][1])
    kappa = "–" if report["kappa"] is None else f"{report['kappa']:.2f}"
    return say(
        "grading.agreement",
        language,
        percent=report["agreement_percent"],
        kappa=kappa,
        count=len(report["disagreements"]),
    )


def _dispute_text(
    line: dict[str, Any], turn: dict[str, Any], key: AnswerKey, marks: dict[str, str]
) -> str:
    where = f"turn {key.turn + 1}" + (f" · model {key.model}" if key.model else "")
    expect = json.dumps(turn.get("expect"), ensure_ascii=False)
    given = " · ".join(f"{grader}: {mark}" for grader, mark in marks.items())
    return (
        f"{line['id']} · {line.get('tab', '?')} · {line.get('level', '?')} · {where}\n"
        f"Question: {turn.get('question', '')}\nAnswer: {turn.get('answer', '')}\n"
        f"Expected: {expect}\nMarks: {given}"
    )


# ---------------------------------------------------------------- layout


def build(ctx: AppContext, ui_language: gr.Radio | None = None) -> GradingUI:
    """Lay out the grading protocol inside the current tab, wire its events; return its parts.

    `ui_language` (the page's switch) words the status lines; without it they are English.
    The tab reads only the results under `ctx.results_root`.
    """
    root = ctx.results_root
    language = ui_language if ui_language is not None else gr.State("en")
    gr.Markdown(I18N("grading.intro"))
    with gr.Row():
        folder = gr.Dropdown(
            result_folders(root),
            value=None,
            label=I18N("grading.folder.label"),
            allow_custom_value=True,  # a folder made after start-up; checked by each handler
            scale=3,
            elem_id="grading-folder",
        )
        refresh = gr.Button(I18N("grading.refresh.button"), scale=0)
        show = gr.Button(I18N("charts.show.button"), scale=0, elem_id="grading-show-report")
    charts = build_report_view()
    grader = gr.Textbox(label=I18N("grading.grader.label"), max_lines=1)
    next_answer = gr.Button(I18N("grading.next.button"), variant="primary")
    header = gr.Markdown()
    with gr.Row():
        with gr.Column():
            question = gr.Textbox(label=I18N("grading.question.label"), interactive=False)
            answer = gr.Textbox(label=I18N("grading.answer.label"), interactive=False, lines=4)
            expect = gr.JSON(label=I18N("grading.expect.label"))
        image = gr.Image(label=I18N("grading.image.label"), type="pil", interactive=False)
    grader_marks = _mark_buttons()
    status = gr.Markdown()
    grader_part = {"folder": folder, "grader": grader, "header": header, "question": question}
    grader_part |= {"answer": answer, "expect": expect, "image": image, "status": status}
    arbiter_part, compare, arbiter_marks = _build_arbitration()
    ui = GradingUI(**grader_part, current=gr.State(None), **arbiter_part, charts=charts)
    named = {"ui": ui, "root": root}
    refresh.click(partial(grading_folders, root=root), None, folder, api_name="grading_folders")
    shown = [charts.panel, charts.status, charts.accuracy, charts.calibration, charts.agreement]
    show.click(
        partial(grading_report, **named),
        [folder, language],
        [*shown, charts.tables],
        api_name="grading_report",
    )
    _wire_grader(ui, named, language, next_answer, grader_marks)
    _wire_arbiter(ui, named, language, compare, arbiter_marks)
    return ui


def _mark_buttons() -> dict[str, gr.Button]:
    with gr.Row():
        return {mark: gr.Button(I18N(f"grading.{mark}.button")) for mark in MARKS}


def _build_arbitration() -> tuple[dict[str, Any], gr.Button, dict[str, gr.Button]]:
    """Lay out the agreement panel and the arbiter's queue; return (its components by name,
    the Compare button, the arbiter's mark buttons)."""
    gr.Markdown(I18N("grading.agreement.heading"))
    with gr.Row():
        grader_a = gr.Textbox(label=I18N("grading.grader_a.label"), max_lines=1)
        grader_b = gr.Textbox(label=I18N("grading.grader_b.label"), max_lines=1)
        compare = gr.Button(I18N("grading.compare.button"), scale=0)
    report = gr.Markdown()
    disagreements = gr.JSON(label=I18N("grading.disagreements.label"))
    arbiter = gr.Textbox(label=I18N("grading.arbiter.label"), max_lines=1)
    with gr.Row():
        dispute = gr.Textbox(label=I18N("grading.dispute.label"), interactive=False, lines=6)
        dispute_image = gr.Image(label=I18N("grading.image.label"), type="pil", interactive=False)
    arbiter_marks = _mark_buttons()
    parts = {"grader_a": grader_a, "grader_b": grader_b, "report": report}
    parts |= {"disagreements": disagreements, "arbiter": arbiter, "dispute": dispute}
    parts |= {"dispute_image": dispute_image, "arbiter_status": gr.Markdown()}
    return parts | {"disputed": gr.State(None)}, compare, arbiter_marks


def _hidden_mark() -> tuple[gr.Radio, gr.Button]:
    """Return a hidden mark and Save button: the API saves a mark passed by name."""
    choice = gr.Radio(list(MARKS), label=I18N("grading.mark.label"), visible=False)
    return choice, gr.Button(I18N("grading.save.button"), visible=False)


def _wire_grader(
    ui: GradingUI,
    named: dict[str, Any],
    language: Any,
    next_answer: gr.Button,
    marks: dict[str, gr.Button],
) -> None:
    shown = [ui.header, ui.question, ui.answer, ui.expect, ui.image, ui.status, ui.current]
    next_answer.click(
        partial(grading_next, **named),
        [ui.folder, ui.grader, language],
        shown,
        api_name="grading_next",
    )
    inputs = [ui.folder, ui.grader, ui.current]
    for mark, button in marks.items():
        button.click(_marking(mark, named), [*inputs, language], shown, api_visibility="private")
    choice, hidden = _hidden_mark()
    hidden.click(
        partial(grading_mark, **named), [*inputs, choice, language], shown, api_name="grading_mark"
    )


def _wire_arbiter(
    ui: GradingUI,
    named: dict[str, Any],
    language: Any,
    compare: gr.Button,
    marks: dict[str, gr.Button],
) -> None:
    shown = [ui.report, ui.disagreements, ui.dispute, ui.dispute_image, ui.arbiter_status]
    shown.append(ui.disputed)
    graders = [ui.folder, ui.grader_a, ui.grader_b]
    compare.click(
        partial(grading_agreement, **named),
        [*graders, language],
        shown,
        api_name="grading_agreement",
    )
    inputs = [*graders, ui.arbiter, ui.disputed]
    for mark, button in marks.items():
        button.click(_settling(mark, named), [*inputs, language], shown, api_visibility="private")
    choice, hidden = _hidden_mark()
    hidden.click(
        partial(grading_arbitrate, **named),
        [*inputs, choice, language],
        shown,
        api_name="grading_arbitrate",
    )


def _marking(mark: str, named: dict[str, Any]) -> Any:
    """Return a button's handler: the grader's `mark` of the answer shown."""

    def save(folder: Any, grader: Any, current: Any, language: Any) -> dict:
        return grading_mark(folder, grader, current, mark, language, **named)

    return save


def _settling(mark: str, named: dict[str, Any]) -> Any:
    """Return a button's handler: the arbiter's `mark` of the disagreement shown."""

    def settle(
        folder: Any, grader_a: Any, grader_b: Any, arbiter: Any, disputed: Any, language: Any
    ) -> dict:
        return grading_arbitrate(
            folder, grader_a, grader_b, arbiter, disputed, mark, language, **named
        )

    return settle
