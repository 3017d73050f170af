"""Load and normalise images: size and type limits, EXIF orientation, RGB."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILE_BYTES = 25 * 2**20
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; far beyond what the model is shown
MIN_SIDE = 8
MAX_ASPECT_RATIO = 150  # the Qwen processor refuses images more elongated than 200:1


class ImageError(ValueError):
    """An image that cannot be used; the message says why and what to do."""


def load_image(source: str | Path | bytes | Image.Image) -> Image.Image:
    """Return the image as RGB, upright per its EXIF orientation, within the size limits."""
    image = source if isinstance(source, Image.Image) else _open(source)
    _check_size(image.size)
    try:
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(
            f"The image file is damaged or truncated ({error}). Re-export it as PNG or JPEG."
        ) from None


def _open(source: str | Path | bytes) -> Image.Image:
    if isinstance(source, bytes):
        data = source
        name = "the upload"
    else:
        path = Path(source)
        name = path.name
        if not path.is_file():
            raise ImageError(f"No image file at {path}. Check the path.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImageError(
                f"{name} is {path.stat().st_size / 2**20:.0f} MB; the limit is "
                f"{MAX_FILE_BYTES // 2**20} MB. Resize or compress it first."
            )
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(
            f"{name} is over {MAX_FILE_BYTES // 2**20} MB. Resize or compress it first."
        )
    try:
        with warnings.catch_warnings():
            # PIL warns, then raises, on huge images; our own pixel limit speaks first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageError(
            f"{name} has far more than {MAX_PIXELS / 1e6:.0f} megapixels, the limit. "
            "Downscale it first."
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"{name} is not an image this app can read. Use PNG, JPEG, WebP, GIF, BMP or TIFF."
        ) from None
    _check_size(image.size)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError(
            f"{name} is damaged or truncated ({error}). Re-export it as PNG or JPEG."
        ) from None
    return image


def _check_size(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"The image is {width}×{height} ({width * height / 1e6:.0f} megapixels); the limit "
            f"is {MAX_PIXELS / 1e6:.0f} megapixels. Downscale it first."
        )
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            f"The image is {width}×{height}; each side must be at least {MIN_SIDE} pixels."
        )
    if max(width, height) / min(width, height) > MAX_ASPECT_RATIO:
        raise ImageError(
            f"The image is {width}×{height}, more than {MAX_ASPECT_RATIO}:1. Crop it to the "
            "part you want to ask about."
        )


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
