"""Homework examples: a printed question and a handwritten solution on lined paper."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from workbench.examples._common import (
    ExampleSpec,
    Rect,
    Truth,
    add_noise,
    font,
    lay_on_table,
    union,
)

_PAPER, _RULE, _MARGIN = (252, 251, 244), (168, 198, 228), (226, 128, 128)
_INK = (28, 48, 128)
_LINE_GAP, _FIRST_RULE = 44, 150
# Glyphs the fallback font lacks, written as a plain glyph scaled and raised: (glyph, scale, rise).
_SUBSTITUTES = {"×": ("x", 0.78, 0.0), "²": ("2", 0.55, 0.42)}


@dataclass(frozen=True)
class Step:
    """One written line of the solution and how a teacher would grade it."""

    text: str
    verdict: str
    reason: str


@dataclass(frozen=True)
class Solution:
    """A homework question, the pupil's steps, and the answer they arrived at."""

    heading: str
    problem: str
    steps: tuple[Step, ...]
    final_answer: str

    def truth(self) -> Truth:
        """Return the homework ground truth in the homework schema's shape."""
        return {
            "problem": self.problem,
            "steps": [
                {"text": step.text, "verdict": step.verdict, "reason": step.reason}
                for step in self.steps
            ],
            "final_answer": self.final_answer,
            "correct": all(step.verdict == "correct" for step in self.steps),
        }


EQUATION = Solution(
    heading="Algebra - Homework 4",
    problem="Solve for x: 3x + 7 = 22",
    steps=(
        Step("3x = 22 − 7", "correct", "Subtracting 7 from both sides is valid."),
        Step("3x = 18", "incorrect", "Arithmetic slip: 22 − 7 = 15, not 18."),
        Step("x = 18/3", "correct", "Dividing both sides by 3 is valid, given the line before."),
        Step("x = 6", "correct", "18/3 = 6 is right, but it carries the earlier slip."),
    ),
    final_answer="x = 6",
)

FRACTIONS = Solution(
    heading="Fractions - Worksheet 7",
    problem="Add and simplify: 2/3 + 1/4",
    steps=(
        Step("2/3 + 1/4 = 8/12 + 3/12", "correct", "Both fractions rewritten over 12."),
        Step("= 11/24", "incorrect", "The denominators were added; 8/12 + 3/12 = 11/12."),
    ),
    final_answer="11/24",
)

AREA = Solution(
    heading="Geometry - Homework 2",
    problem="A rectangle is 12 cm long and 7.5 cm wide. Find its area.",
    steps=(
        Step("A = length × width", "correct", "Correct formula for the area of a rectangle."),
        Step("A = 12 × 7.5", "correct", "Substitutes the given length and width."),
        Step("A = 90 cm²", "correct", "12 × 7.5 = 90, with square units."),
    ),
    final_answer="90 cm²",
)


# --- handwriting -----------------------------------------------------------------------------


def _glyph_mask(glyph: str, size: int, angle: float, slant: float) -> tuple[Image.Image, int]:
    """Return one glyph as a mask, slanted and turned, and the mask row of its baseline."""
    pad = size
    mask = Image.new("L", (size * 2 + pad, size * 2), 0)
    baseline = round(size * 1.4)
    ImageDraw.Draw(mask).text(
        (pad, baseline), glyph, font=font("sans", size), fill=255, anchor="ls"
    )
    # One affine map (output pixel -> source pixel): turn by `angle` about the glyph's foot, then
    # shear about the baseline so the letters lean right, as fast handwriting does.
    turn = -math.radians(angle)
    cos, sin = math.cos(turn), math.sin(turn)
    a, b = cos - slant * sin, sin + slant * cos
    matrix = (a, b, pad - a * pad - b * baseline, -sin, cos, baseline + sin * pad - cos * baseline)
    mask = mask.transform(
        mask.size, Image.Transform.AFFINE, matrix, resample=Image.Resampling.BICUBIC
    )
    return mask, baseline


def write(
    layer: Image.Image, origin: tuple[float, float], text: str, size: int, rng: np.random.Generator
) -> Rect:
    """Write text into an ink mask at (x, baseline), letter by letter; return its ink box."""
    x, baseline = origin
    phase = rng.uniform(0, 2 * math.pi)
    ink_box: Rect | None = None
    for char in text:
        if char == " ":
            x += size * 0.34 + rng.uniform(0, 3)
            continue
        if char == "−":  # a pen stroke: the hyphen glyph is too short for a minus sign
            y = baseline - size * 0.36 + rng.normal(0, 0.6)
            stroke = (x + 1, y, x + size * 0.62, y + rng.uniform(-1.5, 1.0))
            ImageDraw.Draw(layer).line(stroke, fill=255, width=2)
            x += size * 0.72
            continue
        glyph, scale, rise = _SUBSTITUTES.get(char, (char, 1.0, 0.0))
        glyph_size = round(size * scale * rng.uniform(0.92, 1.08))
        mask, mask_baseline = _glyph_mask(glyph, glyph_size, rng.uniform(-4, 4), 0.2)
        y = baseline - rise * size + 1.8 * math.sin(phase + x / 45) + rng.normal(0, 0.7)
        left, top = round(x - glyph_size), round(y - mask_baseline)
        layer.paste(255, (left, top), mask)
        bounds = mask.getbbox()
        if bounds:
            box = (left + bounds[0], top + bounds[1], left + bounds[2], top + bounds[3])
            ink_box = box if ink_box is None else union(ink_box, box)
        x += font("sans", glyph_size).getlength(glyph) * 0.96 + rng.uniform(-0.5, 1.5)
    return ink_box or (origin[0], origin[1], origin[0], origin[1])


