"""The Review tab's handlers: load the queue, move through it, act on a value, make a golden set.

Module of `tabs.review` (which lays out the widgets and wires these); each handler checks the run
folder it is given against those offered, and a refusal is a toast and the status line.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import gradio as gr

from tabs.domain.context import AppContext
from tabs.review_view import (
    folder_path,
    queue,
    queue_table,
    record_view,
    run_folders,
    status_word,
    values_table,
)
from tabs.wording import say
from workbench.eval.review import Decided, act, record_status, value_decision
from workbench.eval.review_export import golden_from_review, write_reviewed
from workbench.eval.review_records import ReviewError, ReviewRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewUI:
    """The tab's components, by name."""

    folder: gr.Dropdown
    reviewer: gr.Textbox
    queue: gr.Dataframe
    header: gr.Markdown
    image: gr.Image
    values: gr.Dataframe
    at: gr.Dropdown
    value: gr.Textbox
    status: gr.Markdown
    progress: gr.Markdown
    downloads: gr.File
    current: gr.State  # {"folder", "index", "id", "digest", "seen"} of the record shown
    ui_language: gr.Radio | gr.State

    def shown(self) -> list[Any]:
        """Return the components a record's view sets."""
        skip = {"folder", "reviewer", "downloads", "ui_language"}
        return [getattr(self, f.name) for f in fields(self) if f.name not in skip]


def roots(ctx: AppContext) -> dict[str, Path]:
    """Return where run folders are looked for: the app's results root, the team's shared folder.

    Only what someone sent there (`results/review/…`, by a Send to review button) or put there
    by hand: a Batch run stays its user's own until sent, and a copy outlives Gradio's cache.
    """
    return {"results": ctx.results_root}


class ReviewHandlers:
    """The tab's handlers, bound to where runs are and to its components."""

    def __init__(self, ctx: AppContext, ui: ReviewUI) -> None:
        self.roots = roots(ctx)
        self.ui = ui

    def folders(self) -> dict[str, Any]:
        """Return the run folders for the dropdown."""
        return gr.update(choices=run_folders(self.roots))

    def load(self, folder: str | None, language: str = "en") -> dict:
        """Return the queue and its first record."""
        return self._show(folder, 0, None, language)

    def move(self, folder: str | None, current: dict | None, step: int, language: str) -> dict:
        """Return the record `step` places from the one shown, within the queue."""
        index = (current or {}).get("index", -step) + step
        return self._show(folder, index, None, language)

    def previous(self, folder: str | None, current: dict | None, language: str = "en") -> dict:
        """Return the record before the one shown."""
        return self.move(folder, current, -1, language)

    def next(self, folder: str | None, current: dict | None, language: str = "en") -> dict:
        """Return the record after the one shown."""
        return self.move(folder, current, 1, language)

    def jump(
        self, folder: str | None, current: dict | None, evt: gr.SelectData, language: str = "en"
    ) -> dict:
        """Return the record picked in the queue list."""
        row = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return self._show(folder, int(row), None, language)

    def pick(
        self, folder: str | None, current: dict | None, at: str | None, language: str = "en"
    ) -> dict:
        """Return the record shown with the value `at` picked: its boxes and its text."""
        index = (current or {}).get("index", 0)
        return self._show(folder, index, at, language, keep_status=True)

    def act(
        self,
        folder: str | None,
        reviewer: str | None,
        current: dict | None,
        at: str | None,
        text: str | None,
        action: str,
        language: str = "en",
    ) -> dict:
        """Save an action on the value shown (or, `at` None, the whole record); show the next."""
        ui = self.ui
        try:
            path = folder_path(self.roots, folder)
            if not current or current.get("folder") != folder or not current.get("id"):
                raise ReviewError("no_record")
            saved = act(
                path,
                current["id"],
                current["digest"],
                reviewer,
                action,
                at=at,
                text=text,
                seen=current.get("seen"),
            )
        except ReviewError as error:
            return _refused(ui, error.text(language))
        where = at or say("review.whole_record", language)
        notes = [
            say("review.saved", language, action=say(f"review.action.{action}", language), at=where)
        ]
        for earlier in saved.earlier:
            shown = say(f"review.action.{earlier.action}", language)
            notes.append(
                say(
                    "review.earlier",
                    language,
                    who=earlier.reviewer,
                    action=shown,
                    time=earlier.time,
                )
            )
            gr.Info(notes[-1])
        records, decisions = queue(path)
        index = current["index"]
        record = records[index] if index < len(records) else None
        # A value acted on: the record's next open value; a record done: the next record.
        stay = record is not None and at is not None and _has_open_value(record, decisions)
        view = self._show(folder, index if stay else index + 1, None, language)
        return view if _is_refusal(view, ui) else view | {ui.status: " ".join(notes)}

    def golden(self, folder: str | None, language: str = "en") -> dict:
        """Write the golden set and the reviewed exports; return them to download."""
        ui = self.ui
        try:
            path = folder_path(self.roots, folder)
            outcome = golden_from_review(path)
            exports = write_reviewed(path)
        except ReviewError as error:
            return _refused(ui, error.text(language))
        archive = shutil.make_archive(str(outcome.folder), "zip", outcome.folder)
        line = say(
            "review.golden_done",
            language,
            count=outcome.cases,
            folder=outcome.folder.name,
            skipped=len(outcome.skipped),
        )
        return {ui.status: line, ui.downloads: [archive, *(str(p) for p in exports)]}

    def _show(
        self,
        folder: str | None,
        index: int,
        at: str | None,
        language: str,
        keep_status: bool = False,
    ) -> dict:
        ui = self.ui
        try:
            path = folder_path(self.roots, folder)
            records, decisions = queue(path)
        except ReviewError as error:
            return _refused(ui, error.text(language))
        table = queue_table(records, decisions, language)
        if not records:
            return {ui.queue: table, ui.status: say("review.empty", language), ui.current: None}
        index = min(max(index, 0), len(records) - 1)
        view = record_view(path, records, decisions, index, at)
        record, (done, total) = view["record"], view["progress"]
        status = status_word(record_status(record, decisions), language)
        shown = {
            ui.queue: table,
            ui.header: _heading(record, status),
            ui.image: view["picture"],
            ui.values: values_table(record, decisions, language),
            ui.at: gr.update(choices=view["choices"], value=view["at"]),
            ui.value: view["text"],
            ui.progress: say("review.progress", language, done=done, total=total, index=index + 1),
            ui.current: view["state"] | {"folder": folder},
        }
        if view["picture"] is None:
            shown[ui.status] = say("review.no_picture", language)
        elif not keep_status:
            shown[ui.status] = ""
        return shown


def _heading(record: ReviewRecord, status: str) -> str:
    made = record.record
    return f"**{record.file}** · {made.get('tab')}: {made.get('preset')} · {status}"


def _has_open_value(record: ReviewRecord, decisions: Decided) -> bool:
    return any(value_decision(record, v.at, decisions) is None for v in record.values)


def _refused(ui: ReviewUI, message: str) -> dict[Any, Any]:
    """Return a user's mistake: a toast and the status line; nothing else moves."""
    log.info("refused: %s", message)
    gr.Warning(message)
    return {ui.status: f"⚠️ {message}"}


def _is_refusal(view: dict, ui: ReviewUI) -> bool:
    return str(view.get(ui.status, "")).startswith("⚠️")
