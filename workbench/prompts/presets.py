"""Prompt presets: one TOML file per tab, read strictly into frozen pydantic models.

File format (`presets/<tab>.toml`; JSON Schemas sit beside it in the same folder)::

    [[presets]]                           # one or more; names unique within the file
    name = "Extract all fields"           # required: shown in the preset dropdown
    system = "You are ..."                # required: the system prompt, English
    question = "Extract ..."              # required: fills the (editable) question box, English
    schema = "receipt.schema.json"        # optional: a file name in this folder; the answer must
                                          #   be JSON valid against it (Draft 2020-12)
    checks = ["receipt"]                  # optional, needs `schema`: keys of checks.CHECKS
    abstain_below = 0.5                   # optional, 0 to 1: values less confident than this
                                          #   are handed on as null (docs/confidence.md)
    agreement = 2                         # optional, 0 to 8: extra sampled answers compared
                                          #   value by value for the confidence (0: none)

    [presets.generation]                  # optional, every key optional; bounds and defaults
    temperature = 0.1                     #   from workbench/engines/base.py: TEMPERATURE_RANGE,
    top_p = 0.8                           #   TOP_P_RANGE (low end excluded),
    max_new_tokens = 2048                 #   MAX_NEW_TOKENS_RANGE and the DEFAULT_* values
    visual_tokens = [1024, 2048]          # [min, max] visual tokens per image (one = 32×32 px),
                                          #   1 <= min <= max <= 16384 (default: the device's)

    [presets.zh]                          # required: the same prompt in Chinese
    system = "你是……"
    question = "……"

The tab's title lives in its tab module, not here. Prompts are plain text: nothing is
substituted into them. JSON keys stay English in both languages, so one schema serves both.
Anything else — an unknown key at any level, a wrong type, a missing or blank required value,
a duplicate name, an unknown check, an out-of-range value, a schema file that is missing, not
JSON or not a valid JSON Schema — raises `PresetError`, naming the file and the key:
``presets/receipts.toml: presets[2].generation.tempreature: unknown key``.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workbench.answers.checks import CHECKS
from workbench.budget import MAX_BUDGET, Budget
from workbench.engines.base import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_TEMPERATURE,
    DEFAULT_TOP_P,
    out_of_range,
)
from workbench.prompts.problems import Problem, toml_problem, validation_problem
from workbench.prompts.schemas import schema_beside
from workbench.settings import MAX_AGREEMENT

PRESETS_DIR = Path(__file__).resolve().parents[2] / "presets"
LANGUAGES = ("en", "zh")


class PresetError(ValueError):
    """A preset file that cannot be used; the message names the file and the key path."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        location = f"{_display(path)}: {where}" if where else _display(path)
        super().__init__(f"{location}: {problem}")


def _not_blank(text: str) -> str:
    """Return the text stripped: TOML's multi-line strings end in a newline."""
    if not text.strip():
        raise ValueError("must not be blank")
    return text.strip()


def _known_check(name: str) -> str:
    if name not in CHECKS:
        raise ValueError(f"unknown check {name!r} (known: {', '.join(CHECKS)})")
    return name


def _in_range(value: float, info: ValidationInfo) -> float:
    problem = out_of_range(info.field_name, value)
    if problem:
        raise ValueError(problem)
    return value


