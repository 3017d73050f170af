"""The model session: lazy, one load under concurrency, clear failures, status, unload."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from PIL import Image

from workbench import session as session_module
from workbench.engines.base import GenerationParams, LoadedInfo, ModelLoadError
from workbench.engines.patches import Patch
from workbench.session import RANDOM_WEIGHTS_WARNING, ModelSession, Status
from workbench.settings import Settings


def _ask(session: ModelSession) -> int:
    image = Image.new("RGB", (256, 256), "white")
    messages = [{"role": "user", "content": [{"type": "image", "image": image}]}]
    generation = session.stream(messages, GenerationParams(temperature=0, max_new_tokens=4))
    generation.run()
    return generation.stats.generated_tokens


def test_session_starts_idle_and_lazy(cache_dir):
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
    assert not session.loaded
    assert session.status.state == "idle"
    assert "not loaded" in session.status.describe()
    assert session.load_count == 0


def test_four_cold_callers_cause_one_load(cache_dir):
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
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
    session.switch(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
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
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
    _ask(session)
    session.unload()
    assert not session.loaded
    assert session.status.state == "idle"
    _ask(session)
    assert session.load_count == 2


def test_unavailable_device_is_a_clear_failure(cache_dir):
    session = ModelSession(
        Settings(model="tiny", engine="transformers", cache_dir=cache_dir, device="cuda")
    )
    with pytest.raises(ModelLoadError, match="cuda"):
        session.get()
    assert "--device" in session.status.hint


def test_quantization_off_cuda_is_a_clear_failure(cache_dir):
    session = ModelSession(
        Settings(model="tiny", engine="transformers", cache_dir=cache_dir, quantization="4bit")
    )
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


READY = Status(
    "ready",
    "tiny",
    device="cpu",
    dtype="bfloat16",
    dtype_reason="auto: native bf16",
    visual_tokens=(256, 384),
    load_seconds=4.21,
    patches=(Patch("processor_without_video", "no torchvision"),),
    random_weights=True,
)


@pytest.mark.parametrize(
    ("status", "summary", "details"),
    [
        (Status("idle", "m"), "m · loads on the first question", ""),
        (
            Status("loading", "m", stage="reading the config"),
            "m · loading: reading the config…",
            "",
        ),
        (
            Status("failed", "m", error="No config.", hint="Fix it."),
            "m · could not load: No config. Fix it.",
            "",
        ),
        (
            Status("ready", "m", device="cuda", dtype="bfloat16", load_seconds=12.34),
            "m · ready on GPU (cuda) · 12.3 s to load",
            "bfloat16",
        ),
        # Jargon (the dtype's reason, the budget, patches) stays out of the summary.
        (
            READY,
            f"tiny · ready on CPU · 4.2 s to load · ⚠ {RANDOM_WEIGHTS_WARNING}",
            "bfloat16 (auto: native bf16); images up to 384 visual tokens; "
            "patches: processor_without_video",
        ),
    ],
)
def test_status_summary_is_plain_and_the_details_sit_behind_it(status, summary, details):
    assert (status.summary(), status.details()) == (summary, details)


REMOTE = Status(
    "ready",
    "m",
    remote="http://x",
    served_by="vllm",
    visual_tokens=(1, 16384),
    random_weights=True,
    load_seconds=1.0,
)
WARNING_ZH = "随机权重（tiny）：回答只是噪声，并不是对图片的读取"


@pytest.mark.parametrize(
    ("status", "summary", "details"),
    [
        (Status("idle", "m"), "m · 首次提问时加载", ""),
        (
            Status("failed", "m", error="No config.", hint="Fix it."),
            "m · 无法加载：No config. Fix it.",
            "",
        ),
        (
            Status("ready", "m", device="cuda", dtype="bfloat16", load_seconds=12.34),
            "m · 已在 GPU (cuda) 上就绪 · 加载用时 12.3 s",
            "bfloat16",
        ),
        (
            READY,
            f"tiny · 已在 CPU 上就绪 · 加载用时 4.2 s · ⚠ {WARNING_ZH}",
            "bfloat16（auto: native bf16）；图片最多 384 个视觉 token；"
            "兼容补丁：processor_without_video",
        ),
        (Status("idle", "m", remote="http://x"), "远程：http://x · 尚未连接", ""),
        (Status("loading", "m", remote="http://x"), "远程：http://x · 正在连接…", ""),
        (
            Status("failed", "m", remote="http://x", error="down.", hint="Start it."),
            "远程：http://x · down. Start it.",
            "",
        ),
        (
            REMOTE,
            f"远程：http://x · 模型 m · 可连接 · ⚠ {WARNING_ZH}",
            "服务端：vllm；按 JSON 结构约束解码；图片最多 16,384 个视觉 token",
        ),
        (
            Status("ready", "m", remote="http://x", constrains_schema=False, load_seconds=1.0),
            "远程：http://x · 模型 m · 可连接",
            "服务端：?；不按 JSON 结构约束解码；图片最多 0 个视觉 token",
        ),
    ],
)
def test_status_summary_and_details_in_chinese(status, summary, details):
    assert (status.summary("zh"), status.details("zh")) == (summary, details)
    # A language the table has no words for is English.
    assert (status.summary("fr"), status.details("fr")) == (status.summary(), status.details())


def test_remote_status_in_english():
    assert REMOTE.summary() == (
        "remote: http://x · model m · reachable · "
        "⚠ random weights (tiny): answers are noise, not readings of the image"
    )
    assert REMOTE.details() == (
        "served by vllm; holds decoding to a JSON schema; images up to 16,384 visual tokens"
    )
    assert REMOTE.describe() == REMOTE.summary()


@pytest.mark.parametrize(
    ("stage", "chinese"),
    [
        ("importing torch and transformers", "导入 torch 和 transformers"),
        ("reading the model config", "读取模型配置"),
        ("checking that the model fits in memory", "检查内存是否放得下模型"),
        ("loading the processor", "加载处理器"),
        ("loading the weights onto cuda:0 (bfloat16)", "把权重加载到 cuda:0 (bfloat16)"),
        ("building the tiny random model", "构建随机初始化的小模型"),
        ("asking http://x/v1 for its models", "asking http://x/v1 for its models"),  # as it is
    ],
)
def test_loading_stages_in_both_languages(stage, chinese):
    status = Status("loading", "m", stage=stage)
    assert status.summary() == f"m · loading: {stage}…"
    assert status.summary("zh") == f"m · 正在加载：{chinese}…"


@pytest.mark.cpu
def test_cpu_defaults_budget_and_dtype(tiny_session):
    from workbench.budget import CPU_BUDGET
    from workbench.engines.sizing import cpu_bf16_feature

    status = tiny_session.status
    assert status.device == "cpu"
    assert status.visual_tokens == CPU_BUDGET
    native = cpu_bf16_feature()
    assert status.dtype == "bfloat16"
    assert (native or "no native bf16") in status.dtype_reason


def test_prefill_rate_is_measured_from_answers_with_an_image(cache_dir):
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
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


# ---------------------------------------------------------------- loading(): stages while loading


@dataclass
class _FakeEngine:
    info: LoadedInfo
    name: str = "fake"

    def unload(self) -> None:
        pass


class _SlowLoad:
    """Stands in for the engine's load: reports each stage, sleeps, then fails or returns."""

    def __init__(self, stages: list[str], seconds: float, failure: Exception | None) -> None:
        self.stages, self.seconds, self.failure = stages, seconds, failure
        self.calls = 0

    def __call__(self, settings: Settings, report) -> _FakeEngine:
        self.calls += 1
        for stage in self.stages:
            report(stage)
            time.sleep(self.seconds)
        if self.failure is not None:
            raise self.failure
        return _FakeEngine(LoadedInfo("cpu", "float32", "sdpa", random_weights=False))


