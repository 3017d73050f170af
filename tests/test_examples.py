"""Generated examples: deterministic files, fresh-or-regenerated caching, and truthful truth."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator
from PIL import Image

from tests.helpers import needs_cjk_font
from workbench import examples
from workbench.answers.checks import (
    CheckContext,
    format_capital_amount,
    parse_capital_amount,
    run_checks,
    uscc_check_character,
)
from workbench.examples import (
    EXAMPLES,
    Example,
    _common,
    default_examples_dir,
    ensure_examples,
    gauges,
    generator_fingerprint,
    truth_for,
    vat_invoice,
)
from workbench.prompts.presets import PRESETS_DIR, load_presets

TRUTH_KEYS = {
    "receipts": {
        "merchant",
        "date",
        "currency",
        "items",
        "discounts",
        "subtotal",
        "tax_rate",
        "tax",
        "total",
    },
    "screenshots": {"issues", "elements"},
    "homework": {"problem", "steps", "final_answer", "correct"},
    "gauges": {"value", "unit", "scale_min", "scale_max", "confidence", "bbox_2d"},
}
# Examples whose truth follows another schema than their tab's usual one.
TRUTH_KEYS_BY_EXAMPLE = {
    "vat_invoice_hangzhou": {
        "invoice_code",
        "invoice_number",
        "date",
        "buyer_name",
        "buyer_tax_id",
        "amount",
        "tax_rate",
        "tax",
        "total_in_words",
        "total",
        "seller_name",
        "seller_tax_id",
    }
}
ISSUE_KINDS = {"truncation", "overlap", "misalignment", "contrast", "typo", "other"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Example]]:
    return ensure_examples(tmp_path_factory.mktemp("examples"))


@pytest.fixture
def copied(generated: dict[str, list[Example]], tmp_path: Path) -> Path:
    """Return a private copy of the generated examples directory, to spoil at will."""
    root = generated["receipts"][0].image_path.parents[1]
    return Path(shutil.copytree(root, tmp_path / "copy"))


def _by_name(generated: dict[str, list[Example]]) -> dict[str, Example]:
    return {example.name: example for found in generated.values() for example in found}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _cents(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- files and caching -------------------------------------------------------------------------


def test_every_tab_has_at_least_two_examples_with_image_and_truth(generated):
    assert list(generated) == ["receipts", "screenshots", "homework", "gauges"]
    for tab, found in generated.items():
        assert len(found) >= 2
        for example in found:
            assert example.tab == tab
            assert example.image_path == example.truth_path.parent / f"{example.name}.png"
            with Image.open(example.image_path) as image:
                assert image.format == "PNG" and image.mode == "RGB"
                assert not image.text  # no metadata chunks that could vary between runs
            record = json.loads(example.truth_path.read_text(encoding="utf-8"))
            assert record["truth"] == example.truth
            assert set(example.truth) == TRUTH_KEYS_BY_EXAMPLE.get(example.name, TRUTH_KEYS[tab])
            assert example.question


def test_names_are_unique_and_file_safe():
    names = [spec.name for specs in EXAMPLES.values() for spec in specs]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in names)


def test_generation_is_byte_for_byte_deterministic(tmp_path):
    ensure_examples(tmp_path / "one")
    ensure_examples(tmp_path / "two")
    first, second = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert len(first) == 2 * sum(len(specs) for specs in EXAMPLES.values())
    assert first == second


def test_another_process_draws_the_same_bytes(generated, tmp_path):
    root = generated["receipts"][0].image_path.parents[1]
    code = f"from workbench.examples import ensure_examples; ensure_examples({str(tmp_path)!r})"
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=Path(__file__).parents[1],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert _files(tmp_path) == _files(root)


def test_fresh_files_are_reused_untouched(copied):
    stamps = {p: p.stat().st_mtime_ns for p in copied.rglob("*") if p.is_file()}
    ensure_examples(copied)
    assert {p: p.stat().st_mtime_ns for p in copied.rglob("*") if p.is_file()} == stamps


def _corrupt_truth(example: Example) -> None:
    example.truth_path.write_text("{not json", encoding="utf-8")


def _old_generator(example: Example) -> None:
    record = json.loads(example.truth_path.read_text(encoding="utf-8"))
    record["generator"] = "0000000000000000"
    example.truth_path.write_text(json.dumps(record), encoding="utf-8")


def _edited_truth(example: Example) -> None:
    record = json.loads(example.truth_path.read_text(encoding="utf-8"))
    record["truth"] = ["not", "a", "dict"]
    example.truth_path.write_text(json.dumps(record), encoding="utf-8")


def _edited_image(example: Example) -> None:
    Image.new("RGB", (8, 8), "red").save(example.image_path)


@pytest.mark.parametrize(
    "spoil",
    [
        _corrupt_truth,
        _old_generator,
        _edited_truth,
        _edited_image,
        lambda example: example.truth_path.unlink(),
        lambda example: example.image_path.unlink(),
    ],
    ids=["corrupt-json", "old-generator", "truth-not-dict", "image-edited", "no-truth", "no-image"],
)
def test_stale_or_broken_examples_are_drawn_again(copied, spoil):
    example = ensure_examples(copied)["gauges"][0]
    good = _files(copied)
    spoil(example)
    again = ensure_examples(copied)["gauges"][0]
    assert _files(copied) == good
    assert again.truth == example.truth


def test_truth_for_reads_the_file_beside_an_image(generated, tmp_path):
    example = generated["receipts"][0]
    assert truth_for(example.image_path) == example.truth
    assert truth_for(tmp_path / "unknown.png") is None


def test_default_directory_follows_the_cache_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    assert default_examples_dir() == tmp_path / "examples"


@pytest.fixture
def without_dejavu(monkeypatch, tmp_path):
    monkeypatch.setattr(_common, "FONT_DIR", tmp_path / "no-fonts")
    _common.font.cache_clear()
    generator_fingerprint.cache_clear()
    yield
    monkeypatch.undo()
    _common.font.cache_clear()
    generator_fingerprint.cache_clear()


def test_pillow_default_font_is_the_fallback(generated, without_dejavu, tmp_path):
    assert (
        generator_fingerprint()
        != json.loads(generated["gauges"][0].truth_path.read_text(encoding="utf-8"))["generator"]
    )
    fallback = ensure_examples(tmp_path / "fallback")
    assert [e.name for e in fallback["screenshots"]] == [e.name for e in generated["screenshots"]]
    for example in fallback["screenshots"]:
        _check_screen_boxes(example)


# --- receipts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [spec.name for spec in EXAMPLES["receipts"] if spec.name not in TRUTH_KEYS_BY_EXAMPLE]
)
def test_receipt_arithmetic_adds_up_to_the_cent(generated, name):
    truth = _by_name(generated)[name].truth
    assert re.fullmatch(r"[A-Z]{3}", truth["currency"])
    assert truth["date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", truth["date"])
    for item in truth["items"]:
        assert set(item) == {"name", "qty", "unit_price", "amount"}
        assert _cents(item["qty"] * item["unit_price"]) == _cents(item["amount"])
    for discount in truth["discounts"]:
        assert set(discount) == {"description", "amount"} and discount["amount"] > 0
    subtotal = sum(_cents(item["amount"]) for item in truth["items"])
    assert subtotal == _cents(truth["subtotal"])
    taxable = subtotal - sum(_cents(d["amount"]) for d in truth["discounts"])
    rate = Decimal(str(truth["tax_rate"]))
    assert (taxable * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP) == _cents(truth["tax"])
    assert taxable + _cents(truth["tax"]) == _cents(truth["total"])


def test_grocery_receipt_has_a_member_discount_and_8_percent_tax(generated):
    truth = _by_name(generated)["receipt_grocery"].truth
    assert truth["tax_rate"] == 8.0
    assert any("MEMBER" in discount["description"] for discount in truth["discounts"])


# --- the Chinese VAT invoice ------------------------------------------------------------------

VAT_TRUTH = {
    "invoice_code": "033002400111",
    "invoice_number": "48271635",
    "date": "2024-05-16",
    "buyer_name": "上海云帆信息技术有限公司",
    "buyer_tax_id": "91310115MA1K3R8LXT",
    "amount": 8898.04,
    "tax_rate": 13.0,
    "tax": 1156.75,
    "total_in_words": "壹万零伍拾肆元柒角玖分",
    "total": 10054.79,
    "seller_name": "杭州青禾办公用品有限公司",
    "seller_tax_id": "91330106MA2H7C5P3M",
}


def test_vat_invoice_truth():
    assert vat_invoice.INVOICE.truth() == VAT_TRUTH


def test_vat_invoice_arithmetic():
    invoice, cent = vat_invoice.INVOICE, Decimal("0.01")
    amounts = [(line.qty * line.unit_price).quantize(cent, ROUND_HALF_UP) for line in invoice.lines]
    taxes = [(a * invoice.rate / 100).quantize(cent, ROUND_HALF_UP) for a in amounts]
    assert amounts == [
        Decimal("1061.90"),
        Decimal("1212.38"),
        Decimal("5660.16"),
        Decimal("963.60"),
    ]
    assert taxes == [Decimal("138.05"), Decimal("157.61"), Decimal("735.82"), Decimal("125.27")]
    assert sum(amounts) == invoice.amount == Decimal("8898.04")
    # The lines' taxes add up to exactly what the 合计 amount × rate gives: no rounding drift.
    assert (
        sum(taxes)
        == invoice.tax
        == (sum(amounts) * invoice.rate / 100).quantize(cent, ROUND_HALF_UP)
    )
    assert invoice.total == sum(amounts) + sum(taxes) == Decimal("10054.79")
    assert format_capital_amount(invoice.total) == invoice.words == "壹万零伍拾肆元柒角玖分"
    assert parse_capital_amount(invoice.words) == invoice.total
    for party in (invoice.buyer, invoice.seller):
        assert uscc_check_character(party.tax_id[:17]) == party.tax_id[17]


def test_vat_invoice_truth_passes_every_vat_check():
    results = run_checks(["vat_invoice"], vat_invoice.INVOICE.truth(), CheckContext())
    assert [(result.name, result.ok) for result in results] == [
        ("vat_tax_rate", True),
        ("vat_total", True),
        ("total_in_words", True),
        ("seller_tax_id", True),
        ("buyer_tax_id", True),
    ]


@needs_cjk_font
def test_vat_invoice_is_listed_with_its_preset(generated):
    example = _by_name(generated)["vat_invoice_hangzhou"]
    assert example in generated["receipts"] and example.truth == VAT_TRUTH
    preset = load_presets(PRESETS_DIR / "receipts.toml").get(example.preset)
    assert preset.name == "Chinese VAT invoice (增值税发票)"
    assert preset.schema_file == "vat_invoice.schema.json" and preset.checks == ("vat_invoice",)
    assert preset.generation.visual_tokens == (1024, 2048)
    Draft202012Validator(preset.schema).validate(example.truth)
    with Image.open(example.image_path) as image:
        assert image.size == (vat_invoice.WIDTH, vat_invoice.HEIGHT)
        rgb = np.asarray(image).astype(int)
    # The seller's red seal over the 备注 box, and black print in the 价税合计 row.
    seal = rgb[440:540, 890:1090]
    assert ((seal[..., 0] > 170) & (seal[..., 1] < 120) & (seal[..., 2] < 120)).sum() > 500
    assert (rgb[405:435, 350:560].sum(axis=2) < 200).sum() > 300


def test_vat_invoice_is_left_out_without_a_cjk_font(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr(_common, "CJK_FONT_FILES", (tmp_path / "no-such-font.ttc",))
    assert vat_invoice.specs() == ()
    assert "the Chinese VAT invoice example is left out: no CJK font" in caplog.text
    assert "apt-get install fonts-wqy-zenhei" in caplog.text
    assert _common.font_sources()[-1] == "no-cjk-font"
    _common.cjk_font.cache_clear()
    with pytest.raises(LookupError, match="fonts-wqy-zenhei"):
        _common.cjk_font(15)
    _common.cjk_font.cache_clear()


# --- screenshots ------------------------------------------------------------------------------


def _pixel_box(box: list[int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    width, height = size
    x1, y1, x2, y2 = box
    return (
        math.floor(x1 * width / 1000),
        math.floor(y1 * height / 1000),
        math.ceil(x2 * width / 1000),
        math.ceil(y2 * height / 1000),
    )


def _check_screen_boxes(example: Example) -> None:
    with Image.open(example.image_path) as image:
        pixels = np.asarray(image.convert("L"))
        size = image.size
    entries = example.truth["issues"] + example.truth["elements"]
    for entry in entries:
        box = entry["bbox_2d"]
        assert len(box) == 4 and all(isinstance(v, int) and 0 <= v <= 1000 for v in box)
        assert box[0] < box[2] and box[1] < box[3], entry
        x1, y1, x2, y2 = _pixel_box(box, size)
        assert pixels[y1:y2, x1:x2].std() > 3, f"nothing drawn inside {entry}"


@pytest.mark.parametrize("name", [spec.name for spec in EXAMPLES["screenshots"]])
def test_screenshot_boxes_are_valid_and_cover_drawn_things(generated, name):
    example = _by_name(generated)[name]
    _check_screen_boxes(example)
    for issue in example.truth["issues"]:
        assert set(issue) == {"kind", "description", "bbox_2d"}
        assert issue["kind"] in ISSUE_KINDS and 0 < len(issue["description"]) < 200
    for element in example.truth["elements"]:
        assert set(element) == {"label", "text", "bbox_2d"}
    assert len(example.truth["elements"]) <= 20


def test_shop_app_defects(generated):
    truth = _by_name(generated)["screenshot_shop_app"].truth
    assert sorted(issue["kind"] for issue in truth["issues"]) == [
        "overlap",
        "truncation",
        "truncation",
    ]
    banner = next(e for e in truth["elements"] if e["label"] == "banner title")
    assert banner["text"].startswith("Subscribe to premium news") and banner["text"].endswith("…")
    # The overlap box holds both the floating button and the button it covers.
    overlap = next(issue["bbox_2d"] for issue in truth["issues"] if issue["kind"] == "overlap")
    fab = next(e["bbox_2d"] for e in truth["elements"] if e["label"] == "floating action button")
    assert overlap[0] < fab[0] and overlap[1] <= fab[1] and overlap[2:] == fab[2:]


def _contrast(pixels: np.ndarray) -> float:
    """WCAG contrast between the darkest and lightest grey in a patch (approximate)."""
    lum = (pixels.astype(float) / 255) ** 2.2
    return (lum.max() + 0.05) / (lum.min() + 0.05)


def test_login_screen_defects_and_low_contrast_pixels(generated):
    example = _by_name(generated)["screenshot_login"]
    kinds = {issue["kind"]: issue["bbox_2d"] for issue in example.truth["issues"]}
    assert set(kinds) == {"typo", "contrast", "misalignment"}
    with Image.open(example.image_path) as image:
        pixels, size = np.asarray(image.convert("L")), image.size
    x1, y1, x2, y2 = _pixel_box(kinds["contrast"], size)
    assert _contrast(pixels[y1:y2, x1:x2]) < 2.0
    title = next(e["bbox_2d"] for e in example.truth["elements"] if e["label"] == "title")
    x1, y1, x2, y2 = _pixel_box(title, size)
    assert _contrast(pixels[y1:y2, x1:x2]) > 7.0
    fields = [e["bbox_2d"] for e in example.truth["elements"] if e["label"] == "text field"]
    assert kinds["misalignment"][0] > fields[0][0] and kinds["misalignment"][2] > fields[0][2]


# --- homework -------------------------------------------------------------------------------

# name -> (index of the wrong step or None, the right answer)
HOMEWORK = {
    "homework_equation": (1, Fraction(5)),
    "homework_fractions": (1, Fraction(11, 12)),
    "homework_area": (None, Fraction(90)),
}


def _number(text: str) -> Fraction:
    match = re.search(r"-?\d+(?:\.\d+)?(?:/\d+)?", text)
    assert match, text
    return Fraction(match.group())


@pytest.mark.parametrize("name", sorted(HOMEWORK))
def test_exactly_the_intended_step_is_wrong(generated, name):
    truth = _by_name(generated)[name].truth
    wrong_step, right_answer = HOMEWORK[name]
    wrong = [i for i, step in enumerate(truth["steps"]) if step["verdict"] == "incorrect"]
    assert wrong == ([] if wrong_step is None else [wrong_step])
    assert all(step["verdict"] in ("correct", "incorrect") for step in truth["steps"])
    assert all(set(step) == {"text", "verdict", "reason"} for step in truth["steps"])
    assert truth["correct"] is (wrong_step is None)
    assert (_number(truth["final_answer"]) == right_answer) is truth["correct"]
    assert truth["final_answer"] in truth["steps"][-1]["text"]


def test_every_homework_example_is_listed(generated):
    assert {example.name for example in generated["homework"]} == set(HOMEWORK)


# --- gauges ---------------------------------------------------------------------------------


def test_needle_geometry_round_trips():
    lo, hi = gauges.PRESSURE["scale_min"], gauges.PRESSURE["scale_max"]
    assert gauges.needle_angle(lo, lo, hi) == -135 and gauges.needle_angle(hi, lo, hi) == 135
    for value in (0.0, 2.5, 6.4, 10.0):
        assert gauges.value_at_angle(gauges.needle_angle(value, lo, hi), lo, hi) == pytest.approx(
            value
        )


def test_pressure_needle_is_drawn_where_the_truth_says(generated):
    example = _by_name(generated)["gauge_pressure"]
    truth = example.truth
    with Image.open(example.image_path) as image:
        rgb = np.asarray(image).astype(int)
    angle = gauges.needle_angle(truth["value"], truth["scale_min"], truth["scale_max"])
    x, y = gauges.polar(gauges.DIAL_RADIUS * 0.5, angle)
    assert np.abs(rgb[round(y), round(x)] - gauges.NEEDLE_COLOUR).max() < 30
    x, y = gauges.polar(gauges.DIAL_RADIUS * 0.5, angle + 25)
    assert np.abs(rgb[round(y), round(x)] - gauges.FACE_COLOUR).max() < 20
    # Read the needle back from the pixels: red pixels between the hub and the red zone.
    rows, cols = np.nonzero((rgb[..., 0] > 150) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90))
    dx, dy = cols - gauges.DIAL_CENTRE[0], rows - gauges.DIAL_CENTRE[1]
    radius = np.hypot(dx, dy)
    blade = (radius > 0.3 * gauges.DIAL_RADIUS) & (radius < 0.75 * gauges.DIAL_RADIUS)
    seen = math.degrees(math.atan2(dx[blade].mean(), -dy[blade].mean()))
    read = gauges.value_at_angle(seen, truth["scale_min"], truth["scale_max"])
    assert read == pytest.approx(truth["value"], abs=0.05)
    # And its box lies around those pixels.
    x1, y1, x2, y2 = _pixel_box(truth["bbox_2d"], (rgb.shape[1], rgb.shape[0]))
    assert x1 <= cols[blade].min() and cols[blade].max() <= x2
    assert y1 <= rows[blade].min() and rows[blade].max() <= y2


def test_thermometer_display_reads_the_truth_value(generated):
    example = _by_name(generated)["gauge_thermometer"]
    with Image.open(example.image_path) as image:
        grey = np.asarray(image.convert("L")).astype(int)
    by_segments = {frozenset(lit): digit for digit, lit in gauges.SEGMENTS.items()}
    text = ""
    for char, x, y in gauges.lcd_layout(gauges.READING):
        if char == ".":
            text += "." if grey[round(y + 5), round(x + 5)] < 90 else ""
            continue
        lit = set()
        for kind in "abcdefg":
            points = gauges.segment_polygon(kind, (x, y), gauges.DIGIT_SIZE)
            cx, cy = np.mean(points, axis=0)
            if grey[round(cy), round(cx)] < 90:
                lit.add(kind)
        text += by_segments[frozenset(lit)]
    assert float(text) == example.truth["value"]
    assert example.truth["unit"] == "°C"
    box = _pixel_box(example.truth["bbox_2d"], (grey.shape[1], grey.shape[0]))
    assert box[:2] <= gauges.DISPLAY[:2] and box[2:] >= gauges.DISPLAY[2:]


@pytest.mark.parametrize("name", [spec.name for spec in EXAMPLES["gauges"]])
def test_gauge_truth_shape(generated, name):
    truth = _by_name(generated)[name].truth
    assert truth["scale_min"] <= truth["value"] <= truth["scale_max"]
    assert truth["confidence"] == 1.0
    box = truth["bbox_2d"]
    assert all(isinstance(v, int) and 0 <= v <= 1000 for v in box)
    assert box[0] < box[2] and box[1] < box[3]


def test_module_exports():
    assert set(examples.__all__) <= set(dir(examples))
