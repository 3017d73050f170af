"""The eval report as one HTML page: inline CSS, the tables, each failure with a thumbnail.

`html_report(legend, sections, failed, models, charts)` renders what `workbench.eval.report` has
worked out; `report_charts(figures)` draws the figures of `workbench.eval.charts` as inline SVG
(no script, no network); a failure's picture is its image (or PDF page) with the model's boxes,
as a JPEG data URL.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from workbench.eval.charts import ALL, BANDS
from workbench.eval.run import model_runs
from workbench.eval.svg import bar_chart, calibration_chart

Row = tuple[str, list[str]]
Section = tuple[str, tuple[list[str], list[Row]] | str]  # a heading, and a table or a line

DISAGREEMENTS = "Disagreements"  # a table's last column of case ids: linked to their failures
THUMBNAIL_SIDE = 360  # pixels, the longer side of a failure's picture
_SHOWN = 300  # an expectation quoted in the HTML is cut to this many characters
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.3em .6em}
th{background:#f3f3f3;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.failure{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:1em 0;display:flex;gap:1em}
.failure img{max-width:360px;height:auto;border:1px solid #ccc}.reason{color:#a00}
.charts{display:flex;flex-wrap:wrap;gap:1.5em 2em;align-items:flex-start}
.charts figure{margin:0}.charts figcaption{color:#555;font-size:13px;max-width:460px}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f8f8;padding:.4em;margin:.2em 0}
"""


def html_report(
    legend: str,
    sections: Sequence[Section],
    failed: Iterable[tuple[dict[str, Any], int, list[str]]],
    models: Sequence[str],
    charts: Sequence[tuple[str, str]] = (),
) -> str:
    """Return the report as one self-contained HTML page.

    `sections` are (heading, table or line); `failed` yields (results line, model index, what
    went wrong); `models` names each model beside its failures ("" when there is one model);
    `charts` are (caption, SVG), drawn first.
    """
    body = [f"<h1>Evaluation report</h1><p>{_esc(legend)}</p>"]
    if charts:
        shown = "".join(
            f"<figure>{svg}<figcaption>{_esc(caption)}</figcaption></figure>"
            for caption, svg in charts
        )
        body += ["<h2>At a glance</h2>", f'<div class="charts">{shown}</div>']
    for heading, content in sections:
        shown = f"<p>{_esc(content)}</p>" if isinstance(content, str) else _html_table(*content)
        body += [f"<h2>{_esc(heading)}</h2>", shown]
    body.append("<h2>Failures</h2>")
    pictures: dict[tuple[str, int | None], Any] = {}  # each image read once
    anchored: set[str] = set()  # a case's first failure is where its links lead
    for line, index, wrong in failed:
        anchor = "" if line["id"] in anchored else f' id="{_anchor(line["id"])}"'
        anchored.add(line["id"])
        body.append(_html_failure(line, index, wrong, models, pictures, anchor))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Evaluation report</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _anchor(case: str) -> str:
    return "case-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in case)


