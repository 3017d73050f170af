"""Gauge examples: an analog pressure dial and a seven-segment digital thermometer."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from workbench.examples._common import (
    ExampleSpec,
    Rect,
    Truth,
    add_noise,
    box_2d,
    font,
    smooth_shape,
)

SCALE = 4  # analog dials are drawn this much larger, then shrunk, for smooth edges

# --- analog dial geometry (final-image pixels; angles in degrees clockwise from 12 o'clock) ---

DIAL_SIZE = (480, 480)
DIAL_CENTRE = (240.0, 250.0)
DIAL_RADIUS = 190.0
SWEEP = 270.0
PRESSURE = {"value": 6.4, "unit": "bar", "scale_min": 0.0, "scale_max": 10.0, "red_from": 8.0}
NEEDLE_COLOUR = (200, 24, 24)
FACE_COLOUR = (246, 246, 242)


def needle_angle(value: float, scale_min: float, scale_max: float) -> float:
    """Return the needle angle for a value: the scale spans SWEEP degrees centred on 12 o'clock."""
    return -SWEEP / 2 + SWEEP * (value - scale_min) / (scale_max - scale_min)


def value_at_angle(angle: float, scale_min: float, scale_max: float) -> float:
    """Return the value a needle at this angle points to (the inverse of needle_angle)."""
    return scale_min + (angle + SWEEP / 2) / SWEEP * (scale_max - scale_min)


def polar(radius: float, angle: float, centre: tuple[float, float] = DIAL_CENTRE):
    """Return the point at this radius and angle from the centre."""
    theta = math.radians(angle)
    return centre[0] + radius * math.sin(theta), centre[1] - radius * math.cos(theta)


def needle_polygon(angle: float) -> list[tuple[float, float]]:
    """Return the needle outline: a tapered blade from a short tail to the tip."""
    tip, tail, half_root, half_tip = DIAL_RADIUS * 0.80, DIAL_RADIUS * 0.16, 6.0, 1.2
    return [
        polar(tip, angle),
        polar(half_tip, angle + 90, polar(tip, angle)),
        polar(half_root, angle + 90),
        polar(tail, angle + 180),
        polar(half_root, angle - 90),
        polar(half_tip, angle - 90, polar(tip, angle)),
    ]


def _bounds(points: list[tuple[float, float]]) -> Rect:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _up(points) -> list[tuple[float, float]]:
    return [(x * SCALE, y * SCALE) for x, y in points]


def _ring(draw: ImageDraw.ImageDraw, radius: float, fill, width: float = 0) -> None:
    cx, cy = DIAL_CENTRE
    box = (
        (cx - radius) * SCALE,
        (cy - radius) * SCALE,
        (cx + radius) * SCALE,
        (cy + radius) * SCALE,
    )
    if width:
        draw.ellipse(box, outline=fill, width=round(width * SCALE))
    else:
        draw.ellipse(box, fill=fill)


def _draw_dial_face(draw: ImageDraw.ImageDraw, spec: dict) -> None:
    lo, hi = spec["scale_min"], spec["scale_max"]
    _ring(draw, DIAL_RADIUS + 22, (70, 72, 78))  # bezel
    _ring(draw, DIAL_RADIUS + 12, (168, 170, 176))
    _ring(draw, DIAL_RADIUS + 4, FACE_COLOUR)
    cx, cy = DIAL_CENTRE
    arc_r = (DIAL_RADIUS - 10) * SCALE
    start, end = needle_angle(spec["red_from"], lo, hi), needle_angle(hi, lo, hi)
    draw.arc(
        (cx * SCALE - arc_r, cy * SCALE - arc_r, cx * SCALE + arc_r, cy * SCALE + arc_r),
        start - 90,
        end - 90,
        fill=(214, 40, 40),
        width=12 * SCALE,
    )  # PIL's arc angles run clockwise from 3 o'clock
    for step in range(round((hi - lo) * 5) + 1):
        value = lo + step / 5
        angle = needle_angle(value, lo, hi)
        major = step % 5 == 0
        inner = DIAL_RADIUS - (30 if major else 20)
        line = _up([polar(inner, angle), polar(DIAL_RADIUS - 4, angle)])
        draw.line(line, fill=(20, 20, 24), width=(4 if major else 2) * SCALE)
        if major:
            _label(draw, polar(DIAL_RADIUS - 56, angle), f"{value:g}", "sans_bold", 26)
    _label(draw, (cx, cy + 60), spec["unit"], "sans", 24, (60, 60, 66))
    _label(draw, (cx, cy + 92), "PRESSURE", "sans", 14, (60, 60, 66))


