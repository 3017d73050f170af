"""Shared pieces of the example generators: the spec record, fonts, boxes, paper and noise."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Rect = tuple[float, float, float, float]
Truth = dict[str, object]

# DejaVu covers the glyphs the examples use and has a true monospace for receipts; Pillow's own
# scalable font (Aileron) is the fallback, so the generator also runs where DejaVu is missing.
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans_bold": "DejaVuSans-Bold.ttf",
    "sans_light": "DejaVuSans-ExtraLight.ttf",
    "mono": "DejaVuSansMono.ttf",
    "mono_bold": "DejaVuSansMono-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
}

# Chinese needs a CJK font, which neither DejaVu nor Pillow's own font has. The first of these
# that is installed draws it (Debian packages: fonts-wqy-zenhei, fonts-wqy-microhei,
# fonts-noto-cjk); with none, the examples that need one are left out, with a warning.
CJK_FONT_PACKAGE = "fonts-wqy-zenhei"
CJK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)


@dataclass(frozen=True)
class ExampleSpec:
    """One generated example: where it sits, what to ask, and how to draw it."""

    name: str
    tab: str
    question: str
    preset: str
    draw: Callable[[], tuple[Image.Image, Truth]]


@functools.cache
def font(kind: str, size: int) -> Font:
    """Return the font of this kind and pixel size: DejaVu if installed, else Pillow's own."""
    path = FONT_DIR / _FONT_FILES[kind]
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def cjk_font_path() -> Path | None:
    """Return the CJK font file the examples draw Chinese with, or None when none is installed."""
    return next((path for path in CJK_FONT_FILES if path.is_file()), None)


def no_cjk_font() -> str:
    """Return what to say when no CJK font is installed: where we looked, what to install."""
    looked = ", ".join(str(path) for path in CJK_FONT_FILES)
    return f"no CJK font (looked for {looked}); on Debian: apt-get install {CJK_FONT_PACKAGE}"


@functools.cache
def cjk_font(size: int) -> Font:
    """Return a font that draws Chinese at this pixel size; LookupError when none is installed."""
    path = cjk_font_path()
    if path is None:
        raise LookupError(no_cjk_font())
    return ImageFont.truetype(str(path), size)  # face 0 of a .ttc: the regular (not mono) one


def font_sources() -> list[str]:
    """Return which font files the examples are drawn with (part of the generator's identity)."""
    sources = [
        str(FONT_DIR / name) if (FONT_DIR / name).is_file() else "pillow-default"
        for name in _FONT_FILES.values()
    ]
    return [*sources, str(cjk_font_path() or "no-cjk-font")]


def box_2d(rect: Rect, size: tuple[int, int]) -> list[int]:
    """Return a pixel rectangle as Qwen3-VL's bbox_2d: ints 0–1000 relative to the image."""
    width, height = size
    x1, y1, x2, y2 = rect
    scaled = (x1 / width, y1 / height, x2 / width, y2 / height)
    return [min(1000, max(0, round(v * 1000))) for v in scaled]


def union(*rects: Rect) -> Rect:
    """Return the smallest rectangle holding all of them."""
    return (
        min(r[0] for r in rects),
        min(r[1] for r in rects),
        max(r[2] for r in rects),
        max(r[3] for r in rects),
    )


def money(value: Decimal | str | int) -> Decimal:
    """Return a Decimal rounded half-up to cents."""
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def add_noise(image: Image.Image, rng: np.random.Generator, sigma: float) -> Image.Image:
    """Return the image with Gaussian sensor noise added (deterministic for a seeded rng)."""
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels + rng.normal(0.0, sigma, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), image.mode)


