"""Text printed on an image, read by RapidOCR: one line of text per box, to check answers against.

RapidOCR's default PP-OCR models (Chinese and English, shipped inside its wheel) run on the CPU
through onnxruntime, offline. One engine per process is built on the first read, behind a lock
that every read also takes: RapidOCR sets attributes on itself on each call, so two threads must
not run it at once. Reads are cached by the SHA-256 of the image's size and RGB bytes, so asking
about the same picture twice reads it once. `start_reading` reads on a background thread, so the
app can OCR while the model streams its answer. rapidocr is imported on the first read, never
when this module is imported.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PIL import Image

CACHE_SIZE = 32  # images; a receipt's lines are a few kilobytes
Box = tuple[int, int, int, int]

# RapidOCR logs coloured INFO lines ("Using engine_name: onnxruntime", each model path) through
# a logger of its own that does not propagate; only its warnings are worth a user's attention.
_RAPIDOCR_LOGGER = "RapidOCR"
_ENGINE_PARAMS = {"Global.log_level": "warning"}

_engine: Any = None
_engine_lock = threading.Lock()  # builds the engine, and runs it: one read at a time
_cache: OrderedDict[str, tuple[OcrLine, ...]] = OrderedDict()
_cache_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    """A line of text read off the image, its box in image pixels (x0, y0, x1, y1), its score."""

    text: str
    box: Box
    score: float

    def as_dict(self) -> dict[str, Any]:
        """Return the line as plain JSON data: {"text", "box": [x0, y0, x1, y1], "score"}."""
        return {"text": self.text, "box": list(self.box), "score": self.score}


def read_lines(image: Image.Image) -> tuple[OcrLine, ...]:
    """Return the text lines on the image in reading order; () when it shows no text."""
    rgb = _rgb(image)
    key = _image_key(rgb)
    lines = _cached(key)
    if lines is not None:
        return lines
    with _engine_lock:
        lines = _cached(key)  # another thread may have read this image while we waited
        if lines is None:
            lines = _run_engine(rgb)
            _remember(key, lines)
    return lines


def read_texts(crops: Sequence[Image.Image]) -> tuple[tuple[str, float], ...]:
    """Return (text, score) for each crop, read as one line by recognition alone (no detection:
    the caller knows where its lines are, and detecting a whole screenshot costs seconds)."""
    if not crops:
        return ()
    with _engine_lock:
        engine = _get_engine()
        result = engine.recognize_txt([engine.load_img(_rgb(crop)) for crop in crops])
    scores = (float(score) for score in result.scores or ())
    return tuple(zip(result.txts or (), scores, strict=False))


def start_reading(image: Image.Image) -> Future[tuple[OcrLine, ...]]:
    """Return a future of `read_lines(image)`, read on the one background OCR thread."""
    global _executor
    rgb = _rgb(image)  # a copy: the caller may change its image while we read
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="workbench-ocr")
        return _executor.submit(read_lines, rgb)


def clear_cache() -> None:
    """Forget every cached read (a benchmark times the engine, not the cache)."""
    with _cache_lock:
        _cache.clear()


def _rgb(image: Image.Image) -> Image.Image:
    """Return a copy of the image in RGB, anything transparent laid on white (as it is shown)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")


def _image_key(rgb: Image.Image) -> str:
    digest = hashlib.sha256(f"{rgb.width}x{rgb.height}\0".encode())
    digest.update(rgb.tobytes())
    return digest.hexdigest()


def _cached(key: str) -> tuple[OcrLine, ...] | None:
    with _cache_lock:
        lines = _cache.get(key)
        if lines is not None:
            _cache.move_to_end(key)
        return lines


def _remember(key: str, lines: tuple[OcrLine, ...]) -> None:
    with _cache_lock:
        _cache[key] = lines
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _get_engine() -> Any:
    """Return the process's RapidOCR engine, built on first use; call with _engine_lock held."""
    global _engine
    if _engine is None:
        logging.getLogger(_RAPIDOCR_LOGGER).setLevel(logging.WARNING)
        from rapidocr import RapidOCR

        _engine = RapidOCR(params=_ENGINE_PARAMS)
    return _engine


def _run_engine(rgb: Image.Image) -> tuple[OcrLine, ...]:
    """Return what the engine reads on an RGB image; call with _engine_lock held."""
    result = _get_engine()(rgb)
    boxes, texts, scores = (getattr(result, name, None) for name in ("boxes", "txts", "scores"))
    if boxes is None or texts is None or scores is None:  # no text found
        return ()
    return tuple(
        OcrLine(text, _box_of(quad, rgb.size), round(float(score), 4))
        for quad, text, score in zip(boxes, texts, scores, strict=True)
        if text.strip()
    )


def _box_of(quad: Sequence[Sequence[float]], size: tuple[int, int]) -> Box:
    """Return the axis-aligned pixel box around a (possibly tilted) quadrilateral, in the image."""
    xs = [float(point[0]) for point in quad]
    ys = [float(point[1]) for point in quad]
    width, height = size
    return (
        min(max(math.floor(min(xs)), 0), width),
        min(max(math.floor(min(ys)), 0), height),
        min(max(math.ceil(max(xs)), 0), width),
        min(max(math.ceil(max(ys)), 0), height),
    )
