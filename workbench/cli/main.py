"""The command line: `python -m workbench COMMAND`, and the installed `workbench` command.

Commands: ask, presets, ocr, evidence, compare, contrast, eval, batch, bench, download, serve,
ui.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from workbench import settings as settings_module
from workbench.answers.checks import DIRECTIONS
from workbench.cli.ask import (
    EXIT_MISSING,
    EXIT_MODEL,
    EXIT_OK,
    EXIT_USAGE,
    REPAIR_TURNS_RANGE,
    add_presets_dir,
    fail,
    run_ask,
    run_presets,
)
from workbench.cli.batch import add_batch_parser, run_batch_command
from workbench.cli.compare import add_compare_parser, run_compare, run_contrast
from workbench.cli.download import add_download_parser, run_download
from workbench.cli.eval import add_eval_parser, run_eval
from workbench.cli.golden import add_golden_parser, run_golden
from workbench.cli.ocr import add_intake, run_evidence, run_ocr
from workbench.engines.base import ModelLoadError
from workbench.prompts.presets import LANGUAGES
from workbench.session import ModelSession

EXIT_CODES = """\
exit codes: 0 answered (valid JSON or not), 2 bad arguments, an unknown or unusable preset, or
an unreadable image, 3 the model could not be loaded or failed while answering (1, no usable
preset file, is the presets command's; ask says 2 for it)"""
ASK_EPILOG = f"""\
Without --json the answer streams to stdout; stderr shows the loading stages, then (for a
structured preset) the verdict, the domain checks and the boxes, one [line] each.

--json prints ONE object on stdout and nothing on stderr but an error: the result record, the
same keys as the app's result.json (asked_at, model, random_weights, device, dtype, engine,
tab, preset, language, role, question, parameters, image_name, image_sha256, image_size,
region, pages, enhanced, history_left_out, answer, parsed, answer_json (parsed, with values
under --abstain-below as null), validation, checks, boxes, evidence, confidence (a score,
level and reasons per value), repairs, turns), plus dtype_reason, engine_reason (why that engine
answered), patches, and the last turn's tokens, timings (with load_s), finish_reason and constrained
(whether decoding was held to the schema).

{EXIT_CODES}"""


def build_parser(prog: str = "python -m workbench") -> argparse.ArgumentParser:
    """Return the parser for `python -m workbench` (and the `workbench` command)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="The workbench: vision answers you can check."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_ask(commands)
    presets = commands.add_parser(
        "presets",
        help="list the tabs' presets: TAB:SLUG, structured or not, checks",
        description="List each tab's presets. Exit 1 when no preset file can be used.",
    )
    presets.add_argument("--json", action="store_true", help="print one JSON object")
    add_presets_dir(presets)
    _add_ocr(commands)
    add_compare_parser(commands)
    add_eval_parser(commands)
    add_batch_parser(commands)
    add_golden_parser(commands)
    _add_bench(commands)
    add_download_parser(commands)
    _add_serve(commands)
    # Only listed here: main() hands everything after `ui` to launch.py's own parser.
    commands.add_parser("ui", help="serve the app; launch.py's flags (ui --help lists them)")
    return parser


def _add_ask(commands: Any) -> None:
    ask_parser = commands.add_parser(
        "ask",
        help="ask one question about one image, as a tab does",
        description="Ask one question about one image as a tab asks it: preset, role, region,\n"
        "repair turns for invalid JSON, domain checks and boxes.",
        epilog=ASK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = ask_parser.add_argument
    add("--image", required=True, metavar="PATH", help="the image file")
    add("--question", help="what to ask (default: the preset's question in --language)")
    add(
        "--preset",
        metavar="TAB:NAME",
        help="e.g. receipts:verify-totals; NAME is the name, any case, or its slug (see `presets`)",
    )
    add("--role", default="", help="who the model is, put ahead of the preset's prompt")
    add("--system", default="", help="instructions for the model, instead of the preset's")
    add("--language", choices=LANGUAGES, default="en", help="of the preset's prompts (en)")
    add(
        "--region",
        type=_region_box,
        metavar="X0,Y0,X1,Y1",
        help="full-image pixels, clamped to the image (a negative first: --region=-5,0,90,40)",
    )
    add(
        "--region-mode",
        choices=("crop", "highlight"),
        default="crop",
        help="show the model the region only (crop), or the image with it outlined",
    )
    add(
        "--strict",
        action=argparse.BooleanOptionalAction,
        help="schema-constrained decoding (default: on for a structured preset when xgrammar "
        "is installed)",
    )
    add(
        "--repair-turns",
        type=int,
        default=1,
        metavar="N",
        help="follow-ups showing the model its invalid JSON, {} to {} (1)".format(
            *REPAIR_TURNS_RANGE
        ),
    )
    add("--threshold", type=float, metavar="V", help="gauge alarm threshold")
    direction = ask_parser.add_mutually_exclusive_group()
    for side in DIRECTIONS:
        direction.add_argument(
            f"--{side}",
            dest="direction",
            action="store_const",
            const=side,
            help=f"alarm when the value is {side} V" + " (the default)" * (side == "above"),
        )
    add_intake(ask_parser, several=True)
    add(
        "--evidence",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="look for each value of the answer on the image with OCR (on)",
    )
    add("--json", action="store_true", help="print one JSON object at the end (see below)")
    add_presets_dir(ask_parser)
    generation = ask_parser.add_argument_group(
        "generation", "default: the preset's, else Qwen's model-card values"
    )
    generation.add_argument("--temperature", type=float, help="0 to 2; 0 is greedy (0.7)")
    generation.add_argument("--top-p", type=float, help="above 0, up to 1 (0.8)")
    generation.add_argument("--max-new-tokens", type=int, help="1 to 8192 (1024)")
    settings_module.add_arguments(ask_parser)
    add("-v", "--verbose", action="store_true", help="log loading stages and tracebacks")


def _add_bench(commands: Any) -> None:
    bench = commands.add_parser("bench", help="print benchmark numbers")
    bench.add_argument(
        "what",
        choices=["strict", "examples", "model", "app", "first", "remote", "load", "ocr", "compare"],
        help="strict: valid share and ms/token; examples: drawing time; model: load, memory, "
        "speed per dtype on a random model of a real size (--engine llamacpp: on llama.cpp; "
        "--engine both: llama.cpp against transformers bf16, alternating); app: page-up time "
        "and idle memory; first: launch to the first answer, lazy and with --preload; "
        "remote: the remote engine vs a bare openai client (--engine openai --base-url URL); "
        "load: --users users asking --questions questions each, through the app, to --base-url; "
        "ocr: OCR time, recall clean / darkened / enhanced, evidence on each example; "
        "compare: seconds per screenshot pair (phone, desktop), what each drawn pair shows",
    )
    bench.add_argument("--runs", type=int, help="strict: seeds (3); model: repeats (5); app (5)")
    bench.add_argument("--max-new-tokens", type=int, help="override the presets' limits")
    bench.add_argument(
        "--config",
        default="qwen3-vl-4b-instruct",
        help="model: a config.json path, or qwen3-vl-4b-instruct / qwen3-vl-2b-instruct",
    )
    bench.add_argument("--layers", type=int, help="model: cut the text stack to N layers")
    bench.add_argument("--users", type=int, default=16, help="load: users at once (16)")
    bench.add_argument("--questions", type=int, default=3, help="load: questions per user (3)")
    bench.add_argument(
        "--in-turn",
        action="store_true",
        help="load: users one after another on the app's own model (--model, default tiny), "
        "its memory after 10, 100, 250, 500 and 1,000 answers",
    )
    settings_module.add_arguments(bench)
    bench.add_argument("-v", "--verbose", action="store_true", help="log loading stages")


def _add_ocr(commands: Any) -> None:
    ocr = commands.add_parser(
        "ocr",
        help="print the text lines OCR reads off an image or a PDF page",
        description="Read the text lines off an image or a PDF page with RapidOCR (offline), "
        "after the same enhancement the tabs apply. Exit 2 for an unusable image.",
    )
    ocr.add_argument("--image", required=True, metavar="PATH", help="an image or a PDF")
    add_intake(ocr)
    ocr.add_argument(
        "--json",
        action="store_true",
        help='print {"lines": [{"text", "box": [x0, y0, x1, y1], "score"}], "enhanced": [...]}',
    )
    evidence = commands.add_parser(
        "evidence",
        help="say which values of an answer are printed on the image",
        description="Look for each value of an answer (JSON: numbers, dates, codes, short "
        "strings; free text: its numbers and dates) among the OCR lines of the image. Exit 2 "
        "for an unusable image or an empty answer.",
    )
    evidence.add_argument("--image", required=True, metavar="PATH", help="an image or a PDF")
    evidence.add_argument(
        "--answer", required=True, metavar="FILE_OR_JSON", help="a file, JSON, or text"
    )
    add_intake(evidence)
    evidence.add_argument(
        "--json",
        action="store_true",
        help='print {"values": [{"path", "value", "found", "box"}], "found": N, "total": M}',
    )


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve a model with transformers' OpenAI-compatible server, for --engine openai",
        description="Serve one model with `transformers serve` (the workbench's compatibility "
        "patches applied) and print the base URL for --engine openai. For a team, serve with "
        "vLLM or SGLang instead (docs/scaling-out.md).",
    )
    serve.add_argument(
        "--model",
        default=settings_module.DEFAULT_MODEL,
        help="tiny (random weights, offline), a local directory or a hub id "
        f"(default: {settings_module.DEFAULT_MODEL})",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    serve.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:0 … (auto)")
    serve.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where the tiny model is built (default: WORKBENCH_CACHE_DIR or ~/.cache/workbench)",
    )


def _region_box(text: str) -> tuple[float, float, float, float]:
    """Return --region's four numbers; argparse reports the problem and the usage."""
    parts = text.split(",")
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(f"expected 4 numbers X0,Y0,X1,Y1, got {text!r}")
    try:
        x0, y0, x1, y1 = (float(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers X0,Y0,X1,Y1, got {text!r}") from None
    if not all(math.isfinite(number) for number in (x0, y0, x1, y1)):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return x0, y0, x1, y1


def main(argv: Sequence[str] | None = None, prog: str = "python -m workbench") -> int:
    """Run the command line and return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["ui"]:
        return _ui(argv[1:])
    args = build_parser(prog).parse_args(argv)
    verbose = getattr(args, "verbose", False)
    if not verbose:  # read by huggingface_hub and transformers when they are imported
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # Errors reach the user as one line each; tracebacks only in the verbose log.
    logging.basicConfig(level=logging.INFO if verbose else logging.CRITICAL)
    if args.command == "presets":
        return run_presets(args)
    if args.command == "bench":
        return _bench(args)
    if args.command == "eval":
        return run_eval(args)
    if args.command == "golden":
        return run_golden(args)
    if args.command == "batch":
        return run_batch_command(args)
    if args.command == "compare":
        return run_compare(args)
    if args.command == "contrast":
        return run_contrast(args)
    if args.command == "ocr":
        return run_ocr(args)
    if args.command == "evidence":
        return run_evidence(args)
    if args.command == "download":
        return run_download(args)
    if args.command == "serve":
        from workbench.engines import serve

        serve.run(
            args.model,
            args.host,
            args.port,
            args.cache_dir or settings_module.default_cache_dir(),
            args.device,
        )
        return EXIT_OK
    return run_ask(args)


def console() -> int:
    """Run the installed `workbench` command."""
    return main(prog="workbench")


# ---------------------------------------------------------------- bench and ui


def _bench(args: argparse.Namespace) -> int:
    try:
        # `bench model --engine both`: llama.cpp and transformers side by side, not a setting.
        args.engines = ("transformers", "llamacpp") if args.engine == "both" else ()
        if args.engines:
            args.engine = "llamacpp"
        settings = settings_module.from_environment(args)
        lines = _bench_lines(args, settings)
        for line in lines:
            print(line, flush=True)
    except ValueError as error:
        return fail(EXIT_USAGE, str(error))
    except ModelLoadError as error:
        return fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    except RuntimeError as error:  # a benchmark's own process failed; it said why
        return fail(EXIT_MODEL, str(error))
    return EXIT_OK


def _bench_lines(args: argparse.Namespace, settings: settings_module.Settings) -> Iterator[str]:
    if args.what == "examples":
        from workbench.bench.strict import bench_examples

        return bench_examples()
    if args.what == "app":
        from workbench.bench.app import bench_app

        return bench_app(args.runs or 5, settings.model if args.model else "tiny")
    if args.what == "first":
        from workbench.bench.app import bench_first_answer

        return bench_first_answer(settings.model if args.model else "tiny")
    if args.what == "model" and settings.engine == "llamacpp":
        from workbench.bench.engines import bench_engines

        engines = args.engines or ("llamacpp",)
        return bench_engines(settings, args.config, args.layers, args.runs or 1, engines)
    if args.what == "model":
        from workbench.bench.model import bench_model

        return bench_model(settings, args.config, args.layers, args.runs or 5)
    if args.what == "compare":
        from workbench.bench.compare import bench_compare

        return bench_compare(args.runs or 3)
    if args.what == "ocr":
        from workbench.bench.ocr import bench_ocr

        return bench_ocr(settings.cache_dir / "examples")
    if args.what == "remote":
        from workbench.bench.remote import bench_remote

        return bench_remote(settings, args.runs or 5, args.max_new_tokens or 64)
    if args.what == "load" and args.in_turn:
        from workbench.bench.load import bench_in_turn

        return bench_in_turn(settings, args.users, args.questions, args.model or "tiny")
    if args.what == "load":
        if not settings.remote:
            raise ValueError("bench load needs --engine openai --base-url URL")
        from workbench.bench.load import bench_load  # drives the app through its API: Gradio's side

        return bench_load(settings.base_url, args.users, args.questions)
    from workbench.bench.strict import bench_strict

    session = ModelSession(settings)
    session.get()
    return bench_strict(session, args.runs or 3, args.max_new_tokens)


def _ui(argv: list[str]) -> int:
    """Serve the app with launch.py's flags, as launch.py's own process (this one becomes it).

    launch.py is installed beside the packages. The core never imports it: the app is the
    layer above the command line, so `ui` starts it as a program.
    """
    if importlib.util.find_spec("launch") is None:
        return fail(
            EXIT_MISSING,
            "`ui` needs launch.py, which is neither installed nor in this folder: run it in the "
            "repository (python launch.py), or install the workbench with `pip install .`",
        )
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "launch", *argv])
    return EXIT_OK  # only where execv is replaced (tests)
