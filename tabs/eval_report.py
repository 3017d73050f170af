"""The eval report in the Evaluate tab: its charts (Gradio's plots) and its tables.

The figures are `workbench.eval.charts.figures`, the same rows report.html draws as SVG; this
module lays out the plots and turns the rows into the DataFrames they take, worded in the page's
language. `tabs.evaluate` checks the folder picked and calls `report_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from tabs.i18n import I18N
from tabs.wording import say
from workbench.eval.charts import ALL, BANDS, figures, model_labels
from workbench.eval.report import markdown_tables, report_sections, scored
from workbench.eval.run import model_runs

PLOT_HEIGHT = None  # vega sizes each chart to fit its axes and legend
# The accuracy chart's slanted labels take half a default height: it gets a fixed one and no
# legend (which vega would cut at that height); its labels and the status say which model is which.
ACCURACY_HEIGHT = 420  # pixels
COLOURS = ("#4c78a8", "#f58518")  # A, B: as report.html draws them
GREY = "#888888"  # the calibration chart's diagonal, a series of its own


@dataclass(frozen=True)
class ReportUI:
    """The report's components, by name."""

    panel: gr.Column
    status: gr.Markdown
    accuracy: gr.BarPlot
    calibration: gr.LinePlot
    agreement: gr.BarPlot
    tables: gr.Markdown


def build_report_view() -> ReportUI:
    """Lay out the report (hidden until a folder's report is shown); return its parts."""
    with gr.Column(visible=False, elem_id="grading-report") as panel:
        gr.Markdown(I18N("charts.heading"))
        status = gr.Markdown(elem_id="grading-report-status")
        accuracy = gr.BarPlot(
            label=I18N("charts.accuracy.label"), height=ACCURACY_HEIGHT, elem_id="grading-accuracy"
        )
        with gr.Row():
            calibration = gr.LinePlot(
                label=I18N("charts.calibration.label"),
                height=PLOT_HEIGHT,
                elem_id="grading-calibration",
            )
            agreement = gr.BarPlot(
                label=I18N("charts.agreement.label"),
                height=PLOT_HEIGHT,
                elem_id="grading-agreement",
            )
        tables = gr.Markdown()
    return ReportUI(panel, status, accuracy, calibration, agreement, tables)


def report_view(
    folder: Path, results: list[dict[str, Any]], language: str, ui: ReportUI
) -> dict[Any, Any]:
    """Return the report of `results` (read from `folder`): the panel shown, the charts and the
    tables. Raises KeyError, TypeError, ValueError or IndexError for lines not shaped as eval
    results."""
    report, results = scored(results, folder)
    drawn = figures(report, results)
    names = [model["model"] for model in report["models"]]
    labels = model_labels(len(names))
    models = ", ".join(f"{a} = {n}" if a else n for a, n in zip(labels, names, strict=True))
    status = say("charts.shown", language, cases=report["cases"], models=models)
    if any("human" in model for model in report["models"]):
        status += " · " + say("charts.graded", language)
    if not drawn["calibration"]:
        status += "\n\n" + say("charts.no_confidence", language)
    return {
        ui.panel: gr.Column(visible=True),
        ui.status: status,
        ui.accuracy: _accuracy_plot(drawn["accuracy"], language),
        ui.calibration: _calibration_plot(drawn["calibration"], language),
        ui.agreement: _agreement_plot(drawn["agreement"], language),
        ui.tables: markdown_tables(report_sections(report, drawn, names)),
    }


def is_results(results: list[Any]) -> bool:
    """Return whether every line looks like an eval result (an id, a tab, a level and runs)."""
    return all(
        isinstance(line, dict) and {"id", "tab", "level"} <= set(line) and model_runs(line)
        for line in results
    )


# ---------------------------------------------------------------- plots


def _series(row: dict[str, Any]) -> str:
    return f"{row['label']} · {row['model']}" if row["label"] else row["model"]


def _colours(names: list[str], grey: str = "") -> dict[str, str]:
    """Return each model's colour, as in report.html; `grey` names the diagonal."""
    colours = dict(zip([name for name in names if name != grey], COLOURS, strict=False))
    return colours | ({grey: GREY} if grey else {})


