"""Load and normalise images: size and type limits, EXIF orientation, RGB.

The wordings of `ImageError` cover PDF pages too (`workbench.documents`), so that the app has one
kind of error for "this upload cannot be shown to the model".
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.messages import Wording, check_language

MAX_FILE_BYTES = 25 * 2**20
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; far beyond what the model is shown
MIN_SIDE = 8
MAX_ASPECT_RATIO = 150  # the Qwen processor refuses images more elongated than 200:1
# What decoders raise on damaged data; libheif says EOFError when its data ends early.
_DAMAGED = (OSError, ValueError, SyntaxError, EOFError)


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
        "{name} is not an image this app can read. Use PNG, JPEG, WebP, HEIC, GIF, BMP or TIFF.",
        "{name} 不是本应用能读取的图片。请使用 PNG、JPEG、WebP、HEIC、GIF、BMP 或 TIFF。",
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
    # Where a PDF is accepted as well (`documents.load_any`).
    "unreadable_with_pdf": Wording(
        "{name} is not an image or a PDF this app can read. Use PNG, JPEG, WebP, HEIC, GIF, "
        "BMP, TIFF or PDF.",
        "{name} 不是本应用能读取的图片或 PDF。"
        "请使用 PNG、JPEG、WebP、HEIC、GIF、BMP、TIFF 或 PDF。",
    ),
    "not_paged": Wording(
        "{name} is an image, not a PDF: it has no page {page}.",
        "{name} 是图片，不是 PDF：没有第 {page} 页。",
    ),
    # PDFs (`workbench.documents`); pages are counted from 1 here, as the user counts them.
    "pdf_no_file": Wording(
        "No PDF file at {path}. Check the path.", "{path} 处没有 PDF 文件。请检查路径。"
    ),
    "not_pdf": Wording(
        "{name} is not a PDF (it does not start with %PDF-). Check that it is the right file.",
        "{name} 不是 PDF 文件（开头不是 %PDF-）。请确认选对了文件。",
    ),
    "pdf_locked": Wording(
        "{name} is password-protected; remove the password (print it to a new PDF) and upload "
        "again.",
        "{name} 有密码保护；请去掉密码（打印成一个新的 PDF）后重新上传。",
    ),
    "pdf_damaged": Wording(
        "{name} is a damaged or truncated PDF ({error}). Open it in a PDF viewer and print or "
        "save it as a new PDF.",
        "{name} 是已损坏或不完整的 PDF（{error}）。请用 PDF 阅读器打开，打印或另存为一个新的 PDF。",
    ),
    "pdf_empty": Wording(
        "{name} is a PDF with no pages. Check that it is the right file.",
        "{name} 是没有任何页面的 PDF。请确认选对了文件。",
    ),
    "pdf_no_page": Wording(
        "There is no page {page} of a {count}-page PDF ({name}). Pick a page from 1 to {count}.",
        "{name} 共 {count} 页，没有第 {page} 页。请选择第 1 到第 {count} 页。",
    ),
    "pdf_no_pages_picked": Wording(
        "No page was picked. Pick at least one page.", "没有选择页面。请至少选择一页。"
    ),
    "pdf_too_many_pages": Wording(
        "{count} pages were picked; a question can show the model at most {limit} pages at "
        "once. Pick fewer pages.",
        "选了 {count} 页；一个问题最多同时给模型看 {limit} 页。请少选几页。",
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
