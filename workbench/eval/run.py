"""The eval harness: run a golden set through the model as the tabs ask, score every turn.

`run_set(cases, session, out_dir=…)` asks each case's turns about its image (the preset's
prompt, schema, checks, generation defaults and image budget, as `ask` does; strict decoding
where the engine can; one repair turn; OCR evidence) and writes `results.jsonl`, a line per
case, as it goes. A line::

    {"id", "tab", "level", "preset", "image", "page", "turn_count", "image_size",
     "model", "passed", "error", "turns": [{"question", "answer", "parsed", "kind", "expect",
       "passed", "reason", "schema_valid", "checks": [{"name", "ok", "detail"}],
       "evidence": {"found", "total"} | null, "boxes": [{"label", "box"}],
       "tokens", "latency_s", "repairs", "confidence"}],
     "confidence": {"values": [{"at", "score", "level", "right", "turn"}]}}

`passed` is true when every turn passed; a case that could not run (an unreadable image, a
model error) has its `error` and is failed, and the run goes on. `tokens` is what the model
generated for the turn (repair turn included) and `latency_s` the turn's wall time (OCR
included). `confidence` scores each value of a turn's JSON (docs/confidence.md), `right` from
the case's expected JSON at that path (null where it says nothing); the run's gathers every
turn's. With a second session, `model`, `passed`, `error` and `turns` move under "a" and
"b" (same keys), and `agree` says whether both passed or both failed. A case with a `source`
(`golden from-review` writes "review") carries it in its line, under "source".
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from workbench.choices import ask_budget, preset_params, render_tokens, strict_choice
from workbench.engines.base import EngineError, one_line
from workbench.eval.expectations import Expectation
from workbench.eval.golden import Case, Turn
from workbench.eval.scoring import score, value_rights
from workbench.evidence.match import evidence_json
from workbench.intake import Intake, read_intake
from workbench.intake.images import ImageError
from workbench.pipeline import (
    Answer,
    Finished,
    ask,
    asks_for_json,
    make_question,
)
from workbench.prompts.presets import Preset, PresetError, PresetFile, load_all
from workbench.record import boxes_json, checks_json
from workbench.session import ModelSession

RESULTS_FILE = "results.jsonl"
REPAIR_TURNS = 1
ENHANCE = "auto"
# The built-in examples' levels: reading printed values (receipts, gauges) is L1, finding and
# placing defects on a screen L2, judging a worked solution step by step L3.
EXAMPLE_LEVELS = {"receipts": "L1", "gauges": "L1", "screenshots": "L2", "homework": "L3"}
# Left out of an example's truth when it is the expectation: the model's own certainty,
# not something read off the image.
_NOT_EXPECTED = ("confidence",)

Progress = Callable[[int, int, dict[str, Any]], None]
Presets = Mapping[str, PresetFile | PresetError]
log = logging.getLogger(__name__)


def run_set(
    cases: Iterable[Case],
    session: ModelSession,
    *,
    out_dir: str | Path,
    compare_session: ModelSession | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    presets: Presets | None = None,
    max_new_tokens: int | None = None,
) -> list[dict[str, Any]]:
    """Return a result line per case, also written to `out_dir`/results.jsonl as each ends.

    `limit` runs the first N cases; `progress(done, total, line)` is called after each case;
    `max_new_tokens` overrides the presets' limits. The models are loaded first: one that
    cannot load raises (ModelLoadError) before any case runs.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be at least 0, got {limit}")
    chosen = list(cases)[:limit]
    sessions = (session,) if compare_session is None else (session, compare_session)
    for each in sessions:
        each.get()
    presets = load_all() if presets is None else presets
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    with (folder / RESULTS_FILE).open("w", encoding="utf-8") as file:
        for done, case in enumerate(chosen, start=1):
            line = run_case(case, sessions, presets, max_new_tokens)
            file.write(json.dumps(line, ensure_ascii=False) + "\n")
            file.flush()  # a run cut short keeps the cases it finished
            lines.append(line)
            if progress is not None:
                progress(done, len(chosen), line)
    return lines


def run_case(
    case: Case,
    sessions: Sequence[ModelSession],
    presets: Presets,
    max_new_tokens: int | None = None,
) -> dict[str, Any]:
    """Return the result line of one case, asked of one session or compared across two."""
    head: dict[str, Any] = {
        "id": case.id,
        "tab": case.tab,
        "level": case.level,
        "preset": case.preset,
        "image": str(case.image),
        "page": case.page,
        "turn_count": len(case.turns),
        "image_size": None,
    }
    if case.source:  # "review": the charts' agreement with the reviewers reads it
        head["source"] = case.source
    try:
        preset = _preset(case, presets)
        intake = _intake(case, preset, sessions[0])
    except (ImageError, OSError, ValueError) as error:
        runs = [_run(session, _message(error)) for session in sessions]
    else:
        head["image_size"] = list(intake.image.size)
        runs = [_ask_turns(case, preset, intake, session, max_new_tokens) for session in sessions]
    if len(runs) == 1:
        return {**head, **runs[0]}
    return {**head, "a": runs[0], "b": runs[1], "agree": runs[0]["passed"] == runs[1]["passed"]}


def model_runs(line: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a result line's run per model: [the line] alone, or [its "a", its "b"]."""
    return [line["a"], line["b"]] if "a" in line else [line]


def examples_as_cases(examples_dir: str | Path, presets: Presets | None = None) -> list[Case]:
    """Return the built-in examples (drawn under `examples_dir` if missing) as a golden set.

    Each asks its own question under its preset, at the level `EXAMPLE_LEVELS` gives its tab.
    Homework expects the truth's verdict (`correct`). Under a structured preset the truth is
    expected as JSON, less its `confidence`; under a free-text one (receipts' "Find
    discounts"), the first discount's description in the answer, else the total or the value.
    """
    from workbench.examples import ensure_examples  # draws pictures: only when asked

    presets = load_all() if presets is None else presets
    cases = []
    for tab, examples in ensure_examples(Path(examples_dir)).items():
        for example in examples:
            entry = presets.get(tab)
            preset = entry.find(example.preset) if isinstance(entry, PresetFile) else None
            structured = preset is None or preset.structured
            turn = Turn(example.question, _example_expectation(tab, example.truth, structured))
            level = EXAMPLE_LEVELS.get(tab, "L1")
            image = example.image_path.resolve()
            cases.append(
                Case(f"example:{example.name}", image, None, tab, example.preset, level, (turn,))
            )
    return cases


def _example_expectation(tab: str, truth: dict[str, Any], structured: bool) -> Expectation:
    if tab == "homework":
        return Expectation("verdict", "correct" if truth["correct"] else "incorrect")
    if structured:
        return Expectation("json", {k: v for k, v in truth.items() if k not in _NOT_EXPECTED})
    discounts = truth.get("discounts") or [{}]
    if discounts[0].get("description"):
        return Expectation("text", discounts[0]["description"], match="contains")
    if "total" in truth:
        return Expectation("number", truth["total"], tolerance=0.01)
    return Expectation("number", truth["value"], unit=truth.get("unit"))


def _preset(case: Case, presets: Presets) -> Preset | None:
    if case.preset is None:
        return None
    entry = presets.get(case.tab)
    if entry is None:
        raise ValueError(f"no presets for tab {case.tab!r}")
    if isinstance(entry, PresetError):
        raise ValueError(f"the {case.tab} presets cannot be used: {entry}")
    return entry.find(case.preset)


def _intake(case: Case, preset: Preset | None, session: ModelSession) -> Intake:
    """Return the case's image (or PDF page) as the tabs show it, rendered for the budget."""
    pages = [case.page] if case.page is not None else None
    max_tokens = render_tokens(preset, session.settings)
    return read_intake(case.image, pages=pages, enhance=ENHANCE, max_tokens=max_tokens)


def _run(session: ModelSession, error: str | None = None) -> dict[str, Any]:
    return {
        "model": session.status.model,
        "passed": False,
        "error": error,
        "turns": [],
        "confidence": {"values": []},
    }


def _ask_turns(
    case: Case,
    preset: Preset | None,
    intake: Intake,
    session: ModelSession,
    max_new_tokens: int | None,
) -> dict[str, Any]:
    """Return one model's run of the case: each turn asked with the earlier ones as history."""
    run = _run(session)
    history: tuple[tuple[str, str], ...] = ()
    try:
        for index, turn in enumerate(case.turns):
            record, answer = _ask_turn(
                turn, index, preset, intake, session, history, max_new_tokens
            )
            run["turns"].append(record)
            history += tuple(answer.turns)  # repair turns too, as the tab's conversation keeps
    except EngineError as error:  # not loaded, or a remote server failed: it says what to do
        run["error"] = f"{error.reason} {error.hint}".strip()
    except Exception as error:  # the log keeps the traceback; the line gets one line
        log.exception("case %s failed on %s", case.id, run["model"])
        run["error"] = _message(error)
    run["passed"] = run["error"] is None and all(turn["passed"] for turn in run["turns"])
    run["confidence"] = {
        "values": [
            {**value, "turn": index}
            for index, turn in enumerate(run["turns"])
            for value in (turn["confidence"] or {}).get("values", [])
        ]
    }
    return run


def _ask_turn(
    turn: Turn,
    index: int,
    preset: Preset | None,
    intake: Intake,
    session: ModelSession,
    history: tuple[tuple[str, str], ...],
    max_new_tokens: int | None,
) -> tuple[dict[str, Any], Answer]:
    """Return a turn's record and the answer: asked as the tab asks it, then scored."""
    text = turn.question or (preset.question if preset else "")
    if not text.strip():
        raise ValueError("the turn has no question and the case no preset")
    # A follow-up is free text unless it asks for JSON, as in the tabs.
    structured = preset is not None and (index == 0 or asks_for_json(text, preset))
    params = preset_params(preset, max_new_tokens)
    budget = ask_budget(preset, session.settings, session.status)
    question = make_question(
        intake,
        text,
        replace(params, visual_tokens=budget),
        preset=preset,
        structured=structured,
        history=history,
        history_tokens=session.settings.history_tokens,
        evidence=True,
        strict=strict_choice(None, preset, session.status.engine),
        repair_turns=REPAIR_TURNS,
        agreement=session.settings.agreement,
    )
    started = time.perf_counter()
    answer = _finished(ask(session, question))
    latency = time.perf_counter() - started
    parsed = answer.extraction.value if answer.extraction else None
    outcome = score(turn.expect, answer.text, parsed)
    record = {
        "question": text,
        "answer": answer.text,
        "parsed": parsed,
        "kind": turn.expect.kind,
        "expect": expectation_json(turn.expect),
        "passed": outcome.passed,
        "reason": outcome.reason,
        "schema_valid": answer.valid if question.schema is not None else None,
        "checks": checks_json(answer.checks),
        "evidence": evidence_json(answer.evidence, values=False),
        "boxes": boxes_json(answer.boxes),
        "tokens": sum(stats.generated_tokens for stats in answer.stats),
        "latency_s": round(latency, 3),
        "repairs": len(answer.stats) - 1,
        "confidence": scored_confidence(answer, value_rights(turn.expect, parsed)),
    }
    return record, answer


def scored_confidence(answer: Answer, rights: Mapping[str, bool | None]) -> dict[str, Any] | None:
    """Return {"values": [{"at", "score", "level", "right"}]}: each value's confidence and
    whether the golden case says it is right (None: the case says nothing about it)."""
    if answer.confidence is None:
        return None
    values = [
        {"at": each.path, "score": each.score, "level": each.level, "right": rights.get(each.path)}
        for each in answer.confidence.values
    ]
    return {"values": values}


def expectation_json(expect: Expectation) -> dict[str, Any]:
    """Return an expectation as cases.jsonl writes it: {"number": 6.4, "tolerance": 0.1}."""
    value = list(expect.value) if isinstance(expect.value, tuple) else expect.value
    options = {
        "match": expect.match if expect.kind == "text" else None,
        "tolerance": expect.tolerance or None,
        "unit": expect.unit,
    }
    return {expect.kind: value} | {
        key: shown for key, shown in options.items() if shown is not None
    }


def _finished(events: Iterable[Any]) -> Answer:
    for event in events:
        if isinstance(event, Finished):
            return event.answer
    raise RuntimeError("the pipeline ended without an answer")


def _message(error: Exception) -> str:
    """Return an error as one line: an image's own wording, else the type and first line."""
    if isinstance(error, ImageError):
        return error.text("en")
    if isinstance(error, ValueError | OSError):
        return str(error).strip().splitlines()[0] if str(error).strip() else one_line(error)
    return one_line(error)
