"""Changed regions made into changes: a kind each, boxed on both images, with their texts.

A region drawn on one image and blank on the other was removed or added — unless the same
thing turns up blank-to-drawn elsewhere (`SAME_LOOK`), when it moved. A region drawn on both
is a text change when the lines across it read differently, a style change when they read the
same but their colours (`COLOUR_STEP`) or heights (`SIZE_STEP`) differ, and nothing when they
read the same in the same colours and size: the same words rendered a little differently
(a retina capture scaled down).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.compare.align import Segment
from workbench.compare.contrast import hex_colour, line_colours
from workbench.compare.diff import INK, MIN_AREA, Region
from workbench.compare.models import Box

SAME_LOOK = 24.0  # mean level difference of two crops of the same thing, one scaled to the other
SIZE_MATCH = 0.15  # how much two crops of the same thing may differ in width and height
COLOUR_STEP = 40  # levels (any channel) between two colours that tell them apart
SIZE_STEP = 0.12  # share of a line's height by which its text grew or shrank (2 px at least)
EDGE_ROWS = 4  # working rows: a thing this thin beside a moved block may be that block's edge
MIN_SIDE = 6  # working pixels: a shape without text thinner than this is not judged
NEAR = 2  # working pixels beyond a region where what is drawn still counts as in it
SHAPE_STEP = 60.0  # level difference (95th percentile, blurred, best of ±2 px) of a new shape


@dataclass(frozen=True)
class Found:
    """A change before its texts are read: kind, boxes in working pixels, what to read."""

    kind: str  # "both" until the texts decide; "removed", "added", "moved"
    before: Box | None
    after: Box | None
    detail: str = ""
    shift: int = 0  # a band's rows: what was below moved this far (up when positive)


def merge_regions(regions: Sequence[Region]) -> list[Region]:
    """Return in-place regions that overlap joined into one (bands are kept as they are)."""
    bands = [region for region in regions if region.band]
    merged: list[Region] = []
    pending = [region for region in regions if not region.band]
    while pending:  # joining two can make the union overlap one already kept: look again
        region = pending.pop()
        touching = [other for other in merged if _overlap(region.before, other.before, 2)]
        if not touching:
            merged.append(region)
            continue
        for other in touching:
            merged.remove(other)
            region = Region(_union(region.before, other.before), _union(region.after, other.after))
        pending.append(region)
    return merged + bands


def sort_out(
    before: np.ndarray,
    after: np.ndarray,
    regions: Sequence[Region],
    segments: Sequence[Segment] = (),
) -> list[Found]:
    """Return each region as drawn on both sides, or removed, added or moved."""
    removed, added, both = [], [], []
    for region in regions:
        # Looked for a little beyond the box: an edge drawn a pixel or two lower (a scaled
        # capture rounds differently) is drawn on both sides, not removed and added.
        drawn_before = region.before is not None and _drawn(before, _wider(region.before, NEAR))
        drawn_after = region.after is not None and _drawn(after, _wider(region.after, NEAR))
        shift = region.shift
        if drawn_before and drawn_after:
            both.append(Found("both", region.before, region.after))
        elif drawn_before and not _at_a_block_edge(after, region.before, segments, 1):
            removed.append(Found("removed", region.before, None, shift=shift))
        elif drawn_after and not _at_a_block_edge(before, region.after, segments, -1):
            added.append(Found("added", None, region.after, shift=shift))
    return both + _paired(before, after, removed, added)


def _at_a_block_edge(
    other: np.ndarray, box: Box | None, segments: Sequence[Segment], way: int
) -> bool:
    """Return whether a thin thing is on the other image where a block beside it moved it:
    the edge row of a block that moved by a fraction of a working pixel. `way` is 1 from
    before to after, -1 back."""
    if box is None or box[3] - box[1] > EDGE_ROWS:
        return False
    for segment in segments:
        top, bottom = (segment.a0, segment.a1) if way == 1 else (segment.b0, segment.b1)
        beside = top - EDGE_ROWS <= box[3] and box[1] <= bottom + EDGE_ROWS
        if not segment.matched or not beside:
            continue
        shift = way * segment.offset
        if _drawn(other, _wider((box[0], box[1] + shift, box[2], box[3] + shift), NEAR)):
            return True
    return False


def _paired(
    before: np.ndarray, after: np.ndarray, removed: list[Found], added: list[Found]
) -> list[Found]:
    """Return removed and added things, those found on both sides joined as moved."""
    pairs = []
    for i, gone in enumerate(removed):
        for j, new in enumerate(added):
            score = _look_difference(before, gone.before, after, new.after)
            if score is not None and score <= SAME_LOOK:
                pairs.append((score, i, j))
    used_removed, used_added, found = set(), set(), []
    for _, i, j in sorted(pairs):
        if i in used_removed or j in used_added:
            continue
        used_removed.add(i)
        used_added.add(j)
        found.append(Found("moved", removed[i].before, added[j].after))
    found += [gone for i, gone in enumerate(removed) if i not in used_removed]
    found += [new for j, new in enumerate(added) if j not in used_added]
    return found


def judged(
    found: Found,
    before_pixels: np.ndarray,
    after_pixels: np.ndarray,
    texts: tuple[str, str],
    boxes: tuple[Box, Box],
    scale: tuple[float, float],
) -> tuple[str, str] | None:
    """Return (kind, detail) for a region drawn on both sides, or None when nothing changed.

    `boxes` are the region on each full-size image, `texts` what its lines read there.
    """
    crop_before, crop_after = _crop(before_pixels, boxes[0]), _crop(after_pixels, boxes[1])
    if crop_before.size == 0 or crop_after.size == 0:
        return None
    was_text, was_ground = line_colours(crop_before.reshape(-1, 3))
    now_text, now_ground = line_colours(crop_after.reshape(-1, 3))
    if any(texts) and _normal(texts[0]) != _normal(texts[1]):
        return "text", "text changed"
    if not any(texts) and min(_sides(found.before) + _sides(found.after)) < MIN_SIDE:
        return None  # an outline's edge: JPEG halves colour detail, too thin to judge
    if _apart(was_ground, now_ground):
        return "style", f"colour {hex_colour(was_ground)} → {hex_colour(now_ground)}"
    if _apart(was_text, now_text):
        return "style", f"text colour {hex_colour(was_text)} → {hex_colour(now_text)}"
    heights = (_ink_height(crop_before) / scale[0], _ink_height(crop_after) / scale[1])
    if min(heights) > 0 and abs(heights[1] - heights[0]) > max(SIZE_STEP * max(heights), 2):
        return "style", f"size {heights[0]:.0f} → {heights[1]:.0f} px"
    if not any(texts) and _shape_difference(crop_before, crop_after) > SHAPE_STEP:
        return "style", "looks different"
    return None


def _sides(box: Box | None) -> tuple[int, ...]:
    return () if box is None else (box[2] - box[0], box[3] - box[1])


def _normal(text: str) -> str:
    return " ".join(text.split())


def _apart(first: tuple[int, int, int], second: tuple[int, int, int]) -> bool:
    return max(abs(a - b) for a, b in zip(first, second, strict=True)) > COLOUR_STEP


def _crop(pixels: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return pixels[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]


def _drawn(pixels: np.ndarray, box: Box, margin: int = 3) -> bool:
    """Return whether anything is drawn in the box: pixels unlike its surroundings' colour."""
    x0, y0, x1, y1 = box
    height, width = pixels.shape[:2]
    outer = pixels[
        max(0, y0 - margin) : min(height, y1 + margin),
        max(0, x0 - margin) : min(width, x1 + margin),
    ]
    ring = np.concatenate([outer[0], outer[-1], outer[:, 0], outer[:, -1]]).astype(np.int32)
    surrounding = np.median(ring, axis=0)
    inside = _crop(pixels, box).astype(np.int32)
    return int((np.abs(inside - surrounding).max(axis=2) > INK).sum()) >= MIN_AREA


