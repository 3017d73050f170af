"""The command line: `python -m workbench ask --image PATH --question TEXT`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence

from workbench import settings as settings_module
from workbench.engine import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_TEMPERATURE,
    GenerationParams,
    ModelLoadError,
    one_line,
)
from workbench.images import ImageError, load_image
from workbench.session import RANDOM_WEIGHTS_WARNING, ModelSession

EXIT_OK, EXIT_USAGE, EXIT_MODEL = 0, 2, 3
log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for `python -m workbench`."""
    parser = argparse.ArgumentParser(prog="python -m workbench")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="ask one question about one image")
    ask.add_argument("--image", required=True, help="path of the image file")
    ask.add_argument("--question", required=True, help="what to ask about the image")
    ask.add_argument("--system", default="", help="system prompt (a role, instructions)")
    ask.add_argument("--temperature", type=float, default=DEFAULT_TEMPERATURE)
    ask.add_argument("--top-p", type=float, default=GenerationParams.top_p)
    ask.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS)
    ask.add_argument("--json", action="store_true", help="print one JSON object at the end")
    settings_module.add_arguments(ask)
    bench = commands.add_parser("bench", help="print benchmark numbers")
    bench.add_argument(
        "what",
        choices=["strict", "examples", "model", "app"],
        help="strict: valid share and ms/token; examples: drawing time; model: load, memory, "
        "speed per dtype on a random model of a real size; app: page-up time and idle memory",
    )
    bench.add_argument("--runs", type=int, help="strict: seeds (3); model: repeats (5); app (5)")
    bench.add_argument("--max-new-tokens", type=int, help="override the presets' limits")
    bench.add_argument(
        "--config",
        default="qwen3-vl-4b-instruct",
        help="model: a config.json path, or qwen3-vl-4b-instruct / qwen3-vl-2b-instruct",
    )
    bench.add_argument("--layers", type=int, help="model: cut the text stack to N layers")
    settings_module.add_arguments(bench)
    for command in (ask, bench):
        command.add_argument("-v", "--verbose", action="store_true", help="log loading stages")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    args = build_parser().parse_args(argv)
    if not args.verbose:  # read by huggingface_hub and transformers when they are imported
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # Errors reach the user as one line each; tracebacks only in the verbose log.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.CRITICAL)
    if args.command == "bench":
        return _bench(args)
    try:
        settings = settings_module.from_environment(args)
        params = GenerationParams(
            temperature=args.temperature,
            top_p=args.top_p,
            max_new_tokens=args.max_new_tokens,
        )
        image = load_image(args.image)
    except (ValueError, ImageError) as error:
        return _fail(EXIT_USAGE, str(error))
    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append(
        {
            "role": "user",
            "content": [{"type": "image", "image": image}, {"type": "text", "text": args.question}],
        }
    )
    session = ModelSession(settings)
    try:
        if not args.json:  # --json prints one object on stdout and nothing else on stderr
            _show_loading(session)
        generation = session.stream(messages, params)
        if session.status.random_weights and not args.json:
            print(f"[{RANDOM_WEIGHTS_WARNING}]", file=sys.stderr)
        for piece in generation:
            if not args.json:
                print(piece, end="", flush=True)
    except ModelLoadError as error:
        return _fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    except Exception as error:  # the log (-v) keeps the traceback; the user gets one line
        log.exception("generation failed")
        return _fail(EXIT_MODEL, f"The model failed while answering: {one_line(error)}")
    status = session.status
    if args.json:
        report = {
            "answer": generation.text,
            "model": settings.model,
            "random_weights": status.random_weights,
            "device": status.device,
            "dtype": status.dtype,
            "dtype_reason": status.dtype_reason,
            "patches": [patch.name for patch in status.patches],
            **generation.stats.as_dict(),
        }
        report["timings"]["load_s"] = round(status.load_seconds or 0.0, 3)
        print(json.dumps(report, ensure_ascii=False))
    else:
        print()
    return EXIT_OK


def _show_loading(session: ModelSession) -> None:
    """Load the model, printing each loading stage once on stderr; raise ModelLoadError."""
    stage = ""
    for status in session.loading():
        if status.state == "loading" and status.stage != stage:
            stage = status.stage
            print(f"[{status.describe()}]", file=sys.stderr, flush=True)


def _bench(args: argparse.Namespace) -> int:

    try:
        settings = settings_module.from_environment(args)
        lines = _bench_lines(args, settings)
        for line in lines:
            print(line, flush=True)
    except ValueError as error:
        return _fail(EXIT_USAGE, str(error))
    except ModelLoadError as error:
        return _fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    except RuntimeError as error:  # a benchmark's own process failed; it said why
        return _fail(EXIT_MODEL, str(error))
    return EXIT_OK


def _bench_lines(args: argparse.Namespace, settings: settings_module.Settings) -> Iterator[str]:
    if args.what == "examples":
        from workbench.bench import bench_examples

        return bench_examples()
    if args.what == "app":
        from workbench.bench_app import bench_app

        return bench_app(args.runs or 5, settings.model if args.model else "tiny")
    if args.what == "model":
        from workbench.bench_model import bench_model

        return bench_model(settings, args.config, args.layers, args.runs or 5)
    from workbench.bench import bench_strict

    session = ModelSession(settings)
    session.get()
    return bench_strict(session, args.runs or 3, args.max_new_tokens)


def _fail(code: int, message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code
