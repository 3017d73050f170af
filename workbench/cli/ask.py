"""The `ask` and `presets` commands of the command line (`workbench.cli.main` parses them)."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench import settings as settings_module
from workbench.answers.checks import CheckContext
from workbench.choices import ask_budget, preset_params, render_tokens, strict_choice
from workbench.engines.base import EngineError, GenerationParams, one_line
from workbench.engines.choice import choose_engine
from workbench.intake import read_intake
from workbench.intake.images import ImageError
from workbench.messages import word
from workbench.pipeline import (
    Answer,
    Delta,
    Finished,
    Question,
    RepairStarted,
    ask,
    make_question,
)
from workbench.prompts.presets import PRESETS_DIR, Preset, PresetError, PresetFile, load_all, slug
from workbench.prompts.turns import system_prompt
from workbench.record import result_record
from workbench.session import RANDOM_WEIGHTS_WARNING, ModelSession, Status

EXIT_OK, EXIT_MISSING, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3
REPAIR_TURNS_RANGE = (0, 2)  # as the tabs' slider
log = logging.getLogger(__name__)


def add_presets_dir(parser: argparse.ArgumentParser) -> None:
    """Add --presets-dir to a command's parser."""
    parser.add_argument(
        "--presets-dir",
        type=Path,
        default=PRESETS_DIR,
        metavar="DIR",
        help=f"the folder of preset files (default: {PRESETS_DIR})",
    )


def fail(code: int, message: str) -> int:
    """Print the error as one line on stderr; return `code`."""
    print(f"error: {message}", file=sys.stderr)
    return code


# ---------------------------------------------------------------- presets


def find_preset(ref: str, loaded: dict[str, PresetFile | PresetError]) -> tuple[str, Preset]:
    """Return (tab, preset) for "TAB:NAME"; ValueError names the known tabs or presets."""
    tab, _, name = (part.strip() for part in ref.partition(":"))
    tabs = {key.casefold(): key for key in loaded}
    if tab.casefold() not in tabs:
        raise ValueError(f"unknown tab {tab!r} in --preset {ref!r}; tabs: {', '.join(loaded)}")
    tab = tabs[tab.casefold()]
    presets = loaded[tab]
    if isinstance(presets, PresetError):
        raise ValueError(f"the {tab} presets cannot be used: {presets}")
    if not name:
        known = ", ".join(presets.slugs)
        raise ValueError(f"--preset {ref!r} names no preset; {tab} has: {known}")
    return tab, presets.find(name)


def presets_listing(loaded: dict[str, PresetFile | PresetError]) -> list[dict[str, Any]]:
    """Return each tab's presets as JSON-ready data, or the error that keeps them out."""
    listing = []
    for tab, presets in loaded.items():
        entry: dict[str, Any] = {"tab": tab, "error": None, "presets": []}
        if isinstance(presets, PresetError):
            entry["error"] = str(presets)
        else:
            entry["presets"] = [_preset_entry(tab, preset) for preset in presets.presets]
        listing.append(entry)
    return listing


def _preset_entry(tab: str, preset: Preset) -> dict[str, Any]:
    return {
        "name": preset.name,
        "slug": slug(preset.name),
        "preset": f"{tab}:{slug(preset.name)}",  # what --preset takes
        "structured": preset.structured,
        "schema": preset.schema_file,
        "checks": list(preset.checks),
    }


def run_presets(args: argparse.Namespace) -> int:
    """Run `presets`: list each tab's presets; return the exit code."""
    loaded = load_all(args.presets_dir)
    if not loaded:
        return fail(EXIT_MISSING, f"no preset files (*.toml) in {args.presets_dir}")
    listing = presets_listing(loaded)
    if args.json:
        print(json.dumps({"folder": str(args.presets_dir), "tabs": listing}, ensure_ascii=False))
    else:
        _print_presets(listing, args.presets_dir)
    return EXIT_OK if any(entry["error"] is None for entry in listing) else EXIT_MISSING


