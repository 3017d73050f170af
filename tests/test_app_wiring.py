"""The tab handlers on a stand-in session: what the model is sent, what the chat shows.

The conversation in `gr.State` is what the model sees; the chat is only a view of it. These
tests call `tabs.domain.handlers` directly with a recording session, so they can check the messages
the model would be sent (which the API does not show) without loading a model.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from PIL import Image

from tabs.domain import handlers
from tabs.domain.context import AppContext, picture
from tabs.receipts import TAB
from tests.helpers import RecordingSession
from workbench.prompts.conversation import (
    EMPTY_ANSWER,
    NEW_PICTURE,
    REPAIR_LABEL,
    STOPPED_MARK,
    Conversation,
    Exchange,
    Notice,
    Turn,
)

LOAD_FAILED = "⚠️ The model could not be loaded. There is no model directory at /nowhere."
# The controls of a quick free question: no preset, so no schema and no repair turn.
QUICK = {"preset": None, "strict": False, "repair_turns": 0, "max_new_tokens": 8}
USER = gr.Request(session_hash="tester")  # whose Stop button would stop the answer


@pytest.fixture
def photo(tmp_path: Path) -> dict[str, Any]:
    """Return the annotator value of a small photo, no region marked."""
    path = tmp_path / "photo.png"
    Image.new("RGB", (320, 240), (200, 180, 160)).save(path)
    return {"image": str(path), "boxes": []}


def _ctx(app_context: AppContext, session: RecordingSession) -> AppContext:
    return dataclasses.replace(app_context, session=session)


def _final(updates: Iterator[dict[str, Any]]) -> dict[str, Any]:
    """Run a handler to its end; return every name's last value."""
    last: dict[str, Any] = {}
    for update in updates:
        last |= update
    return last


