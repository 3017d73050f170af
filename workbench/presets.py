"""Prompt presets: one TOML file per tab, read strictly into frozen dataclasses.

File format (`presets/<tab>.toml`; JSON Schemas sit beside it in the same folder)::

    title = "Receipts & invoices"        # required: the tab's title

    [[presets]]                           # one or more; names unique within the file
    name = "Extract all fields"           # required: shown in the preset dropdown
    system = "You are ..."                # required: the system prompt, English
    question = "Extract ..."              # required: fills the (editable) question box, English
    schema = "receipt.schema.json"        # optional: a file name in the same folder; the answer
                                          #   must be JSON valid against it (Draft 2020-12)
    checks = ["receipt"]                  # optional, needs `schema`: domain checks to run, from
                                          #   receipt, gauge, homework, screenshot

    [presets.generation]                  # optional; every key optional
    temperature = 0.1                     # 0 to 2             (default 0.7)
    top_p = 0.8                           # above 0, up to 1   (default 0.8)
    max_new_tokens = 2048                 # 1 to 8192          (default 1024)
    visual_tokens = [1024, 2048]          # [min, max] visual tokens per image (one = 32×32 px),
                                          #   1 <= min <= max <= 16384 (default: the device's
                                          #   budget; on a CPU the tab caps the max at it)

    [presets.zh]                          # required: the same prompt in Chinese
    system = "你是……"
    question = "……"

Prompts are plain text: nothing is substituted into them. JSON keys stay English in both
languages, so one schema serves both. Anything else — an unknown key at any level, a wrong
type, a missing or blank required value, a duplicate name, an unknown check, an out-of-range
generation value, a schema file that is missing, not JSON or not a valid JSON Schema — raises
`PresetError`, whose message names the file and the key: ``presets/receipts.toml:
presets[2].generation.tempreature: unknown key``.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from workbench.budget import MAX_BUDGET, Budget

PRESETS_DIR = Path(__file__).resolve().parent.parent / "presets"
PRESET_FILES = ("receipts", "screenshots", "homework", "gauges")
CHECKS = ("receipt", "gauge", "homework", "screenshot")
LANGUAGES = ("en", "zh")

_TOP_KEYS = {"title": True, "presets": True}  # key -> required
_PRESET_KEYS = {
    "name": True,
    "system": True,
    "question": True,
    "schema": False,
    "checks": False,
    "generation": False,
    "zh": True,
}
_PROMPT_KEYS = {"system": True, "question": True}
_GENERATION_KEYS = {
    "temperature": False,
    "top_p": False,
    "max_new_tokens": False,
    "visual_tokens": False,
}
# tomllib (3.11) only puts the position in the message: "Invalid value (at line 3, column 9)".
_TOML_POSITION = re.compile(r"^(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")


class PresetError(ValueError):
    """A preset file that cannot be used; the message names the file and the key path."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        location = f"{_display(path)}: {where}" if where else _display(path)
        super().__init__(f"{location}: {problem}")


@dataclass(frozen=True)
class GenerationDefaults:
    """Sampling defaults a preset puts into the generation controls."""

    temperature: float = 0.7
    top_p: float = 0.8
    max_new_tokens: int = 1024
    visual_tokens: Budget | None = None  # (min, max) per image; None: the device's budget


@dataclass(frozen=True)
class PromptText:
    """A system prompt and a default question in one language."""

    system: str
    question: str


@dataclass(frozen=True)
class Preset:
    """One entry of a tab's preset dropdown."""

    name: str
    system: str
    question: str
    zh: PromptText
    schema: dict[str, Any] | None = field(default=None, hash=False)
    schema_file: str | None = None
    checks: tuple[str, ...] = ()
    generation: GenerationDefaults = GenerationDefaults()

    @property
    def structured(self) -> bool:
        """True when the answer must be JSON valid against `schema`."""
        return self.schema is not None

    def prompt(self, language: str = "en") -> tuple[str, str]:
        """Return (system prompt, default question) in "en" or "zh"."""
        if language == "en":
            return self.system, self.question
        if language == "zh":
            return self.zh.system, self.zh.question
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")


