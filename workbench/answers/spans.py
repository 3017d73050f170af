"""Where each value of an answer's JSON is written in its text, and which tokens wrote it.

A value's confidence from the model's own probabilities needs the tokens that spelled that
value. `value_spans` reads the answer as `extract_json` does (the same tolerant reader) and
notes the character span of every value by its JSON path; `token_offsets` lays the engine's
tokens along the text; `tokens_in` picks the tokens over a span.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from typing import Any

from workbench.answers.lenient_json import _OPENER, Invalid, _Parser

Span = tuple[int, int]  # [start, end) in characters of the answer text
TokenLogprob = tuple[str, float]  # a token's text and the log-probability it was chosen with


class _SpanParser(_Parser):
    """The tolerant reader, noting where each value starts and ends, by JSON path."""

    def __init__(self, text: str, start: int, end: int) -> None:
        super().__init__(text, start, end)
        self.spans: dict[str, Span] = {}

    def _value(self, path: str) -> Any:
        start = self.pos  # the reader stands on a value's first character when it is called
        value = super()._value(path)
        self.spans[path] = (start, self.pos)
        return value


def value_spans(text: str, value: Any) -> dict[str, Span]:
    """Return {JSON path: character span} of the first JSON value in `text` equal to `value`.

    Paths are `json_path`'s (`$.items[0].amount`); a string's span leaves out its quotes. {}
    when no JSON value in the text equals `value` (then no value has token evidence).
    """
    pos = 0
    while match := _OPENER.search(text, pos):
        parser = _SpanParser(text, match.start(), len(text))
        try:
            hit = parser.read()
        except Invalid:
            pos = match.start() + 1
            continue
        if hit.value == value:
            return {path: _unquoted(text, span) for path, span in parser.spans.items()}
        pos = hit.end
    return {}


def _unquoted(text: str, span: Span) -> Span:
    start, end = span
    if end - start > 2 and text[start] in "\"'“‘" and text[end - 1] in "\"'”’":
        return start + 1, end - 1
    return span


def token_offsets(text: str, tokens: Sequence[TokenLogprob]) -> list[Span]:
    """Return each token's character span in `text`, in order; (p, p) for one not in it.

    The tokens' texts usually join into the text exactly. Where they do not (an engine that
    decodes a piece differently), the joined pieces are matched to the text and each token
    keeps the characters that match.
    """
    joined = "".join(piece for piece, _ in tokens)
    if joined == text:
        ends = list(itertools.accumulate(len(piece) for piece, _ in tokens))
        return [(end - len(piece), end) for (piece, _), end in zip(tokens, ends, strict=True)]
    where: list[int | None] = [None] * len(joined)  # joined index -> text index
    matcher = difflib.SequenceMatcher(None, joined, text, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            where[block.a + offset] = block.b + offset
    offsets, start, last = [], 0, 0
    for piece, _ in tokens:
        found = [i for i in where[start : start + len(piece)] if i is not None]
        last = found[0] if found else last
        offsets.append((found[0], found[-1] + 1) if found else (last, last))
        last = found[-1] + 1 if found else last
        start += len(piece)
    return offsets


def tokens_in(span: Span, offsets: Sequence[Span], tokens: Sequence[TokenLogprob]) -> list[float]:
    """Return the log-probabilities of the tokens overlapping a character span."""
    start, end = span
    return [
        logprob
        for (first, last), (_, logprob) in zip(offsets, tokens, strict=True)
        if first < last and first < end and last > start
    ]
