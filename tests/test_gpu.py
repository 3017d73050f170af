"""The CUDA path: load, stream, Stop, strict decoding and 4-bit weights. Runs only with a GPU.

Each test loads the tiny model onto the GPU, so a tensor left on the CPU anywhere in generation
(stopping criteria, logits processors, inputs) fails here as it would for a real user.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
import torch
from PIL import Image

from workbench.engines.base import GenerationParams
from workbench.engines.strict import strict_support
from workbench.session import ModelSession
from workbench.settings import Settings

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; none here"),
]
SCHEMA = {
    "type": "object",
    "properties": {"total": {"type": "number", "minimum": 0, "maximum": 999}},
    "required": ["total"],
    "additionalProperties": False,
}


def _messages() -> list[dict]:
    image = Image.new("RGB", (512, 512), "white")
    question = {"type": "text", "text": "What is the total?"}
    return [{"role": "user", "content": [{"type": "image", "image": image}, question]}]


@pytest.fixture(scope="module")
def cuda_session(cache_dir) -> ModelSession:
    session = ModelSession(Settings(model="tiny", engine="transformers", cache_dir=cache_dir))
    session.get()
    return session


def test_tiny_loads_in_bf16_on_cuda(cuda_session):
    status = cuda_session.status
    assert (status.device, status.dtype) == ("cuda", "bfloat16")
    assert status.visual_tokens == (256, 1280)  # the GPU budget
    assert cuda_session.get().model.device.type == "cuda"


def test_streams_on_cuda(cuda_session):
    generation = cuda_session.stream(_messages(), GenerationParams(temperature=0, max_new_tokens=8))
    pieces = list(generation)
    assert "".join(pieces) == generation.text
    stats = generation.stats
    assert stats.visual_tokens == 256
    assert 1 <= stats.generated_tokens <= 8 and stats.finish_reason in ("stop", "length")
    assert cuda_session.prefill_rate and cuda_session.prefill_rate > 0


def test_stop_on_cuda(cuda_session):
    # Stopped before the first step: on a GPU the tiny model can decode all 400 tokens before
    # the consumer thread sees its third piece, so stopping mid-stream would race the model.
    params = GenerationParams(temperature=0, max_new_tokens=400)
    generation = cuda_session.stream(_messages(), params)
    generation.stop()
    generation.run()
    assert generation.stats.finish_reason == "cancelled"
    assert generation.stats.generated_tokens <= 2


@pytest.mark.skipif(
    not strict_support("transformers").available, reason=strict_support("transformers").reason
)
def test_strict_decoding_on_cuda(cuda_session):
    params = GenerationParams(temperature=0, max_new_tokens=64, json_schema=SCHEMA)
    generation = cuda_session.stream(_messages(), params)
    text = generation.run()
    if generation.stats.finish_reason == "stop":  # complete: valid by construction
        assert set(json.loads(text)) == {"total"}


@pytest.mark.skipif(
    importlib.util.find_spec("bitsandbytes") is None,
    reason="4-bit weights need bitsandbytes: pip install -r requirements-gpu.txt",
)
def test_4bit_loads_and_answers_on_cuda(cache_dir):
    session = ModelSession(
        Settings(model="tiny", engine="transformers", cache_dir=cache_dir, quantization="4bit")
    )
    generation = session.stream(_messages(), GenerationParams(temperature=0, max_new_tokens=8))
    generation.run()
    assert generation.stats.generated_tokens >= 1
    model = session.get().model
    assert getattr(model, "is_loaded_in_4bit", False)
    session.unload()
