"""The `eval` command of the command line (`workbench.cli.main` parses it)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench import settings as settings_module
from workbench.cli.ask import EXIT_MODEL, EXIT_OK, EXIT_USAGE, add_presets_dir, fail
from workbench.engines.base import EngineError
from workbench.eval.golden import Case, GoldenSetError, load_cases
from workbench.eval.report import summary, write_reports
from workbench.eval.run import RESULTS_FILE, examples_as_cases, model_runs, run_set
from workbench.prompts.presets import load_all
from workbench.session import ModelSession

EVAL_EPILOG = """\
results.jsonl has one line per case (see `workbench.eval.run`); report.md and report.html
show accuracy by level and tab, then the other figures, and (with --compare-model) the cases
where the two models disagree. --json prints summary() as one object on stdout.

exit codes: 0 the set ran (whatever it scored), 2 a golden set that cannot be used (every
problem listed) or bad arguments, before any model work, 3 a model could not be loaded"""


def add_eval_parser(commands: Any) -> None:
    """Add the `eval` command, its options and the model settings, to `commands`."""
    evaluate = commands.add_parser(
        "eval",
        help="run a golden set (or the built-in examples) and write a scored report",
        description="Ask every case of a golden set as its tab would (preset, schema, checks,\n"
        "one repair turn, OCR evidence), score each turn, write results.jsonl and a report.",
        epilog=EVAL_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = evaluate.add_argument
    add("set_dir", nargs="?", type=Path, metavar="SET_DIR", help="a folder with cases.jsonl")
    add("--examples", action="store_true", help="also run the built-in examples (drawn if missing)")
    add("--compare-model", metavar="M2", help="run every case on this model too, side by side")
    add(
        "--out",
        type=Path,
        default=Path("eval-results"),
        metavar="DIR",
        help="where results.jsonl, report.md and report.html go (eval-results)",
    )
    add("--limit", type=int, metavar="N", help="run the first N cases only")
    add("--max-new-tokens", type=int, metavar="N", help="override the presets' limits")
    add("--json", action="store_true", help="print the summary as one JSON object")
    add_presets_dir(evaluate)
    settings_module.add_arguments(evaluate)
    add("-v", "--verbose", action="store_true", help="log loading stages and tracebacks")


def run_eval(args: argparse.Namespace) -> int:
    """Run `eval`: check the set (exit 2 before any model work), run it, write the reports."""
    try:
        settings = settings_module.from_environment(args)
        presets = load_all(args.presets_dir)
        cases = load_cases(args.set_dir, presets=presets) if args.set_dir else []
        if args.examples:
            cases += examples_as_cases(settings.cache_dir / "examples")
        _check_run(cases, args.limit)
        second = settings.replace(model=args.compare_model) if args.compare_model else None
    except GoldenSetError as error:
        return fail(EXIT_USAGE, f"the golden set cannot be used:\n{error}")
    except (ValueError, OSError) as error:
        return fail(EXIT_USAGE, str(error))
    sessions = [ModelSession(settings)] + ([ModelSession(second)] if second else [])
    try:
        results = run_set(
            cases,
            sessions[0],
            out_dir=args.out,
            compare_session=sessions[1] if second else None,
            limit=args.limit,
            progress=None if args.json else _print_progress,
            presets=presets,
            max_new_tokens=args.max_new_tokens,
        )
    except EngineError as error:  # a model that cannot load: before any case ran
        return fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    names = [session.status.model for session in sessions]
    markdown, page = write_reports(results, args.out, names)
    if args.json:
        print(json.dumps(summary(results), ensure_ascii=False))
    else:
        print(f"{Path(args.out) / RESULTS_FILE}\n{markdown}\n{page}")
    return EXIT_OK


def _check_run(cases: list[Case], limit: int | None) -> None:
    """Raise ValueError when there is nothing to run, a limit below 1, or an id twice."""
    if not cases:
        raise ValueError("nothing to run: give SET_DIR, --examples, or both")
    if limit is not None and limit < 1:
        raise ValueError(f"--limit must be at least 1, got {limit}")
    ids = [case.id for case in cases]
    twice = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if twice:
        raise ValueError(f"case ids given twice: {', '.join(twice)}")


def _print_progress(done: int, total: int, line: dict[str, Any]) -> None:
    verdicts = " ".join(
        "error" if run["error"] else "passed" if run["passed"] else "failed"
        for run in model_runs(line)
    )
    print(
        f"[{done}/{total}] {line['id']} ({line['tab']}, {line['level']}): {verdicts}",
        file=sys.stderr,
        flush=True,
    )
