"""Intake: what a user gave (an image, a PDF's pages, a region, an enhancement mode) made ready.

`read_intake` is the one way in, for the command line, batches, the eval harness and the tabs;
its caches (decoded files, digests, enhanced pages) serve them all.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from workbench.answers.boxes import Region, clamp_region
from workbench.intake.cache import ImageCache, image_bytes
from workbench.intake.documents import is_pdf, load_any, load_pages
from workbench.intake.enhance import Enhanced, EnhanceMode, enhance
from workbench.intake.images import ImageError

__all__ = [
    "PAGE_TOKENS",
    "Box",
    "ImageError",
    "Intake",
    "file_digest",
    "load_file",
    "read_intake",
]

Box = tuple[float, float, float, float]
PAGE_TOKENS = 2048  # a page read for OCR alone: enough pixels for small print
# What the caches of decoded and enhanced images may hold: a few uploads (a 12 MP photo is
# 36 MB decoded), however many users come and go.
DECODED_BYTES = 64 * 2**20
ENHANCED_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Intake:
    """The image (or a document's pages) as the model and the OCR see it, enhanced, with the
    marked region on the first page and where it all came from."""

    enhanced: tuple[Enhanced, ...]  # the image, or each page asked about, after enhancement
    page_numbers: tuple[int, ...] = ()  # 1-based, of a PDF's pages; () for an image
    name: str = ""  # the file's name
    digest: str = ""  # SHA-256 of the file's bytes
    region: Region | None = None  # on the first page as enhanced; None: the whole image

    @property
    def image(self) -> Image.Image:
        """Return the first page (or the image), enhanced."""
        return self.enhanced[0].image

    @property
    def others(self) -> tuple[Image.Image, ...]:
        """Return a document's further pages, enhanced."""
        return tuple(page.image for page in self.enhanced[1:])

    @property
    def steps(self) -> tuple[dict[str, Any], ...]:
        """Return what enhancement did to the first page, as the record lists it."""
        return tuple(self.enhanced[0].as_list())

    def key(self, region_mode: str) -> str:
        """Return what identifies what the model sees: content, pages, enhancement, region."""
        key = self.digest
        if self.page_numbers:
            key += ":pages " + ",".join(map(str, self.page_numbers))
        if self.enhanced[0].steps:
            key += ":" + self.enhanced[0].summary()
        if self.region is None:
            return key
        box = ",".join(map(str, self.region.as_box()))
        return f"{key}:{region_mode}:{box}"


def read_intake(
    path: str | Path,
    *,
    max_tokens: int,
    pages: Sequence[int] | None = None,
    enhance: EnhanceMode = "auto",
    region: Box | None = None,
    drawn_on: tuple[int, int] | None = None,
) -> Intake:
    """Return the image, or the PDF's `pages` (1-based), rendered for `max_tokens`, enhanced.

    `region` is on the image as given, or, with `drawn_on`, on an image of that size showing
    the first page (the tab's image box): it is clamped there and scaled onto the page. Raises
    ImageError (a ValueError) naming what is wrong with the file.
    """
    shown = load_file(path, max_tokens=max_tokens, pages=pages)
    digest = file_digest(path)
    enhanced = tuple(_enhanced(page, enhance, digest, index) for index, page in enumerate(shown))
    if region is not None and drawn_on is not None:
        scaled = _scaled(clamp_region(region, drawn_on), drawn_on, shown[0].size)
        region = scaled.as_box() if scaled else None
    mapped = None
    if region is not None:
        mapped = clamp_region(enhanced[0].map_box(region), enhanced[0].image.size)
    numbers = tuple(pages or [1]) if is_pdf(path) else ()
    return Intake(enhanced, numbers, Path(path).name, digest, mapped)


def load_file(
    path: str | Path, *, max_tokens: int, pages: Sequence[int] | None = None
) -> tuple[Image.Image, ...]:
    """Return an image, or a PDF's `pages` (1-based) rendered for `max_tokens`; decoded once
    per content. Raises ImageError."""
    if pages and len(pages) > 1 and not is_pdf(path):
        raise ImageError("not_paged", name=Path(path).name, page=pages[1])
    if not Path(path).is_file():
        load_any(path, max_tokens=max_tokens)  # raises the ImageError that words it
    tokens = max_tokens if is_pdf(path) else 0  # an image is the same at every budget
    # By content: every request of an API client uploads the same picture to a new path.
    key = (file_digest(path), tuple(pages or [1]), tokens)
    images = DECODED.get(key)
    if images is None:
        images = _decode(str(path), key[1], tokens)
        DECODED.put(key, images, image_bytes(images))
    return images


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes, read once per version of the file."""
    stat = Path(path).stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


# The upload check, the cost line (on every slider or mode change) and Ask all read the same
# upload: decoded once. Nothing draws on the images.
DECODED: ImageCache[tuple[Image.Image, ...]] = ImageCache(DECODED_BYTES)


def _decode(path: str, pages: tuple[int, ...], max_tokens: int) -> tuple[Image.Image, ...]:
    if is_pdf(path):
        return tuple(load_pages(path, [page - 1 for page in pages], max_tokens))
    return (load_any(path, pages[0] - 1, max_tokens=1),)


def _scaled(
    region: Region | None, shown: tuple[int, int], rendered: tuple[int, int]
) -> Region | None:
    """Return a region drawn on the page as shown, on the page as rendered for the model."""
    if region is None:
        return None
    x, y = rendered[0] / shown[0], rendered[1] / shown[1]
    left, top, right, bottom = region.as_box()
    return clamp_region((left * x, top * y, right * x, bottom * y), rendered)


# The last few enhanced images, by (file digest, page, mode): the note under the image and
# Ask enhance the same upload; the decoded image they came from makes sure it is the same.
ENHANCED: ImageCache[tuple[Image.Image, Enhanced]] = ImageCache(ENHANCED_BYTES)


def _enhanced(image: Image.Image, mode: EnhanceMode, digest: str, page: int) -> Enhanced:
    key = (digest, page, mode)
    kept = ENHANCED.get(key)
    if kept is not None and kept[0] is image:
        return kept[1]
    done = enhance(image, mode)
    # Both images count: an entry keeps its decoded image alive after DECODED lets it go.
    ENHANCED.put(key, (image, done), image_bytes([image, done.image]))
    return done
