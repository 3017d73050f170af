"""What a GGUF file is: its header read without loading the file, its kind, and a checked pair.

`gguf.GGUFReader` builds a Python object for every string in a file: on a real model's
151,000-token vocabulary that took 40 s here. The header reader below skips long arrays and
reads the rest in well under a second. A vision projector (`mmproj`) has the architecture
"clip"; it belongs to a language model when its output is as wide as the model's embeddings.
"""

from __future__ import annotations

import functools
import math
import mmap
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from workbench.engines import memory
from workbench.engines.base import ModelLoadError

MAGIC = b"GGUF"

# GGUF value types (gguf.GGUFValueType) and their struct formats; 8 is a string, 9 an array.
_SCALARS = dict(enumerate("BbHhIif?")) | {10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9
_SHORT_ARRAY = 64  # longer arrays (the vocabulary, its merges) are skipped, not read


def is_gguf(path: Path) -> bool:
    """Return whether the file starts with the GGUF magic bytes."""
    try:
        with Path(path).open("rb") as file:
            return file.read(4) == MAGIC
    except OSError:
        return False


def _require_gguf(path: Path) -> None:
    """Raise ModelLoadError unless `path` is an existing GGUF file."""
    if not path.is_file():
        raise ModelLoadError(
            f"There is no file at {path}.",
            "Check the path given to --model or --mmproj.",
        )
    if not is_gguf(path):
        with path.open("rb") as file:
            start = file.read(4)
        raise ModelLoadError(
            f"{path.name} is not a GGUF file (it starts with {start!r}, not {MAGIC!r}).",
            "The llama.cpp engine reads .gguf files; for a safetensors checkpoint use "
            "--engine transformers.",
        )


class _Cursor:
    """Reads GGUF values one after another from a memory-mapped file."""

    def __init__(self, data: mmap.mmap, order: str) -> None:
        self.data, self.order, self.at = data, order, 0

    def take(self, fmt: str) -> Any:
        (value,) = struct.unpack_from(self.order + fmt, self.data, self.at)
        self.at += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        size = self.take("Q")
        self.at += size
        return self.data[self.at - size : self.at].decode("utf-8", "replace")

    def value(self, kind: int) -> Any:
        if kind == _STRING:
            return self.string()
        if kind == _ARRAY:
            item, count = self.take("I"), self.take("Q")
            if count <= _SHORT_ARRAY:
                return [self.value(item) for _ in range(count)]
            self.skip(item, count)
            return None
        return self.take(_SCALARS[kind])

    def skip(self, kind: int, count: int) -> None:
        if kind in _SCALARS:
            self.at += count * struct.calcsize(_SCALARS[kind])
        elif kind == _STRING:
            for _ in range(count):
                size = self.take("Q")  # read before adding: take() moves `at` itself
                self.at += size
        else:
            for _ in range(count):
                self.value(kind)


def _read_header(path: Path) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    """Return a GGUF file's metadata and its tensors' shapes, reading only the header."""
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        # The version is small: read the wrong way round it shows the file is big-endian.
        order = "<" if struct.unpack_from("<I", data, 4)[0] & 0xFFFF else ">"
        cursor = _Cursor(data, order)
        cursor.at = 4
        version = cursor.take("I")
        if version < 2:
            raise ModelLoadError(
                f"{path.name} is a GGUF file of version {version}, older than llama.cpp reads.",
                "Convert the model again with a current llama.cpp.",
            )
        tensors, fields = cursor.take("Q"), cursor.take("Q")
        metadata: dict[str, Any] = {}
        for _ in range(fields):
            key = cursor.string()
            value = cursor.value(cursor.take("I"))
            if value is not None:
                metadata[key] = value
        shapes: dict[str, tuple[int, ...]] = {}
        for _ in range(tensors):
            name, dimensions = cursor.string(), cursor.take("I")
            shapes[name] = tuple(cursor.take("Q") for _ in range(dimensions))
            cursor.at += 4 + 8  # its type and its offset in the data
        return metadata, shapes


def gguf_metadata(path: Path) -> dict[str, Any]:
    """Return a GGUF file's metadata (long arrays such as the vocabulary are left out)."""
    return gguf_header(path)[0]


def gguf_header(path: Path) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    """Return a GGUF file's metadata and tensor shapes; ModelLoadError for a missing or bad file."""
    _require_gguf(path)
    stat = path.stat()
    return _cached_header(path.resolve(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _cached_header(
    path: Path, mtime_ns: int, size: int
) -> tuple[dict[str, Any], dict[str, tuple[int, ...]]]:
    # Keyed by time and size too, so a file written again is read again. Callers get the
    # same dicts: they read them, never change them.
    try:
        return _read_header(path)
    except (struct.error, KeyError, ValueError, OverflowError):
        raise ModelLoadError(
            f"{path.name} is damaged: its GGUF header cannot be read.",
            "Download or convert it again.",
        ) from None


# A quant as llama.cpp's tools spell it at the end of a file name: Q4_K_M, Q8_0, IQ4_XS, F16, ….
_QUANT = re.compile(r"^(?:I?Q\d+(?:_[A-Z0-9]+)*|TQ\d+_\d+|B?F16|F32|MXFP4(?:_MOE)?)$", re.I)


def quant_in_name(file_name: str) -> str | None:
    """Return the quant a GGUF file name ends with ("…-Q4_K_M.gguf" → "Q4_K_M"), if any."""
    stem = Path(file_name).name.removesuffix(".gguf").removesuffix(".GGUF")
    last = re.split(r"[-.]", stem)[-1]
    return last if _QUANT.match(last) else None


@dataclass(frozen=True)
class GgufPair:
    """A language model file and the vision projector that goes with it."""

    model: Path
    mmproj: Path
    name: str  # for the status line: "repo · quant", a file name, or "tiny"
    random_weights: bool = False


def gguf_kind(path: Path) -> Literal["text", "mmproj"]:
    """Return "mmproj" for a vision projector (architecture "clip"), else "text"."""
    return "mmproj" if gguf_metadata(path).get("general.architecture") == "clip" else "text"


def quant_name(path: Path) -> str:
    """Return the file's weight type as llama.cpp names it ("Q4_K_M", "F16", …)."""
    from gguf import LlamaFileType

    file_type = gguf_metadata(path).get("general.file_type")
    try:
        return LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return quant_in_name(path.name) or "GGUF"


def model_shape(path: Path) -> memory.ModelShape:
    """Return the parameter counts and KV-cache dimensions of a GGUF language model."""
    metadata, shapes = gguf_header(path)
    arch = metadata.get("general.architecture", "")

    def number(key: str, default: int = 0) -> int:
        return int(metadata.get(f"{arch}.{key}", default))

    heads = number("attention.head_count", 1) or 1
    return memory.ModelShape(
        parameters=sum(math.prod(shape) for shape in shapes.values()),
        embedding_parameters=math.prod(shapes.get("token_embd.weight", (0,))),
        layers=number("block_count"),
        kv_heads=number("attention.head_count_kv", heads) or heads,
        head_dim=number("attention.key_length") or number("embedding_length") // heads,
    )


def check_pair(model: Path, mmproj: Path | None) -> None:
    """Raise ModelLoadError unless `model` is a language model and `mmproj` its vision file."""
    text = gguf_metadata(model)
    if text.get("general.architecture") == "clip":
        raise ModelLoadError(
            f"{model.name} is a vision projector (mmproj), not the language model.",
            "Pass the language model with --model and this file with --mmproj FILE.",
        )
    if mmproj is None:
        raise ModelLoadError(
            f"{model.name} is a text-only model: the workbench asks about images, so it needs "
            "the vision file (mmproj-…gguf) from the same repo.",
            "Pass it with --mmproj FILE.",
        )
    vision = gguf_metadata(mmproj)
    if vision.get("general.architecture") != "clip":
        raise ModelLoadError(
            f"{mmproj.name} is a language model, not a vision projector (mmproj).",
            "Pass the mmproj-…gguf file from the model's repo with --mmproj FILE.",
        )
    if vision.get("clip.has_vision_encoder") is False:
        raise ModelLoadError(
            f"{mmproj.name} has no vision encoder (it is an audio projector).",
            "Pass the model's vision file (mmproj-…gguf) with --mmproj FILE.",
        )
    problems = _mismatches(text, vision)
    if problems:
        raise ModelLoadError(
            f"{mmproj.name} does not belong to {model.name}: " + "; ".join(problems) + ".",
            "Use the mmproj file from the same repo (the same model size) as the model.",
        )


def _mismatches(text: dict[str, Any], vision: dict[str, Any]) -> list[str]:
    """Return how a vision projector's output disagrees with the language model's input."""
    arch = text.get("general.architecture", "")
    problems = []
    # The converter writes the text model's hidden size as the projector's output size.
    width = text.get(f"{arch}.embedding_length")
    projected = vision.get("clip.vision.projection_dim")
    if width is not None and projected is not None and width != projected:
        problems.append(f"its image embeddings are {projected} wide, the model's {width}")
    # Qwen3-VL feeds some vision layers' features into as many text layers ("deepstack").
    layers = text.get(f"{arch}.n_deepstack_layers")
    flags = vision.get("clip.vision.is_deepstack_layers")
    if layers is not None and flags is not None and sum(flags) != layers:
        problems.append(f"the vision file feeds {sum(flags)} deepstack layers, the model {layers}")
    return problems
