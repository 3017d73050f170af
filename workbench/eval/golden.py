"""Golden sets: images, the questions to ask about them and the answers expected, read strictly.

A golden set is a folder holding its images (and PDFs) and `cases.jsonl`, one case per line::

    {"id": "r-001", "image": "receipts/r001.jpg", "tab": "receipts",
     "preset": "Extract all fields", "level": "L1", "expect": {"json": {"total": 22.23}}}

- `id`: a non-empty string, unique in the set.
- `image`: a path relative to the folder that stays inside it (no absolute path, no `..`);
  a PDF may name its page with `#page=N`, N from 1.
- `tab`: one of the app's tabs (receipts, screenshots, homework, gauges).
- `preset` (one of that tab's preset names) and/or `question`: at least one, unless `turns`.
- `level`: "L1", "L2" or "L3".
- `expect`: exactly one of
  `{"text": s, "match": "exact" | "contains"}` (match defaults to exact), `{"regex": r}`,
  `{"number": x, "tolerance": t, "unit": u}` (t ≥ 0, default 0; unit optional),
  `{"interval": [lo, hi], "unit": u}` (lo ≤ hi; unit optional), `{"json": {...}}`,
  `{"verdict": "correct" | "incorrect"}`.
- `turns`: instead of question/expect, a non-empty list of `{"question", "expect"}` asked in
  one conversation; the first turn may leave its question to the preset.
- `source` (optional): where the case came from, e.g. "review" for a case made of what a
  reviewer approved or corrected (`workbench.eval.review_export.golden_from_review`).

Empty lines and lines starting with `#` are skipped. Anything else that is wrong — bad JSON, a
missing or unknown key, a wrong type, a missing image, a duplicate id — is collected, and
`load_cases` raises one `GoldenSetError` listing every problem as
``cases.jsonl line 7: expect.tolerance: must be at least 0, got -1``, so a command can print it
and stop before any model work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from workbench.eval.expectations import (
    Expectation,
    did_you_mean,
    json_kind,
    read_expectation,
    read_text,
    shown,
    unknown_keys,
)

__all__ = [
    "CASES_FILE",
    "LEVELS",
    "Case",
    "Expectation",
    "GoldenSetError",
    "Turn",
    "load_cases",
    "write_cases",
]

CASES_FILE = "cases.jsonl"
LEVELS = ("L1", "L2", "L3")
_CASE_KEYS = ("id", "image", "tab", "preset", "question", "level", "expect", "turns", "source")
_TURN_KEYS = ("question", "expect")
_PAGE = re.compile(r"page=(?P<page>\d+)")


class GoldenSetError(ValueError):
    """A golden set that cannot be used; the message lists every problem, one a line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Turn:
    """One question of a case and its expected answer; no question means the preset's."""

    question: str | None
    expect: Expectation


@dataclass(frozen=True)
class Case:
    """One image, the tab and preset it is asked under, and its turns in order."""

    id: str
    image: Path
    page: int | None  # 1-based page of a PDF
    tab: str
    preset: str | None
    level: str
    turns: tuple[Turn, ...]
    source: str | None = None  # where the case came from: "review", or None


def load_cases(
    folder: str | Path,
    tabs: Collection[str] | None = None,
    presets: Mapping[str, Any] | None = None,
) -> list[Case]:
    """Return the cases of the golden set in `folder`; GoldenSetError listing every problem.

    `tabs` defaults to the keys of `presets`, else to the app's preset files. `presets` maps a
    tab to its `PresetFile` (or a collection of preset names, or the `PresetError` that stopped
    it, as `workbench.prompts.presets.load_all` returns); when given, preset names are checked
    against it.
    """
    folder = Path(folder).resolve()
    path = folder / CASES_FILE
    if tabs is None:
        tabs = presets.keys() if presets is not None else _app_tabs()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise GoldenSetError([f"{path}: file not found"]) from None
    except UnicodeDecodeError as error:
        raise GoldenSetError([f"{path}: not UTF-8 text ({error.reason})"]) from None
    except OSError as error:
        raise GoldenSetError([f"{path}: cannot read ({error.strerror})"]) from None
    cases: list[Case] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    context = _Context(folder, tabs, presets)
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found: list[str] = []
        case_id, case = _read_line(line, context, found)
        if case_id in first_line:
            found.append(f"id: duplicate {case_id!r} (first on line {first_line[case_id]})")
        elif case_id is not None:
            first_line[case_id] = number
        problems += [f"{CASES_FILE} line {number}: {problem}" for problem in found]
        if case is not None and not found:
            cases.append(case)
    if not problems and not cases:
        problems.append(f"{CASES_FILE}: no cases")
    if problems:
        raise GoldenSetError(problems)
    return cases


def _app_tabs() -> list[str]:
    from workbench.prompts.presets import load_all  # pydantic and the preset files, only when asked

    return list(load_all())


@dataclass(frozen=True)
class _Context:
    folder: Path
    tabs: Collection[str]
    presets: Mapping[str, Any] | None


