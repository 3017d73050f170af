"""Both screenshots of a comparison as it goes: their pixels, working copies, text lines, and the
lines to read — asked for while the comparison runs, read in one batch per image at the end."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from workbench.compare.models import Box
from workbench.compare.reading import read_boxes
from workbench.compare.textlines import find_lines

MAX_READS = 24  # lines read per image: the report's texts, the failing lines' words
LINE_MARGIN = 3  # working pixels: a line this close to a change is part of it


def scaled(box: Sequence[float], factor: float) -> Box:
    """Return a box scaled by `factor`, its far edges rounded up."""
    x0, y0, x1, y1 = box
    return (
        int(x0 * factor),
        int(y0 * factor),
        int(np.ceil(x1 * factor)),
        int(np.ceil(y1 * factor)),
    )


class Sides:
    """Both images, their lines, and the lines to read, read in one batch per image."""

    def __init__(
        self,
        before: Image.Image,
        after: Image.Image,
        a: np.ndarray,
        b: np.ndarray,
        scales: tuple[float, float],
    ) -> None:
        self.images = (before, after)
        self.pixels = (np.asarray(before), np.asarray(after))
        self.work = (a, b)
        self.scales = scales
        self.lines = (find_lines(a), find_lines(b))  # working pixels
        self.wanted: tuple[dict[Box, str], dict[Box, str]] = ({}, {})

    def full(self, side: int, box: Box) -> Box:
        """Return a working box on that image's own pixels."""
        width, height = self.images[side].size
        x0, y0, x1, y1 = scaled(box, 1 / self.scales[side])
        return (max(0, x0 - 1), max(0, y0 - 1), min(width, x1 + 1), min(height, y1 + 1))

    def lines_at(self, side: int, box: Box | None) -> list[Box]:
        """Return the working boxes of the lines across a working box."""
        if box is None:
            return []
        x0, y0, x1, y1 = box
        m = LINE_MARGIN
        return [
            line
            for line in self.lines[side]
            if line[0] <= x1 + m and x0 - m <= line[2] and line[1] <= y1 + m and y0 - m <= line[3]
        ]

    def want(self, side: int, box: Box) -> Box:
        """Ask for a full-size box's text (read by `read`, within MAX_READS); return the box."""
        if len(self.wanted[side]) < MAX_READS:
            self.wanted[side].setdefault(box, "")
        return box

    def read(self) -> None:
        """Read every line asked for, one batch per image."""
        for side in (0, 1):
            boxes = list(self.wanted[side])
            for box, text in zip(boxes, read_boxes(self.images[side], boxes), strict=True):
                self.wanted[side][box] = text

    def text(self, side: int, boxes: Sequence[Box]) -> str:
        """Return what the lines in `boxes` read, joined by spaces ("" for those not read)."""
        return " ".join(filter(None, (self.wanted[side].get(box, "") for box in boxes)))