def _sent(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Return (role, text) of each message sent to the model, image parts left out."""
    sent = []
    for message in messages:
        content = message["content"]
        parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
        text = "".join(part["text"] for part in parts if part["type"] == "text")
        sent.append((message["role"], text))
    return sent


def _chat(chat: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(message["role"], message["content"]) for message in chat]


def test_a_notice_is_shown_but_never_sent_to_the_model(app_context, photo):
    session = RecordingSession("Second answer.")
    key = picture(photo).key("crop")
    earlier = Exchange("First question?", key, (Turn("First question?", "First answer."),))
    conversation = Conversation((Notice(LOAD_FAILED), earlier, Notice(NEW_PICTURE)))

    final = _final(
        handlers.ask_question(
            conversation,
            "Second question?",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image=photo,
            **QUICK,
        )
    )

    (messages,) = session.sent
    texts = [text for _, text in _sent(messages)]
    assert texts == ["First question?", "First answer.", "Second question?"]
    assert not any(LOAD_FAILED in text or NEW_PICTURE in text for text in texts)
    # The chat still shows both notices, where they were.
    assert _chat(final["chat"]) == [
        ("assistant", LOAD_FAILED),
        ("user", "First question?"),
        ("assistant", "First answer."),
        ("assistant", NEW_PICTURE),
        ("user", "Second question?"),
        ("assistant", "Second answer."),
    ]
    assert final["conversation"].entries[:3] == conversation.entries


def test_regenerate_sends_the_history_without_the_replaced_exchange(app_context, photo):
    session = RecordingSession("New second answer.")
    key = picture(photo).key("crop")
    first = Exchange("First question?", key, (Turn("First question?", "First answer."),))
    second = Exchange("Second question?", key, (Turn("Second question?", "Old second answer."),))

    final = _final(
        handlers.regenerate(
            Conversation((first, second)),
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image=photo,
            **QUICK,
        )
    )

    (messages,) = session.sent
    assert [text for _, text in _sent(messages)] == [
        "First question?",
        "First answer.",
        "Second question?",
    ]
    assert _chat(final["chat"]) == [
        ("user", "First question?"),
        ("assistant", "First answer."),
        ("user", "Second question?"),
        ("assistant", "New second answer."),
    ]
    assert final["conversation"].exchanges[0] == first
    assert len(final["conversation"].exchanges) == 2


def test_regenerate_with_nothing_asked_is_refused_on_the_run_line(app_context, photo):
    session = RecordingSession()
    with pytest.warns(UserWarning, match="no question to regenerate"):  # the toast
        final = _final(
            handlers.regenerate(
                Conversation((Notice(LOAD_FAILED),)),
                ctx=_ctx(app_context, session),
                tab=TAB,
                request=USER,
                image=photo,
                **QUICK,
            )
        )

    # Only the run line moves: the chat and the conversation stay as they were.
    assert final == {"run_status": "⚠️ There is no question to regenerate yet. Ask one first."}
    assert session.sent == []


def test_an_unknown_preset_is_refused_on_the_run_line(app_context, photo):
    # Over the API, Gradio's dropdown refuses it first; a stale page can still send one.
    session = RecordingSession()
    with pytest.warns(UserWarning):  # the toast
        final = _final(
            handlers.ask_question(
                Conversation(),
                "Anything?",
                ctx=_ctx(app_context, session),
                tab=TAB,
                request=USER,
                image=photo,
                **{**QUICK, "preset": "Nonsense"},
            )
        )

    assert final == {"run_status": "⚠️ There is no preset called 'Nonsense' in this tab."}
    assert session.sent == []


def test_an_earlier_repair_turn_is_sent_as_the_request_without_its_label(app_context, photo):
    session = RecordingSession("Follow-up answer.")
    key = picture(photo).key("crop")
    request = "Your JSON does not match the required schema:\n- $.total: missing"
    repaired = Exchange(
        "Read it.",
        key,
        (Turn("Read it.", "not json"), Turn(request, '{"total": 1}', repair=True)),
    )

    final = _final(
        handlers.ask_question(
            Conversation((repaired,)),
            "And the date?",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image=photo,
            **QUICK,
        )
    )

    (messages,) = session.sent
    assert [text for role, text in _sent(messages) if role == "user"] == [
        "Read it.",
        request,
        "And the date?",
    ]
    assert not any(REPAIR_LABEL in text for _, text in _sent(messages))
    assert ("user", f"{REPAIR_LABEL}: {request}") in _chat(final["chat"])


def test_a_live_repair_turn_is_labelled_in_the_chat_only(app_context, photo):
    session = RecordingSession("not json at all", "still not json")
    preset = app_context.presets["receipts"].presets[0]
    assert preset.schema is not None

    final = _final(
        handlers.ask_question(
            Conversation(),
            "Read it.",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image=photo,
            preset=preset.name,
            strict=False,
            repair_turns=1,
            max_new_tokens=8,
        )
    )

    first, repair = session.sent
    request = _sent(repair)[-1]
    assert request[0] == "user"
    assert request[1].startswith("Your JSON does not match the required schema")
    assert ("assistant", "not json at all") in _sent(repair)
    assert not any(REPAIR_LABEL in text for _, text in _sent(first) + _sent(repair))
    users = [text for role, text in _chat(final["chat"]) if role == "user"]
    assert users == ["Read it.", f"{REPAIR_LABEL}: {request[1]}"]
    assert final["run_status"].endswith("(2 turns)")


def test_an_empty_answer_and_a_stopped_one_are_marked_in_the_chat(app_context, photo):
    empty = _final(
        handlers.ask_question(
            Conversation(),
            "Anything?",
            ctx=_ctx(app_context, RecordingSession("")),
            tab=TAB,
            request=USER,
            image=photo,
            **QUICK,
        )
    )
    stopped = _final(
        handlers.ask_question(
            Conversation(),
            "Anything?",
            ctx=_ctx(app_context, RecordingSession("Half an", stopped=True)),
            tab=TAB,
            request=USER,
            image=photo,
            **QUICK,
        )
    )

    assert _chat(empty["chat"])[-1] == ("assistant", EMPTY_ANSWER)
    assert _chat(stopped["chat"])[-1] == ("assistant", f"Half an\n\n{STOPPED_MARK}")


def test_a_new_picture_starts_the_model_afresh_and_says_so(app_context, photo, tmp_path):
    session = RecordingSession()
    other = tmp_path / "other.png"
    Image.new("RGB", (320, 240), (20, 40, 60)).save(other)
    key = picture(photo).key("crop")
    earlier = Exchange("First question?", key, (Turn("First question?", "First answer."),))

    final = _final(
        handlers.ask_question(
            Conversation((earlier,)),
            "About this one?",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image={"image": str(other), "boxes": []},
            **QUICK,
        )
    )

    (messages,) = session.sent
    assert [text for _, text in _sent(messages)] == ["About this one?"]
    assert [text for _, text in _chat(final["chat"])][:3] == [
        "First question?",
        "First answer.",
        NEW_PICTURE,
    ]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("temperature", 3, "temperature 3.0 is outside 0 to 2"),
        ("top_p", 0, "top_p 0.0 is outside (0, 1]"),
        ("max_new_tokens", 0, "max_new_tokens 0 is outside 1 to 8192"),
    ],
)
def test_a_setting_out_of_its_range_is_refused_before_the_model_is_asked(
    app_context, photo, setting, value, message
):
    # Over the API, Gradio's sliders refuse these first; the handler still names the range.
    session = RecordingSession()
    controls = {**QUICK, setting: value}
    with pytest.warns(UserWarning):  # the toast
        final = _final(
            handlers.ask_question(
                Conversation(),
                "Anything?",
                ctx=_ctx(app_context, session),
                tab=TAB,
                request=USER,
                image=photo,
                **controls,
            )
        )

    assert final == {"run_status": f"⚠️ {message}"}
    assert session.sent == []


@pytest.mark.parametrize(("answer", "summary"), [("truth", "match"), ("wrong", "differ")])
def test_an_answer_about_a_built_in_example_is_compared_with_its_truth(
    app_context, answer, summary
):
    example = app_context.examples["receipts"][0]
    parsed = dict(example.truth)
    if answer == "wrong":
        parsed["total"] = 999.99
    session = RecordingSession(json.dumps(parsed))
    final = _final(
        handlers.ask_question(
            Conversation(),
            "Extract every field.",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image={"image": str(example.image_path), "boxes": []},
            preset=example.preset,
            strict=False,
            repair_turns=0,
        )
    )
    table = final["truth"]
    assert table.startswith("**Expected vs got**")
    rows = [line for line in table.splitlines() if line.startswith("| `$")]
    total = next(row for row in rows if row.startswith("| `$.total`"))
    assert total.endswith("✅ |") if summary == "match" else total.endswith("❌ |")
    scored = len([row for row in rows if "not scored" not in row])
    matched = scored if summary == "match" else scored - 1
    assert f"{matched} of {scored} fields match" in table


def test_an_answer_about_another_image_gets_no_truth_table(app_context, photo):
    session = RecordingSession(json.dumps({"total": 1}))
    final = _final(
        handlers.ask_question(
            Conversation(),
            "Extract every field.",
            ctx=_ctx(app_context, session),
            tab=TAB,
            request=USER,
            image=photo,
            preset="Extract all fields",
            strict=False,
            repair_turns=0,
        )
    )
    assert final["truth"] == ""
