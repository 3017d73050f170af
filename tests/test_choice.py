"""`--engine auto`: the engine by the model, then by the hardware; and why, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.engines import choice
from workbench.engines.choice import EngineChoice, choose_engine
from workbench.engines.gguf import DEFAULT_GGUF_REPO
from workbench.session import ModelSession
from workbench.settings import DEFAULT_MODEL, Settings

GGUF_REPO = "someone/Some-VL-GGUF"


@pytest.fixture
def gguf_file(tmp_path: Path) -> Path:
    path = tmp_path / "model-Q4_K_M.gguf"
    path.write_bytes(b"GGUF")
    return path


@pytest.mark.parametrize(
    ("engine", "model", "cuda", "expected"),
    [
        # No --model (or tiny): by the hardware.
        ("auto", DEFAULT_MODEL, True,
         EngineChoice("transformers", DEFAULT_MODEL, "engine.reason.cuda")),
        ("auto", DEFAULT_MODEL, False,
         EngineChoice("llamacpp", DEFAULT_GGUF_REPO, "engine.reason.cpu")),
        ("auto", "tiny", True, EngineChoice("transformers", "tiny", "engine.reason.cuda")),
        ("auto", "tiny", False, EngineChoice("llamacpp", "tiny", "engine.reason.cpu")),
        # A --model: the engine that reads it, whatever the hardware.
        ("auto", GGUF_REPO, True, EngineChoice("llamacpp", GGUF_REPO, "engine.reason.gguf")),
        ("auto", "Qwen/Qwen3-VL-2B-Instruct", False,
         EngineChoice("transformers", "Qwen/Qwen3-VL-2B-Instruct", "engine.reason.checkpoint")),
        # Asked for: as asked; llama.cpp without a --model takes the GGUF repo.
        ("transformers", DEFAULT_MODEL, False,
         EngineChoice("transformers", DEFAULT_MODEL, "engine.reason.asked")),
        ("llamacpp", DEFAULT_MODEL, True,
         EngineChoice("llamacpp", DEFAULT_GGUF_REPO, "engine.reason.asked")),
        ("llamacpp", "tiny", True, EngineChoice("llamacpp", "tiny", "engine.reason.asked")),
    ],
)  # fmt: skip
def test_auto_picks_by_the_model_then_the_hardware(
    monkeypatch: pytest.MonkeyPatch, engine: str, model: str, cuda: bool, expected: EngineChoice
) -> None:
    monkeypatch.setattr(choice, "cuda_usable", lambda: cuda)
    monkeypatch.setattr(choice, "apple_silicon", lambda: False)
    assert choose_engine(Settings(engine=engine, model=model)) == expected


def test_a_local_gguf_file_goes_to_llamacpp(gguf_file: Path) -> None:
    chosen = choose_engine(Settings(model=str(gguf_file)))
    assert (chosen.engine, chosen.reason) == ("llamacpp", "engine.reason.gguf")


def test_apple_silicon_gets_llamacpp_on_metal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "cuda_usable", lambda: False)
    monkeypatch.setattr(choice, "apple_silicon", lambda: True)
    assert choose_engine(Settings()).reason == "engine.reason.apple"


def test_a_device_flag_decides_without_probing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice, "cuda_usable", lambda: pytest.fail("probed"))
    assert choose_engine(Settings(device="cuda")).engine == "transformers"
    assert choose_engine(Settings(device="cpu")).engine == "llamacpp"


def test_the_remote_engine_is_never_chosen_for_you() -> None:
    remote = Settings(engine="openai", base_url="http://127.0.0.1:1/v1")
    assert choose_engine(remote) == EngineChoice("openai", DEFAULT_MODEL, "engine.reason.asked")


def test_cuda_is_not_usable_without_a_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(choice.Path, "exists", lambda self: False)
    monkeypatch.setattr(choice.shutil, "which", lambda name: None)
    assert choice.cuda_usable() is False


def test_the_status_says_which_engine_and_why_before_loading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(choice, "cuda_usable", lambda: False)
    monkeypatch.setattr(choice, "apple_silicon", lambda: False)
    status = ModelSession(Settings()).status
    assert (status.engine, status.model) == ("llamacpp", DEFAULT_GGUF_REPO)
    assert status.engine_line("en") == (
        "engine: llamacpp, no CUDA GPU: llama.cpp answers fastest on a CPU"
    )
    assert status.engine_line("zh") == "引擎：llamacpp，没有 CUDA GPU：llama.cpp 在 CPU 上回答最快"
