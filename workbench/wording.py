"""Every string a user reads, in English and 中文: one table, key → Wording(en, zh).

Looked up by key through `workbench.messages.word(key, language, **facts)` (`str.format`
templates with a few conversions of its own: see `messages`); the tabs say theirs with
`tabs.wording.say`, and `tabs.i18n` gives the page's static texts (`LABELS`) to `gr.I18n`.
Keys are stable: code, tests and the browser's translations name them, and the English that
records keep (schema errors, check details) changes only on purpose. The table is grouped by
where the words are read, as LLaMA-Factory's `webui/locales.py` is; a key is in one section only.
"""

from __future__ import annotations

from typing import NamedTuple


class Wording(NamedTuple):
    """One message in each language."""

    en: str
    zh: str


# --- answers: schema errors, their summary, JSON extraction (`answers.validation`, `extract`)

_SCHEMA: dict[str, Wording] = {
    "schema.line": Wording("{path}: {text}", "{path}：{text}"),
    "schema.required": Wording(
        "{expected!q} is a required property", "缺少必需的属性 {expected!q}"
    ),
    "schema.type": Wording(
        "{instance!v} is not of type {expected!t}", "{instance!v} 不是{expected!t}"
    ),
    "schema.enum": Wording(
        "{instance!v} is not one of {expected!q}", "{instance!v} 不是允许的值之一：{expected!q}"
    ),
    "schema.const": Wording("{expected!q} was expected", "值必须是 {expected!q}"),
    "schema.minimum": Wording(
        "{instance!v} is less than the minimum of {expected!q}",
        "{instance!v} 小于最小值 {expected!q}",
    ),
    "schema.maximum": Wording(
        "{instance!v} is greater than the maximum of {expected!q}",
        "{instance!v} 大于最大值 {expected!q}",
    ),
    "schema.exclusiveMinimum": Wording(
        "{instance!v} is less than or equal to the minimum of {expected!q}",
        "{instance!v} 必须大于 {expected!q}",
    ),
    "schema.exclusiveMaximum": Wording(
        "{instance!v} is greater than or equal to the maximum of {expected!q}",
        "{instance!v} 必须小于 {expected!q}",
    ),
    "schema.multipleOf": Wording(
        "{instance!v} is not a multiple of {expected}", "{instance!v} 不是 {expected} 的整数倍"
    ),
    "schema.minLength": Wording(
        "{instance!v} is too short", "{instance!v} 太短，至少要 {expected} 个字符"
    ),
    "schema.minLength.empty": Wording("{instance!v} should be non-empty", "{instance!v} 不能为空"),
    "schema.maxLength": Wording(
        "{instance!v} is too long", "{instance!v} 太长，最多 {expected} 个字符"
    ),
    "schema.maxLength.empty": Wording(
        "{instance!v} is expected to be empty", "{instance!v} 必须为空"
    ),
    "schema.pattern": Wording(
        "{instance!v} does not match {expected!q}", "{instance!v} 不符合正则表达式 {expected!q}"
    ),
    "schema.format": Wording(
        "{instance!v} is not a {expected!q}", "{instance!v} 不符合 {expected!q} 格式"
    ),
    "schema.minItems": Wording(
        "{instance!v} is too short", "{instance!v} 的元素太少，至少要 {expected} 个"
    ),
    "schema.minItems.empty": Wording("{instance!v} should be non-empty", "{instance!v} 不能为空"),
    "schema.maxItems": Wording(
        "{instance!v} is too long", "{instance!v} 的元素太多，最多 {expected} 个"
    ),
    "schema.maxItems.empty": Wording(
        "{instance!v} is expected to be empty", "{instance!v} 必须为空"
    ),
    "schema.uniqueItems": Wording(
        "{instance!v} has non-unique elements", "{instance!v} 中有重复的元素"
    ),
    # jsonschema's English agrees in number ("was"/"were", "does"/"do"); Chinese has no need.
    "schema.additionalProperties": Wording(
        "Additional properties are not allowed ({found!k} was unexpected)",
        "不允许有额外的属性 {found!k}",
    ),
    "schema.additionalProperties.many": Wording(
        "Additional properties are not allowed ({found!k} were unexpected)",
        "不允许有额外的属性 {found!k}",
    ),
    "schema.additionalProperties.patterns": Wording(
        "{found!k} does not match any of the regexes: {expected!k}",
        "属性名 {found!k} 不匹配任何一个允许的正则表达式：{expected!k}",
    ),
    "schema.additionalProperties.patterns.many": Wording(
        "{found!k} do not match any of the regexes: {expected!k}",
        "属性名 {found!k} 不匹配任何一个允许的正则表达式：{expected!k}",
    ),
    "schema.minProperties": Wording(
        "{instance!v} does not have enough properties",
        "{instance!v} 的属性太少，至少要 {expected} 个",
    ),
    "schema.minProperties.empty": Wording(
        "{instance!v} should be non-empty", "{instance!v} 不能为空"
    ),
    "schema.maxProperties": Wording(
        "{instance!v} has too many properties", "{instance!v} 的属性太多，最多 {expected} 个"
    ),
    "schema.maxProperties.empty": Wording(
        "{instance!v} is expected to be empty", "{instance!v} 必须为空"
    ),
    "schema.anyOf": Wording(
        "{instance!v} is not valid under any of the given schemas",
        "{instance!v} 不符合任何一种允许的结构",
    ),
    "schema.oneOf": Wording(
        "{instance!v} is not valid under any of the given schemas",
        "{instance!v} 不符合任何一种允许的结构",
    ),
    "schema.oneOf.many": Wording(
        "{instance!v} is valid under each of {found!k}",
        "{instance!v} 同时符合多种结构，但只能符合其中一种",
    ),
    "schema.not": Wording(
        "{instance!v} should not be valid under {expected!q}",
        "{instance!v} 不应符合结构 {expected!q}",
    ),
    "schema.false": Wording(
        "False schema does not allow {instance!v}", "此处不允许有任何值，却出现了 {instance!v}"
    ),
    # A keyword without wording of its own: jsonschema's English, a plain Chinese sentence.
    "schema.other": Wording("{detail}", "{instance!v} 不满足 {keyword!q} 约束"),
}

_SUMMARY: dict[str, Wording] = {
    "summary.valid": Wording("valid", "有效"),
    "summary.one": Wording("1 error: {shown}{more}", "1 个错误：{shown}{more}"),
    "summary.many": Wording("{count} errors: {shown}{more}", "{count} 个错误：{shown}{more}"),
    "summary.more": Wording("; and {count} more", "；另有 {count} 个"),
    "summary.separator": Wording("; ", "；"),
    "repair.fixed": Wording("repair fixed: {shown}", "修复了：{shown}"),
    "repair.left": Wording(
        "repair left {left} of {before} problem(s)", "修复后仍有 {left} 个问题（原有 {before} 个）"
    ),
}

_EXTRACTION: dict[str, Wording] = {
    "extract.no_json": Wording(
        "no JSON object or array in the answer", "回答中没有 JSON 对象或数组"
    ),
    "extract.cut": Wording(
        "answer was cut off inside {inside} and can't be completed unambiguously",
        "回答在{inside}处被截断，无法确定地补全",
    ),
    "extract.inside.string": Wording("a string value", "字符串值"),
    "extract.inside.key": Wording("a key", "键"),
    "extract.inside.key_without_value": Wording("a key with no value", "没有值的键"),
    "extract.inside.number": Wording("a number", "数字"),
    "extract.inside.literal": Wording("a literal", "字面量"),
    "extract.inside.empty_object": Wording("an empty object", "空对象"),
    "extract.inside.empty_array": Wording("an empty array", "空数组"),
    "extract.at": Wording(
        "could not read the JSON at line {line}, column {column}: {reason}",
        "无法读取第 {line} 行第 {column} 列处的 JSON：{reason}",
    ),
    "extract.quoted_key": Wording("expected a quoted key", "此处应为带引号的键"),
    "extract.comma_or": Wording("expected ',' or {closer!q}", '此处应为 "," 或 {closer!q}'),
    "extract.colon": Wording("expected ':' after the key", '键后面应为 ":"'),
    "extract.not_number": Wording("{spelled!q} is not a number", "{spelled!q} 不是数字"),
    "extract.unexpected": Wording("unexpected {found!q}", "此处不应出现 {found!q}"),
    "extract.too_deep": Wording(
        "JSON nested deeper than {depth} levels", "JSON 嵌套超过 {depth} 层"
    ),
    "extract.last_block": Wording(
        "used the last of {count} fenced JSON blocks", "采用了 {count} 个 JSON 代码块中的最后一个"
    ),
    "extract.largest_value": Wording(
        "used the largest of {count} JSON values in the answer",
        "采用了回答中 {count} 个 JSON 值里最大的一个",
    ),
    "extract.full_width": Wording(
        "replaced full-width punctuation {chars}", "替换了全角标点 {chars}"
    ),
    "extract.single_quotes": Wording("converted single-quoted strings", "转换了单引号字符串"),
    "extract.python_literals": Wording(
        "converted Python literals {names}", "转换了 Python 字面量 {names}"
    ),
    "extract.trailing_commas": Wording("removed trailing commas", "删除了多余的结尾逗号"),
    "extract.dropped": Wording(
        "dropped unfinished {member} at the cut-off", "丢弃了截断处未写完的 {member}"
    ),
    "extract.key_in": Wording("key in {path}", "{path} 中的键"),
    "extract.closed_one": Wording(
        "closed 1 bracket left open by the token limit", "补上了因输出长度上限而未闭合的 1 个括号"
    ),
    "extract.closed": Wording(
        "closed {count} brackets left open by the token limit",
        "补上了因输出长度上限而未闭合的 {count} 个括号",
    ),
}

# How values are named and listed inside a message (`messages.word`'s !t !p !k !c !s): a JSON
# type as a Chinese reader knows it, and Python's name for what came instead of an object (null,
# a Latin word, keeps a space from the Chinese before it); English says the names themselves.
_TYPES: dict[str, Wording] = {
    "type.number": Wording("number", "数字"),
    "type.string": Wording("string", "字符串"),
    "type.integer": Wording("integer", "整数"),
    "type.object": Wording("object", "对象"),
    "type.array": Wording("array", "数组"),
    "type.boolean": Wording("boolean", "布尔值"),
    "type.null": Wording("null", "null"),
    "python_type.list": Wording("list", "数组"),
    "python_type.str": Wording("str", "字符串"),
    "python_type.int": Wording("int", "整数"),
    "python_type.float": Wording("float", "数字"),
    "python_type.bool": Wording("bool", "布尔值"),
    "python_type.NoneType": Wording("NoneType", " null"),
    "separator.list": Wording(", ", "、"),
    "separator.sentence": Wording("; ", "；"),
}

