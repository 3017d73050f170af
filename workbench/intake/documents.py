"""PDF pages as images: page count, thumbnails for a page picker, pages rendered for the budget.

Pages are counted from 0 here, as everywhere in the library; the CLI (`--page N`) and the UI
count from 1 and subtract one, and the messages count from 1, as the user does.

A page is rendered at the resolution its visual-token budget can use: about `max_tokens` × 32²
pixels. The processor shrinks anything larger to that, so more pixels would be rendering time
thrown away, and fewer would leave budget unused. Two bounds override the budget: never below
72 dpi (1 pixel per point: body text under ~10 px is unreadable to the model and to the person
checking the page; the processor then shrinks it with its own resampling) and never above 300 dpi
(print resolution: a small page, a receipt, gains nothing more, however large the budget).

Every PDFium failure becomes an `ImageError` that says what to do. PDFium is not thread-safe,
not even across documents, and Gradio runs handlers in threads, so every call into it holds one
lock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from workbench.budget import PIXELS_PER_VISUAL_TOKEN
from workbench.intake.images import MAX_PIXELS, ImageError, check_size, load_image, read_source

# A question about several pages shows the model up to this many, each at the full budget.
MAX_PAGES_AT_ONCE = 4
MIN_DPI, MAX_DPI = 72, 300
THUMBNAIL_WIDTH = 160
THUMBNAIL_LIMIT = 50  # a page picker's first pages; ~10 ms each

Source = str | Path | bytes

_POINTS_PER_INCH = 72  # PDF sizes are in points
_PDF_MAGIC = b"%PDF-"
_WHITE = (255, 255, 255, 255)
_PDFIUM = threading.Lock()
# Why PDFium could not load a document (FPDF_GetLastError), for the message.
_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_UNKNOWN: "unknown error",
    pdfium_c.FPDF_ERR_FILE: "file not readable",
    pdfium_c.FPDF_ERR_FORMAT: "not in PDF format, or damaged",
}
# An unsupported security handler (a certificate, DRM) has the same remedy as a password.
_LOCKED = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}


def is_pdf(source: Source | Image.Image) -> bool:
    """Return whether the file or bytes start as a PDF does (`%PDF-`); False for no file."""
    if isinstance(source, Image.Image):
        return False
    if isinstance(source, bytes):
        return source.startswith(_PDF_MAGIC)
    try:
        with open(source, "rb") as file:
            return file.read(len(_PDF_MAGIC)) == _PDF_MAGIC
    except OSError:
        return False


def page_count(source: Source) -> int:
    """Return how many pages the PDF has (at least 1)."""
    with _opened(source) as (document, _):
        return len(document)


def render_page(source: Source, index: int, max_tokens: int) -> Image.Image:
    """Return page `index` (from 0) as RGB on white, at the resolution `max_tokens` can use."""
    return load_pages(source, [index], max_tokens)[0]


def load_pages(source: Source, pages: Sequence[int], max_tokens: int) -> list[Image.Image]:
    """Return the pages (from 0) as RGB images for one question, at most `MAX_PAGES_AT_ONCE`."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1; got {max_tokens}")
    if not pages:
        raise ImageError("pdf_no_pages_picked")
    if len(pages) > MAX_PAGES_AT_ONCE:
        raise ImageError("pdf_too_many_pages", count=len(pages), limit=MAX_PAGES_AT_ONCE)
    with _opened(source) as (document, name):
        for index in pages:  # all checked before any is rendered
            if not 0 <= index < len(document):
                raise ImageError("pdf_no_page", name=name, page=index + 1, count=len(document))
        return [_render(document, index, name, max_tokens=max_tokens) for index in pages]


def thumbnails(
    source: Source, width: int = THUMBNAIL_WIDTH, limit: int = THUMBNAIL_LIMIT
) -> list[Image.Image]:
    """Return the first `limit` pages, `width` pixels wide (a tall page: 2 × `width` high)."""
    with _opened(source) as (document, name):
        count = min(len(document), limit)
        return [_render(document, index, name, thumbnail_width=width) for index in range(count)]


