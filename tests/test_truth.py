"""Expected vs got, field by field: tolerances, strings, boxes, lists, missing fields."""

from __future__ import annotations

import pytest

from workbench.eval.truth import Comparison, compare_json

LONG = "Banner title is cut off with an ellipsis; its full text is longer."


@pytest.mark.parametrize(
    ("expected", "got", "comparisons"),
    [
        ({"total": 22.23}, {"total": 22.23}, [("$.total", 22.23, 22.23, "match")]),
        ({"total": 22.23}, {"total": 22.34}, [("$.total", 22.23, 22.34, "match")]),  # 0.5 %
        ({"total": 22.23}, {"total": 22.4}, [("$.total", 22.23, 22.4, "differs")]),
        # 0.5 % of 1000 is 5: the relative tolerance wins for large numbers.
        ({"total": 1000}, {"total": 1004.9}, [("$.total", 1000, 1004.9, "match")]),
        ({"total": 1000}, {"total": 1005.1}, [("$.total", 1000, 1005.1, "differs")]),
        ({"total": 0.5}, {"total": 0.51}, [("$.total", 0.5, 0.51, "match")]),  # 0.01
        ({"total": 0.5}, {"total": 0.52}, [("$.total", 0.5, 0.52, "differs")]),
        ({"total": 5}, {"total": "5"}, [("$.total", 5, "5", "differs")]),
        ({"total": 5}, {}, [("$.total", 5, None, "missing")]),
        ({"total": 5}, None, [("$.total", 5, None, "missing")]),
        ({"ok": True}, {"ok": 1}, [("$.ok", True, 1, "differs")]),
        ({"tax_rate": None}, {"tax_rate": None}, [("$.tax_rate", None, None, "match")]),
        (
            {"merchant": "Fresh  Market"},
            {"merchant": " fresh market"},
            [("$.merchant", "Fresh  Market", " fresh market", "match")],
        ),
        ({"unit": "bar"}, {"unit": "psi"}, [("$.unit", "bar", "psi", "differs")]),
        (
            {"description": LONG},
            {"description": "The title is truncated."},
            [("$.description", LONG, "The title is truncated.", "unscored")],
        ),
        ({"description": LONG}, {}, [("$.description", LONG, None, "missing")]),
        (
            {"bbox_2d": [100, 100, 300, 300]},
            {"bbox_2d": [120, 110, 310, 320]},
            [("$.bbox_2d", [100, 100, 300, 300], [120, 110, 310, 320], "match")],
        ),
        (
            {"bbox_2d": [100, 100, 300, 300]},
            {"bbox_2d": [250, 250, 500, 500]},
            [("$.bbox_2d", [100, 100, 300, 300], [250, 250, 500, 500], "differs")],
        ),
        (
            {"bbox_2d": [100, 100, 300, 300]},
            {"bbox_2d": "top left"},
            [("$.bbox_2d", [100, 100, 300, 300], "top left", "differs")],
        ),
        (
            {"items": [{"qty": 1}, {"qty": 2}]},
            {"items": [{"qty": 1}]},
            [("$.items[0].qty", 1, 1, "match"), ("$.items[1].qty", 2, None, "missing")],
        ),
        ({"items": [{"qty": 1}]}, {"items": "none"}, [("$.items[0].qty", 1, None, "missing")]),
        ({"a b": 1}, {"a b": 1}, [('$["a b"]', 1, 1, "match")]),
    ],
)
def test_each_field_is_compared_by_its_kind(expected, got, comparisons):
    assert compare_json(expected, got) == [Comparison(*row) for row in comparisons]


def test_fields_the_answer_adds_are_not_compared():
    assert compare_json({"a": 1}, {"a": 1, "b": 2}) == [Comparison("$.a", 1, 1, "match")]
