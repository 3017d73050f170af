"""A confidence for every value of an answer: signals combined into a score, a level, reasons.

Signals, each in [0, 1] or None when not measured (see docs/confidence.md):

- `tokens`: the probability of the least likely token the model wrote for the value;
- `ocr`: whether OCR saw the value on the image (inside the model's box, outside it, not at all);
- `agreement`: the share of extra sampled answers that gave the same value at the same path;
- `checks`: 0 when a domain check involving the value failed, 1 when all such checks passed.

The score is the weighted mean of the signals measured (WEIGHTS); LEVELS bound the levels.
Values under a threshold are "abstained": handed on as null ("empty rather than wrong").
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workbench.answers.boxes import bbox_fields, find_boxes
from workbench.answers.checks import CheckResult
from workbench.answers.spans import TokenLogprob, token_offsets, tokens_in, value_spans
from workbench.answers.validation import json_path

# How much each signal counts, when measured. Why these numbers: docs/confidence.md.
WEIGHTS: dict[str, float] = {"tokens": 0.4, "ocr": 0.3, "agreement": 0.3, "checks": 0.2}
# (level, lowest score in it), best first; a score takes the first level it reaches.
LEVELS: tuple[tuple[str, float], ...] = (("high", 0.8), ("check", 0.5), ("low", 0.0))
# What OCR evidence is worth: seen in the model's box (or no box given), seen elsewhere, unseen.
OCR_SIGNAL: dict[str, float] = {"seen": 1.0, "off_box": 0.6, "not_seen": 0.0}
NOTHING_MEASURED = 0.5  # a value no signal speaks about is neither trusted nor doubted
DIRECT = ("tokens", "ocr", "agreement")  # the signals that look at the value itself
# Which fields each domain check involves: JSON paths with list indices folded ("$.items[]").
# A path starting with ".." matches any path ending in the rest ("..bbox_2d").
CHECK_FIELDS: dict[str, tuple[str, ...]] = {
    "items_sum": ("$.items[].amount", "$.subtotal"),
    "total_adds_up": ("$.subtotal", "$.discounts[].amount", "$.tax", "$.total"),
    "tax_rate": ("$.tax_rate", "$.subtotal", "$.tax"),
    "item_amounts": ("$.items[].qty", "$.items[].unit_price", "$.items[].amount"),
    "vat_tax_rate": ("$.amount", "$.tax_rate", "$.tax"),
    "vat_total": ("$.amount", "$.tax", "$.total"),
    "total_in_words": ("$.total_in_words", "$.total"),
    "seller_tax_id": ("$.seller_tax_id",),
    "buyer_tax_id": ("$.buyer_tax_id",),
    "value_in_scale": ("$.value", "$.scale_min", "$.scale_max"),
    "verdicts_agree": ("$.correct", "$.steps[].verdict"),
    "final_answer_parses": ("$.final_answer",),
    "boxes_inside_image": ("..bbox_2d",),
    # threshold_alarm is left out: an alarm is news about the gauge, not a wrong value.
}
_OCR_REASONS = {
    "seen": "seen on the image",
    "off_box": "seen outside the model's box",
    "not_seen": "not seen on the image",
}
_INDEX = re.compile(r"\[\d+\]")
Level = Literal["high", "check", "low"]
Parts = tuple[str | int, ...]


@dataclass(frozen=True)
class ValueConfidence:
    """One value's confidence: its path, the score and level, why, and whether it was held back."""

    path: str
    value: Any
    score: float
    level: str
    reasons: tuple[str, ...]
    signals: dict[str, float | None]
    abstained: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the value as records keep it (the path under "at", as evidence does)."""
        return {
            "at": self.path,
            "value": self.value,
            "score": self.score,
            "level": self.level,
            "reasons": list(self.reasons),
            "signals": dict(self.signals),
            "abstained": self.abstained,
        }


@dataclass(frozen=True)
class ConfidenceReport:
    """Every value of an answer with its confidence, in answer order, and the threshold used."""

    values: tuple[ValueConfidence, ...]
    threshold: float | None = None
    samples: int = 0  # extra answers compared for agreement

    def as_dict(self) -> dict[str, Any]:
        """Return {"threshold", "samples", "values": [...]}: the record's "confidence"."""
        values = [each.as_dict() for each in self.values]
        return {"threshold": self.threshold, "samples": self.samples, "values": values}

    @property
    def lowest_level(self) -> str | None:
        """Return the worst level of any value; None when there are no values."""
        return lowest_level(each.level for each in self.values)

    def level_under(self, owner: str) -> str | None:
        """Return the worst level of the values at or inside a JSON path (`$.items[0]`)."""
        inside = (owner + ".", owner + "[")
        return lowest_level(
            each.level for each in self.values if each.path == owner or each.path.startswith(inside)
        )

    def handed_on(self, parsed: Any) -> Any:
        """Return the answer's JSON with the abstained values as null (a copy; `parsed` kept)."""
        held = {each.path for each in self.values if each.abstained}
        if not held:
            return parsed
        result = copy.deepcopy(parsed)
        for parts, _ in _leaves(result):
            if json_path(parts) in held:
                _set(result, parts, None)
        return result


