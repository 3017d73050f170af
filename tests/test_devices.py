"""Everything the workbench makes during generation lives on the model's device.

Driven on the `meta` device: a tensor left on the CPU raises "Tensor on device cpu is not on
the expected device meta!", as it would on CUDA, so a device bug fails here without a GPU.
"""

from __future__ import annotations

import threading

import pytest
import torch
from PIL import Image
from transformers import MaxLengthCriteria, StoppingCriteriaList

from workbench.engines import transformers as transformers_engine
from workbench.engines.base import GenerationParams, LoadedInfo
from workbench.engines.strict import strict_support
from workbench.engines.transformers import TransformersEngine, _StopOnEvent

META = torch.device("meta")
needs_xgrammar = pytest.mark.skipif(
    not strict_support("transformers").available, reason="no xgrammar"
)
SCHEMA = {
    "type": "object",
    "properties": {"total": {"type": "number", "minimum": 0, "maximum": 999}},
    "required": ["total"],
}


@pytest.mark.parametrize("stopped", [False, True])
def test_stop_criterion_lives_on_the_ids_device(stopped):
    event = threading.Event()
    if stopped:
        event.set()
    ids = torch.zeros((1, 7), dtype=torch.long, device=META)
    scores = torch.zeros((1, 32), device=META)
    # transformers ORs each criterion into its own flags, made on the ids' device.
    done = StoppingCriteriaList([MaxLengthCriteria(max_length=64), _StopOnEvent(event)])(
        ids, scores
    )
    assert done.device == META and done.shape == (1,)
    cpu_done = _StopOnEvent(event)(torch.zeros((1, 7), dtype=torch.long), torch.zeros((1, 32)))
    assert cpu_done.tolist() == [stopped]


class _MetaModel:
    """Stands in for a model on an accelerator: checks what generate is given, on `meta`."""

    device = META

    def __init__(self, config) -> None:
        self.config = config
        self.seen: dict = {}

    def generate(self, **kwargs):
        ids = kwargs["input_ids"]
        self.seen = {
            name: value.device for name, value in kwargs.items() if isinstance(value, torch.Tensor)
        }
        scores = torch.zeros((1, self.config.get_text_config().vocab_size), device=META)
        for processor in kwargs["logits_processor"]:
            scores = processor(ids, scores)
        self.seen["scores"] = scores.device
        self.seen["stop"] = kwargs["stopping_criteria"](ids, scores).device
        kwargs["streamer"].end()
        return torch.zeros((1, ids.shape[1] + 3), dtype=torch.long, device=META)


@pytest.fixture(scope="module")
def meta_engine(tiny_session):
    real = tiny_session.get()
    info = LoadedInfo("meta", "float32", "sdpa", random_weights=True)
    return TransformersEngine(_MetaModel(real.model.config), real.processor, info)


@pytest.fixture
def copied_out(monkeypatch) -> dict:
    """Where the answer's ids and log-probabilities were when copied to the CPU, once, at the
    end (a meta tensor cannot be copied: the copies are recorded, not made)."""
    seen: dict = {}

    def logprobs(chosen, generated):
        seen["logprobs"] = {chosen._last.device, *(each.device for each in chosen._picked)}
        return []

    def token_texts(tokenizer, ids, logprobs):
        seen["ids"] = ids.device
        return []

    monkeypatch.setattr(transformers_engine._ChosenLogprobs, "logprobs", logprobs)
    monkeypatch.setattr(transformers_engine, "token_texts", token_texts)
    return seen


@pytest.mark.parametrize("strict", [False, pytest.param(True, marks=needs_xgrammar)])
def test_generate_gets_everything_on_the_model_device(meta_engine, copied_out, strict):
    image = Image.new("RGB", (320, 320), "white")
    messages = [{"role": "user", "content": [{"type": "image", "image": image}]}]
    schema = SCHEMA if strict else None
    params = GenerationParams(max_new_tokens=3, json_schema=schema, visual_tokens=(64, 576))
    generation = meta_engine.stream(messages, params)
    generation.run()
    seen = meta_engine.model.seen
    assert {"input_ids", "attention_mask", "pixel_values", "scores", "stop"} <= set(seen)
    assert set(seen.values()) == {META}, seen
    assert generation.stats.visual_tokens == 100  # counted before the move: 320/32 squared
    assert generation.stats.generated_tokens == 3
    assert copied_out == {"logprobs": {META}, "ids": META}  # kept on the device until the end


@needs_xgrammar
def test_schema_mask_applies_on_the_logits_device(tiny_session):
    constraint = tiny_session.get()._constraint
    vocab_size = tiny_session.get().model.config.get_text_config().vocab_size
    [meta_mask] = constraint(SCHEMA)
    ids = torch.zeros((1, 5), dtype=torch.long)
    assert meta_mask(ids.to(META), torch.zeros((1, vocab_size), device=META)).device == META
    [cpu_mask] = constraint(SCHEMA)
    allowed = cpu_mask(ids, torch.zeros((1, vocab_size))) > float("-inf")
    # A JSON object must open with "{": only a few tokens of the vocabulary may come first.
    assert 0 < int(allowed.sum()) < vocab_size // 10