def _label(draw, centre, text: str, kind: str, size: int, fill=(20, 20, 24)) -> None:
    """Draw text centred on a point given in final-image pixels."""
    x, y = centre
    face = font(kind, size * SCALE)
    draw.text((x * SCALE, y * SCALE), text, font=face, fill=fill, anchor="mm")


def draw_pressure_gauge() -> tuple[Image.Image, Truth]:
    """Return an analog 0-10 bar pressure gauge reading 6.4 bar, and its truth."""
    spec = PRESSURE
    big = Image.new("RGB", (DIAL_SIZE[0] * SCALE, DIAL_SIZE[1] * SCALE), (206, 210, 214))
    draw = ImageDraw.Draw(big)
    _draw_dial_face(draw, spec)
    angle = needle_angle(spec["value"], spec["scale_min"], spec["scale_max"])
    needle = needle_polygon(angle)
    shadow = [(x + 3, y + 4) for x, y in needle]
    draw.polygon(_up(shadow), fill=(196, 196, 190))
    draw.polygon(_up(needle), fill=NEEDLE_COLOUR)
    _ring(draw, 14, (40, 40, 44))
    _ring(draw, 5, (150, 150, 156))
    image = big.resize(DIAL_SIZE, Image.Resampling.LANCZOS)
    image = add_noise(image, np.random.default_rng(51), 1.5)
    truth = {
        "value": spec["value"],
        "unit": spec["unit"],
        "scale_min": spec["scale_min"],
        "scale_max": spec["scale_max"],
        "confidence": 1.0,
        "bbox_2d": box_2d(_bounds(needle), DIAL_SIZE),
    }
    return image, truth


# --- seven-segment display --------------------------------------------------------------------

METER_SIZE = (480, 360)
DISPLAY = (60, 92, 420, 232)  # the LCD window, in pixels
READING = "23.7"
DIGIT_SIZE = 96.0  # digit height in pixels; digits are half as wide
SEGMENTS = {
    "0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg",
    "5": "acdfg", "6": "acdefg", "7": "abc", "8": "abcdefg", "9": "abcdfg", "-": "g",
}  # fmt: skip
_LIT, _UNLIT, _GLASS = (28, 34, 30), (163, 175, 150), (174, 186, 160)


def _segment(kind: str, x: float, y: float, w: float, h: float, t: float) -> list[tuple]:
    """Return one upright segment's hexagon; a-g clockwise from the top, g in the middle.

    Segments meet in mitred corners with a small gap, as on a real LCD.
    """
    half, gap, e = h / 2, t * 0.15, t / 2
    horizontal = {"a": y, "g": y + half, "d": y + h}
    if kind in horizontal:
        yc = horizontal[kind]
        left, right = x + gap, x + w - gap
        return [(left, yc), (left + e, yc - e), (right - e, yc - e), (right, yc),
                (right - e, yc + e), (left + e, yc + e)]  # fmt: skip
    xc = x + w if kind in "bc" else x
    top = (y if kind in "bf" else y + half) + gap
    bottom = top + half - 2 * gap
    return [(xc, top), (xc + e, top + e), (xc + e, bottom - e), (xc, bottom),
            (xc - e, bottom - e), (xc - e, top + e)]  # fmt: skip


def segment_polygon(kind: str, origin: tuple[float, float], size: float) -> list[tuple]:
    """Return segment `kind` of a digit whose top-left is origin, slanted like LCD digits."""
    x, y = origin
    points = _segment(kind, x, y, size * 0.5, size, size * 0.13)
    return [(px + (y + size - py) * 0.1, py) for px, py in points]


