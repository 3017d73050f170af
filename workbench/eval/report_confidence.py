"""The eval report's confidence and review sections: values right per confidence band, how well
confidence ranks right values above wrong ones (AUROC, accuracy by level), and agreement with the
reviewers — tables over the rows of `workbench.eval.charts.figures`, the same in report.md,
report.html and the Evaluate tab.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.answers.confidence import LEVELS
from workbench.eval.report_html import DISAGREEMENTS, Row, Section

Table = tuple[list[str], list[Row]]


def confidence_sections(drawn: dict[str, list[dict[str, Any]]]) -> list[Section]:
    """Return the sections there are figures for: calibration, ranking, agreement."""
    sections: list[Section] = []
    if drawn["calibration"]:
        sections.append(
            ("Values right per confidence band", calibration_table(drawn["calibration"]))
        )
    if drawn["ranking"]:
        sections.append(
            ("Does confidence rank wrong values below right ones?", ranking_table(drawn["ranking"]))
        )
    if drawn["agreement"]:
        sections.append(("Agreement with the reviewers", agreement_table(drawn["agreement"])))
        presets = agreement_table(drawn["agreement_presets"], "preset")
        sections.append(("Agreement with the reviewers per preset", presets))
    return sections


def ranking_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Return the header and rows of the AUROC and the accuracy of the values at each level, and
    at that level or above, a column per model."""
    header = ["Measure"] + [_series(row) for row in rows]
    out = [("AUROC (right above wrong)", [_auroc(row) for row in rows])]
    names = [name for name, _ in LEVELS]
    for number, name in enumerate(names):
        out.append(
            (f"Values at {name}", [_right(row["levels"][name], "right", "count") for row in rows])
        )
        if number:  # the best level "or above" is itself
            shown = [_right(row["at_or_above"][name], "right", "count") for row in rows]
            out.append((f"Values at {name} or above", shown))
    return header, out


def _series(row: dict[str, Any]) -> str:
    return f"{row['label']} · {row['model']}" if row["label"] else row["model"]


def _auroc(row: dict[str, Any]) -> str:
    counts = f"{row['right']} right, {row['wrong']} wrong"
    return f"– ({counts})" if row["auroc"] is None else f"{row['auroc']:.3f} ({counts})"


def calibration_table(rows: list[dict[str, Any]]) -> Table:
    """Return the header and rows of values right per confidence band, a column per model."""
    series = list(dict.fromkeys((row["label"], row["model"]) for row in rows))
    cells = {(row["band"], row["label"], row["model"]): row for row in rows}
    header = ["Confidence"] + [f"{label} · {name}" if label else name for label, name in series]
    bands = list(dict.fromkeys(row["band"] for row in rows))
    return header, [
        (band, [_right(cells.get((band, *named)), "right", "count") for named in series])
        for band in bands
    ]


def agreement_table(rows: list[dict[str, Any]], by: str = "field") -> Table:
    """Return the header and rows of agreement with the reviewers per field (or per `by`), a
    column per model, and the cases where they disagreed."""
    series = list(dict.fromkeys((row["label"], row["model"]) for row in rows))
    cells = {(row[by], row["label"], row["model"]): row for row in rows}
    header = [by.capitalize()] + [f"{label} · {name}" if label else name for label, name in series]
    out = []
    for field in dict.fromkeys(row[by] for row in rows):
        chosen = [cells.get((field, *named)) for named in series]
        ids = [
            f"{case} ({label})" if label else case
            for row, (label, _) in zip(chosen, series, strict=True)
            if row
            for case in row["disagreements"]
        ]
        shown = [_right(row, "agree", "count") for row in chosen]
        out.append((field, [*shown, ", ".join(ids) or "–"]))
    return [*header, DISAGREEMENTS], out


def _right(row: dict[str, Any] | None, count: str, total: str) -> str:
    if not row or not row[total]:
        return "–"
    return f"{row[count]}/{row[total]} ({row['percent']:g}%)"
