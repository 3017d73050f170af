"""Preset files: the real ones load and are well-formed; broken ones name the file and key."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from workbench.answers.checks import CHECKS
from workbench.engines.base import DEFAULT_MAX_NEW_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P
from workbench.prompts.presets import (
    PRESETS_DIR,
    GenerationDefaults,
    PresetError,
    PresetFile,
    load_all,
    load_presets,
    slug,
)

SCHEMA_FILES = sorted(path.name for path in PRESETS_DIR.glob("*.schema.json"))
REAL = {path.stem: load_presets(path) for path in sorted(PRESETS_DIR.glob("*.toml"))}
ALL_PRESETS = [
    pytest.param(preset, id=f"{name}/{preset.name}")
    for name, file in REAL.items()
    for preset in file.presets
]
STRUCTURED = [param for param in ALL_PRESETS if param.values[0].structured]


# --- The real preset files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "schema", "check"),
    [
        ("receipts", "receipt.schema.json", "receipt"),
        ("screenshots", "screenshot.schema.json", "screenshot"),
        ("homework", "homework.schema.json", "homework"),
        ("gauges", "gauge.schema.json", "gauge"),
    ],
)
def test_real_file_loads(name: str, schema: str, check: str) -> None:
    presets = REAL[name]
    assert len(presets.presets) >= 4
    assert len(set(presets.names)) == len(presets.names)
    assert any(
        preset.schema_file == schema and preset.checks == (check,) for preset in presets.presets
    )
    assert any(not preset.structured for preset in presets.presets), "needs a free-text preset"


def test_load_all_real_files() -> None:
    loaded = load_all()
    assert list(loaded) == ["gauges", "homework", "receipts", "screenshots"]
    assert all(isinstance(result, PresetFile) for result in loaded.values())


@pytest.mark.parametrize("preset", ALL_PRESETS)
def test_preset_has_both_languages(preset: Any) -> None:
    english, chinese = preset.prompt("en"), preset.prompt("zh")
    assert all(text.strip() for text in (*english, *chinese))
    assert english != chinese
    assert any("\u4e00" <= char <= "\u9fff" for char in "".join(chinese))
    assert set(preset.checks) <= set(CHECKS)


@pytest.mark.parametrize(
    ("tab", "name", "budget"),
    [
        ("screenshots", "Locate an element", (1024, 2048)),  # grounding: boxes
        ("receipts", "Extract all fields", (1024, 2048)),  # small print
        ("homework", "Transcribe the problem", (1024, 2048)),  # exponents and indices
        ("gauges", "Read the value", (256, 768)),  # a needle and large numbers
        ("receipts", "Summarise for an expense report", None),  # the device's budget
    ],
)
def test_real_visual_budgets(tab: str, name: str, budget: tuple[int, int] | None) -> None:
    assert REAL[tab].get(name).generation.visual_tokens == budget


def test_every_screenshot_preset_with_boxes_asks_for_the_grounding_budget() -> None:
    for preset in REAL["screenshots"].presets:
        if preset.structured:  # screenshot.schema.json: every issue and element has a box
            assert preset.generation.visual_tokens == (1024, 2048), preset.name


@pytest.mark.parametrize("preset", STRUCTURED)
@pytest.mark.parametrize("language", ["en", "zh"])
def test_structured_prompt_names_every_field(preset: Any, language: str) -> None:
    system, _ = preset.prompt(language)
    assert "JSON" in system
    for field in preset.schema["properties"]:
        assert f'"{field}"' in system, f"{field} not named in the {language} prompt"
    if "bbox_2d" in json.dumps(preset.schema):
        assert '"bbox_2d"' in system
        assert "[x1, y1, x2, y2]" in system
        assert "1000" in system


def test_prompt_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        REAL["receipts"].presets[0].prompt("fr")


def test_presets_are_frozen_and_hashable() -> None:
    preset = REAL["receipts"].presets[0]
    with pytest.raises(ValidationError, match="frozen"):
        preset.name = "Renamed"
    assert len({preset, *REAL["receipts"].presets}) == len(REAL["receipts"].presets)


def test_get_by_name() -> None:
    receipts = REAL["receipts"]
    assert receipts.get("Extract all fields") is receipts.presets[0]
    with pytest.raises(KeyError):
        receipts.get("No such preset")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Extract all fields", "extract-all-fields"),
        ("  Tax -- check!! ", "tax-check"),
        ("Grade step_by_step", "grade-step-by-step"),
        ("Chinese VAT invoice (增值税发票)", "chinese-vat-invoice-增值税发票"),
        ("VERIFY Totals", "verify-totals"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def _bills(*names: str) -> PresetFile:
    """Return a "bills" tab whose presets are the first real one under these names."""
    first = REAL["receipts"].presets[0]
    presets = tuple(first.model_copy(update={"name": name}) for name in names)
    return PresetFile(path=Path("presets/bills.toml"), presets=presets)


def test_slugs_in_file_order() -> None:
    assert _bills("Tax check", "Find discounts (折扣)").slugs == (
        "tax-check",
        "find-discounts-折扣",
    )


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Tax check", "Tax check"),
        ("tax check", "Tax check"),
        ("TAX-CHECK", "Tax check"),
        ("tax_check!", "Tax check"),
        ("find discounts (折扣)", "Find discounts (折扣)"),
        ("find-discounts-折扣", "Find discounts (折扣)"),
    ],
)
def test_find_by_name_any_case_or_slug(name: str, found: str) -> None:
    assert _bills("Tax check", "Find discounts (折扣)").find(name).name == found


@pytest.mark.parametrize(
    ("names", "asked", "message"),
    [
        (
            ("Tax check", "Find discounts (折扣)"),
            "vat",
            "bills has no preset called 'vat'; its presets: tax-check, find-discounts-折扣",
        ),
        (
            ("Tax check", "Tax-check"),
            "TAX CHECK",
            "bills has more than one preset called 'TAX CHECK'; its presets: tax-check, tax-check",
        ),
    ],
)
def test_find_names_the_tab_and_its_presets(names: tuple, asked: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        _bills(*names).find(asked)
    assert str(error.value) == message


def test_find_prefers_the_exact_name_to_a_shared_slug() -> None:
    assert _bills("Tax check", "Tax-check").find("Tax-check").name == "Tax-check"


# --- The JSON Schemas ------------------------------------------------------------------------


@pytest.mark.parametrize("schema_file", SCHEMA_FILES)
def test_schema_is_valid_and_bounded(schema_file: str) -> None:
    schema = json.loads((PRESETS_DIR / schema_file).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    unbounded = list(_unbounded(schema, "$"))
    assert unbounded == [], "constrained decoding needs maxLength/maxItems/closed objects"


def _unbounded(schema: dict[str, Any], where: str):
    """Yield the places where a generated document could grow without end."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "string" in types and "maxLength" not in schema and "enum" not in schema:
        yield f"{where}: string without maxLength"
    # xgrammar bounds a number's digits only when both ends of its range are given.
    if {"number", "integer"} & set(types) and not {"minimum", "maximum"} <= set(schema):
        yield f"{where}: number without minimum and maximum"
    if "array" in types:
        if "maxItems" not in schema:
            yield f"{where}: array without maxItems"
        yield from _unbounded(schema["items"], f"{where}[]")
    if "object" in types:
        if schema.get("additionalProperties") is not False:
            yield f"{where}: object open to extra properties"
        if set(schema.get("required", [])) != set(schema["properties"]):
            yield f"{where}: optional properties"
        for key, sub in schema["properties"].items():
            yield from _unbounded(sub, f"{where}.{key}")


