"""Where the text lines of a screenshot are, found by their strokes, in milliseconds.

OCR finds lines too, but on this machine it takes seconds an image; comparing two screenshots
needs only the lines' boxes (for contrast, and to widen a change to its whole line), and reads
the few lines that matter. A line is a group of sharp edges (letters) close together side by
side, as tall as text and dense with strokes; an outline (a button's border, a divider, a round
avatar) is a thin ring around empty space, too sparse to be a line.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]
EDGE = 18  # levels between neighbours that make a stroke's edge: faint grey on white still counts
MIN_HEIGHT, MAX_HEIGHT = 6, 90  # pixels, at the working scale
MIN_DENSITY = 0.14  # share of a line's box that is stroke edges
GAP = 9  # pixels across that still join two letters of one word
WORD_GAP = 0.9  # a space between two words of one line, in the line's heights
MIN_WIDTH = 10  # pixels: a rounded corner's arc is smaller


def find_lines(image: np.ndarray) -> list[Box]:
    """Return the boxes of the text lines on an RGB array, top to bottom, then left to right."""
    image = cv2.GaussianBlur(image, (3, 3), 0)  # JPEG's ringing is not a stroke
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    colour_edges = cv2.morphologyEx(image, cv2.MORPH_GRADIENT, np.ones((2, 2), np.uint8))
    edges = np.maximum(
        cv2.morphologyEx(grey, cv2.MORPH_GRADIENT, np.ones((2, 2), np.uint8)),
        colour_edges.max(axis=2),
    )
    strokes = (edges > EDGE).astype(np.uint8)
    joined = cv2.morphologyEx(strokes, cv2.MORPH_CLOSE, np.ones((1, GAP), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    inked = np.bincount(labels[strokes.astype(bool)], minlength=count)
    boxes = []
    for label in range(1, count):
        x, y, width, height, _ = stats[label]
        if not MIN_HEIGHT <= height <= MAX_HEIGHT or width < max(MIN_WIDTH, height * 0.5):
            continue
        if inked[label] / (width * height) < MIN_DENSITY or _ring(labels, label, stats[label]):
            continue
        boxes.append((int(x), int(y), int(x + width), int(y + height)))
    return _joined_words(sorted(boxes, key=lambda box: (box[0], box[1])))


def _ring(labels: np.ndarray, label: int, stat: np.ndarray) -> bool:
    """Return whether a component is an outline or a filled shape: edges at its sides only, its
    middle empty of itself (a line of text crosses its own strokes there)."""
    x, y, width, height, _ = stat
    rows = slice(y + height // 3, y + height - height // 3)
    inner = labels[rows, x + width // 6 : x + width - width // 6] == label
    return inner.size > 0 and inner.mean() < 0.05


def _joined_words(boxes: list[Box]) -> list[Box]:
    """Return boxes on one line, closer than about a letter's height, joined: words to lines."""
    lines: list[Box] = []
    for box in boxes:  # left to right
        for index, line in enumerate(lines):
            height = max(box[3] - box[1], line[3] - line[1])
            overlap = min(box[3], line[3]) - max(box[1], line[1])
            near = box[0] - line[2] <= WORD_GAP * height
            if overlap >= 0.5 * min(box[3] - box[1], line[3] - line[1]) and near:
                lines[index] = (
                    line[0],
                    min(line[1], box[1]),
                    max(line[2], box[2]),
                    max(line[3], box[3]),
                )
                break
        else:
            lines.append(box)
    return sorted(lines, key=lambda box: (box[1] // 8, box[0]))
