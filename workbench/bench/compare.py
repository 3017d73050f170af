"""Screenshot comparison benchmark: `python -m workbench bench compare`.

Times `compare_images` (alignment, diff, the changed lines read, truncation, contrast on both
images; no model) on a phone pair (1080 × 2400) and a desktop pair (1920 × 1080), each with one
label changed, after the OCR engine is loaded; then compares every drawn pair and tables what
it found against what was drawn.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

from PIL import Image

from workbench.compare import Change, compare_images
from workbench.compare.drawn import DrawnPair, Screen, draw_desktop, draw_screen, drawn_pairs
from workbench.compare.reading import read_boxes


def bench_compare(runs: int = 3) -> Iterator[str]:
    """Yield seconds per pair at phone and desktop sizes, then a row per drawn pair."""
    started = time.perf_counter()
    read_boxes(Image.new("RGB", (120, 32), "white"), [(0, 0, 120, 32)])
    yield f"OCR engine built and its models loaded: {time.perf_counter() - started:.2f} s"
    phone = (draw_screen(Screen(), 3)[0], draw_screen(Screen(title="Purchases"), 3)[0])
    desktop = (draw_desktop()[0], draw_desktop("Refunded")[0])
    yield f"Seconds per pair, median of {runs} (one label changed; contrast included):"
    for name, (before, after) in (("phone", phone), ("desktop", desktop)):
        seconds, comparison = _timed(before, after, runs)
        size = f"{before.width}x{before.height}"
        found = ", ".join(
            f"{c.kind} {c.before_text!r}→{c.after_text!r}" for c in comparison.changes
        )
        yield f"  {name:<8} {size:>9} {seconds:6.2f} s  {found or 'no change'}"
    yield ""
    yield "Drawn pairs (540x1200; retina after 1080x2400): what was drawn, what was found"
    yield f"  {'pair':<26} {'drawn':<9} {'found':<34} {'box':<5} {'cut':<4} {'<3:1':<5} {'s':>5}"
    for pair in drawn_pairs(1.5):
        yield _row(pair)


def _timed(before: Image.Image, after: Image.Image, runs: int):
    times, comparison = [], None
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        comparison = compare_images(before, after)
        times.append(time.perf_counter() - started)
    return statistics.median(times), comparison


def _row(pair: DrawnPair) -> str:
    started = time.perf_counter()
    comparison = compare_images(pair.before, pair.after)
    seconds = time.perf_counter() - started
    drawn = ",".join(truth.kind for truth in pair.changes) or "nothing"
    found = "; ".join(_said(change) for change in comparison.changes) or "nothing"
    hits = pair.found(comparison.changes)
    box = ("NO" if None in hits else "yes") if pair.changes else "-"
    cut = "yes" if any(t.side == "after" for t in comparison.truncations) else "-"
    faint = "yes" if any(line.ratio < 3 for line in comparison.contrast_after) else "-"
    return (
        f"  {pair.name:<26} {drawn:<9} {found[:34]:<34} {box:<5} {cut:<4} {faint:<5} {seconds:5.2f}"
    )


def _said(change: Change) -> str:
    texts = "→".join(text for text in (change.before_text, change.after_text) if text)
    return f"{change.kind} {texts[:20]}".strip()