RECEIPT = {
    "merchant": "Corner Café",
    "date": "2024-03-15",
    "currency": "USD",
    "items": [
        {"name": "Latte", "qty": 2, "unit_price": 4.5, "amount": 9.0},
        {"name": "Bagel", "qty": 1, "unit_price": 3.25, "amount": 3.25},
    ],
    "discounts": [{"description": "Loyalty", "amount": 1.0}],
    "subtotal": 12.25,
    "tax_rate": 8.0,
    "tax": 0.9,
    "total": 12.15,
}
SCREENSHOT = {
    "issues": [
        {"kind": "truncation", "description": "Button label cut off", "bbox_2d": [10, 20, 300, 80]}
    ],
    "elements": [{"label": "button", "text": "Continue to chec…", "bbox_2d": [10, 20, 300, 80]}],
}
HOMEWORK = {
    "problem": "Solve 2x + 3 = 11.",
    "steps": [
        {"text": "2x = 8", "verdict": "correct", "reason": "Subtracted 3 from both sides."},
        {"text": "x = 4", "verdict": "correct", "reason": "Divided by 2."},
    ],
    "final_answer": "4",
    "correct": True,
}
GAUGE = {
    "value": 4.2,
    "unit": "bar",
    "scale_min": 0,
    "scale_max": 10,
    "confidence": 0.85,
    "bbox_2d": [400, 300, 520, 420],
}


