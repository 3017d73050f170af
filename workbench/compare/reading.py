"""The text of a few lines of a screenshot, read by recognition alone (no detection pass).

Detection on a whole phone screenshot costs seconds here; a comparison knows where its lines
are (`textlines`) and reads only those it reports, batched, on the evidence layer's one OCR
engine, under its lock (`ocr.read_texts`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PIL import Image

from workbench.compare.models import Box
from workbench.evidence import ocr

log = logging.getLogger(__name__)
PAD = 4  # pixels around a line's ink box: recognition wants a little margin
MIN_SCORE = 0.5  # below this, what was read is not shown


def read_boxes(image: Image.Image, boxes: Sequence[Box]) -> list[str]:
    """Return the text in each box of the image ("" where nothing legible), in one batch."""
    if not boxes:
        return []
    crops = [_crop(image, box) for box in boxes]
    try:
        read = ocr.read_texts(crops)
    except Exception:  # the texts are a report's words; a comparison goes on without them
        log.exception("reading %d lines failed", len(crops))
        return [""] * len(boxes)
    shown = [text.strip() if score >= MIN_SCORE else "" for text, score in read]
    return shown + [""] * (len(boxes) - len(shown))


def _crop(image: Image.Image, box: Box) -> Image.Image:
    x0, y0, x1, y1 = box
    width, height = image.size
    padded = (max(0, x0 - PAD), max(0, y0 - PAD), min(width, x1 + PAD), min(height, y1 + PAD))
    return image.crop(padded)