@pytest.fixture
def slow_load(monkeypatch):
    """Return a function that makes the session's engine load a `_SlowLoad`."""

    def install(stages: list[str], seconds: float, failure: Exception | None = None) -> _SlowLoad:
        load = _SlowLoad(stages, seconds, failure)
        monkeypatch.setattr(session_module, "_load_engine", load)
        return load

    return install


@pytest.mark.parametrize(
    ("stages", "failure", "last", "error"),
    [
        (["a", "b", "c"], None, "ready", None),
        (["config", "weights"], ModelLoadError("No config.", "Fix it."), "failed", "No config."),
        (["config"], KeyError("vocab"), "failed", "KeyError: 'vocab'"),
        ([], None, "ready", None),  # a load with no stage still yields its end
    ],
    ids=["ready", "load-error", "other-error", "no-stages"],
)
def test_loading_yields_each_stage_then_the_end(slow_load, stages, failure, last, error):
    load = slow_load(stages, seconds=0.15, failure=failure)
    session = ModelSession(Settings(model="fake"))
    seen: list[Status] = []
    if error is None:
        seen.extend(session.loading(poll_seconds=0.05))
    else:
        with pytest.raises(ModelLoadError, match=error):
            seen.extend(session.loading(poll_seconds=0.05))
    assert [status.state for status in seen[:-1]] == ["loading"] * (len(seen) - 1)
    assert seen[-1].state == last and seen[-1] is session.status
    assert list(dict.fromkeys(status.stage for status in seen[:-1])) == stages
    # Polled between stage changes too: about three polls per 0.15 s stage.
    assert len(seen) - 1 >= 2 * len(stages)
    assert load.calls == 1 and session.loaded == (error is None)


