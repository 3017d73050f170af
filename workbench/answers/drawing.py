"""Draw on images: the region a user marked, and the boxes a model returned, labelled.

With confidence levels, a box takes its level's colour (docs/confidence.md) and a box to check
or of low confidence says so in its label; without, boxes take distinct colours in turn.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from workbench.answers.boxes import Region

REGION_COLOUR = (220, 38, 38)
# Distinct, colour-blind-friendly colours (Okabe–Ito) for the model's boxes.
BOX_COLOURS = (
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
)
# Okabe–Ito too: bluish green, orange, vermillion; told apart by their labels as well.
LEVEL_COLOURS = {"high": (0, 158, 115), "check": (230, 159, 0), "low": (213, 94, 0)}


def _line_width(size: tuple[int, int]) -> int:
    return max(2, round(max(size) / 300))


def outline_region(image: Image.Image, region: Region) -> Image.Image:
    """Return a copy of the image with the region outlined in red."""
    outlined = image.copy()
    ImageDraw.Draw(outlined).rectangle(
        (region.left, region.top, region.right - 1, region.bottom - 1),
        outline=REGION_COLOUR,
        width=_line_width(image.size),
    )
    return outlined


def draw_boxes(
    image: Image.Image,
    boxes: Sequence[tuple[str, tuple[int, int, int, int]]],
    levels: Sequence[str | None] | None = None,
) -> Image.Image:
    """Return a copy of the image with each (label, pixel box) drawn and labelled, coloured by
    its confidence level where `levels` (one per box, None: unknown) are given."""
    annotated = image.convert("RGB")
    draw = ImageDraw.Draw(annotated)
    width = _line_width(image.size)
    font = ImageFont.load_default(size=max(12, round(max(image.size) / 60)))
    for index, (label, (x1, y1, x2, y2)) in enumerate(boxes):
        level = levels[index] if levels is not None and index < len(levels) else None
        colour = LEVEL_COLOURS.get(level or "", BOX_COLOURS[index % len(BOX_COLOURS)])
        draw.rectangle((x1, y1, x2, y2), outline=colour, width=width)
        flag = f" [{level}]" if level in ("check", "low") else ""
        text = f"{index + 1}. {label}"[: 60 - len(flag)] + flag
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        text_w, text_h = right - left, bottom - top
        # Put the label above the box, or inside it when the box touches the top edge.
        y = y1 - text_h - 2 * width if y1 - text_h - 2 * width >= 0 else y1
        x = min(x1, max(0, annotated.width - text_w - 2 * width))
        draw.rectangle((x, y, x + text_w + 2 * width, y + text_h + 2 * width), fill=colour)
        draw.text((x + width - left, y + width - top), text, fill="white", font=font)
    return annotated
