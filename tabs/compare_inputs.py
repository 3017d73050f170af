"""The Compare tab's inputs read: both screenshots (or which one is missing, or why one cannot be
read), and the regions to ignore, typed or drawn; a mistake is a `gr.Error` worded for the page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image

from tabs.wording import say
from workbench.compare import Box, CompareError, load_screenshot
from workbench.intake.images import ImageError

# One mask: four integers, commas or spaces between them.
_MASK = re.compile(r"^\s*(\d+)\s*[, ]\s*(\d+)\s*[, ]\s*(\d+)\s*[, ]\s*(\d+)\s*$")


def read_pair(
    before: dict | None, after: dict | None, said: str
) -> tuple[tuple[Image.Image, str], tuple[Image.Image, str]]:
    """Return both screenshots and their paths; gr.Error names the one missing or unreadable."""
    missing = [side for side, value in (("before", before), ("after", after)) if not _value(value)]
    if missing:
        which = "both" if len(missing) == 2 else missing[0]
        raise gr.Error(say(f"compare_tab.missing.{which}", said), print_exception=False)
    return _image(before, "before", said), _image(after, "after", said)


def _value(value: dict | None) -> Any:
    return None if not isinstance(value, dict) else value.get("image")


def _image(value: dict | None, side: str, said: str) -> tuple[Image.Image, str]:
    """Return one screenshot and its path; gr.Error says why it cannot be read."""
    image = _value(value)
    try:
        return load_screenshot(str(image)), str(image)
    except (CompareError, ImageError) as error:
        where = say(f"compare_tab.side.{side}", said)
        message = say("compare_tab.unreadable", said, side=where, error=error.text(said))
        raise gr.Error(message, print_exception=False) from None


def parse_masks(text: str | None, said: str) -> list[Box]:
    """Return the boxes typed as "x0,y0,x1,y1; …"; gr.Error names one that is not a box."""
    boxes = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        found = _MASK.match(part)
        box = tuple(int(value) for value in found.groups()) if found else None
        if box is None or box[2] <= box[0] or box[3] <= box[1]:
            raise gr.Error(
                say("compare_tab.bad_mask", said, mask=part.strip()), print_exception=False
            )
        boxes.append(box)
    return boxes


def drawn_masks(value: dict | None, images: Any = None) -> list[Box]:
    """Return the boxes drawn on an input, in before pixels (after's scaled by the widths)."""
    scale = 1.0 if images is None else images[0][0].width / images[1][0].width
    boxes = value.get("boxes") if isinstance(value, dict) else None
    found = []
    for box in boxes or []:
        try:
            corners = [box[name] * scale for name in ("xmin", "ymin", "xmax", "ymax")]
        except (KeyError, TypeError):
            continue
        found.append(tuple(round(value) for value in corners))
    return found


def file_name(path: str) -> str:
    return Path(path).name
