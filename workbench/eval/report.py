"""The eval report: figures from `results.jsonl` lines, as JSON, Markdown and one HTML page.

`summary(results)` is JSON-ready: per model, accuracy by level × tab, the share of schema-valid
answers, of domain checks passed, multi-turn retention, the share of values not seen on the
image, median latency and tokens per turn; with two models, the cases where they disagree.
A share is {"count", "total", "percent"} (percent None when total is 0). `write_reports` writes
report.md and report.html (self-contained: inline CSS, the charts of `workbench.eval.charts` as
inline SVG, each failure with a thumbnail of its image and the model's boxes). With per-value
confidence in the results, both show values right per confidence band, the AUROC of confidence
and the accuracy of the values at each level (`workbench.eval.report_confidence`); with cases
from a review, agreement with the reviewers per field.

With human marks (workbench/eval/grading.py: `summary(results, marks)`, or marks.jsonl beside the
results for `write_reports`), an answer's final human mark replaces its automatic score, and
each model says how many turns people graded and what share of those they marked hallucinated.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from workbench.eval.charts import figures
from workbench.eval.golden import LEVELS
from workbench.eval.grading import MARKS_FILE, Mark, final_marks, load_marks, regrade
from workbench.eval.report_confidence import confidence_sections
from workbench.eval.report_html import Row, Section, html_report, report_charts
from workbench.eval.run import model_runs
from workbench.eval.scoring import retention

ALL = "all"
LABELS = ("A", "B")


def summary(
    results: Sequence[dict[str, Any]], marks: Sequence[Mark] | None = None
) -> dict[str, Any]:
    """Return the figures of a run, per model, and (two models) the cases they disagree on;
    with `marks`, scored by the final human mark where an answer has one."""
    if marks is not None:
        results = regrade(results, final_marks(marks))
    count = len(model_runs(results[0])) if results else 1
    models = [_model_summary(results, index) for index in range(count)]
    if marks is not None:
        for index, model in enumerate(models):
            model["human"] = _human(results, index)
    report: dict[str, Any] = {"cases": len(results), "models": models}
    if count == 2:
        report["disagreements"] = [
            {
                "id": line["id"],
                "tab": line["tab"],
                "level": line["level"],
                "passed": [run["passed"] for run in model_runs(line)],
            }
            for line in results
            if line["a"]["passed"] != line["b"]["passed"]
        ]
    return report


def _model_summary(results: Sequence[dict[str, Any]], index: int) -> dict[str, Any]:
    pairs = [(line, model_runs(line)[index]) for line in results]
    turns = [turn for _, run in pairs for turn in run["turns"]]
    tabs = list(dict.fromkeys(line["tab"] for line in results))
    accuracy = {}
    for level in (*LEVELS, ALL):
        chosen = [(line, run) for line, run in pairs if level in (ALL, line["level"])]
        accuracy[level] = {
            tab: _share(
                sum(run["passed"] for line, run in chosen if tab in (ALL, line["tab"])),
                sum(tab in (ALL, line["tab"]) for line, _ in chosen),
            )
            for tab in (*tabs, ALL)
        }
    structured = [turn["schema_valid"] for turn in turns if turn["schema_valid"] is not None]
    checks = [check["ok"] for turn in turns for check in turn["checks"]]
    seen = [turn["evidence"] for turn in turns if turn["evidence"]]
    found, total = sum(e["found"] for e in seen), sum(e["total"] for e in seen)
    return {
        "model": pairs[0][1]["model"] if pairs else "",
        "accuracy": accuracy,
        "errors": sum(run["error"] is not None for _, run in pairs),
        "schema_valid": _share(sum(structured), len(structured)),
        "checks_passed": _share(sum(checks), len(checks)),
        "retention": _retention(pairs),
        "not_on_image": _share(total - found, total),
        "median_latency_s": _median([turn["latency_s"] for turn in turns]),
        "median_tokens": _median([turn["tokens"] for turn in turns]),
    }


def _human(results: Sequence[dict[str, Any]], index: int) -> dict[str, Any]:
    """Return the share of turns graded by people, and of those the share marked hallucinated."""
    turns = [turn for line in results for turn in model_runs(line)[index]["turns"]]
    human = [turn["human"] for turn in turns if "human" in turn]
    return {
        "graded": _share(len(human), len(turns)),
        "hallucinated": _share(human.count("hallucinated"), len(human)),
    }


def _retention(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """Return retention over the multi-turn cases; a turn never reached counts as wrong."""
    first, later = [], []
    for line, run in pairs:
        if line["turn_count"] < 2:
            continue
        passed = [turn["passed"] for turn in run["turns"]]
        passed += [False] * (line["turn_count"] - len(passed))
        first.append(passed[0])
        later.append(passed[1:])
    value = retention(first, later)
    return {"value": None if value is None else round(value, 4), "cases": len(first)}


def _share(count: int, total: int) -> dict[str, Any]:
    percent = round(100 * count / total, 1) if total else None
    return {"count": int(count), "total": total, "percent": percent}


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


# ---------------------------------------------------------------- tables


def _labels(names: Sequence[str]) -> list[str]:
    return [""] if len(names) < 2 else list(LABELS[: len(names)])


def accuracy_table(report: dict[str, Any], names: Sequence[str]) -> tuple[list[str], list[Row]]:
    """Return the header and rows of accuracy by level (rows) × tab (columns), per model."""
    models = report["models"]
    tabs = list(models[0]["accuracy"][ALL]) if models else [ALL]
    labels = _labels(names)
    header = ["Level"] + [
        f"{'All' if tab == ALL else tab}{f' · {label}' if label else ''}"
        for tab in tabs
        for label in labels
    ]
    rows = []
    for level in (*LEVELS, ALL):
        cells = [_shown(model["accuracy"][level][tab]) for tab in tabs for model in models]
        rows.append(("All levels" if level == ALL else level, cells))
    return header, rows


def figures_table(report: dict[str, Any], names: Sequence[str]) -> tuple[list[str], list[Row]]:
    """Return the header and rows of the other figures, a column per model."""
    labels = _labels(names)
    header = ["Figure"] + [
        f"{label} · {name}" if label else name for label, name in zip(labels, names, strict=False)
    ]
    figures: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("Schema-valid answers", lambda m: _shown(m["schema_valid"])),
        ("Domain checks passed", lambda m: _shown(m["checks_passed"])),
        ("Multi-turn retention", lambda m: _retention_shown(m["retention"])),
        ("Values not on the image", lambda m: _shown(m["not_on_image"])),
        ("Median latency per turn", lambda m: _number(m["median_latency_s"], " s")),
        ("Median tokens per turn", lambda m: _number(m["median_tokens"], "")),
        ("Cases that could not run", lambda m: str(m["errors"])),
    ]
    if report["models"] and "human" in report["models"][0]:
        figures += [
            ("Turns graded by people", lambda m: _shown(m["human"]["graded"])),
            ("Marked hallucinated (of those)", lambda m: _shown(m["human"]["hallucinated"])),
        ]
    return header, [(name, [shown(model) for model in report["models"]]) for name, shown in figures]


def _shown(share: dict[str, Any]) -> str:
    if not share["total"]:
        return "–"
    return f"{share['count']}/{share['total']} ({share['percent']:g}%)"


def _retention_shown(kept: dict[str, Any]) -> str:
    if kept["value"] is None:
        return "–"
    cases = kept["cases"]
    return f"{100 * kept['value']:.1f}% ({cases} case{'s' * (cases != 1)})"


def _number(value: float | None, unit: str) -> str:
    return "–" if value is None else f"{value:g}{unit}"


def failures(results: Sequence[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], int, list[str]]]:
    """Yield (line, model index, what went wrong, a sentence each) for every failed run."""
    for line in results:
        for index, run in enumerate(model_runs(line)):
            if run["passed"]:
                continue
            wrong = [f"could not run: {run['error']}"] if run["error"] else []
            wrong += [
                f"turn {number}: {turn['reason']}"
                for number, turn in enumerate(run["turns"], start=1)
                if not turn["passed"]
            ]
            yield line, index, wrong


# ---------------------------------------------------------------- files


def write_reports(
    results: Sequence[dict[str, Any]], out_dir: str | Path, model_names: Sequence[str]
) -> tuple[Path, Path]:
    """Write report.md and report.html into `out_dir`; return their paths. With marks.jsonl in
    `out_dir` (beside results.jsonl), the figures and failures follow the human marks."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    report, results = scored(results, folder)
    names = list(model_names)
    drawn = figures(report, results)
    markdown, page = folder / "report.md", folder / "report.html"
    sections = report_sections(report, drawn, names)
    markdown.write_text(_markdown(report, sections, results, names), encoding="utf-8")
    failed = failures(results)
    legend, charts = _legend(report, names), report_charts(drawn)
    page.write_text(html_report(legend, sections, failed, _models(names), charts), encoding="utf-8")
    return markdown, page


