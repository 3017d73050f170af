"""Where two aligned screenshots differ: changed pixels grouped into regions, boxed on both.

A pixel has changed when it lies more than `TOLERANCE` levels outside the range of the other
image's neighbourhood around it (5 rows by 3 columns; both lightly blurred), in either
direction and any channel: a one-pixel shift, anti-aliasing and JPEG ringing stay inside
that range; a new word, a new colour do not.
Changed pixels are opened (specks go), merged across the gaps between letters, and boxed;
a box needs `MIN_AREA` changed pixels. Rows that only one image has (a removed or added band)
are boxed whole, by what is drawn in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.compare.align import Segment

Box = tuple[int, int, int, int]
TOLERANCE = 40
MIN_AREA = 12  # changed pixels, at the working scale
MERGE = (13, 5)  # width, height: letters of a word, and a word's lines, become one region
CONTEXT = 2  # rows beyond a strip that its comparison looks at
MIN_BAND_ROWS = 4  # rows a band's drawing must span to count
INK = 32  # levels from a band's background that count as something drawn
# Rows are aligned in pairs, so a row may sit one off: two rows of slack up and down, one across.
_NEIGHBOURS = np.ones((5, 3), np.uint8)


@dataclass(frozen=True)
class Region:
    """A changed place: its box on before and on after (working pixels), None where absent."""

    before: Box | None
    after: Box | None
    band: bool = False  # rows only one image has: content removed or added as a block
    shift: int = 0  # a band's: rows that what follows it moved up (negative: down)


def changed_mask(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Return where two same-sized RGB arrays differ beyond the tolerance (a bool array)."""
    # A light blur first: JPEG's ringing and its halved colour resolution smear edges by a pixel.
    before, after = cv2.GaussianBlur(before, (3, 3), 0), cv2.GaussianBlur(after, (3, 3), 0)
    a, b = before.astype(np.int16), after.astype(np.int16)
    outside_a = _outside(b, cv2.dilate(before, _NEIGHBOURS), cv2.erode(before, _NEIGHBOURS))
    outside_b = _outside(a, cv2.dilate(after, _NEIGHBOURS), cv2.erode(after, _NEIGHBOURS))
    changed = np.maximum(outside_a, outside_b) > TOLERANCE
    opened = cv2.morphologyEx(changed.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return opened.astype(bool)


def _outside(values: np.ndarray, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    over = values - high.astype(np.int16)
    under = low.astype(np.int16) - values
    return np.maximum(over, under).max(axis=2)


def diff_regions(
    before: np.ndarray,
    after: np.ndarray,
    segments: Sequence[Segment],
    masks: Sequence[Box] = (),
    after_masks: Sequence[Box] = (),
) -> list[Region]:
    """Return the changed regions of two aligned images (working pixels, masks left out)."""
    regions: list[Region] = []
    for segment in segments:
        heights = (segment.a1 - segment.a0, segment.b1 - segment.b0)
        if segment.matched or abs(heights[0] - heights[1]) <= 2:
            regions += _in_place(before, after, segment, min(heights), masks)
            continue
        shift = heights[0] - heights[1]
        if heights[0]:
            box = _drawn_box(before[segment.a0 : segment.a1], segment.a0, masks)
            if box:
                regions.append(Region(box, None, band=True, shift=shift))
        if heights[1]:
            box = _drawn_box(after[segment.b0 : segment.b1], segment.b0, after_masks)
            if box:
                regions.append(Region(None, box, band=True, shift=shift))
    return regions


def _in_place(
    before: np.ndarray, after: np.ndarray, segment: Segment, height: int, masks: Sequence[Box]
) -> list[Region]:
    if height <= 0:
        return []
    # Two rows more on each side where both have them: a strip's own edge is no edge.
    top = min(CONTEXT, segment.a0, segment.b0)
    bottom = min(CONTEXT, len(before) - segment.a0 - height, len(after) - segment.b0 - height)
    a = before[segment.a0 - top : segment.a0 + height + bottom]
    b = after[segment.b0 - top : segment.b0 + height + bottom]
    changed = changed_mask(a, b)[top : top + height]
    _blank(changed, masks, segment.a0)
    if not changed.any():
        return []
    regions = []
    for x0, y0, x1, y1 in _boxes(changed):
        shift = segment.b0 - segment.a0
        top, bottom = y0 + segment.a0, y1 + segment.a0
        regions.append(Region((x0, top, x1, bottom), (x0, top + shift, x1, bottom + shift)))
    return regions


def _boxes(changed: np.ndarray) -> list[Box]:
    """Return boxes around groups of changed pixels with at least MIN_AREA of them."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, MERGE)
    merged = cv2.dilate(changed.astype(np.uint8), kernel)
    count, labels, _stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    sums = np.bincount(labels[changed], minlength=count)
    boxes = []
    for label in range(1, count):
        if sums[label] < MIN_AREA:
            continue
        ys, xs = np.nonzero((labels == label) & changed)
        boxes.append((int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1))
    return boxes


def _blank(changed: np.ndarray, masks: Sequence[Box], top: int) -> None:
    """Clear the masked parts of a strip's changes (masks in the image's working pixels)."""
    for x0, y0, x1, y1 in masks:
        changed[max(0, y0 - top) : max(0, y1 - top), max(0, x0) : max(0, x1)] = False


def _drawn_box(band: np.ndarray, top: int, masks: Sequence[Box]) -> Box | None:
    """Return the box around what is drawn on a band (unlike its commonest colour), or None."""
    flat = band.reshape(-1, 3)
    background = np.median(flat[:: max(1, len(flat) // 4096)], axis=0)
    drawn = (np.abs(band.astype(np.int16) - background).max(axis=2) > INK).astype(np.uint8)
    drawn = cv2.morphologyEx(drawn, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)).astype(bool)
    _blank(drawn, masks, top)
    ys, xs = np.nonzero(drawn)
    if drawn.sum() < MIN_AREA or ys.max() - ys.min() < MIN_BAND_ROWS:
        return None  # a divider's edge left over where two runs meet
    return (int(xs.min()), top + int(ys.min()), int(xs.max()) + 1, top + int(ys.max()) + 1)
