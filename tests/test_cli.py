"""The `python -m workbench ask` command line: parsing, one answer, and its exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from workbench.cli import EXIT_MODEL, EXIT_OK, EXIT_USAGE, build_parser
from workbench.session import RANDOM_WEIGHTS_WARNING

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["ask", "--image", "a.png", "--question", "What?"],
            {
                "image": "a.png",
                "question": "What?",
                "system": "",
                "temperature": 0.7,
                "top_p": 0.8,
                "max_new_tokens": 1024,
                "json": False,
                "verbose": False,
                "model": None,
                "min_visual_tokens": None,
            },
        ),
        (
            ["ask", "--image", "a.png", "--question", "Q", "--json", "-v", "--temperature", "0"],
            {"json": True, "verbose": True, "temperature": 0.0},
        ),
        (
            ["ask", "--image", "a.png", "--question", "Q", "--model", "tiny", "--cache-dir", "/c"],
            {"model": "tiny", "cache_dir": Path("/c"), "command": "ask"},
        ),
        (
            ["ask", "--image", "a.png", "--question", "Q", "--max-visual-tokens", "64"],
            {"max_visual_tokens": 64, "max_new_tokens": 1024},
        ),
    ],
)
def test_parser(argv: list[str], expected: dict[str, object]) -> None:
    args = vars(build_parser().parse_args(argv))
    assert {key: args[key] for key in expected} == expected


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["ask", "--image", "a.png"],
        ["ask", "--question", "Q"],
        ["ask", "--image", "a.png", "--question", "Q", "--temperature", "warm"],
        ["ask", "--image", "a.png", "--question", "Q", "--max-new-tokens", "1.5"],
        ["chat", "--image", "a.png", "--question", "Q"],
    ],
)
def test_parser_refuses(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(argv)
    assert exit_info.value.code == EXIT_USAGE
    assert "error:" in capsys.readouterr().err


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


def test_ask_without_question_is_an_argparse_error(
    cli_env: dict[str, str], image_path: Path
) -> None:
    result = _ask(cli_env, "--image", str(image_path))
    assert result.returncode == EXIT_USAGE
    assert "Traceback" not in result.stderr
    assert "the following arguments are required: --question" in result.stderr


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
    assert len(rows) == 2 and "(auto)" in rows[0]
    for row in rows:  # dtype, load, peak, estimate, then ttft and tok/s per size, phone ttft
        numbers = [float(cell) for cell in row.split(")")[-1].split()[-8:]]
        assert all(number > 0 for number in numbers), row
    assert any("pipeline vs bare" in line and "target ≤ 1.05" in line for line in lines)
    assert any(line.startswith("phone photo 4032×3024") for line in lines)


def test_bench_model_unknown_config_exits_2(cli_env: dict[str, str]) -> None:
    result = _bench(cli_env, "model", "--config", "qwen9-vl")
    assert result.returncode == EXIT_USAGE
    _assert_short_error(result.stderr)
    assert "qwen3-vl-4b-instruct" in result.stderr
