"""Screenshot comparison for QA: two screenshots aligned, their changes listed and boxed, text
cut short and low contrast flagged, and a report to file — over one pair or two folders.

Deterministic: no model. The model's turn on a pair lives in `workbench.compare.turn`, a layer
above (it needs the pipeline); nothing here imports it.
"""

from __future__ import annotations

from workbench.compare.compare import compare_images, load_screenshot
from workbench.compare.contrast import contrast_lines, contrast_ratio
from workbench.compare.drawing import draw_comparison, draw_contrast
from workbench.compare.folders import compare_folders
from workbench.compare.models import (
    KINDS,
    Box,
    Change,
    CompareError,
    Comparison,
    ContrastLine,
    FolderReport,
    PairResult,
    Truncation,
)
from workbench.compare.report import write_report
from workbench.compare.truncation import find_truncations

__all__ = [
    "KINDS",
    "Box",
    "Change",
    "CompareError",
    "Comparison",
    "ContrastLine",
    "FolderReport",
    "PairResult",
    "Truncation",
    "compare_folders",
    "compare_images",
    "contrast_lines",
    "contrast_ratio",
    "draw_comparison",
    "draw_contrast",
    "find_truncations",
    "load_screenshot",
    "write_report",
]
