"""The `golden` command: golden sets made from what people did, `golden from-review RUN_DIR`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli.ask import EXIT_OK, EXIT_USAGE, fail
from workbench.eval.golden import GoldenSetError
from workbench.eval.review_export import GOLDEN_DIR, golden_from_review, write_reviewed
from workbench.eval.review_records import ReviewError

GOLDEN_EPILOG = f"""\
from-review writes cases.jsonl and images/ from the approved and corrected records of a review
(RUN_DIR/review.jsonl, made in the Review tab): each case expects the values people accepted
(a correction where they corrected, the model's value where they approved; rejected values are
left out) and carries "source": "review". It also writes RUN_DIR/reviewed.jsonl and
reviewed.csv. Then `python -m workbench eval OUT` measures a model against it.

exit codes: 0 written, 2 a folder that cannot be reviewed or no record to make a case of
(default OUT: RUN_DIR/{GOLDEN_DIR})"""


def add_golden_parser(commands: Any) -> None:
    """Add the `golden` command and its `from-review` step to the command line's subparsers."""
    golden = commands.add_parser(
        "golden",
        help="make a golden set from a review of a batch run",
        description="Make golden sets from what people did.",
        epilog=GOLDEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    steps = golden.add_subparsers(dest="golden_command", required=True, metavar="STEP")
    from_review = steps.add_parser(
        "from-review",
        help="cases.jsonl + images from a review's approved and corrected records",
        description="Write a golden set from the approved and corrected records of a review.",
        epilog=GOLDEN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = from_review.add_argument
    add("run_dir", type=Path, metavar="RUN_DIR", help="a batch run folder with review.jsonl")
    add("--out", type=Path, metavar="DIR", help=f"where the set goes (RUN_DIR/{GOLDEN_DIR})")
    add("--json", action="store_true", help="print what was written as one JSON object")


def run_golden(args: argparse.Namespace) -> int:
    """Run `golden from-review`: write the set and the reviewed exports; say what was left out."""
    try:
        outcome = golden_from_review(args.run_dir, args.out)
        write_reviewed(args.run_dir)
    except ReviewError as error:
        return fail(EXIT_USAGE, error.text("en"))
    except GoldenSetError as error:  # what we wrote did not read back: say every line
        return fail(EXIT_USAGE, f"the golden set written is not valid:\n{error}")
    except OSError as error:
        return fail(EXIT_USAGE, f"cannot write the golden set: {error}")
    if args.json:
        skipped = [{"file": file, "why": why} for file, why in outcome.skipped]
        written = {"folder": str(outcome.folder), "cases": outcome.cases, "skipped": skipped}
        print(json.dumps(written, ensure_ascii=False))
        return EXIT_OK
    print(f"{outcome.cases} case(s) written to {outcome.folder / 'cases.jsonl'}")
    for file, why in outcome.skipped:
        print(f"left out {file}: {why}", file=sys.stderr)
    return EXIT_OK
