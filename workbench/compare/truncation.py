"""Text cut short on a screenshot: an ellipsis at its end, or ink running into an edge.

"ellipsis": the line's text ends in "…" or "..." — or, before any OCR, its last three marks
are dots of one size on one baseline, evenly spaced (`cut_reason`), so that only such lines
need reading. "edge": the line's ink touches the image's side, or runs into a border
or a fill of another colour with no margin (a label clipped by its button).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

from workbench.compare.contrast import line_colours
from workbench.compare.models import Box, Truncation
from workbench.evidence.ocr import OcrLine

ELLIPSES = ("…", "...", "⋯")
EDGE_MARGIN = 1  # pixels: ink this close to the image's side is cut by it
BORDER_DISTANCE = 48  # levels: a column this far from the line's background is a border
BORDER_SHARE = 0.8  # of the line's rows, for a column to be a border
INK_DISTANCE = 0.5  # of the text's distance from the background: what counts as ink


def find_truncations(
    image: Image.Image, lines: Sequence[OcrLine], side: str
) -> tuple[Truncation, ...]:
    """Return the lines cut short on the image, with their boxes, in reading order."""
    pixels = np.asarray(image.convert("RGB"))
    found = []
    for line in lines:
        reason = "ellipsis" if ends_in_ellipsis(line.text) else ""
        reason = reason or ("edge" if cut_reason(pixels, line.box) == "edge" else "")
        if reason:
            found.append(Truncation(side, line.box, line.text, reason))
    return tuple(found)


def ends_in_ellipsis(text: str) -> bool:
    """Return whether the text ends in an ellipsis ("…", "...", "⋯")."""
    return text.rstrip().endswith(ELLIPSES)


def cut_reason(pixels: np.ndarray, box: Box) -> str:
    """Return "ellipsis" when the line's last marks look like "…", "edge" when its ink touches
    the image's side or a border, else "" (a line's box on an RGB array)."""
    x0, y0, x1, y1 = (max(0, value) for value in box)
    crop = pixels[y0:y1, x0:x1]
    if crop.size == 0:
        return ""
    text, background = line_colours(crop.reshape(-1, 3))
    reach = np.abs(np.array(text) - np.array(background)).max()
    distance = np.abs(crop.astype(np.int32) - np.array(background)).max(axis=2)
    ink = distance > max(24, INK_DISTANCE * reach)
    if not ink.any():
        return ""
    if _ellipsized(ink):
        return "ellipsis"
    columns = np.flatnonzero(ink.any(axis=0))
    left, right = x0 + int(columns[0]), x0 + int(columns[-1]) + 1
    if left <= EDGE_MARGIN or right >= pixels.shape[1] - EDGE_MARGIN:
        return "edge"
    beyond = [right + step for step in range(3)] + [left - 1 - step for step in range(3)]
    return "edge" if any(_border_at(pixels, box, column, background) for column in beyond) else ""


def _ellipsized(ink: np.ndarray) -> bool:
    """Return whether the line's last three marks look like "…": small dots of one size, on
    one baseline, evenly spaced."""
    height = ink.shape[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    marks = sorted((stat for stat in stats[1:] if stat[4] > 0), key=lambda stat: stat[0])
    if len(marks) < 4:
        return False
    dots = marks[-3:]
    sizes = [max(stat[2], stat[3]) for stat in dots]
    bottoms = [stat[1] + stat[3] for stat in dots]
    gaps = [dots[1][0] - dots[0][0], dots[2][0] - dots[1][0]]
    small = max(sizes) <= 0.3 * height and min(sizes) >= 0.5 * max(sizes)
    square = all(0.5 <= stat[2] / max(1, stat[3]) <= 2 for stat in dots)
    level = max(bottoms) - min(bottoms) <= max(2, 0.1 * height) and min(bottoms) > 0.5 * height
    even = min(gaps) > 0 and max(gaps) <= 1.5 * min(gaps) + 1 and max(gaps) <= 0.7 * height
    return small and square and level and even


def _border_at(pixels: np.ndarray, box: Box, column: int, background: tuple[int, int, int]) -> bool:
    """Return whether a pixel column just beyond the ink is a border across the line."""
    _, y0, _, y1 = box
    if not 0 <= column < pixels.shape[1]:
        return False
    # Past the line's top and bottom: a letter's stem stops there, a container's side does not.
    reach = (y1 - y0) // 4
    strip = pixels[max(0, y0 - reach) : y1 + reach, column].astype(np.int32)
    far = np.abs(strip - np.array(background)).max(axis=1) > BORDER_DISTANCE
    return far.mean() >= BORDER_SHARE
