"""A regression run: two folders (or zips) of screenshots, paired by file name, compared.

Screenshots pair up by their path inside the folder without the extension (`home/login.png`
with `home/login.jpg`: one build saved PNGs, the next JPEGs). Each pair is compared and its
report zip written beside the run's own `report.md` and `report.json`; a pair that cannot be
compared says why in its row, and the run goes on. `judge`, when given (the model's turn, from
a layer above), says which changes of a pair are defects; one that cannot (the model did not
load, or its answer was no list of verdicts) raises `NotJudged`, and that pair's row says why.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

from PIL import Image

from workbench.compare.compare import compare_images, load_screenshot
from workbench.compare.models import Box, CompareError, Comparison, FolderReport, PairResult
from workbench.compare.report import write_report
from workbench.intake.files import ZIP_SUFFIX, collect, safe_name

Judge = Callable[[Image.Image, Image.Image, Comparison], list[dict]]
OnPair = Callable[[int, int, PairResult], None]
NOT_JUDGED = "not judged"  # the Markdown's defects cell for a pair the model gave no verdicts on


class NotJudged(Exception):
    """The judge gave no verdicts on a pair; the message (worded by the judge) says why."""


def compare_folders(
    before_dir: Path,
    after_dir: Path,
    out_dir: Path,
    masks: Sequence[Box] = (),
    on_pair: OnPair | None = None,
    judge: Judge | None = None,
) -> FolderReport:
    """Return the run's rows; writes out_dir/report.md, report.json and a zip per pair."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    befores = screenshots(Path(before_dir), out_dir / "unpacked")
    afters = screenshots(Path(after_dir), out_dir / "unpacked")
    names = [name for name in befores if name in afters]
    rows = []
    for done, name in enumerate(names, start=1):
        row = _compare_pair(name, befores[name], afters[name], out_dir, masks, judge)
        rows.append(row)
        if on_pair is not None:
            on_pair(done, len(names), row)
    report = FolderReport(
        pairs=tuple(rows),
        missing_before=tuple(sorted(name for name in afters if name not in befores)),
        missing_after=tuple(sorted(name for name in befores if name not in afters)),
        out_dir=out_dir,
        seconds=round(time.perf_counter() - started, 2),
    )
    (out_dir / "report.json").write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    (out_dir / "report.md").write_text(folder_markdown(report), encoding="utf-8")
    return report


def screenshots(folder: Path, unpack_dir: Path) -> dict[str, Path]:
    """Return {name without extension, inside the folder or zip: file} of its screenshots."""
    if not (folder.is_dir() or (folder.is_file() and folder.suffix.lower() == ZIP_SUFFIX)):
        raise CompareError("not_folder", path=str(folder))
    unpack_dir.mkdir(parents=True, exist_ok=True)
    found: dict[str, Path] = {}
    for item in collect([folder], unpack_dir=unpack_dir):
        if item.page not in (None, 1):
            continue  # a PDF is one entry; comparing it says that it is not a screenshot
        inside = PurePosixPath(*PurePosixPath(item.name.split("#")[0]).parts[1:])
        found.setdefault(str(inside.with_suffix("")), item.path)
    return found


def _compare_pair(
    name: str, before: Path, after: Path, out_dir: Path, masks: Sequence[Box], judge: Judge | None
) -> PairResult:
    try:
        before_image, after_image = load_screenshot(before), load_screenshot(after)
        comparison = compare_images(before_image, after_image, masks)
    except CompareError as error:
        return _not_compared(name, f"compare.{error.key}", error.text("en"), judge)
    except OSError as error:  # unreadable on disk (permissions, a file gone meanwhile)
        return _not_compared(name, "compare.unusable", str(error), judge)
    defects, not_judged = _judged(judge, before_image, after_image, comparison)
    called = sum(bool(defect.get("defect")) for defect in defects)
    zip_name = safe_name(name.replace("/", "-")) + ".zip"
    write_report(
        out_dir / zip_name, before.name, after.name, before_image, after_image, comparison, defects
    )
    return PairResult(
        name=name,
        changes=len(comparison.changes),
        contrast_failures=comparison.contrast_failures,
        truncations=len(comparison.truncations),
        defects=None if judge is None or not_judged else called,
        not_judged=not_judged,
        problem=comparison.problem,
        message=comparison.problem_text("en"),
        report=zip_name,
    )


def _not_compared(name: str, problem: str, message: str, judge: Judge | None) -> PairResult:
    """Return the row of a pair not compared; with a judge, not judged for the same reason."""
    not_judged = "" if judge is None else message
    return PairResult(name, problem=problem, message=message, not_judged=not_judged)


def _judged(
    judge: Judge | None, before: Image.Image, after: Image.Image, comparison: Comparison
) -> tuple[list[dict], str]:
    """Return the judge's verdicts on a pair and why there are none ("" when it judged)."""
    if judge is None or not comparison.changes:
        return [], ""  # no changes, nothing to call a defect: no need to ask
    try:
        return judge(before, after, comparison), ""
    except NotJudged as reason:
        return [], str(reason)


def folder_markdown(report: FolderReport) -> str:
    """Return the run's Markdown: a row per pair, then the screenshots without a pair."""
    lines = [
        "# Screenshot regression",
        "",
        "| screenshot | changes | defects | contrast failures | cut text | report | problem |",
        "|---|---|---|---|---|---|---|",
    ]
    for pair in report.pairs:
        link = f"[{pair.report}]({pair.report})" if pair.report else "—"
        lines.append(
            f"| {pair.name} | {pair.changes} | {_defects_cell(pair)} | {pair.contrast_failures} "
            f"| {pair.truncations} | {link} | {pair.message or '—'} |"
        )
    for title, names in (
        ("Only in the after folder (new screens)", report.missing_before),
        ("Only in the before folder (screens gone)", report.missing_after),
    ):
        if names:
            lines += ["", f"## {title}", "", *(f"- {name}" for name in names)]
    return "\n".join(lines) + "\n"


def _defects_cell(pair: PairResult) -> str:
    """Return the defects count; for a pair not judged, why (a pipe would split the cell)."""
    if pair.not_judged:
        return f"{NOT_JUDGED}: {pair.not_judged.replace('|', '/')}"
    return "—" if pair.defects is None else str(pair.defects)