def box_levels(report: ConfidenceReport | None, parsed: Any) -> list[str | None]:
    """Return the level of each box `find_boxes(parsed)` finds: the worst of the values inside
    the object the box belongs to (None without a report)."""
    owners = [
        path.removesuffix(".bbox_2d")
        for path, owner in bbox_fields(parsed)
        if find_boxes({"bbox_2d": owner["bbox_2d"]})
    ]
    return [None if report is None else report.level_under(owner) for owner in owners]


def lowest_level(levels: Iterator[str] | Sequence[str]) -> str | None:
    """Return the worst of some levels ("low" before "check" before "high"); None for none."""
    order = [name for name, _ in LEVELS]
    found = [level for level in levels if level in order]
    return max(found, key=order.index) if found else None


def level_of(score: float) -> str:
    """Return the level a score reaches: the first in LEVELS whose lower bound it meets."""
    for name, lower in LEVELS:
        if score >= lower:
            return name
    return LEVELS[-1][0]


def combine(signals: Mapping[str, float | None], weights: Mapping[str, float] = WEIGHTS) -> float:
    """Return the weighted mean of the measured signals; NOTHING_MEASURED when none is.

    Checks only test values against each other: without a signal that looked at the value
    itself (DIRECT), they can lower the score but not raise it above NOTHING_MEASURED.
    """
    measured = [(weights[name], value) for name, value in signals.items() if value is not None]
    total = sum(weight for weight, _ in measured)
    if not total:
        return NOTHING_MEASURED
    score = round(sum(weight * value for weight, value in measured) / total, 4)
    if all(signals.get(name) is None for name in DIRECT):
        return min(score, NOTHING_MEASURED)
    return score


def confidence_report(
    parsed: Any,
    *,
    text: str = "",
    tokens: Sequence[TokenLogprob] | None = None,
    ocr: Mapping[str, str] | None = None,
    checks: Sequence[CheckResult] = (),
    samples: Sequence[Any] | None = None,
    threshold: float | None = None,
) -> ConfidenceReport:
    """Return the confidence of every value of a parsed answer.

    `tokens` are the engine's (text, logprob) for `text`, the answer the JSON was read from
    (None: the engine gave none). `ocr` maps a value's path to "seen", "off_box" or "not_seen"
    (paths OCR did not check are left out). `samples` are the parsed extra answers for
    agreement (None: not asked for; an answer that did not parse is None in it).
    """
    spans = value_spans(text, parsed) if tokens else {}
    offsets = token_offsets(text, tokens) if spans and tokens else []
    failed, passed = _checked_fields(checks)
    values = []
    for parts, value in _leaves(parsed):
        path = json_path(parts)
        signals: dict[str, float | None] = {
            "tokens": _token_signal(spans.get(path), offsets, tokens or ()),
            "ocr": OCR_SIGNAL.get((ocr or {}).get(path, "")),
            "agreement": None if samples is None else _agreement(parts, value, samples),
        }
        signals["checks"], against = _check_signal(path, failed, passed)
        score = combine(signals)
        reasons = _reasons(signals, (ocr or {}).get(path), against)
        abstained = threshold is not None and score < threshold
        values.append(
            ValueConfidence(path, value, score, level_of(score), reasons, signals, abstained)
        )
    return ConfidenceReport(tuple(values), threshold, len(samples or ()))