def _side_by_side(rows: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """Return the rows ordered by their category (as first met), then by model: A next to B."""
    order = {category: n for n, category in enumerate(dict.fromkeys(map(key, rows)))}
    return sorted(rows, key=lambda row: (order[key(row)], row["label"]))


def _accuracy_plot(rows: list[dict[str, Any]], language: str) -> gr.BarPlot:
    """Return the bar plot of accuracy: a bar per model and level × tab cell, side by side."""

    def cell(row: dict[str, Any]) -> str:
        level = say("charts.all_levels", language) if row["level"] == ALL else row["level"]
        tab = say("charts.all_tabs", language) if row["tab"] == ALL else row["tab"]
        return f"{level} · {tab}" + (f" · {row['label']}" if row["label"] else "")

    # Gradio stacks bars of one x; each model's bar gets its own x, next to the other's.
    rows = _side_by_side(rows, lambda row: (row["level"], row["tab"]))
    frame = pd.DataFrame(
        {
            "cell": [cell(row) for row in rows],
            "percent": [row["percent"] for row in rows],
            "model": [_series(row) for row in rows],
            "passed": [f"{row['count']}/{row['total']}" for row in rows],
        }
    )
    return gr.BarPlot(
        frame,
        x="cell",
        y="percent",
        color="model",
        color_map=_colours(list(dict.fromkeys(frame["model"]))),
        colors_in_legend=[],
        x_title=say("charts.accuracy.x", language),
        y_title=say("charts.accuracy.y", language),
        color_title=say("charts.model", language),
        y_lim=[0, 100],
        sort=list(frame["cell"]),
        x_label_angle=-40,
        tooltip="all",
        visible=True,
    )


def _calibration_plot(rows: list[dict[str, Any]], language: str) -> gr.LinePlot:
    """Return the line plot of values right per band (at the band's middle), the diagonal too."""
    if not rows:
        return gr.LinePlot(None, visible=False)
    judged = [row for row in rows if row["count"]]
    diagonal = say("charts.calibration.diagonal", language)
    ends = [BANDS[0][0], BANDS[-1][1]]
    frame = pd.DataFrame(
        {
            "confidence": [round((r["low"] + r["high"]) / 2, 2) for r in judged] + ends,
            "percent": [r["percent"] for r in judged] + [100 * end for end in ends],
            "model": [_series(r) for r in judged] + [diagonal] * 2,
            "values": [r["count"] for r in judged] + [None, None],
            "right": [r["right"] for r in judged] + [None, None],
        }
    )
    return gr.LinePlot(
        frame,
        x="confidence",
        y="percent",
        color="model",
        color_map=_colours(list(dict.fromkeys(frame["model"])), diagonal),
        x_title=say("charts.calibration.x", language),
        y_title=say("charts.calibration.y", language),
        color_title=say("charts.model", language),
        x_lim=ends,
        y_lim=[0, 100],
        tooltip="all",
        visible=True,
    )


def _agreement_plot(rows: list[dict[str, Any]], language: str) -> gr.BarPlot:
    """Return the bar plot of agreement with the reviewers per field (hidden without a review)."""
    if not rows:
        return gr.BarPlot(None, visible=False)
    rows = _side_by_side(rows, lambda row: row["field"])
    frame = pd.DataFrame(
        {
            "field": [
                row["field"] + (f" · {row['label']}" if row["label"] else "") for row in rows
            ],
            "percent": [row["percent"] for row in rows],
            "model": [_series(row) for row in rows],
            "agreed": [f"{row['agree']}/{row['count']}" for row in rows],
        }
    )
    return gr.BarPlot(
        frame,
        x="field",
        y="percent",
        color="model",
        color_map=_colours(list(dict.fromkeys(frame["model"]))),
        x_title=say("charts.agreement.x", language),
        y_title=say("charts.agreement.y", language),
        color_title=say("charts.model", language),
        y_lim=[0, 100],
        sort=list(frame["field"]),
        x_label_angle=-30,
        tooltip="all",
        visible=True,
    )
