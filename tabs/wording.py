"""What the server says in a tab, in English and 中文: mistakes, notices, the run and cost lines.

The words are in the one wording table (`workbench.wording`); `say` words one of them in the
page's language. The static texts of the page (labels, buttons) are in `tabs.i18n`; answers' own
problems word themselves (`SchemaError.text`, ...).
"""

from __future__ import annotations

from typing import Any

from workbench.messages import ui_language, word


def say(key: str, language: str | None = "en", **facts: Any) -> str:
    """Return the message `key` in the interface language (English if unknown), facts filled in."""
    return word(key, ui_language(language), **facts)
