"""What the server says in a tab, in English and 中文: mistakes, notices, the run and cost lines.

`say(key, language, **facts)` fills a `str.format` template. The static texts of the page (labels,
buttons) are in `tabs.i18n`; answers' own problems word themselves (`SchemaError.text`, ...).
"""

from __future__ import annotations

from typing import Any

from tabs.i18n import ui_language
from workbench.messages import Wording

MESSAGES: dict[str, Wording] = {
    # Mistakes, said in a toast and on the run line.
    "ask.empty": Wording(
        "The question is empty. Type a question or pick a preset.",
        "问题是空的。请输入问题，或选择一个预设。",
    ),
    "regenerate.none": Wording(
        "There is no question to regenerate yet. Ask one first.",
        "还没有可以重新生成的问题。请先提一个问题。",
    ),
    "preset.unknown": Wording(
        "There is no preset called {name!r} in this tab.", "这个标签页里没有名为 {name!r} 的预设。"
    ),
    "image.missing": Wording(
        "Add an image first: upload one, paste one, or pick an example below.",
        "请先添加图片：上传、粘贴，或在下方选一个示例。",
    ),
    "image.gone": Wording(
        "The uploaded image is no longer on the server. Upload it again.",
        "上传的图片已不在服务器上。请重新上传。",
    ),
    "region.unusable": Wording(
        "The marked region cannot be used ({error}). Draw it again.",
        "标记的区域无法使用（{error}）。请重新画一个。",
    ),
    "threshold.not_number": Wording(
        "The alarm threshold {value!r} is not a number. Type one, e.g. 80.",
        "报警阈值 {value!r} 不是数字。请输入一个数字，例如 80。",
    ),
    "threshold.not_finite": Wording(
        "The alarm threshold {value!r} is not a finite number.",
        "报警阈值 {value!r} 不是有限的数字。",
    ),
    # Failures and stops, said in the chat and on the run line.
    "load.failed": Wording(
        "The model could not be loaded. {reason} {hint}", "模型无法加载。{reason} {hint}"
    ),
    "answer.failed": Wording(
        "The model failed while answering ({error}). Try again; if it keeps "
        "failing, try a smaller image budget or restart the app.",
        "模型在回答时出错（{error}）。请再试一次；如果一直出错，"
        "请调小图片的 token 预算，或重启应用。",
    ),
    "stopped.before": Wording("⏹ Stopped before the model answered.", "⏹ 已在模型回答之前停止。"),
    # The results of an answer.
    "free_text": Wording("ℹ️ Free-text answer — no JSON expected.", "ℹ️ 自由文本回答——不要求 JSON。"),
    "stopped.note": Wording(
        "⏹ **Stopped**: what follows is about the partial answer.",
        "⏹ **已停止**：以下内容针对的是不完整的回答。",
    ),
    "pages.not_number": Wording(
        "{value!r} is not a page number. Pick the pages from the list.",
        "{value!r} 不是页码。请从列表中选择页面。",
    ),
    "enhanced.note": Wording(
        "The model and the OCR see it {summary}.", "模型和 OCR 看到的是处理后的图片：{summary}。"
    ),
    "evidence.title": Wording("**🔍 Evidence (OCR)**: {summary}", "**🔍 证据（OCR）**：{summary}"),
    "evidence.seen": Wording("seen on the image", "在图片上找到"),
    "evidence.missing": Wording("**not on the image**", "**图片上没有**"),
    "evidence.box_off": Wording(
        "seen on the image, but **outside the model's box**", "在图片上找到，但**不在模型给的框内**"
    ),
    "verdict.unconstrained": Wording(
        "ℹ️ Strict JSON was asked for, but the model server does not hold decoding to a "
        "schema: the answer was validated (and repaired) afterwards.",
        "ℹ️ 已要求严格 JSON，但模型服务端不按结构约束解码：回答是事后校验（并修复）的。",
    ),
    "verdict.no_json": Wording("❌ **No usable JSON**: {error}", "❌ **没有可用的 JSON**：{error}"),
    "verdict.fixed": Wording("Extraction fixed:", "提取时修正了："),
    "verdict.valid": Wording(
        "✅ **Valid JSON** (matches the schema)", "✅ **JSON 有效**（符合预设的结构）"
    ),
    "verdict.error": Wording("❌ **1 schema error**", "❌ **1 个结构错误**"),
    "verdict.errors": Wording("❌ **{count} schema errors**", "❌ **{count} 个结构错误**"),
    "verdict.more": Wording("… and {count} more", "……另有 {count} 个"),
    "checks.title": Wording("**Domain checks**", "**领域检查**"),
    "truth.title": Wording(
        "**Expected vs got** — built-in example *{name}*: {matched} of {scored} fields match",
        "**预期与实际** —— 内置示例 *{name}*：{scored} 个字段中 {matched} 个一致",
    ),
    "truth.header": Wording("| field | expected | got | |", "| 字段 | 预期 | 实际 | |"),
    "truth.more": Wording("| … {count} more | | | |", "| …… 另有 {count} 行 | | | |"),
    "truth.match": Wording("✅", "✅"),
    "truth.differs": Wording("❌", "❌"),
    "truth.missing": Wording("⚠️ missing", "⚠️ 缺失"),
    "truth.unscored": Wording("— not scored", "—— 不计分"),
    # The run line after an answer: "⏱ " and its parts joined by " · ".
    "stats.tokens": Wording(
        "{visual} visual + {text} text in", "输入 {visual} 个视觉 + {text} 个文本 token"
    ),
    "stats.out": Wording("{count} out", "输出 {count} 个"),
    "stats.first": Wording("first token {seconds:.2f} s", "首个 token {seconds:.2f} s"),
    "stats.rate": Wording("{rate:.1f} tok/s", "{rate:.1f} token/s"),
    "stats.total": Wording("{seconds:.1f} s total", "共 {seconds:.1f} s"),
    "stats.cancelled": Wording("stopped", "已停止"),
    "stats.length": Wording("hit the token limit", "达到 token 上限"),
    "stats.turns": Wording(" ({count} turns)", "（{count} 轮）"),
    "stats.random": Wording(" — **⚠ {warning}**", " —— **⚠ {warning}**"),
    # The line under the image.
    "cost.tokens": Wording(
        "🖼 {tokens:,} visual tokens (the model sees {width}×{height} px)",
        "🖼 {tokens:,} 个视觉 token（模型看到的是 {width}×{height} px）",
    ),
    "cost.pages": Wording(
        "🖼 {tokens:,} visual tokens for {pages} pages (the first seen at {width}×{height} px)",
        "🖼 {pages} 页共 {tokens:,} 个视觉 token（第一页模型看到的是 {width}×{height} px）",
    ),
    "cost.wait": Wording(
        " · first word in about {seconds} s (this session: {rate:,.0f} tokens/s prefill)",
        " · 约 {seconds} s 后出现第一个字（本次会话预填充 {rate:,.0f} token/s）",
    ),
    "cost.first_load": Wording(
        " (the first question also loads the model)", "（第一个问题还要先加载模型）"
    ),
    "cost.capped_cpu": Wording(
        "ℹ️ The preset asks for up to {asked:,} visual tokens; capped at {slider:,} on "
        "CPU so answers start sooner — raise the *Visual tokens per image* slider for small "
        "print.",
        "ℹ️ 预设最多要 {asked:,} 个视觉 token；在 CPU 上限制为 {slider:,} 个，好让回答早点开始"
        "——要看清小字，请调高“每张图片的视觉 token 数”滑块。",
    ),
    "cost.capped": Wording(
        "ℹ️ The preset asks for up to {asked:,} visual tokens; the slider is at {slider:,}.",
        "ℹ️ 预设最多要 {asked:,} 个视觉 token；滑块设在 {slider:,}。",
    ),
    # The Batch tab's status line and toasts.
    "batch.no_files": Wording(
        "Add files first: images, PDFs or a zip.", "请先添加文件：图片、PDF 或压缩包。"
    ),
    "batch.no_preset": Wording("Pick a tab and a preset first.", "请先选择标签页和预设。"),
    "batch.nothing": Wording(
        "None of the files is an image or a PDF.", "这些文件里没有图片或 PDF。"
    ),
    "batch.unreadable": Wording("The files cannot be read: {error}", "无法读取这些文件：{error}"),
    "batch.model": Wording("The model cannot be loaded: {error}", "模型无法加载：{error}"),
    "batch.progress": Wording(
        "{done} of {total} files · {rate:.1f} files/min",
        "{done} / {total} 个文件 · 每分钟 {rate:.1f} 个",
    ),
    "batch.errors": Wording(" · {count} with errors", " · {count} 个出错"),
    "batch.stopped": Wording(" · stopped", " · 已停止"),
    "batch.starting": Wording("0 of {total} files · starting…", "0 / {total} 个文件 · 正在开始…"),
    # The Evaluate tab's status lines and toasts.
    "grading.no_folder": Wording(
        "Pick a results folder first (press Refresh after an eval).",
        "请先选择一个评测结果文件夹（评测后请点刷新）。",
    ),
    "grading.unknown_folder": Wording(
        "{folder!r} is not one of the results folders offered.",
        "{folder!r} 不在可选的结果文件夹中。",
    ),
    "grading.no_name": Wording(
        "Type your name first: your marks are saved under it.", "请先输入你的名字：评分以此名保存。"
    ),
    "grading.unreadable": Wording(
        "The results cannot be read: {error}", "无法读取评测结果：{error}"
    ),
    "grading.refused": Wording("The mark was not saved: {error}", "评分未保存：{error}"),
    "grading.no_answer": Wording("Press “Next answer” first.", "请先点“下一个回答”。"),
    "grading.progress": Wording(
        "{done} of {total} graded by {name}", "{name} 已评 {done} / {total}"
    ),
    "grading.finished": Wording(
        "{done} of {total} graded by {name} — nothing left to grade.",
        "{name} 已评 {done} / {total}——没有待评的回答了。",
    ),
    "grading.same_graders": Wording("Name two different graders.", "请填写两位不同的评分者。"),
    "grading.agreement": Wording(
        "agreement {percent:.1f} % · Cohen's κ {kappa} · {count} disagreements",
        "一致率 {percent:.1f} % · 科恩 κ 系数 {kappa} · {count} 处分歧",
    ),
    "grading.no_overlap": Wording(
        "{a} and {b} have not graded the same answer yet.", "{a} 和 {b} 还没有评过同一个回答。"
    ),
    "grading.no_dispute": Wording("Compare two graders first.", "请先比较两位评分者。"),
    "grading.disputes_left": Wording(
        "{left} of {count} disagreements left to settle.", "还有 {left} / {count} 处分歧待裁决。"
    ),
    "grading.disputes_done": Wording(
        "All {count} disagreements are settled.", "{count} 处分歧都已裁决。"
    ),
}


def say(key: str, language: str = "en", **facts: Any) -> str:
    """Return the message `key` in the interface language, its facts filled in."""
    return getattr(MESSAGES[key], ui_language(language)).format(**facts)
