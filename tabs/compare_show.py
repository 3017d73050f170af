"""What the Compare tab shows of a comparison and of the model's verdicts: tables and lines, in
the page's language. Pure functions of plain data; the tab module lays out and wires."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from tabs.domain.results import verdict
from tabs.wording import say
from workbench.compare import Comparison, ContrastLine
from workbench.pipeline import Answer
from workbench.wording import WORDING

CHANGE_COLUMNS = ("number", "kind", "before", "after", "detail")
CONTRAST_COLUMNS = ("image", "text", "ratio", "aa", "aaa", "colours")
DEFECT_COLUMNS = ("change", "defect", "severity", "why")


def columns(names: Sequence[str], language: str, prefix: str = "compare_tab.col") -> list[str]:
    """Return the table's column titles in the page's language."""
    return [say(f"{prefix}.{name}", language) for name in names]


def empty_table(names: Sequence[str], language: str) -> pd.DataFrame:
    """Return a table with no rows, its columns in the page's language."""
    return pd.DataFrame([], columns=columns(names, language))


def summary_line(comparison: Comparison, language: str) -> str:
    """Return "3 changes · 1 text cut short · 2 lines below AA · 0.8 s", and the scale if any."""
    line = say(
        "compare_tab.summary",
        language,
        changes=len(comparison.changes),
        truncations=len(comparison.truncations),
        failures=comparison.contrast_failures,
        seconds=comparison.seconds,
    )
    if abs(comparison.scale - 1) > 0.01:
        line += say("compare_tab.scaled", language, scale=comparison.scale)
    if comparison.problem:
        line = "⚠️ " + say(
            "compare_tab.problem", language, problem=comparison.problem_text(language)
        )
    return line


def _kind(kind: str, language: str) -> str:
    key = f"compare_tab.kind.{kind}"
    return say(key, language) if _known(key) else kind


def _known(key: str) -> bool:
    return key in WORDING


def changes_table(comparison: Comparison, language: str) -> pd.DataFrame:
    """Return a row per change: its number, kind, texts before and after, and what changed."""
    rows = [
        [str(c.number), _kind(c.kind, language), c.before_text, c.after_text, c.detail]
        for c in comparison.changes
    ]
    return pd.DataFrame(rows, columns=columns(CHANGE_COLUMNS, language))


def truncations_markdown(comparison: Comparison, language: str) -> str:
    """Return the texts cut short as a Markdown list, or a line saying there are none."""
    if not comparison.truncations:
        return say("compare_tab.truncations.none", language)
    lines = [
        "- "
        + say(
            "compare_tab.truncation",
            language,
            side=say(f"compare_tab.side.{t.side}", language),
            text=t.text,
            reason=say(f"compare_tab.reason.{t.reason}", language)
            if _known(f"compare_tab.reason.{t.reason}")
            else t.reason,
        )
        for t in comparison.truncations
    ]
    return say("compare_tab.truncations.heading", language) + "\n" + "\n".join(lines)


def contrast_table(sides: Sequence[tuple[str, Sequence[ContrastLine]]], language: str) -> Any:
    """Return a row per text line of each image, the hardest to read first."""
    rows = [(line.ratio, side, line) for side, lines in sides for line in lines]
    rows.sort(key=lambda row: row[0])
    cells = [
        [
            say(f"compare_tab.side.{side}", language),
            line.text or _where(line.box),
            f"{line.ratio:.2f}:1",
            _passes(line.aa, language),
            _passes(line.aaa, language),
            f"{line.foreground} / {line.background}",
        ]
        for _, side, line in rows
    ]
    return pd.DataFrame(cells, columns=columns(CONTRAST_COLUMNS, language))


def _where(box: Sequence[int]) -> str:
    # A comparison reads only the lines it reports (a passing line is found, not read): its box.
    x0, y0, x1, y1 = box
    return f"({x0}, {y0})–({x1}, {y1})"


def _passes(ok: bool, language: str) -> str:
    # Words, not ✅/❌: a table's monospace font may have no glyph for them.
    return say("compare_tab.pass" if ok else "compare_tab.fail", language)


def contrast_summary(lines: Sequence[ContrastLine], language: str) -> str:
    """Return how many lines fail AA and AAA, or that no text was found."""
    if not lines:
        return say("compare_tab.contrast.none", language)
    return say(
        "compare_tab.contrast.summary",
        language,
        failing=sum(not line.aa for line in lines),
        count=len(lines),
        below_aaa=sum(not line.aaa for line in lines),
    )


def defects_table(defects: Sequence[dict[str, Any]], language: str) -> pd.DataFrame:
    """Return a row per verdict: the change, defect or not, its severity, and why."""
    rows = [
        [
            str(row.get("change", "")),
            say("compare_tab.yes" if row.get("defect") else "compare_tab.no", language),
            _severity(row.get("severity"), language),
            str(row.get("why", "")),
        ]
        for row in defects
    ]
    return pd.DataFrame(rows, columns=columns(DEFECT_COLUMNS, language))


def _severity(severity: Any, language: str) -> str:
    key = f"compare_tab.severity.{severity}"
    return say(key, language) if _known(key) else str(severity or "")


def judged_line(defects: Sequence[dict[str, Any]], changes: int, language: str) -> str:
    """Return how many of the changes the model called defects."""
    called = sum(bool(row.get("defect")) for row in defects)
    return say("compare_tab.judged", language, defects=called, changes=changes)


def judged_markdown(answer: Answer, language: str) -> str:
    """Return the answer's validation and its checks."""
    parts = [verdict(answer, language)]
    for check in answer.checks:
        title = check.title(language)
        parts.append(f"{'✅' if check.ok else '❌'} **{title}**: {check.text(language)}")
    return "\n\n".join(parts)
