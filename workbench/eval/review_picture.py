"""What a reviewer looks at: a record's image with one value's model box and OCR box drawn.

The model's box of a value is the `bbox_2d` of the nearest object holding it (an item's box for
its amount, the answer's own box for a gauge's value), mapped to pixels as the answer was; the
OCR box is where the evidence saw the value. Boxes are in the pixels of the image the model was
shown (`record["image_size"]`) and are scaled onto the picture drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from workbench.answers.boxes import Region, bbox_to_pixels
from workbench.answers.drawing import draw_boxes
from workbench.eval.review import parse_path
from workbench.eval.review_records import ReviewError, ReviewRecord
from workbench.intake import file_digest, read_intake
from workbench.intake.images import ImageError

Box = tuple[int, int, int, int]
PICTURE_TOKENS = 2048  # a PDF page is drawn for this many visual tokens to look at


def verified_source(record: ReviewRecord) -> Path | None:
    """Return the file the model was asked about when its bytes are still those it read."""
    source = record.source
    if source is None or not source.is_file():
        return None
    expected = record.record.get("image_sha256")
    try:
        return source if not expected or file_digest(source) == expected else None
    except OSError:
        return None


def value_boxes(record: ReviewRecord, at: str) -> list[tuple[str, Box]]:
    """Return ("model: value", box) and ("OCR: value", box) for a value, where each is known."""
    value = record.value(at).value
    shown = str(value)[:40]
    boxes = []
    model = _model_box(record.record, at)
    if model is not None:
        boxes.append((f"model: {shown}", model))
    ocr = _ocr_box(record.record, at)
    if ocr is not None:
        boxes.append((f"OCR: {shown}", ocr))
    return boxes


def review_picture(record: ReviewRecord, at: str | None = None) -> Image.Image | None:
    """Return the record's image with the value's boxes drawn (none without `at`); None when
    neither the file asked about nor the batch's annotated picture can be read."""
    picture = _picture(record)
    if picture is None:
        return None
    if at is None:
        return picture
    boxes = value_boxes(record, at)
    return draw_boxes(picture, _scaled(boxes, _size(record.record), picture.size))


def _picture(record: ReviewRecord) -> Image.Image | None:
    source = verified_source(record)
    if source is not None:
        try:
            pages = [record.page] if record.page else None
            return read_intake(source, pages=pages, max_tokens=PICTURE_TOKENS).image
        except (ImageError, OSError):
            pass
    if record.annotated is not None:  # the source is gone: the batch's own picture
        try:
            with Image.open(record.annotated) as opened:
                return opened.convert("RGB")
        except (OSError, Image.DecompressionBombError):
            return None
    return None


def _model_box(record: dict[str, Any], at: str) -> Box | None:
    """Return the pixels of the bbox_2d nearest the value, from the innermost object out."""
    try:
        parts = parse_path(at)
    except ReviewError:
        return None
    holders, node = [record.get("parsed")], record.get("parsed")
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        holders.append(node)
    size = _size(record)
    for holder in reversed(holders):
        box = holder.get("bbox_2d") if isinstance(holder, dict) else None
        if size and isinstance(box, list) and len(box) == 4:
            try:
                return bbox_to_pixels(box, size, _crop(record))
            except (ValueError, TypeError):
                return None
    return None


def _ocr_box(record: dict[str, Any], at: str) -> Box | None:
    evidence = record.get("evidence") or {}
    for each in evidence.get("values") or ():
        if each.get("at") == at and each.get("found") and isinstance(each.get("box"), list):
            return tuple(int(v) for v in each["box"][:4])  # type: ignore[return-value]
    return None


def _crop(record: dict[str, Any]) -> Region | None:
    region = record.get("region") or {}
    if region.get("mode") != "crop" or not isinstance(region.get("box"), list):
        return None
    try:
        return Region(*(int(v) for v in region["box"]))
    except (ValueError, TypeError):
        return None


def _size(record: dict[str, Any]) -> tuple[int, int] | None:
    size = record.get("image_size")
    if isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) for v in size):
        return size[0], size[1]
    return None


def _scaled(
    boxes: list[tuple[str, Box]], seen: tuple[int, int] | None, shown: tuple[int, int]
) -> list[tuple[str, Box]]:
    """Return the boxes moved from the size the model saw onto the picture's size."""
    if not seen or seen == shown:
        return boxes
    fx, fy = shown[0] / seen[0], shown[1] / seen[1]
    return [
        (label, (round(x0 * fx), round(y0 * fy), round(x1 * fx), round(y1 * fy)))
        for label, (x0, y0, x1, y1) in boxes
    ]