_Text = Annotated[StrictStr, AfterValidator(_not_blank)]
_CheckName = Annotated[StrictStr, AfterValidator(_known_check)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerationDefaults(_Model):
    """Sampling defaults a preset puts into the generation controls."""

    temperature: Annotated[StrictFloat, AfterValidator(_in_range)] = DEFAULT_TEMPERATURE
    top_p: Annotated[StrictFloat, AfterValidator(_in_range)] = DEFAULT_TOP_P
    max_new_tokens: Annotated[StrictInt, AfterValidator(_in_range)] = DEFAULT_MAX_NEW_TOKENS
    visual_tokens: tuple[StrictInt, StrictInt] | None = None  # (min, max) per image

    @field_validator("visual_tokens", mode="before")
    @classmethod
    def _a_pair(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) != 2:
            raise ValueError(f"expected [min, max], got an array of {len(value)}")
        return value

    @field_validator("visual_tokens")
    @classmethod
    def _a_budget(cls, budget: Budget | None) -> Budget | None:
        if budget is not None and not 1 <= budget[0] <= budget[1] <= MAX_BUDGET:
            low, high = budget
            raise ValueError(f"[{low}, {high}] needs 1 <= min <= max <= {MAX_BUDGET}")
        return budget


class PromptText(_Model):
    """A system prompt and a default question in one language."""

    system: _Text
    question: _Text


class Preset(_Model):
    """One entry of a tab's preset dropdown; `schema` is the parsed `schema_file`."""

    name: _Text
    system: _Text
    question: _Text
    zh: PromptText
    schema_file: StrictStr | None = Field(default=None, alias="schema")
    checks: tuple[_CheckName, ...] = ()
    generation: GenerationDefaults = GenerationDefaults()
    abstain_below: Annotated[StrictFloat, Field(ge=0.0, le=1.0)] | None = None
    agreement: Annotated[StrictInt, Field(ge=0, le=MAX_AGREEMENT)] = 0
    _schema: dict[str, Any] | None = PrivateAttr(default=None)

    @field_validator("checks")
    @classmethod
    def _each_once(cls, checks: tuple[str, ...]) -> tuple[str, ...]:
        for index, name in enumerate(checks):
            if name in checks[:index]:
                raise Problem(f"check {name!r} listed twice", at=(index,))
        return checks

    @model_validator(mode="after")
    def _read_schema(self, info: ValidationInfo) -> Preset:
        if self.checks and self.schema_file is None:
            raise Problem("domain checks need a schema", at=("checks",))
        # A Preset put into a PresetFile passes through here again, its schema already read.
        if self.schema_file is not None and self._schema is None:
            folder = (info.context or {}).get("folder", PRESETS_DIR)
            try:
                self._schema = schema_beside(Path(folder), self.schema_file)
            except ValueError as error:
                raise Problem(str(error), at=("schema",)) from None
        return self

    @property
    def schema(self) -> dict[str, Any] | None:
        """Return the parsed JSON Schema the answer must satisfy, if any."""
        return self._schema

    @property
    def structured(self) -> bool:
        """True when the answer must be JSON valid against `schema`."""
        return self.schema is not None

    @property
    def returns_boxes(self) -> bool:
        """True when the schema asks for boxes (`bbox_2d`) anywhere."""
        return self.schema is not None and "bbox_2d" in json.dumps(self.schema)

    def prompt(self, language: str = "en") -> tuple[str, str]:
        """Return (system prompt, default question) in "en" or "zh"."""
        if language == "en":
            return self.system, self.question
        if language == "zh":
            return self.zh.system, self.zh.question
        raise ValueError(f"unknown language {language!r}; expected one of {LANGUAGES}")


class _Document(_Model):
    """What a preset file's TOML holds."""

    presets: tuple[Preset, ...]

    @field_validator("presets")
    @classmethod
    def _named_once(cls, presets: tuple[Preset, ...]) -> tuple[Preset, ...]:
        if not presets:
            raise ValueError("needs at least one preset")
        first_index: dict[str, int] = {}
        for index, preset in enumerate(presets):
            if preset.name in first_index:
                earlier = f"presets[{first_index[preset.name]}]"
                problem = f"duplicate name {preset.name!r} (see {earlier})"
                raise Problem(problem, at=(index, "name"))
            first_index[preset.name] = index
        return presets


class PresetFile(_Model):
    """A tab's presets, in file order."""

    path: Path
    presets: tuple[Preset, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the preset names, in file order."""
        return tuple(preset.name for preset in self.presets)

    @property
    def slugs(self) -> tuple[str, ...]:
        """Return the presets' slugs, in file order."""
        return tuple(slug(preset.name) for preset in self.presets)

    def get(self, name: str) -> Preset:
        """Return the preset called `name`; KeyError if there is none."""
        for preset in self.presets:
            if preset.name == name:
                return preset
        raise KeyError(f"{_display(self.path)}: no preset named {name!r}")

    def find(self, name: str) -> Preset:
        """Return the preset called `name`, else the one whose slug matches `name`'s.

        ValueError, naming the tab (the file's stem) and its slugs, when none or several match.
        """
        matches = [preset for preset in self.presets if preset.name == name] or [
            preset for preset in self.presets if slug(preset.name) == slug(name)
        ]
        if len(matches) != 1:
            which = "no" if not matches else "more than one"
            known = ", ".join(self.slugs)
            raise ValueError(
                f"{self.path.stem} has {which} preset called {name!r}; its presets: {known}"
            )
        return matches[0]


def slug(name: str) -> str:
    """Return a preset name as typed on a command line: lowercase, non-alphanumerics one '-'."""
    return re.sub(r"[\W_]+", "-", name.casefold()).strip("-")


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
        raise PresetError(path, *toml_problem(error)) from None
    try:
        document = _Document.model_validate(data, context={"folder": path.parent})
    except ValidationError as error:
        raise PresetError(path, *validation_problem(error)) from None
    return PresetFile(path=path, presets=document.presets)


def load_all(directory: Path = PRESETS_DIR) -> dict[str, PresetFile | PresetError]:
    """Return each `*.toml` in `directory` by stem, sorted: loaded, or the error that stopped it."""
    results: dict[str, PresetFile | PresetError] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            results[path.stem] = load_presets(path)
        except PresetError as error:
            results[path.stem] = error
    return results


def _display(path: Path) -> str:
    """Return `path` relative to the repository when inside it (presets/receipts.toml)."""
    try:
        return Path(path).resolve().relative_to(PRESETS_DIR.parent).as_posix()
    except ValueError:
        return str(path)
