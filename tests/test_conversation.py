"""The conversation a tab keeps: replay, regenerate, repair, stop, notices, trimming to a budget."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.helpers import RecordingSession
from workbench.engines.base import GenerationParams
from workbench.pipeline import Finished, Question, ask
from workbench.prompts.conversation import (
    EMPTY_ANSWER,
    FAILED_MARK,
    NEW_PICTURE,
    REPAIR_LABEL,
    STOPPED_MARK,
    Conversation,
    Exchange,
    Notice,
    Turn,
    chat_messages,
    fit_history,
    with_answer,
)

A = "sha-of-a"
B = "sha-of-b"
FIRST = Exchange("What is the total?", A, (Turn("What is the total?", "22.23"),))
REPAIRED = Exchange(
    "Extract all fields.",
    A,
    (Turn("Extract all fields.", "{bad"), Turn("Fix the JSON.", '{"ok": 1}', repair=True)),
)
STOPPED = Exchange("Describe it.", A, (Turn("Describe it.", "A recei"),), stopped=True)
FAILED = Exchange("And the tax?", A, (Turn("And the tax?", "1.6"),), failed=True)
LOAD_FAILED = Notice("⚠️ The model could not be loaded. Out of memory.")


@pytest.mark.parametrize(
    ("entries", "image", "history"),
    [
        ((), A, ()),
        ((FIRST,), A, (("What is the total?", "22.23"),)),
        # A notice is shown, never sent.
        ((LOAD_FAILED, FIRST, LOAD_FAILED), A, (("What is the total?", "22.23"),)),
        # Repair turns are sent as they were asked, without the screen's label.
        (
            (FIRST, REPAIRED),
            A,
            (
                ("What is the total?", "22.23"),
                ("Extract all fields.", "{bad"),
                ("Fix the JSON.", '{"ok": 1}'),
            ),
        ),
        # A stopped answer is what the model said: it stays in the history as it stopped.
        ((STOPPED,), A, (("Describe it.", "A recei"),)),
        # Another picture: nothing earlier is about it.
        ((FIRST,), B, ()),
        # A failed answer is shown, never sent again.
        ((FIRST, FAILED), A, (("What is the total?", "22.23"),)),
        # Only the latest run of exchanges about the picture counts.
        ((FIRST, Exchange("Q", B, (Turn("Q", "b"),)), STOPPED), A, (("Describe it.", "A recei"),)),
    ],
)
def test_history_is_what_the_model_saw_about_this_picture(entries, image, history):
    assert Conversation(entries).history(image) == history


@pytest.mark.parametrize(
    ("entries", "earlier", "last"),
    [
        ((), (), None),
        ((LOAD_FAILED,), (LOAD_FAILED,), None),
        ((FIRST,), (), FIRST),
        ((FIRST, REPAIRED), (FIRST,), REPAIRED),
        # A notice after the last exchange goes with it: it was about that try.
        ((FIRST, STOPPED, LOAD_FAILED), (FIRST,), STOPPED),
    ],
)
def test_regenerate_takes_the_last_exchange_out(entries, earlier, last):
    assert Conversation(entries).without_last_exchange() == (Conversation(earlier), last)


def _words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize(
    ("turns", "budget", "kept", "left_out"),
    [
        ((), 10, (), 0),
        ((("a b", "c"),), 3, (("a b", "c"),), 0),
        ((("a b", "c"),), 2, (), 1),
        # The latest turns are kept, the oldest left out.
        ((("a", "b"), ("c d", "e f"), ("g", "h")), 6, (("c d", "e f"), ("g", "h")), 1),
        ((("a", "b"), ("c d", "e f"), ("g", "h")), 5, (("g", "h"),), 2),
        # Once a turn does not fit, older ones are left out even if they would.
        ((("a", "b"), ("c d e f g", "h"), ("i", "j")), 4, (("i", "j"),), 2),
        ((("a", "b"),), 0, (), 1),
    ],
)
def test_history_is_trimmed_to_its_budget(turns, budget, kept, left_out):
    assert fit_history(turns, budget, _words) == (kept, left_out)


def _chat(conversation: Conversation, **kwargs) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in chat_messages(conversation, **kwargs)]


@pytest.mark.parametrize(
    ("entries", "streaming", "chat"),
    [
        ((), False, []),
        ((LOAD_FAILED,), False, [("assistant", LOAD_FAILED.text)]),
        ((FIRST,), False, [("user", "What is the total?"), ("assistant", "22.23")]),
        (
            (REPAIRED,),
            False,
            [
                ("user", "Extract all fields."),
                ("assistant", "{bad"),
                ("user", f"{REPAIR_LABEL}: Fix the JSON."),
                ("assistant", '{"ok": 1}'),
            ],
        ),
        (
            (STOPPED,),
            False,
            [("user", "Describe it."), ("assistant", f"A recei\n\n{STOPPED_MARK}")],
        ),
        # While it streams, the answer is not yet stopped or empty: it is still coming.
        ((STOPPED,), True, [("user", "Describe it."), ("assistant", "A recei")]),
        (
            (Exchange("Q", A, (Turn("Q", ""),)),),
            False,
            [("user", "Q"), ("assistant", EMPTY_ANSWER)],
        ),
        ((Exchange("Q", A, (Turn("Q", ""),)),), True, [("user", "Q"), ("assistant", "")]),
        (
            (Exchange("Q", A, (Turn("Q", "a"),), left_out=2),),
            False,
            [
                ("assistant", "ℹ️ 2 earlier turns left out: they no longer fit the context."),
                ("user", "Q"),
                ("assistant", "a"),
            ],
        ),
        # Another picture after an exchange: the chat says the model starts afresh.
        (
            (FIRST, Exchange("Q", B, (Turn("Q", "b"),))),
            False,
            [
                ("user", "What is the total?"),
                ("assistant", "22.23"),
                ("assistant", NEW_PICTURE),
                ("user", "Q"),
                ("assistant", "b"),
            ],
        ),
        ((FAILED,), False, [("user", "And the tax?"), ("assistant", f"1.6\n\n{FAILED_MARK}")]),
        # The first turn shows the user's question, not the prompt sent (a highlight note).
        (
            (Exchange("Q", A, (Turn("Q\nThe region is outlined in red.", "a"),)),),
            False,
            [("user", "Q"), ("assistant", "a")],
        ),
    ],
)
def test_the_chat_is_drawn_from_the_conversation(entries, streaming, chat):
    assert _chat(Conversation(entries), streaming=streaming) == chat


def test_with_answer_fills_the_current_turn():
    growing = Exchange("Q", A, (Turn("Q", "a"), Turn("fix", "", repair=True)))
    assert with_answer(growing, "b").turns == (Turn("Q", "a"), Turn("fix", "b", repair=True))


def test_conversations_are_immutable_values():
    empty = Conversation()
    grown = empty.add(FIRST, LOAD_FAILED)
    assert empty.entries == () and grown.exchanges == (FIRST,)
    with pytest.raises(AttributeError):
        grown.entries = ()  # type: ignore[misc]


def _sent_texts(messages: list[dict]) -> list[str]:
    texts = []
    for message in messages:
        content = message["content"]
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        texts += [part["text"] for part in parts if part["type"] == "text"]
    return texts


@pytest.mark.parametrize(
    ("context", "history_tokens", "sent_turns", "left_out"),
    [
        # 16 visual + 2 asked + 8 answer + 64 template = 90: the rest is the history's.
        (1000, None, 3, 0),
        (90 + 4, None, 1, 2),  # room for one turn of four words
        (90, None, 0, 3),
        (1000, 8, 2, 1),  # the setting caps it below what fits
    ],
)
def test_the_pipeline_sends_the_history_that_fits(context, history_tokens, sent_turns, left_out):
    session = RecordingSession("fine", context_tokens=context, visual_tokens=(4, 16))
    history = (("one two", "three four"), ("five six", "seven eight"), ("nine ten", "eleven 12"))
    question = Question(
        image=Image.new("RGB", (64, 64)),
        question="Next question?",
        params=GenerationParams(max_new_tokens=8, visual_tokens=(4, 16)),
        history=history,
        history_tokens=history_tokens,
    )
    *_, finished = ask(session, question)
    assert isinstance(finished, Finished)
    assert finished.answer.left_out == left_out
    texts = _sent_texts(session.sent[0])
    kept = history[len(history) - sent_turns :]
    assert texts == [text for turn in kept for text in turn] + ["Next question?"]
