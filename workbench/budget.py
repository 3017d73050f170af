"""Visual-token budgets: what an image costs the model, and the default budget per device.

Qwen3-VL cuts an image into 16-pixel patches and merges 2×2 of them, so one visual token covers
32×32 pixels. The processor resizes every image into a pixel range (`size={"shortest_edge",
"longest_edge"}`, in pixels, despite the names) keeping its aspect ratio; a budget of
`(min, max)` tokens is that range divided by 32². Prefill time grows with the tokens, so the
budget is what trades detail for waiting.
"""

from __future__ import annotations

import math

# One visual token covers a 32×32 pixel square (patch 16, merged 2×2).
TOKEN_EDGE = 32
PIXELS_PER_VISUAL_TOKEN = TOKEN_EDGE * TOKEN_EDGE

Budget = tuple[int, int]  # (min, max) visual tokens per image

# On a GPU prefill is cheap: enough for receipts and screenshots at full detail.
GPU_BUDGET: Budget = (256, 1280)
# On a CPU, the real 4B model in bfloat16 prefills about 30 tokens/s on a 2-core AVX512-BF16
# EPYC (`python -m workbench bench model`, warm): a 12 MP phone photo with a short question
# starts answering after 12.7 s at 384 (352 tokens, 704×512 px), 18 s at 448 and 20 s at 576.
CPU_BUDGET: Budget = (256, 384)
# Qwen's guidance for grounding (boxes) and small print.
MAX_BUDGET = 16384
# llama.cpp warns that Qwen-VL's boxes want at least this many visual tokens per image.
GROUNDING_TOKENS = 1024


def device_budget(device: str) -> Budget:
    """Return the default visual-token budget for a device ("cuda", "mps", "cpu")."""
    return CPU_BUDGET if device == "cpu" else GPU_BUDGET


def preset_max(asked: Budget | None, device: str, device_budget: Budget, floor: int = 0) -> int:
    """Return a preset's max visual tokens, capped at the device's on the CPU (but not below
    `floor`); else the device's."""
    if asked is None:
        return device_budget[1]
    # The CPU default is small so that answers start in ~15 s; a grounding preset's 2048 would
    # make the first word wait a minute. A user can still ask for more (slider, flag).
    return min(asked[1], max(device_budget[1], floor)) if device == "cpu" else asked[1]


def preset_budget(
    asked: Budget | None,
    device: str,
    device_budget: Budget,
    slider: int | None = None,
    floor: int = 0,
) -> Budget:
    """Return the (min, max) visual tokens an ask uses: max the slider's, else `preset_max`."""
    high = preset_max(asked, device, device_budget, floor) if slider is None else slider
    # A preset's min enlarges small images; once the max is at or below it, min = max would
    # make the processor round a small image up past the max: the device's min applies.
    low = asked[0] if asked is not None and asked[0] < high else device_budget[0]
    return min(low, high), high


def size_bounds(budget: Budget) -> dict[str, int]:
    """Return the processor's per-image pixel bounds for a visual-token budget."""
    low, high = budget
    return {
        "shortest_edge": low * PIXELS_PER_VISUAL_TOKEN,
        "longest_edge": high * PIXELS_PER_VISUAL_TOKEN,
    }


def check_budget(budget: Budget) -> Budget:
    """Return the budget as ints, or raise ValueError naming what is wrong."""
    low, high = (int(value) for value in budget)
    if not 1 <= low <= high <= MAX_BUDGET:
        raise ValueError(
            f"a visual-token budget needs 1 <= min <= max <= {MAX_BUDGET}; got [{low}, {high}]"
        )
    return low, high


def resized(size: tuple[int, int], budget: Budget) -> tuple[int, int]:
    """Return the (width, height) the processor resizes an image of `size` to.

    The same rounding as transformers' `smart_resize` for Qwen2/3-VL, with factor 32.
    """
    width, height = size
    factor = TOKEN_EDGE
    min_pixels, max_pixels = (bound * PIXELS_PER_VISUAL_TOKEN for bound in budget)
    h_bar = round(height / factor) * factor
    w_bar = round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar = math.ceil(height * beta / factor) * factor
        w_bar = math.ceil(width * beta / factor) * factor
    return w_bar, h_bar


def visual_tokens(size: tuple[int, int], budget: Budget) -> int:
    """Return how many visual tokens an image of `size` (width, height) costs."""
    width, height = resized(size, budget)
    return (width // TOKEN_EDGE) * (height // TOKEN_EDGE)


def expected_wait(tokens: int, tokens_per_second: float | None) -> float | None:
    """Return the seconds before the first word for `tokens` of prompt, at a measured rate."""
    if not tokens_per_second or tokens_per_second <= 0:
        return None
    return tokens / tokens_per_second
