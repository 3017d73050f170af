"""OCR benchmark: `python -m workbench bench ocr`.

Times RapidOCR on every built-in example image, measures the share of each receipt's and
invoice's printed numbers it reads (clean, photographed in the dark, and dark then enhanced),
and checks each example's ground truth against what it read, as the app checks an answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from workbench.evidence.match import check_answer, is_number
from workbench.evidence.ocr import OcrLine, clear_cache, read_lines
from workbench.examples import Example, ensure_examples
from workbench.intake.enhance import enhance
from workbench.prompts.presets import PresetFile, load_all

DARK_NOISE = 2.0  # sensor noise, standard deviation in 8-bit levels: grain that 5% light shows


def darkened(
    image: Image.Image, brightness: float = 0.05, noise: float = DARK_NOISE, seed: int = 0
) -> Image.Image:
    """Return the image as photographed in the dark: `brightness` of its light, plus Gaussian
    sensor noise of standard deviation `noise` (8-bit levels), the same for the same seed."""
    if not 0 < brightness <= 1 or noise < 0:
        raise ValueError(f"need 0 < brightness <= 1 and noise >= 0, got {brightness}, {noise}")
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32) * brightness
    pixels += np.random.default_rng(seed).normal(0.0, noise, pixels.shape)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))


def bench_ocr(directory: Path | None = None) -> Iterator[str]:
    """Yield OCR seconds per example, number recall per receipt, and each truth's evidence."""
    examples = [example for found in ensure_examples(directory).values() for example in found]
    schemas = _truth_schemas()
    started = time.perf_counter()
    read_lines(_warm_up_image())
    yield f"RapidOCR engine built and its models loaded: {time.perf_counter() - started:.2f} s"
    yield "OCR seconds per example image (uncached):"
    clean: dict[str, tuple[OcrLine, ...]] = {}
    for example in examples:
        image = Image.open(example.image_path)
        seconds, lines = _timed_read(image)
        clean[example.name] = lines
        size = f"{image.width}x{image.height}"
        yield f"  {example.name:<26} {size:>9} {seconds:6.2f} s  {len(lines):>3} lines"
    yield ""
    yield from _recall_table([e for e in examples if e.tab == "receipts"], clean, schemas)
    yield ""
    yield "Each example's truth checked against its clean OCR:"
    for example in examples:
        schema = schemas.get((example.tab, example.preset))
        report = check_answer(example.truth, clean[example.name], schema)
        missing = [e.path for e in report.values if not e.found]
        line = f"  {example.name:<26} {report.summary()}"
        yield f"{line}; not seen: {_listed(missing)}" if missing else line


def _recall_table(
    examples: Sequence[Example],
    clean: dict[str, tuple[OcrLine, ...]],
    schemas: dict[tuple[str, str], dict | None],
) -> Iterator[str]:
    """Yield the share of each example's printed numbers read: clean, dark, dark+enhanced."""
    yield "Share of the truth's printed numbers that OCR reads (receipts tab):"
    yield f"  {'example':<26} {'clean':>12} {'dark':>12} {'dark+enhanced':>14}"
    for example in examples:
        schema = schemas.get((example.tab, example.preset))
        dark = darkened(Image.open(example.image_path))
        enhanced = enhance(dark).image  # auto, as the tabs do it
        cells = (clean[example.name], _timed_read(dark)[1], _timed_read(enhanced)[1])
        recalls = [_recall(example.truth, lines, schema) for lines in cells]
        yield f"  {example.name:<26} {recalls[0]:>12} {recalls[1]:>12} {recalls[2]:>14}"


def _listed(paths: Sequence[str], shown: int = 4) -> str:
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


def _timed_read(image: Image.Image) -> tuple[float, tuple[OcrLine, ...]]:
    clear_cache()  # time the engine, not the cache
    started = time.perf_counter()
    lines = read_lines(image)
    return time.perf_counter() - started, lines


def _recall(truth: Any, lines: Sequence[OcrLine], schema: dict | None) -> str:
    """Return "91% (20/22)": the truth's checked numbers that were seen in the lines."""
    numbers = [e for e in check_answer(truth, lines, schema).values if is_number(e.value)]
    found = sum(e.found for e in numbers)
    return f"{found / len(numbers):.0%} ({found}/{len(numbers)})" if numbers else "none"


def _truth_schemas() -> dict[tuple[str, str], dict | None]:
    """Return {(tab, preset name): the schema to check an example's truth with}.

    The preset's own schema, else the first schema of its tab: every truth is written in its
    tab's schema shape, also for an example whose preset asks for free text.
    """
    schemas: dict[tuple[str, str], dict | None] = {}
    for tab, presets in load_all().items():
        if isinstance(presets, PresetFile):
            fallback = next((p.schema for p in presets.presets if p.schema is not None), None)
            for preset in presets.presets:
                schemas[(tab, preset.name)] = preset.schema or fallback
    return schemas


def _warm_up_image() -> Image.Image:
    image = Image.new("RGB", (240, 60), "white")
    ImageDraw.Draw(image).text((10, 20), "TOTAL 12.50", fill="black", font_size=24)
    return image
