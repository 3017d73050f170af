"""The `python -m workbench ask` command line: parsing, one answer, and its exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from unittest.mock import ANY

import pytest
import torch
from PIL import Image

from workbench import choices
from workbench.choices import ask_budget, strict_choice
from workbench.cli.ask import ask_report, find_preset, presets_listing, summary_lines
from workbench.cli.main import (
    EXIT_MISSING,
    EXIT_MODEL,
    EXIT_OK,
    EXIT_USAGE,
    build_parser,
    console,
    main,
)
from workbench.engines.base import GenerationStats
from workbench.engines.patches import Patch
from workbench.engines.strict import StrictSupport
from workbench.pipeline import Answer
from workbench.prompts.presets import PRESETS_DIR, load_all
from workbench.session import RANDOM_WEIGHTS_WARNING, Status
from workbench.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
RECORD_KEYS = (
    "asked_at",
    "model",
    "random_weights",
    "device",
    "dtype",
    "engine",
    "tab",
    "preset",
    "language",
    "role",
    "question",
    "parameters",
    "image_name",
    "image_sha256",
    "image_size",
    "region",
    "pages",
    "enhanced",
    "history_left_out",
    "answer",
    "parsed",
    "answer_json",
    "confidence",
    "validation",
    "checks",
    "boxes",
    "evidence",
    "repairs",
    "turns",
)
TURN_KEYS = ("tokens", "timings", "finish_reason", "constrained")
TINY = ("--model", "tiny", "--max-new-tokens", "8", "--temperature", "0")
# What `ask` prints on stderr while the model loads, in order (the session's stages).
LOADING_STAGES = (
    "importing torch and transformers",
    "building the tiny random model",
    "reading the model config",
    "checking that the model fits in memory",
    "loading the processor",
    "loading the weights onto",
)


@pytest.fixture(scope="session")
def cli_env(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return an offline environment with no stray WORKBENCH_* settings and an empty hub cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WORKBENCH_") and key not in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
    }
    env.update(
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        GRADIO_ANALYTICS_ENABLED="False",
        WORKBENCH_CACHE_DIR=str(cache_dir),
        WORKBENCH_ENGINE="transformers",  # as the suite runs: see conftest.py
        # An empty hub cache, so a model someone downloaded cannot make the offline case pass.
        HF_HOME=str(tmp_path_factory.mktemp("hf-home")),
    )
    return env


@pytest.fixture(scope="module")
def image_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("images") / "red.png"
    Image.new("RGB", (64, 48), "red").save(path)
    return path


def _ask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _workbench(env, "ask", *args)


def _bench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _workbench(env, "bench", *args)


def _workbench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _assert_short_error(stderr: str) -> None:
    stages, error = _split_stderr(stderr)
    assert error.startswith("error: ")
    assert "Traceback" not in stderr
    assert "\n\n" not in error.strip()  # one paragraph
    assert len(error) < 600
    assert all(": loading, " in line for line in stages), stages


def _split_stderr(stderr: str) -> tuple[list[str], str]:
    """Return the loading-stage lines printed before the error, and the error."""
    lines = stderr.splitlines(keepends=True)
    stages = [line.strip() for line in lines if line.startswith("[")]
    return stages, "".join(line for line in lines if not line.startswith("["))


# ---------------------------------------------------------------- parsing, in process

ASK = ["ask", "--image", "a.png"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ASK,
            {
                "image": "a.png",
                "question": None,
                "preset": None,
                "role": "",
                "system": "",
                "language": "en",
                "region": None,
                "region_mode": "crop",
                "strict": None,
                "repair_turns": 1,
                "threshold": None,
                "direction": None,
                "temperature": None,  # None: the preset's, else the engine's default
                "top_p": None,
                "max_new_tokens": None,
                "json": False,
                "verbose": False,
                "model": None,
                "min_visual_tokens": None,
                "presets_dir": PRESETS_DIR,
            },
        ),
        (
            [*ASK, "--question", "Q", "--json", "-v", "--temperature", "0"],
            {"question": "Q", "json": True, "verbose": True, "temperature": 0.0},
        ),
        (
            [*ASK, "--model", "tiny", "--cache-dir", "/c"],
            {"model": "tiny", "cache_dir": Path("/c"), "command": "ask"},
        ),
        ([*ASK, "--max-visual-tokens", "64"], {"max_visual_tokens": 64, "max_new_tokens": None}),
        (
            [*ASK, "--preset", "receipts:tax-check", "--role", "An auditor", "--language", "zh"],
            {"preset": "receipts:tax-check", "role": "An auditor", "language": "zh"},
        ),
        (
            [*ASK, "--region", "10,20.5,30,40", "--region-mode", "highlight"],
            {"region": (10.0, 20.5, 30.0, 40.0), "region_mode": "highlight"},
        ),
        ([*ASK, "--region=-5,0,90,40"], {"region": (-5.0, 0.0, 90.0, 40.0)}),
        ([*ASK, "--strict", "--repair-turns", "2"], {"strict": True, "repair_turns": 2}),
        ([*ASK, "--no-strict"], {"strict": False}),
        ([*ASK, "--threshold", "6.5", "--below"], {"threshold": 6.5, "direction": "below"}),
        ([*ASK, "--top-p", "0.5", "--max-new-tokens", "64"], {"top_p": 0.5, "max_new_tokens": 64}),
        (["presets"], {"command": "presets", "json": False, "presets_dir": PRESETS_DIR}),
        (["presets", "--json", "--presets-dir", "/p"], {"json": True, "presets_dir": Path("/p")}),
    ],
)
def test_parser(argv: list[str], expected: dict[str, object]) -> None:
    args = vars(build_parser().parse_args(argv))
    assert {key: args[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["ask", "--question", "Q"], "the following arguments are required: --image"),
        ([*ASK, "--temperature", "warm"], "argument --temperature: invalid float value: 'warm'"),
        ([*ASK, "--max-new-tokens", "1.5"], "argument --max-new-tokens: invalid int value: '1.5'"),
        (
            [*ASK, "--region", "1,2,3"],
            "argument --region: expected 4 numbers X0,Y0,X1,Y1, got '1,2,3'",
        ),
        (
            [*ASK, "--region", "a,b,c,d"],
            "argument --region: expected numbers X0,Y0,X1,Y1, got 'a,b,c,d'",
        ),
        (
            [*ASK, "--region", "0,0,inf,9"],
            "argument --region: expected finite numbers, got '0,0,inf,9'",
        ),
        ([*ASK, "--region-mode", "zoom"], "argument --region-mode: invalid choice: 'zoom'"),
        ([*ASK, "--language", "fr"], "argument --language: invalid choice: 'fr'"),
        ([*ASK, "--above", "--below"], "argument --below: not allowed with argument --above"),
        (["chat", "--image", "a.png"], "argument COMMAND: invalid choice: 'chat'"),
    ],
)
def test_parser_refuses_with_the_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m workbench")
    assert f"error: {message}" in err.splitlines()[-1]


def test_the_installed_command_names_itself(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["workbench", "ask"])
    with pytest.raises(SystemExit) as exit_info:
        console()
    assert exit_info.value.code == EXIT_USAGE
    assert capsys.readouterr().err.startswith("usage: workbench ask ")


# ---------------------------------------------------------------- presets: listing and lookup

PRESET_TOML = """
[[presets]]
name = "{name}"
system = "Be exact."
question = "What is the total?"
{extra}
[presets.zh]
system = "要准确。"
question = "总额是多少？"
"""
STRUCTURED = 'schema = "tiny.schema.json"\nchecks = ["receipt"]'


def _write_presets(folder: Path, tab: str, *presets: tuple[str, str]) -> None:
    text = "".join(PRESET_TOML.format(name=name, extra=extra) for name, extra in presets)
    (folder / f"{tab}.toml").write_text(text, encoding="utf-8")
    (folder / "tiny.schema.json").write_text('{"type": "object"}', encoding="utf-8")


@pytest.fixture
def presets_dir(tmp_path: Path) -> Path:
    """Return a folder with a good presets file (two presets) and a broken one."""
    _write_presets(tmp_path, "bills", ("Tax check", STRUCTURED), ("Find discounts (折扣)", ""))
    (tmp_path / "broken.toml").write_text("[[presets]]\nname = 'x'\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "ref",
    [
        "bills:Tax check",
        "bills:tax check",
        "BILLS:TAX-CHECK",
        "bills:tax-check",
        " bills : Tax check ",
    ],
)
def test_find_preset_by_name_any_case_or_slug(presets_dir: Path, ref: str) -> None:
    tab, preset = find_preset(ref, load_all(presets_dir))
    assert (tab, preset.name) == ("bills", "Tax check")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "invoices:tax-check",
            "unknown tab 'invoices' in --preset 'invoices:tax-check'; tabs: bills, broken",
        ),
        ("bills", "--preset 'bills' names no preset; bills has: tax-check, find-discounts-折扣"),
        ("bills:", "--preset 'bills:' names no preset; bills has: tax-check, find-discounts-折扣"),
        (
            "bills:vat",
            "bills has no preset called 'vat'; its presets: tax-check, find-discounts-折扣",
        ),
        (
            "broken:x",
            f"the broken presets cannot be used: {{folder}}{os.sep}broken.toml: presets[0].system: "
            "missing required key",
        ),
    ],
)
def test_find_preset_names_what_is_known(presets_dir: Path, ref: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        find_preset(ref, load_all(presets_dir))
    assert str(error.value) == message.format(folder=presets_dir)


def test_find_preset_refuses_an_ambiguous_slug(tmp_path: Path) -> None:
    _write_presets(tmp_path, "bills", ("Tax check", ""), ("Tax-check", ""))
    loaded = load_all(tmp_path)
    assert find_preset("bills:Tax-check", loaded)[1].name == "Tax-check"  # the exact name wins
    with pytest.raises(ValueError) as error:
        find_preset("bills:TAX CHECK", loaded)
    assert str(error.value) == (
        "bills has more than one preset called 'TAX CHECK'; its presets: tax-check, tax-check"
    )


def test_presets_listing(presets_dir: Path) -> None:
    assert presets_listing(load_all(presets_dir)) == [
        {
            "tab": "bills",
            "error": None,
            "presets": [
                {
                    "name": "Tax check",
                    "slug": "tax-check",
                    "preset": "bills:tax-check",
                    "structured": True,
                    "schema": "tiny.schema.json",
                    "checks": ["receipt"],
                },
                {
                    "name": "Find discounts (折扣)",
                    "slug": "find-discounts-折扣",
                    "preset": "bills:find-discounts-折扣",
                    "structured": False,
                    "schema": None,
                    "checks": [],
                },
            ],
        },
        {
            "tab": "broken",
            "error": f"{presets_dir / 'broken.toml'}: presets[0].system: missing required key",
            "presets": [],
        },
    ]


def test_presets_command_lists_and_reports_a_broken_file(
    presets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["presets", "--presets-dir", str(presets_dir)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"Presets in {presets_dir}; ask with --preset TAB:NAME (the name, or its slug).",
        "",
        "bills",
        "  bills:tax-check            Tax check  (JSON, checks: receipt)",
        "  bills:find-discounts-折扣  Find discounts (折扣)  (free text)",
    ]
    assert err == f"error: {presets_dir / 'broken.toml'}: presets[0].system: missing required key\n"


def test_presets_json_is_one_object(presets_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--json", "--presets-dir", str(presets_dir)]) == EXIT_OK
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert report["folder"] == str(presets_dir)
    assert report["tabs"] == presets_listing(load_all(presets_dir))
    assert err == ""


def test_presets_command_fails_when_every_file_is_broken(
    presets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (presets_dir / "bills.toml").unlink()
    assert main(["presets", "--presets-dir", str(presets_dir)]) == EXIT_MISSING
    assert "broken.toml: presets[0].system: missing required key" in capsys.readouterr().err


def test_presets_command_fails_without_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["presets", "--presets-dir", str(tmp_path)]) == EXIT_MISSING
    assert capsys.readouterr() == ("", f"error: no preset files (*.toml) in {tmp_path}\n")


def test_the_shipped_presets_all_load(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--json"]) == EXIT_OK
    tabs = json.loads(capsys.readouterr().out)["tabs"]
    assert [tab["tab"] for tab in tabs] == sorted(load_all())
    assert all(tab["error"] is None and tab["presets"] for tab in tabs)


# ---------------------------------------------------------------- ask: refusals before loading


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --question, or --preset TAB:NAME to ask the preset's question"),
        (["--question", "  "], "the question is empty"),
        (["--question", "Q", "--temperature", "3"], "temperature 3.0 is outside 0 to 2"),
        (["--question", "Q", "--top-p", "0"], "top_p 0.0 is outside (0, 1]"),
        (["--question", "Q", "--max-new-tokens", "0"], "max_new_tokens 0 is outside 1 to 8192"),
        (
            ["--preset", "bills:tax-check", "--temperature", "-1"],
            "temperature -1.0 is outside 0 to 2",
        ),
        (["--question", "Q", "--repair-turns", "3"], "repair_turns 3 is outside 0 to 2"),
        (["--question", "Q", "--below"], "--below needs --threshold"),
        (["--question", "Q", "--threshold", "nan"], "threshold nan is not a finite number"),
        (
            ["--question", "Q", "--strict"],
            "--strict needs a structured preset (one with a schema; see `presets`)",
        ),
        (
            ["--preset", "bills:find-discounts-折扣", "--strict"],
            "--strict needs a structured preset (one with a schema; see `presets`)",
        ),
        (
            ["--preset", "bills:vat"],
            "bills has no preset called 'vat'; its presets: tax-check, find-discounts-折扣",
        ),
        (
            ["--question", "Q", "--region", "100,100,200,200"],
            "region 100,100,200,200 has no area inside the 64×48 image",
        ),
        (
            ["--question", "Q", "--region=-50,-50,-1,10"],
            "region -50,-50,-1,10 has no area inside the 64×48 image",
        ),
        (
            ["--question", "Q", "--device", "gpu"],
            "device must be one of auto, cuda, mps, cpu; got 'gpu'",
        ),
    ],
)
def test_ask_refuses_bad_values_before_loading(
    presets_dir: Path,
    image_path: Path,
    args: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["ask", "--image", str(image_path), "--presets-dir", str(presets_dir), *args]
    assert main([*argv, "--model", "tiny"]) == EXIT_USAGE
    assert capsys.readouterr() == ("", f"error: {message}\n")


def test_ask_strict_without_xgrammar_says_why(
    presets_dir: Path, image_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(
        choices, "strict_support", lambda engine: StrictSupport(False, "Strict needs xgrammar.")
    )
    argv = ["ask", "--image", str(image_path), "--presets-dir", str(presets_dir)]
    assert main([*argv, "--preset", "bills:tax-check", "--strict"]) == EXIT_USAGE
    assert capsys.readouterr().err == "error: Strict needs xgrammar.\n"


# ---------------------------------------------------------------- ask: the pieces it is made of


@pytest.mark.parametrize(
    ("asked", "structured", "available", "expected"),
    [
        (None, True, True, True),  # the default: strict where it can be
        (None, True, False, False),
        (None, False, True, False),
        (False, True, True, False),
        (True, True, True, True),
    ],
)
def test_strict_choice(presets_dir, monkeypatch, asked, structured, available, expected) -> None:
    monkeypatch.setattr(choices, "strict_support", lambda engine: StrictSupport(available, "why"))
    presets = load_all(presets_dir)["bills"]
    preset = presets.get("Tax check" if structured else "Find discounts (折扣)")
    assert strict_choice(asked, preset, "transformers") is expected


GAUGE = load_all()["gauges"].get("Read the value")  # asks for [256, 768] visual tokens
PATCH = Patch("pad_token_from_eos", "the tokenizer has no pad token")


@pytest.mark.parametrize(
    ("preset", "flags", "device", "expected"),
    [
        (GAUGE, {}, ("cpu", (256, 384)), (256, 384)),  # capped on the CPU, as the tabs do
        (GAUGE, {}, ("cuda", (256, 1280)), (256, 768)),
        (GAUGE, {"max_visual_tokens": 512}, ("cpu", (256, 512)), None),  # the flag wins
        (GAUGE, {"min_visual_tokens": 64}, ("cuda", (64, 1280)), None),
        (None, {}, ("cpu", (256, 384)), None),
    ],
)
def test_ask_budget(preset, flags, device, expected) -> None:
    status = Status("ready", "tiny", device=device[0], visual_tokens=device[1])
    assert ask_budget(preset, Settings(**flags), status) == expected


def test_ask_budget_keeps_min_at_most_max() -> None:
    preset = GAUGE.model_copy(
        update={"generation": GAUGE.generation.model_copy(update={"visual_tokens": (512, 1024)})}
    )
    status = Status("ready", "tiny", device="cpu", visual_tokens=(256, 384))
    assert ask_budget(preset, Settings(), status) == (256, 384)


VALID = "valid JSON: matches the schema"


def _record(**changes: object) -> dict[str, object]:
    base = {
        "parsed": {"value": 6.4},
        "validation": {"valid": True, "extraction_error": "", "errors": []},
        "checks": [],
        "boxes": [],
        "repairs": [],
        "parameters": {"strict": False},
        "turns": [{"constrained": False}],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("record", "lines"),
    [
        (_record(parsed=None), []),  # free text
        (_record(), ["valid JSON: matches the schema"]),
        (
            _record(parameters={"strict": True}),
            [
                "strict asked, but the server does not constrain decoding: validated after",
                "valid JSON: matches the schema",
            ],
        ),
        (_record(parameters={"strict": True}, turns=[{"constrained": True}]), [VALID]),
        (
            _record(
                parsed=None,
                validation={"valid": False, "extraction_error": "no JSON", "errors": []},
                repairs=["repair left 1 of 1 problem(s)"],
            ),
            ["repair left 1 of 1 problem(s)", "no usable JSON: no JSON"],
        ),
        (
            _record(
                validation={
                    "valid": False,
                    "extraction_error": "",
                    "errors": [{"at": "$.value", "message": "'six' is not of type 'number'"}],
                }
            ),
            ["invalid JSON: 1 schema error", "  $.value: 'six' is not of type 'number'"],
        ),
        (
            _record(
                checks=[
                    {"name": "value_in_scale", "ok": True, "detail": "6.4 is within 0 to 10"},
                    {"name": "threshold_alarm", "ok": False, "detail": "ALARM: 6.4 is above 5"},
                ],
                boxes=[{"label": "6.4 bar", "box": [400, 150, 600, 300]}],
            ),
            [
                "valid JSON: matches the schema",
                "check value_in_scale: ok, 6.4 is within 0 to 10",
                "check threshold_alarm: FAILED, ALARM: 6.4 is above 5",
                "box '6.4 bar': 400,150,600,300 px",
            ],
        ),
    ],
    ids=[
        "free-text",
        "valid",
        "strict-unconstrained",
        "strict-constrained",
        "no-json",
        "schema-error",
        "checks-and-boxes",
    ],
)
def test_summary_lines(record: dict[str, object], lines: list[str]) -> None:
    assert summary_lines(record) == lines


def test_ask_report_is_the_record_and_the_last_turn() -> None:
    first = GenerationStats(prompt_tokens=9, visual_tokens=4, generated_tokens=3)
    last = GenerationStats(
        prompt_tokens=12,
        visual_tokens=4,
        generated_tokens=2,
        total_seconds=1.0,
        finish_reason="stop",
    )
    answer = Answer(text="{}", view=None, stats=[first, last])  # type: ignore[arg-type]
    status = Status(
        "ready", "tiny", dtype_reason="auto: why", load_seconds=1.23456, patches=(PATCH,)
    )
    report = ask_report({"answer": "{}", "model": "tiny"}, status, answer)
    assert report == {
        "answer": "{}",
        "model": "tiny",
        "dtype_reason": "auto: why",
        "engine_reason": "",
        "patches": [PATCH.name],
        "tokens": {"prompt": 12, "visual": 4, "generated": 2},
        "timings": {
            "time_to_first_token_s": None,
            "total_s": 1.0,
            "tokens_per_second": None,
            "load_s": 1.235,
        },
        "finish_reason": "stop",
        "constrained": False,
    }


# ---------------------------------------------------------------- ui


def test_ui_hands_its_flags_to_launch(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda program, argv: seen.append([program, *argv]))
    assert main(["ui", "--share", "--port", "7000", "--model", "tiny"]) == EXIT_OK
    flags = ["--share", "--port", "7000", "--model", "tiny"]
    assert seen == [[sys.executable, sys.executable, "-m", "launch", *flags]]


def test_ui_serves_the_app_as_launch_py_does() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "ui", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: launch.py")


def test_ui_without_launch_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "launch", None)  # as if launch.py were nowhere
    assert main(["ui"]) == EXIT_MISSING
    assert capsys.readouterr().err == (
        "error: `ui` needs launch.py, which is neither installed nor in this folder: run it in "
        "the repository (python launch.py), or install the workbench with `pip install .`\n"
    )


# ---------------------------------------------------------------- one answer, as a subprocess


def test_ask_json_prints_one_report(cli_env: dict[str, str], image_path: Path) -> None:
    result = _ask(cli_env, "--image", str(image_path), "--question", "What?", "--json", *TINY)

    assert result.returncode == EXIT_OK, result.stderr
    assert result.stderr == ""  # no loading stages, no warning: only the JSON, on stdout
    assert len(result.stdout.strip().splitlines()) == 1
    report = json.loads(result.stdout)
    assert isinstance(report["answer"], str)
    assert (report["model"], report["random_weights"]) == ("tiny", True)
    assert report["device"] in ("cpu", "cuda", "mps")
    assert report["dtype"] in ("bfloat16", "float16", "float32")
    assert report["dtype_reason"].startswith("auto: ")
    assert all(isinstance(name, str) for name in report["patches"])
    tokens = report["tokens"]
    assert tokens["prompt"] > tokens["visual"] > 0
    assert 1 <= tokens["generated"] <= 8
    assert report["finish_reason"] in ("stop", "length")
    assert (report["finish_reason"] == "length") == (tokens["generated"] == 8)
    timings = report["timings"]
    assert timings["load_s"] > 0
    assert 0 < timings["time_to_first_token_s"] <= timings["total_s"]
    # The result record, as the app's result.json has it, with today's keys after it.
    assert list(report) == [*RECORD_KEYS, "dtype_reason", "engine_reason", "patches", *TURN_KEYS]
    assert report["turns"] == [{key: report[key] for key in TURN_KEYS} | {"timings": ANY}]
    picked = {key: report[key] for key in ("tab", "preset", "role", "question", "region")}
    assert picked == {"tab": None, "preset": None, "role": "", "question": "What?", "region": None}
    assert report["image_name"] == "red.png"
    assert report["image_sha256"] == hashlib.sha256(image_path.read_bytes()).hexdigest()
    assert report["parameters"] == {
        "temperature": 0.0,
        "top_p": 0.8,
        "max_new_tokens": 8,
        "visual_tokens": None,
        "strict": False,
        "repair_turns": 1,
        "alarm": None,
    }
    assert (report["parsed"], report["checks"], report["boxes"]) == (None, [], [])


def test_ask_streams_and_warns_about_random_weights(
    cli_env: dict[str, str], image_path: Path
) -> None:
    env = {**cli_env, "WORKBENCH_MODEL": "tiny"}  # the model from the environment this time
    result = _ask(env, "--image", str(image_path), "--question", "What?", "--max-new-tokens", "4")

    assert result.returncode == EXIT_OK, result.stderr
    assert f"[{RANDOM_WEIGHTS_WARNING}]" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.endswith("\n")
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stdout)
    assert _loading_stages(result.stderr)[-1] == len(LOADING_STAGES) - 1  # the weights


def test_ask_a_preset_as_a_tab_does(cli_env: dict[str, str], image_path: Path) -> None:
    result = _ask(
        cli_env,
        *("--image", str(image_path), "--preset", "Gauges:READ THE VALUE", "--language", "zh"),
        *("--role", "你是一名工程师。", "--region=-10,0,40,30", "--region-mode", "highlight"),
        *("--threshold", "5", "--below", "--no-strict", "--repair-turns", "0", "--json"),
        *("--model", "tiny", "--max-new-tokens", "6"),
    )

    assert result.returncode == EXIT_OK, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    gauge = load_all()["gauges"].get("Read the value")
    picked = {key: report[key] for key in ("tab", "preset", "language", "role", "question")}
    assert picked == {
        "tab": "gauges",
        "preset": "Read the value",
        "language": "zh",
        "role": "你是一名工程师。",
        "question": gauge.prompt("zh")[1],
    }
    assert report["region"] == {"box": [0, 0, 40, 32], "mode": "highlight"}  # clamped, 32 px high
    parameters = report["parameters"]
    assert (parameters["temperature"], parameters["max_new_tokens"]) == (0.1, 6)  # preset, flag
    assert (parameters["strict"], parameters["repair_turns"]) == (False, 0)
    assert parameters["alarm"] == {"threshold": 5.0, "direction": "below"}
    assert len(report["turns"]) == 1
    validation = report["validation"]
    assert validation["valid"] is (not validation["extraction_error"] and not validation["errors"])


def test_ask_a_structured_preset_streams_then_says_the_verdict(
    cli_env: dict[str, str], image_path: Path
) -> None:
    result = _ask(
        cli_env,
        *("--image", str(image_path), "--preset", "receipts:tax-check", "--repair-turns", "1"),
        *("--model", "tiny", "--max-new-tokens", "6", "--temperature", "0"),
    )

    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.endswith("\n")
    lines = result.stderr.splitlines()
    assert lines.index(f"[{RANDOM_WEIGHTS_WARNING}]") > 0  # after the loading stages
    verdicts = [
        line
        for line in lines
        if line.startswith(("[valid JSON", "[invalid JSON", "[no usable JSON"))
    ]
    assert len(verdicts) == 1, result.stderr
    repairs = [line for line in lines if line.startswith("[repair turn 1: ")]
    assert len(repairs) == (not verdicts[0].startswith("[valid JSON")), result.stderr


def _loading_stages(stderr: str) -> list[int]:
    """Return the indexes of the stages shown, checking each is shown once and in order."""
    stages, _ = _split_stderr(stderr)
    shown = [
        index
        for line in stages
        if ": loading, " in line
        for index, stage in enumerate(LOADING_STAGES)
        if f", {stage}" in line
    ]
    assert len(shown) == len([line for line in stages if ": loading, " in line]), stages
    assert shown and shown == sorted(set(shown)), stages  # a quick stage may go unseen
    return shown


@pytest.mark.parametrize(
    ("make_args", "mentions"),
    [
        (lambda tmp, img: ["--image", str(tmp / "missing.png")], "No image file"),
        (lambda tmp, img: ["--image", str(tmp / "notes.txt")], "not an image"),
        (lambda tmp, img: ["--image", str(img), "--temperature", "5"], "temperature"),
        (lambda tmp, img: ["--image", str(img), "--device", "gpu"], "device"),
        (lambda tmp, img: ["--image", str(img), "--min-visual-tokens", "0"], "visual-token"),
    ],
    ids=["missing-image", "text-file", "temperature", "device", "visual-tokens"],
)
def test_ask_usage_errors_exit_2(
    cli_env: dict[str, str], image_path: Path, tmp_path: Path, make_args, mentions: str
) -> None:
    (tmp_path / "notes.txt").write_text("not pixels")
    args = make_args(tmp_path, image_path)

    result = _ask(cli_env, *args, "--question", "What?", "--model", "tiny")

    assert result.returncode == EXIT_USAGE
    assert result.stdout == ""
    _assert_short_error(result.stderr)
    assert mentions in result.stderr


def test_ask_non_numeric_environment_value_exits_2(
    cli_env: dict[str, str], image_path: Path
) -> None:
    env = {**cli_env, "WORKBENCH_MAX_VISUAL_TOKENS": "lots"}
    result = _ask(env, "--image", str(image_path), "--question", "What?", "--model", "tiny")
    assert result.returncode == EXIT_USAGE
    _assert_short_error(result.stderr)
    assert "WORKBENCH_MAX_VISUAL_TOKENS" in result.stderr


def test_ask_default_model_offline_exits_3(cli_env: dict[str, str], image_path: Path) -> None:
    result = _ask(cli_env, "--image", str(image_path), "--question", "What?")

    assert result.returncode == EXIT_MODEL
    assert result.stdout == ""
    _assert_short_error(result.stderr)
    assert "Qwen/Qwen3-VL-4B-Instruct" in result.stderr
    assert "--model tiny" in result.stderr
    assert max(_loading_stages(result.stderr)) <= LOADING_STAGES.index("reading the model config")


@pytest.mark.parametrize(
    ("extra", "mentions"),
    [
        (("--memory-limit-gib", "0.01"), ["would not fit", "--skip-memory-check"]),
        ((), ["does not match its tokenizer", "image_token_id 151655"]),
    ],
    ids=["too-little-memory", "config-tokenizer-mismatch"],
)
def test_ask_load_refusals_exit_3(
    cli_env: dict[str, str], image_path: Path, mismatched_model: Path, extra, mentions
) -> None:
    model = "tiny" if extra else str(mismatched_model)
    result = _ask(cli_env, "--image", str(image_path), "--question", "Q", "--model", model, *extra)

    assert result.returncode == EXIT_MODEL, result.stderr
    assert result.stdout == ""
    _assert_short_error(result.stderr)
    assert all(text in result.stderr for text in mentions), result.stderr


# ---------------------------------------------------------------- benchmarks


def test_bench_model_prints_a_row_per_dtype_and_the_verdicts(cli_env: dict[str, str]) -> None:
    result = _bench(cli_env, "model", "--config", "tiny", "--runs", "1")

    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(("bfloat16", "float32", "float16"))]
    # auto and float32; on CUDA float16 too (it failed on an H200 asserting the CPU's two)
    assert len(rows) == (3 if torch.cuda.is_available() else 2) and "(auto)" in rows[0]
    for row in rows:  # dtype, load, peak, estimate, then ttft and tok/s per size, phone ttft
        numbers = [float(cell) for cell in row.split(")")[-1].split()[-8:]]
        assert all(number > 0 for number in numbers), row
    assert any("pipeline vs bare" in line and "target ≤ 1.05" in line for line in lines)
    assert any(line.startswith("phone photo 4032×3024") for line in lines)


def test_bench_model_both_engines_side_by_side_with_the_targets(cli_env: dict[str, str]) -> None:
    result = _bench(cli_env, "model", "--config", "tiny", "--engine", "both", "--runs", "1")

    assert result.returncode == EXIT_OK, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(("transformers ", "llamacpp "))]
    assert [row.split()[0] for row in rows] == ["transformers", "llamacpp"]  # alternating
    # transformers in bf16 against llama.cpp at 4 bits (Q4_K_M with llama-quantize, else Q4_0)
    assert rows[0].split()[1] == "bfloat16" and rows[1].split()[1] in ("Q4_0", "Q4_K_M")
    for row in rows:  # load, peak, then ttft and tok/s per size, then the answer's seconds
        numbers = [float(cell) for cell in row.split()[2:9]]
        assert all(number > 0 for number in numbers), row
    targets = [line for line in lines if "target" in line]
    assert [line.split(":")[0] for line in targets[:4]] == [
        "decoding",
        "300-token answer done",
        "first token 448²",
        "first token 1024²",
    ]
    assert len(targets) == 5 and targets[4].startswith("peak memory of llamacpp ")
    assert all(line.endswith(("✓", "✗")) for line in targets)
    assert any(line.startswith("files for llamacpp: ") for line in lines)


def test_bench_model_unknown_config_exits_2(cli_env: dict[str, str]) -> None:
    result = _bench(cli_env, "model", "--config", "qwen9-vl")
    assert result.returncode == EXIT_USAGE
    _assert_short_error(result.stderr)
    assert "qwen3-vl-4b-instruct" in result.stderr
