"""The eval harness end to end on the tiny model: results.jsonl, the figures, the reports.

The golden set is drawn here with PIL. The tiny model's words are noise: the tests assert on
shapes, counts and errors, never on what it says.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from workbench.cli import eval as cli_eval
from workbench.cli.eval import run_eval
from workbench.eval.expectations import Expectation
from workbench.eval.golden import LEVELS, load_cases
from workbench.eval.report import summary, write_reports
from workbench.eval.run import (
    EXAMPLE_LEVELS,
    RESULTS_FILE,
    examples_as_cases,
    expectation_json,
    model_runs,
    run_set,
)
from workbench.prompts.presets import load_all

MAX_NEW_TOKENS = 16
TURN_KEYS = {
    "question",
    "answer",
    "parsed",
    "kind",
    "expect",
    "passed",
    "reason",
    "schema_valid",
    "checks",
    "evidence",
    "boxes",
    "tokens",
    "latency_s",
    "repairs",
    "confidence",
}
CASES = [
    {
        "id": "receipt-json",
        "image": "receipt.png",
        "tab": "receipts",
        "preset": "Extract all fields",
        "level": "L1",
        "expect": {"json": {"total": 22.23}},
    },
    {
        "id": "receipt-total",
        "image": "receipt.png",
        "tab": "receipts",
        "question": "What is the total?",
        "level": "L1",
        "expect": {"number": 22.23, "tolerance": 0.01},
    },
    {
        "id": "gauge",
        "image": "gauge.png",
        "tab": "gauges",
        "preset": "Read the value",
        "level": "L1",
        "expect": {"interval": [6, 7], "unit": "bar"},
    },
    {
        "id": "login-two-turns",
        "image": "login.png",
        "tab": "screenshots",
        "preset": "Find layout defects",
        "level": "L2",
        "turns": [
            {"expect": {"regex": "(?i)pasword"}},
            {"question": "What does the button say?", "expect": {"text": "Sign in"}},
        ],
    },
    {
        "id": "homework",
        "image": "homework.png",
        "tab": "homework",
        "question": "Is 3 + 4 = 8 right? Say correct or incorrect.",
        "level": "L3",
        "expect": {"verdict": "incorrect"},
    },
    {
        "id": "broken",
        "image": "broken.png",
        "tab": "receipts",
        "question": "What is the total?",
        "level": "L1",
        "expect": {"text": "22.23", "match": "contains"},
    },
]


def _draw_set(folder: Path) -> Path:
    """Write a small golden set: four drawn images, one broken file, and cases.jsonl."""
    folder.mkdir(parents=True, exist_ok=True)
    receipt = Image.new("RGB", (240, 320), "white")
    draw = ImageDraw.Draw(receipt)
    for row, text in enumerate(("CORNER SHOP", "MILK 2.99", "BREAD 3.79", "TOTAL 22.23")):
        draw.text((20, 30 + 50 * row), text, fill="black", font_size=20)
    receipt.save(folder / "receipt.png")
    gauge = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(gauge)
    draw.ellipse((20, 20, 220, 220), outline="black", width=4)
    draw.line((120, 120, 190, 70), fill="red", width=4)
    draw.text((95, 170), "6.4 bar", fill="black", font_size=18)
    gauge.save(folder / "gauge.png")
    login = Image.new("RGB", (320, 240), "#f4f4f4")
    draw = ImageDraw.Draw(login)
    draw.text((30, 40), "Pasword", fill="black", font_size=18)
    draw.rectangle((30, 70, 290, 100), outline="gray")
    draw.rectangle((60, 150, 200, 185), fill="#2a6df4")
    draw.text((95, 157), "Sign in", fill="white", font_size=18)
    login.save(folder / "login.png")
    homework = Image.new("RGB", (280, 160), "white")
    ImageDraw.Draw(homework).text((30, 60), "3 + 4 = 8", fill="black", font_size=28)
    homework.save(folder / "homework.png")
    (folder / "broken.png").write_bytes(b"not an image at all")
    lines = [json.dumps(case, ensure_ascii=False) for case in CASES]
    (folder / "cases.jsonl").write_text("# drawn by tests/test_evaluate.py\n" + "\n".join(lines))
    return folder


def _perturbed_tiny(cache_dir: Path, target: Path) -> Path:
    """Return a copy of the tiny model with noise added to its weights: a second model.

    workbench.engines.tiny builds with a fixed seed and takes none, so the copy is changed here.
    """
    import torch
    from safetensors.torch import load_file, save_file

    from workbench.engines import tiny

    shutil.copytree(tiny.ensure_tiny_model(cache_dir), target)
    weights = target / "model.safetensors"
    tensors = load_file(weights)
    generator = torch.Generator().manual_seed(1)
    for name, tensor in tensors.items():
        if tensor.is_floating_point():
            noise = torch.randn(tensor.shape, generator=generator, dtype=torch.float32)
            tensors[name] = tensor + (0.05 * noise).to(tensor.dtype)
    save_file(tensors, weights, metadata={"format": "pt"})
    return target


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _draw_set(tmp_path_factory.mktemp("golden"))


@pytest.fixture(scope="module")
def single(tiny_session, golden: Path, tmp_path_factory: pytest.TempPathFactory):
    """Return (out folder, result lines, progress calls) of the set on the tiny model."""
    out = tmp_path_factory.mktemp("single")
    calls: list[tuple[int, int, str]] = []
    cases = load_cases(golden, presets=load_all())
    lines = run_set(
        cases,
        tiny_session,
        out_dir=out,
        progress=lambda done, total, line: calls.append((done, total, line["id"])),
        max_new_tokens=MAX_NEW_TOKENS,
    )
    write_reports(lines, out, ["tiny"])
    return out, lines, calls


@pytest.fixture(scope="module")
def compared(tiny_session, golden: Path, cache_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Return (out folder, result lines) of three cases on the tiny model and a perturbed one."""
    from workbench.session import ModelSession
    from workbench.settings import Settings

    model = _perturbed_tiny(cache_dir, tmp_path_factory.mktemp("model") / "tiny-b")
    other = ModelSession(Settings(model=str(model), cache_dir=cache_dir))
    out = tmp_path_factory.mktemp("compare")
    cases = load_cases(golden)
    lines = run_set(
        cases,
        tiny_session,
        out_dir=out,
        compare_session=other,
        limit=3,
        max_new_tokens=MAX_NEW_TOKENS,
    )
    write_reports(lines, out, ["tiny", "tiny-b"])
    return out, lines


