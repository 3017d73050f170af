"""The interface in English and 中文: the tables are whole, and what the server says follows
the page's language while English stays word for word what it was."""

from __future__ import annotations

import re
import string
from typing import Any

import gradio as gr
import pytest
from gradio.i18n import I18nData
from PIL import Image

from tabs.app import DOMAIN_TABS as TABS
from tabs.app import build_app, launch_options
from tabs.domain import handlers
from tabs.domain.answering import status_line
from tabs.domain.context import picture
from tabs.domain.cost import cost_line
from tabs.domain.results import _stats_line, checks_markdown, verdict
from tabs.i18n import I18N, LANGUAGES, TEXT, relabel, translated
from tabs.receipts import TAB as RECEIPTS
from tabs.wording import say
from workbench.answers.checks import CheckContext, run_checks
from workbench.answers.extract import extract_json
from workbench.answers.validation import validate
from workbench.engines.base import GenerationStats
from workbench.intake.images import ImageError, load_image
from workbench.messages import word
from workbench.pipeline import Answer
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
)
from workbench.session import Status, random_weights_warning
from workbench.wording import LABELS, SECTIONS, WORDING

# Latin words a Chinese text may carry: names, units, formats, the model's own terms.
ALLOWED = {"JSON", "API", "CPU", "GPU", "Workbench", "Top", "token", "px", "MB", "tok"}
ALLOWED |= {"PNG", "JPEG", "WebP", "GIF", "BMP", "TIFF", "torch", "transformers", "tiny"}
ALLOWED |= {"null", "PDF", "HEIC", "OCR", "CLAHE", "CSV", "JSONL"}
# Names of things: the engine, its flag, formats and hardware.
ALLOWED |= {"llama", "cpp", "engine", "GGUF", "safetensors", "CUDA", "Apple", "Metal"}
# Contrast's standard and its levels; a report's formats.
ALLOWED |= {"WCAG", "AA", "AAA", "zip", "Markdown"}
# Placeholders, HTML (the legend's colour swatches) and file names are not words to translate.
HIDDEN = re.compile(r"\{[^}]*\}|<[^>]*>|[\w.]+\.(?:png|jsonl)\b|\banswers/")
USER = gr.Request(session_hash="tester")


def _english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", HIDDEN.sub("", text))) - ALLOWED


def _zh_texts() -> dict[str, str]:
    texts = {f"TEXT {key}": value for key, value in TEXT["zh"].items()}
    sections = ("tabs", "chat", "session", "evidence", "types", "images", "enhancement")
    sections += ("compare", "compare ui", "review", "charts", "confidence")
    for section in sections:
        texts |= {f"{section} {key}": wording.zh for key, wording in SECTIONS[section].items()}
    return texts


def test_both_languages_have_the_same_keys_and_no_empty_text() -> None:
    assert set(TEXT) == set(LANGUAGES)
    assert TEXT["en"].keys() == TEXT["zh"].keys()
    for language in LANGUAGES:
        assert all(value.strip() for value in TEXT[language].values())
    assert I18N.translations_dict == TEXT


# Where the two languages take different facts, and why.
FACTS_IN_ONE_LANGUAGE = {
    # jsonschema's English, word for word, leaves the limit out; the Chinese says it.
    "schema.minLength": ((), ("expected",)),
    "schema.maxLength": ((), ("expected",)),
    "schema.minItems": ((), ("expected",)),
    "schema.maxItems": ((), ("expected",)),
    "schema.minProperties": ((), ("expected",)),
    "schema.maxProperties": ((), ("expected",)),
    # The Chinese has no use for the list of schemas, ...
    "schema.oneOf.many": (("found",), ()),
    # ... and for a keyword or a box problem without words of its own says a plain sentence
    # where the English passes on what it was given.
    "schema.other": (("detail",), ("instance", "keyword")),
    "box.other": (("problem",), ()),
    # Of one step, the one marked incorrect is that step.
    "homework.some_incorrect.one": (("wrong",), ()),
    # English names a check by its stable name (records and scripts know it), Chinese by title.
    "checks.line": (("name",), ("title",)),
}


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_every_key_has_both_languages_and_the_same_placeholders() -> None:
    empty = [key for key, words in WORDING.items() if not (words.en.strip() and words.zh.strip())]
    assert empty == []
    differ = {}
    for key, words in WORDING.items():
        en, zh = _fields(words.en), _fields(words.zh)
        if en != zh:
            differ[key] = (tuple(sorted(en - zh)), tuple(sorted(zh - en)))
    assert differ == FACTS_IN_ONE_LANGUAGE


def test_a_key_is_in_one_section_of_the_table() -> None:
    assert len(WORDING) == sum(len(section) for section in SECTIONS.values())


