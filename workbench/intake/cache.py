"""The intake's caches of images within a budget of bytes, and freed memory given back.

A count of entries alone does not bound memory: one 12 MP photo is 36 MB decoded, a PDF's
pages several times that, and a day of demos brings hundreds of uploads. Each cache keeps the
most recently used entries whose pixels fit its budget; the newest always stays, even alone
over the budget, so a large upload is still decoded once for the check, the cost line and Ask.

What is freed is not given back by itself: glibc's malloc keeps it in its arenas (one per
thread that allocated, up to 8 per core) for later use. After an answer has decoded an image,
run the vision encoder and OCR, hundreds of MB are free but still resident, and each new peak
on another thread adds to them; `release_free_memory` hands the free pages back, and
`limit_malloc_arenas` keeps a server's threads to a few arenas, whose free pages are not
scattered over dozens (a day of users crept ~7 MB per 100 answers with one arena per thread).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any, Generic, TypeVar

from PIL import Image

log = logging.getLogger(__name__)
Value = TypeVar("Value")
# Bytes per pixel and band of the modes whose bands are wider than a byte.
_WIDE_BANDS = {"I": 4, "F": 4, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}


def image_bytes(images: Iterable[Image.Image]) -> int:
    """Return the bytes the images' pixels take in memory (each distinct image counted once)."""
    seen: dict[int, Image.Image] = {id(image): image for image in images}
    return sum(
        image.width * image.height * len(image.getbands()) * _WIDE_BANDS.get(image.mode, 1)
        for image in seen.values()
    )


class ImageCache(Generic[Value]):
    """The most recently used values by key, their pixels within `max_bytes`; thread-safe."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Value | None:
        """Return the value kept for `key` (now the most recently used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Value, size: int) -> None:
        """Keep `value` (`size` bytes) for `key`; forget the least recently used beyond budget."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        """Return the bytes of the entries kept."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def release_free_memory() -> bool:
    """Give the C library's free heap pages back to the system; return whether it could
    (glibc only: elsewhere, macOS or musl, there is nothing to call)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


# What a server's threads share (glibc's default is 8 per core): what hosts such as Heroku
# recommend setting through MALLOC_ARENA_MAX against creeping memory.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter (glibc's malloc.h)


def limit_malloc_arenas(count: int = MALLOC_ARENAS) -> bool:
    """Have glibc's malloc use at most `count` arenas from now on; return whether it took it
    (not on another C library, nor where MALLOC_ARENA_MAX already says how many)."""
    libc = _glibc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(libc.mallopt(_M_ARENA_MAX, count))


@functools.cache
def _glibc() -> Any:
    """Return glibc with its `malloc_trim`, or None where the C library is another."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):  # musl (Alpine): no libc.so.6, or no malloc_trim
        log.debug("no glibc malloc_trim: freed memory stays with the C library")
        return None
    return libc