# --- the domain checks (`answers.checks`): every sentence they write ---------------------------
# The Chinese names a field of the answer by its JSON path (tax_rate, items[2].amount) where the
# English does, and says the rest in Chinese. A key ending in .one is the English for a count of
# one ("1 item"); Chinese needs no second form.

_FIELDS: dict[str, Wording] = {
    "answer.not_object": Wording(
        "expected a JSON object, got {got!p}", "应为 JSON 对象，实际是{got!p}"
    ),
    "field.not_list": Wording("{path} is not a list: {raw!q}", "{path} 不是数组：{raw!q}"),
    "field.not_object": Wording("{path} is not an object: {raw!q}", "{path} 不是对象：{raw!q}"),
    "field.not_number": Wording("{path} is not a number: {raw!q}", "{path} 不是数字：{raw!q}"),
    "field.not_text": Wording("{path} is not text: {raw!q}", "{path} 不是文本：{raw!q}"),
    "sentences": Wording("{parts!s}", "{parts!s}"),
    # Receipts and VAT invoices: a rate of 0.08 where 8 (percent) was meant.
    "tax_rate.fraction": Wording(
        "{sums}; tax_rate is a percent, and {rate} looks like a fraction",
        "{sums}；tax_rate 应为百分数，{rate} 看起来是写成了小数",
    ),
}

_RECEIPT: dict[str, Wording] = {
    "receipt.items_sum": Wording(
        "items add up to {total}, subtotal says {subtotal}", "明细合计 {total}，小计为 {subtotal}"
    ),
    "receipt.total": Wording(
        "{subtotal} - {discounts} + {tax} = {expected}, total says {total}",
        "{subtotal} - {discounts} + {tax} = {expected}，合计为 {total}",
    ),
    "receipt.tax": Wording(
        "({subtotal} - {discounts}) × {rate}% = {expected}, tax says {tax}",
        "({subtotal} - {discounts}) × {rate}% = {expected}，税额为 {tax}",
    ),
    "receipt.lines": Wording(
        "qty × unit_price = amount for {count} items", "{count} 行明细的数量 × 单价均等于金额"
    ),
    "receipt.lines.one": Wording(
        "qty × unit_price = amount for {count} item", "{count} 行明细的数量 × 单价均等于金额"
    ),
    "receipt.line": Wording(
        "{path}: {qty} × {price} = {product}, amount says {amount}",
        "{path}：{qty} × {price} = {product}，金额为 {amount}",
    ),
    "receipt.line.named": Wording(
        "{path} {name!q}: {qty} × {price} = {product}, amount says {amount}",
        "{path} {name!q}：{qty} × {price} = {product}，金额为 {amount}",
    ),
}

# {unit} is "" or the unit with a space before it: " bar".
_GAUGE: dict[str, Wording] = {
    "gauge.scale_reversed": Wording(
        "scale_min {low} is above scale_max {high}",
        "量程下限 scale_min {low} 大于上限 scale_max {high}",
    ),
    "gauge.within": Wording(
        "{value}{unit} is within the scale {low} to {high}{unit}",
        "{value}{unit} 在量程 {low} 到 {high}{unit} 之内",
    ),
    "gauge.outside": Wording(
        "{value}{unit} is outside the scale {low} to {high}{unit}",
        "{value}{unit} 超出量程 {low} 到 {high}{unit}",
    ),
    "gauge.alarm.above": Wording(
        "ALARM: {value}{unit} is above the threshold {limit}{unit}",
        "报警：{value}{unit} 高于阈值 {limit}{unit}",
    ),
    "gauge.alarm.below": Wording(
        "ALARM: {value}{unit} is below the threshold {limit}{unit}",
        "报警：{value}{unit} 低于阈值 {limit}{unit}",
    ),
    "gauge.calm.above": Wording(
        "{value}{unit} is not above the threshold {limit}{unit}",
        "{value}{unit} 未高于阈值 {limit}{unit}",
    ),
    "gauge.calm.below": Wording(
        "{value}{unit} is not below the threshold {limit}{unit}",
        "{value}{unit} 未低于阈值 {limit}{unit}",
    ),
}

# {correct} is the JSON literal true or false, the same in both languages.
_HOMEWORK: dict[str, Wording] = {
    "homework.correct_not_bool": Wording(
        "correct is not true or false: {raw!q}", "correct 应为 true 或 false，实际是 {raw!q}"
    ),
    "homework.bad_verdict": Wording(
        "{path} is {raw!q}, not 'correct' or 'incorrect'",
        '{path} 是 {raw!q}，应为 "correct" 或 "incorrect"',
    ),
    "homework.agree": Wording(
        "correct is {correct} and {marked}", "{marked}，与 correct 为 {correct} 一致"
    ),
    "homework.disagree": Wording(
        "correct is {correct} but {marked}", "{marked}，与 correct 为 {correct} 不符"
    ),
    "homework.all_correct": Wording(
        "all {count} steps marked correct", "{count} 个步骤全部标为正确"
    ),
    "homework.all_correct.one": Wording(
        "all {count} step marked correct", "仅有的 {count} 个步骤标为正确"
    ),
    "homework.some_incorrect": Wording(
        "{wrong} of {count} steps marked incorrect ({paths!c})",
        "{count} 个步骤中有 {wrong} 个标为错误（{paths!c}）",
    ),
    "homework.some_incorrect.one": Wording(
        "{wrong} of {count} step marked incorrect ({paths!c})",
        "仅有的 {count} 个步骤标为错误（{paths!c}）",
    ),
    "homework.number": Wording("final answer is the number {answer}", "最终答案是数字 {answer}"),
    "homework.reads": Wording(
        "final answer {answer!q} reads as {number}", "最终答案 {answer!q} 读作 {number}"
    ),
    "homework.reads_with_unit": Wording(
        "final answer {answer!q} reads as {number} (unit: {unit})",
        "最终答案 {answer!q} 读作 {number}（单位：{unit}）",
    ),
    "homework.unreadable": Wording(
        "final answer {answer!q} does not read as a number", "最终答案 {answer!q} 无法读作数字"
    ),
    "homework.final_not_text": Wording(
        "final_answer is not text or a number: {raw!q}",
        "final_answer 应为文本或数字，实际是 {raw!q}",
    ),
}

_SCREENSHOT: dict[str, Wording] = {
    "screenshot.boxed": Wording(
        "every issue has a bbox_2d ({count} issues)", "每个问题都有 bbox_2d（共 {count} 个）"
    ),
    "screenshot.boxed.one": Wording(
        "every issue has a bbox_2d ({count} issue)", "每个问题都有 bbox_2d（共 {count} 个）"
    ),
    "screenshot.unboxed": Wording(
        "no bbox_2d on {missing} of {count} issues: {paths!c}",
        "{count} 个问题中有 {missing} 个没有 bbox_2d：{paths!c}",
    ),
    "screenshot.issue": Wording("{path}", "{path}"),
    "screenshot.issue.kind": Wording("{path} ({kind})", "{path}（{kind!q}）"),
    "screenshot.inside": Wording(
        "every bbox_2d is within 0–{scale} with positive area ({count} boxes)",
        "每个 bbox_2d 都在 0–{scale} 之内且面积大于零（共 {count} 个）",
    ),
    "screenshot.inside.one": Wording(
        "every bbox_2d is within 0–{scale} with positive area ({count} box)",
        "每个 bbox_2d 都在 0–{scale} 之内且面积大于零（共 {count} 个）",
    ),
    "screenshot.bad_box": Wording("{path} {box} {problem}", "{path} {box} {problem}"),
    # What workbench.answers.boxes.bbox_problem says, keyed: its English must stay word for word.
    "box.not_four": Wording("is not a list of 4 numbers", "不是由 4 个数字组成的数组"),
    "box.outside": Wording("is outside 0–{scale}", "超出 0–{scale} 的范围"),
    "box.no_area": Wording("has no area", "面积为零"),
    "box.other": Wording("{problem}", "不是有效的框"),
}

_VAT: dict[str, Wording] = {
    "vat.tax": Wording(
        "{amount} × {rate}% = {expected}, tax says {tax}",
        "{amount} × {rate}% = {expected}，税额为 {tax}",
    ),
    "vat.total": Wording(
        "{amount} + {tax} = {expected}, total says {total}",
        "{amount} + {tax} = {expected}，价税合计为 {total}",
    ),
    "vat.words": Wording(
        "{words!q} reads as {value}, total says {total}",
        "大写 {words!q} 读作 {value}，小写为 {total}",
    ),
    "vat.words.expected": Wording(
        "{sums}; {total} in words is {expected!q}", "{sums}；{total} 的大写应为 {expected!q}"
    ),
    "vat.words.unreadable": Wording(
        "total_in_words {words!q} does not read as an amount: {problem}",
        "total_in_words {words!q} 无法读作金额：{problem}",
    ),
    # A taxpayer ID: {field} is seller_tax_id or buyer_tax_id, {code} the ID as read.
    "vat.uscc_ok": Wording(
        "{field} {code}: unified social credit code, check character {check} is right",
        "{field} {code}：统一社会信用代码，校验码 {check} 正确",
    ),
    "vat.uscc_wrong": Wording(
        "{field} {code}: the check character should be {expected}, not {found}",
        "{field} {code}：校验码应为 {expected}，而不是 {found}",
    ),
    "vat.uscc_alphabet": Wording(
        "{field} {code}: a unified social credit code never contains {chars!c}",
        "{field} {code}：统一社会信用代码中不会出现 {chars!c}",
    ),
    "vat.uscc_region": Wording(
        "{field} {code}: characters 3-8 (the region code) must be digits",
        "{field} {code}：第 3-8 位（行政区划码）必须是数字",
    ),
    "vat.legacy_id": Wording(
        "{field} {code}: not an 18-character unified social credit code but a legacy"
        " {length}-character taxpayer ID, which has no check character to verify",
        "{field} {code}：不是 18 位的统一社会信用代码，而是旧版的 {length} 位纳税人识别号，"
        "没有可以核对的校验码",
    ),
    "vat.id_characters": Wording(
        "{field} {code}: a taxpayer ID has only digits and capital letters",
        "{field} {code}：纳税人识别号只能由数字和大写字母组成",
    ),
    "vat.id_length": Wording(
        "{field} {code} has {length} characters; a unified social credit code has 18"
        " (legacy taxpayer IDs 15, 17 or 20)",
        "{field} {code} 有 {length} 位；统一社会信用代码为 18 位"
        "（旧版纳税人识别号为 15、17 或 20 位）",
    ),
}

