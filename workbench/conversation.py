"""The conversation a tab keeps: what the model was asked and answered, apart from the screen.

A `Conversation` is plain, frozen data (it lives in a per-user `gr.State`): exchanges, each one
question of the user's with the model's turns (the answer, then any repair turns), and notices
for the user (a failed load, a new image) that are shown but never sent to the model. The chat
on screen is drawn from it; follow-ups, Regenerate and repair read it, never the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

ModelTurn = tuple[str, str]  # (what the model was asked, what it answered)
STOPPED_MARK = "⏹ stopped"
REPAIR_LABEL = "🔧 Repair turn"
EMPTY_ANSWER = "(the model returned no text)"
FAILED_MARK = "⚠️ failed: left out of what the model sees"
NEW_PICTURE = "🖼 A new image or region: the model starts a fresh conversation about it."
LEFT_OUT = "ℹ️ {count} earlier {turns} left out: they no longer fit the context."
# The chat's own marks by language; English is the constants above.
MARKS = {
    "en": {
        "stopped": STOPPED_MARK,
        "repair": REPAIR_LABEL,
        "empty": EMPTY_ANSWER,
        "failed": FAILED_MARK,
        "new_picture": NEW_PICTURE,
    },
    "zh": {
        "stopped": "⏹ 已停止",
        "repair": "🔧 修复轮",
        "empty": "（模型没有返回文字）",
        "failed": "⚠️ 失败：不计入模型看到的内容",
        "new_picture": "🖼 新的图片或区域：模型就它重新开始对话。",
    },
}


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
    marks = MARKS.get(language, MARKS["en"])
    messages: list[dict[str, str]] = []
    entries = conversation.entries
    picture = None  # the image of the exchange before
    for position, entry in enumerate(entries):
        if isinstance(entry, Notice):
            messages.append(_message("assistant", entry.text))
            continue
        if picture is not None and entry.image != picture:
            messages.append(_message("assistant", marks["new_picture"]))
        picture = entry.image
        if entry.left_out:
            messages.append(_message("assistant", _left_out(entry.left_out, language)))
        growing = streaming and position == len(entries) - 1
        for index, turn in enumerate(entry.turns):
            asked = f"{marks['repair']}: {turn.request}" if turn.repair else entry.question
            messages.append(_message("user", asked))
            last = index == len(entry.turns) - 1
            answer = turn.answer
            if not answer and not (growing and last):
                answer = marks["empty"]
            if last and entry.stopped and not growing:
                answer = f"{answer}\n\n{marks['stopped']}"
            if last and entry.failed:
                answer = f"{answer}\n\n{marks['failed']}"
            messages.append(_message("assistant", answer))
    return messages


def _left_out(count: int, language: str) -> str:
    if language == "zh":
        return f"ℹ️ 之前的 {count} 轮没有放进来：上下文已经放不下了。"
    return LEFT_OUT.format(count=count, turns="turn" if count == 1 else "turns")


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}
