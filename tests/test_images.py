"""Image loading: every source and mode becomes upright RGB; bad files fail with a clear message."""

from __future__ import annotations

import functools
import io
import random
import re
import string
from pathlib import Path

import pytest
from PIL import Image

from workbench.intake import images
from workbench.intake.images import ImageError, load_image
from workbench.wording import SECTIONS

WHITE, RED = (255, 255, 255), (255, 0, 0)
# What an ImageError can say: its keys, each worded as image_error.<key> in the one table.
IMAGE_ERRORS = SECTIONS["images"]
ERROR_KEYS = {key.removeprefix("image_error.") for key in IMAGE_ERRORS}


def _encode(image: Image.Image, fmt: str = "PNG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
@pytest.mark.parametrize("as_type", [str, Path, bytes])
def test_file_and_bytes_come_back_rgb(tmp_path: Path, fmt: str, suffix: str, as_type: type) -> None:
    data = _encode(Image.new("RGB", (40, 30), RED), fmt)
    path = _write(tmp_path, f"red.{suffix}", data)
    source = data if as_type is bytes else as_type(path)

    image = load_image(source)

    assert (image.mode, image.size) == ("RGB", (40, 30))
    red, green, blue = image.getpixel((20, 15))
    assert red > 240 and green < 15 and blue < 15  # JPEG and WebP are lossy


def test_pil_image_comes_back_rgb_and_unchanged() -> None:
    original = Image.new("RGB", (40, 30), RED)
    image = load_image(original)
    assert (image.mode, image.size, image.getpixel((0, 0))) == ("RGB", (40, 30), RED)


# ---------------------------------------------------------------- EXIF orientation


@pytest.mark.parametrize(
    ("orientation", "expected_size"),
    [
        (1, (40, 20)),  # upright
        (3, (40, 20)),  # rotated 180°
        (6, (20, 40)),  # rotated 90°: width and height swap
        (8, (20, 40)),
    ],
)
@pytest.mark.parametrize("from_bytes", [True, False])
def test_exif_orientation_is_applied(
    orientation: int, expected_size: tuple[int, int], from_bytes: bool
) -> None:
    picture = Image.new("RGB", (40, 20), WHITE)
    picture.paste(RED, (0, 0, 20, 20))  # left half red, so the rotation shows
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(picture, "JPEG", exif=exif, quality=95)

    image = load_image(data if from_bytes else Image.open(io.BytesIO(data)))

    assert (image.mode, image.size) == ("RGB", expected_size)
    assert image.getexif().get(0x0112) in (None, 1)  # not rotated a second time downstream
    red_corner = {1: (0, 0), 3: (39, 19), 6: (0, 0), 8: (19, 39)}[orientation]
    assert image.getpixel(red_corner)[0] > 200 and image.getpixel(red_corner)[1] < 60


# ---------------------------------------------------------------- modes


def _palette_with_transparent_index() -> Image.Image:
    image = Image.new("P", (16, 16), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 0
    image.paste(1, (0, 0, 8, 16))  # left half red, right half transparent
    return image


@pytest.mark.parametrize(
    ("make", "fmt", "pixel", "expected"),
    [
        (lambda: Image.new("RGBA", (16, 16), (255, 0, 0, 0)), "PNG", (4, 4), WHITE),
        (lambda: Image.new("RGBA", (16, 16), (255, 0, 0, 255)), "PNG", (4, 4), RED),
        (lambda: Image.new("LA", (16, 16), (0, 0)), "PNG", (4, 4), WHITE),
        (lambda: Image.new("LA", (16, 16), (0, 255)), "PNG", (4, 4), (0, 0, 0)),
        (_palette_with_transparent_index, "PNG", (12, 4), WHITE),
        (_palette_with_transparent_index, "PNG", (4, 4), RED),
        (lambda: Image.new("P", (16, 16), 3), "GIF", (4, 4), None),
        (lambda: Image.new("L", (16, 16), 128), "PNG", (4, 4), (128, 128, 128)),
        (lambda: Image.new("1", (16, 16), 1), "PNG", (4, 4), WHITE),
        (lambda: Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG", (4, 4), None),
        (lambda: Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "TIFF", (4, 4), WHITE),
        (lambda: Image.new("I;16", (16, 16), 1000), "PNG", (4, 4), None),
        (lambda: Image.new("I", (16, 16), 70000), "TIFF", (4, 4), None),
        (lambda: Image.new("F", (16, 16), 0.5), "TIFF", (4, 4), None),
    ],
)
@pytest.mark.parametrize("encoded", [True, False])
def test_every_mode_becomes_rgb(
    make, fmt: str, pixel: tuple[int, int], expected: tuple | None, encoded: bool
) -> None:
    original = make()
    source = _encode(original, fmt) if encoded else original

    image = load_image(source)

    assert (image.mode, image.size) == ("RGB", (16, 16))
    if expected is not None:
        assert image.getpixel(pixel) == expected


def test_sixteen_bit_grayscale_keeps_its_dark_end_black() -> None:
    dark_left = Image.new("I;16", (16, 16), 100)
    dark_left.paste(4000, (8, 0, 16, 16))
    image = load_image(_encode(dark_left))
    assert image.getpixel((2, 2)) == (0, 0, 0)
    assert image.getpixel((12, 2)) == WHITE


def test_sixteen_bit_gradient_keeps_its_gray_levels() -> None:
    gradient = Image.new("I;16", (256, 8))
    gradient.putdata([x * 257 for _ in range(8) for x in range(256)])  # 0 … 65535
    image = load_image(_encode(gradient)).convert("L")
    levels = [image.getpixel((x, 4)) for x in range(256)]
    assert levels == sorted(levels)
    assert len(set(levels)) > 200


# ---------------------------------------------------------------- errors


def _truncated_png() -> bytes:
    noisy = Image.effect_noise((64, 64), 64).convert("RGB")  # noise does not compress away
    data = _encode(noisy)
    return data[: len(data) // 2]


def _truncated_jpeg() -> bytes:
    data = _encode(Image.effect_noise((64, 64), 64).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("name", "data", "problem", "advice"),
    [
        ("notes.txt", b"just some text, not pixels\n", "not an image", "Use PNG, JPEG"),
        ("photo.png", b"", "not an image", "Use PNG, JPEG"),
        ("photo.png", b"\x89PNG\r\n\x1a\n", "not an image", "Use PNG, JPEG"),
        ("half.png", _truncated_png(), "damaged or truncated", "Re-export"),
        ("half.jpg", _truncated_jpeg(), "damaged or truncated", "Re-export"),
        ("tiny.png", _encode(Image.new("RGB", (4, 4))), "at least 8 pixels", "4×4"),
        ("strip.png", _encode(Image.new("RGB", (2000, 10))), "more than 150:1", "Crop it"),
        ("tall.png", _encode(Image.new("RGB", (10, 2000))), "more than 150:1", "Crop it"),
        ("huge.png", _encode(Image.new("1", (10000, 10000))), "100 megapixels", "Downscale"),
    ],
)
@pytest.mark.parametrize("from_bytes", [True, False])
def test_bad_image_raises_saying_what_and_what_to_do(
    tmp_path: Path, name: str, data: bytes, problem: str, advice: str, from_bytes: bool
) -> None:
    source = data if from_bytes else _write(tmp_path, name, data)
    with pytest.raises(ImageError) as error:
        load_image(source)
    message = str(error.value)
    assert problem in message and advice in message
    assert isinstance(error.value, ValueError)
    if not from_bytes and problem in ("not an image", "damaged or truncated"):
        assert name in message  # the file is named, so the user knows which one


@functools.cache
def _bomb() -> bytes:
    bomb = _encode(Image.new("1", (20000, 20000)))
    assert len(bomb) < 100_000  # a small file that claims 400 megapixels
    return bomb


def test_decompression_bomb_reports_the_pixel_limit() -> None:
    with pytest.raises(ImageError, match="megapixels"):
        load_image(_bomb())


def test_decompression_bomb_is_refused() -> None:
    with pytest.raises(ImageError):
        load_image(_bomb())


@pytest.mark.parametrize(
    ("size", "ok"),
    [
        ((8, 8), True),
        ((7, 8), False),
        ((8, 7), False),
        ((1200, 8), True),  # exactly 150:1
        ((1208, 8), False),
        ((8, 1208), False),
        ((7071, 7071), True),  # 49.998 megapixels
        ((7072, 7072), False),  # 50.013 megapixels
    ],
)
def test_size_limits(size: tuple[int, int], ok: bool) -> None:
    image = Image.new("1", size)
    if ok:
        assert load_image(image).size == size
    else:
        with pytest.raises(ImageError, match=f"{size[0]}×{size[1]}"):
            load_image(image)


@pytest.mark.parametrize("is_directory", [False, True])
def test_missing_file(tmp_path: Path, is_directory: bool) -> None:
    path = tmp_path / "nowhere.png"
    if is_directory:
        path.mkdir()
    with pytest.raises(ImageError, match=r"No image file at .*nowhere\.png\. Check the path"):
        load_image(path)


@pytest.mark.parametrize("from_bytes", [True, False])
def test_over_the_byte_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_bytes: bool
) -> None:
    data = _encode(Image.new("RGB", (64, 64), RED))
    monkeypatch.setattr(images, "MAX_FILE_BYTES", len(data) - 1)
    source = data if from_bytes else _write(tmp_path, "big.png", data)
    with pytest.raises(ImageError, match="Resize or compress it first"):
        load_image(source)

    monkeypatch.setattr(images, "MAX_FILE_BYTES", len(data))
    assert load_image(source).size == (64, 64)


# ---------------------------------------------------------------- HEIC (phone photos)


def _heic(image: Image.Image, orientation: int | None = None) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()  # to write one; `load_image` registers it to read
    params: dict[str, object] = {"quality": 90}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        params["exif"] = exif.tobytes()  # as bytes: pillow-heif reads the orientation from them
    return _encode(image, "HEIF", **params)


@pytest.mark.parametrize("as_type", [str, Path, bytes])
def test_heic_comes_back_rgb(tmp_path: Path, as_type: type) -> None:
    data = _heic(Image.new("RGB", (40, 30), RED))
    assert data[4:12] == b"ftypheic"
    path = _write(tmp_path, "IMG_0001.HEIC", data)

    image = load_image(data if as_type is bytes else as_type(path))

    assert (image.mode, image.size) == ("RGB", (40, 30))
    red, green, blue = image.getpixel((20, 15))
    assert red > 240 and green < 15 and blue < 15


@pytest.mark.parametrize(
    ("orientation", "expected_size", "red_corner"),
    [
        (1, (40, 20), (0, 0)),
        (3, (40, 20), (39, 19)),
        (6, (20, 40), (0, 0)),
        (8, (20, 40), (19, 39)),
    ],
)
def test_heic_orientation_is_applied_once(
    orientation: int, expected_size: tuple[int, int], red_corner: tuple[int, int]
) -> None:
    # The same picture and corners as the JPEG case above. pillow-heif writes the orientation as
    # the container's rotation; libheif applies it on reading and the EXIF then says 1.
    picture = Image.new("RGB", (40, 20), WHITE)
    picture.paste(RED, (0, 0, 20, 20))

    image = load_image(_heic(picture, orientation))

    assert (image.mode, image.size) == ("RGB", expected_size)
    assert image.getexif().get(0x0112) in (None, 1)
    assert image.getpixel(red_corner)[0] > 200 and image.getpixel(red_corner)[1] < 60


def test_a_truncated_heic_says_damaged(tmp_path: Path) -> None:
    data = _heic(Image.frombytes("RGB", (64, 64), random.Random(0).randbytes(64 * 64 * 3)))
    with pytest.raises(ImageError, match=r"^half\.heic is damaged or truncated .*Re-export"):
        load_image(_write(tmp_path, "half.heic", data[: len(data) // 2]))


def test_a_mangled_heic_gives_an_image_or_an_image_error() -> None:
    noise = Image.frombytes("RGB", (64, 64), random.Random(0).randbytes(64 * 64 * 3))
    data = _heic(noise)  # the same bytes every run: x265 is deterministic
    rng = random.Random(2)  # its flips include some on which libheif raises EOFError
    cases = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 200))]
    for _ in range(700):
        mangled = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        cases.append(bytes(mangled))
    outcomes = set()
    for case in cases:
        try:
            outcomes.add(load_image(case).mode)
        except ImageError as error:
            outcomes.add(error.key)
    assert "RGB" in outcomes and "name_damaged" in outcomes
    assert outcomes <= {"RGB", *ERROR_KEYS}


def test_the_unreadable_message_lists_heic() -> None:
    error = ImageError("unreadable", name="notes.txt")
    assert "Use PNG, JPEG, WebP, HEIC, GIF, BMP or TIFF." in str(error)
    assert "HEIC" in error.text("zh")


def test_every_wording_has_the_same_facts_in_both_languages() -> None:
    def fields(template: str) -> set[str]:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}

    for key, wording in IMAGE_ERRORS.items():
        assert fields(wording.en) == fields(wording.zh), key


def test_the_keys_the_code_raises_are_the_keys_worded() -> None:
    """Each ImageError the intake raises (a key, or read_source's `missing`) has its wording,
    and the table words no error that is never raised."""
    raised: set[str] = set()
    for path in (Path(__file__).parents[1] / "workbench").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        raised |= set(re.findall(r'ImageError\(\s*"(\w+)"', source))
        raised |= set(re.findall(r'missing(?::\s*str)?\s*=\s*"(\w+)"', source))
    assert raised == ERROR_KEYS


# Facts enough for any image error; braces in a value are the value's, never a placeholder.
FACTS = {
    "error": OSError("cut short {here}"),
    "path": Path("/data/scan{1}.png"),
    "name": "scan{1}.png",
    "megabytes": 30.4,
    "limit": 25,
    "width": 4,
    "height": 40,
    "megapixels": 61.2,
    "page": 7,
    "count": 3,
}


@pytest.mark.parametrize("key", sorted(ERROR_KEYS))
def test_an_image_error_says_its_wording_as_plain_format_would(key: str) -> None:
    """The one table words an ImageError exactly as its own table's str.format did."""
    error = ImageError(key, **FACTS)
    wording = IMAGE_ERRORS[f"image_error.{key}"]
    assert str(error) == error.text("en") == wording.en.format(**FACTS)
    assert error.text("zh") == wording.zh.format(**FACTS)