def _look_difference(
    before: np.ndarray, box: Box | None, after: np.ndarray, other: Box | None
) -> float | None:
    """Return the mean level difference of two crops of about one size where either has
    something drawn (plain background alike in both says nothing), else None."""
    if box is None or other is None:
        return None
    sizes = [(b[2] - b[0], b[3] - b[1]) for b in (box, other)]
    if any(min(pair) <= 0 for pair in sizes):
        return None
    for first, second in zip(*sizes, strict=True):
        if abs(first - second) > SIZE_MATCH * max(first, second) + 2:
            return None
    crop, moved = _crop(before, box), _crop(after, other)
    moved = cv2.resize(moved, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_AREA)
    drawn = _ink(crop) | _ink(moved)
    if not drawn.any():
        return None
    difference = np.abs(crop.astype(np.int16) - moved.astype(np.int16)).max(axis=2)
    return float(difference[drawn].mean())


def _ink(crop: np.ndarray) -> np.ndarray:
    """Return where a crop differs from its commonest colour by INK levels (a bool array)."""
    _, background = line_colours(crop.reshape(-1, 3))
    return np.abs(crop.astype(np.int16) - np.array(background)).max(axis=2) > INK


def _ink_height(crop: np.ndarray) -> int:
    """Return how many rows of the crop hold the text's ink."""
    text, background = line_colours(crop.reshape(-1, 3))
    reach = max(abs(a - b) for a, b in zip(text, background, strict=True))
    ink = np.abs(crop.astype(np.int32) - np.array(background)).max(axis=2) > max(24, reach / 2)
    rows = np.flatnonzero(ink.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if len(rows) else 0


def _shape_difference(first: np.ndarray, second: np.ndarray) -> float:
    """Return how different two crops look, blurred, at the best of ±2 px shifts."""
    second = cv2.resize(second, (first.shape[1], first.shape[0]), interpolation=cv2.INTER_AREA)
    a = cv2.GaussianBlur(first.astype(np.float32), (0, 0), 1.5)
    b = cv2.GaussianBlur(second.astype(np.float32), (0, 0), 1.5)
    best = float("inf")
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            shifted = np.roll(b, (dy, dx), axis=(0, 1))
            best = min(best, float(np.percentile(np.abs(a - shifted).max(axis=2), 95)))
    return best


def _wider(box: Box, margin: int) -> Box:
    return (box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin)


def _overlap(first: Box | None, second: Box | None, margin: int = 0) -> bool:
    if first is None or second is None:
        return False
    return (
        first[0] <= second[2] + margin
        and second[0] <= first[2] + margin
        and first[1] <= second[3] + margin
        and second[1] <= first[3] + margin
    )


def _union(first: Box | None, second: Box | None) -> Box | None:
    if first is None or second is None:
        return first or second
    return (
        min(first[0], second[0]),
        min(first[1], second[1]),
        max(first[2], second[2]),
        max(first[3], second[3]),
    )
