"""What the user or the model reads about an answer, kept as facts and worded in English or Chinese.

A message is a wording key plus its facts (a value, a limit, a path). `word(key, language,
**facts)` fills the key's template for that language. Templates are `str.format` strings with
four conversions of our own, because each language quotes values its own way:

    {x!v}  a value, cut short when long     {x!q}  a value in full
    {x!k}  several values, listed           {x!t}  JSON type name(s)

English quotes values with Python's repr, as jsonschema does, so English messages read as they
always have. Chinese quotes them as JSON ("abc", true, null): the model answers in JSON, and a
Chinese message then carries no Python words such as True or None.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

LANGUAGES = ("en", "zh")
# A value quoted back is cut to this many characters: a whole receipt quoted back is no help.
MAX_QUOTED = 60

_TYPE_NAMES_ZH = {
    "number": "数字",
    "string": "字符串",
    "integer": "整数",
    "object": "对象",
    "array": "数组",
    "boolean": "布尔值",
    "null": "null",
}


class Wording(NamedTuple):
    """One message in each language."""

    en: str
    zh: str


_SCHEMA = {
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

_SUMMARY = {
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

_EXTRACTION = {
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

WORDING: dict[str, Wording] = {**_SCHEMA, **_SUMMARY, **_EXTRACTION}


class Problem(Protocol):
    """Something wrong with an answer that says so in one line, in either language."""

    def line(self, language: str = "en") -> str:
        """Return the problem as one line in `language`, its place included."""
        ...


@dataclass(frozen=True)
class Note:
    """A message kept as its wording key and facts; facts may be notes themselves."""

    key: str
    facts: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **facts: Any) -> Note:
        """Return the note for `key` with these facts."""
        return cls(key, tuple(facts.items()))

    def text(self, language: str = "en") -> str:
        """Return the note worded in `language` ("en" or "zh")."""
        return word(self.key, language, **dict(self.facts))

    def line(self, language: str = "en") -> str:
        """Return the note as one line in `language` (a note names its own place)."""
        return self.text(language)


def check_language(language: str) -> None:
    """Return None for a language we word messages in; raise ValueError otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")


def word(key: str, language: str, **facts: Any) -> str:
    """Return the message `key` worded in `language` with its facts filled in."""
    check_language(language)
    return _Formatter(language).format(getattr(WORDING[key], language), **facts)


def quote(value: Any, language: str) -> str:
    """Return a value as the language quotes it: repr in English, JSON in Chinese."""
    if language == "en":
        return repr(value)
    return json.dumps(value, ensure_ascii=False, default=repr)


def repair_outcome(before: Sequence[Problem], left: int, language: str = "en") -> str:
    """Return what a repair turn did: the problems it fixed, or how many of them are left."""
    if left:
        return word("repair.left", language, left=left, before=len(before))
    shown = word("summary.separator", language).join(p.line(language) for p in before)
    return word("repair.fixed", language, shown=shown)


class _Formatter(string.Formatter):
    """`str.format` with the conversions !v !q !k !t, and notes worded, in one language."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "v":
            return _cut(quote(value, self.language))
        if conversion == "q":
            return quote(value, self.language)
        if conversion == "k":
            joiner = ", " if self.language == "en" else "、"
            return joiner.join(quote(each, self.language) for each in value)
        if conversion == "t":
            return _type_names([value] if isinstance(value, str) else value, self.language)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Note):
            return value.text(self.language)
        return super().format_field(value, format_spec)


def _cut(quoted: str) -> str:
    """Return a quoted value cut to MAX_QUOTED characters, an ellipsis marking the cut."""
    return quoted if len(quoted) <= MAX_QUOTED else quoted[: MAX_QUOTED - 1] + "…"


def _type_names(types: Iterable[str], language: str) -> str:
    """Return type names as 'number', 'null' (English) or 数字或 null (Chinese)."""
    if language == "en":
        return ", ".join(repr(name) for name in types)
    names = [_TYPE_NAMES_ZH.get(name, name) for name in types]
    # A space between Han characters and a Latin word (null), none at the end of the message.
    return "或".join(f" {name} " if name.isascii() else name for name in names).rstrip()
