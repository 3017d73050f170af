"""Enhancement: dim shots brightened, tilted text measured and deskewed, boxes mapped, odd images
survived, and the clean built-in examples left exactly as they are."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.helpers import CJK_EXAMPLES, HAS_CJK_FONT, example_params
from workbench.examples import EXAMPLES, ensure_examples
from workbench.intake.enhance import ENHANCE_MODES, Enhanced, Step, enhance, measure

# The angle each example generator lays its paper at (Image.rotate's, counter-clockwise); the
# screenshots and gauges are drawn level.
EXAMPLE_TILTS = {
    "receipt_grocery": 1.6,
    "receipt_cafe": -2.2,
    "invoice_office_supplies": -0.5,
    "vat_invoice_hangzhou": -0.4,
    "screenshot_shop_app": 0.0,
    "screenshot_login": 0.0,
    "homework_equation": 0.9,
    "homework_fractions": 0.9,
    "homework_area": 0.9,
    "gauge_pressure": 0.0,
    "gauge_thermometer": 0.0,
}
# Handwriting leans its own way; printed lines are measured closer than this.
TILT_TOLERANCE = 0.5


@pytest.fixture(scope="module")
def examples(cache_dir: Path) -> dict[str, Image.Image]:
    """Return every built-in example image by name, loaded."""
    found = ensure_examples(cache_dir / "examples")
    return {
        example.name: Image.open(example.image_path).convert("RGB")
        for tab in found.values()
        for example in tab
    }


def _darkened(image: Image.Image, seed: int = 0) -> Image.Image:
    """Return the image at 5% of its brightness with sensor noise, as a shot in a dark room."""
    rng = np.random.default_rng(seed)
    pixels = np.asarray(image, np.float32) * 0.05 + rng.normal(
        0.0, 2.0, (image.height, image.width, 3)
    )
    return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))


def _rotated(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def test_every_example_has_a_known_tilt() -> None:
    names = {spec.name for specs in EXAMPLES.values() for spec in specs}
    # Where no CJK font is installed, the examples that draw Chinese are left out.
    assert names == set(EXAMPLE_TILTS) - (set() if HAS_CJK_FONT else CJK_EXAMPLES)


@pytest.mark.parametrize("name", example_params(EXAMPLE_TILTS))
def test_the_tilt_of_each_example_is_measured(examples: dict, name: str) -> None:
    assert measure(examples[name]).tilt == pytest.approx(EXAMPLE_TILTS[name], abs=TILT_TOLERANCE)


@pytest.mark.parametrize("name", example_params(EXAMPLE_TILTS))
def test_auto_leaves_every_clean_example_untouched(examples: dict, name: str) -> None:
    image = examples[name]
    enhanced = enhance(image)
    assert enhanced.image is image
    assert enhanced.steps == ()
    assert enhanced.summary() == enhanced.summary("zh") == ""
    assert enhanced.as_list() == []
    assert not enhanced.measures.dim


def test_auto_brightens_a_dark_noisy_receipt(examples: dict) -> None:
    dark = _darkened(examples["receipt_grocery"])
    before = measure(dark)
    enhanced = enhance(dark)
    after = measure(enhanced.image)
    assert before.dim and before.mean_luma < 15
    assert after.mean_luma > 100 and not after.dim
    assert enhanced.steps == (Step("brightened"),)  # its 1.6° is too little to turn
    assert enhanced.summary() == "brightened (CLAHE)"
    assert enhanced.summary("zh") == "已提亮（CLAHE）"
    assert enhanced.as_list() == [{"step": "brightened"}]


def test_the_tilt_of_a_dark_noisy_receipt_is_still_measured(examples: dict) -> None:
    assert measure(_darkened(examples["receipt_grocery"])).tilt == pytest.approx(1.6, abs=0.5)


@pytest.mark.parametrize("degrees", [5, 11, -8, -20])
@pytest.mark.parametrize("name", ["invoice_office_supplies", "receipt_grocery", "homework_area"])
def test_auto_measures_and_deskews_a_rotated_example(
    examples: dict, name: str, degrees: float
) -> None:
    tilted = _rotated(examples[name], degrees)
    measured = measure(tilted)
    assert measured.tilt == pytest.approx(EXAMPLE_TILTS[name] + degrees, abs=1.0)
    enhanced = enhance(tilted)
    assert enhanced.steps == (Step("deskewed", round(measured.tilt, 1)),)
    assert abs(measure(enhanced.image).tilt) < 1.0
    assert enhanced.summary() == f"deskewed {round(measured.tilt, 1):g}°"


def test_on_brightens_and_deskews_even_a_small_tilt(examples: dict) -> None:
    enhanced = enhance(examples["receipt_grocery"], "on")
    assert enhanced.summary() == "brightened (CLAHE), deskewed 1.6°"
    assert enhanced.summary("zh") == "已提亮（CLAHE）、已纠偏 1.6°"
    assert enhanced.as_list() == [{"step": "brightened"}, {"step": "deskewed", "degrees": 1.6}]
    assert json.loads(json.dumps(enhanced.as_list())) == enhanced.as_list()
    assert enhanced.image.width > examples["receipt_grocery"].width  # the canvas grew to fit


@pytest.mark.parametrize("name", ["receipt_grocery", "screenshot_login"])
def test_off_returns_the_image_as_it_was(examples: dict, name: str) -> None:
    for image in (examples[name], _rotated(_darkened(examples[name]), 9)):
        enhanced = enhance(image, "off")
        assert enhanced.image is image
        assert enhanced.steps == () and enhanced.measures is None
        assert enhanced.map_box((10, 20, 30, 40)) == (10, 20, 30, 40)


@pytest.mark.parametrize("mode", ["", "yes", "AUTO", "clahe"])
def test_an_unknown_mode_names_the_choices(examples: dict, mode: str) -> None:
    with pytest.raises(ValueError, match="auto, on, off"):
        enhance(examples["receipt_cafe"], mode)


# --- box mapping: exact cases, then the pixels of a real deskew ---


@pytest.mark.parametrize(
    ("source", "turned", "tilt", "box", "expected"),
    [
        ((200, 100), (200, 100), None, (10.2, 20.7, 30.5, 40), (10, 20, 31, 40)),
        ((200, 100), (100, 200), 90.0, (0, 0, 10, 10), (90, 0, 100, 10)),  # turned clockwise
        ((200, 100), (100, 200), -90.0, (0, 0, 10, 10), (0, 190, 10, 200)),
        ((200, 100), (200, 100), 180.0, (0, 0, 10, 10), (190, 90, 200, 100)),
        ((100, 100), (142, 142), 45.0, (0, 0, 100, 100), (0, 0, 142, 142)),
        ((100, 100), (142, 142), 45.0, (50, 50, 50, 50), (71, 71, 71, 71)),
        ((200, 100), (100, 200), 90.0, (-50, -50, 500, 500), (0, 0, 100, 200)),  # clamped
    ],
)
def test_map_box(source, turned, tilt, box, expected) -> None:
    steps = () if tilt is None else (Step("deskewed", tilt),)
    enhanced = Enhanced(Image.new("RGB", turned), steps, source)
    assert enhanced.map_box(box) == expected


@pytest.mark.parametrize("degrees", [7, -13])
def test_map_box_follows_the_pixels_of_a_deskew(examples: dict, degrees: float) -> None:
    tilted = _rotated(examples["invoice_office_supplies"], degrees)
    dot = (300, 200, 308, 208)
    ImageDraw.Draw(tilted).rectangle(dot, fill=(255, 0, 0))  # right and bottom inclusive
    enhanced = enhance(tilted)
    assert enhanced.steps[-1].name == "deskewed"
    pixels = np.asarray(enhanced.image).astype(int)
    ys, xs = np.nonzero((pixels[..., 0] > 200) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80))
    left, top, right, bottom = enhanced.map_box((300, 200, 309, 209))
    assert left - 1 <= xs.min() and xs.max() < right + 1
    assert top - 1 <= ys.min() and ys.max() < bottom + 1
    width, height = tilted.size
    centre = enhanced.map_box((width / 2, height / 2, width / 2, height / 2))
    assert centre[0] == pytest.approx(enhanced.image.width / 2, abs=1)
    assert centre[1] == pytest.approx(enhanced.image.height / 2, abs=1)


# --- steps and odd images ---


def test_a_step_words_itself_and_rejects_unknown_names() -> None:
    assert Step("deskewed", -8.0).text() == "deskewed -8°"
    assert Step("deskewed", 11.0).text("zh") == "已纠偏 11°"
    assert Step("deskewed", 11.0).as_dict() == {"step": "deskewed", "degrees": 11.0}
    with pytest.raises(ValueError, match="brightened, deskewed"):
        Step("sharpened")
    with pytest.raises(ValueError, match="language"):
        Step("brightened").text("fr")


def _odd_images() -> dict[str, Image.Image]:
    rng = np.random.default_rng(3)
    return {
        "8x8 noise": Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)),
        "1x1": Image.new("RGB", (1, 1)),
        "black": Image.new("RGB", (300, 200), "black"),
        "white": Image.new("RGB", (300, 200), "white"),
        "grey L": Image.new("L", (120, 80), 90),
        "RGBA": Image.new("RGBA", (64, 64), (10, 20, 30, 128)),
        "transparent LA": Image.new("LA", (64, 64), (0, 0)),
        "palette": Image.new("P", (64, 64), 3),
        "16-bit": Image.new("I;16", (64, 64), 1000),
        "float": Image.new("F", (64, 64), 0.5),
        "bilevel": Image.new("1", (64, 64), 1),
        "wide strip": Image.fromarray(rng.integers(0, 256, (12, 3000, 3), dtype=np.uint8)),
        "tall strip": Image.new("RGB", (9, 2500), "grey"),
    }


@pytest.mark.parametrize("name", list(_odd_images()))
@pytest.mark.parametrize("mode", ENHANCE_MODES)
def test_odd_images_do_not_crash(name: str, mode: str) -> None:
    image = _odd_images()[name]
    enhanced = enhance(image, mode)
    if enhanced.steps:
        assert enhanced.image.mode == "RGB"
    else:
        assert enhanced.image is image
    assert not any(step.name == "deskewed" for step in enhanced.steps)  # nothing to level
    width, height = enhanced.image.size
    assert enhanced.map_box((0, 0, *image.size)) == (0, 0, width, height)
    assert measure(image).tilt == 0.0
