"""Visual-token budgets: the processor's resize maths, worked by hand, and the budget helpers.

Each `resized` case is `smart_resize` with factor 32 done on paper: round each side to a multiple
of 32 (Python's round, half to even); above `max × 1024` pixels shrink both sides by
beta = sqrt(area / max_pixels) and floor to 32; below `min × 1024` grow by
beta = sqrt(min_pixels / area) and ceil to 32. A visual token is one 32×32 square.
"""

from __future__ import annotations

import pytest

from workbench.budget import (
    CPU_BUDGET,
    GPU_BUDGET,
    MAX_BUDGET,
    Budget,
    check_budget,
    device_budget,
    expected_wait,
    preset_budget,
    preset_max,
    resized,
    size_bounds,
    visual_tokens,
)

# (width, height), (min, max) budget, the size the model sees, its visual tokens.
RESIZED = {
    # 1024×768 = 786,432 px lies inside [262,144, 1,310,720]: kept, 32 × 24 tokens.
    "inside-the-budget": ((1024, 768), (256, 1280), (1024, 768), 768),
    # 700/32 = 21.875 → 22 (704); 1000/32 = 31.25 → 31 (992); 698,368 px is inside.
    "rounded-to-32": ((1000, 700), (256, 1280), (992, 704), 682),
    # Above 256 × 1024 = 262,144 px: beta = sqrt(786,432 / 262,144) = sqrt(3) = 1.7321;
    # 768 / 1.7321 / 32 = 13.86 → 13 (416), 1024 / 1.7321 / 32 = 18.48 → 18 (576).
    "shrunk-to-the-max": ((1024, 768), (256, 256), (576, 416), 234),
    # A 4:3 phone photo on the CPU budget: beta = sqrt(12,192,768 / 393,216) = 5.5685;
    # 3024 / 5.5685 / 32 = 16.97 → 16 (512), 4032 / 5.5685 / 32 = 22.63 → 22 (704).
    "phone-photo-on-cpu": ((4032, 3024), CPU_BUDGET, (704, 512), 352),
    # A phone screenshot at the grounding budget: 2528 × 1184 px is over 2,097,152;
    # beta = sqrt(2,962,440 / 2,097,152) = 1.1885; 2532 / 1.1885 / 32 = 66.57 → 66 (2112),
    # 1170 / 1.1885 / 32 = 30.76 → 30 (960).
    "screenshot-for-grounding": ((1170, 2532), (1024, 2048), (960, 2112), 1980),
    # Below 262,144 px: beta = sqrt(262,144 / 5,000) = 7.2408; 50 × 7.2408 / 32 = 11.31 → 12
    # (384), 100 × 7.2408 / 32 = 22.63 → 23 (736): ceil overshoots the min a little.
    "grown-to-the-min": ((100, 50), (256, 1280), (736, 384), 276),
    # 80 / 32 = 2.5 rounds to 2 and 112 / 32 = 3.5 to 4: half to even, as transformers does.
    "half-to-even-down": ((80, 80), (1, 1280), (64, 64), 4),
    "half-to-even-up": ((112, 112), (1, 1280), (128, 128), 16),
    # 8 / 32 rounds to 0, so 0 px < 1,024: beta = sqrt(1,024 / 64) = 4; 8 × 4 / 32 = 1 → 32.
    "tiny-image": ((8, 8), (1, 16), (32, 32), 1),
    # A thin strip: its width rounds to 0, so it grows: beta = sqrt(1,024 / 9,600) = 0.3266;
    # 1200 × 0.3266 / 32 = 12.25 → 13 (416), 8 × 0.3266 / 32 = 0.08 → 1 (32).
    "thin-strip": ((8, 1200), (1, 16), (32, 416), 13),
}
RESIZE_CASES = pytest.mark.parametrize(
    ("size", "budget", "seen", "tokens"), RESIZED.values(), ids=RESIZED.keys()
)


@RESIZE_CASES
def test_resized(
    size: tuple[int, int], budget: tuple[int, int], seen: tuple[int, int], tokens: int
) -> None:
    assert resized(size, budget) == seen


