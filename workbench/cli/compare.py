"""The `compare` and `contrast` commands: what changed between two screenshots (or two folders
of them), and which text lines of one screenshot are too faint to read.

`workbench.compare` (OpenCV, numpy) is imported when one of them runs, not when the command
line starts: `ask` should not wait for it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.cli.ask import EXIT_MODEL, EXIT_OK, EXIT_USAGE, fail
from workbench.cli.compare_judge import (
    Judged,
    add_judge_arguments,
    defects_cell,
    judge_pair,
    pair_judge,
    verdict_lines,
)

if TYPE_CHECKING:
    from workbench.compare import Comparison, PairResult
    from workbench.compare.turn import PairJudge

Box = tuple[int, int, int, int]
# WCAG 2.x thresholds, as `workbench.compare.contrast` holds them (a test keeps them equal).
AA, AA_LARGE, AAA, AAA_LARGE = 4.5, 3.0, 7.0, 4.5

COMPARE_EPILOG = f"""\
BEFORE and AFTER are two screenshots, or two folders (or .zip files) of them: then every
screenshot is compared with its namesake (the same path, any extension), a report zip is
written per pair into --out, with DIR/report.md and DIR/report.json for the whole run, and
the screenshots found on one side only are listed.

Kinds of change: text (a line reads differently), added, removed, moved (the same thing found
elsewhere), style (same text, another colour or size). Text cut short ("…", or ink running into
an edge) and lines under WCAG AA contrast ({AA}:1, {AA_LARGE}:1 for large text) are listed for
both images.

