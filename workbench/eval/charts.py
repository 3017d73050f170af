"""The figures the eval report draws, worked out once for both faces: report.html and the
Evaluate tab.

`figures(report, results)` returns plain rows, JSON-ready:

- "accuracy": a row per model and level × tab cell with answers in it —
  {"model", "label", "level", "tab", "count", "total", "percent"} ("all" is every level or tab);
- "calibration": a row per model and confidence band — {"model", "label", "band", "low", "high",
  "count", "right", "percent"}: how many values the model gave with a confidence in the band,
  and how many of those were right (values the golden set says nothing about are left out;
  `workbench.eval.calibration.by_band` counts them);
- "ranking": a row per model with judged values — {"model", "label", "auroc", "right", "wrong",
  "levels", "at_or_above"}: the AUROC of confidence for telling right values from wrong
  (`workbench.eval.calibration.auroc`; None without both), and per level (best first) the
  values at that level, and at that level or above, as {"count", "right", "percent"};
- "agreement": a row per model and field of the cases that came from a review (`"source":
  "review"`) — {"model", "label", "field", "count", "agree", "percent", "disagreements"}: how
  often the model's value was the one the reviewer accepted, and the cases where it was not
  (`workbench.eval.review_agreement.agreement`: paths with indices folded, items[].amount);
- "agreement_presets": the same per tab:preset (key "preset"), for the report's table.

`report` is `workbench.eval.report.summary(results)`; the per-value confidence is the
"confidence" of each model run (`{"values": [{"at", "score", "level", "right"}]}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.eval.calibration import BANDS, at_or_above, auroc, by_band, by_level
from workbench.eval.golden import LEVELS
from workbench.eval.review_agreement import agreement
from workbench.eval.run import model_runs

ALL = "all"
LABELS = ("A", "B")
REVIEW = "review"  # a case's "source" when its truth is what a reviewer accepted


def figures(report: dict[str, Any], results: Sequence[dict[str, Any]]) -> dict[str, list[dict]]:
    """Return the rows of the charts: accuracy, calibration, agreement (per field), and for the
    report's tables how confidence ranks each model's values and the agreement per preset."""
    models = report["models"]
    labels = model_labels(len(models))
    names = [(model["model"], label) for model, label in zip(models, labels, strict=True)]
    return {
        "accuracy": [
            row
            for model, label in zip(models, labels, strict=True)
            for row in _accuracy(model, label)
        ],
        "calibration": [
            row for index, named in enumerate(names) for row in _calibration(results, index, *named)
        ],
        "ranking": [
            row for index, named in enumerate(names) for row in _ranking(results, index, *named)
        ],
        "agreement": [
            row
            for index, named in enumerate(names)
            for row in _agreement(results, index, *named, "field")
        ],
        "agreement_presets": [
            row
            for index, named in enumerate(names)
            for row in _agreement(results, index, *named, "preset")
        ],
    }


def model_labels(count: int) -> list[str]:
    """Return how each model is told apart: "A", "B" with two, "" with one."""
    return [""] if count < 2 else list(LABELS[:count])


def band_name(low: float, high: float) -> str:
    """Return a band as it is shown: "0.0–0.2"."""
    return f"{low:.1f}–{high:.1f}"


def _accuracy(model: dict[str, Any], label: str) -> list[dict[str, Any]]:
    accuracy = model["accuracy"]
    tabs = list(accuracy[ALL])  # the tabs in the order of the results, then "all"
    return [
        {
            "model": model["model"],
            "label": label,
            "level": level,
            "tab": tab,
            **accuracy[level][tab],
        }
        for level in (*LEVELS, ALL)
        for tab in tabs
        if accuracy[level][tab]["total"]
    ]


def _values(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the values of a model run that the golden set judged (right is true or false)."""
    confidence = run.get("confidence") or {}
    return [v for v in confidence.get("values") or [] if v.get("right") is not None]


def _calibration(
    results: Sequence[dict[str, Any]], index: int, model: str, label: str
) -> list[dict[str, Any]]:
    values = [value for line in results for value in _values(model_runs(line)[index])]
    if not values:
        return []
    return [_band_row(model, label, band) for band in by_band(values, BANDS)]


def _band_row(model: str, label: str, band: dict[str, Any]) -> dict[str, Any]:
    low, high = band["band"]
    row = {"model": model, "label": label, "band": band_name(low, high), "low": low, "high": high}
    return row | {"count": band["count"], "right": band["right"]} | _percented(band)


def _ranking(
    results: Sequence[dict[str, Any]], index: int, model: str, label: str
) -> list[dict[str, Any]]:
    """Return the model's row of how confidence ranks its values (none without judged values)."""
    values = [value for line in results for value in _values(model_runs(line)[index])]
    if not values:
        return []
    rights = [bool(value["right"]) for value in values]
    return [
        {"model": model, "label": label, "auroc": auroc([v["score"] for v in values], rights)}
        | {"right": sum(rights), "wrong": len(rights) - sum(rights)}
        | {"levels": {name: _percented(tally) for name, tally in by_level(values).items()}}
        | {"at_or_above": {name: _percented(t) for name, t in at_or_above(values).items()}}
    ]


def _percented(tally: dict[str, Any]) -> dict[str, Any]:
    """Return a tally of calibration's ({"count", "right", "accuracy"}) with its percent."""
    return {"count": tally["count"], "right": tally["right"]} | {
        "percent": _percent(tally["right"], tally["count"])
    }


def _agreement(
    results: Sequence[dict[str, Any]], index: int, model: str, label: str, by: str
) -> list[dict[str, Any]]:
    """Return a row per field (`by` "field") or per tab:preset ("preset") of the reviewed cases."""
    reviewed = [line for line in results if line.get("source") == REVIEW]
    tallies = agreement(reviewed, index)["fields" if by == "field" else "presets"]
    return [
        {"model": model, "label": label, by: name, "count": tally["count"]}
        | {"agree": tally["agree"], "percent": _percent(tally["agree"], tally["count"])}
        | {"disagreements": list(tally["disagreements"])}
        for name, tally in sorted(tallies.items())
        if tally["count"]
    ]


def _percent(count: int, total: int) -> float | None:
    return round(100 * count / total, 1) if total else None