def lcd_layout(text: str) -> list[tuple[str, float, float]]:
    """Return each character of the reading with its top-left corner, in image pixels."""
    x, top = DISPLAY[0] + 48.0, DISPLAY[1] + 20.0
    layout = []
    for char in text:
        if char == ".":
            layout.append((char, x - 22, top + DIGIT_SIZE - 10))  # a 10-pixel square
            continue
        layout.append((char, x, top))
        x += DIGIT_SIZE * 0.5 + 34
    return layout


def _draw_lcd(image: Image.Image, text: str) -> None:
    x1, y1, x2, y2 = DISPLAY
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(DISPLAY, radius=8, fill=_GLASS, outline=(40, 44, 40), width=3)
    # Digits are drawn SCALE times larger on their own panel, then shrunk, for smooth edges.
    panel = Image.new("RGB", ((x2 - x1) * SCALE, (y2 - y1) * SCALE), _GLASS)
    pen = ImageDraw.Draw(panel)
    for char, x, y in lcd_layout(text):
        origin = ((x - x1) * SCALE, (y - y1) * SCALE)
        if char == ".":
            pen.rectangle((*origin, origin[0] + 10 * SCALE, origin[1] + 10 * SCALE), fill=_LIT)
            continue
        for kind in "abcdefg":
            colour = _LIT if kind in SEGMENTS[char] else _UNLIT
            pen.polygon(segment_polygon(kind, origin, DIGIT_SIZE * SCALE), fill=colour)
    panel = panel.resize((x2 - x1, y2 - y1), Image.Resampling.LANCZOS)
    image.paste(panel.crop((4, 4, panel.width - 4, panel.height - 4)), (x1 + 4, y1 + 4))
    unit_x = max(x for char, x, _ in lcd_layout(text) if char != ".") + DIGIT_SIZE * 0.5 + 40
    draw.text((unit_x, y1 + 26), "°C", font=font("sans_bold", 36), fill=_LIT)
    draw.text((x1 + 12, y1 + 10), "TEMP", font=font("sans_bold", 13), fill=_LIT)


def draw_thermometer() -> tuple[Image.Image, Truth]:
    """Return a digital thermometer whose LCD shows 23.7 °C, and its truth."""
    image = Image.new("RGB", METER_SIZE, (224, 220, 212))
    smooth_shape(image, (28, 30, 452, 334), (54, 58, 66), "rounded", 26)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((36, 38, 444, 326), radius=22, outline=(84, 90, 100), width=2)
    draw.text(
        (60, 52), "DIGITAL THERMOMETER TH-220", font=font("sans_bold", 15), fill=(214, 216, 220)
    )
    draw.text(
        (420, 240), "RANGE -10...50 °C", font=font("sans", 12), fill=(180, 184, 192), anchor="ra"
    )
    _draw_lcd(image, READING)
    for index, label in enumerate(("MODE", "HOLD", "MAX/MIN")):
        left = 70 + index * 120
        smooth_shape(image, (left, 262, left + 100, 298), (88, 94, 104), "rounded", 10)
        draw.text(
            (left + 50, 280), label, font=font("sans_bold", 13), fill=(230, 230, 234), anchor="mm"
        )
    image = add_noise(image, np.random.default_rng(61), 1.8)
    truth = {
        "value": float(READING),
        "unit": "°C",
        "scale_min": -10.0,
        "scale_max": 50.0,
        "confidence": 1.0,
        "bbox_2d": box_2d(DISPLAY, METER_SIZE),
    }
    return image, truth


SPECS = (
    ExampleSpec(
        name="gauge_pressure",
        tab="gauges",
        question="Read the pressure. Is it in the red zone (above 8 bar)?",
        preset="Compare with a threshold",
        draw=draw_pressure_gauge,
    ),
    ExampleSpec(
        name="gauge_thermometer",
        tab="gauges",
        question="What temperature does the display show?",
        preset="Read a digital display",
        draw=draw_thermometer,
    ),
)
