"""Collecting what a batch asks about: files, folders, the pages of PDFs, and zips.

`collect` turns paths into `Item`s, one per image or PDF page, in the same order and with the
same keys in every run over the same files. A zip is unpacked into a new folder, refused whole
when a member would land outside it (zip-slip), or when it has too many members or bytes.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.intake.documents import is_pdf, page_count
from workbench.intake.images import ImageError

IMAGE_SUFFIXES = frozenset(
    (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".heif")
)
PDF_SUFFIX, ZIP_SUFFIX = ".pdf", ".zip"
MAX_ZIP_MEMBERS = 10_000
MAX_UNZIPPED_BYTES = 2 * 2**30  # all of a zip's members together: a zip bomb stops here


@dataclass(frozen=True)
class Item:
    """One thing to ask about: an image, or one page of a PDF."""

    key: str  # the same in every run over the same files: how `resume` knows it is done
    name: str  # as the rows show it: "scans/a.png", "b.pdf#page=2", "batch.zip/c.jpg"
    path: Path  # the file read (a zip's member: its unpacked copy)
    page: int | None = None  # 1-based, of a PDF
    error: str = ""  # why it cannot be read, when collecting already knows


def collect(paths: Iterable[str | Path], *, unpack_dir: Path | None = None) -> list[Item]:
    """Return the items of files, folders (recursively, sorted) and zips; a PDF, one per page.

    A zip is unpacked into a new folder in `unpack_dir`. ValueError for a path with nothing
    there, or a zip with no `unpack_dir`.
    """
    items: dict[str, Item] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted((f"{path.name}/{rel}", file) for rel, file in _walk(path))
        elif path.exists():
            found = [(path.name, path)]
        else:
            raise ValueError(f"no such file or folder: {given}")
        for name, file in found:
            for item in _items(name, file, unpack_dir):
                items.setdefault(item.key, item)
    return list(items.values())


def _walk(root: Path) -> Iterator[tuple[str, Path]]:
    wanted = IMAGE_SUFFIXES | {PDF_SUFFIX, ZIP_SUFFIX}
    for folder, _, names in os.walk(root):
        for name in names:
            file = Path(folder, name)
            if file.suffix.lower() in wanted and not name.startswith("."):
                yield file.relative_to(root).as_posix(), file


def _items(name: str, file: Path, unpack_dir: Path | None) -> list[Item]:
    key = str(file.resolve())
    if file.suffix.lower() != ZIP_SUFFIX:
        return _pages(name, file, key)
    if unpack_dir is None:
        raise ValueError(f"{name} is a zip: give a folder to unpack it into")
    try:
        folder, members = _unzip(file, unpack_dir)
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, EOFError) as error:
        return [Item(key, name, file, error=f"{name}: {error}")]
    return [
        item
        for member, path in members
        for item in _pages(f"{name}/{member}", folder / path, f"{key}!{member}")
    ]


def _pages(name: str, file: Path, key: str) -> list[Item]:
    if not is_pdf(file):
        return [Item(key, name, file)]
    try:
        count = page_count(file)
    except ImageError as error:
        return [Item(key, name, file, error=error.text("en"))]
    return [Item(f"{key}#page={n}", f"{name}#page={n}", file, n) for n in range(1, count + 1)]


def _unzip(archive: Path, unpack_dir: Path) -> tuple[Path, list[tuple[str, str]]]:
    """Unpack a zip's images and PDFs into a new folder; return it and (member, relative path).

    ValueError refuses the whole zip: a member named to land outside the folder (zip-slip),
    too many members, or more bytes than `MAX_UNZIPPED_BYTES`.
    """
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ValueError(f"{len(infos)} members; at most {MAX_ZIP_MEMBERS} are unpacked")
        paths = {info.filename: _member_path(info.filename) for info in infos}  # all checked
        wanted = [info for info in infos if _wanted(info, paths[info.filename])]
        if sum(info.file_size for info in wanted) > MAX_UNZIPPED_BYTES:
            raise ValueError(f"over {MAX_UNZIPPED_BYTES // 2**30} GiB unpacked; refused")
        folder = Path(tempfile.mkdtemp(prefix=f"{safe_name(archive.stem)[:40]}-", dir=unpack_dir))
        for info in wanted:
            target = folder / paths[info.filename]
            if not target.resolve().is_relative_to(folder.resolve()):  # a symlinked parent
                raise ValueError(f"refused {info.filename!r}: it lands outside the folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            with opened.open(info) as source, target.open("wb") as sink:
                # zipfile stops at the declared size and checks the CRC: a lying header fails.
                while chunk := source.read(2**20):
                    sink.write(chunk)
    return folder, [(info.filename, paths[info.filename]) for info in wanted]


def _member_path(name: str) -> str:
    """Return a member's relative path; ValueError for one that would climb out (zip-slip)."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise ValueError(f"refused: the member {name!r} would be unpacked outside its folder")
    return "/".join(part for part in parts if part not in ("", "."))


def _wanted(info: zipfile.ZipInfo, path: str) -> bool:
    base = Path(path).name
    suffix = Path(base).suffix.lower()
    skipped = base.startswith(".") or path.startswith("__MACOSX/")  # macOS resource forks
    return not info.is_dir() and not skipped and suffix in IMAGE_SUFFIXES | {PDF_SUFFIX}


def safe_name(name: str) -> str:
    """Return the name with all but ASCII letters, digits and `._-` as `_`: safe as a file name."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
