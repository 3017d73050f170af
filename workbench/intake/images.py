"""Load and normalise images: size and type limits, EXIF orientation, RGB.

The wordings of `ImageError` (`image_error.<key>` in `workbench.wording`) cover PDF pages too
(`workbench.intake.documents`), so that the app has one kind of error for "this upload cannot be
shown to the model".
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.messages import word

MAX_FILE_BYTES = 25 * 2**20
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; far beyond what the model is shown
MIN_SIDE = 8
MAX_ASPECT_RATIO = 150  # the Qwen processor refuses images more elongated than 200:1
# What decoders raise on damaged data; libheif says EOFError when its data ends early.
_DAMAGED = (OSError, ValueError, SyntaxError, EOFError)


class ImageError(ValueError):
    """An image that cannot be used; the message says why and what to do, in English or 中文."""

    def __init__(self, key: str, **facts: object) -> None:
        self.key, self.facts = key, facts
        super().__init__(self.text("en"))

    def text(self, language: str = "en") -> str:
        """Return the message in `language` ("en" or "zh")."""
        return word(f"image_error.{self.key}", language, **self.facts)


def load_image(source: str | Path | bytes | Image.Image) -> Image.Image:
    """Return the image as RGB, upright per its EXIF orientation, within the size limits."""
    image = source if isinstance(source, Image.Image) else _open(source)
    check_size(image.size)
    try:
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except _DAMAGED as error:
        raise ImageError("damaged", error=error) from None


def read_source(source: str | Path | bytes, missing: str = "no_file") -> tuple[bytes, str]:
    """Return a file's (or the bytes') content and a name for messages, within the byte limit.

    `missing` is the wording key for a path with no file behind it.
    """
    if isinstance(source, bytes):
        data = source
        name = "the upload"
    else:
        path = Path(source)
        name = path.name
        if not path.is_file():
            raise ImageError(missing, path=path)
        if path.stat().st_size > MAX_FILE_BYTES:
            megabytes = path.stat().st_size / 2**20
            raise ImageError(
                "file_too_big", name=name, megabytes=megabytes, limit=MAX_FILE_BYTES // 2**20
            )
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ImageError("data_too_big", name=name, limit=MAX_FILE_BYTES // 2**20)
    return data, name


def _open(source: str | Path | bytes) -> Image.Image:
    data, name = read_source(source)
    _register_heif()
    try:
        with warnings.catch_warnings():
            # PIL warns, then raises, on huge images; our own pixel limit speaks first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageError("bomb", name=name, limit=MAX_PIXELS / 1e6) from None
    except UnidentifiedImageError:
        raise ImageError("unreadable", name=name) from None
    except _DAMAGED as error:
        # The HEIF plugin parses the whole container on open and raises ValueError when it is cut.
        raise ImageError("name_damaged", name=name, error=_reason(error)) from None
    check_size(image.size)
    try:
        image.load()
    except _DAMAGED as error:
        raise ImageError("name_damaged", name=name, error=_reason(error)) from None
    return image


def _reason(error: Exception) -> str:
    # libheif's messages end in a newline, which would break the sentence around them.
    return " ".join(str(error).split())


@functools.cache
def _register_heif() -> None:
    # Phone photos (HEIC). Registered on first use: the plugin loads libheif (~40 ms). libheif
    # applies the container's rotation and pillow-heif resets the EXIF orientation to 1, so
    # `exif_transpose` leaves such a photo as it is, upright.
    import pillow_heif

    pillow_heif.register_heif_opener()


def check_size(size: tuple[int, int]) -> None:
    """Raise ImageError if a (width, height) is over the pixel limit, too small or too elongated."""
    width, height = size
    if width * height > MAX_PIXELS:
        raise ImageError(
            "too_many_pixels",
            width=width,
            height=height,
            megapixels=width * height / 1e6,
            limit=MAX_PIXELS / 1e6,
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError("too_small", width=width, height=height, limit=MIN_SIDE)
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise ImageError("too_elongated", width=width, height=height, limit=MAX_ASPECT_RATIO)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        image = _stretch_to_8_bit(image.convert("F"))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        # Transparent screenshots would turn black; put them on white as a viewer shows them.
        background = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _stretch_to_8_bit(image: Image.Image) -> Image.Image:
    # 16-bit and float scans: map the used range onto 0–255 instead of clipping above 255.
    low, high = image.getextrema()
    scale = 255.0 / (high - low) if high > low else 0.0
    return image.point(lambda value: (value - low) * scale).convert("L")
