"""OCR: RapidOCR's lines on the built-in examples, the read cache, the background reader."""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.helpers import example_params
from workbench.bench.ocr import darkened
from workbench.evidence import ocr
from workbench.evidence.match import check_answer, is_number
from workbench.evidence.ocr import OcrLine, read_lines, start_reading
from workbench.prompts.presets import load_all

RECEIPTS = example_params(
    ("receipt_grocery", "receipt_cafe", "invoice_office_supplies", "vat_invoice_hangzhou")
)


def _text_image(text: str = "TOTAL 12.50") -> Image.Image:
    image = Image.new("RGB", (320, 80), "white")
    ImageDraw.Draw(image).text((16, 24), text, fill="black", font_size=28)
    return image


@pytest.fixture
def counted_engine(monkeypatch: pytest.MonkeyPatch) -> list[Image.Image]:
    """Replace the engine by one that records each image it is asked to read; empty cache."""
    runs: list[Image.Image] = []

    def run(rgb: Image.Image) -> tuple[OcrLine, ...]:
        runs.append(rgb)
        time.sleep(0.05)  # long enough for other threads to ask meanwhile
        return (OcrLine(f"read {len(runs)}", (0, 0, 10, 10), 0.9),)

    monkeypatch.setattr(ocr, "_cache", OrderedDict())
    monkeypatch.setattr(ocr, "_run_engine", run)
    return runs


def test_importing_ocr_does_not_import_rapidocr() -> None:
    import subprocess

    code = (
        "import workbench.evidence.match, sys; "
        "print('rapidocr' in sys.modules, 'cv2' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_an_equal_image_is_read_once(counted_engine: list[Image.Image]) -> None:
    first = read_lines(_text_image())
    again = read_lines(_text_image().convert("RGBA"))  # a new object, the same pixels
    assert again == first and len(counted_engine) == 1
    read_lines(_text_image("TOTAL 12.51"))
    assert len(counted_engine) == 2


def test_the_cache_forgets_the_least_recently_used(
    counted_engine: list[Image.Image], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ocr, "CACHE_SIZE", 2)
    images = [Image.new("RGB", (8, 8), (shade, 0, 0)) for shade in range(3)]
    read_lines(images[0])
    read_lines(images[1])
    read_lines(images[0])  # now the most recent
    read_lines(images[2])  # pushes out images[1]
    read_lines(images[0])
    assert len(counted_engine) == 3
    read_lines(images[1])
    assert len(counted_engine) == 4


def test_threads_asking_at_once_read_once(counted_engine: list[Image.Image]) -> None:
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(read_lines(_text_image()))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted_engine) == 1 and len(set(results)) == 1


def test_transparent_pixels_are_read_as_white(counted_engine: list[Image.Image]) -> None:
    image = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    image.putpixel((1, 1), (0, 0, 0, 255))
    read_lines(image)
    assert counted_engine[0].mode == "RGB"
    assert counted_engine[0].getpixel((0, 0)) == (255, 255, 255)
    assert counted_engine[0].getpixel((1, 1)) == (0, 0, 0)


def test_start_reading_reads_in_the_background(counted_engine: list[Image.Image]) -> None:
    image = _text_image()
    future = start_reading(image)
    image.paste((0, 0, 0), (0, 0, 320, 80))  # the caller's later changes do not matter
    assert future.result(timeout=30) == read_lines(_text_image())
    assert len(counted_engine) == 1


def test_box_of_a_tilted_quadrilateral() -> None:
    quad = [[93.4, 52.0], [327.2, 46.5], [328.0, 69.9], [94.0, 76.1]]
    assert ocr._box_of(quad, (441, 804)) == (93, 46, 328, 77)
    assert ocr._box_of([[-3, -2], [500, 0], [500, 900], [0, 900]], (441, 804)) == (0, 0, 441, 804)


def test_line_as_dict() -> None:
    line = OcrLine("TOTAL", (1, 2, 3, 4), 0.98)
    assert line.as_dict() == {"text": "TOTAL", "box": [1, 2, 3, 4], "score": 0.98}


