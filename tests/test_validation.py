"""Schema validation: errors with readable paths and messages, in a stable order."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.validation import SchemaError, json_path, summarize, validate

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
    ("wrong type", {"total": "abc", "items": []}, [("$.total", "'abc' is not of type 'number'")]),
    ("missing key", {"items": []}, [("$", "'total' is a required property")]),
    (
        "unexpected key",
        {"total": 1, "items": [], "tip": 2},
        [("$", "Additional properties are not allowed ('tip' was unexpected)")],
    ),
    (
        "nested paths, items[2] before items[10], then by message",
        {"total": 1, "items": [{"name": "a"}] * 2 + [{"name": 1, "amount": -1}] + [{}] * 8},
        [
            ("$.items[2].amount", "-1 is less than the minimum of 0"),
            ("$.items[2].name", "1 is not of type 'string'"),
            *[(f"$.items[{i}]", "'name' is a required property") for i in range(3, 11)],
        ],
    ),
    (
        "format is checked",
        {"total": 1, "items": [], "date": "2024-13-45"},
        [("$.date", "'2024-13-45' is not a 'date'")],
    ),
    (
        "odd keys, enums and lengths",
        {"total": 1, "items": [], "a b": 1.5, "verdict": "maybe", "bbox_2d": [1, 2, 3]},
        [
            ('$["a b"]', "1.5 is not of type 'integer'"),
            ("$.bbox_2d", "[1, 2, 3] is too short"),
            ("$.verdict", "'maybe' is not one of ['correct', 'incorrect']"),
        ],
    ),
    ("not an object", [1], [("$", "[1] is not of type 'object'")]),
    (
        "a long quoted value is cut, the reason kept",
        {"total": list(range(100)), "items": []},
        [
            (
                "$.total",
                "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, …"
                " is not of type 'number'",
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("value", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_validate(value: Any, expected: list[tuple[str, str]]) -> None:
    assert validate(value, SCHEMA) == [SchemaError(path, message) for path, message in expected]


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


@pytest.mark.parametrize(
    ("errors", "summary"),
    [
        ([], "valid"),
        (
            [SchemaError("$.total", "'abc' is not of type 'number'")],
            "1 error: $.total: 'abc' is not of type 'number'",
        ),
        (
            [SchemaError("$", "'total' is a required property"), SchemaError("$.tax", "x")],
            "2 errors: $: 'total' is a required property; $.tax: x",
        ),
        (
            [SchemaError(f"$[{i}]", "bad") for i in range(7)],
            "7 errors: $[0]: bad; $[1]: bad; $[2]: bad; $[3]: bad; $[4]: bad; and 2 more",
        ),
    ],
)
def test_summarize(errors: list[SchemaError], summary: str) -> None:
    assert summarize(errors) == summary