--judge asks the model, once per pair with changes, which of them are defects (both images
sent, the changes boxed and numbered): the verdicts are printed, in the JSON ("defects", the
turn's record under "judge") and in each report; a folder run counts them per pair. A pair the
model cannot judge (it did not load, its turn failed, its answer was no valid list) says why
("not_judged") and the run goes on.

exit codes: 0 compared (whatever was found; a pair of unrelated screens says so), 2 bad
arguments, or a file that is not a usable screenshot, 3 --judge: the model could not be loaded,
or failed on the one pair given (the comparison is still printed and written)"""


def add_compare_parser(commands: Any) -> None:
    """Add the `compare` and `contrast` commands to the command line's subparsers."""
    compare = commands.add_parser(
        "compare",
        help="what changed between two screenshots, or two folders of them",
        description="Compare two screenshots: aligned (a retina capture scaled, a block that "
        "moved matched), changes listed with boxes, kinds and texts; text cut short and low "
        "contrast flagged on both. No model is asked, unless --judge.",
        epilog=COMPARE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = compare.add_argument
    add("before", type=Path, metavar="BEFORE", help="a screenshot, a folder or a .zip")
    add("after", type=Path, metavar="AFTER", help="the same, of the new build")
    add(
        "--mask",
        type=mask_box,
        nargs="+",
        action="extend",
        default=[],
        metavar="X0,Y0,X1,Y1",
        help="ignore this box (before's pixels), e.g. a clock or an ad; several may follow",
    )
    add("--report", type=Path, metavar="OUT.zip", help="write the report to file (one pair)")
    add("--out", type=Path, metavar="DIR", help="folders: where the reports go (compare-report)")
    add("--json", action="store_true", help="print one JSON object")
    add_judge_arguments(compare)
    contrast = commands.add_parser(
        "contrast",
        help="the WCAG contrast of every text line of a screenshot",
        description="Read the text lines of a screenshot (OCR) and give each its WCAG 2.x "
        f"contrast ratio and verdicts: AA {AA}:1 ({AA_LARGE}:1 large text), AAA {AAA}:1 "
        f"({AAA_LARGE}:1 large). Exit 2 for a file that is not a usable screenshot.",
    )
    contrast.add_argument("image", type=Path, metavar="IMAGE", help="a screenshot")
    contrast.add_argument("--json", action="store_true", help='print {"lines": [...]}')


def mask_box(text: str) -> Box:
    """Return X0,Y0,X1,Y1 as a box of whole pixels; ArgumentTypeError otherwise."""
    parts = text.split(",")
    try:
        x0, y0, x1, y1 = (round(float(part)) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected X0,Y0,X1,Y1 in pixels, got {text!r}") from None
    if x1 <= x0 or y1 <= y0:
        raise argparse.ArgumentTypeError(f"expected X0 < X1 and Y0 < Y1, got {text!r}")
    return x0, y0, x1, y1


def run_compare(args: argparse.Namespace) -> int:
    """Run `compare`: one pair, or two folders; return the exit code."""
    from workbench.compare import CompareError, compare_images, load_screenshot, write_report

    folders = [_is_folder(path) for path in (args.before, args.after)]
    if any(folders):
        if not all(folders):
            return fail(EXIT_USAGE, "give two screenshots, or two folders (or zips) of them")
        return _run_folders(args)
    try:
        before, after = load_screenshot(args.before), load_screenshot(args.after)
        comparison = compare_images(before, after, args.mask)
        judge = pair_judge(args, quiet=args.json) if args.judge else None
    except CompareError as error:
        return fail(EXIT_USAGE, error.text("en"))
    except ValueError as error:  # a model setting or --max-new-tokens out of range
        return fail(EXIT_USAGE, str(error))
    names = (args.before.name, args.after.name)
    judged = judge_pair(judge, before, after, comparison, names) if judge else Judged()
    report = None
    if args.report:
        report = write_report(
            args.report, *names, before, after, comparison, judged.defects, args.language
        )
    code = EXIT_MODEL if judged.failed else EXIT_OK
    if args.json:
        data = {"before": str(args.before), "after": str(args.after), **comparison.as_dict()}
        if judge:
            data |= {"defects": judged.defects, "not_judged": judged.not_judged}
            data["judge"] = judged.record
        print(json.dumps({**data, "report": str(report) if report else None}, ensure_ascii=False))
        return code
    for line in (*comparison_lines(comparison), *verdict_lines(judged)):
        print(line)
    if judged.not_judged:
        print(f"[not judged: {judged.not_judged}]", file=sys.stderr)
    if report:
        print(f"[report: {report}]", file=sys.stderr)
    return code


def comparison_lines(comparison: Comparison) -> list[str]:
    """Return a comparison as the command prints it: a line per finding, then a summary."""
    lines = []
    if comparison.problem:
        lines.append(f"not compared: {comparison.problem_text('en')}")
    for change in comparison.changes:
        texts = " → ".join(repr(text) for text in (change.before_text, change.after_text) if text)
        boxes = " → ".join(str(list(box)) for box in (change.before_box, change.after_box) if box)
        extra = f" ({change.detail})" if change.detail else ""
        lines.append(f"{change.number}. {change.kind}: {texts or '-'} at {boxes}{extra}")
    for cut in comparison.truncations:
        lines.append(f"cut ({cut.side}, {cut.reason}): {cut.text!r} at {list(cut.box)}")
    sides = (("before", comparison.contrast_before), ("after", comparison.contrast_after))
    for side, found in sides:
        for line in (line for line in found if not line.aa):
            lines.append(
                f"low contrast ({side}): {line.text!r} {line.ratio:.2f}:1, {line.foreground} on "
                f"{line.background} at {list(line.box)}"
            )
    lines.append(
        f"[{len(comparison.changes)} change(s), {len(comparison.truncations)} cut, "
        f"{comparison.contrast_failures} under AA, scale {comparison.scale:g}, "
        f"{comparison.seconds:.2f} s]"
    )
    return lines


def _is_folder(path: Path) -> bool:
    return path.is_dir() or path.suffix.lower() == ".zip"


def _run_folders(args: argparse.Namespace) -> int:
    from workbench.compare import CompareError, compare_folders

    out = args.out or Path("compare-report")

    def said(done: int, total: int, pair: PairResult) -> None:
        if not args.json:
            found = pair.message or f"{pair.changes} change(s), {pair.contrast_failures} under AA"
            judged = f"; {defects_cell(pair)}" if args.judge else ""
            print(f"[{done}/{total}] {pair.name}: {found}{judged}", file=sys.stderr, flush=True)

    try:
        judge = pair_judge(args, quiet=args.json) if args.judge else None
        report = compare_folders(args.before, args.after, out, args.mask, said, judge)
    except CompareError as error:
        return fail(EXIT_USAGE, error.text("en"))
    except ValueError as error:  # a model setting or --max-new-tokens out of range
        return fail(EXIT_USAGE, str(error))
    code = EXIT_MODEL if judge is not None and judge.refused else EXIT_OK
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
        return code
    for pair in report.pairs:
        print("\t".join(_folder_cells(pair, judge)))
    for name in report.missing_before:
        print(f"{name}\tonly in {args.after}")
    for name in report.missing_after:
        print(f"{name}\tonly in {args.before}")
    if not report.pairs:
        from workbench.messages import word

        print(word("compare.no_pairs", "en", before=args.before, after=args.after), file=sys.stderr)
    print(f"[{len(report.pairs)} pairs; report: {out / 'report.md'}]", file=sys.stderr)
    return code


def _folder_cells(pair: PairResult, judge: PairJudge | None) -> list[str]:
    """Return a pair's line of a folder run, its defects after its changes when judged."""
    judged = [defects_cell(pair)] if judge is not None else []
    counts = [f"{pair.contrast_failures} under AA", f"{pair.truncations} cut"]
    return [pair.name, f"{pair.changes} change(s)", *judged, *counts, pair.report or pair.message]


def run_contrast(args: argparse.Namespace) -> int:
    """Run `contrast`: each text line's ratio and verdicts; return the exit code."""
    from workbench.compare import CompareError, contrast_lines, load_screenshot

    try:
        image = load_screenshot(args.image)
    except CompareError as error:
        return fail(EXIT_USAGE, error.text("en"))
    lines = contrast_lines(image)
    if args.json:
        print(json.dumps({"lines": [line.as_dict() for line in lines]}, ensure_ascii=False))
        return EXIT_OK
    for line in lines:
        verdict = "AAA" if line.aaa else "AA" if line.aa else "FAIL"
        size = " large" if line.large else ""
        print(
            f"{line.ratio:5.2f}:1 {verdict:<4}{size} {line.text!r} ({line.foreground} on "
            f"{line.background}) at {list(line.box)}"
        )
    failing = sum(not line.aa for line in lines)
    print(f"[{len(lines)} lines, {failing} under AA]", file=sys.stderr)
    return EXIT_OK