@dataclass(frozen=True)
class PresetFile:
    """A tab's presets, in file order."""

    path: Path
    title: str
    presets: tuple[Preset, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the preset names, in file order."""
        return tuple(preset.name for preset in self.presets)

    def get(self, name: str) -> Preset:
        """Return the preset called `name`; KeyError if there is none."""
        for preset in self.presets:
            if preset.name == name:
                return preset
        raise KeyError(f"{_display(self.path)}: no preset named {name!r}")


def load_presets(path: Path) -> PresetFile:
    """Return the presets in `path`; PresetError if anything in it is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PresetError(path, "", "file not found") from None
    except UnicodeDecodeError as error:
        raise PresetError(path, "", f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise PresetError(path, "", f"cannot read ({error.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(path, error) from None
    return _Reader(path).preset_file(data)


def load_all(
    directory: Path = PRESETS_DIR, names: Iterable[str] = PRESET_FILES
) -> dict[str, PresetFile | PresetError]:
    """Return each `<directory>/<name>.toml` loaded, or the PresetError that stopped it."""
    results: dict[str, PresetFile | PresetError] = {}
    for name in names:
        try:
            results[name] = load_presets(Path(directory) / f"{name}.toml")
        except PresetError as error:
            results[name] = error
    return results


class _Reader:
    """Checks the parsed TOML of one file, raising PresetError at the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._schemas: dict[str, dict[str, Any]] = {}

    def fail(self, where: str, problem: str) -> PresetError:
        return PresetError(self.path, where, problem)

    def preset_file(self, data: dict[str, Any]) -> PresetFile:
        self.keys(data, "", _TOP_KEYS)
        title = self.text(data["title"], "title")
        entries = self.typed(data["presets"], "presets", list)
        if not entries:
            raise self.fail("presets", "needs at least one preset")
        presets: list[Preset] = []
        first_index: dict[str, int] = {}
        for index, entry in enumerate(entries):
            where = f"presets[{index}]"
            preset = self.preset(entry, where)
            if preset.name in first_index:
                earlier = f"presets[{first_index[preset.name]}]"
                raise self.fail(f"{where}.name", f"duplicate name {preset.name!r} (see {earlier})")
            first_index[preset.name] = index
            presets.append(preset)
        return PresetFile(path=self.path, title=title, presets=tuple(presets))

    def preset(self, entry: object, where: str) -> Preset:
        table = self.keys(self.typed(entry, where, dict), where, _PRESET_KEYS)
        schema_file = None
        if "schema" in table:
            schema_file = self.text(table["schema"], f"{where}.schema")
        checks = self.checks(table.get("checks", []), f"{where}.checks")
        if checks and schema_file is None:
            raise self.fail(f"{where}.checks", "domain checks need a schema")
        zh = self.keys(self.typed(table["zh"], f"{where}.zh", dict), f"{where}.zh", _PROMPT_KEYS)
        return Preset(
            name=self.text(table["name"], f"{where}.name"),
            system=self.text(table["system"], f"{where}.system"),
            question=self.text(table["question"], f"{where}.question"),
            zh=PromptText(
                system=self.text(zh["system"], f"{where}.zh.system"),
                question=self.text(zh["question"], f"{where}.zh.question"),
            ),
            schema=None if schema_file is None else self.schema(schema_file, f"{where}.schema"),
            schema_file=schema_file,
            checks=checks,
            generation=self.generation(table.get("generation", {}), f"{where}.generation"),
        )

    def generation(self, value: object, where: str) -> GenerationDefaults:
        table = self.keys(self.typed(value, where, dict), where, _GENERATION_KEYS)
        default = GenerationDefaults()
        temperature = self.number(
            table.get("temperature", default.temperature), f"{where}.temperature"
        )
        top_p = self.number(table.get("top_p", default.top_p), f"{where}.top_p")
        tokens = table.get("max_new_tokens", default.max_new_tokens)
        tokens = self.typed(tokens, f"{where}.max_new_tokens", int)
        if not 0 <= temperature <= 2:
            raise self.fail(f"{where}.temperature", f"{temperature} is outside 0 to 2")
        if not 0 < top_p <= 1:
            raise self.fail(f"{where}.top_p", f"{top_p} is outside (0, 1]")
        if not 1 <= tokens <= 8192:
            raise self.fail(f"{where}.max_new_tokens", f"{tokens} is outside 1 to 8192")
        return GenerationDefaults(
            temperature=temperature,
            top_p=top_p,
            max_new_tokens=tokens,
            visual_tokens=self.budget(table.get("visual_tokens"), f"{where}.visual_tokens"),
        )

    def budget(self, value: object, where: str) -> Budget | None:
        """Return a [min, max] visual-token budget as a tuple (None when not given)."""
        if value is None:
            return None
        pair = self.typed(value, where, list)
        if len(pair) != 2:
            raise self.fail(where, f"expected [min, max], got an array of {len(pair)}")
        low = self.typed(pair[0], f"{where}[0]", int)
        high = self.typed(pair[1], f"{where}[1]", int)
        if not 1 <= low <= high <= MAX_BUDGET:
            raise self.fail(where, f"[{low}, {high}] needs 1 <= min <= max <= {MAX_BUDGET}")
        return low, high

    def checks(self, value: object, where: str) -> tuple[str, ...]:
        names = self.typed(value, where, list)
        for index, name in enumerate(names):
            self.typed(name, f"{where}[{index}]", str)
            if name not in CHECKS:
                raise self.fail(
                    f"{where}[{index}]", f"unknown check {name!r} (known: {', '.join(CHECKS)})"
                )
            if name in names[:index]:
                raise self.fail(f"{where}[{index}]", f"check {name!r} listed twice")
        return tuple(names)

    def schema(self, name: str, where: str) -> dict[str, Any]:
        if name not in self._schemas:
            self._schemas[name] = self._read_schema(name, where)
        return self._schemas[name]

    def _read_schema(self, name: str, where: str) -> dict[str, Any]:
        if Path(name).name != name or name in (".", ".."):
            raise self.fail(where, f"{name!r} is not a file name beside the preset file")
        try:
            text = (self.path.parent / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise self.fail(where, f"schema file {name} not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise self.fail(where, f"cannot read schema file {name} ({error})") from None
        try:
            schema = json.loads(text)
        except json.JSONDecodeError as error:
            problem = f"{name} is not valid JSON (line {error.lineno}: {error.msg})"
            raise self.fail(where, problem) from None
        if not isinstance(schema, dict):
            raise self.fail(where, f"{name} must hold a JSON object")
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            at = ".".join(str(part) for part in error.absolute_path) or "top level"
            problem = f"{name} is not a valid JSON Schema (at {at}: {error.message})"
            raise self.fail(where, problem) from None
        return schema

    def keys(self, table: dict[str, Any], where: str, allowed: dict[str, bool]) -> dict[str, Any]:
        """Return `table` once it has every required key and no unknown one."""
        for key in table:
            if key not in allowed:
                raise self.fail(_join(where, key), "unknown key")
        for key, required in allowed.items():
            if required and key not in table:
                raise self.fail(_join(where, key), "missing required key")
        return table

    def text(self, value: object, where: str) -> str:
        """Return a non-blank string, stripped: TOML's multi-line strings end in a newline."""
        text = self.typed(value, where, str).strip()
        if not text:
            raise self.fail(where, "must not be blank")
        return text

    def number(self, value: object, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(where, f"expected a number, got {_kind(value)}")
        return float(value)

    def typed(self, value: Any, where: str, expected: type) -> Any:
        # bool is an int in Python, but `max_new_tokens = true` is a mistake, not a 1.
        if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
            return value
        raise self.fail(where, f"expected {_KIND_NAMES[expected]}, got {_kind(value)}")


_KIND_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "a table"}


def _kind(value: object) -> str:
    """Return the TOML name of a parsed value's type."""
    for kind, name in ((bool, "a boolean"), (float, "a float"), *_KIND_NAMES.items()):
        if isinstance(value, kind):
            return name
    return "a date/time"


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _display(path: Path) -> str:
    """Return `path` relative to the repository when inside it (presets/receipts.toml)."""
    try:
        return Path(path).resolve().relative_to(PRESETS_DIR.parent).as_posix()
    except ValueError:
        return str(path)


def _toml_error(path: Path, error: tomllib.TOMLDecodeError) -> PresetError:
    match = _TOML_POSITION.match(str(error))
    if match is None:
        return PresetError(path, "", f"invalid TOML ({error})")
    problem = f"invalid TOML ({match['what']}, column {match['column']})"
    return PresetError(path, f"line {match['line']}", problem)