# Why a 大写 amount does not read (the {problem} of vat.words.unreadable): {char}, {digit} and
# {unit} are capital numerals and units, written without spaces between Chinese characters.
_CAPITAL: dict[str, Wording] = {
    "capital.no_amount": Wording("no amount", "没有金额"),
    "capital.whole_not_last": Wording("{char} is only written at the end", "{char}只能写在末尾"),
    "capital.yuan_twice": Wording("{char} is written twice", "{char}出现了两次"),
    "capital.no_yuan": Wording("no 元, 角 or 分", "没有元、角或分"),
    "capital.group_without_digits": Wording("{char} has no digits before it", "{char}前面没有数字"),
    "capital.two_digits": Wording(
        "{first}{second}: two digits without a unit between them",
        "{first}{second}：两个数字之间没有单位",
    ),
    "capital.unit_without_digit": Wording("{char} has no digit before it", "{char}前面没有数字"),
    "capital.units_out_of_order": Wording(
        "{char} comes after a smaller unit", "{char}出现在比它小的单位之后"
    ),
    "capital.ambiguous_ones": Wording(
        "{digit} after {unit} is ambiguous: write 零{digit} or a unit after it",
        "{unit}后面的{digit}有歧义：应写成零{digit}，或在{digit}后面加上单位",
    ),
    "capital.digit_without_unit": Wording(
        "{digit} has no 角 or 分 after it", "{digit}后面没有角或分"
    ),
    "capital.not_a_numeral": Wording(
        "{char!q} is not a capital numeral or unit", "{char!q} 不是大写数字或单位"
    ),
    "capital.too_large": Wording(
        "{amount} is too large to write in words (10¹² yuan or more)",
        "{amount} 太大，无法写成大写金额（达到或超过 10¹² 元）",
    ),
}

CHECK_SENTENCES: dict[str, Wording] = {
    **_FIELDS,
    **_RECEIPT,
    **_GAUGE,
    **_HOMEWORK,
    **_SCREENSHOT,
    **_VAT,
    **_CAPITAL,
}

# What the UI shows for each check (and each group, which names a failure on a non-object),
# keyed check.<the check's stable name>.
CHECK_TITLES: dict[str, Wording] = {
    "check.receipt": Wording("Receipt", "小票"),
    "check.items_sum": Wording("Items add up", "明细相加等于小计"),
    "check.change_numbers": Wording(
        "Verdicts name listed changes once each", "判断只涉及列出的变化，且每处只判断一次"
    ),
    "check.total_adds_up": Wording("Total adds up", "小计减折扣加税额等于合计"),
    "check.tax_rate": Wording("Tax matches the rate", "税额与税率相符"),
    "check.item_amounts": Wording("Lines multiply out", "每行数量乘单价等于金额"),
    "check.gauge": Wording("Gauge", "仪表"),
    "check.value_in_scale": Wording("Reading on the scale", "读数在量程之内"),
    "check.threshold_alarm": Wording("Alarm threshold", "报警阈值"),
    "check.homework": Wording("Homework", "作业"),
    "check.verdicts_agree": Wording("Verdicts agree", "步骤判定与总判定一致"),
    "check.final_answer_parses": Wording("Final answer is a number", "最终答案能读作数字"),
    "check.screenshot": Wording("Screenshot", "截图"),
    "check.issues_have_boxes": Wording("Every issue has a box", "每个问题都有框"),
    "check.boxes_inside_image": Wording("Boxes inside the image", "框都在图像之内"),
    "check.vat_invoice": Wording("VAT invoice", "增值税发票"),
    "check.vat_tax_rate": Wording("Tax matches the rate", "税额与税率相符"),
    "check.vat_total": Wording("Amount + tax = total", "金额加税额等于价税合计"),
    "check.total_in_words": Wording("Total in words", "大写金额与小写一致"),
    "check.seller_tax_id": Wording("Seller's taxpayer ID", "销售方纳税人识别号"),
    "check.buyer_tax_id": Wording("Buyer's taxpayer ID", "购买方纳税人识别号"),
}

# --- intake: why an upload cannot be shown to the model (`intake.images.ImageError`, PDFs
# included: `intake.documents`), keyed image_error.<the error's key>; and what enhancement did
# to an image (`intake.enhance`), its steps joined by separator.list.
_IMAGE_ERRORS: dict[str, Wording] = {
    "image_error.damaged": Wording(
        "The image file is damaged or truncated ({error}). Re-export it as PNG or JPEG.",
        "图片文件已损坏或不完整（{error}）。请重新导出为 PNG 或 JPEG。",
    ),
    "image_error.no_file": Wording(
        "No image file at {path}. Check the path.", "{path} 处没有图片文件。请检查路径。"
    ),
    "image_error.file_too_big": Wording(
        "{name} is {megabytes:.0f} MB; the limit is {limit} MB. Resize or compress it first.",
        "{name} 有 {megabytes:.0f} MB，上限是 {limit} MB。请先缩小或压缩。",
    ),
    "image_error.data_too_big": Wording(
        "{name} is over {limit} MB. Resize or compress it first.",
        "{name} 超过了 {limit} MB。请先缩小或压缩。",
    ),
    "image_error.bomb": Wording(
        "{name} has far more than {limit:.0f} megapixels, the limit. Downscale it first.",
        "{name} 远超 {limit:.0f} 百万像素的上限。请先缩小。",
    ),
    "image_error.unreadable": Wording(
        "{name} is not an image this app can read. Use PNG, JPEG, WebP, HEIC, GIF, BMP or TIFF.",
        "{name} 不是本应用能读取的图片。请使用 PNG、JPEG、WebP、HEIC、GIF、BMP 或 TIFF。",
    ),
    "image_error.name_damaged": Wording(
        "{name} is damaged or truncated ({error}). Re-export it as PNG or JPEG.",
        "{name} 已损坏或不完整（{error}）。请重新导出为 PNG 或 JPEG。",
    ),
    "image_error.too_many_pixels": Wording(
        "The image is {width}×{height} ({megapixels:.0f} megapixels); the limit "
        "is {limit:.0f} megapixels. Downscale it first.",
        "图片是 {width}×{height}（{megapixels:.0f} 百万像素），上限是 {limit:.0f} 百万像素。"
        "请先缩小。",
    ),
    "image_error.too_small": Wording(
        "The image is {width}×{height}; each side must be at least {limit} pixels.",
        "图片是 {width}×{height}；每条边至少要 {limit} 像素。",
    ),
    "image_error.too_elongated": Wording(
        "The image is {width}×{height}, more than {limit}:1. Crop it to the "
        "part you want to ask about.",
        "图片是 {width}×{height}，长宽比超过 {limit}:1。请裁剪出你想问的部分。",
    ),
    # Where a PDF is accepted as well (`documents.load_any`).
    "image_error.unreadable_with_pdf": Wording(
        "{name} is not an image or a PDF this app can read. Use PNG, JPEG, WebP, HEIC, GIF, "
        "BMP, TIFF or PDF.",
        "{name} 不是本应用能读取的图片或 PDF。"
        "请使用 PNG、JPEG、WebP、HEIC、GIF、BMP、TIFF 或 PDF。",
    ),
    "image_error.not_paged": Wording(
        "{name} is an image, not a PDF: it has no page {page}.",
        "{name} 是图片，不是 PDF：没有第 {page} 页。",
    ),
    # PDFs (`workbench.intake.documents`); pages are counted from 1 here, as the user counts them.
    "image_error.pdf_no_file": Wording(
        "No PDF file at {path}. Check the path.", "{path} 处没有 PDF 文件。请检查路径。"
    ),
    "image_error.not_pdf": Wording(
        "{name} is not a PDF (it does not start with %PDF-). Check that it is the right file.",
        "{name} 不是 PDF 文件（开头不是 %PDF-）。请确认选对了文件。",
    ),
    "image_error.pdf_locked": Wording(
        "{name} is password-protected; remove the password (print it to a new PDF) and upload "
        "again.",
        "{name} 有密码保护；请去掉密码（打印成一个新的 PDF）后重新上传。",
    ),
    "image_error.pdf_damaged": Wording(
        "{name} is a damaged or truncated PDF ({error}). Open it in a PDF viewer and print or "
        "save it as a new PDF.",
        "{name} 是已损坏或不完整的 PDF（{error}）。请用 PDF 阅读器打开，打印或另存为一个新的 PDF。",
    ),
    "image_error.pdf_empty": Wording(
        "{name} is a PDF with no pages. Check that it is the right file.",
        "{name} 是没有任何页面的 PDF。请确认选对了文件。",
    ),
    "image_error.pdf_no_page": Wording(
        "There is no page {page} of a {count}-page PDF ({name}). Pick a page from 1 to {count}.",
        "{name} 共 {count} 页，没有第 {page} 页。请选择第 1 到第 {count} 页。",
    ),
    "image_error.pdf_no_pages_picked": Wording(
        "No page was picked. Pick at least one page.", "没有选择页面。请至少选择一页。"
    ),
    "image_error.pdf_too_many_pages": Wording(
        "{count} pages were picked; a question can show the model at most {limit} pages at "
        "once. Pick fewer pages.",
        "选了 {count} 页；一个问题最多同时给模型看 {limit} 页。请少选几页。",
    ),
}

_ENHANCEMENT: dict[str, Wording] = {
    "enhance.step.brightened": Wording("brightened (CLAHE)", "已提亮（CLAHE）"),
    "enhance.step.deskewed": Wording("deskewed {degrees:g}°", "已纠偏 {degrees:g}°"),
}

