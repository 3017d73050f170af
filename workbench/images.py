"""Load and normalise images: size and type limits, EXIF orientation, RGB."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.messages import Wording, check_language

MAX_FILE_BYTES = 25 * 2**20
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; far beyond what the model is shown
MIN_SIDE = 8
MAX_ASPECT_RATIO = 150  # the Qwen processor refuses images more elongated than 200:1


_WORDING = {
    "damaged": Wording(
        "The image file is damaged or truncated ({error}). Re-export it as PNG or JPEG.",
        "图片文件已损坏或不完整（{error}）。请重新导出为 PNG 或 JPEG。",
    ),
    "no_file": Wording(
        "No image file at {path}. Check the path.", "{path} 处没有图片文件。请检查路径。"
    ),
    "file_too_big": Wording(
        "{name} is {megabytes:.0f} MB; the limit is {limit} MB. Resize or compress it first.",
        "{name} 有 {megabytes:.0f} MB，上限是 {limit} MB。请先缩小或压缩。",
    ),
    "data_too_big": Wording(
        "{name} is over {limit} MB. Resize or compress it first.",
        "{name} 超过了 {limit} MB。请先缩小或压缩。",
    ),
    "bomb": Wording(
        "{name} has far more than {limit:.0f} megapixels, the limit. Downscale it first.",
        "{name} 远超 {limit:.0f} 百万像素的上限。请先缩小。",
    ),
    "unreadable": Wording(
        "{name} is not an image this app can read. Use PNG, JPEG, WebP, GIF, BMP or TIFF.",
        "{name} 不是本应用能读取的图片。请使用 PNG、JPEG、WebP、GIF、BMP 或 TIFF。",
    ),
    "name_damaged": Wording(
        "{name} is damaged or truncated ({error}). Re-export it as PNG or JPEG.",
        "{name} 已损坏或不完整（{error}）。请重新导出为 PNG 或 JPEG。",
    ),
    "too_many_pixels": Wording(
        "The image is {width}×{height} ({megapixels:.0f} megapixels); the limit "
        "is {limit:.0f} megapixels. Downscale it first.",
        "图片是 {width}×{height}（{megapixels:.0f} 百万像素），上限是 {limit:.0f} 百万像素。"
        "请先缩小。",
    ),
    "too_small": Wording(
        "The image is {width}×{height}; each side must be at least {limit} pixels.",
        "图片是 {width}×{height}；每条边至少要 {limit} 像素。",
    ),
    "too_elongated": Wording(
        "The image is {width}×{height}, more than {limit}:1. Crop it to the "
        "part you want to ask about.",
        "图片是 {width}×{height}，长宽比超过 {limit}:1。请裁剪出你想问的部分。",
    ),
}


class ImageError(ValueError):
    """An image that cannot be used; the message says why and what to do, in English or 中文."""

    def __init__(self, key: str, **facts: object) -> None:
        self.key, self.facts = key, facts
        super().__init__(self.text("en"))

    def text(self, language: str = "en") -> str:
        """Return the message in `language` ("en" or "zh")."""
        check_language(language)
        return getattr(_WORDING[self.key], language).format(**self.facts)


def load_image(source: str | Path | bytes | Image.Image) -> Image.Image:
    """Return the image as RGB, upright per its EXIF orientation, within the size limits."""
    image = source if isinstance(source, Image.Image) else _open(source)
    _check_size(image.size)
    try:
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError("damaged", error=error) from None


def _open(source: str | Path | bytes) -> Image.Image:
    if isinstance(source, bytes):
        data = source
        name = "the upload"
    else:
        path = Path(source)
        name = path.name
        if not path.is_file():
            raise ImageError("no_file", path=path)
        if path.stat().st_size > MAX_FILE_BYTES:
            megabytes = path.stat().st_size / 2**20
            raise ImageError(
                "file_too_big", name=name, megabytes=megabytes, limit=MAX_FILE_BYTES // 2**20
            )
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise ImageError("data_too_big", name=name, limit=MAX_FILE_BYTES // 2**20)
    try:
        with warnings.catch_warnings():
            # PIL warns, then raises, on huge images; our own pixel limit speaks first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageError("bomb", name=name, limit=MAX_PIXELS / 1e6) from None
    except UnidentifiedImageError:
        raise ImageError("unreadable", name=name) from None
    _check_size(image.size)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError) as error:
        raise ImageError("name_damaged", name=name, error=error) from None
    return image


def _check_size(size: tuple[int, int]) -> None:
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
