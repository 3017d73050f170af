"""The eval report's charts: the figures from a known results set, and the SVG drawn of them.

Pure: no model, no Gradio. The results are written here by hand, with per-value confidence
(`{"at", "score", "level", "right"}`) and cases that came from a review.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from workbench.eval.charts import BANDS, band_name, figures
from workbench.eval.report import summary, write_reports
from workbench.eval.report_html import report_charts
from workbench.eval.svg import bar_chart, calibration_chart

SVG = "{http://www.w3.org/2000/svg}"


def _value(at: str, score: float, right: bool | None) -> dict[str, Any]:
    level = "high" if score >= 0.8 else "check" if score >= 0.5 else "low"
    return {"at": at, "score": score, "level": level, "right": right}


def _run(model: str, passed: bool, values: list[dict[str, Any]]) -> dict[str, Any]:
    turn = {"passed": passed, "schema_valid": None, "checks": [], "evidence": None, "boxes": []}
    turn |= {"tokens": 5, "latency_s": 0.5, "question": "q", "answer": "a", "expect": {}}
    turn |= {"reason": "r"}
    return {"model": model, "passed": passed, "error": None, "turns": [turn]} | {
        "confidence": {"threshold": None, "values": values}
    }


def _line(case: str, tab: str, level: str, a: dict, b: dict, source: str | None = None) -> dict:
    head = {"id": case, "tab": tab, "level": level, "turn_count": 1, "image": "x.png"}
    head |= {"page": None, "image_size": None, "preset": "Extract all fields"}
    if source:
        head["source"] = source
    return head | {"a": a, "b": b, "agree": a["passed"] == b["passed"]}


# Four cases, two models. Model A's values: 0.95 right, 0.9 right, 0.85 wrong (0.8–1.0: 2 of 3),
# 0.3 wrong, 0.1 wrong and one the golden set says nothing about (right null: left out).
RESULTS = [
    _line(
        "r1",
        "receipts",
        "L1",
        _run("big", True, [_value("total", 0.95, True), _value("items[0].amount", 0.3, False)]),
        _run("small", False, [_value("total", 0.5, False), _value("items[0].amount", 0.7, True)]),
        source="review",
    ),
    _line(
        "r2",
        "receipts",
        "L1",
        _run("big", False, [_value("total", 0.85, False), _value("items[1].amount", 0.9, True)]),
        _run("small", False, [_value("total", 1.0, True), _value("items[1].amount", 0.2, False)]),
        source="review",
    ),
    _line(
        "g1",
        "gauges",
        "L1",
        _run("big", True, [_value("value", 0.1, False), _value("unit", 0.99, None)]),
        _run("small", True, []),
    ),
    _line("s1", "screenshots", "L2", _run("big", True, []), _run("small", False, [])),
]


@pytest.fixture(scope="module")
def drawn() -> dict[str, list[dict[str, Any]]]:
    return figures(summary(RESULTS), RESULTS)


def test_accuracy_rows_are_the_reports_cells(drawn: dict) -> None:
    rows = {(r["label"], r["level"], r["tab"]): r for r in drawn["accuracy"]}
    assert rows["A", "L1", "receipts"] == {
        "model": "big",
        "label": "A",
        "level": "L1",
        "tab": "receipts",
        "count": 1,
        "total": 2,
        "percent": 50.0,
    }
    assert rows["B", "all", "all"]["count"] == 1 and rows["B", "all", "all"]["total"] == 4
    assert rows["A", "L2", "screenshots"]["percent"] == 100.0
    assert ("A", "L2", "receipts") not in rows  # an empty cell has no bar
    assert len(drawn["accuracy"]) == 2 * 9  # L1: 2 tabs + all, L2: 1 + all, all: 3 + all


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        # (band, count, right, percent) per band
        (
            "A",
            [
                ("0.0–0.2", 1, 0, 0.0),
                ("0.2–0.4", 1, 0, 0.0),
                ("0.4–0.6", 0, 0, None),
                ("0.6–0.8", 0, 0, None),
                ("0.8–1.0", 3, 2, 66.7),
            ],
        ),
        (
            "B",
            [
                ("0.0–0.2", 0, 0, None),
                ("0.2–0.4", 1, 0, 0.0),  # 0.2 opens its band
                ("0.4–0.6", 1, 0, 0.0),
                ("0.6–0.8", 1, 1, 100.0),
                ("0.8–1.0", 1, 1, 100.0),  # 1.0 closes the last band
            ],
        ),
    ],
)
def test_calibration_counts_values_per_band(drawn: dict, label: str, expected: list) -> None:
    rows = [row for row in drawn["calibration"] if row["label"] == label]
    assert [(r["band"], r["count"], r["right"], r["percent"]) for r in rows] == expected
    assert [(r["low"], r["high"]) for r in rows] == list(BANDS)


def test_agreement_is_per_field_of_reviewed_cases_only(drawn: dict) -> None:
    rows = [
        (r["label"], r["field"], r["count"], r["agree"], r["percent"]) for r in drawn["agreement"]
    ]
    assert rows == [
        ("A", "items[].amount", 2, 1, 50.0),
        ("A", "total", 2, 1, 50.0),
        ("B", "items[].amount", 2, 1, 50.0),
        ("B", "total", 2, 1, 50.0),
    ]  # g1's "value" is not from a review
    disagreements = {(r["label"], r["field"]): r["disagreements"] for r in drawn["agreement"]}
    assert disagreements == {
        ("A", "items[].amount"): ["r1"],
        ("A", "total"): ["r2"],
        ("B", "items[].amount"): ["r2"],
        ("B", "total"): ["r1"],
    }


def test_agreement_per_preset(drawn: dict) -> None:
    rows = [(r["label"], r["preset"], r["count"], r["agree"]) for r in drawn["agreement_presets"]]
    assert rows == [
        ("A", "receipts:Extract all fields", 4, 2),
        ("B", "receipts:Extract all fields", 4, 2),
    ]
    assert drawn["agreement_presets"][0]["disagreements"] == ["r1", "r2"]


def _tallies(*cells: tuple[int, int, float | None]) -> dict[str, dict[str, Any]]:
    """Return {level: {"count", "right", "percent"}} for high, check, low in that order."""
    names = ("high", "check", "low")
    return {
        name: {"count": count, "right": right, "percent": percent}
        for name, (count, right, percent) in zip(names, cells, strict=True)
    }


def test_ranking_gives_the_auroc_and_accuracy_by_level(drawn: dict) -> None:
    a, b = drawn["ranking"]
    # A: right 0.95, 0.9 above every wrong (0.85, 0.3, 0.1); the null value is left out.
    assert (a["label"], a["auroc"], a["right"], a["wrong"]) == ("A", 1.0, 2, 3)
    assert a["levels"] == _tallies((3, 2, 66.7), (0, 0, None), (2, 0, 0.0))
    assert a["at_or_above"] == _tallies((3, 2, 66.7), (3, 2, 66.7), (5, 2, 40.0))
    assert (b["label"], b["auroc"], b["right"], b["wrong"]) == ("B", 1.0, 2, 2)
    assert b["levels"] == _tallies((1, 1, 100.0), (2, 1, 50.0), (1, 0, 0.0))
    assert b["at_or_above"] == _tallies((1, 1, 100.0), (3, 2, 66.7), (4, 2, 50.0))


def _one_model(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    head = {"id": "c", "tab": "receipts", "level": "L1", "turn_count": 1, "image": "x.png"}
    head |= {"page": None, "image_size": None, "preset": "Extract all fields"}
    return [head | _run("solo", True, values)]


@pytest.mark.parametrize(
    ("scored", "auroc"),
    [
        # right 0.6, 0.9 against wrong 0.6, 0.3: 0.6 = 0.6 counts half, the rest win: 3.5 / 4
        ([(0.6, True), (0.6, False), (0.9, True), (0.3, False)], 0.875),
        # the wrong value scores highest: it beats both right ones
        ([(0.95, False), (0.5, True), (0.4, True)], 0.0),
        # no wrong value: nothing to rank
        ([(0.9, True), (0.2, True)], None),
    ],
)
def test_ranking_of_one_model(scored: list[tuple[float, bool]], auroc: float | None) -> None:
    results = _one_model([_value(f"v{n}", score, right) for n, (score, right) in enumerate(scored)])
    (row,) = figures(summary(results), results)["ranking"]
    assert row["auroc"] == auroc and row["label"] == ""
    assert row["right"] + row["wrong"] == len(scored)


def test_the_report_shows_the_auroc_and_accuracy_by_level(tmp_path: Path) -> None:
    markdown, page = write_reports(RESULTS, tmp_path, ["big", "small"])
    text = markdown.read_text(encoding="utf-8")
    assert "## Does confidence rank wrong values below right ones?" in text
    for line in (
        "| Measure | A · big | B · small |",
        "| AUROC (right above wrong) | 1.000 (2 right, 3 wrong) | 1.000 (2 right, 2 wrong) |",
        "| Values at high | 2/3 (66.7%) | 1/1 (100%) |",
        "| Values at check | – | 1/2 (50%) |",
        "| Values at check or above | 2/3 (66.7%) | 2/3 (66.7%) |",
        "| Values at low or above | 2/5 (40%) | 2/4 (50%) |",
    ):
        assert line in text, line
    html = page.read_text(encoding="utf-8")
    assert "Does confidence rank wrong values below right ones?" in html
    assert "<th>Values at low or above</th><td class=n>2/5 (40%)</td>" in html


def test_results_without_confidence_have_no_calibration_or_agreement() -> None:
    plain = json.loads(json.dumps(RESULTS))
    for line in plain:
        for key in ("a", "b"):
            del line[key]["confidence"]
    drawn = figures(summary(plain), plain)
    assert drawn["calibration"] == [] and drawn["agreement"] == [] and drawn["ranking"] == []
    assert [title for title, _ in report_charts(drawn)] == [report_charts(drawn)[0][0]]


@pytest.mark.parametrize(("low", "high", "name"), [(0.0, 0.2, "0.0–0.2"), (0.8, 1.0, "0.8–1.0")])
def test_band_name(low: float, high: float, name: str) -> None:
    assert band_name(low, high) == name


# ---------------------------------------------------------------- SVG


def _bars(svg: str) -> list[ET.Element]:
    return ET.fromstring(svg).findall(f".//{SVG}rect[@class='bar']")


def _texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize(
    "values",
    [[[50.0, 100.0, 25.0]], [[10.0, None, 90.0], [0.0, 33.3, 100.0]], [[None, None, 12.5]]],
)
def test_a_bar_per_value_its_height_in_proportion(values: list[list[float | None]]) -> None:
    groups = [f"g{n}" for n in range(len(values[0]))]
    series = [f"m{n}" for n in range(len(values))]
    svg = bar_chart(groups, series, values, title="t", y_label="y")
    bars = _bars(svg)
    # drawn group by group, a bar per series within each
    given = [row[g] for g in range(len(groups)) for row in values if row[g] is not None]
    assert [float(bar.get("data-value")) for bar in bars] == given
    tallest = max(given)
    top = next(bar for bar in bars if float(bar.get("data-value")) == tallest)
    scale = float(top.get("height")) / tallest
    for bar in bars:
        assert float(bar.get("height")) == pytest.approx(float(bar.get("data-value")) * scale, 0.01)
    bottoms = {round(float(bar.get("y")) + float(bar.get("height")), 1) for bar in bars}
    assert len(bottoms) == 1  # every bar stands on the axis
    for value in given:
        assert f"{value:g}%" in _texts(svg)  # printed on the chart


def _nothing_runs_or_loads(root: ET.Element) -> bool:
    """Return whether no element is a script or link, and no attribute an event, a link or a URL."""
    for node in root.iter():
        if node.tag.split("}")[-1] in {"script", "a", "image", "use", "foreignObject"}:
            return False
        for name, value in node.attrib.items():
            if "href" in name or name.startswith("on") or re.search(r"url\(|:/", value):
                return False
    return True


def test_labels_are_escaped_and_nothing_runs_or_loads() -> None:
    hostile = '<script>alert("x")</script> & "quotes"'
    svg = bar_chart(
        [hostile, "L1\nreceipts"],
        [hostile, "B"],
        [[50.0, 60.0], [70.0, None]],
        title=hostile,
        y_label=hostile,
        notes=[["1/2", "3/5"], ["7/10", ""]],
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert "<script" not in svg and hostile in _texts(svg)
    assert "L1receipts" in _texts(svg)  # a group's name on two lines
    assert _nothing_runs_or_loads(root)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == hostile


def test_the_calibration_chart_has_the_diagonal_and_the_counts() -> None:
    svg = calibration_chart(
        BANDS,
        ["A · big", "B · small"],
        [[0.0, None, 50.0, 75.0, 100.0], [None] * 4 + [80.0]],
        [[2, 0, 4, 4, 9], [0, 0, 0, 0, 5]],
        title="c",
        x_label="confidence",
        y_label="right",
        diagonal="accuracy = confidence",
    )
    root = ET.fromstring(svg)
    diagonal = root.find(f"{SVG}line[@class='diagonal']")
    x1, y1, x2, y2 = (float(diagonal.get(name)) for name in ("x1", "y1", "x2", "y2"))
    assert x2 > x1 and y2 < y1  # from (0, 0 %) up to (1, 100 %)
    bars = _bars(svg)
    assert [float(bar.get("data-value")) for bar in bars] == [0.0, 50.0, 75.0, 100.0, 80.0]
    full = next(bar for bar in bars if bar.get("data-value") == "100")
    assert float(full.get("y")) == pytest.approx(y2) and float(full.get("height")) == y1 - y2
    texts = _texts(svg)
    assert [t for t in texts if t.startswith("n=")] == [
        *("n=2", "n=0", "n=0", "n=0", "n=4"),
        *("n=0", "n=4", "n=0", "n=9", "n=5"),
    ]
    assert "accuracy = confidence" in texts and "confidence" in texts


def test_the_html_report_draws_the_charts_inline(tmp_path: Path) -> None:
    _, page = write_reports(RESULTS, tmp_path, ["big", "small"])
    text = page.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg.*?</svg>", text, re.DOTALL)
    assert len(svgs) == 3
    for svg in svgs:
        assert _nothing_runs_or_loads(ET.fromstring(svg))
    assert (
        "<script" not in text
        and "<link" not in text
        and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Values right per confidence band" in markdown
    assert "| 0.8–1.0 | 2/3 (66.7%) | 1/1 (100%) |" in markdown
    assert "| items[].amount | 1/2 (50%) | 1/2 (50%) | r1 (A), r2 (B) |" in markdown
    # Each disagreement leads to its case's failure.
    assert '<td class=n><a href="#case-r1">r1</a> (A), <a href="#case-r2">r2</a> (B)</td>' in text
    assert all(f'id="case-{case}"' in text for case in ("r1", "r2"))
