"""Compatibility patches: each one on, off, applied twice, and logged once when it applies."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from workbench.engines import patches, tiny
from workbench.engines.patches import IncompatibleTransformers

LOGGER = "workbench.engines.patches"


def _patch_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


# ---------------------------------------------------------------- processor_without_video


@pytest.mark.parametrize(
    ("model_type", "has_torchvision", "applies"),
    [
        ("qwen3_vl", False, True),
        ("qwen3_vl_moe", False, True),
        ("qwen3_vl", True, False),
        ("qwen3_vl_moe", True, False),
        ("qwen2_5_vl", False, False),
        ("llava", False, False),
        ("", False, False),
    ],
)
def test_processor_without_video(
    model_type: str, has_torchvision: bool, applies: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=LOGGER):
        first = patches.processor_without_video(model_type, has_torchvision=has_torchvision)
        assert len(_patch_logs(caplog)) == (1 if applies else 0)
        second = patches.processor_without_video(model_type, has_torchvision=has_torchvision)

    assert first == second
    if applies:
        assert first is not None and first.name == "processor_without_video"
        assert "torchvision" in first.why
        assert "processor_without_video" in _patch_logs(caplog)[0]
    else:
        assert first is None
        assert _patch_logs(caplog) == []


@pytest.mark.parametrize("torchvision_imports", [True, False])
def test_processor_without_video_asks_torchvision_when_not_told(
    torchvision_imports: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patches, "torchvision_works", lambda: torchvision_imports)
    applied = patches.processor_without_video("qwen3_vl")
    assert (applied is not None) == (not torchvision_imports)


@pytest.fixture(scope="module")
def image_only_processor(cache_dir: Path) -> Any:
    """Return the image-only Qwen3-VL processor, loaded from the tiny model's files."""
    model_dir = tiny.ensure_tiny_model(cache_dir)
    return patches.image_only_processor_class().from_pretrained(model_dir)


def test_image_only_processor_class_is_built_once() -> None:
    assert patches.image_only_processor_class() is patches.image_only_processor_class()


def test_image_only_processor_has_no_video_processor(image_only_processor: Any) -> None:
    assert getattr(image_only_processor, "video_processor", None) is None


@pytest.mark.parametrize(
    "videos",
    [
        [[Image.new("RGB", (32, 32))] * 2],
        [],  # even an empty list is a request for video
    ],
)
def test_image_only_processor_refuses_video(image_only_processor: Any, videos: list) -> None:
    with pytest.raises(ValueError, match="torchvision"):
        image_only_processor(text=["<|vision_start|><|video_pad|><|vision_end|>"], videos=videos)


@pytest.mark.parametrize(
    ("size", "grid"),
    [
        ((64, 64), (1, 16, 16)),  # upscaled to the tiny model's 64-token minimum
        ((512, 256), (1, 16, 32)),
    ],
)
def test_image_only_processor_still_processes_an_image(
    image_only_processor: Any, size: tuple[int, int], grid: tuple[int, int, int]
) -> None:
    out = image_only_processor(
        images=[Image.new("RGB", size, "red")],
        text=["<|vision_start|><|image_pad|><|vision_end|>What is this?"],
        return_tensors="pt",
    )
    image_pad = image_only_processor.tokenizer.convert_tokens_to_ids("<|image_pad|>")
    patches_count = grid[0] * grid[1] * grid[2]

    assert out["image_grid_thw"].tolist() == [list(grid)]
    assert out["pixel_values"].shape[0] == patches_count
    assert int((out["input_ids"] == image_pad).sum()) == patches_count // 4  # 2×2 merge


# ---------------------------------------------------------------- writable_hub_cache


def test_writable_hub_cache_keeps_a_writable_directory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hub, fallback = tmp_path / "hub", tmp_path / "fallback"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        for _ in range(2):
            assert patches.writable_hub_cache(hub, fallback) == (hub, None)
    assert hub.is_dir()
    assert not fallback.exists()
    assert _patch_logs(caplog) == []


def test_writable_hub_cache_falls_back_when_it_cannot_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Root ignores permission bits, so make a directory that cannot exist: one under a file.
    (tmp_path / "file").write_text("not a directory")
    hub, fallback = tmp_path / "file" / "hub", tmp_path / "cache" / "hub"
    with caplog.at_level(logging.INFO, logger=LOGGER):
        first = patches.writable_hub_cache(hub, fallback)
        assert len(_patch_logs(caplog)) == 1
        second = patches.writable_hub_cache(hub, fallback)

    assert first == second
    path, patch = first
    assert path == fallback and fallback.is_dir()
    assert patch is not None and patch.name == "writable_hub_cache"
    assert str(hub) in patch.why and str(fallback) in patch.why
    assert "writable_hub_cache" in _patch_logs(caplog)[0]


