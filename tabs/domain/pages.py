"""A document in a tab: a PDF's pages or a phone photo (HEIC) into the image box.

A PDF's first page goes into the image box (where a region can be marked), its pages into a
picker of thumbnails and a choice of the pages to ask about together. A phone photo is decoded
on the server (browsers cannot show HEIC) and goes into the image box as PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from tabs.domain.context import SHOWN_TOKENS, Updates, mistake, page_file, refused
from tabs.wording import say
from workbench.intake.documents import (
    MAX_PAGES_AT_ONCE,
    is_pdf,
    page_count,
    render_page,
    thumbnails,
)
from workbench.intake.images import ImageError, load_image

NO_PAGES: Updates = {
    "thumbnails": gr.update(value=None, visible=False),
    "pages": gr.update(choices=[], value=[], visible=False),
}


def open_document(document: str | None, ui_language: str = "en") -> Updates:
    """Return the document's first page (or the photo) for the image box, and its page picker."""
    if not document:
        return dict(NO_PAGES)
    try:
        if not is_pdf(document):
            photo = page_file(document, 1).with_name(f"{Path(document).stem}.png")
            photo.parent.mkdir(parents=True, exist_ok=True)
            load_image(document).save(photo)
            return {"image": {"image": str(photo), "boxes": []}, **NO_PAGES}
        count = page_count(document)
        several = count > 1
        return {
            "image": _page(document, 1),
            "thumbnails": gr.update(value=thumbnails(document), visible=several),
            "pages": gr.update(
                choices=[(str(page), page) for page in range(1, count + 1)],
                value=[1],
                visible=several,
            ),
        }
    except ImageError as error:
        return refused(error.text(ui_language)) | {"document": None, **NO_PAGES}


def pick_page(document: str | None, event: gr.SelectData) -> tuple[Any, Any]:
    """Return the page picked among the thumbnails: in the image box, and as the page asked."""
    if not document:
        return gr.skip(), gr.skip()
    page = event.index + 1
    return _page(document, page), [page]


def page_numbers(pages: list[int | str] | None, language: str = "en") -> list[int]:
    """Return the pages asked about as numbers (the choice takes typed ones too); gr.Error for
    one that is not a number."""
    numbers = []
    for page in pages or []:
        try:
            numbers.append(int(page))
        except ValueError:
            raise mistake(say("pages.not_number", language, value=page)) from None
    return numbers


def limit_pages(pages: list[int] | None, ui_language: str = "en") -> Updates:
    """Keep at most `MAX_PAGES_AT_ONCE` pages chosen, saying so when one more was chosen."""
    if pages and len(pages) > MAX_PAGES_AT_ONCE:
        error = ImageError("pdf_too_many_pages", count=len(pages), limit=MAX_PAGES_AT_ONCE)
        return refused(error.text(ui_language)) | {"pages": pages[:MAX_PAGES_AT_ONCE]}
    return {}


def _page(document: str, page: int) -> dict[str, Any]:
    """Return the image box's value for a page (1-based), rendered once for the box."""
    path = page_file(document, page)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        render_page(document, page - 1, SHOWN_TOKENS).save(path)
    return {"image": str(path), "boxes": []}
