"""The interface in English and 中文: one table of static texts, shown through `gr.I18n`.

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

from workbench.drawing import BOX_COLOURS, REGION_COLOUR

LANGUAGES = ("en", "zh")
UI_LANGUAGE_CHOICES = [("English", "en"), ("中文", "zh")]
# The browser's language, as the page's switch takes it (Gradio's own i18n reads the same).
DETECT_LANGUAGE_JS = (
    "(...args) => [(navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en']"
)


def swatch(colour: tuple[int, int, int]) -> str:
    """Return a square in the colour, for Markdown: a legend's key."""
    return "<span style='color:#{:02x}{:02x}{:02x}'>■</span>".format(*colour)


_REGION, _BOXES = swatch(REGION_COLOUR), "".join(map(swatch, BOX_COLOURS[:3]))

# key: (English, 中文). The tab texts repeat the English of each tab module's `DomainTab`
# (a test keeps them equal), so a tab module still reads on its own.
_PAIRS: dict[str, tuple[str, str]] = {
    "page.header": (
        "## 🔎 Workbench\nPut a picture in front of the model and check its answer.",
        "## 🔎 Workbench\n把图片交给模型，再检查它的回答。",
    ),
    "page.ui_language": ("Interface", "界面语言"),
    "batch.title": ("Batch", "批量处理"),
    "batch.description": (
        "Run one preset over many files — images, PDFs (each page) or a zip of them. "
        "A row per file as it finishes; the results download as CSV, JSONL and a zip of "
        "annotated images.",
        "用一个预设处理多个文件——图片、PDF（逐页）或它们的压缩包。每完成一个文件就多一行；"
        "结果可下载为 CSV、JSONL 和标注图片的压缩包。",
    ),
    "batch.files.label": ("Files (images, PDFs, zips)", "文件（图片、PDF、压缩包）"),
    "batch.tab.label": ("Tab", "标签页"),
    "batch.options.accordion": ("Generation", "生成"),
    "batch.run.button": ("Run", "运行"),
    "batch.table.label": ("Results", "结果"),
    "grading.title": ("Evaluate", "人工评测"),
    "grading.intro": (
        "Grade an eval run by hand: pick its results, type your name and mark each answer. "
        "You see only your own queue, never another grader's marks. Two graders mark every "
        "answer; a third person settles where they disagree.",
        "人工批改一次评测：选择结果、输入你的名字，逐个评分。你只看到自己待评的回答，"
        "看不到别人的评分。每个回答由两位评分者评分，意见不一致时由第三人裁决。",
    ),
    "grading.folder.label": ("Eval results", "评测结果"),
    "grading.refresh.button": ("Refresh", "刷新"),
    "grading.grader.label": (
        "Your name (your marks are saved under it)",
        "你的名字（评分以此名保存）",
    ),
    "grading.next.button": ("Next answer", "下一个回答"),
    "grading.question.label": ("Question", "问题"),
    "grading.answer.label": ("The model's answer", "模型的回答"),
    "grading.expect.label": ("Expected", "期望结果"),
    "grading.image.label": ("Image", "图片"),
    "grading.correct.button": ("Correct", "正确"),
    "grading.wrong.button": ("Wrong", "错误"),
    "grading.hallucinated.button": ("Hallucinated", "幻觉"),
    "grading.mark.label": ("Mark", "评分"),
    "grading.save.button": ("Save mark", "保存评分"),
    "grading.agreement.heading": ("### Agreement and arbitration", "### 一致性与仲裁"),
    "grading.grader_a.label": ("First grader", "第一位评分者"),
    "grading.grader_b.label": ("Second grader", "第二位评分者"),
    "grading.compare.button": ("Compare", "比较"),
    "grading.disagreements.label": ("Disagreements", "分歧"),
    "grading.arbiter.label": (
        "Arbiter (a third person, not one of the graders)",
        "仲裁者（第三人，不是评分者之一）",
    ),
    "grading.dispute.label": ("Disagreement to settle", "待裁决的分歧"),
    "receipts.title": ("Receipts & invoices", "收据与发票"),
    "receipts.description": (
        "Read receipts and invoices into checked JSON: line items, discounts, "
        "tax and totals, with the arithmetic verified.",
        "把收据和发票读成经过检查的 JSON：明细、折扣、税额和合计，并核对算术。",
    ),
    "receipts.role_example": (
        "e.g. You are an accounts-payable clerk who checks every figure.",
        "例如：你是一名逐项核对每个数字的应付账款会计。",
    ),
    "screenshots.title": ("UI screenshots", "界面截图"),
    "screenshots.description": (
        "Find what is wrong on an app screen — truncated labels, overlapping or "
        "misaligned elements — each boxed on the screenshot.",
        "找出应用界面上的问题——被截断的文字、重叠或没对齐的元素——并在截图上逐一框出。",
    ),
    "screenshots.role_example": (
        "e.g. You are a senior Android QA engineer.",
        "例如：你是一名资深的安卓测试工程师。",
    ),
    "homework.title": ("Homework grading", "作业批改"),
    "homework.description": (
        "Transcribe a student's solution, grade it step by step, and explain the mistake.",
        "转写学生的解答，逐步批改，并讲清错在哪里。",
    ),
    "homework.role_example": (
        "e.g. You are a patient Grade 7 maths teacher.",
        "例如：你是一位耐心的七年级数学老师。",
    ),
    "gauges.title": ("Gauges & meters", "仪表读数"),
    "gauges.description": (
        "Read analog gauges and digital meters, check the value against the "
        "scale, and raise an alarm past your threshold.",
        "读取指针式和数字式仪表，对照量程检查读数，超过阈值时报警。",
    ),
    "gauges.role_example": (
        "e.g. You are a plant maintenance technician doing a morning round.",
        "例如：你是一名正在做早间巡检的工厂维修技术员。",
    ),
    "image.label": (
        "Image — drag a box to mark a region (optional)",
        "图片——拖出一个框来标记区域（可选）",
    ),
    "document.label": (
        "Or a PDF or a phone photo (HEIC)",
        "或者上传 PDF 或手机照片（HEIC）",
    ),
    "thumbnails.label": ("Pages — pick one to show it above", "页面——点一页在上方显示"),
    "pages.label": (
        "Pages to ask about (up to 4, sent together)",
        "要提问的页面（最多 4 页，一起发送）",
    ),
    "enhance.label": ("Enhance (low light, contrast, tilt)", "增强（暗光、对比度、倾斜）"),
    "enhance.auto": ("Auto", "自动"),
    "enhance.on": ("On", "开"),
    "enhance.off": ("Off", "关"),
    "region.label": ("Region", "区域"),
    "region.crop": ("Crop to the region", "裁剪到该区域"),
    "region.highlight": ("Highlight it on the full image", "在整张图上标出该区域"),
    "preset.label": ("Preset", "预设"),
    "preset.error": (
        "⚠️ **Presets could not be loaded.** Fix the file and restart; free questions still work.",
        "⚠️ **预设无法加载。** 请修正文件后重启；自由提问仍然可用。",
    ),
    "language.label": ("Answer in", "回答语言"),
    "role.label": ("Role (put ahead of the preset's instructions)", "角色（放在预设指令之前）"),
    "question.label": ("Question", "问题"),
    "threshold.label": ("Alarm threshold (in the reading's unit)", "报警阈值（与读数单位相同）"),
    "threshold.placeholder": ("empty: no alarm check; e.g. 80", "留空则不检查报警；例如 80"),
    "direction.label": ("Alarm when the value is", "何时报警：读数"),
    "direction.above": ("above", "高于阈值"),
    "direction.below": ("below", "低于阈值"),
    "chat.label": ("Conversation", "对话"),
    "chat.placeholder": (
        "The conversation about the image shows here.",
        "关于这张图片的对话会显示在这里。",
    ),
    "ask.button": ("Ask", "提问"),
    "stop.button": ("Stop", "停止"),
    "regenerate.button": ("Regenerate", "重新生成"),
    "clear.button": ("Clear", "清空"),
    "generation.accordion": ("Generation and checking", "生成与检查"),
    "temperature.label": ("Temperature", "温度"),
    "top_p.label": ("Top-p", "核采样 Top-p"),
    "max_new_tokens.label": ("Max new tokens", "最多生成的 token 数"),
    "repair_turns.label": ("Repair turns for invalid JSON", "JSON 无效时的修复轮数"),
    "strict.label": ("Strict JSON (schema-constrained decoding)", "严格 JSON（按结构约束解码）"),
    "visual_tokens.label": ("Visual tokens per image (max)", "每张图片的视觉 token 数（上限）"),
    "visual_tokens.info": (
        "One token is 32×32 pixels. More reads small print better; the first word "
        "comes later. The preset sets it; the line under the image shows the cost.",
        "一个 token 对应 32×32 像素。越多越能看清小字，但第一个字出来得越晚。"
        "默认值由预设决定；图片下方的一行显示代价。",
    ),
    "annotated.label": ("Boxes from the answer", "回答中的框"),
    "legend.boxes": (
        f"{_REGION} your region (red outline) · {_BOXES} the model's boxes, "
        "each labelled with its value, then where OCR saw each value of the answer",
        f"{_REGION} 你标记的区域（红色边框） · {_BOXES} 模型给出的框，每个都标着它的值；"
        "其后是 OCR 在图上看到回答中各个值的位置",
    ),
    "parsed.label": ("Parsed JSON", "解析出的 JSON"),
    "downloads.label": ("Export", "导出"),
    "details.accordion": ("Run details", "运行详情"),
    "details.label": ("Tokens, timings, parameters, region", "token 数、耗时、参数和区域"),
    "examples.label": (
        "Examples — pick one to try (made by the workbench; ground truth beside each)",
        "示例——选一个试试（由 Workbench 生成，每个都附有标准答案）",
    ),
}
TEXT: dict[str, dict[str, str]] = {
    language: {key: pair[index] for key, pair in _PAIRS.items()}
    for index, language in enumerate(LANGUAGES)
}
I18N = gr.I18n(**TEXT)

_MARKED = re.compile(r"^__i18n__(\{.*\})$", re.DOTALL)
# The properties of a component that may hold a translated text, as `gr.update` names them.
_PROPERTIES = ("label", "placeholder", "info", "value")


def ui_language(language: str | None) -> str:
    """Return a language the interface speaks: the one asked for, else English."""
    return language if language in LANGUAGES else "en"


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
