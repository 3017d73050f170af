"""Chat through the API: regions, turns that grow the history, Clear, and users kept apart."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from gradio_client import Client

from tabs.domain.results import EMPTY
from tests.app_client import (
    RUN_LINE,
    as_shown,
    ask_quick,
    by_name,
    chat_answers,
    chat_messages,
    chat_questions,
    example_image,
    regenerate_quick,
    turn_tokens,
)
from workbench.prompts.conversation import NEW_PICTURE

# --- regions ------------------------------------------------------------------------------


def test_region_crop_shows_the_model_less_and_highlight_keeps_the_image(client, app_context):
    box = [{"xmin": 10, "ymin": 10, "xmax": 90, "ymax": 90, "label": "region"}]
    _, whole = ask_quick(client, "receipts", example_image(app_context, "receipts"))
    _, cropped = ask_quick(
        client, "receipts", example_image(app_context, "receipts", box), region_mode="crop"
    )
    _, outlined = ask_quick(
        client, "receipts", example_image(app_context, "receipts", box), region_mode="highlight"
    )

    assert turn_tokens(cropped)["visual"] < turn_tokens(whole)["visual"]
    assert turn_tokens(outlined)["visual"] == turn_tokens(whole)["visual"]
    assert cropped["details"]["region"] == {"box": [10, 10, 90, 90], "mode": "crop"}
    assert outlined["details"]["region"] == {"box": [10, 10, 90, 90], "mode": "highlight"}
    assert whole["details"]["region"] is None
    # The marked region is drawn on the result image, and exported beside result.json.
    assert cropped["annotated"] is not None
    assert sorted(Path(path).name for path in cropped["downloads"]) == [
        "annotated.png",
        "result.json",
    ]


def test_a_new_region_or_mode_starts_the_model_afresh_and_keeps_the_chat(app_url, app_context):
    box = [{"xmin": 10, "ymin": 10, "xmax": 90, "ymax": 90, "label": "region"}]
    whole, region = (
        example_image(app_context, "screenshots"),
        example_image(app_context, "screenshots", box),
    )
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _, first = ask_quick(alice, "screenshots", whole, question="What is this?")
    _, moved = ask_quick(alice, "screenshots", region, question="And here?")
    _, alone = ask_quick(bob, "screenshots", region, question="And here?")
    _, outlined = ask_quick(
        alice, "screenshots", region, question="And now?", region_mode="highlight"
    )

    # The chat keeps the earlier exchange and says the model starts afresh…
    assert chat_messages(moved["chat"])[:3] == [
        *chat_messages(first["chat"]),
        ("assistant", NEW_PICTURE),
    ]
    assert chat_questions(moved["chat"]) == ["What is this?", "And here?"]
    # … and the model sees no history: the prompt of a first question about that region.
    assert turn_tokens(moved)["prompt"] == turn_tokens(alone)["prompt"]
    # Another mode for the same box is another picture too.
    assert chat_answers(outlined["chat"]).count(NEW_PICTURE) == 2
    assert chat_questions(outlined["chat"]) == ["What is this?", "And here?", "And now?"]


# --- multi-turn chat and isolation --------------------------------------------------------


def test_history_grows_across_turns(client, app_context):
    image = example_image(app_context, "homework")
    _, first = ask_quick(client, "homework", image, question="First question?")
    _, second = ask_quick(client, "homework", image, question="Second question?")

    messages = chat_messages(second["chat"])
    assert [role for role, _ in messages] == ["user", "assistant"] * 2
    assert chat_questions(second["chat"]) == ["First question?", "Second question?"]
    assert messages[1][1] == chat_messages(first["chat"])[1][1]
    assert turn_tokens(second)["prompt"] > turn_tokens(first)["prompt"]
    assert turn_tokens(second)["visual"] == turn_tokens(first)["visual"]


def test_the_history_sent_is_the_clients_own_and_clear_drops_it(app_url, app_context):
    image = example_image(app_context, "homework")
    question = "The same question?"
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _, first = ask_quick(alice, "homework", image, question=question)
    _, again = ask_quick(alice, "homework", image, question=question)
    _, bobs = ask_quick(bob, "homework", image, question=question)
    cleared = by_name(alice.predict(api_name="/homework_clear"))
    _, fresh = ask_quick(alice, "homework", image, question=question)

    alone = turn_tokens(first)["prompt"]
    # Same image, same question: only the first exchange, sent as history, adds to the prompt.
    assert turn_tokens(again)["prompt"] > alone
    assert turn_tokens(bobs)["prompt"] == alone, "another client starts with no history"
    assert turn_tokens(fresh)["prompt"] == alone, "Clear drops the history"
    assert chat_questions(again["chat"]) == [question, question]
    assert chat_questions(bobs["chat"]) == [question]
    assert cleared["chat"] == []
    assert chat_questions(fresh["chat"]) == [question]


def test_regenerate_by_name_replaces_the_last_answer(client, app_context):
    image = example_image(app_context, "receipts")
    _, first = ask_quick(client, "receipts", image, question="First question?")
    _, second = ask_quick(client, "receipts", image, question="Second question?")
    again = regenerate_quick(client, "receipts", image)

    assert chat_questions(again["chat"]) == ["First question?", "Second question?"]
    answers = chat_answers(again["chat"])
    assert answers[0] == chat_answers(first["chat"])[0]
    assert answers[1] == as_shown(again["details"]["answer"])
    # The replaced exchange is not sent: the model sees what it saw for the second question.
    assert turn_tokens(again)["prompt"] == turn_tokens(second)["prompt"]
    assert RUN_LINE.match(again["run_status"])


def _conversation(client: Client, ctx, name: str, turns: int = 2) -> list[dict[str, Any]]:
    """Ask `turns` questions on the screenshots tab; return the chat."""
    chat: list[dict[str, Any]] = []
    for turn in range(turns):
        _, result = ask_quick(
            client,
            "screenshots",
            example_image(ctx, "screenshots"),
            question=f"{name} question {turn}?",
        )
        chat = result["chat"]
    return chat


def test_two_clients_keep_their_own_history(app_url, app_context):
    alice, bob = Client(app_url, verbose=False), Client(app_url, verbose=False)
    _conversation(alice, app_context, "Alice", turns=1)
    bob_chat = _conversation(bob, app_context, "Bob", turns=1)
    _, alice_again = ask_quick(
        alice,
        "screenshots",
        example_image(app_context, "screenshots"),
        question="Alice question 1?",
    )

    assert chat_questions(alice_again["chat"]) == ["Alice question 0?", "Alice question 1?"]
    assert chat_questions(bob_chat) == ["Bob question 0?"]


def test_two_clients_at_once_stay_isolated(app_url, app_context):
    names = ("Carol", "Dave")
    chats: dict[str, list] = {}
    failures: list[BaseException] = []

    def converse(name: str) -> None:
        try:
            chats[name] = _conversation(Client(app_url, verbose=False), app_context, name)
        except BaseException as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=converse, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not failures, failures
    for name in names:
        assert chat_questions(chats[name]) == [f"{name} question 0?", f"{name} question 1?"]


def test_clear_empties_the_chat_the_run_line_and_the_results(client, app_context):
    _, asked = ask_quick(client, "receipts", example_image(app_context, "receipts"))
    assert asked["chat"] and asked["run_status"] and asked["details"]
    cleared = by_name(client.predict(api_name="/receipts_clear"))

    assert cleared == {"chat": [], "run_status": "", **EMPTY}
