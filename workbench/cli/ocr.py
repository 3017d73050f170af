"""What the command line reads off an image: `--page` and `--enhance` intake, `ocr`, `evidence`.

`ask`, `ocr` and `evidence` take an image or a PDF the same way: `--page N` (1-based; a list
"1,2,3" for `ask`), then enhancement as the tabs do it (`--enhance auto|on|off`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.answers.extract import extract_json
from workbench.intake import PAGE_TOKENS, ImageError, read_intake
from workbench.intake.documents import MAX_PAGES_AT_ONCE
from workbench.intake.enhance import ENHANCE_MODES

EXIT_OK, EXIT_USAGE = 0, 2


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
    from workbench.evidence.ocr import read_lines

    try:
        intake = read_intake(
            args.image, pages=args.page, enhance=args.enhance, max_tokens=PAGE_TOKENS
        )
    except (ImageError, OSError) as error:
        return _fail(error)
    lines = read_lines(intake.image)
    if args.json:
        report = {"lines": [line.as_dict() for line in lines], "enhanced": list(intake.steps)}
        print(json.dumps(report, ensure_ascii=False))
    else:
        for line in lines:
            print(line.text)
        if intake.steps:
            print(f"[enhanced: {intake.enhanced[0].summary()}]", file=sys.stderr)
    return EXIT_OK


def run_evidence(args: argparse.Namespace) -> int:
    """Run `evidence`: whether each value of an answer is on the image; return the code."""
    from workbench.evidence.match import check_answer, check_text
    from workbench.evidence.ocr import read_lines

    try:
        answer = _answer(args.answer)
        intake = read_intake(
            args.image, pages=args.page, enhance=args.enhance, max_tokens=PAGE_TOKENS
        )
    except (ImageError, OSError, ValueError) as error:
        return _fail(error)
    lines = read_lines(intake.image)
    report = check_text(answer, lines) if isinstance(answer, str) else check_answer(answer, lines)
    if args.json:
        print(json.dumps({**report.as_dict(), "enhanced": list(intake.steps)}, ensure_ascii=False))
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


def _fail(error: Exception) -> int:
    message = error.text("en") if isinstance(error, ImageError) else str(error)
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE
