"""`compare --judge`: the model's verdicts on the changes of a pair, or of every pair of a run.

The turn is `workbench.compare.turn` (both images, the changes boxed and numbered), through a
`PairJudge`, which `compare_folders` takes as its judge. A model that does not load, or a turn
that fails, is said per pair: the comparison goes on without the verdicts.
`workbench.compare.turn` brings the pipeline: it is imported when --judge is given.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from workbench import settings as settings_module
from workbench.prompts.presets import LANGUAGES

if TYPE_CHECKING:
    from PIL import Image

    from workbench.compare import Comparison, PairResult
    from workbench.compare.turn import PairJudge


@dataclass(frozen=True)
class Judged:
    """What --judge gave for one pair: the verdicts, why there are none, the turn's record."""

    defects: list[dict[str, Any]] = field(default_factory=list)
    not_judged: str = ""  # "" when the model judged the pair
    record: dict[str, Any] | None = None  # the turn's record; None when no turn ran

    @property
    def failed(self) -> bool:
        """Return whether the model failed (to load, or to answer): no answer to show."""
        return bool(self.not_judged) and self.record is None


def add_judge_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --judge, its language and token limit, and the model settings flags."""
    add = parser.add_argument
    add(
        "--judge",
        action="store_true",
        help="ask the model which changes are defects (loads the model; see model settings)",
    )
    add("--language", choices=LANGUAGES, default="en", help="of the question and report (en)")
    add("--max-new-tokens", type=int, metavar="N", help="--judge: instead of the preset's limit")
    settings_module.add_arguments(parser)
    add("-v", "--verbose", action="store_true", help="--judge: log loading stages, tracebacks")


def pair_judge(args: argparse.Namespace, *, quiet: bool) -> PairJudge:
    """Return the judge with the model loaded (stages on stderr unless `quiet`); one whose model
    did not load refuses every pair, saying why. ValueError for a bad setting or limit."""
    from workbench.choices import ask_budget, preset_params
    from workbench.cli.ask import load_with_stages
    from workbench.compare.turn import PairJudge, defects_preset
    from workbench.engines.base import ModelLoadError
    from workbench.messages import word
    from workbench.session import RANDOM_WEIGHTS_WARNING, ModelSession

    settings = settings_module.from_environment(args)
    preset = defects_preset()
    params = preset_params(preset, args.max_new_tokens)
    session = ModelSession(settings)
    judge = PairJudge(session, params=params, language=args.language)
    try:
        load_with_stages(session, quiet=quiet)
    except ModelLoadError as error:
        reason = f"{error.reason} {error.hint}".strip()
        judge.refused = word("compare.not_judged.load", args.language, reason=reason)
        print(f"[not judged: {judge.refused}]", file=sys.stderr, flush=True)
        return judge
    judge.params = replace(params, visual_tokens=ask_budget(preset, settings, session.status))
    if session.status.random_weights and not quiet:
        print(f"[{RANDOM_WEIGHTS_WARNING}]", file=sys.stderr, flush=True)
    return judge


def judge_pair(
    judge: PairJudge,
    before: Image.Image,
    after: Image.Image,
    comparison: Comparison,
    names: tuple[str, str],
) -> Judged:
    """Return the verdicts on one pair with the turn's record, or why there are none."""
    from workbench.compare.folders import NotJudged
    from workbench.compare.turn import defects_record

    if not comparison.changes:
        return Judged()  # nothing to call a defect: the model is not asked
    question = judge.question(before, after, comparison)
    try:
        answer = judge.answer(question, comparison)
    except NotJudged as reason:
        return Judged(not_judged=str(reason))
    status = judge.session.status
    record = defects_record(answer, question, comparison, status=status, names=names)
    record.pop("comparison")  # the command's output holds it already
    try:
        return Judged(judge.verdicts(answer, comparison), record=record)
    except NotJudged as reason:
        return Judged(not_judged=str(reason), record=record)


def verdict_lines(judged: Judged) -> list[str]:
    """Return the verdicts as the command prints them, a line per change judged."""
    lines = []
    for row in judged.defects:
        said = f"defect ({row.get('severity', '?')})" if row.get("defect") else "not a defect"
        lines.append(f"#{row['change']} {said}: {row.get('why', '')}")
    return lines


def defects_cell(pair: PairResult) -> str:
    """Return a run's pair as its defects column says it: "N defects", or why not judged."""
    if pair.not_judged:
        return f"not judged: {pair.not_judged}"
    return f"{pair.defects} defects"