# --- evidence: how many values of an answer OCR saw on the image (`evidence.match`) -----------
_EVIDENCE: dict[str, Wording] = {
    "evidence.many": Wording(
        "{found} of {total} values seen on the image", "{total} 个值中有 {found} 个在图片上找到"
    ),
    "evidence.one": Wording(
        "{found} of 1 value seen on the image", "1 个值中有 {found} 个在图片上找到"
    ),
    "evidence.none": Wording("no values to look for on the image", "没有需要在图片上核对的值"),
}

# --- the model session (`session.Status`): its status line, what sits behind it, the stages ---
# The loading stages are reported in English by the engines; the session words them by that
# English (session.stage.weights: "loading the weights onto cpu (bfloat16)").
_SESSION: dict[str, Wording] = {
    "session.idle": Wording("{model} · loads on the first question", "{model} · 首次提问时加载"),
    "session.loading": Wording("{model} · loading: {stage}…", "{model} · 正在加载：{stage}…"),
    "session.failed": Wording(
        "{model} · could not load: {error} {hint}", "{model} · 无法加载：{error} {hint}"
    ),
    "session.ready": Wording(
        "{model} · ready on {where} · {seconds:.1f} s to load",
        "{model} · 已在 {where} 上就绪 · 加载用时 {seconds:.1f} s",
    ),
    "session.cpu": Wording("CPU", "CPU"),
    "session.llamacpp": Wording("{where} with llama.cpp", "{where}（llama.cpp）"),
    "session.engine": Wording("engine: {engine}, {reason}", "引擎：{engine}，{reason}"),
    "engine.reason.asked": Wording("as asked (--engine)", "按 --engine 指定"),
    "engine.reason.gguf": Wording("the model is GGUF", "模型是 GGUF 格式"),
    "engine.reason.checkpoint": Wording(
        "the model is a safetensors checkpoint", "模型是 safetensors 权重"
    ),
    "engine.reason.cuda": Wording("a CUDA GPU is here", "本机有 CUDA GPU"),
    "engine.reason.apple": Wording(
        "Apple silicon: llama.cpp runs on Metal", "Apple 芯片：llama.cpp 使用 Metal"
    ),
    "engine.reason.cpu": Wording(
        "no CUDA GPU: llama.cpp answers fastest on a CPU",
        "没有 CUDA GPU：llama.cpp 在 CPU 上回答最快",
    ),
    "session.gpu": Wording("GPU ({device})", "GPU ({device})"),
    "session.warning": Wording(" · ⚠ {warning}", " · ⚠ {warning}"),
    "session.random_weights": Wording(
        "random weights (tiny): answers are noise, not readings of the image",
        "随机权重（tiny）：回答只是噪声，并不是对图片的读取",
    ),
    "session.remote.idle": Wording(
        "remote: {remote} · not checked yet", "远程：{remote} · 尚未连接"
    ),
    "session.remote.loading": Wording(
        "remote: {remote} · connecting…", "远程：{remote} · 正在连接…"
    ),
    "session.remote.failed": Wording(
        "remote: {remote} · {error} {hint}", "远程：{remote} · {error} {hint}"
    ),
    "session.remote.ready": Wording(
        "remote: {remote} · model {model} · reachable", "远程：{remote} · 模型 {model} · 可连接"
    ),
    # The details: parts joined by separator.sentence.
    "session.dtype_reason": Wording("{dtype} ({reason})", "{dtype}（{reason}）"),
    "session.images": Wording(
        "images up to {most:,} visual tokens", "图片最多 {most:,} 个视觉 token"
    ),
    "session.patches": Wording("patches: {names}", "兼容补丁：{names}"),
    "session.remote.details": Wording(
        "served by {served}; {schema}; images up to {most:,} visual tokens",
        "服务端：{served}；{schema}；图片最多 {most:,} 个视觉 token",
    ),
    "session.schema.held": Wording("holds decoding to a JSON schema", "按 JSON 结构约束解码"),
    "session.schema.ignored": Wording(
        "ignores JSON schemas (answers are validated afterwards)", "不按 JSON 结构约束解码"
    ),
    "session.stage.importing": Wording(
        "importing torch and transformers", "导入 torch 和 transformers"
    ),
    "session.stage.config": Wording("reading the model config", "读取模型配置"),
    "session.stage.memory": Wording(
        "checking that the model fits in memory", "检查内存是否放得下模型"
    ),
    "session.stage.processor": Wording("loading the processor", "加载处理器"),
    "session.stage.tiny": Wording("building the tiny random model", "构建随机初始化的小模型"),
    "session.stage.tiny_gguf": Wording("building the tiny GGUF model", "构建小模型的 GGUF 文件"),
    "session.stage.llamacpp": Wording("starting llama.cpp", "启动 llama.cpp"),
    "session.stage.warm_up": Wording("warming up", "预热中"),
    "session.stage.compile": Wording("compiling for fast decoding", "编译以加速解码"),
    "session.compiled": Wording("compiled decoding", "编译解码"),
    "session.compile_failed": Wording(
        "compiling failed, decoding eagerly ({reason})", "编译失败，改用普通解码（{reason}）"
    ),
    "session.stage.weights": Wording("loading the weights onto {where}", "把权重加载到 {where}"),
    # Downloads (`engines/download.py`): the whole model's bytes, the speed and the time left.
    "session.stage.hub": Wording("asking the hub for {repo}'s files", "查询 {repo} 的文件列表"),
    "session.stage.download": Wording("downloading {file}", "下载 {file}"),
    "session.stage.download_bytes": Wording(
        "downloading {file}: {done} of {total}", "下载 {file}：{done} / {total}"
    ),
    "session.stage.download_seconds": Wording(
        "downloading {file}: {done} of {total} · {speed} · about {seconds} s left",
        "下载 {file}：{done} / {total} · {speed} · 约剩 {seconds} 秒",
    ),
    "session.stage.download_minutes": Wording(
        "downloading {file}: {done} of {total} · {speed} · about {minutes} min left",
        "下载 {file}：{done} / {total} · {speed} · 约剩 {minutes} 分钟",
    ),
}
# --- the chat's own marks (`prompts.conversation`): shown on screen, never sent to the model ---
_CHAT: dict[str, Wording] = {
    "chat.stopped": Wording("⏹ stopped", "⏹ 已停止"),
    "chat.repair": Wording("🔧 Repair turn", "🔧 修复轮"),
    "chat.empty": Wording("(the model returned no text)", "（模型没有返回文字）"),
    "chat.failed": Wording(
        "⚠️ failed: left out of what the model sees", "⚠️ 失败：不计入模型看到的内容"
    ),
    "chat.new_picture": Wording(
        "🖼 A new image or region: the model starts a fresh conversation about it.",
        "🖼 新的图片或区域：模型就它重新开始对话。",
    ),
    "chat.left_out": Wording(
        "ℹ️ {count} earlier turns left out: they no longer fit the context.",
        "ℹ️ 之前的 {count} 轮没有放进来：上下文已经放不下了。",
    ),
    "chat.left_out.one": Wording(
        "ℹ️ {count} earlier turn left out: they no longer fit the context.",
        "ℹ️ 之前的 {count} 轮没有放进来：上下文已经放不下了。",
    ),
}

