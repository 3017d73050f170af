"""Settings: defaults, flag > environment > default, and early errors that name the field."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from workbench import settings as settings_module
from workbench.budget import size_bounds
from workbench.settings import Settings, from_environment


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    settings_module.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults() -> None:
    settings = from_environment(_parse(), environ={"WORKBENCH_CACHE_DIR": "/cache"})
    assert settings == Settings(cache_dir=Path("/cache"))
    assert (settings.model, settings.engine, settings.device, settings.dtype) == (
        "Qwen/Qwen3-VL-4B-Instruct",
        "auto",  # transformers on a CUDA GPU, llama.cpp elsewhere (test_choice.py)
        "auto",
        "auto",
    )
    assert (settings.min_visual_tokens, settings.max_visual_tokens) == (None, None)  # by device
    assert (settings.memory_limit_gib, settings.skip_memory_check) == (None, False)
    assert (settings.attention, settings.quantization, settings.gpu_headroom_gib) == (
        "auto",
        "none",
        2.0,
    )


def test_default_cache_dir_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_CACHE_DIR", raising=False)
    assert Settings().cache_dir == Path.home() / ".cache" / "workbench"


@pytest.mark.parametrize(
    ("min_tokens", "max_tokens", "expected"),
    [
        (256, 1280, {"shortest_edge": 262_144, "longest_edge": 1_310_720}),
        (1, 1, {"shortest_edge": 1024, "longest_edge": 1024}),
        (64, 16384, {"shortest_edge": 65_536, "longest_edge": 16_777_216}),
    ],
)
def test_image_size_bounds(min_tokens: int, max_tokens: int, expected: dict[str, int]) -> None:
    assert size_bounds((min_tokens, max_tokens)) == expected


@pytest.mark.parametrize(
    ("changes", "cpu", "cuda"),
    [
        ({}, (256, 384), (256, 1280)),  # the device defaults
        ({"max_visual_tokens": 2048}, (256, 2048), (256, 2048)),
        ({"max_visual_tokens": 100}, (100, 100), (100, 100)),  # min follows a low max
        ({"min_visual_tokens": 1024}, (1024, 1024), (1024, 1280)),  # max follows a high min
        ({"min_visual_tokens": 16, "max_visual_tokens": 64}, (16, 64), (16, 64)),
    ],
)
def test_visual_budget_by_device(changes: dict, cpu: tuple, cuda: tuple) -> None:
    settings = Settings(**changes)
    assert (settings.visual_budget("cpu"), settings.visual_budget("cuda")) == (cpu, cuda)
    assert settings.visual_budget("mps") == cuda


@pytest.mark.parametrize(
    ("flag", "variable", "flag_value", "env_value", "flag_wins", "env_wins"),
    [
        ("--model", "WORKBENCH_MODEL", "tiny", "/models/a", "tiny", "/models/a"),
        ("--device", "WORKBENCH_DEVICE", "cpu", "cuda", "cpu", "cuda"),
        ("--dtype", "WORKBENCH_DTYPE", "float32", "float16", "float32", "float16"),
        ("--attention", "WORKBENCH_ATTENTION", "eager", "sdpa", "eager", "sdpa"),
        ("--quantization", "WORKBENCH_QUANTIZATION", "8bit", "4bit", "8bit", "4bit"),
        ("--gpu-headroom-gib", "WORKBENCH_GPU_HEADROOM_GIB", "0.5", "3", 0.5, 3.0),
        ("--min-visual-tokens", "WORKBENCH_MIN_VISUAL_TOKENS", "64", "128", 64, 128),
        ("--max-visual-tokens", "WORKBENCH_MAX_VISUAL_TOKENS", "512", "2048", 512, 2048),
        ("--cache-dir", "WORKBENCH_CACHE_DIR", "/flag", "/env", Path("/flag"), Path("/env")),
        ("--memory-limit-gib", "WORKBENCH_MEMORY_LIMIT_GIB", "12", "6.5", 12.0, 6.5),
    ],
)
def test_flag_beats_environment_beats_default(
    flag: str,
    variable: str,
    flag_value: str,
    env_value: str,
    flag_wins: object,
    env_wins: object,
) -> None:
    field = flag.removeprefix("--").replace("-", "_")
    environ = {variable: env_value}
    default = getattr(Settings(), field)

    assert getattr(from_environment(_parse(flag, flag_value), environ=environ), field) == flag_wins
    assert getattr(from_environment(_parse(), environ=environ), field) == env_wins
    assert getattr(from_environment(_parse(), environ={}), field) == default
    assert getattr(from_environment(None, environ=environ), field) == env_wins


def test_empty_environment_variable_falls_back_to_default() -> None:
    environ = {"WORKBENCH_MODEL": "", "WORKBENCH_MIN_VISUAL_TOKENS": ""}
    settings = from_environment(_parse(), environ=environ)
    assert (settings.model, settings.min_visual_tokens) == ("Qwen/Qwen3-VL-4B-Instruct", None)


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        ((), {}, False),
        (("--skip-memory-check",), {}, True),
        ((), {"WORKBENCH_SKIP_MEMORY_CHECK": "1"}, True),
        ((), {"WORKBENCH_SKIP_MEMORY_CHECK": "yes"}, True),
        ((), {"WORKBENCH_SKIP_MEMORY_CHECK": "0"}, False),
        (("--skip-memory-check",), {"WORKBENCH_SKIP_MEMORY_CHECK": "false"}, True),
    ],
)
def test_skip_memory_check_switch(argv: tuple, environ: dict, expected: bool) -> None:
    assert from_environment(_parse(*argv), environ=environ).skip_memory_check is expected


def test_bad_switch_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="WORKBENCH_SKIP_MEMORY_CHECK='maybe'"):
        from_environment(_parse(), environ={"WORKBENCH_SKIP_MEMORY_CHECK": "maybe"})


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"engine": "vllm"}, "engine"),
        ({"device": "gpu"}, "device"),
        ({"dtype": "float64"}, "dtype"),
        ({"attention": "flash"}, "attention"),
        ({"quantization": "2bit"}, "quantization"),
        ({"min_visual_tokens": 0}, "visual-token"),
        ({"max_visual_tokens": 0}, "visual-token"),
        ({"max_visual_tokens": 20000}, "visual-token"),
        ({"min_visual_tokens": 600, "max_visual_tokens": 500}, "visual-token"),
        ({"gpu_headroom_gib": -1.0}, "headroom"),
        ({"memory_limit_gib": 0.0}, "memory limit"),
        ({"memory_limit_gib": float("nan")}, "memory limit"),
    ],
)
def test_invalid_setting_raises_naming_the_field(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Settings(**changes)
    with pytest.raises(ValueError, match=named):
        Settings().replace(**changes)


@pytest.mark.parametrize(
    ("flag", "value", "named"),
    [
        ("--device", "gpu", "device"),
        ("--min-visual-tokens", "0", "visual-token"),
        ("--gpu-headroom-gib", "-2", "headroom"),
    ],
)
def test_invalid_flag_raises_naming_the_field(flag: str, value: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        from_environment(_parse(flag, value), environ={})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WORKBENCH_MIN_VISUAL_TOKENS", "many"),
        ("WORKBENCH_MAX_VISUAL_TOKENS", "1.5"),
        ("WORKBENCH_GPU_HEADROOM_GIB", "2GiB"),
    ],
)
def test_non_numeric_environment_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"{variable}='{value}'"):
        from_environment(_parse(), environ={variable: value})


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_headroom_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="headroom"):
        from_environment(_parse(), environ={"WORKBENCH_GPU_HEADROOM_GIB": value})


def test_add_arguments_leaves_every_flag_unset() -> None:
    assert {key: value for key, value in vars(_parse()).items() if value is not None} == {}


def test_the_remote_engine_reads_its_flags_and_variables() -> None:
    parser = argparse.ArgumentParser()
    settings_module.add_arguments(parser)
    args = parser.parse_args(
        ["--engine", "openai", "--api-model", "qwen", "--request-timeout", "30"]
    )
    environ = {"WORKBENCH_BASE_URL": "http://gpu-box:8000/v1", "WORKBENCH_API_KEY_ENV": "KEY"}
    settings = from_environment(args, environ)
    assert (settings.engine, settings.base_url, settings.remote) == (
        "openai",
        "http://gpu-box:8000/v1",
        "http://gpu-box:8000/v1",
    )
    assert (settings.api_model, settings.api_key_env, settings.request_timeout) == (
        "qwen",
        "KEY",
        30,
    )
    assert Settings().remote == ""


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], 2),  # no CUDA GPU: llama.cpp, with its 2 slots
        (["--engine", "transformers"], 1),
        (["--engine", "openai", "--base-url", "http://gpu-box:8000/v1"], 8),
        (["--engine", "openai", "--base-url", "http://gpu-box:8000/v1", "--concurrency", "3"], 3),
        (["--concurrency", "2"], 2),
    ],
)
def test_questions_at_once_default_to_8_remote_2_llamacpp_and_1_in_process(
    argv, expected, monkeypatch: pytest.MonkeyPatch
) -> None:
    import launch
    from workbench.engines import choice

    monkeypatch.setattr(choice, "cuda_usable", lambda: False)
    monkeypatch.setattr(choice, "apple_silicon", lambda: False)

    args = launch.parse_args(argv)
    assert launch.questions_at_once(args, from_environment(args, {})) == expected
