"""The model session: lazy, one load under concurrency, clear failures, status, unload."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from PIL import Image

from workbench.engine import GenerationParams, ModelLoadError
from workbench.session import ModelSession, Status
from workbench.settings import Settings


def _ask(session: ModelSession) -> int:
    image = Image.new("RGB", (256, 256), "white")
    messages = [{"role": "user", "content": [{"type": "image", "image": image}]}]
    generation = session.stream(messages, GenerationParams(temperature=0, max_new_tokens=4))
    generation.run()
    return generation.stats.generated_tokens


def test_import_workbench_loads_no_heavy_library():
    code = (
        "import sys, workbench, workbench.session, workbench.cli, workbench.settings\n"
        "heavy = [m for m in ('torch', 'transformers', 'gradio') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_session_starts_idle_and_lazy(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    assert not session.loaded
    assert session.status.state == "idle"
    assert "not loaded" in session.status.describe()
    assert session.load_count == 0


def test_four_cold_callers_cause_one_load(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    answered: list[int] = []
    barrier = threading.Barrier(4)

    def caller() -> None:
        barrier.wait()
        answered.append(_ask(session))

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert session.load_count == 1
    assert len(answered) == 4 and all(answered)


def test_ready_status_names_device_patches_and_random_weights(tiny_session):
    status = tiny_session.status
    assert status.state == "ready"
    assert status.device == tiny_session.get().model.device.type
    assert status.dtype in ("bfloat16", "float16", "float32")
    assert status.dtype_reason.startswith("auto: ")
    assert f"in {status.dtype} ({status.dtype_reason})" in status.describe()
    assert f"up to {status.visual_tokens[1]:,} visual tokens" in status.describe()
    assert status.load_seconds is not None and status.load_seconds > 0
    assert status.random_weights
    line = status.describe()
    assert "random weights" in line and "noise" in line
    assert all(patch.name in line for patch in status.patches)


def test_offline_hub_id_fails_clearly_then_tiny_works(cache_dir):
    session = ModelSession(Settings(model="Qwen/Qwen3-VL-4B-Instruct", cache_dir=cache_dir))
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert "--model tiny" in caught.value.hint
    assert session.status.state == "failed"
    assert "Qwen/Qwen3-VL-4B-Instruct" in session.status.error
    assert not session.loaded
    # The same session stays usable: switch to tiny and answer.
    session.switch(Settings(model="tiny", cache_dir=cache_dir))
    assert session.status.state == "idle"
    assert _ask(session) >= 1
    assert session.status.state == "ready"


def test_a_failed_load_is_retried(cache_dir, tmp_path):
    missing = tmp_path / "no-model-here"
    session = ModelSession(Settings(model=str(missing), cache_dir=cache_dir))
    for attempt in (1, 2):
        with pytest.raises(ModelLoadError, match=f"no model directory at {missing}"):
            session.get()
        assert session.load_count == attempt


def test_missing_local_directory_names_it(cache_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    session = ModelSession(Settings(model=str(tmp_path / "empty"), cache_dir=cache_dir))
    with pytest.raises(ModelLoadError) as caught:
        session.get()
    assert str(tmp_path / "empty") in caught.value.reason
    assert "checkpoint" in caught.value.hint


def test_unload_frees_and_next_call_reloads(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    _ask(session)
    session.unload()
    assert not session.loaded
    assert session.status.state == "idle"
    _ask(session)
    assert session.load_count == 2


def test_unavailable_device_is_a_clear_failure(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir, device="cuda"))
    with pytest.raises(ModelLoadError, match="cuda"):
        session.get()
    assert "--device" in session.status.hint


def test_quantization_off_cuda_is_a_clear_failure(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir, quantization="4bit"))
    with pytest.raises(ModelLoadError, match="CUDA"):
        session.get()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Status("idle", "m"), "m: not loaded yet (loads on the first question)"),
        (
            Status("loading", "m", stage="reading the model config"),
            "m: loading, reading the model config…",
        ),
        (
            Status("failed", "m", error="No config.", hint="Fix it."),
            "m: failed to load. No config. Fix it.",
        ),
        (
            Status("ready", "m", device="cuda", dtype="bfloat16", load_seconds=12.34),
            "m: ready on cuda in bfloat16, loaded in 12.3 s",
        ),
    ],
)
def test_status_lines(status, expected):
    assert status.describe() == expected


@pytest.mark.cpu
def test_cpu_defaults_budget_and_dtype(tiny_session):
    from workbench.budget import CPU_BUDGET
    from workbench.sizing import cpu_bf16_feature

    status = tiny_session.status
    assert status.device == "cpu"
    assert status.visual_tokens == CPU_BUDGET
    native = cpu_bf16_feature()
    assert status.dtype == "bfloat16"
    assert (native or "no native bf16") in status.dtype_reason


def test_prefill_rate_is_measured_from_answers_with_an_image(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    assert session.prefill_rate is None
    text_only = [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]
    session.stream(text_only, GenerationParams(max_new_tokens=2)).run()
    assert session.prefill_rate is None  # no image: not the rate the cost line needs
    assert _ask(session) >= 1
    assert session.prefill_rate is not None and session.prefill_rate > 0
    image = Image.new("RGB", (320, 320), "white")
    messages = [{"role": "user", "content": [{"type": "image", "image": image}]}]
    generation = session.stream(messages, GenerationParams(max_new_tokens=2))
    generation.run()
    stats = generation.stats
    assert session.prefill_rate == pytest.approx(stats.prompt_tokens / stats.time_to_first_token)