def test_results_have_a_line_per_case(single: tuple[Path, list, list]) -> None:
    out, lines, calls = single
    written = [json.loads(line) for line in (out / RESULTS_FILE).read_text().splitlines()]
    assert written == lines
    assert [line["id"] for line in lines] == [case["id"] for case in CASES]
    assert calls == [(n, len(CASES), case["id"]) for n, case in enumerate(CASES, start=1)]
    for line in lines:
        assert line["model"] == "tiny"
        assert line["passed"] == (line["error"] is None and all(t["passed"] for t in line["turns"]))
        assert all(set(turn) == TURN_KEYS for turn in line["turns"])


def test_turns_are_asked_as_the_tabs_ask(single: tuple[Path, list, list]) -> None:
    lines = {line["id"]: line for line in single[1]}
    structured = lines["receipt-json"]["turns"][0]
    assert structured["kind"] == "json"
    assert structured["expect"] == {"json": {"total": 22.23}}
    assert isinstance(structured["schema_valid"], bool)  # a preset with a schema
    assert structured["evidence"] is not None
    assert 1 <= structured["tokens"] <= MAX_NEW_TOKENS * 2  # a repair turn at most
    free = lines["receipt-total"]["turns"][0]
    assert free["schema_valid"] is None and free["parsed"] is None and free["checks"] == []
    assert free["expect"] == {"number": 22.23, "tolerance": 0.01}
    two = lines["login-two-turns"]
    assert two["error"] is None and len(two["turns"]) == two["turn_count"] == 2
    first, follow_up = two["turns"]
    assert first["question"]  # the preset's own question
    assert first["schema_valid"] is not None
    assert follow_up["question"] == "What does the button say?"
    assert follow_up["schema_valid"] is None  # a follow-up is free text, as in the tab
    assert lines["gauge"]["turns"][0]["expect"] == {"interval": [6, 7], "unit": "bar"}


