"""WCAG 2.x contrast of every text line on a screenshot: the ratio, and the AA/AAA verdicts.

A line's colours are estimated from its own pixels: the background is the commonest colour
(quantised to 16 levels a channel) in the line's box, the text is the median of the pixels
farthest from it (the cores of the strokes, not their anti-aliased edges). Large text is
WCAG's 18 pt (24 CSS px); a line's font size is estimated from its box's height, in CSS pixels
assuming a portrait screenshot is about `POINTS_ACROSS` points wide (a phone captured at 2× or
3×). Bold cannot be seen from a box, so 14 pt bold counts as normal text: the stricter verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from workbench.compare.models import Box, ContrastLine
from workbench.evidence.ocr import OcrLine

AA, AA_LARGE, AAA, AAA_LARGE = 4.5, 3.0, 7.0, 4.5
LARGE_PX = 24.0  # 18 pt in CSS pixels
POINTS_ACROSS = 400  # a phone's width in points, to tell its device pixels per CSS pixel
OCR_EM = 1 / 1.4  # an OCR box is about 1.4 times its font size tall (padded around the ink)
INK_EM = 1 / 0.95  # an ink box (ascender to descender) about 0.95 times
SAMPLE = 6000  # pixels of a line enough to tell its two colours
CORE = 0.85  # of the 99th percentile of distance from the background: a stroke's core
Colour = tuple[int, int, int]


def relative_luminance(colour: Colour) -> float:
    """Return the WCAG 2.x relative luminance of an sRGB colour (0 black to 1 white)."""
    linear = []
    for channel in colour:
        value = channel / 255
        linear.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: Colour, second: Colour) -> float:
    """Return the WCAG 2.x contrast ratio of two sRGB colours, 1 to 21, to 2 decimals."""
    return round(_ratio(first, second), 2)


def _ratio(first: Colour, second: Colour) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_colour(colour: Sequence[float]) -> str:
    """Return "#rrggbb" for an RGB colour."""
    return "#" + "".join(f"{round(min(255, max(0, value))):02x}" for value in colour[:3])


def device_pixels_per_point(size: tuple[int, int]) -> float:
    """Return the estimated device pixels per CSS pixel: a portrait capture's width over
    POINTS_ACROSS (at least 1); 1 for a landscape (desktop) capture."""
    width, height = size
    return max(1.0, width / POINTS_ACROSS) if height > width else 1.0


def contrast_lines(
    image: Image.Image, lines: Sequence[OcrLine] | None = None
) -> tuple[ContrastLine, ...]:
    """Return each text line's contrast (OCR'd when `lines` is None), in reading order."""
    if lines is None:
        from workbench.evidence.ocr import read_lines

        lines = read_lines(image)
    pixels = np.asarray(image.convert("RGB"))
    dpr = device_pixels_per_point(image.size)
    return tuple(measure_line(pixels, line.box, line.text, dpr, OCR_EM) for line in lines)


def measure_line(
    pixels: np.ndarray, box: Box, text: str, dpr: float, em: float = INK_EM
) -> ContrastLine:
    """Return the contrast of the text in `box` on an RGB array (`em`: font size per box height)."""
    x0, y0, x1, y1 = box
    crop = pixels[max(0, y0) : max(y0 + 1, y1), max(0, x0) : max(x0 + 1, x1)].reshape(-1, 3)
    foreground, background = line_colours(crop)
    ratio = _ratio(foreground, background)
    large = (y1 - y0) * em / dpr >= LARGE_PX
    return ContrastLine(
        text=text,
        box=(int(x0), int(y0), int(x1), int(y1)),
        ratio=round(ratio, 2),
        foreground=hex_colour(foreground),
        background=hex_colour(background),
        large=large,
        aa=ratio >= (AA_LARGE if large else AA),
        aaa=ratio >= (AAA_LARGE if large else AAA),
    )


def line_colours(pixels: np.ndarray) -> tuple[Colour, Colour]:
    """Return (text, background) colours of a line's pixels (an N×3 array)."""
    if len(pixels) == 0:
        return (0, 0, 0), (0, 0, 0)
    flat = pixels[:: -(-len(pixels) // SAMPLE)].astype(np.int32)  # evenly spread, at most SAMPLE
    bins = (flat // 16) @ np.array([256, 16, 1])
    common = np.bincount(bins).argmax()
    background = np.median(flat[bins == common], axis=0)
    distance = np.abs(flat - background).max(axis=1)
    far = distance >= CORE * np.percentile(distance, 99)
    foreground = np.median(flat[far], axis=0)
    return _colour(foreground), _colour(background)


def _colour(values: np.ndarray) -> Colour:
    red, green, blue = (round(float(value)) for value in values[:3])
    return red, green, blue
