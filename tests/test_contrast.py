"""WCAG 2.x contrast: the ratio's maths, colours estimated from a line's pixels, the verdicts;
and text cut short, found on given lines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.cli import compare as cli_compare
from workbench.compare import contrast as contrast_module
from workbench.compare import contrast_lines, draw_contrast, find_truncations
from workbench.compare.contrast import (
    contrast_ratio,
    device_pixels_per_point,
    hex_colour,
    line_colours,
    measure_line,
    relative_luminance,
)
from workbench.compare.drawn import font
from workbench.compare.truncation import ends_in_ellipsis
from workbench.evidence.ocr import OcrLine

WHITE, BLACK = (255, 255, 255), (0, 0, 0)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        (BLACK, WHITE, 21.0),
        (WHITE, BLACK, 21.0),  # either order
        (WHITE, WHITE, 1.0),
        (BLACK, BLACK, 1.0),
        ((0x77, 0x77, 0x77), WHITE, 4.48),  # the classic grey that just fails AA
        ((0x76, 0x76, 0x76), WHITE, 4.54),  # ... and the one that just passes
        ((0, 0, 255), WHITE, 8.59),
        ((255, 0, 0), WHITE, 4.0),
        ((0, 128, 0), WHITE, 5.14),
        ((0x59, 0x59, 0x59), WHITE, 7.0),
        ((200, 200, 200), WHITE, 1.67),
        ((0x1A, 0x73, 0xE8), WHITE, 4.51),
    ],
)
def test_the_contrast_ratio(first, second, ratio: float) -> None:
    assert contrast_ratio(first, second) == ratio


@pytest.mark.parametrize(
    ("colour", "luminance"),
    [
        (BLACK, 0.0),
        (WHITE, 1.0),
        ((255, 0, 0), 0.2126),
        ((0, 255, 0), 0.7152),
        ((0, 0, 255), 0.0722),
    ],
)
def test_relative_luminance(colour, luminance: float) -> None:
    assert relative_luminance(colour) == pytest.approx(luminance)


@pytest.mark.parametrize(
    ("size", "dpr"),
    [((1080, 2400), 2.7), ((540, 1200), 1.35), ((360, 800), 1.0), ((1920, 1080), 1.0)],
)
def test_device_pixels_per_point(size, dpr: float) -> None:
    assert device_pixels_per_point(size) == pytest.approx(dpr)


@pytest.mark.parametrize(
    ("colour", "text"),
    [((26, 115, 232), "#1a73e8"), ((0, 0, 0), "#000000"), ((255, 255, 255), "#ffffff")],
)
def test_hex_colour(colour, text: str) -> None:
    assert hex_colour(colour) == text


def _line(ink, ground, size: int = 20, text: str = "Readable words") -> tuple[np.ndarray, tuple]:
    image = Image.new("RGB", (400, 60), ground)
    draw = ImageDraw.Draw(image)
    draw.text((10, 12), text, font=font(size, True), fill=ink)
    return np.asarray(image), tuple(draw.textbbox((10, 12), text, font=font(size, True)))


@pytest.mark.parametrize(
    ("ink", "ground", "ratio", "aa", "aaa"),
    [
        (BLACK, WHITE, 21.0, True, True),
        ((0x59, 0x59, 0x59), WHITE, 7.0, True, True),
        ((0x76, 0x76, 0x76), WHITE, 4.54, True, False),
        ((0x99, 0x99, 0x99), WHITE, 2.85, False, False),
        ((200, 200, 200), WHITE, 1.67, False, False),
        (WHITE, (26, 115, 232), 4.51, True, False),  # white on a blue button
    ],
)
def test_a_lines_colours_and_verdicts_come_from_its_pixels(ink, ground, ratio, aa, aaa) -> None:
    pixels, box = _line(ink, ground)
    line = measure_line(pixels, box, "Readable words", dpr=1.0)
    assert (line.foreground, line.background) == (hex_colour(ink), hex_colour(ground))
    assert (line.ratio, line.aa, line.aaa, line.large) == (ratio, aa, aaa, False)


def test_large_text_passes_aa_at_3_to_1() -> None:
    pixels, box = _line((0x92, 0x92, 0x92), WHITE, size=34, text="Big")  # 3.13:1
    large = measure_line(pixels, box, "Big", dpr=1.0)
    small = measure_line(pixels, box, "Big", dpr=2.0)  # the same pixels on a 2x screen: 17 px
    assert large.large and large.aa and not large.aaa and 3.0 <= large.ratio < 4.5
    assert not small.large and not small.aa


def test_line_colours_take_the_commonest_as_background() -> None:
    pixels = np.array([WHITE] * 70 + [BLACK] * 20 + [(128, 128, 128)] * 10, dtype=np.uint8)
    assert line_colours(pixels) == (BLACK, WHITE)


def test_contrast_lines_on_given_lines_and_the_failing_ones_drawn() -> None:
    image = Image.new("RGB", (400, 120), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "Dark enough", font=font(20), fill=BLACK)
    draw.text((10, 60), "Too faint", font=font(20), fill=(210, 210, 210))
    lines = [
        OcrLine("Dark enough", (6, 6, 160, 40), 1.0),
        OcrLine("Too faint", (6, 56, 130, 90), 1.0),
    ]
    found = contrast_lines(image, lines)
    assert [(line.text, line.aa) for line in found] == [("Dark enough", True), ("Too faint", False)]
    assert found[1].ratio < 3
    drawn = draw_contrast(image, found)
    assert np.asarray(drawn)[56:91, 2:8].any(axis=2).any()  # the failing line's box is drawn
    assert drawn.getpixel((200, 20)) == WHITE  # nothing drawn for the passing line


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Monthly subscr…", True),
        ("Monthly subscr...", True),
        ("Wait ⋯", True),
        ("Done.", False),
        ("", False),
    ],
)
def test_an_ellipsis_ends_a_cut_text(text: str, cut: bool) -> None:
    assert ends_in_ellipsis(text) is cut


def test_truncations_by_ellipsis_by_the_images_side_and_by_a_border() -> None:
    image = Image.new("RGB", (300, 150), WHITE)
    draw = ImageDraw.Draw(image)
    face = font(18)
    draw.text((10, 5), "Fits well", font=face, fill=BLACK)
    draw.text((10, 40), "Cut short…", font=face, fill=BLACK)
    draw.text((220, 75), "Off the side", font=face, fill=BLACK)  # runs past x = 300
    draw.rectangle((120, 105, 180, 145), outline=(26, 115, 232), width=3)
    draw.text((150, 113), "Clipped", font=face, fill=BLACK)
    draw.rectangle((180, 105, 260, 145), fill=(26, 115, 232))  # the button's side hides the rest
    lines = [
        OcrLine("Fits well", (6, 2, 100, 30), 1.0),
        OcrLine("Cut short…", (6, 37, 120, 65), 1.0),
        OcrLine("Off the", (216, 72, 300, 100), 1.0),
        OcrLine("Clip", (146, 110, 180, 138), 1.0),
    ]
    found = find_truncations(image, lines, "image")
    assert [(t.text, t.reason, t.side) for t in found] == [
        ("Cut short…", "ellipsis", "image"),
        ("Off the", "edge", "image"),
        ("Clip", "edge", "image"),
    ]


def test_the_command_lines_thresholds_are_the_librarys() -> None:
    module = contrast_module
    assert (cli_compare.AA, cli_compare.AA_LARGE, cli_compare.AAA, cli_compare.AAA_LARGE) == (
        module.AA,
        module.AA_LARGE,
        module.AAA,
        module.AAA_LARGE,
    )