def _leaves(value: Any, parts: Parts = ()) -> Iterator[tuple[Parts, Any]]:
    """Yield (path parts, value) for each scalar of a JSON value, a `bbox_2d` as one; not nulls."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "bbox_2d" and isinstance(child, list):
                yield (*parts, key), child
            else:
                yield from _leaves(child, (*parts, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, (*parts, index))
    elif value is not None and parts:
        yield parts, value


def _set(root: Any, parts: Parts, value: Any) -> None:
    target = root
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def _at(root: Any, parts: Parts) -> tuple[bool, Any]:
    """Return (found, value) at a path of a JSON value."""
    target = root
    for part in parts:
        in_list = isinstance(part, int) and isinstance(target, list) and part < len(target)
        in_object = isinstance(part, str) and isinstance(target, dict) and part in target
        if not (in_list or in_object):
            return False, None
        target = target[part]
    return True, target


def _token_signal(
    span: tuple[int, int] | None, offsets: Sequence[tuple[int, int]], tokens: Sequence[Any]
) -> float | None:
    """Return the probability of the least likely token of the value; None without tokens."""
    if span is None or not offsets:
        return None
    logprobs = tokens_in(span, offsets, tokens)
    if not logprobs:
        return None
    return round(math.exp(min(logprobs)), 4)


def _agreement(parts: Parts, value: Any, samples: Sequence[Any]) -> float | None:
    """Return the share of samples holding the same value at the same path."""
    if not samples:
        return None
    same = sum(_same(value, found) for ok, found in (_at(s, parts) for s in samples) if ok)
    return round(same / len(samples), 4)


def _same(first: Any, second: Any) -> bool:
    """Return whether two values say the same: numbers within 1e-6, text ignoring case/space."""
    if isinstance(first, bool) or isinstance(second, bool):
        return first is second
    if isinstance(first, int | float) and isinstance(second, int | float):
        return math.isclose(first, second, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(first, str) and isinstance(second, str):
        return " ".join(first.casefold().split()) == " ".join(second.casefold().split())
    return first == second


def _fold(path: str) -> str:
    """Return a path with its list indices folded: $.items[0].amount -> $.items[].amount."""
    return _INDEX.sub("[]", path)


def _involves(pattern: str, folded: str) -> bool:
    if pattern.startswith(".."):
        return folded.endswith("." + pattern[2:])
    return folded == pattern


def _checked_fields(
    checks: Sequence[CheckResult],
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Return {folded path pattern: names of failed checks}, and the same for passed ones."""
    failed: dict[str, tuple[str, ...]] = {}
    passed: dict[str, tuple[str, ...]] = {}
    for check in checks:
        into = passed if check.ok else failed
        for pattern in CHECK_FIELDS.get(check.name, ()):
            into[pattern] = (*into.get(pattern, ()), check.name)
    return failed, passed


def _check_signal(
    path: str, failed: Mapping[str, Sequence[str]], passed: Mapping[str, Sequence[str]]
) -> tuple[float | None, tuple[str, ...]]:
    """Return 0 and the failed checks involving the value, 1 when all passed, else None."""
    folded = _fold(path)
    against = tuple(
        dict.fromkeys(n for p, names in failed.items() if _involves(p, folded) for n in names)
    )
    if against:
        return 0.0, against
    if any(_involves(pattern, folded) for pattern in passed):
        return 1.0, ()
    return None, ()


def _reasons(
    signals: Mapping[str, float | None], ocr: str | None, failed: Sequence[str]
) -> tuple[str, ...]:
    """Return the signals as short English reasons: "tokens 0.91", "seen on the image", …"""
    reasons = []
    if signals["tokens"] is not None:
        reasons.append(f"tokens {signals['tokens']:.2f}")
    if ocr in _OCR_REASONS:
        reasons.append(_OCR_REASONS[ocr])
    if signals["agreement"] is not None:
        reasons.append(f"samples agree {signals['agreement']:.2f}")
    if signals["checks"] == 0.0:
        reasons += [f"{name.replace('_', ' ')} failed" for name in failed]
    elif signals["checks"] == 1.0:
        reasons.append("checks hold")
    return tuple(reasons) or ("nothing measured",)