def scored(
    results: Sequence[dict[str, Any]], folder: Path
) -> tuple[dict[str, Any], Sequence[dict[str, Any]]]:
    """Return the summary and the results as scored: by the final human mark where an answer
    has one in `folder`'s marks.jsonl (the summary then says how many were graded)."""
    if not (folder / MARKS_FILE).exists():
        return summary(results), results
    marks = load_marks(folder)
    return summary(results, marks), regrade(results, final_marks(marks))


def report_sections(
    report: dict[str, Any], drawn: dict[str, list[dict[str, Any]]], names: Sequence[str]
) -> list[Section]:
    """Return the report's tables in order, the same in Markdown, HTML and the Evaluate tab;
    `drawn` is `workbench.eval.charts.figures(report, results)`."""
    sections: list[Section] = [
        ("Accuracy by level and tab", accuracy_table(report, names)),
        ("Figures", figures_table(report, names)),
    ]
    sections += confidence_sections(drawn)
    if "disagreements" in report:
        rows = [
            (item["id"], [item["tab"], item["level"], *map(_verdict, item["passed"])])
            for item in report["disagreements"]
        ]
        header = ["Case", "Tab", "Level", *_labels(names)]
        sections.append(("Where the models disagree", (header, rows) if rows else "None."))
    return sections


