"""Two screenshots compared: aligned, diffed, their changed lines read, truncation and contrast
checked on both. `compare_images` is the one way in; `load_screenshot` reads a file for it.

Both images are compared at one width (`align.work_width`: about 0.65 megapixels of before;
after scaled to it too: a retina capture against a normal one); boxes are reported in each
image's own pixels.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from workbench.compare.align import Segment, align_rows, to_work, work_width
from workbench.compare.changes import Found, judged, merge_regions, sort_out
from workbench.compare.contrast import device_pixels_per_point, measure_line
from workbench.compare.diff import Region, diff_regions
from workbench.compare.models import Box, Change, CompareError, Comparison, ContrastLine, Truncation
from workbench.compare.sides import Sides, scaled
from workbench.compare.truncation import cut_reason, ends_in_ellipsis
from workbench.intake import ImageError, load_file
from workbench.intake.documents import is_pdf
from workbench.intake.images import check_size

MIN_MATCHED = 0.3  # share of before's rows that must find their place in after
MAX_CHANGED = 0.5  # share of before's area that may have changed before the pair is unrelated
MAX_STRETCH = 3.0  # how much taller for its width one screenshot may be than the other


def load_screenshot(path: str | Path) -> Image.Image:
    """Return the screenshot at `path` as RGB; CompareError for a PDF, no file, or a bad image."""
    path = Path(path)
    if not path.is_file():
        raise CompareError("missing", path=str(path))
    if is_pdf(path):
        raise CompareError("pdf", name=path.name)
    try:
        return load_file(path, max_tokens=1)[0]
    except ImageError as error:
        raise CompareError("unusable", name=path.name, reason=error.text("en")) from None


def compare_images(
    before: Image.Image | None,
    after: Image.Image | None,
    masks: Sequence[Box] = (),
    *,
    contrast: bool = True,
) -> Comparison:
    """Return what changed from `before` to `after`; `masks` (in before pixels) are ignored."""
    started = time.perf_counter()
    before, after = _usable(before, "before"), _usable(after, "after")
    width = work_width(before.size)
    stretch = (after.height / after.width) / (before.height / before.width)
    if not 1 / MAX_STRETCH <= stretch <= MAX_STRETCH:  # each alone, for its lines and contrast
        widths = (width, work_width(after.size))
    else:  # after at before's scale: a retina capture against a normal one
        widths = (width, width)
    scales = (widths[0] / before.width, widths[1] / after.width)  # working pixels per pixel
    a, b = to_work(np.asarray(before), widths[0]), to_work(np.asarray(after), widths[1])
    sides = Sides(before, after, a, b, scales)
    found: list[Found] = []
    if widths[0] != widths[1]:
        problem = "compare.shapes"
    else:
        work_masks = [scaled(mask, scales[0]) for mask in masks]
        segments = align_rows(a, b)
        regions = diff_regions(a, b, segments, work_masks, work_masks)
        problem = "compare.unrelated" if _unrelated(a, segments, regions) else ""
        if not problem:
            found = sort_out(a, b, merge_regions(_to_lines(sides, regions)), segments)
    changes = _changes(sides, found)
    truncations = _truncations(sides)
    contrasts = _contrasts(sides) if contrast else ((), ())
    sides.read()
    return Comparison(
        before_size=before.size,
        after_size=after.size,
        scale=round(after.width / before.width, 4),
        changes=_numbered(sides, changes),
        truncations=tuple(item for item in (make() for make in truncations) if item),
        contrast_before=tuple(make() for make in contrasts[0]),
        contrast_after=tuple(make() for make in contrasts[1]),
        problem=problem,
        seconds=round(time.perf_counter() - started, 3),
    )


def _usable(image: Image.Image | None, side: str) -> Image.Image:
    if image is None:
        raise CompareError("no_image", side=side)
    try:
        check_size(image.size)
    except ImageError as error:
        raise CompareError("unusable", name=side, reason=error.text("en")) from None
    return image if image.mode == "RGB" else image.convert("RGB")


def _unrelated(a: np.ndarray, segments: Sequence[Segment], regions: Sequence[Region]) -> bool:
    """Return whether too little of before found its place in after, or too much changed."""
    matched = sum(s.a1 - s.a0 for s in segments if s.matched)
    changed = sum(
        (r.before[2] - r.before[0]) * (r.before[3] - r.before[1]) for r in regions if r.before
    )
    height, width = a.shape[:2]
    return matched < MIN_MATCHED * height or changed > MAX_CHANGED * height * width


def _changes(sides: Sides, found: Sequence[Found]) -> list:
    """Return a maker per change: called once the texts are read, it gives the Change or None."""
    makers = []
    for item in found:
        lines = (sides.lines_at(0, item.before), sides.lines_at(1, item.after))
        boxes = [_grown(item.before, lines[0]), _grown(item.after, lines[1])]
        if item.kind in ("removed", "added"):  # a block keeps its own box; its lines are read
            boxes = [item.before, item.after]
        full = [None if box is None else sides.full(side, box) for side, box in enumerate(boxes)]
        wanted = [
            [sides.want(side, sides.full(side, line)) for line in lines[side]] for side in (0, 1)
        ]
        makers.append(_maker(sides, item, full, wanted))
    return makers


def _maker(sides: Sides, item: Found, full: list, wanted: list):
    def make() -> Change | None:
        texts = (sides.text(0, wanted[0]), sides.text(1, wanted[1]))
        kind, detail = item.kind, item.detail
        if kind == "both":
            verdict = judged(
                item,
                *sides.pixels,
                texts,
                (full[0], full[1]),
                (1.0, sides.images[1].width / sides.images[0].width),
            )
            if verdict is None:
                return None
            kind, detail = verdict
        elif kind == "moved":
            detail = _moved(sides, item)
        elif item.shift:
            block = round(abs(item.shift) / sides.scales[0])
            way = "up" if item.shift > 0 else "down"
            detail = f"{kind} {block} px high; what was below moved {way}"
        return Change(0, kind, full[0], full[1], texts[0], texts[1], detail)

    return make


def _moved(sides: Sides, item: Found) -> str:
    dx = (item.after[0] - item.before[0]) / sides.scales[0]
    dy = (item.after[1] - item.before[1]) / sides.scales[0]
    steps = [
        f"{abs(dy):.0f} px {'down' if dy > 0 else 'up'}" if abs(dy) >= 2 else "",
        f"{abs(dx):.0f} px {'right' if dx > 0 else 'left'}" if abs(dx) >= 2 else "",
    ]
    return "moved " + " and ".join(step for step in steps if step) if any(steps) else "moved"


def _to_lines(sides: Sides, regions: Sequence[Region]) -> list[Region]:
    """Return in-place regions grown to the whole lines across them, on each image: a changed
    letter is a changed line, and a line half-changed on one side is read whole on both."""
    return [
        region
        if region.band
        else Region(
            _grown(region.before, sides.lines_at(0, region.before)),
            _grown(region.after, sides.lines_at(1, region.after)),
        )
        for region in regions
    ]


def _grown(box: Box | None, lines: Sequence[Box]) -> Box | None:
    if box is None:
        return None
    for line in lines:
        box = (
            min(box[0], line[0]),
            min(box[1], line[1]),
            max(box[2], line[2]),
            max(box[3], line[3]),
        )
    return box


def _numbered(sides: Sides, makers: Sequence) -> tuple[Change, ...]:
    changes = [change for change in (make() for make in makers) if change is not None]
    shown = sorted(
        (c for c in changes if c.after_box), key=lambda c: (c.after_box[1], c.after_box[0])
    )
    gone = sorted(
        (c for c in changes if not c.after_box), key=lambda c: (c.before_box[1], c.before_box[0])
    )
    return tuple(
        Change(number, c.kind, c.before_box, c.after_box, c.before_text, c.after_text, c.detail)
        for number, c in enumerate([*shown, *gone], start=1)
    )


def _truncations(sides: Sides) -> list:
    """Return a maker per line that looks cut short, on either image."""
    makers = []
    for side, name in ((0, "before"), (1, "after")):
        for line in sides.lines[side]:
            box = sides.full(side, line)
            reason = cut_reason(sides.pixels[side], box)
            if reason:
                makers.append(_truncation_maker(sides, side, name, sides.want(side, box), reason))
    return makers


def _truncation_maker(sides: Sides, side: int, name: str, box: Box, reason: str):
    def make() -> Truncation | None:
        text = sides.text(side, [box])
        if reason == "ellipsis" and text and not ends_in_ellipsis(text):
            return None  # read, and it does not end in "…": three dots of something else
        return Truncation(name, box, text, reason)

    return make


def _contrasts(sides: Sides) -> tuple[list, list]:
    """Return a maker per line of each image: its contrast, with its text if it was read."""
    found: tuple[list, list] = ([], [])
    for side in (0, 1):
        dpr = device_pixels_per_point(sides.images[side].size)
        for line in sides.lines[side]:
            measured = measure_line(sides.pixels[side], sides.full(side, line), "", dpr)
            if not measured.aa:
                sides.want(side, measured.box)
            found[side].append(_contrast_maker(sides, side, measured))
    return found


def _contrast_maker(sides: Sides, side: int, measured: ContrastLine):
    def make() -> ContrastLine:
        text = sides.text(side, [measured.box])
        return ContrastLine(
            text,
            measured.box,
            measured.ratio,
            measured.foreground,
            measured.background,
            measured.large,
            measured.aa,
            measured.aaa,
        )

    return make