def test_a_broken_image_is_a_failed_line_and_the_run_goes_on(single: tuple) -> None:
    lines = single[1]
    broken = next(line for line in lines if line["id"] == "broken")
    assert broken["passed"] is False and broken["turns"] == []
    assert "broken.png" in broken["error"]
    assert all(line["error"] is None for line in lines if line["id"] != "broken")


def _cell_totals(figures: dict[str, Any]) -> None:
    """Assert the accuracy table adds up: tabs to their row, levels to the whole."""
    accuracy = figures["accuracy"]
    for level in (*LEVELS, "all"):
        cells = accuracy[level]
        for share in cells.values():
            assert 0 <= share["count"] <= share["total"]
        tabs = [tab for tab in cells if tab != "all"]
        assert sum(cells[tab]["total"] for tab in tabs) == cells["all"]["total"]
        assert sum(cells[tab]["count"] for tab in tabs) == cells["all"]["count"]
    assert (
        sum(accuracy[level]["all"]["total"] for level in LEVELS) == accuracy["all"]["all"]["total"]
    )
    assert (
        sum(accuracy[level]["all"]["count"] for level in LEVELS) == accuracy["all"]["all"]["count"]
    )


def test_the_figures_add_up(single: tuple) -> None:
    lines = single[1]
    figures = summary(lines)
    json.dumps(figures)  # JSON-ready
    assert figures["cases"] == len(CASES) and "disagreements" not in figures
    (model,) = figures["models"]
    _cell_totals(model)
    all_cases = model["accuracy"]["all"]["all"]
    assert all_cases["total"] == len(CASES)
    assert all_cases["count"] == sum(line["passed"] for line in lines)
    assert model["accuracy"]["L1"]["all"]["total"] == 4
    assert model["accuracy"]["L2"]["screenshots"]["total"] == 1
    assert model["accuracy"]["L3"]["homework"]["total"] == 1
    assert model["errors"] == 1
    assert model["retention"]["cases"] == 1
    assert model["schema_valid"]["total"] == 3  # the three first turns under a schema
    assert model["median_latency_s"] > 0 and model["median_tokens"] >= 1
    assert 0 <= model["not_on_image"]["count"] <= model["not_on_image"]["total"]


def test_the_reports_are_written(single: tuple) -> None:
    out = single[0]
    markdown = (out / "report.md").read_text()
    page = (out / "report.html").read_text()
    for heading in ("Accuracy by level and tab", "Figures", "Failures"):
        assert f"## {heading}" in markdown and f"<h2>{heading}</h2>" in page
    assert markdown.index("Accuracy by level") < markdown.index("Schema-valid answers")
    for row in ("| L1 |", "| L2 |", "| L3 |", "| All levels |", "Multi-turn retention"):
        assert row in markdown
    assert "Median latency per turn" in page and "Values not on the image" in page
    assert "<style>" in page and "<link" not in page and "<script" not in page
    assert "data:image/jpeg;base64," in page  # each failure shows its image
    assert "could not run" in markdown  # the broken image


def test_the_html_escapes_what_the_model_said(tmp_path: Path, single: tuple) -> None:
    lines = json.loads(json.dumps(single[1]))
    line = next(line for line in lines if line["turns"])
    line["passed"] = False
    line["turns"][0]["answer"] = "<script>alert(1)</script>"
    line["turns"][0]["reason"] = "a <b>reason</b> | with a pipe"
    _, page = write_reports([line], tmp_path, ["<tiny>"])
    text = page.read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text and "&lt;b&gt;" in text
    assert "with a pipe" in (tmp_path / "report.md").read_text()


