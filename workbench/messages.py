"""What the user or the model reads, worded by key from the one table in `workbench.wording`.

A message is a wording key plus its facts (a value, a limit, a path). `word(key, language,
**facts)` fills the key's template for that language. Templates are `str.format` strings with
conversions of our own, because each language quotes and lists values its own way:

    {x!v}  a value, cut short when long     {x!q}  a value in full
    {x!k}  several values, quoted, listed   {x!t}  JSON type name(s)
    {x!p}  a Python type name (list)        {x!c}  several items, listed: "a, b" / "a、b"
    {x!s}  several sentences, joined: "a; b" / "a；b"

English quotes values with Python's repr, as jsonschema does, so English messages read as they
always have. Chinese quotes them as JSON ("abc", true, null): the model answers in JSON, and a
Chinese message then carries no Python words such as True or None. A fact may be a note itself
(a reason inside a sentence); it is worded in the same language.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from workbench.wording import WORDING, Wording

__all__ = [
    "LANGUAGES",
    "MAX_QUOTED",
    "WORDING",
    "Language",
    "Note",
    "Problem",
    "Wording",
    "check_language",
    "quote",
    "repair_outcome",
    "ui_language",
    "word",
]

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")
# A value quoted back is cut to this many characters: a whole receipt quoted back is no help.
MAX_QUOTED = 60
# !c lists items ("a, b" / "a、b"), !s joins sentences ("a; b" / "a；b").
_SEPARATORS = {"c": "separator.list", "s": "separator.sentence"}


class Problem(Protocol):
    """Something wrong with an answer that says so in one line, in either language."""

    def line(self, language: str = "en") -> str:
        """Return the problem as one line in `language`, its place included."""
        ...


@dataclass(frozen=True)
class Note:
    """A message kept as its wording key and facts; facts may be notes themselves."""

    key: str
    facts: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **facts: Any) -> Note:
        """Return the note for `key` with these facts."""
        return cls(key, tuple(facts.items()))

    def text(self, language: str = "en") -> str:
        """Return the note worded in `language` ("en" or "zh")."""
        return word(self.key, language, **dict(self.facts))

    def line(self, language: str = "en") -> str:
        """Return the note as one line in `language` (a note names its own place)."""
        return self.text(language)


def check_language(language: str) -> None:
    """Return None for a language we word messages in; raise ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")


def ui_language(language: str | None) -> str:
    """Return a language we word messages in: the one asked for, else English."""
    return language if language in LANGUAGES else "en"


def word(key: str, language: str, **facts: Any) -> str:
    """Return the message `key` worded in `language` with its facts filled in."""
    check_language(language)
    return _Formatter(language).format(getattr(WORDING[key], language), **facts)


def quote(value: Any, language: str) -> str:
    """Return a value as the language quotes it: repr in English, JSON in Chinese."""
    if language == "en":
        return repr(value)
    return json.dumps(value, ensure_ascii=False, default=repr)


def repair_outcome(before: Sequence[Problem], left: int, language: str = "en") -> str:
    """Return what a repair turn did: the problems it fixed, or how many of them are left."""
    if left:
        return word("repair.left", language, left=left, before=len(before))
    shown = word("summary.separator", language).join(p.line(language) for p in before)
    return word("repair.fixed", language, shown=shown)


class _Formatter(string.Formatter):
    """`str.format` with the conversions !v !q !k !t !p !c !s, and notes worded, in one language."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "v":
            return _cut(quote(value, self.language))
        if conversion == "q":
            return quote(value, self.language)
        if conversion == "k":
            separator = word("separator.list", self.language)
            return separator.join(quote(each, self.language) for each in value)
        if conversion == "t":
            return _type_names([value] if isinstance(value, str) else value, self.language)
        if conversion == "p":
            return _named("python_type", value, self.language)
        if conversion in _SEPARATORS:
            separator = word(_SEPARATORS[conversion], self.language)
            return separator.join(self.format_field(each, "") for each in value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Note):
            return value.text(self.language)
        return super().format_field(value, format_spec)


def _cut(quoted: str) -> str:
    """Return a quoted value cut to MAX_QUOTED characters, an ellipsis marking the cut."""
    return quoted if len(quoted) <= MAX_QUOTED else quoted[: MAX_QUOTED - 1] + "…"


def _named(kind: str, name: str, language: str) -> str:
    """Return a type's name as the table words it ("type.number": 数字), else the name itself."""
    key = f"{kind}.{name}"
    return word(key, language) if key in WORDING else name


def _type_names(types: Iterable[str], language: str) -> str:
    """Return type names as 'number', 'null' (English) or 数字或 null (Chinese)."""
    if language == "en":
        return ", ".join(repr(name) for name in types)
    names = [_named("type", name, language) for name in types]
    # A space between Han characters and a Latin word (null), none at the end of the message.
    return "或".join(f" {name} " if name.isascii() else name for name in names).rstrip()