def _html_table(header: list[str], rows: list[Row]) -> str:
    head = "".join(f"<th>{_esc(cell)}</th>" for cell in header)
    linked = header[-1] == DISAGREEMENTS  # its cells name cases: each a link to its failure
    lines = []
    for name, cells in rows:
        shown = [_esc(cell) for cell in cells]
        if linked and cells:
            shown[-1] = _case_links(cells[-1])
        lines.append(
            f"<tr><th>{_esc(name)}</th>{''.join(f'<td class=n>{c}</td>' for c in shown)}</tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(lines)}</table>"


def _case_links(cell: str) -> str:
    """Return "r1 (A), r2" with each case id a link to its failure below."""
    if cell == "–":
        return cell
    shown = []
    for item in cell.split(", "):
        case, space, label = item.partition(" (")
        link = f'<a href="#{_anchor(case)}">{_esc(case)}</a>'
        shown.append(link + (_esc(space + label) if space else ""))
    return ", ".join(shown)


def _html_failure(
    line: dict[str, Any],
    index: int,
    wrong: list[str],
    models: Sequence[str],
    pictures: dict,
    anchor: str = "",
) -> str:
    run = model_runs(line)[index]
    model = f" · {models[index]}" if models[index] else ""
    picture = _thumbnail(line, [box for turn in run["turns"] for box in turn["boxes"]], pictures)
    alt = _esc(Path(line["image"]).name)
    shown = f'<img alt="{alt}" src="{picture}">' if picture.startswith("data:") else _esc(picture)
    turns = "".join(
        f"<p><b>Q{number}:</b> {_esc(turn['question'])}<br>"
        f"expected {_esc(_compact(turn['expect']))}</p><pre>{_esc(turn['answer'])}</pre>"
        for number, turn in enumerate(run["turns"], start=1)
    )
    reasons = "".join(f'<li class="reason">{_esc(item)}</li>' for item in wrong)
    return (
        f'<div class="failure"{anchor}><div>{shown}</div><div><h3>{_esc(line["id"])}'
        f"<small> · {_esc(line['tab'])} · {_esc(line['level'])}{_esc(model)}</small></h3>"
        f"<ul>{reasons}</ul>{turns}</div></div>"
    )


def _compact(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _thumbnail(line: dict[str, Any], boxes: list[dict[str, Any]], pictures: dict) -> str:
    """Return the case's image, with the boxes, as a small JPEG data URL; else why not."""
    from workbench.answers.drawing import draw_boxes
    from workbench.intake import PAGE_TOKENS, read_intake

    key = (line["image"], line["page"])
    if key not in pictures:
        try:
            pages = [line["page"]] if line["page"] is not None else None
            pictures[key] = read_intake(line["image"], pages=pages, max_tokens=PAGE_TOKENS).image
        except Exception as error:  # a report still comes out without the picture
            pictures[key] = f"no picture: {error}"
    image = pictures[key]
    if isinstance(image, str):
        return image
    # Boxes are in the pixels of the image the model saw; a PDF page may be drawn at another size.
    asked = line["image_size"] or list(image.size)
    sx, sy = image.width / asked[0], image.height / asked[1]
    scaled = [
        (box["label"], tuple(round(v * s) for v, s in zip(box["box"], (sx, sy) * 2, strict=True)))
        for box in boxes
    ]
    drawn = draw_boxes(image, scaled) if scaled else image.convert("RGB")
    drawn.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    drawn.save(buffer, format="JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ---------------------------------------------------------------- charts


def report_charts(figures: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    """Return (caption, SVG) of each chart that has something to show."""
    charts = []
    if figures["accuracy"]:
        charts.append((_ACCURACY, _accuracy_svg(figures["accuracy"])))
    if figures["calibration"]:
        charts.append((_CALIBRATION, _calibration_svg(figures["calibration"])))
    if figures["agreement"]:
        charts.append((_AGREEMENT, _agreement_svg(figures["agreement"])))
    return charts


_ACCURACY = "Share of cases passed, per level and tab; each bar says passed/cases."
_CALIBRATION = (
    "Values per confidence band: the bar is the share that was right, n the values in the band. "
    "A calibrated model's bars reach the dashed diagonal; bars below it are overconfident."
)
_AGREEMENT = "Share of values where the model agreed with the reviewer, per field."


def _series(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Return each model's (label, name) in the order of the rows."""
    return list(dict.fromkeys((row["label"], row["model"]) for row in rows))


def _legend_names(series: list[tuple[str, str]]) -> list[str]:
    return [f"{label} · {name}" if label else "" for label, name in series]


def _grid(
    rows: list[dict[str, Any]], key: Any, value: str, note: Any = None
) -> tuple[list[Any], list[tuple[str, str]], list[list[Any]], list[list[str]]]:
    """Return (groups, series, values[s][g], notes[s][g]) of rows keyed by group and model."""
    groups = list(dict.fromkeys(key(row) for row in rows))
    series = _series(rows)
    found = {(key(row), row["label"], row["model"]): row for row in rows}
    values, notes = [], []
    for named in series:
        chosen = [found.get((group, *named)) for group in groups]
        values.append([row[value] if row else None for row in chosen])
        notes.append([note(row) if row and note else "" for row in chosen])
    return groups, series, values, notes


def _accuracy_svg(rows: list[dict[str, Any]]) -> str:
    groups, series, values, notes = _grid(
        rows,
        lambda row: (row["level"], row["tab"]),
        "percent",
        lambda r: f"{r['count']}/{r['total']}",
    )
    names = [
        f"{'All levels' if level == ALL else level}\n{'all tabs' if tab == ALL else tab}"
        for level, tab in groups
    ]
    return bar_chart(
        names,
        _legend_names(series),
        values,
        title="Accuracy by level and tab",
        y_label="cases passed",
        notes=notes,
    )


def _calibration_svg(rows: list[dict[str, Any]]) -> str:
    _, series, values, _ = _grid(rows, lambda row: row["band"], "percent")
    _, _, counts, _ = _grid(rows, lambda row: row["band"], "count")
    counts = [[count or 0 for count in row] for row in counts]  # a model with no values: 0
    return calibration_chart(
        BANDS,
        _legend_names(series),
        values,
        counts,
        title="Confidence calibration",
        x_label="confidence",
        y_label="values right",
        diagonal="accuracy = confidence",
    )


def _agreement_svg(rows: list[dict[str, Any]]) -> str:
    groups, series, values, notes = _grid(
        rows, lambda row: row["field"], "percent", lambda r: f"{r['agree']}/{r['count']}"
    )
    return bar_chart(
        groups,
        _legend_names(series),
        values,
        title="Agreement with the reviewers, per field",
        y_label="values agreed",
        notes=notes,
    )