def test_compare_mode_has_two_columns_and_the_disagreements(compared: tuple) -> None:
    out, lines = compared
    assert len(lines) == 3  # the limit
    for line in lines:
        a, b = model_runs(line)
        assert "model" not in line and "passed" not in line
        assert a["model"] == "tiny" and b["model"] != "tiny"
        assert len(a["turns"]) == len(b["turns"]) == line["turn_count"]
        assert line["agree"] == (a["passed"] == b["passed"])
    figures = summary(lines)
    assert len(figures["models"]) == 2
    for model in figures["models"]:
        _cell_totals(model)
        assert model["accuracy"]["all"]["all"]["total"] == 3
    assert [item["id"] for item in figures["disagreements"]] == [
        line["id"] for line in lines if not line["agree"]
    ]
    markdown = (out / "report.md").read_text()
    assert "A = tiny, B = tiny-b" in markdown
    header = next(row for row in markdown.splitlines() if row.startswith("| Level"))
    assert "receipts · A" in header and "receipts · B" in header and "All · B" in header
    assert "| Figure | A · tiny | B · tiny-b |" in markdown
    assert "## Where the models disagree" in markdown
    assert "Where the models disagree" in (out / "report.html").read_text()


def test_examples_load_as_a_golden_set(cache_dir: Path) -> None:
    cases = examples_as_cases(cache_dir / "examples")
    assert cases and len({case.id for case in cases}) == len(cases)
    for case in cases:
        assert case.image.is_file() and case.level == EXAMPLE_LEVELS[case.tab]
        assert len(case.turns) == 1 and case.turns[0].question
    kinds = {case.tab: case.turns[0].expect.kind for case in cases}
    assert kinds["homework"] == "verdict" and kinds["gauges"] == "json"
    gauge = next(case for case in cases if case.tab == "gauges").turns[0].expect
    assert "confidence" not in gauge.value and "value" in gauge.value


@pytest.mark.parametrize(
    ("expect", "written"),
    [
        (Expectation("text", "Sign in"), {"text": "Sign in", "match": "exact"}),
        (
            Expectation("number", 6.4, tolerance=0.1, unit="bar"),
            {"number": 6.4, "tolerance": 0.1, "unit": "bar"},
        ),
        (Expectation("number", 6.4), {"number": 6.4}),
        (Expectation("interval", (1, 2)), {"interval": [1, 2]}),
        (Expectation("verdict", "correct"), {"verdict": "correct"}),
    ],
)
def test_expectation_json(expect: Expectation, written: dict[str, Any]) -> None:
    assert expectation_json(expect) == written


def _args(**given: Any) -> argparse.Namespace:
    values = dict(
        set_dir=None,
        examples=False,
        compare_model=None,
        out=None,
        limit=None,
        max_new_tokens=MAX_NEW_TOKENS,
        json=True,
        model="tiny",
    )
    from workbench.prompts.presets import PRESETS_DIR

    values["presets_dir"] = PRESETS_DIR
    return argparse.Namespace(**{**values, **given})


def test_a_broken_golden_set_stops_before_any_model_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def no_model(*_: Any) -> None:
        raise AssertionError("a model session was made")

    monkeypatch.setattr(cli_eval, "ModelSession", no_model)
    (tmp_path / "cases.jsonl").write_text('{"id": "x", "image": "missing.png"}\n')
    code = run_eval(_args(set_dir=tmp_path, out=tmp_path / "out"))
    assert code == 2
    error = capsys.readouterr().err
    assert "cases.jsonl line 1: image: file not found: missing.png" in error
    assert not (tmp_path / "out").exists()
    assert run_eval(_args(out=tmp_path / "out")) == 2  # nothing to run
    assert run_eval(_args(set_dir=tmp_path / "nowhere", out=tmp_path / "out")) == 2


