"""What the command line reads off an image: `--page` and `--enhance` intake, `ocr`, `evidence`.

`ask`, `ocr` and `evidence` take an image or a PDF the same way: `--page N` (1-based; a list
"1,2,3" for `ask`), then enhancement as the tabs do it (`--enhance auto|on|off`).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from workbench.documents import MAX_PAGES_AT_ONCE, is_pdf, load_any, load_pages
from workbench.enhance import ENHANCE_MODES, Enhanced, enhance
from workbench.extract import extract_json
from workbench.images import ImageError

EXIT_OK, EXIT_USAGE = 0, 2
PAGE_TOKENS = 2048  # a page read for OCR alone: enough pixels for small print


@dataclass(frozen=True)
class Intake:
    """The image (or the pages) as the model and the OCR see them, and what enhancement did."""

    pages: tuple[Enhanced, ...]
    page_numbers: tuple[int, ...]  # 1-based, of a PDF; () for an image

    @property
    def image(self) -> Image.Image:
        """Return the first page (or the image), enhanced."""
        return self.pages[0].image


def add_intake(parser: argparse.ArgumentParser, several: bool = False) -> None:
    """Add --page and --enhance to a command's parser."""
    pages = (
        f"a PDF's pages, 1-based: N, or up to {MAX_PAGES_AT_ONCE} as N,M,…"
        if several
        else ("a PDF's page, 1-based (1)")
    )
    parser.add_argument("--page", type=_page_list, metavar="N", help=pages)
    parser.add_argument(
        "--enhance",
        choices=ENHANCE_MODES,
        default="auto",
        help="brighten low light and contrast (CLAHE) and straighten tilt first (auto)",
    )


def read_intake(path: str, pages: list[int] | None, mode: str, max_tokens: int) -> Intake:
    """Return the image or the PDF's pages, rendered for `max_tokens`, enhanced; ImageError."""
    if pages and len(pages) > 1 and not is_pdf(path):
        raise ImageError("not_paged", name=Path(path).name, page=pages[1])
    if is_pdf(path):
        numbers = tuple(pages or [1])
        shown = load_pages(path, [page - 1 for page in numbers], max_tokens)
    else:
        numbers, shown = (), [load_any(path, (pages or [1])[0] - 1, max_tokens=max_tokens)]
    return Intake(tuple(enhance(page, mode) for page in shown), numbers)


def _page_list(text: str) -> list[int]:
    try:
        pages = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected page numbers N or N,M,…; got {text!r}"
        ) from None
    if any(page < 1 for page in pages):
        raise argparse.ArgumentTypeError(f"pages count from 1; got {text!r}")
    return pages


def run_ocr(args: argparse.Namespace) -> int:
    """Run `ocr`: print the lines read off the image (or one JSON object); return the code."""
    from workbench.ocr import read_lines

    try:
        intake = read_intake(args.image, args.page, args.enhance, PAGE_TOKENS)
    except (ImageError, OSError) as error:
        return _fail(error)
    lines = read_lines(intake.image)
    if args.json:
        report = {"lines": [line.as_dict() for line in lines], "enhanced": _steps(intake)}
        print(json.dumps(report, ensure_ascii=False))
    else:
        for line in lines:
            print(line.text)
        if intake.pages[0].steps:
            print(f"[enhanced: {intake.pages[0].summary()}]", file=sys.stderr)
    return EXIT_OK


def run_evidence(args: argparse.Namespace) -> int:
    """Run `evidence`: whether each value of an answer is on the image; return the code."""
    from workbench.evidence import check_answer, check_text
    from workbench.ocr import read_lines

    try:
        answer = _answer(args.answer)
        intake = read_intake(args.image, args.page, args.enhance, PAGE_TOKENS)
    except (ImageError, OSError, ValueError) as error:
        return _fail(error)
    lines = read_lines(intake.image)
    report = check_text(answer, lines) if isinstance(answer, str) else check_answer(answer, lines)
    if args.json:
        print(json.dumps({**report.as_dict(), "enhanced": _steps(intake)}, ensure_ascii=False))
        return EXIT_OK
    for evidence in report.values:
        seen = f"found at {list(evidence.box)}" if evidence.found else "NOT on the image"
        print(f"{evidence.path} = {evidence.value!r}: {seen}")
    print(f"[{report.summary()}]", file=sys.stderr)
    return EXIT_OK


def _answer(given: str) -> Any:
    """Return the answer: a JSON file's or text's value, or free text (its numbers checked)."""
    path = Path(given)
    text = path.read_text(encoding="utf-8") if path.is_file() else given
    if not text.strip():
        raise ValueError("the answer is empty: give a JSON file, JSON, or the answer's text")
    value = extract_json(text).value  # JSON as a model writes it: fenced, with prose around
    return text if value is None else value


def _steps(intake: Intake) -> list[dict[str, Any]]:
    return intake.pages[0].as_list()


def _fail(error: Exception) -> int:
    message = error.text("en") if isinstance(error, ImageError) else str(error)
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
