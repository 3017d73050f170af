"""Schema validation: errors by path, in a stable order, worded in English and in Chinese."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from workbench.answers.validation import SchemaError, json_path, summarize, validate

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["total", "items"],
    "additionalProperties": False,
    "properties": {
        "total": {"type": "number"},
        "date": {"type": "string", "format": "date"},
        "verdict": {"enum": ["correct", "incorrect"]},
        "a b": {"type": "integer"},
        "bbox_2d": {"type": "array", "minItems": 4, "maxItems": 4},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "amount": {"minimum": 0}},
            },
        },
    },
}

CASES = [
    ("valid", {"total": 1, "items": [{"name": "Milk", "amount": 2}]}, []),
    (
        "wrong type",
        {"total": "abc", "items": []},
        [("$.total", "'abc' is not of type 'number'", '"abc" 不是数字')],
    ),
    (
        "missing key",
        {"items": []},
        [("$", "'total' is a required property", '缺少必需的属性 "total"')],
    ),
    (
        "unexpected key",
        {"total": 1, "items": [], "tip": 2},
        [
            (
                "$",
                "Additional properties are not allowed ('tip' was unexpected)",
                '不允许有额外的属性 "tip"',
            )
        ],
    ),
    (
        "nested paths, items[2] before items[10], then by message",
        {"total": 1, "items": [{"name": "a"}] * 2 + [{"name": 1, "amount": -1}] + [{}] * 8},
        [
            ("$.items[2].amount", "-1 is less than the minimum of 0", "-1 小于最小值 0"),
            ("$.items[2].name", "1 is not of type 'string'", "1 不是字符串"),
            *[
                (f"$.items[{i}]", "'name' is a required property", '缺少必需的属性 "name"')
                for i in range(3, 11)
            ],
        ],
    ),
    (
        "format is checked",
        {"total": 1, "items": [], "date": "2024-13-45"},
        [("$.date", "'2024-13-45' is not a 'date'", '"2024-13-45" 不符合 "date" 格式')],
    ),
    (
        "odd keys, enums and lengths",
        {"total": 1, "items": [], "a b": 1.5, "verdict": "maybe", "bbox_2d": [1, 2, 3]},
        [
            ('$["a b"]', "1.5 is not of type 'integer'", "1.5 不是整数"),
            ("$.bbox_2d", "[1, 2, 3] is too short", "[1, 2, 3] 的元素太少，至少要 4 个"),
            (
                "$.verdict",
                "'maybe' is not one of ['correct', 'incorrect']",
                '"maybe" 不是允许的值之一：["correct", "incorrect"]',
            ),
        ],
    ),
    ("not an object", [1], [("$", "[1] is not of type 'object'", "[1] 不是对象")]),
    (
        "a long quoted value is cut, the reason kept",
        {"total": list(range(100)), "items": []},
        [
            (
                "$.total",
                "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …"
                " is not of type 'number'",
                "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, … 不是数字",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("value", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_validate(value: Any, expected: list[tuple[str, str, str]]) -> None:
    errors = validate(value, SCHEMA)
    assert [(error.path, error.message, error.text("zh")) for error in errors] == expected


# One case per keyword and wording variant: schema, value, English, Chinese (the path is $).
KEYWORD_CASES = [
    (
        "required",
        {"required": ["商户"]},
        {},
        "'商户' is a required property",
        '缺少必需的属性 "商户"',
    ),
    ("type", {"type": "number"}, "abc", "'abc' is not of type 'number'", '"abc" 不是数字'),
    ("type integer", {"type": "integer"}, 1.5, "1.5 is not of type 'integer'", "1.5 不是整数"),
    ("type string", {"type": "string"}, 7, "7 is not of type 'string'", "7 不是字符串"),
    ("type object", {"type": "object"}, [1], "[1] is not of type 'object'", "[1] 不是对象"),
    ("type array", {"type": "array"}, None, "None is not of type 'array'", "null 不是数组"),
    (
        "type boolean",
        {"type": "boolean"},
        "yes",
        "'yes' is not of type 'boolean'",
        '"yes" 不是布尔值',
    ),
    ("type null", {"type": "null"}, True, "True is not of type 'null'", "true 不是 null"),
    (
        "type, two of them",
        {"type": ["string", "null"]},
        1,
        "1 is not of type 'string', 'null'",
        "1 不是字符串或 null",
    ),
    (
        "type, null first",
        {"type": ["null", "number"]},
        "x",
        "'x' is not of type 'null', 'number'",
        '"x" 不是 null 或数字',
    ),
    (
        "enum",
        {"enum": ["correct", "incorrect", None]},
        "maybe",
        "'maybe' is not one of ['correct', 'incorrect', None]",
        '"maybe" 不是允许的值之一：["correct", "incorrect", null]',
    ),
    ("const", {"const": "ok"}, "no", "'ok' was expected", '值必须是 "ok"'),
    ("minimum", {"minimum": 0}, -1, "-1 is less than the minimum of 0", "-1 小于最小值 0"),
    (
        "maximum",
        {"maximum": 10},
        10.5,
        "10.5 is greater than the maximum of 10",
        "10.5 大于最大值 10",
    ),
    (
        "exclusiveMinimum",
        {"exclusiveMinimum": 0},
        0,
        "0 is less than or equal to the minimum of 0",
        "0 必须大于 0",
    ),
    (
        "exclusiveMaximum",
        {"exclusiveMaximum": 1.5},
        2,
        "2 is greater than or equal to the maximum of 1.5",
        "2 必须小于 1.5",
    ),
    ("minLength", {"minLength": 3}, "ab", "'ab' is too short", '"ab" 太短，至少要 3 个字符'),
    ("minLength 1", {"minLength": 1}, "", "'' should be non-empty", '"" 不能为空'),
    ("maxLength", {"maxLength": 2}, "abc", "'abc' is too long", '"abc" 太长，最多 2 个字符'),
    ("maxLength 0", {"maxLength": 0}, "a", "'a' is expected to be empty", '"a" 必须为空'),
    (
        "pattern",
        {"pattern": r"^\d{4}$"},
        "12a",
        r"'12a' does not match '^\\d{4}$'",
        r'"12a" 不符合正则表达式 "^\\d{4}$"',
    ),
    (
        "format",
        {"format": "date"},
        "2024-13-45",
        "'2024-13-45' is not a 'date'",
        '"2024-13-45" 不符合 "date" 格式',
    ),
    (
        "format email",
        {"format": "email"},
        "nobody",
        "'nobody' is not a 'email'",
        '"nobody" 不符合 "email" 格式',
    ),
    (
        "minItems",
        {"minItems": 4},
        [1, 2, 3],
        "[1, 2, 3] is too short",
        "[1, 2, 3] 的元素太少，至少要 4 个",
    ),
    ("minItems 1", {"minItems": 1}, [], "[] should be non-empty", "[] 不能为空"),
    (
        "maxItems",
        {"maxItems": 2},
        [1, 2, 3],
        "[1, 2, 3] is too long",
        "[1, 2, 3] 的元素太多，最多 2 个",
    ),
    ("maxItems 0", {"maxItems": 0}, [1], "[1] is expected to be empty", "[1] 必须为空"),
    (
        "uniqueItems",
        {"uniqueItems": True},
        [1, 2, 1],
        "[1, 2, 1] has non-unique elements",
        "[1, 2, 1] 中有重复的元素",
    ),
    (
        "additionalProperties",
        {"properties": {"a": {}}, "additionalProperties": False},
        {"a": 1, "tip": 2},
        "Additional properties are not allowed ('tip' was unexpected)",
        '不允许有额外的属性 "tip"',
    ),
    (
        "additionalProperties, several",
        {"properties": {"a": {}}, "additionalProperties": False},
        {"tip": 2, "a": 1, "备注": 3},
        "Additional properties are not allowed ('tip', '备注' were unexpected)",
        '不允许有额外的属性 "tip"、"备注"',
    ),
    (
        "additionalProperties with patternProperties",
        {"patternProperties": {"^x_": {}}, "additionalProperties": False},
        {"x_a": 1, "tip": 2},
        "'tip' does not match any of the regexes: '^x_'",
        '属性名 "tip" 不匹配任何一个允许的正则表达式："^x_"',
    ),
    (
        "additionalProperties with patternProperties, several",
        {"patternProperties": {"^y_": {}, "^x_": {}}, "additionalProperties": False},
        {"tip": 2, "b": 1},
        "'b', 'tip' do not match any of the regexes: '^x_', '^y_'",
        '属性名 "b"、"tip" 不匹配任何一个允许的正则表达式："^x_"、"^y_"',
    ),
    (
        "minProperties",
        {"minProperties": 2},
        {"a": 1},
        "{'a': 1} does not have enough properties",
        '{"a": 1} 的属性太少，至少要 2 个',
    ),
    ("minProperties 1", {"minProperties": 1}, {}, "{} should be non-empty", "{} 不能为空"),
    (
        "maxProperties",
        {"maxProperties": 1},
        {"a": 1, "b": True},
        "{'a': 1, 'b': True} has too many properties",
        '{"a": 1, "b": true} 的属性太多，最多 1 个',
    ),
    (
        "maxProperties 0",
        {"maxProperties": 0},
        {"a": 1},
        "{'a': 1} is expected to be empty",
        '{"a": 1} 必须为空',
    ),
    (
        "anyOf",
        {"anyOf": [{"type": "string"}, {"type": "number"}]},
        None,
        "None is not valid under any of the given schemas",
        "null 不符合任何一种允许的结构",
    ),
    (
        "oneOf, none",
        {"oneOf": [{"type": "string"}, {"type": "number"}]},
        None,
        "None is not valid under any of the given schemas",
        "null 不符合任何一种允许的结构",
    ),
    (
        "oneOf, several",
        {"oneOf": [{"type": "number"}, {"type": "string"}, {"minimum": 0}]},
        3,
        "3 is valid under each of {'minimum': 0}, {'type': 'number'}",
        "3 同时符合多种结构，但只能符合其中一种",
    ),
    (
        "multipleOf",
        {"multipleOf": 0.5},
        1.2,
        "1.2 is not a multiple of 0.5",
        "1.2 不是 0.5 的整数倍",
    ),
    (
        "not",
        {"not": {"type": "null"}},
        None,
        "None should not be valid under {'type': 'null'}",
        'null 不应符合结构 {"type": "null"}',
    ),
    (
        "false schema",
        {"properties": {"x": False}},
        {"x": 1},
        "False schema does not allow 1",
        "此处不允许有任何值，却出现了 1",
    ),
    (
        "no wording of its own: dependentRequired",
        {"dependentRequired": {"a": ["b"]}},
        {"a": 1},
        "'b' is a dependency of 'a'",
        '{"a": 1} 不满足 "dependentRequired" 约束',
    ),
    (
        "no wording of its own: items false",
        {"prefixItems": [{}], "items": False},
        [1, 2, 3],
        "Expected at most 1 item but found 2 extra: [2, 3]",
        '[1, 2, 3] 不满足 "items" 约束',
    ),
]


@pytest.mark.parametrize(
    ("schema", "value", "english", "chinese"),
    [case[1:] for case in KEYWORD_CASES],
    ids=[case[0] for case in KEYWORD_CASES],
)
def test_each_keyword_is_worded_in_both_languages(
    schema: dict[str, Any], value: Any, english: str, chinese: str
) -> None:
    (error,) = validate(value, schema)
    assert (error.path, error.text("en"), error.text("zh")) == ("$", english, chinese)
    assert error.message == english
    # The English wording is jsonschema's own, so English messages read as they always have.
    assert error.detail == english


def test_errors_keep_their_facts() -> None:
    errors = validate({"total": "abc", "tip": 1}, SCHEMA)
    assert errors == [
        SchemaError(
            "$",
            "required",
            {"total": "abc", "tip": 1},
            "items",
            detail="'items' is a required property",
        ),
        SchemaError(
            "$",
            "additionalProperties",
            {"total": "abc", "tip": 1},
            None,
            ["tip"],
            "Additional properties are not allowed ('tip' was unexpected)",
        ),
        SchemaError("$.total", "type", "abc", "number", detail="'abc' is not of type 'number'"),
    ]


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "$.items[0].amount: -1 is less than the minimum of 0"),
        ("zh", "$.items[0].amount：-1 小于最小值 0"),
    ],
)
def test_an_error_line_leads_with_its_path(language: str, line: str) -> None:
    (error,) = validate({"total": 1, "items": [{"name": "a", "amount": -1}]}, SCHEMA)
    assert error.line(language) == line


def test_an_unknown_language_is_refused() -> None:
    (error,) = validate("abc", {"type": "number"})
    with pytest.raises(ValueError, match="language must be one of en, zh; got 'fr'"):
        error.text("fr")


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"type": "numbr"},
            "invalid JSON Schema at $.type: 'numbr' is not valid under any of the given schemas",
        ),
        (
            {"properties": {"a": {"minimum": "x"}}},
            "invalid JSON Schema at $.properties.a.minimum: 'x' is not of type 'number'",
        ),
        ({"required": "a"}, "invalid JSON Schema at $.required: 'a' is not of type 'array'"),
    ],
)
def test_invalid_schema_raises_naming_the_problem(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        validate({}, schema)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ((), "$"),
        (("items", 2, "amount"), "$.items[2].amount"),
        (("a b", 0), '$["a b"][0]'),
        (("商户",), "$.商户"),
    ],
)
def test_json_path(parts: tuple[str | int, ...], path: str) -> None:
    assert json_path(parts) == path


TYPE_ERROR = SchemaError("$.total", "type", "abc", "number")
REQUIRED = SchemaError("$", "required", {}, "total")
MINIMUM = SchemaError("$.tax", "minimum", -1, 0)


@pytest.mark.parametrize(
    ("errors", "english", "chinese"),
    [
        ([], "valid", "有效"),
        (
            [TYPE_ERROR],
            "1 error: $.total: 'abc' is not of type 'number'",
            '1 个错误：$.total："abc" 不是数字',
        ),
        (
            [REQUIRED, MINIMUM],
            "2 errors: $: 'total' is a required property; $.tax: -1 is less than the minimum of 0",
            '2 个错误：$：缺少必需的属性 "total"；$.tax：-1 小于最小值 0',
        ),
        (
            [replace(MINIMUM, path=f"$[{i}]") for i in range(7)],
            "7 errors: $[0]: -1 is less than the minimum of 0; $[1]: -1 is less than the minimum"
            " of 0; $[2]: -1 is less than the minimum of 0; $[3]: -1 is less than the minimum of"
            " 0; $[4]: -1 is less than the minimum of 0; and 2 more",
            "7 个错误：$[0]：-1 小于最小值 0；$[1]：-1 小于最小值 0；$[2]：-1 小于最小值 0；"
            "$[3]：-1 小于最小值 0；$[4]：-1 小于最小值 0；另有 2 个",
        ),
    ],
)
def test_summarize(errors: list[SchemaError], english: str, chinese: str) -> None:
    assert summarize(errors) == english
    assert summarize(errors, language="zh") == chinese
