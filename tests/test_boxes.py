"""Box maths: drawn regions clamped to the image, model boxes mapped back through crops."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from workbench.answers.boxes import (
    Region,
    bbox_fields,
    bbox_problem,
    bbox_to_pixels,
    clamp_region,
    find_boxes,
    is_valid_bbox,
    pixels_to_bbox,
)

IMAGE = (640, 480)


@pytest.mark.parametrize(
    ("box", "image_size", "min_size", "region"),
    [
        ((10.4, 20.6, 200.5, 100.49), IMAGE, 32, Region(10, 21, 201, 100)),  # rounds half up
        ((200, 100, 10, 20), IMAGE, 32, Region(10, 20, 200, 100)),  # corners ordered
        ((-50, -10, 700, 500), IMAGE, 32, Region(0, 0, 640, 480)),  # clamped to the image
        ((100, 100, 110, 105), IMAGE, 32, Region(89, 86, 121, 118)),  # grown around its centre
        ((630, 470, 640, 480), IMAGE, 32, Region(608, 448, 640, 480)),  # grown, pushed inside
        ((2, 2, 5, 5), (20, 10), 32, Region(0, 0, 20, 10)),  # never larger than the image
        ((10, 10, 11, 11), IMAGE, 1, Region(10, 10, 11, 11)),
        ((50, 50, 50, 50), IMAGE, 32, None),  # a click without a drag
        ((50, 50, 90, 50.2), IMAGE, 32, None),  # no height left after rounding
        ((700, 10, 800, 50), IMAGE, 32, None),  # drawn off the image
    ],
)
def test_clamp_region(
    box: tuple[float, ...], image_size: tuple[int, int], min_size: int, region: Region | None
) -> None:
    assert clamp_region(box, image_size, min_size) == region


@pytest.mark.parametrize(
    ("box", "image_size", "min_size", "message"),
    [
        ((1, 2, 3), IMAGE, 32, "region must be 4 finite numbers [x1, y1, x2, y2], got (1, 2, 3)"),
        ((1, 2, 3, math.nan), IMAGE, 32, "region must be 4 finite numbers"),
        ((1, 2, "3", 4), IMAGE, 32, "region must be 4 finite numbers"),
        ((1, 2, 3, 4), (0, 10), 32, "image size must be two positive integers, got (0, 10)"),
        ((1, 2, 3, 4), IMAGE, 0, "min_size must be at least 1, got 0"),
    ],
)
def test_clamp_region_rejects_bad_input(
    box: Any, image_size: tuple[int, int], min_size: int, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        clamp_region(box, image_size, min_size)


@pytest.mark.parametrize(
    ("bbox", "image_size", "region", "pixels"),
    [
        ([100, 200, 500, 750], IMAGE, None, (64, 96, 320, 360)),
        ([500, 750, 100, 200], IMAGE, None, (64, 96, 320, 360)),  # corners ordered
        ([0, 0, 1000, 1000], IMAGE, Region(100, 50, 300, 250), (100, 50, 300, 250)),  # the crop
        ([250, 500, 750, 1000], IMAGE, Region(100, 50, 300, 250), (150, 150, 250, 250)),
        ([500, 0, 1000, 500], IMAGE, Region(320, 0, 640, 240), (480, 0, 640, 120)),
        ([-20, 0, 1100, 1000], IMAGE, None, (0, 0, 640, 480)),  # past 0–1000: clamped
        ([333, 333, 667, 667], (100, 100), None, (33, 33, 67, 67)),  # rounded
        ([1, 1, 999, 999], (1001, 3), None, (1, 0, 1000, 3)),
    ],
)
def test_bbox_to_pixels(
    bbox: list[float],
    image_size: tuple[int, int],
    region: Region | None,
    pixels: tuple[int, int, int, int],
) -> None:
    assert bbox_to_pixels(bbox, image_size, region) == pixels


def test_bbox_to_pixels_rejects_a_malformed_box() -> None:
    with pytest.raises(ValueError, match="bbox_2d must be 4 finite numbers"):
        bbox_to_pixels([1, 2, 3], IMAGE)


@pytest.mark.parametrize(
    ("region", "image_size", "bbox"),
    [
        (Region(64, 96, 320, 360), IMAGE, (100, 200, 500, 750)),
        (Region(0, 0, 640, 480), IMAGE, (0, 0, 1000, 1000)),
        (Region(1, 1, 2, 2), (3, 3), (333, 333, 667, 667)),
    ],
)
def test_pixels_to_bbox(
    region: Region, image_size: tuple[int, int], bbox: tuple[int, int, int, int]
) -> None:
    assert pixels_to_bbox(region, image_size) == bbox


def test_region_sizes_and_validation() -> None:
    region = Region(10, 20, 110, 70)
    assert (region.width, region.height, region.as_box()) == (100, 50, (10, 20, 110, 70))
    with pytest.raises(ValueError, match=r"region \(5, 5, 5, 10\) has no area"):
        Region(5, 5, 5, 10)


@pytest.mark.parametrize(
    ("bbox", "problem"),
    [
        ([0, 0, 1000, 1000], ""),
        ([10, 40, 5, 20], ""),  # reversed corners still enclose an area
        ([10.5, 20, 30.25, 40], ""),
        ([10, 10, 10, 20], "has no area"),
        ([0, 0, 1001, 5], "is outside 0–1000"),
        ([-1, 0, 5, 5], "is outside 0–1000"),
        ([1, 2, 3], "is not a list of 4 numbers"),
        ([1, 2, 3, "4"], "is not a list of 4 numbers"),
        ([True, 0, 5, 5], "is not a list of 4 numbers"),
        ([0, 0, math.inf, 5], "is not a list of 4 numbers"),
        (None, "is not a list of 4 numbers"),
    ],
)
def test_bbox_problem_and_validity(bbox: Any, problem: str) -> None:
    assert bbox_problem(bbox) == problem
    assert is_valid_bbox(bbox) is (problem == "")


SCREENSHOT = {
    "issues": [{"kind": "truncation", "description": "cut", "bbox_2d": [1, 2, 3, 4]}],
    "elements": [{"label": "button", "text": "OK", "bbox_2d": [5, 6, 7, 8]}],
}


@pytest.mark.parametrize(
    ("value", "boxes"),
    [
        (SCREENSHOT, [("truncation", [1, 2, 3, 4]), ("button", [5, 6, 7, 8])]),
        ({"value": 7.4, "bbox_2d": [10, 20, 30, 40]}, [("7.4", [10, 20, 30, 40])]),
        (
            {"value": 7.4, "unit": "bar", "bbox_2d": [10, 20, 30, 40]},
            [("7.4 bar", [10, 20, 30, 40])],
        ),
        ({"value": "high", "bbox_2d": [10, 20, 30, 40]}, [("$.bbox_2d", [10, 20, 30, 40])]),
        (
            [
                {"bbox_2d": [1, 1, 2, 2], "label": "cat"},
                {"bbox_2d": [3, 3, 4, 4], "text": "  "},
                {"bbox_2d": [5, 5, 6, 6], "name": "dog", "kind": "pet"},
            ],
            [("cat", [1, 1, 2, 2]), ("$[1].bbox_2d", [3, 3, 4, 4]), ("pet", [5, 5, 6, 6])],
        ),
        ({"a": {"bbox_2d": [1, 2, 3]}, "b": {"bbox_2d": None}}, []),  # left to validation
        (42, []),
    ],
)
def test_find_boxes(value: Any, boxes: list[tuple[str, list[float]]]) -> None:
    assert find_boxes(value) == boxes


def test_bbox_fields_reports_every_bbox_key_with_its_owner() -> None:
    owner = {"bbox_2d": None, "label": "x"}
    assert bbox_fields({"rows": [{}, {"cell": owner}]}) == [("$.rows[1].cell.bbox_2d", owner)]