def test_loading_a_loaded_model_yields_nothing(slow_load):
    load = slow_load(["a"], seconds=0.0)
    session = ModelSession(Settings(model="fake"))
    session.get()
    assert list(session.loading()) == []
    assert load.calls == 1


@pytest.mark.parametrize("poll_seconds", [0, -1.0, float("nan")])
def test_loading_refuses_a_poll_that_would_spin(poll_seconds):
    session = ModelSession(Settings(model="fake"))
    with pytest.raises(ValueError, match="poll_seconds"):
        next(session.loading(poll_seconds))
    assert session.load_count == 0


def test_loading_a_retry_does_not_show_the_old_failure_first(slow_load):
    slow_load(["a"], seconds=0.2, failure=ModelLoadError("Broken."))
    session = ModelSession(Settings(model="fake"))
    with pytest.raises(ModelLoadError):
        list(session.loading(poll_seconds=0.5))
    assert session.status.state == "failed"
    slow_load(["a", "b"], seconds=0.2)
    seen = list(session.loading(poll_seconds=0.5))
    assert [status.state for status in seen] == ["loading", "loading", "ready"]


def test_loading_from_four_callers_causes_one_load(slow_load):
    load = slow_load(["a", "b"], seconds=0.2)
    session = ModelSession(Settings(model="fake"))
    barrier = threading.Barrier(4)
    seen: list[list[Status]] = []

    def caller() -> None:
        barrier.wait()
        seen.append(list(session.loading(poll_seconds=0.05)))

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert load.calls == 1 and session.load_count == 1
    assert len(seen) == 4
    assert all(statuses and statuses[-1].state == "ready" for statuses in seen)
    assert all(status.state == "loading" for statuses in seen for status in statuses[:-1])


def test_loading_the_tiny_model_shows_its_stages(cache_dir):
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
    seen = list(session.loading())
    assert session.loaded and session.load_count == 1
    assert seen[-1].state == "ready" and seen[-1].random_weights
    stages = [status.stage for status in seen if status.state == "loading"]
    assert stages and stages[-1].startswith("loading the weights onto ")
    assert list(session.loading()) == []
