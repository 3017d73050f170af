"""Example images the project draws itself, each saved with its ground truth beside it.

`ensure_examples(directory)` writes `<tab>/<name>.png` and `<tab>/<name>.truth.json` and returns
`Example` records. Drawing is deterministic (fixed seeds, no timestamps, no PNG metadata), so two
runs give identical bytes; a truth file records the generator's fingerprint and the image's
hash, and anything missing, corrupt or made by another generator version is drawn again.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

from workbench.examples import gauges, homework, invoice, receipts, screenshots, vat_invoice
from workbench.examples._common import ExampleSpec, Truth, font_sources
from workbench.settings import default_cache_dir

__all__ = [
    "EXAMPLES",
    "Example",
    "ExampleSpec",
    "default_examples_dir",
    "ensure_examples",
    "generator_fingerprint",
    "truth_for",
]

EXAMPLES: dict[str, tuple[ExampleSpec, ...]] = {
    "receipts": receipts.SPECS + invoice.SPECS + vat_invoice.SPECS,
    "screenshots": screenshots.SPECS,
    "homework": homework.SPECS,
    "gauges": gauges.SPECS,
}
TRUTH_FORMAT = 1
_TRUTH_SUFFIX = ".truth.json"


@dataclass(frozen=True)
class Example:
    """A generated example on disk, with its ground truth in the tab's schema shape."""

    tab: str
    name: str
    image_path: Path
    truth_path: Path
    truth: Truth
    question: str
    preset: str


def default_examples_dir() -> Path:
    """Return where examples are kept: `examples/` in the workbench cache directory."""
    return default_cache_dir() / "examples"


@functools.cache
def generator_fingerprint() -> str:
    """Return a hash of everything that shapes the pictures: this code, Pillow, NumPy, fonts."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for part in (PIL.__version__, np.__version__, *font_sources()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()[:16]


def ensure_examples(directory: Path | None = None) -> dict[str, list[Example]]:
    """Return every example by tab, drawing those that are missing or stale under directory."""
    root = Path(directory) if directory is not None else default_examples_dir()
    return {tab: [_ensure(spec, root / tab) for spec in specs] for tab, specs in EXAMPLES.items()}


def truth_for(image_path: Path) -> Truth | None:
    """Return the ground truth stored beside an example image, or None if there is none."""
    image_path = Path(image_path)
    truth_path = image_path.with_name(image_path.stem + _TRUTH_SUFFIX)
    record = _read_record(image_path, truth_path)
    return None if record is None else record["truth"]


def _ensure(spec: ExampleSpec, folder: Path) -> Example:
    image_path = folder / f"{spec.name}.png"
    truth_path = folder / f"{spec.name}{_TRUTH_SUFFIX}"
    record = _read_record(image_path, truth_path)
    if record is None or record.get("name") != spec.name or record.get("tab") != spec.tab:
        record = _generate(spec, image_path, truth_path)
    return Example(
        tab=spec.tab,
        name=spec.name,
        image_path=image_path,
        truth_path=truth_path,
        truth=record["truth"],
        question=spec.question,
        preset=spec.preset,
    )


def _read_record(image_path: Path, truth_path: Path) -> dict | None:
    """Return the truth file's record if it is current and matches the image, else None."""
    try:
        record = json.loads(truth_path.read_text(encoding="utf-8"))
        fresh = (
            record["format"] == TRUTH_FORMAT
            and record["generator"] == generator_fingerprint()
            and record["image_sha256"] == hashlib.sha256(image_path.read_bytes()).hexdigest()
            and isinstance(record["truth"], dict)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if fresh else None


def _generate(spec: ExampleSpec, image_path: Path, truth_path: Path) -> dict:
    image, truth = spec.draw()
    png = _png_bytes(image)
    record = {
        "format": TRUTH_FORMAT,
        "generator": generator_fingerprint(),
        "tab": spec.tab,
        "name": spec.name,
        "question": spec.question,
        "preset": spec.preset,
        "image": image_path.name,
        "image_sha256": hashlib.sha256(png).hexdigest(),
        "truth": truth,
    }
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    image_path.parent.mkdir(parents=True, exist_ok=True)
    # Image first, truth last: a truth file on disk always describes the image beside it.
    _write_atomically(image_path, png)
    _write_atomically(truth_path, text.encode("utf-8"))
    return json.loads(text)  # the stored form, so fresh and cached records look alike


def _png_bytes(image: Image.Image) -> bytes:
    """Return the image as PNG with no metadata chunks (no time, no text), so bytes repeat."""
    buffer = io.BytesIO()
    # Level 1: the photo-like noise barely compresses anyway, and higher levels cost ~4x the time.
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes files private; examples are for everyone
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