# ---------------------------------------------------------------- require_transformers_for


@pytest.mark.parametrize(
    ("model_type", "installed"),
    [
        ("qwen3_vl", "4.56.0"),
        ("qwen3_vl_moe", "4.56.2"),
        ("qwen3_vl", "4.45.0"),
        ("qwen3_vl", "4.57.0.dev0"),
    ],
)
def test_require_transformers_refuses_old_versions(model_type: str, installed: str) -> None:
    with pytest.raises(IncompatibleTransformers, match=r"4\.57\.0") as error:
        patches.require_transformers_for(model_type, installed=installed)
    assert installed in str(error.value)
    assert "pip install" in str(error.value)


@pytest.mark.parametrize(
    ("model_type", "installed"),
    [
        ("qwen3_vl", "4.57.0"),
        ("qwen3_vl", "5.23.0"),
        ("qwen3_vl_moe", "5.0.0"),
        ("qwen2_5_vl", "4.56.0"),
        ("llava", "4.0.0"),
        ("qwen3_vl", None),  # the installed transformers (5.x here)
    ],
)
def test_require_transformers_passes(model_type: str, installed: str | None) -> None:
    for _ in range(2):
        assert patches.require_transformers_for(model_type, installed=installed) is None


# ---------------------------------------------------------------- pad_token_to_eos


class _Tokenizer:
    """A stand-in tokenizer: setting `pad_token` sets `pad_token_id`, as transformers' does."""

    def __init__(self, pad_token: str | None, eos_token: str | None) -> None:
        self.vocab = {"<eos>": 2, "<pad>": 0}
        self.eos_token = eos_token
        self.pad_token = pad_token

    @property
    def pad_token(self) -> str | None:
        return self._pad_token

    @pad_token.setter
    def pad_token(self, token: str | None) -> None:
        self._pad_token = token
        self.pad_token_id = None if token is None else self.vocab[token]


class _GenerationConfig:
    def __init__(self, pad_token_id: int | None) -> None:
        self.pad_token_id = pad_token_id


@pytest.mark.parametrize(
    ("tokenizer_pad", "config_pad", "eos", "expected_pads", "applies"),
    [
        (None, None, "<eos>", (2, 2), True),  # no pad anywhere: eos everywhere
        (None, 0, "<eos>", (2, 0), True),  # the tokenizer gets eos; the config keeps its own
        ("<pad>", None, "<eos>", (0, 0), True),  # the config takes the tokenizer's pad
        ("<pad>", 0, "<eos>", (0, 0), False),  # both set: off
        (None, None, None, (None, None), False),  # no eos to use either: off
    ],
)
def test_pad_token_to_eos(
    tokenizer_pad: str | None,
    config_pad: int | None,
    eos: str | None,
    expected_pads: tuple[int | None, int | None],
    applies: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tokenizer, config = _Tokenizer(tokenizer_pad, eos), _GenerationConfig(config_pad)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        first = patches.pad_token_to_eos(tokenizer, config)
        assert len(_patch_logs(caplog)) == (1 if applies else 0)
        second = patches.pad_token_to_eos(tokenizer, config)

    assert (tokenizer.pad_token_id, config.pad_token_id) == expected_pads
    assert (first.name if first else None) == ("pad_token_to_eos" if applies else None)
    assert second is None
    assert len(_patch_logs(caplog)) == (1 if applies else 0)


def test_pad_token_to_eos_on_the_tiny_tokenizer(cache_dir: Path) -> None:
    from transformers import AutoTokenizer, GenerationConfig

    tokenizer = AutoTokenizer.from_pretrained(tiny.ensure_tiny_model(cache_dir))
    tokenizer.pad_token = None
    config = GenerationConfig()
    assert (tokenizer.pad_token_id, config.pad_token_id) == (None, None)

    assert patches.pad_token_to_eos(tokenizer, config) is not None
    eos_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert (tokenizer.pad_token_id, config.pad_token_id) == (eos_id, eos_id)
    assert patches.pad_token_to_eos(tokenizer, config) is None
