"""Enhance an image before the model and OCR see it: light up dim shots, straighten tilted text.

`measure(image)` reads the luminance and the tilt of the text lines; `enhance(image, mode)`
decides from them what to do and returns the new image with the steps taken, which say what was
done (`summary`, `as_list` for result.json) and map boxes from the original into it (`map_box`).

Angles follow PIL's `Image.rotate`: positive is counter-clockwise. A tilt of +5° means the text
lines rise 5° to the right, and deskewing it turns the image 5° clockwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image

from workbench.messages import word

EnhanceMode = Literal["auto", "on", "off"]
ENHANCE_MODES: tuple[EnhanceMode, ...] = ("auto", "on", "off")
MEASURE_SIDE = 1600  # measures are taken on a copy this long at most: plenty for text lines

# What "auto" calls dim. The built-in examples have a white point of 223 or more and a spread of
# 168 or more; a photo at a third of its exposure has a white point under 100.
DIM_WHITE = 100.0  # the brightest 1% of pixels are darker than this: underexposed
FLAT_CONTRAST = 80.0  # the 1st-to-99th percentile spread is narrower than this: washed out
MIN_CONTRAST = 2.0  # below this the image is one flat tone and there is nothing to bring out
# Tilts deskewed. "auto" leaves small tilts alone: a model reads text tilted a couple of degrees
# (the built-in receipts lie at 1.6° and -2.2°), and a rotation softens the pixels and adds
# corners. Past 45° the text may as well be sideways, which is not a tilt.
AUTO_TILT = (3.0, 45.0)
ON_TILT = 0.5
CLAHE_CLIP = 2.5
CLAHE_TILES = (8, 8)

# The steps there are, as result.json names them; each worded as enhance.step.<name>.
_STEPS = ("brightened", "deskewed")

# Tilt search: every half degree over ±45°, then every 0.05° around the best.
_SEARCH_SPAN = 45.0
_COARSE_STEP = 0.5
_FINE_STEP = 0.05
_MIN_TILT_SIDE = 32  # a smaller image has no text lines to speak of
_MIN_MARK_AREA = 20  # pixels: smaller blobs are sensor noise, dots and accents
_MAX_POINTS = 40_000  # mark pixels projected per angle; more only costs time
# The best angle's profile must beat the median angle's this many times over: the dial of the
# built-in gauge scores 1.2 to 1.4; text 2 to 6, down to 1.7 when a dark shot is noisy.
_MIN_LINE_STRENGTH = 1.6


@dataclass(frozen=True)
class Measures:
    """Luminance (luma 0–255) and text-line tilt (degrees, counter-clockwise positive).

    Taken on a copy at most MEASURE_SIDE pixels long, its blocks averaged.
    """

    mean_luma: float
    low_luma: float  # 1st percentile
    high_luma: float  # 99th percentile: the white point
    tilt: float  # 0.0 when no text lines were found
    lines_found: bool

    @property
    def contrast(self) -> float:
        """Return the 1st-to-99th percentile spread of luma."""
        return self.high_luma - self.low_luma

    @property
    def dim(self) -> bool:
        """Return whether the image is underexposed or washed out: what "auto" brightens."""
        return self.contrast >= MIN_CONTRAST and (
            self.high_luma < DIM_WHITE or self.contrast < FLAT_CONTRAST
        )


@dataclass(frozen=True)
class Step:
    """One thing done to the image: "brightened", or "deskewed" by `degrees` of tilt removed."""

    name: str
    degrees: float | None = None

    def __post_init__(self) -> None:
        if self.name not in _STEPS:
            raise ValueError(f"step must be one of {', '.join(_STEPS)}; got {self.name!r}")

    def text(self, language: str = "en") -> str:
        """Return the step in `language` ("en" or "zh"), e.g. "deskewed 11°"."""
        return word(f"enhance.step.{self.name}", language, degrees=self.degrees)

    def as_dict(self) -> dict[str, Any]:
        """Return the step as JSON-ready data, e.g. {"step": "deskewed", "degrees": 11.0}."""
        if self.degrees is None:
            return {"step": self.name}
        return {"step": self.name, "degrees": self.degrees}


@dataclass(frozen=True)
class Enhanced:
    """The image the model sees, the steps that made it, and the size of the original."""

    image: Image.Image
    steps: tuple[Step, ...]
    source_size: tuple[int, int]
    measures: Measures | None = None  # None when mode was "off"

    @property
    def rotation(self) -> float:
        """Return the degrees the image was turned, counter-clockwise positive (0.0 if not)."""
        return -sum(step.degrees or 0.0 for step in self.steps if step.name == "deskewed")

    def map_box(self, box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        """Return a (left, top, right, bottom) box of the original as a box of this image.

        A turned box becomes the upright box around its four corners, clamped to the image.
        """
        left, top, right, bottom = (float(value) for value in box)
        corners = np.array([[left, top], [right, top], [left, bottom], [right, bottom]])
        if self.rotation:
            matrix = _turn_matrix(self.source_size, self.image.size, self.rotation, centres=False)
            corners = corners @ matrix[:, :2].T + matrix[:, 2]
        # Rounded first, so that 99.9999999 is 100 and floor/ceil do not widen an exact box.
        corners = np.round(corners, 6)
        width, height = self.image.size
        xs = np.clip(corners[:, 0], 0, width)
        ys = np.clip(corners[:, 1], 0, height)
        return (
            math.floor(xs.min()),
            math.floor(ys.min()),
            math.ceil(xs.max()),
            math.ceil(ys.max()),
        )

    def summary(self, language: str = "en") -> str:
        """Return what was done, e.g. "brightened (CLAHE), deskewed 11°"; "" when nothing was."""
        separator = word("separator.list", language)
        return separator.join(step.text(language) for step in self.steps)

    def as_list(self) -> list[dict[str, Any]]:
        """Return the steps as JSON-ready dicts: what result.json records under "enhanced"."""
        return [step.as_dict() for step in self.steps]


def measure(image: Image.Image) -> Measures:
    """Return the luminance and text-line tilt of an image, measured on a downscaled copy."""
    return _measure_rgb(_to_rgb(image))


def enhance(image: Image.Image, mode: EnhanceMode = "auto") -> Enhanced:
    """Return the image brightened and deskewed as `mode` asks ("auto", "on" or "off").

    "off" does nothing. "on" stretches the lightness to the full range, applies CLAHE to it,
    and deskews any tilt of 0.5° or more. "auto" brightens only a dim image (`Measures.dim`)
    and deskews only a tilt of 3° to 45°. With a step the image comes back as a new RGB image;
    without one, as it was given, the same object.
    """
    if mode not in ENHANCE_MODES:
        raise ValueError(f"enhance mode must be one of {', '.join(ENHANCE_MODES)}; got {mode!r}")
    if mode == "off":
        return Enhanced(image, (), image.size)
    rgb = _to_rgb(image)
    measures = _measure_rgb(rgb)
    brighten = measures.contrast >= MIN_CONTRAST and (mode == "on" or measures.dim)
    low, high = AUTO_TILT if mode == "auto" else (ON_TILT, _SEARCH_SPAN)
    # The recorded angle is the one applied, so result.json says exactly what was done.
    degrees = round(measures.tilt, 1)
    deskew = measures.lines_found and low <= abs(degrees) <= high
    if not (brighten or deskew):
        return Enhanced(image, (), image.size, measures)
    pixels = np.asarray(rgb)
    steps: list[Step] = []
    if brighten:
        pixels = _brighten(pixels)
        steps.append(Step("brightened"))
    if deskew:
        pixels = _turn(pixels, -degrees)
        steps.append(Step("deskewed", degrees))
    return Enhanced(Image.fromarray(pixels), tuple(steps), image.size, measures)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        # Transparent parts on white, as a viewer shows them (black would hide dark text).
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")


def _measure_rgb(rgb: Image.Image) -> Measures:
    small = rgb.convert("L")  # luma, ITU-R 601, as cv2's RGB2GRAY
    factor = math.ceil(max(small.size) / MEASURE_SIDE)
    if factor > 1:
        small = small.reduce(factor)  # the mean of each factor × factor block
    gray = np.asarray(small)
    low, high = _percentiles(gray, 0.01, 0.99)
    tilt, found = _tilt(gray)
    return Measures(round(float(gray.mean()), 2), low, high, tilt, found)


def _percentiles(gray: np.ndarray, *fractions: float) -> tuple[float, ...]:
    counts = np.bincount(gray.ravel(), minlength=256).cumsum()
    return tuple(float(np.searchsorted(counts, counts[-1] * fraction)) for fraction in fractions)


def _tilt(gray: np.ndarray) -> tuple[float, bool]:
    """Return the text lines' tilt by projection profiles: the angle whose rows are sharpest."""
    if min(gray.shape) < _MIN_TILT_SIDE:
        return 0.0, False
    xs, ys, weights = _mark_points(gray)
    if len(xs) < 10 * _MIN_MARK_AREA:
        return 0.0, False
    coarse = np.arange(-_SEARCH_SPAN, _SEARCH_SPAN + _FINE_STEP, _COARSE_STEP)
    scores = _profile_scores(xs, ys, weights, coarse)
    best = coarse[scores.argmax()]
    # A best angle at the end of the search is no peak: whatever lines there are lie beyond it.
    if scores.max() < _MIN_LINE_STRENGTH * np.median(scores) or abs(best) >= _SEARCH_SPAN:
        return 0.0, False
    fine = np.arange(best - _COARSE_STEP, best + _COARSE_STEP + _FINE_STEP / 2, _FINE_STEP)
    tilt = float(fine[_profile_scores(xs, ys, weights, fine).argmax()])
    return round(tilt, 2) + 0.0, True  # + 0.0: no -0.0