def test_the_command_prints_the_summary(
    golden: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = run_eval(_args(set_dir=golden, out=tmp_path, limit=1))
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["cases"] == 1 and printed["models"][0]["model"] == "tiny"
    assert {path.name for path in tmp_path.iterdir()} == {RESULTS_FILE, "report.md", "report.html"}


def _turn(passed: bool, **given: Any) -> dict[str, Any]:
    turn = dict.fromkeys(TURN_KEYS)
    turn.update(passed=passed, schema_valid=None, checks=[], evidence=None, boxes=[])
    turn.update(tokens=10, latency_s=1.0, answer="", question="q", expect={}, reason="r")
    return {**turn, **given}


def _line(case_id: str, level: str, *runs: list[dict[str, Any]], turn_count: int = 1) -> dict:
    head = {"id": case_id, "tab": "gauges", "level": level, "turn_count": turn_count}
    head.update(image="x.png", page=None, image_size=None, preset=None)
    made = [
        {"model": name, "passed": bool(turns) and all(t["passed"] for t in turns), "error": None}
        | {"turns": turns}
        for name, turns in zip("ab", runs, strict=False)
    ]
    if len(made) == 1:
        return head | made[0]
    return head | {"a": made[0], "b": made[1], "agree": made[0]["passed"] == made[1]["passed"]}


def test_summary_of_known_lines() -> None:
    evidence = {"found": 3, "total": 4}
    checks = [{"name": "gauge", "ok": True}, {"name": "gauge", "ok": False}]
    lines = [
        _line("one", "L1", [_turn(True, schema_valid=True, evidence=evidence, checks=checks)]),
        _line("two", "L2", [_turn(True), _turn(False), _turn(True)], turn_count=3),
        _line("three", "L2", [_turn(False, schema_valid=False, tokens=30, latency_s=3.0)]),
    ]
    (model,) = summary(lines)["models"]
    assert model["accuracy"]["L2"]["gauges"] == {"count": 0, "total": 2, "percent": 0.0}
    assert model["accuracy"]["all"]["all"] == {"count": 1, "total": 3, "percent": 33.3}
    assert model["schema_valid"] == {"count": 1, "total": 2, "percent": 50.0}
    assert model["checks_passed"] == {"count": 1, "total": 2, "percent": 50.0}
    assert model["not_on_image"] == {"count": 1, "total": 4, "percent": 25.0}
    assert model["retention"] == {"value": 0.5, "cases": 1}
    assert (model["median_tokens"], model["median_latency_s"]) == (10, 1.0)


def test_a_follow_up_never_reached_counts_against_retention() -> None:
    lines = [_line("cut", "L1", [_turn(True)], turn_count=2)]
    assert summary(lines)["models"][0]["retention"] == {"value": 0.0, "cases": 1}


def test_disagreements_are_listed(tmp_path: Path) -> None:
    lines = [
        _line("same", "L1", [_turn(True)], [_turn(True)]),
        _line("differ", "L3", [_turn(True)], [_turn(False)]),
    ]
    figures = summary(lines)
    assert figures["disagreements"] == [
        {"id": "differ", "tab": "gauges", "level": "L3", "passed": [True, False]}
    ]
    markdown, _ = write_reports(lines, tmp_path, ["m1", "m2"])
    assert "| differ | gauges | L3 | passed | failed |" in markdown.read_text()


# ---------------------------------------------------------------- the report in the Evaluate tab


@pytest.fixture(scope="module")
def report_root(single: tuple, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a results root: the tiny model's run ("tiny"), a hand-written two-model run with
    per-value confidence from a review ("review"), an empty one and one of other JSON lines."""
    from tests.test_charts import RESULTS

    root = tmp_path_factory.mktemp("reports")
    shutil.copytree(single[0], root / "tiny")
    for name, lines in (("review", RESULTS), ("empty", []), ("other", [{"id": 1}, [2]])):
        (root / name).mkdir()
        text = "".join(json.dumps(line) + "\n" for line in lines)
        (root / name / RESULTS_FILE).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report_url(app_context, report_root: Path):
    import gradio as gr

    from tabs import evaluate as evaluate_tab
    from tests.conftest import launch_blocks

    with gr.Blocks() as app, gr.Tab("Evaluate"):
        evaluate_tab.build(replace(app_context, results_root=report_root))
    yield launch_blocks(app, app_context)
    app.close()


def _report(url: str, folder: str | None) -> tuple:
    """Return what "Show report" shows: the status, three plots, the tables (the panel is a
    layout block: the client leaves it out)."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False)
    return client.predict(folder, api_name="/grading_report")


def _plotted(plot: dict | None) -> list[dict[str, Any]]:
    """Return a plot's rows as {column: value} (none for a hidden, empty plot)."""
    if not plot or not plot.get("value"):
        return []
    value = plot["value"]
    return [dict(zip(value["columns"], row, strict=True)) for row in value["data"]]


def test_the_report_of_a_run_shows_its_charts_and_tables(single: tuple, report_url: str) -> None:
    status, accuracy, calibration, agreement, tables = _report(report_url, "tiny")
    lines = single[1]
    assert status.startswith(f"{len(CASES)} cases · tiny")
    bars = _plotted(accuracy)
    overall = next(bar for bar in bars if bar["cell"] == "All levels · all tabs")
    assert overall["passed"] == f"{sum(line['passed'] for line in lines)}/{len(CASES)}"
    cells = {(line["level"], line["tab"]) for line in lines}
    assert len(bars) == len(cells) + len(LEVELS) + len({tab for _, tab in cells}) + 1
    assert all(0 <= bar["percent"] <= 100 for bar in bars)
    assert _plotted(agreement) == []  # not a golden set from a review
    assert "## Accuracy by level and tab" in tables and "| All levels |" in tables
    judged = [
        value
        for line in lines
        for run in model_runs(line)
        for value in (run.get("confidence") or {}).get("values") or []
        if value.get("right") is not None
    ]
    points = [point for point in _plotted(calibration) if point["values"] is not None]
    assert sum(point["values"] for point in points) == len(judged)  # each value in one band
    assert ("no calibration chart" in status) == (not judged)


def test_the_report_of_a_reviewed_run_has_calibration_and_agreement(report_url: str) -> None:
    status, accuracy, calibration, agreement, tables = _report(report_url, "review")
    assert status == "4 cases · A = big, B = small"
    bars = [(bar["cell"], bar["model"], bar["percent"]) for bar in _plotted(accuracy)]
    assert bars[:2] == [
        ("L1 · receipts · A", "A · big", 50.0),
        ("L1 · receipts · B", "B · small", 0.0),
    ]
    points = [
        (p["model"], p["confidence"], p["percent"], p["values"]) for p in _plotted(calibration)
    ]
    assert ("A · big", 0.9, 66.7, 3) in points and ("B · small", 0.7, 100.0, 1) in points
    assert ("accuracy = confidence", 1.0, 100.0, None) in points  # the diagonal's end
    assert len(points) == 3 + 4 + 2  # the bands with values, per model, and the diagonal
    fields = [(bar["field"], bar["agreed"]) for bar in _plotted(agreement)]
    assert fields == [
        ("items[].amount · A", "1/2"),
        ("items[].amount · B", "1/2"),
        ("total · A", "1/2"),
        ("total · B", "1/2"),
    ]
    assert "## Values right per confidence band" in tables
    assert "## Agreement with the reviewers" in tables


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        (None, "Pick a results folder"),
        ("../elsewhere", "not one of the results folders"),
        ("empty", "has no results yet"),
        ("other", "cannot be charted"),
    ],
)
def test_a_report_that_cannot_be_shown_says_why(report_url: str, folder: str, said: str) -> None:
    status, accuracy, calibration, agreement, tables = _report(report_url, folder)
    assert said in status and tables == ""
    assert _plotted(accuracy) == _plotted(calibration) == _plotted(agreement) == []
    assert "cases" in _report(report_url, "review")[0]  # the app still serves
