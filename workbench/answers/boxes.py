"""Box maths: user-drawn regions in image pixels, and the model's 0–1000 boxes mapped back.

Qwen3-VL answers `bbox_2d: [x1, y1, x2, y2]` in 0–1000 coordinates relative to the image it was
shown (Qwen2.5-VL used absolute pixels of its resized input). When it was shown a crop, its boxes
are relative to the crop and map back through the crop's offset and size. Pure maths, no PIL.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workbench.answers.validation import json_path

MODEL_SCALE = 1000  # Qwen3-VL's relative coordinates run 0..1000 on both axes
# One visual token covers 32×32 pixels; a region smaller than that gives the model nothing to read.
DEFAULT_MIN_SIZE = 32
LABEL_KEYS = ("label", "kind", "text", "name")


@dataclass(frozen=True)
class Region:
    """A rectangle in full-image pixels, right and bottom exclusive (as PIL's crop takes it)."""

    left: int
    top: int
    right: int
    bottom: int

    def __post_init__(self) -> None:
        if self.right <= self.left or self.bottom <= self.top:
            raise ValueError(f"region {self.as_box()} has no area")

    @property
    def width(self) -> int:
        """Return the width in pixels."""
        return self.right - self.left

    @property
    def height(self) -> int:
        """Return the height in pixels."""
        return self.bottom - self.top

    def as_box(self) -> tuple[int, int, int, int]:
        """Return (left, top, right, bottom), the tuple PIL's `crop` takes."""
        return (self.left, self.top, self.right, self.bottom)


def clamp_region(
    box: Sequence[float], image_size: tuple[int, int], min_size: int = DEFAULT_MIN_SIZE
) -> Region | None:
    """Return the region a user drew, corners ordered, clamped, rounded, at least `min_size`.

    None when the box has no area inside the image (a click without a drag, a box drawn off
    the image): the caller then uses the whole image. A box that is not four finite numbers, or
    a bad image size, is a caller's mistake and raises ValueError. A region smaller than
    `min_size` grows around its centre, shifted to stay inside the image; it never grows past
    the image itself.
    """
    if min_size < 1:
        raise ValueError(f"min_size must be at least 1, got {min_size}")
    x1, y1, x2, y2 = _four_numbers(box, "region")
    width, height = _image_size(image_size)
    columns = _span(x1, x2, width, min_size)
    rows = _span(y1, y2, height, min_size)
    if columns is None or rows is None:
        return None
    return Region(columns[0], rows[0], columns[1], rows[1])


def bbox_to_pixels(
    bbox: Sequence[float], image_size: tuple[int, int], region: Region | None = None
) -> tuple[int, int, int, int]:
    """Return the model's 0–1000 box as (left, top, right, bottom) full-image pixels.

    With `region`, the box is relative to that crop. Coordinates past 0–1000 are clamped to it
    (the model can only point inside what it saw), corners are ordered, and the result is
    rounded and kept inside the image.
    """
    x1, y1, x2, y2 = (min(max(v, 0), MODEL_SCALE) for v in _four_numbers(bbox, "bbox_2d"))
    width, height = _image_size(image_size)
    frame = region or Region(0, 0, width, height)
    left, right = sorted(
        _clamp(frame.left + x * frame.width / MODEL_SCALE, width) for x in (x1, x2)
    )
    top, bottom = sorted(
        _clamp(frame.top + y * frame.height / MODEL_SCALE, height) for y in (y1, y2)
    )
    return (left, top, right, bottom)


def pixels_to_bbox(region: Region, image_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Return a full-image pixel region in the model's 0–1000 coordinates, to name in a prompt."""
    width, height = _image_size(image_size)
    return (
        _round(region.left * MODEL_SCALE / width),
        _round(region.top * MODEL_SCALE / height),
        _round(region.right * MODEL_SCALE / width),
        _round(region.bottom * MODEL_SCALE / height),
    )


def bbox_problem(bbox: Any) -> str:
    """Return what is wrong with a model box ("" when it is fine); reversed corners are fine."""
    if not _is_four_numbers(bbox):
        return "is not a list of 4 numbers"
    if any(not 0 <= v <= MODEL_SCALE for v in bbox):
        return f"is outside 0–{MODEL_SCALE}"
    if bbox[0] == bbox[2] or bbox[1] == bbox[3]:
        return "has no area"
    return ""


def is_valid_bbox(bbox: Any) -> bool:
    """Return True for 4 finite numbers within 0–1000 with positive area, corners either way."""
    return not bbox_problem(bbox)


def bbox_fields(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """Return (path of the bbox_2d, object holding it) for every `bbox_2d` key in a JSON value."""
    found: list[tuple[str, dict[str, Any]]] = []
    _walk(value, (), found)
    return found


def find_boxes(value: Any) -> list[tuple[str, list[float]]]:
    """Return (label, [x1, y1, x2, y2]) for every bbox_2d of 4 numbers in a JSON value.

    The label is the first non-empty sibling "label", "kind", "text" or "name", else a sibling
    reading "value" (with its "unit"), else the JSON path of the box. Boxes of the wrong
    shape are left to validation to report.
    """
    boxes = []
    for path, owner in bbox_fields(value):
        if _is_four_numbers(owner["bbox_2d"]):
            boxes.append((_label(owner, path), list(owner["bbox_2d"])))
    return boxes


def _walk(
    value: Any, parts: tuple[str | int, ...], found: list[tuple[str, dict[str, Any]]]
) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "bbox_2d":
                found.append((json_path((*parts, key)), value))
            else:
                _walk(child, (*parts, key), found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _walk(child, (*parts, index), found)


def _label(owner: dict[str, Any], path: str) -> str:
    """Return the box's name from its siblings, or its path."""
    for key in LABEL_KEYS:
        text = owner.get(key)
        if isinstance(text, str) and text.strip():
            return text.strip()
    if _is_number(owner.get("value")):  # a gauge reading: "6.4 bar"
        return f"{owner['value']} {owner.get('unit') or ''}".strip()
    return path


def _is_number(value: Any) -> bool:
    # bool is an int to Python, but `true` is no coordinate.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_four_numbers(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 4 and all(map(_is_number, value))


def _four_numbers(box: Sequence[float], what: str) -> tuple[float, float, float, float]:
    """Return the box's four numbers; raise ValueError when it is anything else."""
    if not _is_four_numbers(box):
        raise ValueError(f"{what} must be 4 finite numbers [x1, y1, x2, y2], got {box!r}")
    return (box[0], box[1], box[2], box[3])


def _image_size(image_size: tuple[int, int]) -> tuple[int, int]:
    """Return (width, height); raise ValueError unless both are positive integers."""
    width, height = image_size
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        raise ValueError(f"image size must be two positive integers, got {image_size!r}")
    return width, height


def _span(a: float, b: float, limit: int, min_size: int) -> tuple[int, int] | None:
    """Return one axis of a drawn box as pixels in 0..limit, grown to min_size; None if empty."""
    low, high = _clamp(min(a, b), limit), _clamp(max(a, b), limit)
    if high <= low:
        return None
    size = min(min_size, limit)
    if high - low >= size:
        return low, high
    low = min(max((low + high - size) // 2, 0), limit - size)  # centred, then pushed inside
    return low, low + size


def _clamp(value: float, limit: int) -> int:
    """Return the value rounded to a pixel and kept within 0..limit."""
    return min(max(_round(value), 0), limit)


def _round(value: float) -> int:
    # Half up, not Python's half-to-even: 10.5 and 11.5 both move the same way.
    return math.floor(value + 0.5)