def _mark_points(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the pixels of character-sized dark marks, at any brightness: x, y, weight.

    x and y are taken from the centre of the image. Each mark weighs the square root of its
    area, not its area: a long mark (an underline, a needle, a table's edge) then cannot outweigh
    a line of letters, and it need not lie along the text.
    """
    low, high = _percentiles(gray, 0.01, 0.99)
    gain = 255.0 / max(high - low, 1.0)
    stretched = cv2.convertScaleAbs(gray, alpha=gain, beta=-low * gain)
    smooth = cv2.GaussianBlur(stretched, (3, 3), 0)
    marks = cv2.adaptiveThreshold(
        smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )
    _, labels, stats, _ = cv2.connectedComponentsWithStats(marks, connectivity=8)
    height, width = gray.shape
    area = stats[:, cv2.CC_STAT_AREA]
    # Tiny marks are sensor noise; huge ones are page edges and the border a rotation leaves.
    keep = (
        (area >= _MIN_MARK_AREA)
        & (stats[:, cv2.CC_STAT_WIDTH] <= width / 4)
        & (stats[:, cv2.CC_STAT_HEIGHT] <= height / 4)
    )
    keep[0] = False  # the background
    weight_of = np.where(keep, 1.0 / np.sqrt(np.maximum(area, 1)), 0.0)
    ys, xs = np.nonzero(keep[labels])
    step = max(1, len(xs) // _MAX_POINTS)
    ys, xs = ys[::step], xs[::step]
    weights = weight_of[labels[ys, xs]]
    return xs - width / 2, ys - height / 2, weights


def _profile_scores(
    xs: np.ndarray, ys: np.ndarray, weights: np.ndarray, angles: np.ndarray
) -> np.ndarray:
    """Return, per angle, the sum of squared row weights of the points levelled by that angle."""
    reach = int(np.hypot(xs, ys).max()) + 2
    scores = []
    for angle in np.radians(angles):
        # A line rising at `angle` (y grows downwards) keeps y·cos + x·sin constant.
        rows = (ys * np.cos(angle) + xs * np.sin(angle) + reach).astype(np.int32)
        counts = np.bincount(rows, weights=weights)
        scores.append(float(counts @ counts))
    return np.array(scores)


def _brighten(pixels: np.ndarray) -> np.ndarray:
    """Return the RGB pixels with their lightness stretched to the full range, then CLAHE."""
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2Lab)
    lightness = np.ascontiguousarray(lab[..., 0])  # OpenCV is slow on a strided view
    low, high = _percentiles(lightness[::4, ::4], 0.005, 0.995)
    gain = 255.0 / max(high - low, 1.0)
    table = np.clip((np.arange(256) - low) * gain + 0.5, 0, 255).astype(np.uint8)
    lightness = cv2.LUT(lightness, table)
    if gain > 4:
        # A strong gain turns sensor noise into speckle; a 3×3 median takes it off the strokes.
        lightness = cv2.medianBlur(lightness, 3)
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP, tileGridSize=CLAHE_TILES)
    lab[..., 0] = clahe.apply(lightness)
    # Colour (a, b) stays as it was: scaling it would scale the colour noise too.
    return cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)


def _turn(pixels: np.ndarray, degrees: float) -> np.ndarray:
    """Return the pixels turned counter-clockwise about the centre, the canvas grown to fit."""
    height, width = pixels.shape[:2]
    size = _turned_size((width, height), degrees)
    matrix = _turn_matrix((width, height), size, degrees, centres=True)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    fill = tuple(int(value) for value in np.median(border, axis=0))
    return cv2.warpAffine(
        pixels,
        matrix,
        size,
        flags=cv2.INTER_CUBIC,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,  # the image's own border colour: the corners blend in
    )


def _turned_size(size: tuple[int, int], degrees: float) -> tuple[int, int]:
    width, height = size
    cos, sin = abs(math.cos(math.radians(degrees))), abs(math.sin(math.radians(degrees)))
    # Rounded first, so that a turn by 0° or 90° adds no pixel.
    return (
        math.ceil(round(width * cos + height * sin, 6)),
        math.ceil(round(width * sin + height * cos, 6)),
    )


def _turn_matrix(
    source: tuple[int, int], target: tuple[int, int], degrees: float, *, centres: bool
) -> np.ndarray:
    """Return the 2×3 matrix that turns `source` by `degrees` about its centre into `target`.

    Coordinates are continuous (pixel i spans i to i + 1), as boxes are; with `centres`, they
    are pixel indices (pixel i is centred on i), as `cv2.warpAffine` takes them.
    """
    half = 0.5 if centres else 0.0
    centre = (source[0] / 2 - half, source[1] / 2 - half)
    matrix = cv2.getRotationMatrix2D(centre, degrees, 1.0)
    matrix[0, 2] += (target[0] - source[0]) / 2
    matrix[1, 2] += (target[1] - source[1]) / 2
    return matrix
