"""Is each value of an answer printed on the image? Every value checked against the OCR lines.

`check_answer` walks a parsed JSON answer and looks for each value it can check in the lines
`ocr.read_lines` returned; `check_text` does the same for the numbers of a free-text answer.
Both sides are read by `printed` (normalised; numbers and dates read in every form they may be
printed in). What is checked, and how a value matches:

- Numbers (not booleans) other than 0 and 1: those are often implied rather than printed (a
  quantity of one, a tax of zero), so finding a "1" anywhere would prove nothing. A number
  matches when its absolute value equals, within 1e-6, a number read in one OCR line.
- Dates, as ISO `YYYY-MM-DD` strings: they match an OCR date in any common form.
- Other strings of at most 60 characters (names, codes): their letters and digits, in order,
  with any punctuation and spaces between, in one OCR line, in two neighbouring lines joined
  (a name that wraps, a label beside its value) or in a row of lines (a tab bar), but not
  inside a longer number ("4827163" is not seen in "48271635"). A string of one or two
  characters must stand alone.

Never checked: `bbox_2d`, `confidence`, an element's `label`, prose keys (`reason`,
`description`, ...), longer strings, and, given the JSON Schema, values whose schema has `enum`
or `const`: those are the model's classification, not something it read.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from workbench.answers.boxes import Region, bbox_fields, bbox_to_pixels, is_valid_bbox
from workbench.answers.validation import json_path
from workbench.evidence.ocr import Box, OcrLine
from workbench.evidence.printed import ISO_DATE, compact, date_matches, normalise, number_matches
from workbench.messages import word

MAX_STRING = 60  # longer strings are sentences, not something printed as one field
# Prose keys hold the model's own sentences.
PROSE_KEYS = frozenset({"reason", "description", "explanation", "comment", "notes", "summary"})
# Boxes and confidences are no text. In the workbench's schemas "label" is an element's role
# (button, title, text field) named by the model, not text read off the image (the screenshots
# tab's `elements[].label`).
SKIPPED_KEYS = PROSE_KEYS | {"bbox_2d", "confidence", "label"}
_TOLERANCE = 1e-6
# What names a value's JSON path in evidence's JSON: "path", or "at" in a record, whose dicts
# never have a "path" (API clients such as gradio_client take any dict with one for a file).
PathKey = Literal["path", "at"]


@dataclass(frozen=True)
class Evidence:
    """One checked value: where it sits in the answer, and the OCR box it was seen in, if any.

    `model_box_off` is True when the value was seen, but nowhere inside the box the model gave
    for the object holding it.
    """

    path: str
    value: Any
    found: bool
    box: Box | None = None
    model_box_off: bool = False

    def as_dict(self, path_key: PathKey = "path") -> dict[str, Any]:
        """Return {"path", "value", "found", "box", "model_box_off"}, the path under `path_key`."""
        box = None if self.box is None else list(self.box)
        return {
            path_key: self.path,
            "value": self.value,
            "found": self.found,
            "box": box,
            "model_box_off": self.model_box_off,
        }


@dataclass(frozen=True)
class EvidenceReport:
    """Every value checked against the image, in answer order."""

    values: tuple[Evidence, ...]

    @property
    def found(self) -> int:
        """Return how many values were seen on the image."""
        return sum(evidence.found for evidence in self.values)

    @property
    def total(self) -> int:
        """Return how many values were checked."""
        return len(self.values)

    def summary(self, language: str = "en") -> str:
        """Return "9 of 11 values seen on the image", worded in "en" or "zh"."""
        key = {0: "evidence.none", 1: "evidence.one"}.get(self.total, "evidence.many")
        return word(key, language, found=self.found, total=self.total)

    def as_dict(self) -> dict[str, Any]:
        """Return {"values": [...], "found": N, "total": M} as plain JSON data."""
        return evidence_json(self)


def evidence_json(
    report: EvidenceReport | None, *, path_key: PathKey = "path", values: bool = True
) -> dict[str, Any] | None:
    """Return evidence's one JSON shape: {"values": [...], "found": N, "total": M}, or None.

    Each value is `Evidence.as_dict(path_key)`; `values=False` keeps the counts alone, as an
    eval's results line does.
    """
    if report is None:
        return None
    counts = {"found": report.found, "total": report.total}
    if not values:
        return counts
    return {"values": [each.as_dict(path_key) for each in report.values], **counts}


# --- what is checked ----------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """Return True for a finite int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def values_to_check(parsed: Any, schema: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """Return (JSON path, value) for each value of an answer that can be looked for on an image."""
    return [(json_path(parts), value) for parts, value in _walk(parsed, (), [schema or {}], schema)]


def _walk(
    value: Any, parts: tuple[str | int, ...], schemas: list[Any], root: Any
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    expanded = [each for schema in schemas for each in _expand(schema, root)]
    if any("enum" in schema or "const" in schema for schema in expanded):
        return  # the model's classification, not something printed
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in SKIPPED_KEYS:
                yield from _walk(child, (*parts, key), _property(expanded, key), root)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, (*parts, index), _item(expanded, index), root)
    elif _checkable(value):
        yield parts, value


def _checkable(value: Any) -> bool:
    """Return True for a number other than 0 and 1, or a short string with letters or digits."""
    if is_number(value):
        return abs(value) not in (0, 1)
    return isinstance(value, str) and len(value) <= MAX_STRING and bool(compact(value))


def _expand(schema: Any, root: Any, depth: int = 0) -> list[dict[str, Any]]:
    """Return a schema with its local $ref and its allOf/anyOf/oneOf branches, flattened."""
    if not isinstance(schema, dict) or depth > 16:
        return []
    found = [schema]
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        found += _expand(_pointer(root, ref), root, depth + 1)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(keyword) or ():
            found += _expand(branch, root, depth + 1)
    return found


def _pointer(root: Any, ref: str) -> Any:
    """Return what a local JSON pointer ("#/$defs/item") names in the root schema, or None."""
    target = root
    for token in ref[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        target = target.get(token) if isinstance(target, dict) else None
    return target


def _property(schemas: list[dict[str, Any]], key: str) -> list[Any]:
    children: list[Any] = []
    for schema in schemas:
        properties = schema.get("properties") or {}
        patterns = [
            s for p, s in (schema.get("patternProperties") or {}).items() if re.search(p, key)
        ]
        if key in properties:
            children.append(properties[key])
        elif patterns:
            children += patterns
        elif isinstance(schema.get("additionalProperties"), dict):
            children.append(schema["additionalProperties"])
    return children


def _item(schemas: list[dict[str, Any]], index: int) -> list[Any]:
    children: list[Any] = []
    for schema in schemas:
        prefix, items = schema.get("prefixItems") or [], schema.get("items")
        if isinstance(items, list):  # drafts before 2020-12 spelled prefixItems this way
            prefix, items = items, schema.get("additionalItems")
        children.append(prefix[index] if index < len(prefix) else items)
    return children


# --- looking for values ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """One OCR line, two neighbouring lines or a row, read once for every value looked for."""

    box: Box
    text: str  # normalised
    numbers: frozenset[float]  # single lines only: joining "2" and "1.49" makes no number
    dates: frozenset[str]


def _spans(lines: Sequence[OcrLine]) -> list[_Span]:
    """Return a span for each line, for each line joined with the one right of or below it,
    and for each row of three lines or more (a tab bar, a table row), joined left to right."""
    spans = [_span(line.text, line.box, numbers=True) for line in lines]
    for first in lines:
        for second in lines:
            if second is not first and _neighbours(first.box, second.box):
                text = f"{first.text} {second.text}"
                spans.append(_span(text, _union(first.box, second.box), numbers=False))
    for row in _rows(lines):
        if len(row) > 2:
            text = " ".join(line.text for line in row)
            box = functools.reduce(_union, (line.box for line in row))
            spans.append(_span(text, box, numbers=False))
    return spans


def _rows(lines: Sequence[OcrLine]) -> list[list[OcrLine]]:
    """Return the lines grouped into rows, top to bottom, each row left to right."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda line: (line.box[1] + line.box[3]) / 2):
        if rows and _same_row(rows[-1][-1].box, line.box):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.box[0]) for row in rows]


def _same_row(first: Box, second: Box) -> bool:
    height = min(first[3] - first[1], second[3] - second[1])
    return min(first[3], second[3]) - max(first[1], second[1]) >= height / 2


def _span(text: str, box: Box, numbers: bool) -> _Span:
    text = normalise(text)
    found = frozenset().union(*(r for _, _, r in number_matches(text))) if numbers else frozenset()
    return _Span(box, text, found, frozenset(iso for _, iso in date_matches(text)))


def _neighbours(first: Box, second: Box) -> bool:
    """Return True when `second` continues `first`: just right of it, or the next line below."""
    height = min(first[3] - first[1], second[3] - second[1])
    if _same_row(first, second):  # one row: second starts at most two heights to the right
        return 0 <= second[0] - first[2] + height / 2 <= 2.5 * height
    columns_overlap = min(first[2], second[2]) - max(first[0], second[0])
    gap = second[1] - first[3]
    return columns_overlap > 0 and -height / 2 <= gap <= height


def _union(first: Box, second: Box) -> Box:
    return (
        min(first[0], second[0]),
        min(first[1], second[1]),
        max(first[2], second[2]),
        max(first[3], second[3]),
    )


def _overlaps(first: Box, second: Box) -> bool:
    columns = min(first[2], second[2]) - max(first[0], second[0])
    return columns > 0 and min(first[3], second[3]) > max(first[1], second[1])


def _seen_by(value: Any) -> Callable[[_Span], bool]:
    """Return a test of whether a span shows a JSON answer's value (a number or a string)."""
    if is_number(value):
        return functools.partial(_has_number, readings={abs(value)})
    dates = {value} if ISO_DATE.fullmatch(value) else set()
    return functools.partial(_has_text, pattern=_text_pattern(value), dates=dates)


def _text_pattern(value: str) -> re.Pattern[str]:
    """Return a pattern for the value's letters and digits in order, anything else between.

    Digits at its ends must not run on into more digits: "4827163" is not seen in "48271635".
    Letters may (a label clipped mid-word, "Proceed to secure c", reads "...secure ch"). A
    value of one or two characters must stand alone: any line with a "c" in it proves nothing.
    """
    chars = compact(value)
    if len(chars) <= 2:
        before = after = r"[^\W_]"  # a letter or a digit
    else:
        before, after = (r"\d" if char.isdigit() else "" for char in (chars[0], chars[-1]))
    pattern = r"[\W_]*".join(map(re.escape, chars))
    return re.compile(
        (f"(?<!{before})" if before else "") + pattern + (f"(?!{after})" if after else "")
    )


def _has_number(span: _Span, readings: Iterable[float]) -> bool:
    return any(math.isclose(r, n, abs_tol=_TOLERANCE) for r in readings for n in span.numbers)


def _has_date(span: _Span, dates: set[str]) -> bool:
    return not dates.isdisjoint(span.dates)


def _has_text(span: _Span, pattern: re.Pattern[str], dates: set[str]) -> bool:
    return _has_date(span, dates) or pattern.search(span.text) is not None


def _evidence(path: str, value: Any, places: Sequence[Box], model_box: Box | None) -> Evidence:
    """Return where a value was seen, preferring a place inside the model's own box for it."""
    if not places:
        return Evidence(path, value, False)
    if model_box is None:
        return Evidence(path, value, True, places[0])
    inside = [box for box in places if _overlaps(box, model_box)]
    return Evidence(path, value, True, (inside or places)[0], model_box_off=not inside)


def check_answer(
    parsed: Any,
    lines: Sequence[OcrLine],
    schema: Mapping[str, Any] | None = None,
    model_boxes: Mapping[str, Box] | None = None,
) -> EvidenceReport:
    """Return which of a parsed JSON answer's values were seen in the OCR lines.

    `model_boxes` maps the JSON path of an object that has a `bbox_2d` (`$.items[0]`) to that
    box in image pixels (see `model_boxes_from`). A value seen on the image, but only outside
    the box of the nearest object around it that has one, is marked `model_box_off`.
    """
    spans, boxes = _spans(lines), model_boxes or {}
    values = []
    for parts, value in _walk(parsed, (), [schema or {}], schema):
        owners = (json_path(parts[:end]) for end in range(len(parts) - 1, -1, -1))
        model_box = next((boxes[owner] for owner in owners if owner in boxes), None)
        seen = _seen_by(value)
        places = [span.box for span in spans if seen(span)]
        values.append(_evidence(json_path(parts), value, places, model_box))
    return EvidenceReport(tuple(values))


# A numbered list's marker ("2. Flat white"), which is no number read off the image.
_LIST_MARKER = re.compile(r"^[ \t]*\d{1,2}[.)](?=\s)", re.MULTILINE)


def check_text(text: str, lines: Sequence[OcrLine]) -> EvidenceReport:
    """Return which numbers and dates of a free-text answer were seen in the OCR lines.

    The answer is normalised as the OCR lines are. Each value's path is `text[i]`, i counting
    the values checked in the order they appear in the answer, and its value is the number or
    date as written there, normalised ("1,016.82", "-4.20", "7%", "03/14/2024"). A date's digits
    are not read as numbers too; list markers ("2." starting a line), 0 and 1 are skipped.
    """
    text = _LIST_MARKER.sub(" ", unicodedata.normalize("NFKC", text))
    normalised, spans = normalise(text), _spans(lines)
    dates: dict[tuple[int, int], set[str]] = {}
    for (start, end), iso in date_matches(normalised):
        if (start, end) in dates or not any(start < e and s < end for s, e in dates):
            dates.setdefault((start, end), set()).add(iso)
    found = [
        (s, normalised[s:e], functools.partial(_has_date, dates=d)) for (s, e), d in dates.items()
    ]
    masked = list(normalised)  # a date's digits are not numbers too
    for start, end in dates:
        masked[start:end] = " " * (end - start)
    for start, written, readings in number_matches("".join(masked)):
        if readings - {0.0, 1.0}:
            found.append((start, written, functools.partial(_has_number, readings=readings)))
    values = []
    for index, (_, written, seen) in enumerate(sorted(found, key=lambda each: each[0])):
        places = [span.box for span in spans if seen(span)]
        values.append(_evidence(f"text[{index}]", written, places, None))
    return EvidenceReport(tuple(values))


def model_boxes_from(
    parsed: Any, image_size: tuple[int, int], region: Region | None = None
) -> dict[str, Box]:
    """Return {JSON path of an object: its valid `bbox_2d` in image pixels}, for check_answer."""
    return {
        path.removesuffix(".bbox_2d"): bbox_to_pixels(owner["bbox_2d"], image_size, region)
        for path, owner in bbox_fields(parsed)
        if is_valid_bbox(owner["bbox_2d"])
    }
