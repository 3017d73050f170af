"""The conversation a tab keeps: what the model was asked and answered, apart from the screen.

A `Conversation` is plain, frozen data (it lives in a per-user `gr.State`): exchanges, each one
question of the user's with the model's turns (the answer, then any repair turns), and notices
for the user (a failed load, a new image) that are shown but never sent to the model. The chat
on screen is drawn from it; follow-ups, Regenerate and repair read it, never the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from workbench.messages import ui_language, word

ModelTurn = tuple[str, str]  # (what the model was asked, what it answered)
# The chat's own marks in English (the wording table's chat.*); `chat_messages` words them in
# the page's language.
STOPPED_MARK = word("chat.stopped", "en")
REPAIR_LABEL = word("chat.repair", "en")
EMPTY_ANSWER = word("chat.empty", "en")
FAILED_MARK = word("chat.failed", "en")
NEW_PICTURE = word("chat.new_picture", "en")


@dataclass(frozen=True)
class Turn:
    """One request to the model and its answer; `repair` when the workbench asked it."""

    request: str
    answer: str
    repair: bool = False


@dataclass(frozen=True)
class Exchange:
    """One question of the user's, about one image, and the model's turns in reply."""

    question: str
    image: str  # the picture the model saw: content hash, region and mode
    turns: tuple[Turn, ...] = ()
    stopped: bool = False  # Stop ended it: the last answer is partial
    failed: bool = False  # the model failed mid-answer: shown, never sent again
    left_out: int = 0  # earlier model turns about this image that did not fit the budget


@dataclass(frozen=True)
class Notice:
    """A message for the user only: shown in the chat, never sent to the model."""

    text: str


Entry = Exchange | Notice


@dataclass(frozen=True)
class Conversation:
    """A tab's conversation: exchanges and notices, oldest first."""

    entries: tuple[Entry, ...] = ()

    @property
    def exchanges(self) -> tuple[Exchange, ...]:
        """Return the exchanges, oldest first, without the notices."""
        return tuple(entry for entry in self.entries if isinstance(entry, Exchange))

    def add(self, *entries: Entry) -> Conversation:
        """Return the conversation with entries appended."""
        return Conversation((*self.entries, *entries))

    def without_last_exchange(self) -> tuple[Conversation, Exchange | None]:
        """Return the conversation up to its last exchange, and that exchange (for Regenerate)."""
        for index in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[index]
            if isinstance(entry, Exchange):
                return Conversation(self.entries[:index]), entry
        return self, None

    def history(self, image: str) -> tuple[ModelTurn, ...]:
        """Return the model turns of the latest run of exchanges about `image`, oldest first.

        A different image (or region) starts the model afresh: earlier answers were about
        another picture.
        """
        turns: list[ModelTurn] = []
        for exchange in reversed(self.exchanges):
            if exchange.image != image:
                break
            if not exchange.failed:
                turns[:0] = [(turn.request, turn.answer) for turn in exchange.turns]
        return tuple(turns)


def fit_history(
    turns: Sequence[ModelTurn], budget: int, count_tokens: Callable[[str], int]
) -> tuple[tuple[ModelTurn, ...], int]:
    """Return the latest turns whose text fits `budget` tokens, and how many were left out."""
    kept: list[ModelTurn] = []
    used = 0
    for turn in reversed(turns):
        used += count_tokens(turn[0]) + count_tokens(turn[1])
        if used > budget:
            break
        kept.insert(0, turn)
    return tuple(kept), len(turns) - len(kept)


def with_answer(exchange: Exchange, answer: str) -> Exchange:
    """Return the exchange with the answer of its current turn set (streaming fills it in)."""
    *done, current = exchange.turns
    return replace(exchange, turns=(*done, replace(current, answer=answer)))


def chat_messages(
    conversation: Conversation, *, streaming: bool = False, language: str = "en"
) -> list[dict[str, str]]:
    """Return the chat to show, entry by entry, its marks in `language` ("en" or "zh").

    `streaming`: the last answer is still coming.
    """
    language = ui_language(language)  # a language we do not word the marks in shows English
    messages: list[dict[str, str]] = []
    entries = conversation.entries
    picture = None  # the image of the exchange before
    for position, entry in enumerate(entries):
        if isinstance(entry, Notice):
            messages.append(_message("assistant", entry.text))
            continue
        if picture is not None and entry.image != picture:
            messages.append(_message("assistant", word("chat.new_picture", language)))
        picture = entry.image
        if entry.left_out:
            left_out = "chat.left_out.one" if entry.left_out == 1 else "chat.left_out"
            messages.append(_message("assistant", word(left_out, language, count=entry.left_out)))
        growing = streaming and position == len(entries) - 1
        for index, turn in enumerate(entry.turns):
            asked = entry.question
            if turn.repair:
                asked = f"{word('chat.repair', language)}: {turn.request}"
            messages.append(_message("user", asked))
            last = index == len(entry.turns) - 1
            answer = turn.answer
            if not answer and not (growing and last):
                answer = word("chat.empty", language)
            if last and entry.stopped and not growing:
                answer = f"{answer}\n\n{word('chat.stopped', language)}"
            if last and entry.failed:
                answer = f"{answer}\n\n{word('chat.failed', language)}"
            messages.append(_message("assistant", answer))
    return messages


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}
