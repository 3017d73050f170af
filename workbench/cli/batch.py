"""The `batch` command: one preset over many files, a line per file, a table at the end."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench import settings as settings_module
from workbench.batch.run import RESULTS, TABLE, Row, row_summary, run_batch
from workbench.choices import preset_params
from workbench.cli.ask import (
    EXIT_MODEL,
    EXIT_OK,
    EXIT_USAGE,
    add_presets_dir,
    fail,
    find_preset,
    load_with_stages,
)
from workbench.engines.base import ModelLoadError
from workbench.intake.files import Item, collect
from workbench.prompts.presets import load_all
from workbench.session import RANDOM_WEIGHTS_WARNING, ModelSession

BATCH_EPILOG = """\
Each file's row goes to DIR/results.jsonl as soon as it is answered (with the full result
record, as `ask --json` prints it); DIR/results.csv, DIR/annotated/*.png (the image with the
model's boxes) and DIR/annotated.zip are written at the end. Ctrl-C stops after the current
file; --resume then asks only the files results.jsonl does not hold yet.

exit codes: 0 done (a file that failed is a row with its message), 2 bad arguments, an unknown
preset or no files, 3 the model could not be loaded"""


def add_batch_parser(commands: Any) -> None:
    """Add the `batch` command to the command line's subparsers."""
    batch = commands.add_parser(
        "batch",
        help="ask one preset's question about many files; a CSV and annotated images",
        description="Ask a preset's question about every image and PDF page among FILES "
        "(files, folders searched recursively, zips), as `ask` asks it: the preset's settings, "
        "strict decoding where available, one repair turn, OCR evidence, enhancement auto.",
        epilog=BATCH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = batch.add_argument
    add("files", nargs="+", metavar="FILE_OR_DIR", help="images, PDFs, folders, .zip files")
    add("--preset", required=True, metavar="TAB:NAME", help="e.g. receipts:extract-all-fields")
    add("--out", required=True, type=Path, metavar="DIR", help="the folder for the results")
    add("--resume", action="store_true", help="skip the files DIR/results.jsonl already holds")
    add("--max-new-tokens", type=int, metavar="N", help="instead of the preset's limit")
    add_presets_dir(batch)
    settings_module.add_arguments(batch)
    add("-v", "--verbose", action="store_true", help="log loading stages and tracebacks")


def run_batch_command(args: argparse.Namespace) -> int:
    """Run `batch`: the preset over every file, a line per file; return the exit code."""
    try:
        settings = settings_module.from_environment(args)
        tab, preset = find_preset(args.preset, load_all(args.presets_dir))
        preset_params(preset, args.max_new_tokens)  # a bad limit is told before the model loads
        out = Path(args.out)
        results = out / RESULTS
        if not args.resume and results.exists() and results.stat().st_size:
            raise ValueError(f"{out} holds results: add --resume to go on, or pick another --out")
        out.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as error:
        return fail(EXIT_USAGE, str(error))
    with tempfile.TemporaryDirectory(prefix=".unzipped-", dir=out) as unpack:
        try:
            items = collect(args.files, unpack_dir=Path(unpack))
            if not items:
                raise ValueError("no images or PDFs among the files and folders given")
        except (ValueError, OSError) as error:
            return fail(EXIT_USAGE, str(error))
        session = ModelSession(settings)
        try:
            load_with_stages(session, quiet=False)
        except ModelLoadError as error:
            return fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
        if session.status.random_weights:
            print(f"[{RANDOM_WEIGHTS_WARNING}]", file=sys.stderr, flush=True)
        stop, todo = threading.Event(), [len(items)]

        def progress(done: int, total: int, item: Item) -> None:
            todo[0] = total  # fewer than the items when resuming

        rows = run_batch(
            items,
            session,
            preset,
            out_dir=out,
            resume=args.resume,
            stop=stop,
            progress=progress,
            tab=tab,
            max_new_tokens=args.max_new_tokens,
        )
        return _print_rows(rows, todo, stop, out)


def _print_rows(rows: Iterator[Row], todo: list[int], stop: threading.Event, out: Path) -> int:
    """Print a line per row and the throughput; Ctrl-C stops after the current file."""

    def interrupted(*_: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("[stopping after this file; Ctrl-C again to stop now]", file=sys.stderr, flush=True)

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, interrupted) if main else None
    started, count = time.monotonic(), 0
    try:
        for count, row in enumerate(rows, start=1):
            print(f"[{count}/{todo[0]}] {row.file}: {row_summary(row)}", flush=True)
    except KeyboardInterrupt:
        rows.close()  # writes the table and the zip of what was done
        return fail(130, f"stopped; the rows so far are in {out / RESULTS}")
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    minutes = (time.monotonic() - started) / 60
    rate = f", {count / minutes:.1f} files/min" if count and minutes else ""
    print(f"[{count} asked{rate}; {'stopped; ' * stop.is_set()}table: {out / TABLE}]")
    return EXIT_OK