# --- what the server says in a tab (`tabs.wording.say`): mistakes, notices, run and cost lines
_TABS: dict[str, Wording] = {
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
    # A tool for agents (`tabs.agents`): the image it was given (`tabs.agent_images`).
    "agent.image_missing": Wording(
        "Give the image: a public {web} URL, a {data} URL ({example}), or the path {upload} "
        "returned for the file.",
        "请给出图片：一个公开的 {web} 网址、一个 {data} 网址（{example}），"
        "或把文件上传到 {upload} 后得到的路径。",
    ),
    "agent.image_unknown": Wording(
        "{value!v} is not an image this tool can take. Give a public {web} URL, a {data} URL "
        "({example}), or the path {upload} returned for the file.",
        "{value!v} 不是本工具能接受的图片。请给出一个公开的 {web} 网址、一个 {data} 网址"
        "（{example}），或把文件上传到 {upload} 后得到的路径。",
    ),
    "agent.image_fetch": Wording(
        "The image at {url!v} could not be fetched: {reason}. Give a URL on the public "
        "internet, or upload the file to {upload} and pass the path it returns.",
        "无法获取 {url!v} 处的图片：{reason}。请给出公网上的网址，或把文件上传到 {upload}，"
        "再传入返回的路径。",
    ),
    "agent.fetch.unknown_host": Wording("no address is known for {host}", "找不到 {host} 的地址"),
    "agent.fetch.not_public": Wording(
        "{host} is not a public address, and the server fetches only from public ones",
        "{host} 不是公网地址，服务器只从公网地址获取图片",
    ),
    "agent.fetch.status": Wording("the server answered {status}", "服务器返回了状态码 {status}"),
    "agent.fetch.redirects": Wording("more than {limit} redirects", "重定向超过 {limit} 次"),
    "agent.data_url": Wording(
        "The {data} URL holds no {encoding} data. Send {example}: the file's bytes in "
        "{encoding} after the comma.",
        "这个 {data} 网址里没有 {encoding} 数据。请发送 {example}：逗号后面是文件内容的 "
        "{encoding} 编码。",
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
    "verdict.line": Wording("- `{at}`: {text}", "- `{at}`：{text}"),
    "checks.title": Wording("**Domain checks**", "**领域检查**"),
    # English names a check by its stable name, as records and scripts know it.
    "checks.line": Wording("- {mark} **{name}**: {text}", "- {mark} **{title}**：{text}"),
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

# --- the page's static texts (labels, buttons), given to `gr.I18n` by `tabs.i18n` -------------
# The tab texts repeat the English of each tab module's `DomainTab` (a test keeps them equal), so
# a tab module still reads on its own. The legend's {region} and {boxes} are colour swatches.
LABELS: dict[str, Wording] = {
    "page.header": Wording(
        "## 🔎 Workbench\nPut a picture in front of the model and check its answer.",
        "## 🔎 Workbench\n把图片交给模型，再检查它的回答。",
    ),
    "page.ui_language": Wording("Interface", "界面语言"),
    "batch.title": Wording("Batch", "批量处理"),
    "batch.description": Wording(
        "Run one preset over many files — images, PDFs (each page) or a zip of them. "
        "A row per file as it finishes; the results download as CSV, JSONL and a zip of "
        "annotated images.",
        "用一个预设处理多个文件——图片、PDF（逐页）或它们的压缩包。每完成一个文件就多一行；"
        "结果可下载为 CSV、JSONL 和标注图片的压缩包。",
    ),
    "batch.files.label": Wording("Files (images, PDFs, zips)", "文件（图片、PDF、压缩包）"),
    "batch.tab.label": Wording("Tab", "标签页"),
    "batch.options.accordion": Wording("Generation", "生成"),
    "batch.run.button": Wording("Run", "运行"),
    "batch.table.label": Wording("Results", "结果"),
    "grading.title": Wording("Evaluate", "人工评测"),
    "grading.intro": Wording(
        "Grade an eval run by hand: pick its results, type your name and mark each answer. "
        "You see only your own queue, never another grader's marks. Two graders mark every "
        "answer; a third person settles where they disagree.",
        "人工批改一次评测：选择结果、输入你的名字，逐个评分。你只看到自己待评的回答，"
        "看不到别人的评分。每个回答由两位评分者评分，意见不一致时由第三人裁决。",
    ),
    "grading.folder.label": Wording("Eval results", "评测结果"),
    "grading.refresh.button": Wording("Refresh", "刷新"),
    "grading.grader.label": Wording(
        "Your name (your marks are saved under it)",
        "你的名字（评分以此名保存）",
    ),
    "grading.next.button": Wording("Next answer", "下一个回答"),
    "grading.question.label": Wording("Question", "问题"),
    "grading.answer.label": Wording("The model's answer", "模型的回答"),
    "grading.expect.label": Wording("Expected", "期望结果"),
    "grading.image.label": Wording("Image", "图片"),
    "grading.correct.button": Wording("Correct", "正确"),
    "grading.wrong.button": Wording("Wrong", "错误"),
    "grading.hallucinated.button": Wording("Hallucinated", "幻觉"),
    "grading.mark.label": Wording("Mark", "评分"),
    "grading.save.button": Wording("Save mark", "保存评分"),
    "grading.agreement.heading": Wording("### Agreement and arbitration", "### 一致性与仲裁"),
    "grading.grader_a.label": Wording("First grader", "第一位评分者"),
    "grading.grader_b.label": Wording("Second grader", "第二位评分者"),
    "grading.compare.button": Wording("Compare", "比较"),
    "grading.disagreements.label": Wording("Disagreements", "分歧"),
    "grading.arbiter.label": Wording(
        "Arbiter (a third person, not one of the graders)",
        "仲裁者（第三人，不是评分者之一）",
    ),
    "grading.dispute.label": Wording("Disagreement to settle", "待裁决的分歧"),
    "receipts.title": Wording("Receipts & invoices", "收据与发票"),
    "receipts.description": Wording(
        "Read receipts and invoices into checked JSON: line items, discounts, "
        "tax and totals, with the arithmetic verified.",
        "把收据和发票读成经过检查的 JSON：明细、折扣、税额和合计，并核对算术。",
    ),
    "receipts.role_example": Wording(
        "e.g. You are an accounts-payable clerk who checks every figure.",
        "例如：你是一名逐项核对每个数字的应付账款会计。",
    ),
    "screenshots.title": Wording("UI screenshots", "界面截图"),
    "screenshots.description": Wording(
        "Find what is wrong on an app screen — truncated labels, overlapping or "
        "misaligned elements — each boxed on the screenshot.",
        "找出应用界面上的问题——被截断的文字、重叠或没对齐的元素——并在截图上逐一框出。",
    ),
    "screenshots.role_example": Wording(
        "e.g. You are a senior Android QA engineer.",
        "例如：你是一名资深的安卓测试工程师。",
    ),
    "homework.title": Wording("Homework grading", "作业批改"),
    "homework.description": Wording(
        "Transcribe a student's solution, grade it step by step, and explain the mistake.",
        "转写学生的解答，逐步批改，并讲清错在哪里。",
    ),
    "homework.role_example": Wording(
        "e.g. You are a patient Grade 7 maths teacher.",
        "例如：你是一位耐心的七年级数学老师。",
    ),
    "gauges.title": Wording("Gauges & meters", "仪表读数"),
    "gauges.description": Wording(
        "Read analog gauges and digital meters, check the value against the "
        "scale, and raise an alarm past your threshold.",
        "读取指针式和数字式仪表，对照量程检查读数，超过阈值时报警。",
    ),
    "gauges.role_example": Wording(
        "e.g. You are a plant maintenance technician doing a morning round.",
        "例如：你是一名正在做早间巡检的工厂维修技术员。",
    ),
    "image.label": Wording(
        "Image — drag a box to mark a region (optional)",
        "图片——拖出一个框来标记区域（可选）",
    ),
    "document.label": Wording(
        "Or a PDF or a phone photo (HEIC)",
        "或者上传 PDF 或手机照片（HEIC）",
    ),
    "thumbnails.label": Wording("Pages — pick one to show it above", "页面——点一页在上方显示"),
    "pages.label": Wording(
        "Pages to ask about (up to 4, sent together)",
        "要提问的页面（最多 4 页，一起发送）",
    ),
    "enhance.label": Wording("Enhance (low light, contrast, tilt)", "增强（暗光、对比度、倾斜）"),
    "enhance.auto": Wording("Auto", "自动"),
    "enhance.on": Wording("On", "开"),
    "enhance.off": Wording("Off", "关"),
    "region.label": Wording("Region", "区域"),
    "region.crop": Wording("Crop to the region", "裁剪到该区域"),
    "region.highlight": Wording("Highlight it on the full image", "在整张图上标出该区域"),
    "preset.label": Wording("Preset", "预设"),
    "preset.error": Wording(
        "⚠️ **Presets could not be loaded.** Fix the file and restart; free questions still work.",
        "⚠️ **预设无法加载。** 请修正文件后重启；自由提问仍然可用。",
    ),
    "language.label": Wording("Answer in", "回答语言"),
    "role.label": Wording(
        "Role (put ahead of the preset's instructions)", "角色（放在预设指令之前）"
    ),
    "question.label": Wording("Question", "问题"),
    "threshold.label": Wording(
        "Alarm threshold (in the reading's unit)", "报警阈值（与读数单位相同）"
    ),
    "threshold.placeholder": Wording("empty: no alarm check; e.g. 80", "留空则不检查报警；例如 80"),
    "direction.label": Wording("Alarm when the value is", "何时报警：读数"),
    "direction.above": Wording("above", "高于阈值"),
    "direction.below": Wording("below", "低于阈值"),
    "chat.label": Wording("Conversation", "对话"),
    "chat.placeholder": Wording(
        "The conversation about the image shows here.",
        "关于这张图片的对话会显示在这里。",
    ),
    "ask.button": Wording("Ask", "提问"),
    "stop.button": Wording("Stop", "停止"),
    "regenerate.button": Wording("Regenerate", "重新生成"),
    "clear.button": Wording("Clear", "清空"),
    "generation.accordion": Wording("Generation and checking", "生成与检查"),
    "temperature.label": Wording("Temperature", "温度"),
    "top_p.label": Wording("Top-p", "核采样 Top-p"),
    "max_new_tokens.label": Wording("Max new tokens", "最多生成的 token 数"),
    "repair_turns.label": Wording("Repair turns for invalid JSON", "JSON 无效时的修复轮数"),
    "strict.label": Wording(
        "Strict JSON (schema-constrained decoding)", "严格 JSON（按结构约束解码）"
    ),
    "visual_tokens.label": Wording(
        "Visual tokens per image (max)", "每张图片的视觉 token 数（上限）"
    ),
    "visual_tokens.info": Wording(
        "One token is 32×32 pixels. More reads small print better; the first word "
        "comes later. The preset sets it; the line under the image shows the cost.",
        "一个 token 对应 32×32 像素。越多越能看清小字，但第一个字出来得越晚。"
        "默认值由预设决定；图片下方的一行显示代价。",
    ),
    "annotated.label": Wording("Boxes from the answer", "回答中的框"),
    "legend.boxes": Wording(
        "{region} your region (red outline) · {boxes} the model's boxes, "
        "each labelled with its value, then where OCR saw each value of the answer",
        "{region} 你标记的区域（红色边框） · {boxes} 模型给出的框，每个都标着它的值；"
        "其后是 OCR 在图上看到回答中各个值的位置",
    ),
    "parsed.label": Wording("Parsed JSON", "解析出的 JSON"),
    "downloads.label": Wording("Export", "导出"),
    "details.accordion": Wording("Run details", "运行详情"),
    "details.label": Wording("Tokens, timings, parameters, region", "token 数、耗时、参数和区域"),
    "examples.label": Wording(
        "Examples — pick one to try (made by the workbench; ground truth beside each)",
        "示例——选一个试试（由 Workbench 生成，每个都附有标准答案）",
    ),
    # The Compare tab, the screenshots tab's contrast section, the Batch tab's folder run.
    "compare.title": Wording("Compare", "截图对比"),
    "compare.description": Wording(
        "Two screenshots of the same screen — the last good build and the one under test: "
        "what changed, boxed and numbered on both; text cut short; lines hard to read. "
        "No model needed. Then ask the model which changes are defects, and download a "
        "report to file.",
        "同一界面的两张截图——上一个正常版本和待测版本：哪里变了（两张图上都框出并编号）、"
        "哪些文字被截断、哪些行难以辨认。无需模型。然后可以让模型判断哪些变化是缺陷，"
        "并下载一份可直接提交的报告。",
    ),
    "compare_tab.before.label": Wording(
        "Before (the last good build) — box what to ignore: a clock, an ad",
        "之前（上一个正常版本）——框出要忽略的内容：时钟、广告",
    ),
    "compare_tab.after.label": Wording("After (the build under test)", "之后（待测版本）"),
    "compare_tab.masks.label": Wording(
        "Also ignore (boxes in the before image's pixels)", "另外忽略（按“之前”图像像素的框）"
    ),
    "compare_tab.masks.placeholder": Wording(
        "x0,y0,x1,y1; x0,y0,x1,y1 — e.g. 0,0,1080,80 for the status bar",
        "x0,y0,x1,y1; x0,y0,x1,y1——例如状态栏为 0,0,1080,80",
    ),
    "compare_tab.run.button": Wording("Compare", "比较"),
    "compare_tab.side_by_side": Wording("Side by side", "并排"),
    "compare_tab.slider": Wording("Slider", "滑块对比"),
    "compare_tab.before_view.label": Wording("Before, changes numbered", "之前（变化已编号）"),
    "compare_tab.after_view.label": Wording("After, changes numbered", "之后（变化已编号）"),
    "compare_tab.slider.label": Wording("Before | after", "之前 | 之后"),
    "compare_tab.changes.label": Wording("Changes", "变化"),
    "compare_tab.contrast.accordion": Wording(
        "Readability: the contrast of each text line", "可读性：每行文字的对比度"
    ),
    "compare_tab.contrast_before.label": Wording(
        "Before: lines below 4.5:1 boxed", "之前：对比度低于 4.5:1 的行已框出"
    ),
    "compare_tab.contrast_after.label": Wording(
        "After: lines below 4.5:1 boxed", "之后：对比度低于 4.5:1 的行已框出"
    ),
    "compare_tab.contrast_table.label": Wording("Contrast per line", "每行的对比度"),
    "compare_tab.judge.accordion": Wording(
        "The model's eye: which changes are defects", "模型的判断：哪些变化是缺陷"
    ),
    "compare_tab.judge.button": Wording("Ask the model which are defects", "让模型判断哪些是缺陷"),
    "compare_tab.answer.label": Wording("The model's answer", "模型的回答"),
    "compare_tab.defects.label": Wording("Verdicts", "判断结果"),
    "compare_tab.report.button": Wording("Report (zip)", "报告（压缩包）"),
    "compare_tab.report.label": Wording("Report to file", "可提交的报告"),
    "screenshot_contrast.accordion": Wording(
        "Readability: the contrast of each text line on the screenshot",
        "可读性：截图上每行文字的对比度",
    ),
    "screenshot_contrast.image.label": Wording(
        "Lines below 4.5:1 boxed", "对比度低于 4.5:1 的行已框出"
    ),
    "batch_compare.accordion": Wording(
        "Compare two folders (a regression run)", "比较两个文件夹（回归测试）"
    ),
    "batch_compare.before.label": Wording(
        "Before: screenshots, or a zip of them", "之前：截图，或截图的压缩包"
    ),
    "batch_compare.after.label": Wording("After: the same file names", "之后：文件名相同的截图"),
    "batch_compare.run.button": Wording("Compare the folders", "比较文件夹"),
    "batch_compare.table.label": Wording("One row per pair", "每对截图一行"),
    "review.title": Wording("Review", "审核"),
    "review.intro": Wording(
        "Check a batch run's values, the least certain first. Pick the run, type your name, "
        "load the queue; for each value see the model's box and the OCR box, then approve it, "
        "correct it or reject it. Every action goes to the run's audit log; what you approve "
        "or correct becomes a golden set.",
        "审核一次批量运行的值，最不确定的排在最前。选择运行、填写名字、加载队列；"
        "对每个值查看模型的框和 OCR 的框，然后通过、修正或驳回。每个操作都写入该运行的审计日志；"
        "你通过或修正的内容可以生成黄金集。",
    ),
    "review.folder.label": Wording("Run folder", "运行文件夹"),
    "review.refresh.button": Wording("Refresh", "刷新"),
    "review.reviewer.label": Wording(
        "Your name (logged with every action)", "你的名字（随每个操作记录）"
    ),
    "review.load.button": Wording("Load the queue", "加载队列"),
    "review.queue.label": Wording("Queue: least certain first", "队列：最不确定的在前"),
    "review.image.label": Wording("The value's boxes: model, then OCR", "该值的框：先模型，后 OCR"),
    "review.values.label": Wording("Values of this record", "这条记录的值"),
    "review.at.label": Wording("Value to review", "要审核的值"),
    "review.value.label": Wording("Value (edit it, then Correct)", "值（修改后点“修正”）"),
    "review.approve.button": Wording("Approve (A)", "通过 (A)"),
    "review.correct.button": Wording("Correct (C)", "修正 (C)"),
    "review.reject.button": Wording("Reject (R)", "驳回 (R)"),
    "review.approve_record.button": Wording("Approve the record", "通过整条记录"),
    "review.reject_record.button": Wording("Reject the record", "驳回整条记录"),
    "review.previous.button": Wording("← Previous (P)", "← 上一条 (P)"),
    "review.next.button": Wording("Next (N) →", "下一条 (N) →"),
    "review.golden.button": Wording("Make a golden set", "生成黄金集"),
    "review.downloads.label": Wording("Golden set and reviewed exports", "黄金集与审核后的导出"),
    "review.keys": Wording(
        "Keys, when not typing: **A** approve · **C** correct · **R** reject · **N** next · "
        "**P** previous. In the value box, Enter corrects.",
        "不在输入时可用快捷键：**A** 通过 · **C** 修正 · **R** 驳回 · **N** 下一条 · "
        "**P** 上一条。在值输入框中按回车即修正。",
    ),
    "review.action.label": Wording("Action", "操作"),
    "review.save.button": Wording("Save the action", "保存操作"),
    # the eval report in the Evaluate tab (`tabs.eval_report`)
    "charts.show.button": Wording("Show report", "显示报告"),
    "charts.heading": Wording("### Report", "### 报告"),
    "charts.accuracy.label": Wording("Accuracy by level and tab", "按级别和标签页的准确率"),
    "charts.calibration.label": Wording(
        "Confidence calibration: values right per confidence band",
        "置信度校准：各置信区间中正确的值",
    ),
    "charts.agreement.label": Wording(
        "Agreement with the reviewers, per field", "与审核人员的一致性（按字段）"
    ),
    # the domain tabs' abstain control (docs/confidence.md)
    "abstain_below.label": Wording(
        "Return as null below this confidence (0: off)", "置信度低于此值时返回 null（0：关闭）"
    ),
    # the Batch tab's regression run, asking the model (`tabs.batch_compare`)
    "batch_compare.judge.label": Wording(
        "Ask the model which changes are defects", "让模型判断哪些变化是缺陷"
    ),
    # sending work to review: the Batch tab's and the domain tabs' button, the Review tab's note
    "send_review.button": Wording("Send to review", "送去审核"),
    "review.where": Wording(
        "The runs listed are those sent to review, kept in the team's results folder: a Batch "
        "run (its Send to review button) or single answers (a tab's Send to review button, one "
        "queue). Press Refresh to see what was sent since the page opened.",
        "这里列出的是送去审核的运行，保存在团队的结果文件夹中：批量运行（其“送去审核”按钮）"
        "或单个回答（各标签页的“送去审核”按钮，合为一个队列）。点“刷新”可看到页面打开后新送来的内容。",
    ),
}

# --- comparing screenshots, as the Compare tab, the screenshots tab's contrast section and the
# Batch tab's folder run say it (`tabs.compare*`, `tabs.batch_compare`), and the model's verdicts
# on a pair checked (`compare.turn`) ----------------------------------------------------------
_COMPARE_UI: dict[str, Wording] = {
    "compare_tab.missing.before": Wording(
        "Add the before screenshot (the last good build) too.",
        "还需要添加“之前”的截图（上一个正常版本）。",
    ),
    "compare_tab.missing.after": Wording(
        "Add the after screenshot (the build under test) too.",
        "还需要添加“之后”的截图（待测版本）。",
    ),
    "compare_tab.missing.both": Wording(
        "Add two screenshots first: before on the left, after on the right.",
        "请先添加两张截图：左边是“之前”，右边是“之后”。",
    ),
    "compare_tab.unreadable": Wording("{side}: {error}", "{side}：{error}"),
    "compare_tab.bad_mask": Wording(
        "{mask!q} is not a box: write x0,y0,x1,y1 in the before image's pixels, "
        "boxes separated by ';'.",
        "{mask!q} 不是一个框：请按“之前”图像的像素写 x0,y0,x1,y1，多个框用“;”分隔。",
    ),
    "compare_tab.failed": Wording(
        "The comparison failed: {error}. Try other screenshots.",
        "比较失败：{error}。请换其他截图再试。",
    ),
    "compare_tab.problem": Wording("Could not compare: {problem}", "无法比较：{problem}"),
    "compare_tab.summary": Wording(
        "Changes: **{changes}** · texts cut short: **{truncations}** · "
        "lines below AA contrast: **{failures}** · {seconds:.1f} s",
        "**{changes}** 处变化 · **{truncations}** 处文字被截断 · "
        "**{failures}** 行对比度不达标 · {seconds:.1f} 秒",
    ),
    "compare_tab.scaled": Wording(
        " · after scaled ×{scale:.2f} to match", " · “之后”已缩放 ×{scale:.2f} 以对齐"
    ),
    "compare_tab.first": Wording("Compare two screenshots first.", "请先比较两张截图。"),
    "compare_tab.nothing_to_judge": Wording(
        "No changes to judge: the screenshots look the same.",
        "没有需要判断的变化：两张截图看起来一样。",
    ),
    "compare_tab.judged": Wording(
        "The model called {defects} of {changes} changes defects.",
        "模型认为 {changes} 处变化中有 {defects} 处是缺陷。",
    ),
    "compare_tab.report_ready": Wording(
        "The report is ready: Markdown, JSON, both images annotated and a crop per change.",
        "报告已生成：Markdown、JSON、两张标注后的图片，以及每处变化的裁剪图。",
    ),
    "compare_tab.truncations.heading": Wording("**Text cut short**", "**被截断的文字**"),
    "compare_tab.truncations.none": Wording("No text cut short.", "没有被截断的文字。"),
    "compare_tab.truncation": Wording("{side}: {text!q} — {reason}", "{side}：{text!q}——{reason}"),
    "compare_tab.reason.ellipsis": Wording("ends in “…”", "以“…”结尾"),
    "compare_tab.reason.edge": Wording("runs into its container's edge", "碰到了容器的边缘"),
    "compare_tab.side.before": Wording("before", "之前"),
    "compare_tab.side.after": Wording("after", "之后"),
    "compare_tab.side.image": Wording("screenshot", "截图"),
    "compare_tab.kind.text": Wording("text", "文字"),
    "compare_tab.kind.added": Wording("added", "新增"),
    "compare_tab.kind.removed": Wording("removed", "删除"),
    "compare_tab.kind.moved": Wording("moved", "移动"),
    "compare_tab.kind.style": Wording("style", "样式"),
    "compare_tab.col.number": Wording("#", "#"),
    "compare_tab.col.kind": Wording("kind", "类型"),
    "compare_tab.col.before": Wording("before", "之前"),
    "compare_tab.col.after": Wording("after", "之后"),
    "compare_tab.col.detail": Wording("detail", "说明"),
    "compare_tab.pass": Wording("pass", "通过"),
    "compare_tab.fail": Wording("FAIL", "未通过"),
    "compare_tab.yes": Wording("yes", "是"),
    "compare_tab.no": Wording("no", "否"),
    "compare_tab.col.image": Wording("image", "图像"),
    "compare_tab.col.text": Wording("text", "文字"),
    "compare_tab.col.ratio": Wording("ratio", "对比度"),
    "compare_tab.col.aa": Wording("AA", "AA 级"),
    "compare_tab.col.aaa": Wording("AAA", "AAA 级"),
    "compare_tab.col.colours": Wording("text / background", "文字 / 背景"),
    "compare_tab.col.change": Wording("change", "变化"),
    "compare_tab.col.defect": Wording("defect", "缺陷"),
    "compare_tab.col.severity": Wording("severity", "严重程度"),
    "compare_tab.col.why": Wording("why", "理由"),
    "compare_tab.severity.high": Wording("high", "高"),
    "compare_tab.severity.medium": Wording("medium", "中"),
    "compare_tab.severity.low": Wording("low", "低"),
    "compare_tab.contrast.summary": Wording(
        "{failing} of {count} text lines below AA (4.5:1, large text 3:1); "
        "{below_aaa} below AAA (7:1, large text 4.5:1).",
        "{count} 行文字中有 {failing} 行未达 AA 级（4.5:1，大号文字 3:1）；"
        "{below_aaa} 行未达 AAA 级（7:1，大号文字 4.5:1）。",
    ),
    "compare_tab.contrast.none": Wording("No text found to check.", "没有找到可以检查的文字。"),
    "compare_tab.contrast.failed": Wording(
        "The contrast check failed: {error}", "对比度检查失败：{error}"
    ),
    "judge.check.ok": Wording(
        "{judged} of the {count} changes judged, each once",
        "{count} 处变化中判断了 {judged} 处，每处一次",
    ),
    "judge.check.unknown": Wording(
        "change {unknown!c} is not listed (the changes are numbered 1 to {count})",
        "变化 {unknown!c} 不在列表中（变化编号为 1 到 {count}）",
    ),
    "judge.check.twice": Wording(
        "change {twice!c} is judged more than once", "变化 {twice!c} 被判断了不止一次"
    ),
    "batch_compare.no_files": Wording(
        "Add screenshots (or a zip) on both sides first.",
        "请先在两边都添加截图（或压缩包）。",
    ),
    "batch_compare.starting": Wording("Comparing the folders…", "正在比较文件夹…"),
    "batch_compare.progress": Wording("{done} of {total} pairs", "{done} / {total} 对"),
    "batch_compare.done": Wording(
        "{pairs} pairs compared in {seconds:.1f} s · {changes} changes · "
        "{failures} lines below AA contrast",
        "比较了 {pairs} 对截图，用时 {seconds:.1f} 秒 · {changes} 处变化 · "
        "{failures} 行对比度不达标",
    ),
    "batch_compare.only_before": Wording(
        "Only in before (no after to compare with): {names!c}",
        "只在“之前”中（没有可比较的“之后”）：{names!c}",
    ),
    "batch_compare.only_after": Wording(
        "Only in after (new, or renamed): {names!c}", "只在“之后”中（新增或改名）：{names!c}"
    ),
    "batch_compare.failed": Wording(
        "The folders cannot be compared: {error}", "无法比较这两个文件夹：{error}"
    ),
    "batch_compare.col.pair": Wording("file", "文件"),
    "batch_compare.col.changes": Wording("changes", "变化"),
    "batch_compare.col.defects": Wording("defects", "缺陷"),
    "batch_compare.col.failures": Wording("below AA", "对比度不达标"),
    "batch_compare.col.truncations": Wording("cut short", "被截断"),
    "batch_compare.col.problem": Wording("problem", "问题"),
    "batch_compare.not_judged": Wording("not judged: {reason}", "未判断：{reason}"),
    "batch_compare.judged": Wording(
        " · {defects} defects · {unjudged} pairs not judged",
        " · {defects} 个缺陷 · {unjudged} 对未判断",
    ),
}

# --- the review of a batch run (`eval.review*`, the Review tab): refusals, progress, statuses ---
_REVIEW: dict[str, Wording] = {
    "review.missing": Wording(
        "No run folder at {folder}: run a batch first, or pick another folder.",
        "{folder} 处没有运行文件夹：请先运行一次批量处理，或选择其他文件夹。",
    ),
    "review.not_a_run": Wording(
        "{folder} holds no batch rows (results.jsonl with records) and no answers/ to review.",
        "{folder} 中没有可审核的批量结果（带记录的 results.jsonl）或 answers/ 文件夹。",
    ),
    "review.unreadable": Wording(
        "{file} line {line} cannot be read: the run folder is damaged; run the batch again.",
        "{file} 第 {line} 行无法读取：运行文件夹已损坏，请重新运行批量处理。",
    ),
    "review.older": Wording(
        "{record} was written by an older version, without confidence: run the batch again "
        "with this version to review it.",
        "{record} 由旧版本写入，没有置信度：请用当前版本重新运行批量处理后再审核。",
    ),
    "review.gone": Wording(
        "The run no longer holds {record}: load the queue again.",
        "运行结果中已没有 {record}：请重新加载队列。",
    ),
    "review.no_value": Wording("{record} has no value at {at}.", "{record} 在 {at} 处没有值。"),
    "review.changed": Wording(
        "{record} was rewritten since the queue was built (its digest changed): nothing was "
        "saved; load the queue again.",
        "队列建立后 {record} 已被改写（摘要已变）：未保存任何内容，请重新加载队列。",
    ),
    "review.no_name": Wording(
        "Type your name first: every action is logged with it.",
        "请先填写你的名字：每个操作都会连同名字记录下来。",
    ),
    "review.long_name": Wording(
        "A name of at most {limit} characters, please.", "名字最多 {limit} 个字符。"
    ),
    "review.bad_action": Wording(
        "{action!q} is not an action; use one of {known!k}.",
        "{action!q} 不是可用的操作；请使用 {known!k} 之一。",
    ),
    "review.record_action": Wording(
        "A whole record can be approved or rejected; correct one value at a time.",
        "整条记录只能通过或驳回；修正请逐个值进行。",
    ),
    "review.empty_value": Wording(
        "Type the right value for {at} first (null when it is not on the image).",
        "请先为 {at} 填写正确的值（图上没有时填 null）。",
    ),
    "review.bad_value": Wording(
        "{value!q} does not fit {at}: {problem}. Nothing was saved.",
        "{value!q} 不符合 {at} 的要求：{problem}。未保存任何内容。",
    ),
    "review.no_cases": Wording(
        "No record of {folder} is approved or corrected yet: review some first.",
        "{folder} 中还没有已通过或已修正的记录：请先审核一些。",
    ),
    "review.not_accepted": Wording("it is {status}", "其状态为 {status}"),
    "review.nothing_accepted": Wording(
        "no value of it was approved or corrected (rejected, or none to review)",
        "没有值被通过或修正（被驳回，或没有可审核的值）",
    ),
    "review.no_preset": Wording(
        "its preset {tab}:{preset} is not one of the app's", "其预设 {tab}:{preset} 不在应用中"
    ),
    "review.no_image": Wording(
        "the image of {record} is no longer there, or has changed",
        "{record} 的图片已不存在或已改变",
    ),
    "review.no_folder": Wording("Pick a run folder first.", "请先选择一个运行文件夹。"),
    "review.unknown_folder": Wording(
        "{folder} is not one of the run folders offered: press Refresh and pick again.",
        "{folder} 不在可选的运行文件夹中：请点“刷新”后重新选择。",
    ),
    "review.no_record": Wording("Load the queue first.", "请先加载队列。"),
    "review.empty": Wording(
        "Nothing to review in this run: no answered record.",
        "这次运行中没有可审核的内容：没有已回答的记录。",
    ),
    "review.progress": Wording(
        "{done} of {total} records reviewed · record {index} of {total}",
        "已审核 {done}/{total} 条记录 · 当前第 {index}/{total} 条",
    ),
    "review.saved": Wording("Saved: {action} {at}.", "已保存：{action} {at}。"),
    "review.earlier": Wording(
        "{who} had already chosen “{action}” here at {time}; both are in the log, yours is "
        "the latest.",
        "{who} 已于 {time} 在此处选择了“{action}”；两条都已记录，你的为最新。",
    ),
    "review.golden_done": Wording(
        "Golden set written: {count} case(s) in {folder}; {skipped} record(s) left out.",
        "已写出黄金集：{folder} 中 {count} 个用例；{skipped} 条记录未纳入。",
    ),
    "review.no_picture": Wording(
        "The image of this record is no longer there.", "这条记录的图片已不存在。"
    ),
    "review.action.approve": Wording("approve", "通过"),
    "review.action.correct": Wording("correct", "修正"),
    "review.action.reject": Wording("reject", "驳回"),
    "review.status.approved": Wording("approved", "已通过"),
    "review.status.corrected": Wording("corrected", "已修正"),
    "review.status.rejected": Wording("rejected", "已驳回"),
    "review.status.partly": Wording("partly reviewed", "部分已审核"),
    "review.status.none": Wording("not reviewed", "未审核"),
    "review.whole_record": Wording("the whole record", "整条记录"),
    "review.level.low": Wording("low", "低"),
    "review.level.check": Wording("check", "待查"),
    "review.level.high": Wording("high", "高"),
    "review.col.file": Wording("file", "文件"),
    "review.col.lowest": Wording("lowest", "最低等级"),
    "review.col.score": Wording("score", "得分"),
    "review.col.status": Wording("status", "状态"),
    "review.col.value": Wording("value", "值"),
    "review.col.model": Wording("model's", "模型的值"),
    "review.col.level": Wording("level", "等级"),
    "review.col.reasons": Wording("reasons", "依据"),
    "review.col.decided": Wording("decided", "决定"),
}

# --- the eval report's charts in the Evaluate tab (`tabs.eval_report`): axes, notes, refusals --
_CHARTS: dict[str, Wording] = {
    "charts.unreadable": Wording(
        "These results cannot be charted ({error}). Run the eval again to write them anew.",
        "无法为这些结果绘图（{error}）。请重新运行评测生成结果。",
    ),
    "charts.empty": Wording(
        "{folder} has no results yet: run the eval first.",
        "{folder} 中还没有结果：请先运行评测。",
    ),
    "charts.shown": Wording("{cases} cases · {models}", "{cases} 个用例 · {models}"),
    "charts.graded": Wording(
        "scored by the human marks where an answer has them",
        "有人工评分的回答按人工评分计",
    ),
    "charts.no_confidence": Wording(
        "No per-value confidence in these results, so no calibration chart.",
        "这些结果中没有逐值置信度，因此没有校准图。",
    ),
    "charts.all_levels": Wording("All levels", "所有级别"),
    "charts.all_tabs": Wording("all tabs", "所有标签页"),
    "charts.model": Wording("model", "模型"),
    "charts.accuracy.x": Wording("level · tab", "级别 · 标签页"),
    "charts.accuracy.y": Wording("cases passed (%)", "通过的用例（%）"),
    "charts.calibration.x": Wording("confidence", "置信度"),
    "charts.calibration.y": Wording("values right (%)", "正确的值（%）"),
    "charts.calibration.diagonal": Wording("accuracy = confidence", "准确率 = 置信度"),
    "charts.agreement.x": Wording("field", "字段"),
    "charts.agreement.y": Wording("values agreed (%)", "一致的值（%）"),
}

# --- screenshot comparison (`compare.CompareError`, `Comparison.problem`): what could not be
# compared, and what to do
_COMPARE: dict[str, Wording] = {
    "compare.missing": Wording(
        "No screenshot at {path}. Check the path.", "{path} 处没有截图。请检查路径。"
    ),
    "compare.pdf": Wording(
        "{name} is a PDF; compare takes two screenshots (PNG, JPEG, WebP …). Export the page "
        "as an image first.",
        "{name} 是 PDF；对比需要两张截图（PNG、JPEG、WebP 等）。请先把页面导出为图片。",
    ),
    "compare.unusable": Wording(
        "The {name} screenshot cannot be compared: {reason}",
        "{name} 截图无法对比：{reason}",
    ),
    "compare.unrelated": Wording(
        "These two screenshots show different screens: almost nothing of the first was found "
        "in the second, so no changes are listed. Check that the pair is the same screen of "
        "two builds.",
        "这两张截图显示的是不同的界面：第一张的内容在第二张里几乎都找不到，因此不列出变化。"
        "请确认它们是两个版本的同一个界面。",
    ),
    "compare.shapes": Wording(
        "These two screenshots have very different shapes (one is over three times taller for "
        "its width), so they cannot show the same screen: no changes are listed. Compare a "
        "capture with one of the same screen and orientation.",
        "这两张截图的形状相差很大（按宽度算，一张比另一张高出三倍以上），不可能是同一个界面，"
        "因此不列出变化。请与同一界面、同一方向的截图对比。",
    ),
    "compare.no_image": Wording(
        "The {side} screenshot is missing: give both, before and after.",
        "缺少{side}截图：请同时提供之前和之后两张。",
    ),
    "compare.no_pairs": Wording(
        "No screenshot in {before} has a namesake in {after}: pairs are matched by file name.",
        "{before} 中没有任何截图在 {after} 中有同名文件：截图按文件名配对。",
    ),
    "compare.not_folder": Wording(
        "{path} is neither a folder nor a zip of screenshots.",
        "{path} 既不是文件夹，也不是截图的 zip 压缩包。",
    ),
    # The report to file (`compare.report`), laid out as a bug tracker takes it.
    "compare.report.title": Wording(
        "{after} against {before}: {count} changes, {defects} defects",
        "{after} 对比 {before}：{count} 处变化，{defects} 个缺陷",
    ),
    "compare.report.steps": Wording("Steps to reproduce", "复现步骤"),
    "compare.report.step_before": Wording(
        "Open the screen on the earlier build (`{before}`).", "在旧版本上打开该界面（`{before}`）。"
    ),
    "compare.report.step_after": Wording(
        "Open the same screen on the new build (`{after}`).",
        "在新版本上打开同一个界面（`{after}`）。",
    ),
    "compare.report.step_compare": Wording(
        "Compare the two screenshots: the changes are boxed and numbered on both.",
        "对比两张截图：两张图上都框出并编号了各处变化。",
    ),
    "compare.report.expected": Wording("Expected", "预期结果"),
    "compare.report.expected_text": Wording(
        "The screen looks as on before.png, apart from the intended changes; no text is cut "
        "short, and every line passes WCAG AA contrast.",
        "除有意的改动外，界面与 before.png 一致；没有文字被截断，每行文字都达到 WCAG AA 对比度。",
    ),
    "compare.report.actual": Wording("Actual", "实际结果"),
    "compare.report.table": Wording(
        "| # | kind | before | after | what changed | defect |",
        "| # | 类型 | 之前 | 之后 | 变化 | 缺陷 |",
    ),
    "compare.report.no_changes": Wording("No changes found.", "未发现变化。"),
    "compare.report.cut": Wording("Text cut short", "被截断的文字"),
    "compare.report.contrast": Wording(
        "Text under WCAG AA contrast", "未达到 WCAG AA 对比度的文字"
    ),
    "compare.report.attachments": Wording("Attachments", "附件"),
    "compare.report.problem": Wording("Not compared: {reason}", "未能对比：{reason}"),
    "compare.report.defect": Wording("yes ({severity}): {why}", "是（{severity}）：{why}"),
    "compare.report.not_defect": Wording("no: {why}", "否：{why}"),
    # why a pair of a regression run has no verdicts (`workbench.compare.turn.PairJudge`)
    "compare.not_judged.load": Wording(
        "The model could not be loaded: {reason}", "无法加载模型：{reason}"
    ),
    "compare.not_judged.failed": Wording(
        "The model failed on this pair: {error}", "模型在这对截图上出错：{error}"
    ),
    "compare.not_judged.invalid": Wording(
        "The model's answer was no valid list of verdicts ({problem}).",
        "模型的回答不是有效的判断列表（{problem}）。",
    ),
}

# --- confidence per value, as the domain tabs show it (`tabs.domain.results`)
_CONFIDENCE: dict[str, Wording] = {
    "confidence.title": Wording(
        "**Confidence per value** ({doubtful} of {total} to check; box colours: green high, "
        "orange check, red low)",
        "**每个值的置信度**（{total} 个中有 {doubtful} 个需核对；"
        "框的颜色：绿色高，橙色待核对，红色低）",
    ),
    "confidence.header": Wording("| value | | confidence | why |", "| 值 | | 置信度 | 依据 |"),
    "confidence.level.high": Wording("🟢 high", "🟢 高"),
    "confidence.level.check": Wording("🟠 check", "🟠 待核对"),
    "confidence.level.low": Wording("🔴 low", "🔴 低"),
    "confidence.held": Wording(
        "returned as null (below {threshold:g})", "已返回为 null（低于 {threshold:g}）"
    ),
}

# --- sending a batch run or an answer to review (`workbench.eval.review_send`, the Batch tab's
# and the domain tabs' Send to review button)
_REVIEW_SEND: dict[str, Wording] = {
    "review.send.no_run": Wording(
        "Run a batch first: there is no finished run to send to review.",
        "请先运行一次批量处理：还没有可送去审核的已完成运行。",
    ),
    "review.send.gone": Wording(
        "This run's files are gone (the server keeps a run for a few hours). Run the batch "
        "again, then send it.",
        "这次运行的文件已不在了（服务器只保留几个小时）。请重新运行批量处理，再送去审核。",
    ),
    "review.send.no_rows": Wording(
        "This run has no rows yet. Wait for a file to finish, then send it.",
        "这次运行还没有任何结果行。请等至少一个文件处理完，再送去审核。",
    ),
    "review.send.no_answer": Wording(
        "Ask a question first: there is no answer to send to review.",
        "请先提问：还没有可送去审核的回答。",
    ),
    "review.send.image_changed": Wording(
        "The image box no longer holds {image}, the image of this answer. Ask again about the "
        "image shown, then send.",
        "图片框里已不是这个回答所针对的图片 {image}。请对当前图片重新提问，再送去审核。",
    ),
    "review.send.nothing_to_review": Wording(
        "This answer has no values with a confidence (a free-text answer, or no JSON came "
        "back), so there is nothing to review. Ask with a preset that returns JSON.",
        "这个回答没有带置信度的值（自由文本回答，或没有返回 JSON），所以没有可审核的内容。"
        "请使用返回 JSON 的预设提问。",
    ),
    "review.send.failed": Wording(
        "Could not write to the review folder {folder}: {error}. Nothing was sent.",
        "无法写入审核文件夹 {folder}：{error}。未送出任何内容。",
    ),
    "review.send.run_done": Wording(
        "Sent the batch run ({rows} row(s)) to review as {folder}. The Review tab now lists it "
        "(press Refresh there).",
        "已将这次批量运行（{rows} 行）送去审核，名为 {folder}。"
        "审核标签页现在会列出它（在那里点“刷新”）。",
    ),
    "review.send.answer_done": Wording(
        "Sent the answer about {image} to review, into {folder}. The Review tab now lists that "
        "folder as one queue of single answers (press Refresh there).",
        "已将关于 {image} 的回答送去审核，放入 {folder}。"
        "审核标签页现在会把该文件夹列为一个单个回答的队列（在那里点“刷新”）。",
    ),
}

SECTIONS: dict[str, dict[str, Wording]] = {
    "review": _REVIEW,
    "schema": _SCHEMA,
    "summary": _SUMMARY,
    "extraction": _EXTRACTION,
    "types": _TYPES,
    "check sentences": CHECK_SENTENCES,
    "check titles": CHECK_TITLES,
    "images": _IMAGE_ERRORS,
    "enhancement": _ENHANCEMENT,
    "evidence": _EVIDENCE,
    "session": _SESSION,
    "chat": _CHAT,
    "tabs": _TABS,
    "compare ui": _COMPARE_UI,
    "compare": _COMPARE,
    "charts": _CHARTS,
    "confidence": _CONFIDENCE,
    "review send": _REVIEW_SEND,
    "labels": LABELS,
}
WORDING: dict[str, Wording] = {
    key: w for section in SECTIONS.values() for key, w in section.items()
}
