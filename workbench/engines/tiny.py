"""A tiny, randomly initialised Qwen3-VL built offline, so the real code path runs without weights.

The model is the real `Qwen3VLForConditionalGeneration` with a few kilobytes of random weights,
a byte-level BPE tokenizer carrying every Qwen special token, Qwen's chat template and the real
image processor. Its answers are noise; its shapes, token counts and timings are real.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

TINY_NAME = "tiny"
# Bump when anything below changes, so a cached build is rebuilt.
TINY_VERSION = "2"
_MARKER = "workbench_tiny.json"

SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<think>",
    "</think>",
)

# Qwen3-VL's chat template, cut to what the workbench sends: system / user / assistant turns
# whose content is a string or a list of {"type": "image"} and {"type": "text"} parts.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "<|im_start|>{{ message['role'] + '\\n' }}"
    "{%- if message['content'] is string -%}{{ message['content'] }}"
    "{%- else -%}{%- for part in message['content'] -%}"
    "{%- if part['type'] == 'image' -%}<|vision_start|><|image_pad|><|vision_end|>"
    "{%- elif part['type'] == 'video' -%}<|vision_start|><|video_pad|><|vision_end|>"
    "{%- elif part['type'] == 'text' -%}{{ part['text'] }}"
    "{%- endif -%}{%- endfor -%}{%- endif -%}"
    "<|im_end|>{{ '\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|im_start|>assistant{{ '\\n' }}{%- endif -%}"
)

# A few sentences to learn BPE merges from, so words become multi-byte tokens as in Qwen's.
_CORPUS = (
    "The total is 42.50 USD. Subtotal, tax and discount on the receipt. "
    "The button label is truncated; the text overlaps the image. "
    "Solve 3x + 7 = 22, so x = 5. The needle reads 6.4 bar on the gauge. "
    '{"merchant": "Corner Shop", "items": [{"name": "milk", "qty": 1, "amount": 2.99}]} '
    "发票 收据 合计 税额 折扣 按钮 文字 截断 答案 正确 错误 压力 表盘"
)
_MERGES = 200


def tiny_dir(cache_dir: Path) -> Path:
    """Return where the tiny model lives inside the workbench cache."""
    return cache_dir / f"tiny-qwen3-vl-v{TINY_VERSION}"


def ensure_tiny_model(cache_dir: Path) -> Path:
    """Build the tiny model into the cache once and return its directory."""
    target = tiny_dir(cache_dir)
    if (target / _MARKER).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so a concurrent or interrupted build never leaves
    # a half-written model behind.
    staging = Path(tempfile.mkdtemp(prefix="tiny-build-", dir=target.parent))
    _build(staging)
    try:
        os.replace(staging, target)
    except OSError:  # another process won the race; its build is as good as ours
        log.info("tiny model already built by another process")
    return target


def _build(directory: Path) -> None:
    import torch
    from transformers import Qwen3VLConfig, Qwen3VLForConditionalGeneration

    tokenizer = _build_tokenizer()
    ids = {tok: tokenizer.convert_tokens_to_ids(tok) for tok in SPECIAL_TOKENS}
    config = Qwen3VLConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "head_dim": 16,
            # mrope sections must add up to head_dim / 2
            "rope_scaling": {
                "rope_type": "default",
                "mrope_section": [4, 2, 2],
                "mrope_interleaved": True,
            },
            "rope_theta": 5_000_000,
            "max_position_embeddings": 8192,
            "tie_word_embeddings": True,
            "bos_token_id": ids["<|endoftext|>"],
            "eos_token_id": ids["<|im_end|>"],
            "pad_token_id": ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,  # equals the text hidden size
            "patch_size": 16,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "num_position_embeddings": 256,  # a perfect square
            "deepstack_visual_indexes": [1],  # below the vision depth
        },
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model = Qwen3VLForConditionalGeneration(config).eval()
    model.generation_config.eos_token_id = [ids["<|im_end|>"], ids["<|endoftext|>"]]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    # Qwen3-VL-Instruct's own sampling defaults: a server that only overrides the temperature
    # (transformers serve) samples as it would with the real model.
    model.generation_config.update(do_sample=True, temperature=0.7, top_p=0.8, top_k=20)
    model.save_pretrained(directory)
    # Saved as parts (not through a processor class), so AutoProcessor and the image-only
    # processor both load them.
    tokenizer.save_pretrained(directory)
    _build_image_processor().save_pretrained(directory)
    (directory / "chat_template.jinja").write_text(CHAT_TEMPLATE)
    marker = {"version": TINY_VERSION, "random_weights": True}
    (directory / _MARKER).write_text(json.dumps(marker))


def is_tiny(model_dir: str | Path) -> bool:
    """Return whether a model directory holds the project's random tiny model."""
    return (Path(model_dir) / _MARKER).is_file()


def _build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer

    trainer_tok = Tokenizer(models.BPE())
    trainer_tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer_tok.decoder = decoders.ByteLevel()
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    trainer = trainers.BpeTrainer(
        vocab_size=len(alphabet) + _MERGES, initial_alphabet=alphabet, show_progress=False
    )
    trainer_tok.train_from_iterator([_CORPUS], trainer=trainer)
    learned = json.loads(trainer_tok.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in learned["merges"]]
    tokenizer = Qwen2Tokenizer(
        vocab=learned["vocab"],
        merges=merges,
        unk_token="<|endoftext|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=list(SPECIAL_TOKENS[1:]),
        model_max_length=8192,
    )
    tokenizer.add_special_tokens({"additional_special_tokens": list(SPECIAL_TOKENS[1:])})
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _build_image_processor():
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import (
        Qwen2VLImageProcessorPil,
    )

    return Qwen2VLImageProcessorPil(
        patch_size=16,
        merge_size=2,
        temporal_patch_size=2,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
        size={"shortest_edge": 64 * 32 * 32, "longest_edge": 16384 * 32 * 32},
    )
