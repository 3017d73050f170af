"""Every sentence the checks write, in English and Chinese, in one place to translate.

Keys are stable; `wording.word` fills one in (see `wording` for !q !t !c !s). The English is
what records keep, so it changes only on purpose. The Chinese names a field of the answer by
its JSON path (tax_rate, items[2].amount) where the English does, and says the rest in Chinese.
A key ending in .one is the English for a count of one ("1 item"); Chinese needs no second form.
"""

from __future__ import annotations

from workbench.messages import Wording

_FIELDS = {
    "answer.not_object": Wording(
        "expected a JSON object, got {got!t}", "应为 JSON 对象，实际是{got!t}"
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

_RECEIPT = {
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
        "qty × unit_price = amount for 1 item", "{count} 行明细的数量 × 单价均等于金额"
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
_GAUGE = {
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
_HOMEWORK = {
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
        "all 1 step marked correct", "仅有的 {count} 个步骤标为正确"
    ),
    "homework.some_incorrect": Wording(
        "{wrong} of {count} steps marked incorrect ({paths!c})",
        "{count} 个步骤中有 {wrong} 个标为错误（{paths!c}）",
    ),
    "homework.some_incorrect.one": Wording(
        "{wrong} of 1 step marked incorrect ({paths!c})",
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

_SCREENSHOT = {
    "screenshot.boxed": Wording(
        "every issue has a bbox_2d ({count} issues)", "每个问题都有 bbox_2d（共 {count} 个）"
    ),
    "screenshot.boxed.one": Wording(
        "every issue has a bbox_2d (1 issue)", "每个问题都有 bbox_2d（共 {count} 个）"
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
        "every bbox_2d is within 0–{scale} with positive area (1 box)",
        "每个 bbox_2d 都在 0–{scale} 之内且面积大于零（共 {count} 个）",
    ),
    "screenshot.bad_box": Wording("{path} {box} {problem}", "{path} {box} {problem}"),
    # What workbench.boxes.bbox_problem says, keyed: its English must stay word for word.
    "box.not_four": Wording("is not a list of 4 numbers", "不是由 4 个数字组成的数组"),
    "box.outside": Wording("is outside 0–{scale}", "超出 0–{scale} 的范围"),
    "box.no_area": Wording("has no area", "面积为零"),
    "box.other": Wording("{problem}", "不是有效的框"),
}

_VAT = {
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
_CAPITAL = {
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

WORDING: dict[str, Wording] = {
    **_FIELDS,
    **_RECEIPT,
    **_GAUGE,
    **_HOMEWORK,
    **_SCREENSHOT,
    **_VAT,
    **_CAPITAL,
}
