"""A tolerant JSON reader: the objects and arrays in a text, and each repair made to read them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workbench.answers.validation import json_path
from workbench.messages import Note

# What the text can stop inside of, when the token limit cuts the answer off.
_INSIDE_STRING = Note.of("extract.inside.string")
_INSIDE_KEY = Note.of("extract.inside.key")
_INSIDE_KEY_WITHOUT_VALUE = Note.of("extract.inside.key_without_value")
_INSIDE_NUMBER = Note.of("extract.inside.number")
_INSIDE_LITERAL = Note.of("extract.inside.literal")
_INSIDE_EMPTY_OBJECT = Note.of("extract.inside.empty_object")
_INSIDE_EMPTY_ARRAY = Note.of("extract.inside.empty_array")
_MAX_DEPTH = 200  # deeper than any real answer; keeps a hostile one from blowing the stack

# Full-width punctuation that models use as JSON syntax around Chinese text (outside strings).
_FULL_WIDTH = {"，": ",", "：": ":", "｛": "{", "｝": "}", "［": "[", "］": "]"}
# String delimiters: opener -> closer.
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_LITERALS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_PYTHON_LITERALS = ("True", "False", "None")
# JSON's escapes, plus \' which single-quoted strings need: escape letter -> character.
_ESCAPES = dict(zip("\"\\/bfnrt'", "\"\\/\b\f\n\r\t'", strict=True))

_OPENER = re.compile(r"[{\[｛［]")
_NUMBER = re.compile(
    r"[-+]?"  # sign
    r"(?:\d+\.?\d*|\.\d+)"  # digits with an optional fraction, or a bare fraction (.5)
    r"(?:[eE][-+]?\d*)?"  # exponent, maybe unfinished (checked when converting)
)
_WORD = re.compile(r"[A-Za-z_]\w*")
# A string's body up to its closing quote; raw newlines and tabs pass (json's strict=False).
_STRING_BODY = {
    closer: re.compile(
        rf"(?P<body>(?:[^{closer}\\]"  # any character but the closer or a backslash,
        r"|\\.)*)"  # or an escape pair, so \" does not close the string
        rf"{closer}",
        re.DOTALL,
    )
    for closer in _QUOTES.values()
}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)


@dataclass(frozen=True)
class Hit:
    """A JSON value read from text[start:end], with its repairs."""

    start: int
    end: int
    value: Any
    fixes: tuple[Note, ...]


class Invalid(Exception):
    """The text at `pos` cannot be read as JSON, even tolerantly; unlocated ones end the scan."""

    def __init__(self, reason: Note, pos: int, located: bool = True) -> None:
        super().__init__(reason)
        self.reason, self.pos, self.located = reason, pos, located


class _Cut(Exception):
    """The text ended while a value was being written; `inside` says what (None: between values)."""

    def __init__(self, inside: Note | None) -> None:
        super().__init__(inside)
        self.inside = inside


def scan(text: str, start: int, end: int) -> tuple[list[Hit], Invalid | None]:
    """Return every JSON object/array in text[start:end], and the failure that got furthest."""
    hits: list[Hit] = []
    furthest: Invalid | None = None
    pos = start
    while match := _OPENER.search(text, pos, end):
        parser = _Parser(text, match.start(), end)
        try:
            hits.append(parser.read())
            pos = hits[-1].end
        except Invalid as failure:
            furthest = failure if furthest is None or failure.pos > furthest.pos else furthest
            if not failure.located:
                break  # cut off or too deep: every later bracket lies inside this failed value
            pos = match.start() + 1
    return hits, furthest


class _Parser:
    """A tolerant recursive-descent JSON reader over text[start:end] that records its repairs."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.pos, self.end = text, start, start, end
        self.depth = 0
        self.unclosed = 0
        self.trailing_commas = 0
        self.single_quotes = False
        self.full_width: dict[str, None] = {}  # dicts as ordered sets: first seen, first named
        self.python_literals: dict[str, None] = {}
        self.dropped: str | Note = ""  # what was dropped at the cut; outermost catcher writes last
        self.cut_inside: Note | None = None  # what the text stopped inside; innermost writes first

    def read(self) -> Hit:
        """Return the object or array starting here; raise Invalid when there is none."""
        try:
            value = self._value("$")
        except _Cut as cut:
            cut_off = Note.of("extract.cut", inside=self.cut_inside or cut.inside)
            raise Invalid(cut_off, self.end, located=False) from None
        return Hit(self.start, self.pos, value, self._fixes())

    def _fixes(self) -> tuple[Note, ...]:
        closed = "extract.closed_one" if self.unclosed == 1 else "extract.closed"
        notes = [
            (Note.of("extract.full_width", chars="".join(self.full_width)), self.full_width),
            (Note.of("extract.single_quotes"), self.single_quotes),
            (
                Note.of("extract.python_literals", names="/".join(self.python_literals)),
                self.python_literals,
            ),
            (Note.of("extract.trailing_commas"), self.trailing_commas),
            (Note.of("extract.dropped", member=self.dropped), self.dropped),
            (Note.of(closed, count=self.unclosed), self.unclosed),
        ]
        return tuple(note for note, made in notes if made)

    def _peek(self) -> str:
        """Return the next character, full-width syntax read as its ASCII twin."""
        char = self.text[self.pos]
        if char in _FULL_WIDTH:
            self.full_width[char] = None
            return _FULL_WIDTH[char]
        return char

    def _skip_space(self, inside: Note | None = None) -> None:
        """Move past whitespace; raise _Cut(inside) when that is the end of the text."""
        while self.pos < self.end and self.text[self.pos].isspace():
            self.pos += 1
        if self.pos >= self.end:
            raise _Cut(inside)

    def _value(self, path: str) -> Any:
        char = self._peek()
        if char in "{[":
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                too_deep = Note.of("extract.too_deep", depth=_MAX_DEPTH)
                raise Invalid(too_deep, self.pos, located=False)
            self.pos += 1
            value = self._object(path) if char == "{" else self._array(path)
            self.depth -= 1
            return value
        if char in _QUOTES:
            return self._string(_INSIDE_STRING)
        return self._scalar()

    def _object(self, path: str) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        member: str | Note = ""
        try:
            while self._next_member("}", bool(obj)):
                # Until the key is read, a cut drops just a key.
                member = Note.of("extract.key_in", path=path)
                if self.text[self.pos] not in _QUOTES:
                    raise Invalid(Note.of("extract.quoted_key"), self.pos)
                key = self._string(_INSIDE_KEY)
                member = _child_path(path, key)
                self._colon()
                obj[key] = self._value(member)
        except _Cut as cut:
            return self._cut_container(obj, member, cut, _INSIDE_EMPTY_OBJECT)
        return obj

    def _array(self, path: str) -> list[Any]:
        items: list[Any] = []
        try:
            while self._next_member("]", bool(items)):
                items.append(self._value(f"{path}[{len(items)}]"))
        except _Cut as cut:
            return self._cut_container(items, f"{path}[{len(items)}]", cut, _INSIDE_EMPTY_ARRAY)
        return items

    def _next_member(self, closer: str, has_members: bool) -> bool:
        """Return True when a member follows, False when the container closed here."""
        self._skip_space()
        if self._peek() == closer:
            self.pos += 1
            return False
        if not has_members:
            return True
        if self._peek() != ",":
            raise Invalid(Note.of("extract.comma_or", closer=closer), self.pos)
        self.pos += 1
        self._skip_space()
        if self._peek() == closer:  # trailing comma
            self.trailing_commas += 1
            self.pos += 1
            return False
        return True

    def _cut_container(self, container: Any, member: str | Note, cut: _Cut, empty: Note) -> Any:
        """Return the container closed at the cut, or raise _Cut when nothing in it is complete."""
        self.pos = self.end  # the dropped token may have started earlier; the text is used up
        if cut.inside is not None:
            self.cut_inside = self.cut_inside or cut.inside
            self.dropped = member
        if not container:
            raise _Cut(empty)
        self.unclosed += 1
        return container

    def _colon(self) -> None:
        self._skip_space(_INSIDE_KEY_WITHOUT_VALUE)
        if self._peek() != ":":
            raise Invalid(Note.of("extract.colon"), self.pos)
        self.pos += 1
        self._skip_space(_INSIDE_KEY_WITHOUT_VALUE)

    def _string(self, what: Note) -> str:
        opener = self.text[self.pos]
        closer = _QUOTES[opener]
        if opener == "'":
            self.single_quotes = True
        elif opener != '"':
            self.full_width.update(dict.fromkeys(opener + closer))
        body = _STRING_BODY[closer].match(self.text, self.pos + 1, self.end)
        if not body:
            raise _Cut(what)
        self.pos = body.end()
        unescaped = _ESCAPE.sub(_unescape, body.group("body"))
        # "\ud83d\ude00" arrives as two halves of a surrogate pair; join them as json does.
        return unescaped.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")

    def _scalar(self) -> Any:
        number = _NUMBER.match(self.text, self.pos, self.end)
        at_end_sign = self.text[self.pos] in "-+." and self.pos + 1 == self.end
        if at_end_sign or (number and number.end() == self.end):
            raise _Cut(_INSIDE_NUMBER)  # the next character could have extended it
        if number:
            spelled = number.group()
            try:  # "1e" followed by more text is no number
                value = int(spelled) if spelled.lstrip("+-").isdigit() else float(spelled)
            except ValueError:
                raise Invalid(Note.of("extract.not_number", spelled=spelled), self.pos) from None
            self.pos = number.end()
            return value
        return self._literal()

    def _literal(self) -> Any:
        word = _WORD.match(self.text, self.pos, self.end)
        if not word:
            raise Invalid(Note.of("extract.unexpected", found=self.text[self.pos]), self.pos)
        name = word.group()
        if name in _LITERALS:
            if name in _PYTHON_LITERALS:
                self.python_literals[name] = None
            self.pos = word.end()
            return _LITERALS[name]
        if word.end() == self.end and any(literal.startswith(name) for literal in _LITERALS):
            raise _Cut(_INSIDE_LITERAL)
        raise Invalid(Note.of("extract.unexpected", found=name), self.pos)


def _child_path(path: str, key: str) -> str:
    """Return `path` extended by one object key, in the same notation as `json_path`."""
    return path + json_path([key])[1:]


def _unescape(escape: re.Match[str]) -> str:
    """Return the character an escape stands for; an unknown one (\\d) stays as written."""
    code = escape.group(1)
    if len(code) == 5:
        return chr(int(code[1:], 16))
    return _ESCAPES.get(code, escape.group(0))