def _changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of `document` with the dotted `path` set to `value` (DELETE removes it)."""
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    target: Any = result
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return result


DELETE = object()


@pytest.mark.parametrize(
    ("schema_file", "document"),
    [
        ("receipt.schema.json", RECEIPT),
        ("receipt.schema.json", _changed(RECEIPT, "date", None)),
        ("receipt.schema.json", _changed(RECEIPT, "tax_rate", None)),
        ("receipt.schema.json", _changed(RECEIPT, "discounts", [])),
        ("screenshot.schema.json", SCREENSHOT),
        ("screenshot.schema.json", {"issues": [], "elements": []}),
        ("homework.schema.json", HOMEWORK),
        ("homework.schema.json", _changed(HOMEWORK, "steps.1.verdict", "incorrect")),
        ("gauge.schema.json", GAUGE),
        ("gauge.schema.json", _changed(GAUGE, "unit", "")),
    ],
)
def test_schema_accepts(schema_file: str, document: dict[str, Any]) -> None:
    assert _errors(schema_file, document) == []


@pytest.mark.parametrize(
    ("schema_file", "document", "error_path"),
    [
        ("receipt.schema.json", _changed(RECEIPT, "total", DELETE), "$"),
        ("receipt.schema.json", _changed(RECEIPT, "total", "12.15"), "$.total"),
        ("receipt.schema.json", _changed(RECEIPT, "date", "15/03/2024"), "$.date"),
        ("receipt.schema.json", _changed(RECEIPT, "currency", "usd"), "$.currency"),
        ("receipt.schema.json", _changed(RECEIPT, "currency", "$"), "$.currency"),
        ("receipt.schema.json", _changed(RECEIPT, "tax_rate", 800), "$.tax_rate"),
        (
            "receipt.schema.json",
            _changed(RECEIPT, "discounts.0.amount", -1.0),
            "$.discounts[0].amount",
        ),
        ("receipt.schema.json", _changed(RECEIPT, "items.0.sku", "123"), "$.items[0]"),
        ("receipt.schema.json", _changed(RECEIPT, "items", [RECEIPT["items"][0]] * 31), "$.items"),
        ("receipt.schema.json", _changed(RECEIPT, "merchant", "x" * 201), "$.merchant"),
        (
            "screenshot.schema.json",
            _changed(SCREENSHOT, "issues.0.kind", "ugly"),
            "$.issues[0].kind",
        ),
        (
            "screenshot.schema.json",
            _changed(SCREENSHOT, "issues.0.bbox_2d", [1, 2, 3]),
            "$.issues[0].bbox_2d",
        ),
        (
            "screenshot.schema.json",
            _changed(SCREENSHOT, "elements.0.bbox_2d.2", 1001),
            "$.elements[0].bbox_2d[2]",
        ),
        (
            "screenshot.schema.json",
            _changed(SCREENSHOT, "elements.0.bbox_2d.0", 10.5),
            "$.elements[0].bbox_2d[0]",
        ),
        ("screenshot.schema.json", _changed(SCREENSHOT, "elements", DELETE), "$"),
        (
            "homework.schema.json",
            _changed(HOMEWORK, "steps.0.verdict", "partly"),
            "$.steps[0].verdict",
        ),
        ("homework.schema.json", _changed(HOMEWORK, "correct", "yes"), "$.correct"),
        ("homework.schema.json", _changed(HOMEWORK, "score", 10), "$"),
        ("gauge.schema.json", _changed(GAUGE, "confidence", 1.5), "$.confidence"),
        ("gauge.schema.json", _changed(GAUGE, "value", "4.2 bar"), "$.value"),
        ("gauge.schema.json", _changed(GAUGE, "bbox_2d", [0, 0, 1000, 1000, 0]), "$.bbox_2d"),
    ],
)
def test_schema_rejects(schema_file: str, document: dict[str, Any], error_path: str) -> None:
    assert error_path in _errors(schema_file, document)


def _errors(schema_file: str, document: dict[str, Any]) -> list[str]:
    schema = json.loads((PRESETS_DIR / schema_file).read_text(encoding="utf-8"))
    return [error.json_path for error in Draft202012Validator(schema).iter_errors(document)]


# --- Broken preset files ---------------------------------------------------------------------

VALID_TOML = """\
[[presets]]
name = "Structured"
system = "Answer with ONLY a JSON object."
question = "Read it."
schema = "thing.schema.json"
checks = ["gauge"]

