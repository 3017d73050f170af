"""The interface in English and 中文, shown through `gr.I18n`: the glue between Gradio and the
page's static texts (`workbench.wording.LABELS`, in the one wording table).

Components take `label=I18N("key")`, so the browser's language picks the words on first paint;
the page's language switch then sets the same texts from `TEXT` (`relabel`). A component's texts
are found on the component itself (its `I18N` keys), so nothing is listed twice or counted.
"""

from __future__ import annotations

import json
import re
from typing import Any

import gradio as gr
from gradio.i18n import I18nData

from workbench.answers.drawing import BOX_COLOURS, REGION_COLOUR
from workbench.messages import LANGUAGES, ui_language, word
from workbench.wording import LABELS

UI_LANGUAGE_CHOICES = [("English", "en"), ("中文", "zh")]
# The browser's language, as the page's switch takes it (Gradio's own i18n reads the same).
DETECT_LANGUAGE_JS = (
    "(...args) => [(navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en']"
)


def swatch(colour: tuple[int, int, int]) -> str:
    """Return a square in the colour, for Markdown: a legend's key."""
    return "<span style='color:#{:02x}{:02x}{:02x}'>■</span>".format(*colour)


# The legend's keys: the colours the boxes are drawn in.
_SWATCHES = {"region": swatch(REGION_COLOUR), "boxes": "".join(map(swatch, BOX_COLOURS[:3]))}
TEXT: dict[str, dict[str, str]] = {
    language: {key: word(key, language, **_SWATCHES) for key in LABELS} for language in LANGUAGES
}
I18N = gr.I18n(**TEXT)

_MARKED = re.compile(r"^__i18n__(\{.*\})$", re.DOTALL)
# The properties of a component that may hold a translated text, as `gr.update` names them.
_PROPERTIES = ("label", "placeholder", "info", "value")


def text(key: str, language: str = "en") -> str:
    """Return the interface text `key` in `language`."""
    return TEXT[ui_language(language)][key]


def _key(value: Any) -> str | None:
    """Return the I18N key a component property holds (None for a plain value)."""
    if isinstance(value, I18nData):
        return value.key
    if isinstance(value, str) and (marked := _MARKED.match(value)):
        return json.loads(marked.group(1)).get("key")
    return None


def translated(block: Any) -> dict[str, Any]:
    """Return the block's translated properties: property name to key (choices: their keys)."""
    found: dict[str, Any] = {
        name: key for name in _PROPERTIES if (key := _key(getattr(block, name, None)))
    }
    choices = getattr(block, "choices", None)
    if choices and any(_key(choice[0]) for choice in choices):
        found["choices"] = [(_key(shown) or shown, value) for shown, value in choices]
    return found


def relabel(texts: dict[Any, dict[str, Any]], language: str) -> dict[Any, Any]:
    """Return, for each block, the update that words its translated properties in `language`."""
    table = TEXT[ui_language(language)]
    updates = {}
    for block, keys in texts.items():
        update = {name: table[key] for name, key in keys.items() if name != "choices"}
        if "choices" in keys:
            update["choices"] = [(table.get(key, key), value) for key, value in keys["choices"]]
        updates[block] = gr.update(**update)
    return updates
