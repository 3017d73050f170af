"""The CUDA path: bf16, device_map="auto" with a max_memory headroom. Runs only with a GPU."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from workbench.engine import GenerationParams
from workbench.session import ModelSession
from workbench.settings import Settings

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU; none here"),
]


def _ask(session: ModelSession) -> int:
    image = Image.new("RGB", (512, 512), "white")
    messages = [{"role": "user", "content": [{"type": "image", "image": image}]}]
    generation = session.stream(messages, GenerationParams(temperature=0, max_new_tokens=8))
    generation.run()
    return generation.stats.generated_tokens


def test_tiny_loads_in_bf16_on_cuda_and_answers(cache_dir):
    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    assert _ask(session) >= 1
    status = session.status
    assert (status.device, status.dtype) == ("cuda", "bfloat16")
    assert session.get().model.device.type == "cuda"
