"""Sending work to review: a batch run or a single answer into the team's review folder.

The review folder is `<results root>/review/` (the app's `eval-results/`, shared by the team,
which the Evaluate tab reads too): a batch run is copied to `review/<time>-<tab>-<preset>/`,
and single answers go to `review/answers/` (`send_answer`), one queue of single answers. Nothing
a user has not sent is in it: the Batch tab keeps a run under a random name in Gradio's upload
folder, which only that user's page knows (and Gradio ages out).
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.batch.run import RESULTS
from workbench.eval.review_records import ReviewError, send_answer, source_copy
from workbench.intake import file_digest

REVIEW_FOLDER = "review"  # under the results root
_NAME_LENGTH = 80  # a run's folder name at most, before a "-2" that keeps two sends apart


def review_root(results_root: str | Path) -> Path:
    """Return the folder that holds what was sent to review: `<results root>/review`."""
    return Path(results_root) / REVIEW_FOLDER


def run_name(when: datetime, tab: str | None, preset: str | None) -> str:
    """Return a sent run's folder name: "2025-05-01-1304-receipts-extract-all-fields"."""
    words = "-".join(part for part in (tab, preset) if part)
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    return f"{when:%Y-%m-%d-%H%M}-{slug}".rstrip("-")[:_NAME_LENGTH]


def send_run(
    run_folder: str | Path,
    results_root: str | Path,
    tab: str | None,
    preset: str | None,
    when: datetime | None = None,
) -> Path:
    """Copy a batch run folder into the review folder; return where it went.

    ReviewError when the run folder is gone or holds no rows (a run that never started).
    """
    source = Path(run_folder)
    if not source.is_dir():
        raise ReviewError("send.gone")
    if not (source / RESULTS).is_file():
        raise ReviewError("send.no_rows")
    name = run_name(when or datetime.now(), tab, preset)
    root = review_root(results_root)
    target, number = root / name, 1
    while target.exists():  # the same preset sent twice in a minute
        number += 1
        target = root / f"{name}-{number}"
    shutil.copytree(source, target)
    _copy_sources(target)
    return target


def _copy_sources(run: Path) -> None:
    """Copy the files the run's rows asked about into it, so the review shows the originals
    after Gradio has aged the uploads out (a zip's members are already in `unpacked/`)."""
    for line in (run / RESULTS).read_text(encoding="utf-8").splitlines():
        try:
            path = str(json.loads(line).get("key", "")).partition("#page=")[0]
        except (ValueError, AttributeError):  # a line the review itself reports
            continue
        copy = source_copy(run, path)
        if path and "!" not in path and Path(path).is_file() and not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)


def answer_source(record: dict[str, Any], candidates: list[str | Path | None]) -> Path:
    """Return the file among `candidates` whose bytes the answer was about (its image_sha256).

    ReviewError when there is no answer, or none of them is that file any more (another image
    was put in the box since the answer).
    """
    if not isinstance(record, dict) or not record.get("image_sha256"):
        raise ReviewError("send.no_answer")
    for candidate in candidates:
        path = Path(candidate) if candidate else None
        if path is not None and path.is_file() and file_digest(path) == record["image_sha256"]:
            return path
    raise ReviewError("send.image_changed", image=record.get("image_name") or "")


def send_single_answer(
    record: dict[str, Any], candidates: list[str | Path | None], results_root: str | Path
) -> tuple[str, Path]:
    """Put one answer and its image into the review folder's answers; return (its id, the
    review folder). ReviewError when there is no answer, its image is gone, or it has no
    value with a confidence (free text, an older answer)."""
    source = answer_source(record, candidates)
    confidence = record.get("confidence")
    if not isinstance(confidence, dict) or not confidence.get("values"):
        raise ReviewError("send.nothing_to_review")
    root = review_root(results_root)
    return send_answer(root, record, source), root
