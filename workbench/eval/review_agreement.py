"""AI-vs-reviewer agreement: on a golden set made from a review, how often the model's value
is the one people accepted, per field and per preset, with the cases where it is not.

Each value's `right` (the eval's per-value comparison with the golden JSON, in the results'
"confidence") counts; a value the golden set says nothing about (`right` null) does not.
Results written before eval recorded confidence fall back to comparing each turn's parsed JSON
with its expected JSON (`workbench.eval.truth.compare_json`). Field paths fold their indices:
`$.items[0].amount` and `$.items[3].amount` are one field, `$.items[].amount`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from workbench.eval.run import model_runs
from workbench.eval.truth import compare_json

_INDEX = re.compile(r"\[\d+\]")
_COMPARED = {"match": True, "differs": False, "missing": False}  # "unscored": not counted


def fold_path(at: str) -> str:
    """Return a value's path with list indices folded: "$.items[2].amount" → "$.items[].amount"."""
    return _INDEX.sub("[]", at)


def agreement(results: Iterable[dict[str, Any]], model: int = 0) -> dict[str, Any]:
    """Return {"fields": {field: tally}, "presets": {"tab:preset": tally}}, each tally
    {"count", "agree", "share" (None without a count), "disagreements": [case ids]}, for the
    `model`-th model of each result line (0: the only one, or "a")."""
    fields: dict[str, dict[str, Any]] = {}
    presets: dict[str, dict[str, Any]] = {}
    for line in results:
        runs = model_runs(line)
        if model >= len(runs):
            continue
        preset = ":".join(str(part) for part in (line.get("tab"), line.get("preset")) if part)
        for at, right in _verdicts(runs[model]):
            for tallies, key in ((fields, fold_path(at)), (presets, preset)):
                _count(tallies.setdefault(key, _tally()), right, str(line.get("id")))
    for tally in [*fields.values(), *presets.values()]:
        tally["share"] = tally["agree"] / tally["count"] if tally["count"] else None
    return {"fields": fields, "presets": presets}


def _verdicts(run: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """Yield (path, right) for each value of a model's run the golden set speaks about."""
    confidence = run.get("confidence")
    if isinstance(confidence, dict) and isinstance(confidence.get("values"), list):
        for value in confidence["values"]:
            if isinstance(value, dict) and isinstance(value.get("right"), bool):
                yield str(value.get("at")), value["right"]
        return
    for turn in run.get("turns") or ():
        expect = turn.get("expect")
        if isinstance(expect, dict) and "json" in expect:
            for comparison in compare_json(expect["json"], turn.get("parsed")):
                if comparison.verdict in _COMPARED:
                    yield comparison.path, _COMPARED[comparison.verdict]


def _tally() -> dict[str, Any]:
    return {"count": 0, "agree": 0, "share": None, "disagreements": []}


def _count(tally: dict[str, Any], right: bool, case: str) -> None:
    tally["count"] += 1
    tally["agree"] += right
    if not right and case not in tally["disagreements"]:
        tally["disagreements"].append(case)