def _wobble(layer: Image.Image, rng: np.random.Generator, amount: float = 0.9) -> Image.Image:
    """Return the ink mask bent by a smooth random displacement, so no two letters match."""
    ink = np.asarray(layer, np.float32)
    height, width = ink.shape
    coarse = (max(2, width // 14), max(2, height // 14))

    def field() -> np.ndarray:
        noise = rng.normal(0.0, amount, coarse[::-1]).astype(np.float32)
        return np.asarray(
            Image.fromarray(noise, "F").resize((width, height), Image.Resampling.BICUBIC)
        )

    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    src_x = np.clip(cols + field(), 0, width - 1.001)
    src_y = np.clip(rows + field(), 0, height - 1.001)
    x0, y0 = src_x.astype(np.int32), src_y.astype(np.int32)
    fx, fy = src_x - x0, src_y - y0
    bent = (
        ink[y0, x0] * (1 - fx) * (1 - fy)
        + ink[y0, x0 + 1] * fx * (1 - fy)
        + ink[y0 + 1, x0] * (1 - fx) * fy
        + ink[y0 + 1, x0 + 1] * fx * fy
    )
    return Image.fromarray(np.clip(bent, 0, 255).astype(np.uint8), "L")


def _scribble_line(
    draw: ImageDraw.ImageDraw, start: tuple[float, float], end: float, rng: np.random.Generator
) -> None:
    """Draw a hand-drawn horizontal stroke from start to x = end."""
    xs = np.linspace(start[0], end, 12)
    ys = start[1] + np.cumsum(rng.normal(0, 0.45, xs.size))
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=255, width=2, joint="curve")


# --- the page --------------------------------------------------------------------------------


def _lined_paper(size: tuple[int, int]) -> Image.Image:
    width, height = size
    paper = Image.new("RGB", size, _PAPER)
    draw = ImageDraw.Draw(paper)
    for y in range(_FIRST_RULE, height - 20, _LINE_GAP):
        draw.line((0, y, width, y), fill=_RULE, width=1)
    draw.line((70, 0, 70, height), fill=_MARGIN, width=2)
    for y in (height * 0.18, height * 0.5, height * 0.82):
        draw.ellipse((22, y - 11, 44, y + 11), fill=(214, 212, 206))
    return paper


def _draw_page(solution: Solution, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    size = (600, _FIRST_RULE + _LINE_GAP * (len(solution.steps) + 3))
    paper = _lined_paper(size)
    draw = ImageDraw.Draw(paper)
    draw.text((86, 26), solution.heading, font=font("serif", 20), fill=(40, 40, 40))
    draw.text((86, 88), f"Q2.  {solution.problem}", font=font("serif", 16), fill=(30, 30, 30))
    ink = Image.new("L", size, 0)
    write(ink, (430, 50), "Sam K.", 22, rng)
    baseline = _FIRST_RULE + _LINE_GAP - 6
    last = (0.0, 0.0, 0.0, 0.0)
    for index, step in enumerate(solution.steps):
        indent = 96 + 10 * (index % 2) + rng.uniform(-3, 3)
        last = write(ink, (indent, baseline + index * _LINE_GAP), step.text, 26, rng)
    for offset in (6, 11):  # the final line underlined twice, as pupils do
        _scribble_line(ImageDraw.Draw(ink), (last[0] - 4, last[3] + offset), last[2] + 6, rng)
    paper.paste(_INK, (0, 0), _wobble(ink, rng))
    paper = paper.filter(ImageFilter.GaussianBlur(0.45))  # ink bleed and camera softness
    photo = lay_on_table(paper, (size[0] + 60, size[1] + 50), 0.9, (96, 110, 124), rng)
    return add_noise(photo, rng, 2.5)


def draw_equation() -> tuple[Image.Image, Truth]:
    """Return a linear equation solved with one arithmetic slip, and its truth."""
    return _draw_page(EQUATION, seed=41), EQUATION.truth()


def draw_fractions() -> tuple[Image.Image, Truth]:
    """Return a fraction sum with the classic 'add the denominators' mistake, and its truth."""
    return _draw_page(FRACTIONS, seed=42), FRACTIONS.truth()


def draw_area() -> tuple[Image.Image, Truth]:
    """Return a correctly solved rectangle-area problem, and its truth."""
    return _draw_page(AREA, seed=43), AREA.truth()


SPECS = (
    ExampleSpec(
        name="homework_equation",
        tab="homework",
        question="Grade this solution step by step and explain any mistake.",
        preset="Grade step by step",
        draw=draw_equation,
    ),
    ExampleSpec(
        name="homework_fractions",
        tab="homework",
        question="Is the answer right? If not, which step is wrong and why?",
        preset="Explain the mistake",
        draw=draw_fractions,
    ),
    ExampleSpec(
        name="homework_area",
        tab="homework",
        question="Transcribe the problem and grade each step of the solution.",
        preset="Grade step by step",
        draw=draw_area,
    ),
)
