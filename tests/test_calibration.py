"""Calibration measures over scored values: AUROC, accuracy per band and per level, exact."""

from __future__ import annotations

import pytest

from workbench.eval.calibration import at_or_above, auroc, by_band, by_level


@pytest.mark.parametrize(
    ("scores", "rights", "expected"),
    [
        ([0.9, 0.8, 0.2], [True, True, False], 1.0),  # every right above every wrong
        ([0.1, 0.9], [True, False], 0.0),  # the wrong one on top
        ([0.5, 0.5], [True, False], 0.5),  # a tie counts half
        ([0.9, 0.6, 0.6, 0.1], [True, True, False, False], 0.875),  # (2 + 1.5) / 4
        ([0.9, 0.4, 0.7, 0.3], [True, False, None, None], 1.0),  # None left out
        ([0.9, 0.8], [True, True], None),  # no wrong value: nothing to rank
        ([], [], None),
    ],
)
def test_auroc(scores, rights, expected):
    assert auroc(scores, rights) == expected


def test_auroc_needs_a_right_for_each_score():
    with pytest.raises(ValueError, match="3 scores but 2 rights"):
        auroc([0.1, 0.2, 0.3], [True, False])


VALUES = [
    {"score": 0.95, "level": "high", "right": True},
    {"score": 0.85, "level": "high", "right": False},
    {"score": 1.0, "level": "high", "right": True},  # the top of the last band is in it
    {"score": 0.6, "level": "check", "right": True},
    {"score": 0.4, "level": "low", "right": False},
    {"score": 0.2, "level": "low", "right": None},  # the golden set says nothing: left out
]


def test_by_band_counts_each_band_and_leaves_empty_ones_without_accuracy():
    assert by_band(VALUES, [(0.0, 0.5), (0.5, 0.8), (0.8, 1.0)]) == [
        {"band": [0.0, 0.5], "count": 1, "right": 0, "accuracy": 0.0},
        {"band": [0.5, 0.8], "count": 1, "right": 1, "accuracy": 1.0},
        {"band": [0.8, 1.0], "count": 3, "right": 2, "accuracy": 0.6667},
    ]
    assert by_band([], [(0.0, 1.0)]) == [
        {"band": [0.0, 1.0], "count": 0, "right": 0, "accuracy": None}
    ]


def test_by_level_gives_every_level_best_first():
    assert by_level(VALUES) == {
        "high": {"count": 3, "right": 2, "accuracy": 0.6667},
        "check": {"count": 1, "right": 1, "accuracy": 1.0},
        "low": {"count": 1, "right": 0, "accuracy": 0.0},
    }
    assert list(by_level([])) == ["high", "check", "low"]


def test_at_or_above_gathers_each_level_and_the_better_ones():
    assert at_or_above(VALUES) == {
        "high": {"count": 3, "right": 2, "accuracy": 0.6667},
        "check": {"count": 4, "right": 3, "accuracy": 0.75},
        "low": {"count": 5, "right": 3, "accuracy": 0.6},
    }