[presets.generation]
temperature = 0.2
top_p = 0.8
max_new_tokens = 256

[presets.zh]
system = "只输出一个 JSON 对象。"
question = "读一下。"

[[presets]]
name = "Free text"
system = "Explain."
question = "What is wrong?"

[presets.zh]
system = "解释。"
question = "哪里错了？"
"""
GENERATION = VALID_TOML[VALID_TOML.index("checks") : VALID_TOML.index("[presets.zh]")]
ZH = VALID_TOML[VALID_TOML.rindex("[presets.zh]") :]
VALID_SCHEMA = '{"type": "object", "properties": {"value": {"type": "number"}}}'


def _write(directory: Path, toml: str, schema: str | None = VALID_SCHEMA) -> Path:
    path = directory / "tab.toml"
    path.write_text(toml, encoding="utf-8")
    if schema is not None:
        (directory / "thing.schema.json").write_text(schema, encoding="utf-8")
    return path


def test_valid_test_file_loads(tmp_path: Path) -> None:
    presets = load_presets(_write(tmp_path, VALID_TOML))
    structured, free = presets.presets
    assert presets.path == tmp_path / "tab.toml"
    assert structured.schema == json.loads(VALID_SCHEMA)
    assert structured.schema_file == "thing.schema.json"
    assert structured.checks == ("gauge",)
    assert structured.generation == GenerationDefaults(
        temperature=0.2, top_p=0.8, max_new_tokens=256
    )
    assert structured.prompt("zh") == ("只输出一个 JSON 对象。", "读一下。")
    assert (free.schema, free.schema_file, free.checks) == (None, None, ())
    assert free.generation == GenerationDefaults()


def test_generation_defaults_come_from_the_engine() -> None:
    defaults = GenerationDefaults()
    assert (defaults.temperature, defaults.top_p, defaults.max_new_tokens) == (
        DEFAULT_TEMPERATURE,
        DEFAULT_TOP_P,
        DEFAULT_MAX_NEW_TOKENS,
    )
    assert defaults.visual_tokens is None


def test_text_is_stripped(tmp_path: Path) -> None:
    toml = VALID_TOML.replace('system = "Explain."', "system = '''\nExplain.\n'''")
    assert load_presets(_write(tmp_path, toml)).get("Free text").system == "Explain."


@pytest.mark.parametrize(
    ("value", "budget"),
    [("[1024, 2048]", (1024, 2048)), ("[1, 1]", (1, 1)), ("[16384, 16384]", (16384, 16384))],
)
def test_visual_tokens_key(tmp_path: Path, value: str, budget: tuple[int, int]) -> None:
    toml = VALID_TOML.replace(
        "max_new_tokens = 256", f"max_new_tokens = 256\nvisual_tokens = {value}"
    )
    structured, free = load_presets(_write(tmp_path, toml)).presets
    assert structured.generation == GenerationDefaults(
        temperature=0.2, top_p=0.8, max_new_tokens=256, visual_tokens=budget
    )
    assert free.generation.visual_tokens is None


# Each case: the text replaced in VALID_TOML, its replacement, and the message after "<file>: ".
BROKEN = {
    "unknown-top-key": ("[[presets]]", "mode = 1\n\n[[presets]]", "mode: unknown key"),
    # The tab's title lives in its tab module, not in the preset file.
    "title-is-unknown": (
        "[[presets]]",
        'title = "Test tab"\n\n[[presets]]',
        "title: unknown key",
    ),
    "unknown-preset-key": (
        'name = "Free text"',
        'name = "Free text"\nschemas = "x"',
        "presets[1].schemas: unknown key",
    ),
    # The file's key is `schema`; `schema_file` is only the Python attribute's name.
    "schema-file-key": (
        'schema = "thing.schema.json"',
        'schema_file = "thing.schema.json"',
        "presets[0].schema_file: unknown key",
    ),
    "unknown-generation-key": (
        "temperature = 0.2",
        "tempreature = 0.2",
        "presets[0].generation.tempreature: unknown key",
    ),
    "unknown-quoted-key": (
        "temperature = 0.2",
        '"max-new-tokens" = 5',
        'presets[0].generation["max-new-tokens"]: unknown key',
    ),
    "unknown-zh-key": (
        'question = "哪里错了？"',
        'question = "哪里错了？"\nname = "x"',
        "presets[1].zh.name: unknown key",
    ),
    "missing-presets": (VALID_TOML, "", "presets: missing required key"),
    "missing-question": (
        'question = "What is wrong?"',
        "",
        "presets[1].question: missing required key",
    ),
    "missing-zh": (ZH, "", "presets[1].zh: missing required key"),
    "missing-zh-system": ('system = "解释。"', "", "presets[1].zh.system: missing required key"),
    "blank-system": ('system = "Explain."', 'system = " "', "presets[1].system: must not be blank"),
    "blank-zh-question": (
        'question = "哪里错了？"',
        "question = '''\n\n'''",
        "presets[1].zh.question: must not be blank",
    ),
    "name-not-string": (
        'name = "Free text"',
        "name = 3",
        "presets[1].name: expected a string, got an integer",
    ),
    "schema-not-string": (
        'schema = "thing.schema.json"',
        "schema = true",
        "presets[0].schema: expected a string, got a boolean",
    ),
    "presets-not-array": (
        VALID_TOML,
        'presets = "all"',
        "presets: expected an array, got a string",
    ),
    "presets-empty": (VALID_TOML, "presets = []", "presets: needs at least one preset"),
    "preset-not-table": (
        VALID_TOML,
        "presets = [1]",
        "presets[0]: expected a table, got an integer",
    ),
    "zh-not-table": (ZH, 'zh = "解释。"', "presets[1].zh: expected a table, got a string"),
    "checks-not-array": (
        'checks = ["gauge"]',
        'checks = "gauge"',
        "presets[0].checks: expected an array, got a string",
    ),
    "check-not-string": (
        'checks = ["gauge"]',
        "checks = [1]",
        "presets[0].checks[0]: expected a string, got an integer",
    ),
    "generation-not-table": (
        GENERATION,
        'checks = ["gauge"]\ngeneration = 1\n',
        "presets[0].generation: expected a table, got an integer",
    ),
    "temperature-is-string": (
        "temperature = 0.2",
        'temperature = "low"',
        "presets[0].generation.temperature: expected a number, got a string",
    ),
    "temperature-is-bool": (
        "temperature = 0.2",
        "temperature = false",
        "presets[0].generation.temperature: expected a number, got a boolean",
    ),
    "tokens-is-float": (
        "max_new_tokens = 256",
        "max_new_tokens = 256.0",
        "presets[0].generation.max_new_tokens: expected an integer, got a float",
    ),
    "tokens-is-bool": (
        "max_new_tokens = 256",
        "max_new_tokens = true",
        "presets[0].generation.max_new_tokens: expected an integer, got a boolean",
    ),
    "duplicate-name": (
        'name = "Free text"',
        'name = "Structured"',
        "presets[1].name: duplicate name 'Structured' (see presets[0])",
    ),
    "unknown-check": (
        'checks = ["gauge"]',
        'checks = ["gauge", "reciept"]',
        "presets[0].checks[1]: unknown check 'reciept'"
        " (known: receipt, gauge, homework, screenshot, vat_invoice)",
    ),
    "repeated-check": (
        'checks = ["gauge"]',
        'checks = ["gauge", "gauge"]',
        "presets[0].checks[1]: check 'gauge' listed twice",
    ),
    "checks-without-schema": (
        'schema = "thing.schema.json"\n',
        "",
        "presets[0].checks: domain checks need a schema",
    ),
    "temperature-too-high": (
        "temperature = 0.2",
        "temperature = 2.5",
        "presets[0].generation.temperature: 2.5 is outside 0 to 2",
    ),
    "temperature-negative": (
        "temperature = 0.2",
        "temperature = -0.1",
        "presets[0].generation.temperature: -0.1 is outside 0 to 2",
    ),
    "top-p-zero": (
        "top_p = 0.8",
        "top_p = 0",
        "presets[0].generation.top_p: 0.0 is outside (0, 1]",
    ),
    "top-p-above-one": (
        "top_p = 0.8",
        "top_p = 1.01",
        "presets[0].generation.top_p: 1.01 is outside (0, 1]",
    ),
    "tokens-zero": (
        "max_new_tokens = 256",
        "max_new_tokens = 0",
        "presets[0].generation.max_new_tokens: 0 is outside 1 to 8192",
    ),
    "tokens-too-many": (
        "max_new_tokens = 256",
        "max_new_tokens = 8193",
        "presets[0].generation.max_new_tokens: 8193 is outside 1 to 8192",
    ),
    "visual-tokens-typo": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_token = [1024, 2048]",
        "presets[0].generation.visual_token: unknown key",
    ),
    "visual-tokens-not-array": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = 2048",
        "presets[0].generation.visual_tokens: expected an array, got an integer",
    ),
    "visual-tokens-table": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = { min = 1024, max = 2048 }",
        "presets[0].generation.visual_tokens: expected an array, got a table",
    ),
    "visual-tokens-one-value": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [2048]",
        "presets[0].generation.visual_tokens: expected [min, max], got an array of 1",
    ),
    "visual-tokens-three-values": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [256, 1024, 2048]",
        "presets[0].generation.visual_tokens: expected [min, max], got an array of 3",
    ),
    "visual-tokens-float": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [1024.0, 2048]",
        "presets[0].generation.visual_tokens[0]: expected an integer, got a float",
    ),
    "visual-tokens-string": (
        "max_new_tokens = 256",
        'max_new_tokens = 256\nvisual_tokens = [1024, "2048"]',
        "presets[0].generation.visual_tokens[1]: expected an integer, got a string",
    ),
    "visual-tokens-bool": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [true, 2048]",
        "presets[0].generation.visual_tokens[0]: expected an integer, got a boolean",
    ),
    "visual-tokens-min-above-max": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [2048, 1024]",
        "presets[0].generation.visual_tokens: [2048, 1024] needs 1 <= min <= max <= 16384",
    ),
    "visual-tokens-zero": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [0, 1024]",
        "presets[0].generation.visual_tokens: [0, 1024] needs 1 <= min <= max <= 16384",
    ),
    "visual-tokens-too-many": (
        "max_new_tokens = 256",
        "max_new_tokens = 256\nvisual_tokens = [1024, 16385]",
        "presets[0].generation.visual_tokens: [1024, 16385] needs 1 <= min <= max <= 16384",
    ),
    "missing-schema-file": (
        '"thing.schema.json"',
        '"nothing.schema.json"',
        "presets[0].schema: schema file nothing.schema.json not found",
    ),
    "schema-outside-folder": (
        '"thing.schema.json"',
        '"../thing.schema.json"',
        "presets[0].schema: '../thing.schema.json' is not a file name beside the preset file",
    ),
}


@pytest.mark.parametrize(("old", "new", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_file_names_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in VALID_TOML
    path = _write(tmp_path, VALID_TOML.replace(old, new, 1))
    with pytest.raises(PresetError) as caught:
        load_presets(path)
    assert str(caught.value) == f"{path}: {message}"
    assert caught.value.path == path
    assert message == f"{caught.value.where}: {caught.value.problem}"


# Schema locations are JSONPath, as in the answer validator's errors ($.items[0].amount).
@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        pytest.param(
            '{"type": "object",',
            "thing.schema.json is not valid JSON"
            " (line 1: Expecting property name enclosed in double quotes)",
            id="not-json",
        ),
        pytest.param("[1, 2]", "thing.schema.json must hold a JSON object", id="not-an-object"),
        pytest.param(
            '{"type": "objekt"}',
            "thing.schema.json is not a valid JSON Schema"
            " (at $.type: 'objekt' is not valid under any of the given schemas)",
            id="bad-type",
        ),
        pytest.param(
            '{"properties": {"total": {"maxLength": -1}}}',
            "thing.schema.json is not a valid JSON Schema"
            " (at $.properties.total.maxLength: -1 is less than the minimum of 0)",
            id="bad-nested-keyword",
        ),
        pytest.param(
            '{"allOf": [{"type": "object"}, {"required": "total"}]}',
            "thing.schema.json is not a valid JSON Schema"
            " (at $.allOf[1].required: 'total' is not of type 'array')",
            id="bad-keyword-in-array",
        ),
        pytest.param(
            '{"properties": {"unit price": {"minimum": "0"}}}',
            "thing.schema.json is not a valid JSON Schema"
            """ (at $.properties["unit price"].minimum: '0' is not of type 'number')""",
            id="odd-property-name",
        ),
    ],
)
def test_broken_schema_file(tmp_path: Path, schema: str, problem: str) -> None:
    path = _write(tmp_path, VALID_TOML, schema=schema)
    with pytest.raises(PresetError) as caught:
        load_presets(path)
    assert caught.value.where == "presets[0].schema"
    assert caught.value.problem == problem


def test_schema_file_is_read_once_until_it_changes(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID_TOML)
    first = load_presets(path).get("Structured").schema
    assert load_presets(path).get("Structured").schema is first
    (tmp_path / "thing.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    assert load_presets(path).get("Structured").schema == {"type": "object"}


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        pytest.param("top_p = 0.8", "top_p = ", 10, id="missing-value"),
        pytest.param('name = "Free text"', 'name = "Free text', 18, id="unclosed-string"),
        pytest.param(
            'name = "Free text"', 'name = "Free text"\nname = "Again"', 19, id="duplicate-key"
        ),
    ],
)
def test_bad_toml_names_the_line(tmp_path: Path, old: str, new: str, line: int) -> None:
    path = _write(tmp_path, VALID_TOML.replace(old, new, 1))
    with pytest.raises(PresetError) as caught:
        load_presets(path)
    assert caught.value.where == f"line {line}"
    assert str(caught.value).startswith(f"{path}: line {line}: invalid TOML (")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PresetError, match=r"absent\.toml: file not found$"):
        load_presets(tmp_path / "absent.toml")


def test_error_inside_repo_names_the_relative_path() -> None:
    error = PresetError(PRESETS_DIR / "receipts.toml", "presets[2].name", "must not be blank")
    assert str(error) == "presets/receipts.toml: presets[2].name: must not be blank"


def test_load_all_isolates_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(VALID_TOML, encoding="utf-8")
    (tmp_path / "thing.schema.json").write_text(VALID_SCHEMA, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(
        VALID_TOML.replace("top_p = 0.8", "top_p = 7"), encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a preset file", encoding="utf-8")
    loaded = load_all(tmp_path)
    assert list(loaded) == ["bad", "good"]
    assert isinstance(loaded["good"], PresetFile)
    assert loaded["good"].names == ("Structured", "Free text")
    assert isinstance(loaded["bad"], PresetError)
    assert str(loaded["bad"]).endswith(
        "bad.toml: presets[0].generation.top_p: 7.0 is outside (0, 1]"
    )


def test_load_all_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert load_all(tmp_path / "absent") == {}