def load_any(source: Source | Image.Image, page: int = 0, *, max_tokens: int) -> Image.Image:
    """Return page `page` (from 0) of a PDF, rendered for `max_tokens`, or else the image."""
    if is_pdf(source):
        return render_page(source, page, max_tokens)
    name = "the upload" if isinstance(source, bytes | Image.Image) else Path(source).name
    if page != 0:
        raise ImageError("not_paged", name=name, page=page + 1)
    if isinstance(source, str | Path) and Path(source).suffix.lower() == ".pdf":
        read_source(source, missing="pdf_no_file")  # no file, or one over the byte limit
    try:
        return load_image(source)
    except ImageError as error:
        if error.key == "unreadable":  # the image wording lists image formats only
            raise ImageError("unreadable_with_pdf", **error.facts) from None
        raise


def page_scale(size: tuple[float, float], max_tokens: int) -> float:
    """Return the pixels per point that fill `max_tokens` with a page of `size` (in points)."""
    scale = _fit(size, max_tokens * PIXELS_PER_VISUAL_TOKEN)
    scale = min(max(scale, MIN_DPI / _POINTS_PER_INCH), MAX_DPI / _POINTS_PER_INCH)
    # A poster-sized page at 72 dpi would still be over the pixel limit: that limit wins.
    return min(scale, _fit(size, MAX_PIXELS))


def _fit(size: tuple[float, float], pixels: int) -> float:
    # The largest scale s whose render, each side rounded up to whole pixels as pypdfium2 does,
    # has at most `pixels`: the root of w·h·s² + (w + h)·s + 1 - pixels = 0, written as
    # 2c / (-b - √(b² - 4ac)), which stays exact for a page far larger than its pixels.
    width, height = size
    area, sides = width * height, width + height
    root = math.sqrt(sides * sides + 4 * area * (pixels - 1))
    return max(0.0, 2 * (pixels - 1) / (sides + root))


@contextmanager
def _opened(source: Source) -> Iterator[tuple[pdfium.PdfDocument, str]]:
    data, name = read_source(source, missing="pdf_no_file")
    if not data.startswith(_PDF_MAGIC):
        raise ImageError("not_pdf", name=name)
    with _PDFIUM:
        document = _load(data, name)  # `data` outlives it: PDFium reads from it until `close`
        try:
            if len(document) == 0:
                raise ImageError("pdf_empty", name=name)
            document.init_forms()  # so that filled-in form fields are drawn
            yield document, name
        except pdfium.PdfiumError as error:  # a page that cannot be loaded or drawn
            raise ImageError("pdf_damaged", name=name, error=error) from None
        finally:
            document.close()  # here, under the lock, not later by the garbage collector


def _load(data: bytes, name: str) -> pdfium.PdfDocument:
    # By hand, not `PdfDocument(data)`: that refuses a document with no pages and then reports
    # FPDF_GetLastError, which a good load leaves as the last failed one set it.
    raw = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not raw:
        code = pdfium_c.FPDF_GetLastError()
        reason = _LOAD_ERRORS.get(code, f"PDFium error {code}")
        raise ImageError(
            "pdf_locked" if code in _LOCKED else "pdf_damaged", name=name, error=reason
        )
    return pdfium.PdfDocument(raw)


def _render(
    document: pdfium.PdfDocument,
    index: int,
    name: str,
    *,
    max_tokens: int | None = None,
    thumbnail_width: int | None = None,
) -> Image.Image:
    page = document[index]
    try:
        width, height = page.get_size()
        if not (math.isfinite(width * height) and width > 0 and height > 0):
            error = f"page {index + 1} is {width}×{height} points"
            raise ImageError("pdf_damaged", name=name, error=error)
        if max_tokens is not None:
            scale = page_scale((width, height), max_tokens)
            # What the model is shown meets the image limits (the page is no strip).
            check_size((math.ceil(width * scale), math.ceil(height * scale)))
        else:
            # Just under the exact fit, so rounding up never makes the thumbnail one pixel wider.
            scale = min(thumbnail_width / width, 2 * thumbnail_width / height) * (1 - 1e-9)
        bitmap = page.render(scale=scale, fill_color=_WHITE, draw_annots=True)
        try:
            # PDFium's BGR becomes an RGB copy, independent of the bitmap freed below.
            return bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