def _print_presets(listing: list[dict[str, Any]], folder: Path) -> None:
    print(f"Presets in {folder}; ask with --preset TAB:NAME (the name, or its slug).")
    width = max((_width(p["preset"]) for entry in listing for p in entry["presets"]), default=0)
    for entry in listing:
        if entry["error"] is not None:
            print(f"error: {entry['error']}", file=sys.stderr, flush=True)
            continue
        print(f"\n{entry['tab']}", flush=True)
        for preset in entry["presets"]:
            checks = f"JSON, checks: {', '.join(preset['checks']) or 'none'}"
            kind = checks if preset["structured"] else "free text"
            padding = " " * (width - _width(preset["preset"]))
            print(f"  {preset['preset']}{padding}  {preset['name']}  ({kind})")


def _width(text: str) -> int:
    """Return the columns a terminal gives the text: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


# ---------------------------------------------------------------- ask


def run_ask(args: argparse.Namespace) -> int:
    """Run `ask`: one question about one image; return the exit code."""
    try:
        settings = settings_module.from_environment(args)
        tab, preset = (
            find_preset(args.preset, load_all(args.presets_dir)) if args.preset else (None, None)
        )
        params = _params(args, preset)
        text = args.question if args.question is not None else _preset_question(preset, args)
        if not text.strip():
            raise ValueError("the question is empty")
        strict = strict_choice(args.strict, preset, choose_engine(settings).engine)
        alarm = _alarm(args.threshold, args.direction)
        _check_repair_turns(args.repair_turns)
        intake = read_intake(
            args.image,
            pages=args.page,
            enhance=args.enhance,
            max_tokens=render_tokens(preset, settings),
            region=args.region,
        )
        if args.region is not None and intake.region is None:
            size = intake.image.size
            shown = ",".join(f"{number:g}" for number in args.region)
            raise ValueError(f"region {shown} has no area inside the {size[0]}×{size[1]} image")
    except (ValueError, ImageError, OSError) as error:
        return fail(EXIT_USAGE, str(error))
    session = ModelSession(settings)
    try:
        load_with_stages(session, quiet=args.json)
        budget = ask_budget(preset, settings, session.status)
        question = make_question(
            intake,
            text,
            replace(params, visual_tokens=budget),
            preset=preset,
            role=args.role,
            language=args.language,
            region_mode=args.region_mode,
            evidence=args.evidence,
            strict=strict,
            repair_turns=args.repair_turns,
            check_context=alarm,
            abstain_below=settings.abstain_below,
            agreement=settings.agreement,
        )
        if args.system:
            question = replace(question, system=system_prompt(args.role, args.system))
        if session.status.random_weights and not args.json:
            print(f"[{RANDOM_WEIGHTS_WARNING}]", file=sys.stderr, flush=True)
        answer = _answer(session, question, echo=not args.json)
    except EngineError as error:  # not loaded, or a remote server failed: it says what to do
        return fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    except Exception as error:  # the log (-v) keeps the traceback; the user gets one line
        log.exception("generation failed")
        return fail(EXIT_MODEL, f"The model failed while answering: {one_line(error)}")
    status = session.status
    record = result_record(
        answer,
        question,
        status=status,
        tab=tab,
        image_name=intake.name,
        image_sha256=intake.digest,
    )
    if args.json:
        print(json.dumps(ask_report(record, status, answer), ensure_ascii=False))
    else:
        print()
        for line in summary_lines(record):
            print(f"[{line}]", file=sys.stderr)
    return EXIT_OK


def _params(args: argparse.Namespace, preset: Preset | None) -> GenerationParams:
    """Return the preset's generation defaults (else the engine's) with the flags' changes."""
    base = preset_params(preset)
    flags = {key: getattr(args, key) for key in ("temperature", "top_p", "max_new_tokens")}
    return replace(base, **{key: value for key, value in flags.items() if value is not None})


def _preset_question(preset: Preset | None, args: argparse.Namespace) -> str:
    if preset is None:
        raise ValueError("give --question, or --preset TAB:NAME to ask the preset's question")
    return preset.prompt(args.language)[1]


def _alarm(threshold: float | None, direction: str | None) -> CheckContext:
    if threshold is None:
        if direction is not None:
            raise ValueError(f"--{direction} needs --threshold")
        return CheckContext()
    if not math.isfinite(threshold):
        raise ValueError(f"threshold {threshold} is not a finite number")
    return CheckContext(threshold=threshold, threshold_direction=direction or "above")


def _check_repair_turns(turns: int) -> None:
    low, high = REPAIR_TURNS_RANGE
    if not low <= turns <= high:
        raise ValueError(f"repair_turns {turns} is outside {low} to {high}")


