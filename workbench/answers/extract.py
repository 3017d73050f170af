"""Pull the JSON object or array out of a model's answer, repairing what models get wrong.

Models wrap JSON in fences and prose, restate it, write Python literals, single quotes, trailing
commas and full-width punctuation, and get cut off by the token limit. The tolerant reader in
`workbench.answers.lenient_json` reads all of that. Model output is never executed: no eval, no
ast.literal_eval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workbench.answers.lenient_json import Hit, Invalid, scan
from workbench.messages import Note

_NO_JSON = Note.of("extract.no_json")
NO_JSON = _NO_JSON.text("en")  # kept for callers that compare English text
_THINK_END = "</think>"

_FENCE = re.compile(
    r"```"  # opening fence
    r"(?P<lang>[A-Za-z0-9]*)"  # optional language tag: json, JSON, python, ...
    r"[ \t]*\n?"  # rest of the fence line
    r"(?P<body>.*?)"  # the block, as short as possible...
    r"(?:```|\Z)",  # ...up to the closing fence, or the end when the answer was cut off
    re.DOTALL,
)
_JSON_LANGS = frozenset({"", "json", "jsonc", "json5"})


@dataclass(frozen=True)
class Extraction:
    """What `extract_json` found: the value (None when nothing usable), why not, what it fixed.

    `problem` and `fixes` are notes: `problem.text(language)` words them in English or Chinese.
    """

    value: Any | None = None
    problem: Note | None = None
    fixes: tuple[Note, ...] = ()

    @property
    def ok(self) -> bool:
        """Return True when a JSON object or array was read."""
        return self.problem is None

    @property
    def error(self) -> str:
        """Return why nothing was read, in English; empty when a value was read."""
        return self.problem.text("en") if self.problem else ""

    @property
    def repairs(self) -> tuple[str, ...]:
        """Return what was fixed to read the value, in English."""
        return tuple(fix.text("en") for fix in self.fixes)


def extract_json(text: str) -> Extraction:
    """Return the JSON object or array in a model's answer, with the repairs made, or why not.

    Which block wins: the last fenced (```json or plain ```) block that reads, because models
    restate a corrected answer after a first attempt. Without usable fences, the largest JSON
    value in the text wins (ties: the later one), because prose carries small bracketed asides
    ("see [1]") that are not the answer. A bare scalar answer is not JSON. A reasoning model's
    <think>...</think> section is skipped: drafts there are not the answer.

    Truncation (the token limit cut the answer off): every value written completely is kept,
    the one being written when the text stopped is dropped (a string without its closing quote,
    a number or literal touching the end, a key without its value), and open brackets are
    closed. An open string is never closed: "Wal" or "2024-0" would read as a finished value.
    An open container left with no complete member is dropped as well; when nothing complete
    remains at the top, the answer is reported as not repairable.
    """
    start = _answer_start(text)
    blocks: list[Hit] = []
    failures: list[Invalid] = []
    for fence in _FENCE.finditer(text, start):
        if fence.group("lang").lower() not in _JSON_LANGS:
            continue
        found, failure = scan(text, fence.start("body"), fence.end("body"))
        if found:
            blocks.append(max(found, key=lambda hit: hit.end - hit.start))
        elif failure:
            failures.append(failure)
    if blocks:
        return _chosen(blocks[-1], len(blocks), "extract.last_block")
    found, failure = scan(text, start, len(text))
    if found:
        best = max(found, key=lambda hit: (hit.end - hit.start, hit.start))
        return _chosen(best, len(found), "extract.largest_value")
    if failure:
        failures.append(failure)
    if not failures:
        return Extraction(problem=_NO_JSON)
    return Extraction(problem=_describe(max(failures, key=lambda f: f.pos), text))


def _answer_start(text: str) -> int:
    """Return where the answer begins: after the last </think>; the end when still thinking."""
    if (end := text.rfind(_THINK_END)) >= 0:
        return end + len(_THINK_END)
    return len(text) if text.lstrip().startswith("<think>") else 0


def _chosen(hit: Hit, count: int, choice: str) -> Extraction:
    """Return the Extraction for the winning hit, noting the choice when there was one."""
    chose = (Note.of(choice, count=count),) if count > 1 else ()
    return Extraction(value=hit.value, fixes=chose + hit.fixes)


def _describe(failure: Invalid, text: str) -> Note:
    """Return a readable reason, with line and column when it points at a place."""
    if not failure.located:
        return failure.reason
    line = text.count("\n", 0, failure.pos) + 1
    column = failure.pos - (text.rfind("\n", 0, failure.pos) + 1) + 1
    return Note.of("extract.at", line=line, column=column, reason=failure.reason)
