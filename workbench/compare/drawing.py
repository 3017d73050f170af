"""The changes drawn on both screenshots, and the failing contrast lines on one.

Each change is boxed on every image it is on, labelled with its number and kind, in one colour
per kind (Okabe–Ito, told apart by colour-blind readers too), so that "3" on the before image
and "3" on the after image are the same change. Text cut short is outlined in the truncation
colour, labelled "cut".
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from workbench.compare.models import Box, Comparison, ContrastLine

KIND_COLOURS = {
    "text": (0, 114, 178),
    "added": (0, 158, 115),
    "removed": (213, 94, 0),
    "moved": (230, 159, 0),
    "style": (204, 121, 167),
}
CUT_COLOUR = (220, 38, 38)
CONTRAST_COLOUR = (220, 38, 38)


def draw_comparison(
    before: Image.Image, after: Image.Image, comparison: Comparison
) -> tuple[Image.Image, Image.Image]:
    """Return copies of both images with each change boxed and numbered."""
    marks: tuple[list, list] = ([], [])
    for change in comparison.changes:
        colour = KIND_COLOURS.get(change.kind, (0, 0, 0))
        label = f"{change.number} {change.kind}"
        for side, box in ((0, change.before_box), (1, change.after_box)):
            if box is not None:
                marks[side].append((label, box, colour))
    for truncation in comparison.truncations:
        side = 0 if truncation.side == "before" else 1
        marks[side].append(("cut", truncation.box, CUT_COLOUR))
    return _marked(before, marks[0]), _marked(after, marks[1])


def draw_contrast(image: Image.Image, lines: Sequence[ContrastLine]) -> Image.Image:
    """Return a copy of the image with the lines that fail AA boxed, labelled with their ratio."""
    failing = [(f"{line.ratio:.1f}:1", line.box, CONTRAST_COLOUR) for line in lines if not line.aa]
    return _marked(image, failing)


def _marked(
    image: Image.Image, marks: Sequence[tuple[str, Box, tuple[int, int, int]]]
) -> Image.Image:
    """Return a copy of the image with each (label, box, colour) outlined and labelled."""
    marked = image.convert("RGB")
    draw = ImageDraw.Draw(marked)
    width = max(2, round(max(image.size) / 400))
    font = ImageFont.load_default(size=max(12, round(max(image.size) / 70)))
    for label, (x0, y0, x1, y1), colour in marks:
        draw.rectangle(
            (x0 - width, y0 - width, x1 + width, y1 + width), outline=colour, width=width
        )
        left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
        text_w, text_h = right - left, bottom - top
        # The label above the box, or inside it when the box touches the top edge.
        y = y0 - width - text_h - 2 * width
        y = y if y >= 0 else y0
        x = min(max(0, x0 - width), max(0, marked.width - text_w - 2 * width))
        draw.rectangle((x, y, x + text_w + 2 * width, y + text_h + 2 * width), fill=colour)
        draw.text((x + width - left, y + width - top), label, fill="white", font=font)
    return marked
