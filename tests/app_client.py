"""Driving the launched app with `gradio_client`: the calls and readings the test_app_api_*
files share.

Every endpoint takes its values by name; the conversation lives in the app's per-session
state, so one `Client` is one user, who keeps a conversation across calls, and a second
`Client` is another.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from gradio_client import Client, handle_file

from tabs.domain.events import ASK_OUTPUTS, PRESET_OUTPUTS
from workbench.budget import device_budget
from workbench.prompts.conversation import EMPTY_ANSWER

TABS = ("receipts", "screenshots", "homework", "gauges")
# What the ask, submit, regenerate and clear endpoints return, in order: the state is not sent.
OUTPUTS = tuple(name for name in ASK_OUTPUTS if name != "conversation")
# A quick free question: no preset (no schema, no repair turn), a short answer. Full sampling:
# greedy decoding on random weights may repeat a blank.
QUICK: dict[str, Any] = {
    "question": "What is in this picture?",
    "preset": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_new_tokens": 16,
    "strict": False,
    "repair_turns": 0,
}
RUN_LINE = re.compile(r"⏱ (\d+) visual \+ (\d+) text in · (\d+) out · ")


def example_image(ctx, tab: str, boxes: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """Return the annotator value for the tab's first example image."""
    return {"image": handle_file(str(ctx.examples[tab][0].image_path)), "boxes": boxes or []}


def by_name(values: tuple | list) -> dict[str, Any]:
    """Return an ask endpoint's outputs by component name."""
    return dict(zip(OUTPUTS, values, strict=True))


def carries_value(value: Any) -> bool:
    """Return whether a streamed output carries a value (a partial update leaves others be)."""
    return not (isinstance(value, dict) and value.get("__type__") == "update")


def submit_quick(
    client: Client, tab: str, image: dict[str, Any] | None, endpoint: str = "ask", **overrides: Any
):
    """Start a quick ask (or submit) on a tab, values by name; return the job."""
    return client.submit(image=image, **{**QUICK, **overrides}, api_name=f"/{tab}_{endpoint}")


def ask_quick(
    client: Client, tab: str, image: dict[str, Any] | None, endpoint: str = "ask", **overrides: Any
) -> tuple[int, dict[str, Any]]:
    """Ask and return (the number of streamed updates, the final outputs by name)."""
    job = submit_quick(client, tab, image, endpoint, **overrides)
    updates = sum(1 for _ in job)
    return updates, by_name(job.result(timeout=120))


def regenerate_quick(
    client: Client, tab: str, image: dict[str, Any] | None, **overrides: Any
) -> dict[str, Any]:
    """Ask this client's last question again, with quick settings; return the outputs by name."""
    settings = {name: value for name, value in QUICK.items() if name != "question"}
    values = client.predict(image=image, **{**settings, **overrides}, api_name=f"/{tab}_regenerate")
    return by_name(values)


def refusal_line(result: dict[str, Any]) -> str:
    """Return the run line of a refused question, checking that nothing else moved."""
    moved = [
        name for name, value in result.items() if name != "run_status" and carries_value(value)
    ]
    assert not moved, f"a refusal should only set the run line, not {moved}"
    assert result["run_status"].startswith("⚠️ "), result["run_status"]
    return result["run_status"]


def text_of(content: Any) -> str:
    """Return the text of a chat message's content (a string or Gradio's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, list):
        return "".join(text_of(part) for part in content)
    return ""


def chat_messages(chat: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(message["role"], text_of(message["content"])) for message in chat]


def chat_questions(chat: list[dict[str, Any]]) -> list[str]:
    return [text for role, text in chat_messages(chat) if role == "user"]


def chat_answers(chat: list[dict[str, Any]]) -> list[str]:
    return [text for role, text in chat_messages(chat) if role == "assistant"]


def as_shown(answer: str) -> str:
    """Return an answer as the chat shows it (the Chatbot tidies it like `inspect.cleandoc`)."""
    return inspect.cleandoc(answer or EMPTY_ANSWER)


def turn_tokens(result: dict[str, Any], turn: int = 0) -> dict[str, int]:
    return result["details"]["turns"][turn]["tokens"]


def nth_preset(ctx, tab: str, index: int = 0) -> str:
    return ctx.presets[tab].presets[index].name


def preset_controls(client: Client, tab: str, preset: str, language: str = "en") -> dict[str, Any]:
    """Return what choosing a preset puts into the controls, by name."""
    values = client.predict(preset=preset, language=language, api_name=f"/{tab}_preset")
    return dict(zip(PRESET_OUTPUTS, values, strict=True))


def device_visual_max(ctx) -> tuple[str, int]:
    """Return the device and its max visual tokens: the loaded model's, else the CPU guess."""
    if ctx.session.loaded:
        return ctx.session.status.device, ctx.session.status.visual_tokens[1]
    return "cpu", device_budget("cpu")[1]


def cost_of(client: Client, tab: str, image: dict | None, **overrides: Any) -> str:
    """Return the cost line under a tab's image."""
    inputs = {"image": image, "region_mode": "crop", "preset": None, **overrides}
    return client.predict(**inputs, api_name=f"/{tab}_cost")
