"""Build chat messages: the region the model sees, the role and preset, the turns so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from workbench.answers.boxes import Region
from workbench.answers.drawing import outline_region
from workbench.engines.base import Message
from workbench.messages import Problem, check_language

RegionMode = Literal["crop", "highlight"]
REGION_MODES: tuple[RegionMode, ...] = ("crop", "highlight")
HIGHLIGHT_NOTE = {
    "en": "The region to look at is outlined in red.",
    "zh": "需要查看的区域已用红框标出。",
}
# Added to the question when the user set an alarm threshold: the model is told the number
# the threshold check then uses, from the one field that holds it.
THRESHOLD_NOTE = {
    "en": "The alarm threshold is {value} (in the unit of the dial): "
    "the alarm goes off when the reading is {direction} it.",
    "zh": "报警阈值为 {value}（与表盘单位相同）：读数{direction}阈值时报警。",
}
THRESHOLD_DIRECTION = {
    "en": {"above": "above", "below": "below"},
    "zh": {"above": "高于", "below": "低于"},
}
REPAIR_REQUEST = {
    "en": "Your JSON does not match the required schema:\n{errors}\n"
    "Reply with the corrected JSON only, no other text.",
    "zh": "你的 JSON 不符合要求的结构：\n{errors}\n只回复修正后的 JSON，不要其他文字。",
}


@dataclass(frozen=True)
class View:
    """What the model was shown: the full image's size and, when cropped, the crop."""

    image_size: tuple[int, int]
    crop: Region | None = None


def model_view(
    image: Image.Image, region: Region | None, mode: RegionMode
) -> tuple[Image.Image, View]:
    """Return the picture to show the model and how it maps back to the full image."""
    if mode not in REGION_MODES:
        raise ValueError(f"region mode must be one of {', '.join(REGION_MODES)}; got {mode!r}")
    if region is None:
        return image, View(image.size)
    if mode == "crop":
        return image.crop((region.left, region.top, region.right, region.bottom)), View(
            image.size, region
        )
    return outline_region(image, region), View(image.size)


def threshold_note(threshold: float, direction: str, language: str = "en") -> str:
    """Return the sentence that tells the model the alarm threshold, in the language."""
    return THRESHOLD_NOTE[language].format(
        value=f"{threshold:g}", direction=THRESHOLD_DIRECTION[language][direction]
    )


def system_prompt(role: str, instructions: str) -> str:
    """Return the system prompt: the user's role first, then the preset's instructions."""
    return "\n\n".join(part.strip() for part in (role, instructions) if part.strip())


def build_messages(
    system: str,
    images: Image.Image | Sequence[Image.Image],
    turns: Sequence[tuple[str, str]],
    question: str,
) -> list[Message]:
    """Return chat messages: the images (a picture, or a document's pages in order) ride with
    the first user turn, later turns are text."""
    if not question.strip():
        raise ValueError("The question is empty. Type a question or pick a preset.")
    pictures = [images] if isinstance(images, Image.Image) else list(images)
    messages: list[Message] = [{"role": "system", "content": system}] if system else []
    for index, (asked, answered) in enumerate([*turns, (question, None)]):
        content: list[dict] = [{"type": "text", "text": asked}]
        if index == 0:
            content[:0] = [{"type": "image", "image": picture} for picture in pictures]
        messages.append({"role": "user", "content": content})
        if answered is not None:
            messages.append({"role": "assistant", "content": answered})
    return messages


def repair_request(problems: Sequence[Problem | str], language: str = "en") -> str:
    """Return the follow-up that shows the model, in `language`, what was wrong with its JSON.

    Each problem (a SchemaError, an extraction's problem note) words itself in that language;
    a string is listed as it is, already worded by the caller.
    """
    check_language(language)
    listed = "\n".join(
        f"- {problem if isinstance(problem, str) else problem.line(language)}"
        for problem in problems
    )
    return REPAIR_REQUEST[language].format(errors=listed)