def lay_on_table(
    paper: Image.Image,
    size: tuple[int, int],
    angle: float,
    table: tuple[int, int, int],
    rng: np.random.Generator,
) -> Image.Image:
    """Return a photo-like shot: the paper rotated a little, with a soft shadow, on a table."""
    width, height = size
    background = _table_texture(size, table, rng)
    sheet = paper.convert("RGBA").rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0, 0)
    )
    x = (width - sheet.width) // 2
    y = (height - sheet.height) // 2
    shadow = Image.new("L", size, 0)
    shadow.paste(sheet.getchannel("A"), (x + 6, y + 8))
    shadow = shadow.filter(ImageFilter.GaussianBlur(7)).point(lambda v: v * 45 // 100)
    background.paste((20, 16, 12), (0, 0), shadow)
    background.paste(sheet, (x, y), sheet)
    return background


def _table_texture(
    size: tuple[int, int], colour: tuple[int, int, int], rng: np.random.Generator
) -> Image.Image:
    width, height = size
    # Wood-like streaks: a random walk down each column, blurred across columns.
    walk = rng.normal(0.0, 1.0, (height, width)).cumsum(axis=0) * 0.35
    streaks = Image.fromarray(np.clip(walk + 128, 0, 255).astype(np.uint8), "L")
    grain = np.asarray(streaks.filter(ImageFilter.BoxBlur(3)), np.float32) - 128
    light = np.linspace(1.06, 0.9, height)[:, None, None]
    pixels = np.array(colour, np.float32)[None, None, :] * light + grain[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def text_right(
    draw: ImageDraw.ImageDraw, right: float, y: float, text: str, face: Font, fill: object
) -> None:
    """Draw text so that it ends at x = right."""
    draw.text((right - draw.textlength(text, font=face), y), text, font=face, fill=fill)


def text_centre(
    draw: ImageDraw.ImageDraw, centre: float, y: float, text: str, face: Font, fill: object
) -> None:
    """Draw text centred on x = centre."""
    draw.text((centre - draw.textlength(text, font=face) / 2, y), text, font=face, fill=fill)


def smooth_shape(
    image: Image.Image,
    box: Rect,
    fill: tuple[int, ...],
    shape: str = "ellipse",
    radius: float = 0,
    outline: tuple[int, ...] | None = None,
    width: float = 0,
) -> None:
    """Paint an anti-aliased ellipse or rounded rectangle (drawn 4x larger, then shrunk)."""
    scale = 4
    x1, y1, x2, y2 = (round(v) for v in box)
    size = ((x2 - x1) * scale, (y2 - y1) * scale)

    def mask(inset: float) -> Image.Image:
        layer = Image.new("L", size, 0)
        pen = ImageDraw.Draw(layer)
        rect = (
            inset * scale,
            inset * scale,
            size[0] - 1 - inset * scale,
            size[1] - 1 - inset * scale,
        )
        if shape == "ellipse":
            pen.ellipse(rect, fill=255)
        else:
            pen.rounded_rectangle(rect, radius=max(0.0, radius - inset) * scale, fill=255)
        return layer.resize((x2 - x1, y2 - y1), Image.Resampling.BOX)

    if outline is not None and width > 0:
        image.paste(outline, (x1, y1, x2, y2), mask(0))
        image.paste(fill, (x1, y1, x2, y2), mask(width))
    else:
        image.paste(fill, (x1, y1, x2, y2), mask(0))


def stamp_seal(
    page: Image.Image,
    centre: tuple[float, float],
    size: tuple[float, float],
    lines: list[tuple[str, int, float]],
    colour: tuple[int, int, int],
) -> None:
    """Stamp an oval seal, see-through like ink: (text, pixel size, y from centre) per line."""
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    (x, y), (w, h) = centre, size
    draw.ellipse((x - w / 2, y - h / 2, x + w / 2, y + h / 2), outline=(*colour, 190), width=3)
    for text, pixels, offset in lines:
        text_centre(draw, x, y + offset, text, cjk_font(pixels), (*colour, 190))
    page.paste(Image.alpha_composite(page.convert("RGBA"), layer).convert("RGB"))


def qr_like(
    draw: ImageDraw.ImageDraw,
    origin: tuple[int, int],
    module: int,
    fill: tuple[int, int, int],
    rng: np.random.Generator,
) -> None:
    """Draw a block that looks like a QR code (21×21 modules, three finder squares); no data."""
    modules = rng.integers(0, 2, (21, 21)).astype(bool)
    for top, left in ((0, 0), (0, 14), (14, 0)):
        modules[top : top + 7, left : left + 7] = True
        modules[top + 1 : top + 6, left + 1 : left + 6] = False
        modules[top + 2 : top + 5, left + 2 : left + 5] = True
    x, y = origin
    for row, col in zip(*np.nonzero(modules), strict=True):
        left, top = x + col * module, y + row * module
        draw.rectangle((left, top, left + module - 1, top + module - 1), fill=fill)
