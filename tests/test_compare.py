"""Screenshot comparison on drawn pairs: every drawn change found where it was drawn, of its
kind, nothing on an unchanged pair re-encoded as JPEG, a removed row once; bad input worded."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from workbench.compare import (
    CompareError,
    Comparison,
    compare_folders,
    compare_images,
    draw_comparison,
    load_screenshot,
    write_report,
)
from workbench.compare.align import align_rows
from workbench.compare.diff import MIN_AREA, changed_mask
from workbench.compare.drawn import (
    Screen,
    boxes_overlap,
    draw_screen,
    drawn_pairs,
    font,
    jpeg,
)

PAIRS = {pair.name: pair for pair in drawn_pairs(1.5)}
CHANGED = [name for name, pair in PAIRS.items() if pair.changes]


@pytest.fixture(scope="module")
def compared() -> dict[str, Comparison]:
    return {name: compare_images(pair.before, pair.after) for name, pair in PAIRS.items()}


@pytest.mark.parametrize("name", CHANGED)
def test_every_drawn_change_is_found_where_it_was_drawn(name: str, compared) -> None:
    found = PAIRS[name].found(compared[name].changes)
    assert None not in found, [c.as_dict() for c in compared[name].changes]


@pytest.mark.parametrize("name", CHANGED)
def test_each_change_is_of_the_kind_drawn(name: str, compared) -> None:
    found = PAIRS[name].found(compared[name].changes)
    assert [c.kind if c else None for c in found] == [t.kind for t in PAIRS[name].changes]


def test_the_kinds_are_right_for_at_least_80_percent(compared) -> None:
    truths = [(name, truth) for name in CHANGED for truth in PAIRS[name].changes]
    right = 0
    for name, truth in truths:
        found = replace(PAIRS[name], changes=(truth,)).found(compared[name].changes)[0]
        right += found is not None and found.kind == truth.kind
    assert right / len(truths) >= 0.8


@pytest.mark.parametrize("name", CHANGED)
def test_nothing_else_is_reported(name: str, compared) -> None:
    assert len(compared[name].changes) == len(PAIRS[name].changes)
    assert compared[name].problem == ""


def test_an_unchanged_pair_saved_as_jpeg_shows_no_change(compared) -> None:
    assert compared["unchanged, JPEG"].changes == ()
    assert compared["unchanged, JPEG"].problem == ""


def test_a_removed_row_is_reported_once_and_the_rows_below_not_at_all(compared) -> None:
    (change,) = compared["row removed"].changes
    assert change.kind == "removed" and change.after_box is None
    assert "Monthly subscription" in change.before_text
    assert "moved up" in change.detail


def test_the_changed_texts_are_read(compared) -> None:
    (change,) = compared["label changed"].changes
    assert (change.before_text, change.after_text) == ("Coffee beans", "Green tea")
    (change,) = compared["retina 2x, label changed"].changes
    assert (change.before_text, change.after_text) == ("Orders", "Purchases")


def test_a_retina_capture_is_scaled_and_boxed_in_its_own_pixels(compared) -> None:
    comparison = compared["retina 2x, label changed"]
    assert comparison.scale == 2.0 and comparison.after_size == (1080, 2400)
    (change,) = comparison.changes
    assert change.after_box[2] > 300  # "Purchases" at 2x reaches past 300 px


def test_a_moved_button_says_how_far(compared) -> None:
    (change,) = compared["button moved"].changes
    assert change.detail.startswith("moved") and "down" in change.detail


def test_a_recoloured_button_names_both_colours(compared) -> None:
    (change,) = compared["button recoloured"].changes
    assert change.detail == "colour #1a73e8 → #d93025"


def test_a_value_cut_with_an_ellipsis_is_flagged_on_the_after_image(compared) -> None:
    truth = PAIRS["value truncated"].changes[0]
    cut = [t for t in compared["value truncated"].truncations if t.side == "after"]
    assert any(boxes_overlap(t.box, truth.after_box) and t.reason == "ellipsis" for t in cut)
    assert not [t for t in compared["value truncated"].truncations if t.side == "before"]


def test_faint_text_is_flagged_under_3_to_1(compared) -> None:
    truth = PAIRS["faint text"].changes[0]
    after = [
        line
        for line in compared["faint text"].contrast_after
        if boxes_overlap(line.box, truth.after_box)
    ]
    before = [
        line
        for line in compared["faint text"].contrast_before
        if boxes_overlap(line.box, truth.before_box)
    ]
    assert [line.ratio < 3 and not line.aa for line in after] == [True]
    assert [line.aa for line in before] == [True]
    assert after[0].text == "Prices include VAT and delivery"


def test_a_masked_change_is_ignored() -> None:
    pair = PAIRS["label changed"]
    x0, y0, x1, y1 = pair.changes[0].before_box
    comparison = compare_images(
        pair.before, pair.after, [(x0 - 4, y0 - 4, x1 + 4, y1 + 4)], contrast=False
    )
    assert comparison.changes == ()
    assert comparison.contrast_before == comparison.contrast_after == ()


def test_two_unrelated_screens_say_so_and_list_no_change() -> None:
    other = Image.new("RGB", (540, 1200), (18, 18, 18))
    draw = ImageDraw.Draw(other)
    for row in range(12):
        draw.text((40, 60 + row * 90), f"Setting number {row}", font=font(30), fill=(240, 240, 240))
    comparison = compare_images(PAIRS["label changed"].before, other, contrast=False)
    assert comparison.problem == "compare.unrelated"
    assert comparison.changes == ()
    assert "different screens" in comparison.problem_text("en")


def test_a_phone_against_a_desktop_capture_says_their_shapes_differ() -> None:
    phone = PAIRS["label changed"].before
    desktop = Image.new("RGB", (1920, 1080), "white")
    comparison = compare_images(phone, desktop)
    assert comparison.problem == "compare.shapes" and comparison.changes == ()
    assert len(comparison.contrast_before) > 10  # each image still checked on its own
    assert "different shapes" in comparison.problem_text("en")


def test_the_result_is_json(compared) -> None:
    data = json.loads(json.dumps(compared["button moved"].as_dict()))
    assert data["changes"][0]["kind"] == "moved" and "path" not in data["changes"][0]
    assert set(data) >= {"before_size", "after_size", "scale", "changes", "truncations", "problem"}


def test_the_changes_are_drawn_on_both_images(compared) -> None:
    pair = PAIRS["button moved"]
    before, after = draw_comparison(pair.before, pair.after, compared["button moved"])
    assert before.size == pair.before.size and after.size == pair.after.size
    assert before.tobytes() != pair.before.tobytes() and after.tobytes() != pair.after.tobytes()


def test_the_report_zip_is_laid_out_for_a_bug_tracker(tmp_path: Path, compared) -> None:
    pair = PAIRS["label changed"]
    defects = [{"change": 1, "defect": True, "severity": "high", "why": "wrong product"}]
    out = write_report(
        tmp_path / "r.zip",
        "old.png",
        "new.png",
        pair.before,
        pair.after,
        compared["label changed"],
        defects,
    )
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        markdown = archive.read("report.md").decode()
        record = json.loads(archive.read("report.json"))
    assert names == {"report.md", "report.json", "before.png", "after.png", "crops/change-1.png"}
    for heading in (
        "# new.png against old.png: 1 changes, 1 defects",
        "## Steps to reproduce",
        "## Expected",
        "## Actual",
        "## Attachments",
    ):
        assert heading in markdown
    assert "| 1 | text | “Coffee beans” | “Green tea” |" in markdown
    assert record["defects"] == defects and record["comparison"]["changes"][0]["number"] == 1


def test_a_report_in_chinese(tmp_path: Path, compared) -> None:
    pair = PAIRS["row removed"]
    out = write_report(
        tmp_path / "r.zip",
        "a.png",
        "b.png",
        pair.before,
        pair.after,
        compared["row removed"],
        language="zh",
    )
    with zipfile.ZipFile(out) as archive:
        assert "## 复现步骤" in archive.read("report.md").decode()


def test_a_folder_regression_pairs_by_name_and_lists_the_missing(tmp_path: Path) -> None:
    before, after = tmp_path / "v1", tmp_path / "v2"
    (before / "shop").mkdir(parents=True)
    (after / "shop").mkdir(parents=True)
    label = PAIRS["label changed"]
    label.before.save(before / "shop" / "orders.png")
    label.after.save(after / "shop" / "orders.jpg", quality=95)  # another format, one pair
    PAIRS["unchanged, JPEG"].before.save(before / "same.png")
    PAIRS["unchanged, JPEG"].before.save(after / "same.png")
    label.before.save(before / "gone.png")
    label.before.save(after / "new.png")
    (before / "broken.png").write_bytes(b"not an image")
    (after / "broken.png").write_bytes(b"not an image")
    seen = []
    report = compare_folders(
        before, after, tmp_path / "out", on_pair=lambda *args: seen.append(args)
    )
    rows = {pair.name: pair for pair in report.pairs}
    assert set(rows) == {"shop/orders", "same", "broken"}
    assert rows["shop/orders"].changes == 1 and rows["same"].changes == 0
    assert rows["broken"].problem == "compare.unusable" and rows["broken"].report == ""
    assert report.missing_before == ("new",) and report.missing_after == ("gone",)
    assert [(done, total) for done, total, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert (tmp_path / "out" / rows["shop/orders"].report).is_file()
    assert "| shop/orders | 1 |" in (tmp_path / "out" / "report.md").read_text()
    assert json.loads((tmp_path / "out" / "report.json").read_text())["missing_after"] == ["gone"]


def test_a_folder_regression_reads_zips(tmp_path: Path) -> None:
    for side, image in (("v1", PAIRS["button moved"].before), ("v2", PAIRS["button moved"].after)):
        image.save(tmp_path / "shot.png")
        with zipfile.ZipFile(tmp_path / f"{side}.zip", "w") as archive:
            archive.write(tmp_path / "shot.png", "screens/home.png")
    report = compare_folders(tmp_path / "v1.zip", tmp_path / "v2.zip", tmp_path / "out")
    assert [(pair.name, pair.changes) for pair in report.pairs] == [("screens/home", 1)]


def test_a_folder_that_is_not_one(tmp_path: Path) -> None:
    with pytest.raises(CompareError) as caught:
        compare_folders(tmp_path / "nowhere", tmp_path, tmp_path / "out")
    assert caught.value.key == "not_folder"


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda path: path, "missing"),
        (lambda path: _written(path, b"%PDF-1.7\n%fake"), "pdf"),
        (lambda path: _written(path, b"not an image at all"), "unusable"),
    ],
    ids=["missing", "pdf", "not an image"],
)
def test_a_file_that_is_not_a_screenshot_is_worded(tmp_path: Path, make, key: str) -> None:
    with pytest.raises(CompareError) as caught:
        load_screenshot(make(tmp_path / "shot.png"))
    assert caught.value.key == key
    assert "shot.png" in str(caught.value) and caught.value.text("zh")


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("side", ["before", "after"])
def test_one_image_missing_is_worded(side: str) -> None:
    image = PAIRS["label changed"].before
    with pytest.raises(CompareError) as caught:
        compare_images(None if side == "before" else image, image if side == "before" else None)
    assert caught.value.key == "no_image" and f"The {side} screenshot is missing" in str(
        caught.value
    )


def test_an_image_over_the_pixel_limit_is_refused_with_the_limit() -> None:
    huge = Image.new("RGB", (8000, 7000), "white")  # 56 megapixels; the limit is 50
    with pytest.raises(CompareError) as caught:
        compare_images(huge, huge)
    assert caught.value.key == "unusable" and "50 megapixels" in str(caught.value)


def test_a_40_megapixel_capture_is_compared() -> None:
    big, _ = draw_screen(Screen(), 1.5)
    changed, _ = draw_screen(Screen(title="Purchases"), 1.5)
    size = (4320, 9600)  # 41.5 megapixels: a phone capture at 12x
    comparison = compare_images(big.resize(size), changed.resize(size), contrast=False)
    assert comparison.before_size == size
    assert [change.kind for change in comparison.changes] == ["text"]
    assert comparison.changes[0].after_box[3] <= 91 * 8  # boxed in the big image's pixels


def test_a_jpeg_of_a_retina_capture_matches_its_original() -> None:
    before, _ = draw_screen(Screen(), 1.5)
    after, _ = draw_screen(Screen(), 3)
    comparison = compare_images(before, jpeg(after, 85), contrast=False)
    assert comparison.changes == ()


def _stripes(rows: list[int]) -> np.ndarray:
    """Return a 200-wide image with a distinct dark bar pattern for each value in rows."""
    image = np.full((len(rows) * 20, 200, 3), 255, np.uint8)
    for index, value in enumerate(rows):
        if value:
            width = 20 + 15 * value  # a bar's length tells rows apart
            image[index * 20 + 6 : index * 20 + 14, 10 : 10 + width] = 40
    return image


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # the same rows: one run at offset 0
        ([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [(0, 120, 0, 120, True)]),
        # the third row's bar (rows 46-54) removed, those below moved up 20 px; the cuts fall
        # in the blank rows around it, and after's last 20 rows match nothing
        (
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 0],
            [1, 2, 4, 5, 6, 7, 8, 9, 0, 0],
            [
                (0, 46, 0, 46, True),
                (46, 66, 46, 46, False),
                (66, 200, 46, 180, True),
                (200, 200, 180, 200, False),
            ],
        ),
    ],
    ids=["same", "a row removed"],
)
def test_rows_align_as_blocks(before, after, expected) -> None:
    segments = align_rows(_stripes(before), _stripes(after))
    found = [(s.a0, s.a1, s.b0, s.b1, s.matched) for s in segments]
    assert found == expected


def _text_image(shift: tuple[int, int] = (0, 0), words: str = "Checkout total") -> np.ndarray:
    image = Image.new("RGB", (300, 60), "white")
    ImageDraw.Draw(image).text(
        (20 + shift[0], 15 + shift[1]), words, font=font(22), fill=(30, 30, 30)
    )
    return np.asarray(image)


@pytest.mark.parametrize(
    ("after", "changed"),
    [
        (_text_image(), False),
        (_text_image((1, 0)), False),  # one pixel right
        (_text_image((0, 1)), False),  # one pixel down
        (np.asarray(jpeg(Image.fromarray(_text_image()), 70)), False),
        (_text_image(words="Checkout totals"), True),
        (_text_image(words="Checkout tota1"), True),
    ],
    ids=["same", "1 px right", "1 px down", "JPEG 70", "a letter added", "a letter changed"],
)
def test_what_counts_as_a_changed_pixel(after: np.ndarray, changed: bool) -> None:
    assert bool(changed_mask(_text_image(), after).sum() >= MIN_AREA) is changed
