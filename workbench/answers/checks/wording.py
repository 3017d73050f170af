"""How a check explains itself, in English or Chinese: a wording key plus its facts.

A check keeps its explanation as a `CheckNote` (key and facts, like `messages.Note`) and words
it on demand: every sentence is in `workbench.wording.CHECK_SENTENCES`, every title in
`CHECK_TITLES` (see `messages` for the conversions !q !p !c !s the sentences use). Numbers are
facts formatted once (Decimal cents, "12.5"), so both languages show the same digits.
"""

from __future__ import annotations

from typing import Any

from workbench.messages import Note, Wording, check_language, word
from workbench.wording import CHECK_TITLES

# The checks (and check groups) that have a title, by their stable name.
TITLES: dict[str, Wording] = {
    key.removeprefix("check."): title for key, title in CHECK_TITLES.items()
}


class CheckNote(Note):
    """A check's explanation kept as its wording key and facts; facts may be notes themselves."""


def note(key: str, **facts: Any) -> CheckNote:
    """Return the note for `key` with these facts."""
    return CheckNote(key, tuple(facts.items()))


def counted(key: str, count: int, **facts: Any) -> CheckNote:
    """Return the note for `key`, or `key.one` when English says one item, not several."""
    return note(f"{key}.one" if count == 1 else key, count=count, **facts)


def check_title(name: str, language: str = "en") -> str:
    """Return a check's (or check group's) title for the UI; an unknown name comes back as is."""
    check_language(language)
    return word(f"check.{name}", language) if name in TITLES else name