PROGRESS_SECONDS = 5.0  # a download's progress on stderr, at most this often


def load_with_stages(session: ModelSession, *, quiet: bool) -> None:
    """Load the model, printing each loading stage once on stderr; raise ModelLoadError.

    A download's progress line changes every moment: it is printed when the file changes, and
    at most every few seconds.
    """
    stage, printed = "", 0.0
    for status in session.loading():
        if quiet or status.state != "loading" or status.stage == stage:
            continue
        same_step = status.stage.partition(":")[0] == stage.partition(":")[0]
        if same_step and time.monotonic() - printed < PROGRESS_SECONDS:
            continue
        stage, printed = status.stage, time.monotonic()
        print(f"[{status.describe()}]", file=sys.stderr, flush=True)


def _answer(session: ModelSession, question: Question, *, echo: bool) -> Answer:
    """Return the pipeline's answer, streaming its text to stdout when `echo`."""
    for event in ask(session, question):
        if isinstance(event, Finished):
            return event.answer
        if echo and isinstance(event, Delta):
            print(event.text, end="", flush=True)
        elif echo and isinstance(event, RepairStarted):
            print(flush=True)
            note = f"[repair turn {event.turn}: the JSON was not valid; asking again]"
            print(note, file=sys.stderr, flush=True)
    raise RuntimeError("the pipeline ended without an answer")


def ask_report(record: dict[str, Any], status: Status, answer: Answer) -> dict[str, Any]:
    """Return `ask --json`'s object: the record, then the load and the last turn's numbers."""
    last = answer.stats[-1].as_dict()
    last["timings"]["load_s"] = round(status.load_seconds or 0.0, 3)
    patches = [patch.name for patch in status.patches]
    reason = word(status.engine_reason, "en") if status.engine_reason else ""
    extra = {"dtype_reason": status.dtype_reason, "engine_reason": reason, "patches": patches}
    return {**record, **extra, **last}


def summary_lines(record: dict[str, Any]) -> list[str]:
    """Return the verdict, checks, boxes, repairs and evidence of a record, a line each."""
    validation = record["validation"]
    lines = list(record["repairs"])
    if record["parameters"]["strict"] and not all(turn["constrained"] for turn in record["turns"]):
        lines.append("strict asked, but the server does not constrain decoding: validated after")
    if validation["extraction_error"]:
        lines.append(f"no usable JSON: {validation['extraction_error']}")
    elif record["parsed"] is None:  # a free-text answer: no verdict
        pass
    elif validation["valid"]:
        lines.append("valid JSON: matches the schema")
    else:
        count = len(validation["errors"])
        lines.append(f"invalid JSON: {count} schema error{'s' * (count != 1)}")
        lines += [f"  {error['at']}: {error['message']}" for error in validation["errors"]]
    for check in record["checks"]:
        lines.append(
            f"check {check['name']}: {'ok' if check['ok'] else 'FAILED'}, {check['detail']}"
        )
    for box in record["boxes"]:
        lines.append(f"box {box['label']!r}: {','.join(map(str, box['box']))} px")
    lines += evidence_lines(record.get("evidence"))
    return lines + confidence_lines(record.get("confidence"))


def confidence_lines(confidence: dict[str, Any] | None) -> list[str]:
    """Return the values to check or of low confidence, a line each, the held-back ones said."""
    if not confidence:
        return []
    doubtful = [value for value in confidence["values"] if value["level"] != "high"]
    lines = [f"confidence: {len(doubtful)} of {len(confidence['values'])} values to check"]
    for value in doubtful:
        held = ", returned as null" if value["abstained"] else ""
        why = "; ".join(value["reasons"])
        lines.append(f"  {value['level']} {value['score']:.2f}: {value['at']} ({why}){held}")
    return lines


def evidence_lines(evidence: dict[str, Any] | None) -> list[str]:
    """Return the OCR evidence: how many values were seen, then each one that was not."""
    if not evidence or not evidence["total"]:
        return []
    lines = [f"evidence: {evidence['found']} of {evidence['total']} values seen on the image"]
    lines += [
        f"  not on the image: {value['at']} = {value['value']!r}"
        for value in evidence["values"]
        if not value["found"]
    ]
    return lines