def test_darkened_is_dark_noisy_and_repeatable() -> None:
    image = Image.new("RGB", (64, 64), (200, 100, 40))
    dark = darkened(image)
    pixels = np.asarray(dark, dtype=np.float64)
    assert dark.size == image.size and dark.mode == "RGB"
    assert np.allclose(pixels.mean(axis=(0, 1)), [10, 5, 2], atol=0.5)
    assert pixels.std() > 1  # noise, not a flat colour
    assert dark.tobytes() == darkened(image).tobytes()
    assert dark.tobytes() != darkened(image, seed=1).tobytes()
    assert np.asarray(darkened(image, noise=0)).max() == 10
    with pytest.raises(ValueError, match="brightness"):
        darkened(image, brightness=0)


# --- the real engine --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receipts(cache_dir: Path) -> dict[str, tuple]:
    """Return {name: (example, image, OCR lines, seconds)} for the receipts tab, read once."""
    from workbench.examples import ensure_examples

    found = {}
    for example in ensure_examples(cache_dir / "examples")["receipts"]:
        image = Image.open(example.image_path)
        started = time.perf_counter()
        lines = read_lines(image)
        found[example.name] = (example, image, lines, time.perf_counter() - started)
    return found


def _number_recall(example, image: Image.Image) -> float:
    """Return the share of the example's printed numbers (its truth's) OCR reads off `image`."""
    schema = load_all()["receipts"].get("Extract all fields").schema
    checked = check_answer(example.truth, read_lines(image), schema).values
    numbers = [evidence for evidence in checked if is_number(evidence.value)]
    return sum(evidence.found for evidence in numbers) / len(numbers)


def test_enhancement_brings_back_most_numbers_of_a_dark_receipt(receipts) -> None:
    from workbench.intake.enhance import enhance

    example, image, _, _ = receipts["receipt_grocery"]
    dark = darkened(image)  # 5% brightness and sensor noise: a dim warehouse
    enhanced = enhance(dark)  # auto
    assert [step.name for step in enhanced.steps] == ["brightened"]
    dark_recall, enhanced_recall = (
        _number_recall(example, dark),
        _number_recall(example, enhanced.image),
    )
    assert _number_recall(example, image) == 1.0
    assert enhanced_recall >= 0.75 and enhanced_recall - dark_recall >= 0.3, (
        dark_recall,
        enhanced_recall,
    )


@pytest.mark.parametrize("name", RECEIPTS)
def test_ocr_reads_most_printed_numbers(receipts: dict[str, tuple], name: str) -> None:
    example, _, lines, _ = receipts[name]
    presets = load_all()["receipts"]
    schema = presets.get(example.preset).schema or presets.get("Extract all fields").schema
    numbers = [e for e in check_answer(example.truth, lines, schema).values if is_number(e.value)]
    missing = [(e.path, e.value) for e in numbers if not e.found]
    assert len(numbers) >= 4  # the VAT invoice's amount, rate, tax and total
    assert len(missing) <= 0.2 * len(numbers), missing


@pytest.mark.parametrize("name", RECEIPTS)
def test_lines_are_boxed_inside_the_image(receipts: dict[str, tuple], name: str) -> None:
    _, image, lines, _ = receipts[name]
    assert len(lines) >= 20
    for line in lines:
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height, line
        assert line.text.strip() and 0 < line.score <= 1


def test_the_grocery_receipt_reads_as_printed(receipts: dict[str, tuple]) -> None:
    _, _, lines, _ = receipts["receipt_grocery"]
    texts = [line.text for line in lines]
    assert "GREEN VALLEY MARKET" in texts and "22.23" in texts
    top = next(line for line in lines if line.text == "GREEN VALLEY MARKET")
    assert top.box[1] < 100  # the title sits at the top of the photo


def test_a_second_read_of_a_receipt_comes_from_the_cache(receipts: dict[str, tuple]) -> None:
    _, image, lines, _ = receipts["receipt_cafe"]
    started = time.perf_counter()
    assert read_lines(image.copy()) == lines
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("colour", ["white", (30, 30, 30)])
def test_an_image_without_text_has_no_lines(colour: object) -> None:
    pytest.importorskip("rapidocr")
    assert read_lines(Image.new("RGB", (300, 200), colour)) == ()