def _read_line(line: str, context: _Context, problems: list[str]) -> tuple[str | None, Case | None]:
    """Return (its id, the case) for one line, None where wrong; problems go in `problems`."""
    try:
        data = json.loads(line, object_pairs_hook=_no_twice, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        problems.append(f"not valid JSON ({error.msg}, column {error.colno})")
        return None, None
    except ValueError as error:  # from the hooks
        problems.append(f"not valid JSON ({error})")
        return None, None
    if not isinstance(data, dict):
        problems.append(f"expected a JSON object, got {json_kind(data)}")
        return None, None
    unknown_keys(data, _CASE_KEYS, "", problems)
    case_id = read_text(data, "id", "", problems)
    image, page = _image(data, context.folder, problems)
    tab = read_text(data, "tab", "", problems)
    if tab is not None and tab not in context.tabs:
        problems.append(f"tab: unknown tab {tab!r} (known: {', '.join(sorted(context.tabs))})")
        tab = None
    preset = read_text(data, "preset", "", problems, required=False)
    if preset is not None and tab is not None and context.presets is not None:
        _known_preset(preset, tab, context.presets, problems)
    question = read_text(data, "question", "", problems, required=False)
    level = read_text(data, "level", "", problems)
    if level is not None and level not in LEVELS:
        problems.append(f"level: expected one of {', '.join(LEVELS)}, got {level!r}")
    turns = _turns(data, question, problems)
    source = read_text(data, "source", "", problems, required=False)
    if problems or case_id is None or image is None or tab is None or level is None:
        return case_id, None
    return case_id, Case(case_id, image, page, tab, preset, level, turns, source)


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(f"key {key!r} given twice")
    return dict(pairs)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _image(
    data: dict[str, Any], folder: Path, problems: list[str]
) -> tuple[Path | None, int | None]:
    """Return (the image's path inside `folder`, its page or None); (None, None) when wrong."""
    raw = read_text(data, "image", "", problems)
    if raw is None:
        return None, None
    name, _, fragment = raw.partition("#")
    page = None
    if fragment:
        match = _PAGE.fullmatch(fragment)
        page = int(match["page"]) if match else 0
        if page < 1:
            problems.append(f"image: expected '#page=N' with N from 1, got {'#' + fragment!r}")
            return None, None
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).anchor:
        problems.append(f"image: must be relative to the golden set's folder, got {name!r}")
        return None, None
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        problems.append(f"image: must stay inside the golden set's folder, got {name!r}")
        return None, None
    path = folder / name
    if not path.resolve().is_relative_to(folder):  # a link that leads out
        problems.append(f"image: {name!r} leads outside the golden set's folder")
    elif not path.is_file():
        problems.append(f"image: file not found: {name}")
    elif page is not None and path.suffix.lower() != ".pdf":
        problems.append(f"image: '#page=' is for a PDF, not {name!r}")
    else:
        return path, page
    return None, None


def _known_preset(preset: str, tab: str, presets: Mapping[str, Any], problems: list[str]) -> None:
    """Add a problem unless `preset` is one of the tab's preset names."""
    entry = presets.get(tab)
    if entry is None:
        problems.append(f"preset: no presets given for tab {tab!r}")
        return
    if isinstance(entry, Exception):
        problems.append(f"preset: cannot be checked, the {tab} presets did not load ({entry})")
        return
    names = list(getattr(entry, "names", entry))
    if preset not in names:
        hint = did_you_mean(preset, names) or f" (known: {', '.join(map(repr, names))})"
        problems.append(f"preset: {tab} has no preset {preset!r}{hint}")


def _turns(data: dict[str, Any], question: str | None, problems: list[str]) -> tuple[Turn, ...]:
    """Return the case's turns: the `turns` list, or one turn of question and expect."""
    has_preset = "preset" in data
    if "turns" not in data:
        if "question" not in data and not has_preset:
            problems.append("needs a preset or a question (or turns)")
        if "expect" not in data:
            problems.append("expect: missing required key")
            return ()
        expect = read_expectation(data["expect"], "expect", problems)
        return (Turn(question, expect),) if expect else ()
    for key in ("question", "expect"):
        if key in data:
            problems.append(f"{key}: goes inside turns when turns is given")
    raw = data["turns"]
    if not isinstance(raw, list) or not raw:
        problems.append(f"turns: expected a non-empty array, got {shown(raw)}")
        return ()
    turns = []
    for index, item in enumerate(raw):
        where = f"turns[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected an object, got {json_kind(item)}")
            continue
        unknown_keys(item, _TURN_KEYS, where, problems)
        may_omit = index == 0 and has_preset
        question = read_text(item, "question", where, problems, required=not may_omit)
        if "expect" not in item:
            problems.append(f"{where}.expect: missing required key")
            continue
        expect = read_expectation(item["expect"], f"{where}.expect", problems)
        if expect is not None:
            turns.append(Turn(question, expect))
    return tuple(turns)


def write_cases(folder: str | Path, cases: list[dict[str, Any]]) -> Path:
    """Write `cases` (JSON objects, as `load_cases` reads them) to `folder`/cases.jsonl at once;
    return its path. The images are the caller's to put in `folder`."""
    path = Path(folder) / CASES_FILE
    partial = path.with_name(path.name + ".part")
    text = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases)
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path