def _markdown(
    report: dict[str, Any],
    sections: list[Section],
    results: Sequence[dict[str, Any]],
    names: list[str],
) -> str:
    out = ["# Evaluation report", "", _legend(report, names), "", markdown_tables(sections)]
    out += ["## Failures", ""]
    for line, index, wrong in failures(results):
        model = f" [{LABELS[index]}]" if len(names) > 1 else ""
        where = f"({line['tab']}, {line['level']})"
        out.append(f"- **{_md(line['id'])}**{model} {where}: {_md('; '.join(wrong))}")
    return "\n".join(out) + "\n"


def markdown_tables(sections: list[Section]) -> str:
    """Return the sections as Markdown: a heading and a table (or a line) each."""
    out = []
    for heading, content in sections:
        shown = [content] if isinstance(content, str) else _md_table(*content)
        out += [f"## {heading}", "", *shown, ""]
    return "\n".join(out)


def _legend(report: dict[str, Any], names: list[str]) -> str:
    models = ", ".join(
        f"{label} = {name}" if label else name
        for label, name in zip(_labels(names), names, strict=False)
    )
    return f"{report['cases']} cases; model{'s' * (len(names) > 1)}: {models}."


def _md_table(header: list[str], rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(map(_md, header)) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(map(_md, (name, *cells))) + " |" for name, cells in rows]


def _md(text: str) -> str:
    """Return text safe in a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _verdict(passed: bool) -> str:
    return "passed" if passed else "failed"


def _models(names: list[str]) -> list[str]:
    """Return how the HTML names each model beside a failure: "A (name)", or "" for one model."""
    if len(names) < 2:
        return [""] * len(LABELS)
    return [f"{label} ({name})" for label, name in zip(LABELS, names, strict=False)]