@RESIZE_CASES
def test_visual_tokens(
    size: tuple[int, int], budget: tuple[int, int], seen: tuple[int, int], tokens: int
) -> None:
    assert visual_tokens(size, budget) == tokens == (seen[0] // 32) * (seen[1] // 32)


@pytest.mark.parametrize(
    ("budget", "bounds"),
    [
        ((256, 1280), {"shortest_edge": 262_144, "longest_edge": 1_310_720}),
        ((256, 576), {"shortest_edge": 262_144, "longest_edge": 589_824}),
        ((1, MAX_BUDGET), {"shortest_edge": 1_024, "longest_edge": 16_777_216}),
    ],
)
def test_size_bounds(budget: tuple[int, int], bounds: dict[str, int]) -> None:
    assert size_bounds(budget) == bounds


@pytest.mark.parametrize(
    ("tokens", "rate", "seconds"),
    [
        (576, 36.0, 16.0),
        (1000, 50.0, 20.0),
        (0, 40.0, 0.0),
        (576, None, None),  # nothing measured yet
        (576, 0.0, None),
        (576, -3.0, None),
    ],
)
def test_expected_wait(tokens: int, rate: float | None, seconds: float | None) -> None:
    assert expected_wait(tokens, rate) == seconds


@pytest.mark.parametrize(
    ("budget", "checked"),
    [
        ((256, 1280), (256, 1280)),
        ((1, 1), (1, 1)),
        ((MAX_BUDGET, MAX_BUDGET), (16384, 16384)),
        ((64.0, "128"), (64, 128)),  # made ints
    ],
)
def test_check_budget_accepts(budget: tuple, checked: tuple[int, int]) -> None:
    assert check_budget(budget) == checked


@pytest.mark.parametrize(
    ("budget", "shown"),
    [
        ((0, 10), "[0, 10]"),
        ((600, 500), "[600, 500]"),  # min above max
        ((1, 16385), "[1, 16385]"),
        ((-1, -1), "[-1, -1]"),
    ],
)
def test_check_budget_refuses(budget: tuple[int, int], shown: str) -> None:
    expected = f"a visual-token budget needs 1 <= min <= max <= 16384; got {shown}"
    with pytest.raises(ValueError) as caught:
        check_budget(budget)
    assert str(caught.value) == expected


@pytest.mark.parametrize(
    ("device", "budget"),
    [("cpu", (256, 384)), ("cuda", (256, 1280)), ("mps", (256, 1280))],
)
def test_device_budget(device: str, budget: tuple[int, int]) -> None:
    assert device_budget(device) == budget
    assert budget == (CPU_BUDGET if device == "cpu" else GPU_BUDGET)


RECEIPT = (1024, 2048)  # receipts' "Extract all fields"
GAUGE = (256, 768)  # gauges' "Read the value"


@pytest.mark.parametrize(
    ("asked", "device", "device_budget", "expected"),
    [
        (None, "cpu", CPU_BUDGET, 384),  # no preset budget: the device's max
        (None, "cuda", GPU_BUDGET, 1280),
        (RECEIPT, "cpu", CPU_BUDGET, 384),  # capped on the CPU
        (RECEIPT, "cuda", GPU_BUDGET, 2048),  # a GPU takes the preset's max, even above its own
        (RECEIPT, "mps", GPU_BUDGET, 2048),
        (GAUGE, "cpu", (256, 1024), 768),  # under a larger CPU max (a flag): the preset's
        (RECEIPT, "cpu", (64, 4096), 2048),
    ],
)
def test_preset_max(
    asked: Budget | None, device: str, device_budget: Budget, expected: int
) -> None:
    assert preset_max(asked, device, device_budget) == expected


@pytest.mark.parametrize(
    ("asked", "device", "device_budget", "slider", "expected"),
    [
        # No slider (the command line): the preset's max, capped on the CPU.
        (None, "cpu", CPU_BUDGET, None, (256, 384)),
        (None, "cuda", GPU_BUDGET, None, (256, 1280)),
        (RECEIPT, "cuda", GPU_BUDGET, None, (1024, 2048)),  # the preset's own budget
        (RECEIPT, "cpu", CPU_BUDGET, None, (256, 384)),  # its min 1024 is above the cap: 256
        (GAUGE, "cpu", CPU_BUDGET, None, (256, 384)),
        (GAUGE, "cuda", GPU_BUDGET, None, (256, 768)),
        ((512, 512), "cuda", GPU_BUDGET, None, (256, 512)),  # min not below max: the device's
        ((100, 768), "cuda", GPU_BUDGET, None, (100, 768)),  # a min below the device's is kept
        # The slider's value is the max; the preset's min only while below it.
        (RECEIPT, "cpu", CPU_BUDGET, 384, (256, 384)),
        (RECEIPT, "cpu", CPU_BUDGET, 576, (256, 576)),
        (RECEIPT, "cpu", CPU_BUDGET, 1024, (256, 1024)),
        (RECEIPT, "cpu", CPU_BUDGET, 2048, (1024, 2048)),
        (RECEIPT, "cuda", GPU_BUDGET, 4096, (1024, 4096)),  # above the preset's max too
        (None, "cpu", CPU_BUDGET, 1280, (256, 1280)),
        (None, "cuda", GPU_BUDGET, 128, (128, 128)),  # min never above max
        (GAUGE, "cpu", CPU_BUDGET, 64, (64, 64)),
    ],
)
def test_preset_budget(
    asked: Budget | None, device: str, device_budget: Budget, slider: int | None, expected: Budget
) -> None:
    assert preset_budget(asked, device, device_budget, slider) == expected


@pytest.mark.parametrize(
    ("asked", "floor", "expected"),
    [
        (RECEIPT, 1024, (256, 1024)),  # a box-returning preset on llama.cpp: 1,024 at least
        (GAUGE, 1024, (256, 768)),  # never above what the preset asks
        (RECEIPT, 0, (256, 384)),  # no floor: the CPU cap
    ],
)
def test_a_floor_keeps_a_grounding_preset_above_the_cpu_cap(
    asked: Budget, floor: int, expected: Budget
) -> None:
    assert preset_budget(asked, "cpu", CPU_BUDGET, floor=floor) == expected


@pytest.mark.parametrize(
    ("tab", "engine", "expected"),
    [
        ("screenshots", "llamacpp", 1024),  # its presets return boxes
        ("screenshots", "transformers", 0),  # the CPU cap stays (the first word in ~15 s)
        ("homework", "llamacpp", 0),  # no boxes: the cap stays
    ],
)
def test_the_grounding_floor_is_for_box_presets_on_llamacpp(
    tab: str, engine: str, expected: int
) -> None:
    from workbench.choices import grounding_floor
    from workbench.prompts.presets import load_all

    preset = next(preset for preset in load_all()[tab].presets if preset.structured)
    assert preset.returns_boxes == (tab == "screenshots")
    assert grounding_floor(preset, engine) == expected
    assert grounding_floor(None, engine) == 0