def test_the_page_texts_are_the_labels_worded() -> None:
    for language in LANGUAGES:
        assert list(TEXT[language]) == list(LABELS)
        assert not any("{" in text or "}" in text for text in TEXT[language].values())
    assert TEXT["zh"]["ask.button"] == LABELS["ask.button"].zh == "提问"
    assert TEXT["en"]["legend.boxes"].startswith("<span style='color:#")


def test_the_app_is_launched_with_the_table(app_context) -> None:
    assert launch_options(app_context)["i18n"] is I18N


@pytest.mark.parametrize("where", sorted(_zh_texts()))
def test_chinese_has_no_english_words(where: str) -> None:
    assert not _english_words(_zh_texts()[where]), where


@pytest.mark.parametrize("tab", [tab.TAB for tab in TABS], ids=lambda tab: tab.key)
def test_the_tab_texts_are_the_tab_modules_english(tab) -> None:
    assert TEXT["en"][f"{tab.key}.title"] == tab.title
    assert TEXT["en"][f"{tab.key}.description"] == tab.description
    assert TEXT["en"][f"{tab.key}.role_example"] == f"e.g. {tab.role_example}"


def test_every_labelled_component_and_text_is_keyed(app_context) -> None:
    """Every component with a label (or placeholder, info, text, choices) shows an I18N key."""
    app = build_app(app_context)
    keyed = 0
    for block in app.blocks.values():
        for name in ("label", "placeholder", "info"):
            value = getattr(block, name, None)
            if isinstance(value, str) and value and not value.startswith("__i18n__"):
                # Only texts that are not the interface's own: a reason from the engine.
                assert name == "info", f"{type(block).__name__}.{name} = {value!r} has no key"
            keyed += isinstance(value, I18nData)
    assert keyed > 20 * len(TABS)
    texts = {block: keys for block in app.blocks.values() if (keys := translated(block))}
    for language in LANGUAGES:
        for block, update in relabel(texts, language).items():
            shown = {k: v for k, v in update.items() if k != "__type__"}
            assert shown, block
            for name, value in shown.items():
                if name == "choices":
                    assert all(label in TEXT[language].values() for label, _ in value)
                else:
                    assert value in TEXT[language].values(), (block, name, value)


def test_a_tabs_labels_have_keys_by_component(app_context) -> None:
    """Each TabUI component that carries a label carries an I18N key for it."""
    app = build_app(app_context)
    labelled = [
        block
        for block in app.blocks.values()
        if getattr(block, "label", None) is not None and not isinstance(block, gr.State)
    ]
    missing = [block for block in labelled if "label" not in translated(block)]
    assert not missing, [f"{type(b).__name__}: {b.label!r}" for b in missing]


def _answer(**fields_: Any) -> Answer:
    return Answer(text="", view=None, **fields_)  # type: ignore[arg-type]


SCHEMA = {"type": "object", "properties": {"total": {"type": "number"}}, "required": ["total"]}


@pytest.mark.parametrize(
    ("answer", "en", "zh"),
    [
        (_answer(), "ℹ️ Free-text answer — no JSON expected.", "ℹ️ 自由文本回答——不要求 JSON。"),
        (
            _answer(extraction=extract_json("nothing")),
            "❌ **No usable JSON**: no JSON object or array in the answer",
            "❌ **没有可用的 JSON**：回答中没有 JSON 对象或数组",
        ),
        (
            _answer(extraction=extract_json('{"total": 1,}')),
            "✅ **Valid JSON** (matches the schema)\n\n"
            "Extraction fixed:\n- removed trailing commas",
            "✅ **JSON 有效**（符合预设的结构）\n\n提取时修正了：\n- 删除了多余的结尾逗号",
        ),
        (
            _answer(extraction=extract_json("{}"), errors=validate({}, SCHEMA)),
            "❌ **1 schema error**\n- `$`: 'total' is a required property",
            '❌ **1 个结构错误**\n- `$`：缺少必需的属性 "total"',
        ),
    ],
)
def test_the_verdict_in_each_language(answer: Answer, en: str, zh: str) -> None:
    assert verdict(answer) == en
    assert verdict(answer, "zh") == zh


def test_checks_and_run_line_in_chinese() -> None:
    value = {"value": 90, "unit": "bar", "scale_min": 0, "scale_max": 100}
    answer = _answer(
        checks=run_checks(["gauge"], value, CheckContext(threshold=80)),
        stats=[GenerationStats(100, 64, 20, 0.5, 2.5, True, "cancelled")],
    )
    english = checks_markdown(answer)
    assert english.startswith("**Domain checks**\n- ✅ **value_in_scale**: 90 bar is within")
    chinese = checks_markdown(answer, "zh")
    assert chinese.startswith(
        "**领域检查**\n- ✅ **读数在量程之内**：90 bar 在量程 0 到 100 bar 之内"
    )
    assert "报警：90 bar 高于阈值 80 bar" in chinese
    assert _stats_line(answer) == (
        "⏱ 64 visual + 36 text in · 20 out · first token 0.50 s · 9.5 tok/s · 2.5 s total · stopped"
    )
    assert _stats_line(answer, "zh") == (
        "⏱ 输入 64 个视觉 + 36 个文本 token · 输出 20 个 · 首个 token 0.50 s · 9.5 token/s"
        " · 共 2.5 s · 已停止"
    )


@pytest.mark.parametrize(
    ("status", "zh"),
    [
        (Status("idle", "tiny"), "⚪ tiny · 首次提问时加载"),
        (
            Status("loading", "tiny", stage="loading the processor"),
            "⏳ tiny · 正在加载：加载处理器…",
        ),
        (
            Status("ready", "tiny", device="cpu", load_seconds=1.25, random_weights=True),
            f"**🟢 tiny · 已在 CPU 上就绪 · 加载用时 1.2 s · ⚠ {random_weights_warning('zh')}**",
        ),
    ],
)
def test_the_status_line_in_chinese(status: Status, zh: str) -> None:
    assert status_line(status, "zh") == zh
    assert status_line(status) == status_line(status, "en")


def test_the_chat_marks_in_chinese() -> None:
    conversation = Conversation(
        (
            Exchange("q1", "a", (Turn("q1", ""), Turn("fix it", "{}", True)), stopped=True),
            Notice("⚠️ note"),
            Exchange("q2", "b", (Turn("q2", "x"),), failed=True, left_out=2),
        )
    )
    chat = [message["content"] for message in chat_messages(conversation, language="zh")]
    assert chat == [
        "q1",
        "（模型没有返回文字）",
        "🔧 修复轮: fix it",
        "{}\n\n⏹ 已停止",
        "⚠️ note",
        "🖼 新的图片或区域：模型就它重新开始对话。",
        "ℹ️ 之前的 2 轮没有放进来：上下文已经放不下了。",
        "q2",
        "x\n\n⚠️ 失败：不计入模型看到的内容",
    ]
    english = [message["content"] for message in chat_messages(conversation)]
    assert english[6] == "ℹ️ 2 earlier turns left out: they no longer fit the context."


def test_the_chat_marks_keep_their_english_word_for_word() -> None:
    marks = (STOPPED_MARK, REPAIR_LABEL, EMPTY_ANSWER, FAILED_MARK, NEW_PICTURE)
    assert marks == (
        "⏹ stopped",
        "🔧 Repair turn",
        "(the model returned no text)",
        "⚠️ failed: left out of what the model sees",
        "🖼 A new image or region: the model starts a fresh conversation about it.",
    )
    keys = ("stopped", "repair", "empty", "failed", "new_picture")
    assert marks == tuple(word(f"chat.{key}", "en") for key in keys)
    left_out = [word("chat.left_out.one", "en", count=1), word("chat.left_out", "en", count=3)]
    assert left_out == [
        "ℹ️ 1 earlier turn left out: they no longer fit the context.",
        "ℹ️ 3 earlier turns left out: they no longer fit the context.",
    ]


def test_mistakes_are_said_in_the_pages_language(tmp_path, app_context) -> None:
    with pytest.raises(gr.Error, match="请先添加图片"):
        picture(None, "zh")
    small = tmp_path / "small.png"
    Image.new("RGB", (4, 40)).save(small)
    with pytest.raises(ImageError) as error:
        load_image(small)
    assert str(error.value) == "The image is 4×40; each side must be at least 8 pixels."
    assert error.value.text("zh") == "图片是 4×40；每条边至少要 8 像素。"
    with pytest.raises(gr.Error, match="每条边至少要 8 像素"):
        picture({"image": str(small)}, "zh")
    asked = handlers.ask_question(
        Conversation(), " ", ctx=app_context, tab=RECEIPTS, request=USER, ui_language="zh"
    )
    assert next(asked) == {"run_status": f"⚠️ {say('ask.empty', 'zh')}"}
    upload = handlers.check_upload({"image": str(small)}, "zh")
    assert upload["image"] is None  # emptied, and no document left behind it
    assert upload["document"] is None


def test_the_cost_line_in_chinese(app_context) -> None:
    """With no image, the line is the preset's cap note on the CPU, in the page's language."""
    first = app_context.presets["receipts"].presets[0]
    english = cost_line(None, "crop", first.name, None, ctx=app_context, tab=RECEIPTS)
    chinese = cost_line(
        None, "crop", first.name, None, ui_language="zh", ctx=app_context, tab=RECEIPTS
    )
    assert english.startswith("ℹ️ The preset asks for up to")
    assert chinese.startswith("ℹ️ 预设最多要") and not _english_words(chinese.replace("CPU", ""))
