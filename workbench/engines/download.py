"""Downloading a model's files from the hub: watched (bytes, speed, time left) and resumable.

huggingface_hub (2.x) downloads a file to a temporary name of its own and deletes it when the
download fails, so a download cut short starts again from nothing. Here each file is fetched to
a partial file of a fixed name beside the hub cache's blobs (`blobs/<etag>.incomplete`), which
the next try resumes with an HTTP Range request; once complete it becomes the blob, and
huggingface_hub links it into the cache as if it had downloaded it, so `from_pretrained` and an
offline run (`HF_HUB_OFFLINE=1`) find it as usual. Within a try, a line that drops or stalls is
asked again from where it stopped, as huggingface_hub's own `http_get` does; the bytes are
written as they come (http_get gathers 10 MB before it counts any), so the line moves.

Progress is one line for the whole model, and a failure a message saying what to do (both in
`download_status`). Nothing here imports torch.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workbench.engines.base import ModelLoadError
from workbench.engines.download_status import (
    Progress,
    download_error,
    is_connection,
    refusal,
    size_text,
    unreachable,
)
from workbench.messages import word

Report = Callable[[str], None]
log = logging.getLogger(__name__)

# What a safetensors checkpoint needs at its top level: config, weights, tokenizer, processor,
# chat template (and the tiny model's marker). Not README, pictures, ONNX or GGUF copies.
CHECKPOINT_PATTERNS = ("*.json", "*.safetensors", "*.txt", "*.jinja", "*.model", "*.tiktoken")
# A line that drops or stalls (no byte for HF_HUB_DOWNLOAD_TIMEOUT seconds) is asked again
# from where it stopped, after a pause, until this many tries in a row bring nothing.
TRIES_WITHOUT_DATA = 5
RETRY_PAUSE_SECONDS = 1.0


@dataclass(frozen=True)
class Listing:
    """A repo's files at one commit, with their sizes in bytes."""

    repo: str
    revision: str  # as asked ("main")
    commit: str
    sizes: dict[str, int]
    etags: dict[str, str]  # what the hub will name each file's blob (LFS: its sha256)


@dataclass(frozen=True)
class Fetched:
    """Files in the local hub cache, and how much of them this call downloaded."""

    folder: Path  # the snapshot folder the files sit in
    paths: tuple[Path, ...]
    total_bytes: int
    downloaded_bytes: int


# ---------------------------------------------------------------- what to download


def list_repo(repo: str, revision: str = "main") -> Listing:
    """Return the repo's files and sizes; the hub's own errors pass through (see `refusal`)."""
    from huggingface_hub import HfApi, constants

    api = HfApi(endpoint=constants.ENDPOINT)
    info = api.model_info(repo, revision=revision, files_metadata=True)
    siblings = info.siblings or []
    sizes = {s.rfilename: int(s.lfs.size if s.lfs else s.size or 0) for s in siblings}
    etags = {s.rfilename: s.lfs.sha256 if s.lfs else s.blob_id or "" for s in siblings}
    return Listing(repo, revision, info.sha or revision, sizes, etags)


def checkpoint_files(names: Iterable[str]) -> list[str]:
    """Return the files of a safetensors checkpoint that loading it needs (top level only)."""
    return sorted(
        name
        for name in names
        if "/" not in name
        and any(fnmatch.fnmatch(name, pattern) for pattern in CHECKPOINT_PATTERNS)
    )


def fetch_checkpoint(
    repo: str, *, hub_cache: Path, report: Report, revision: str = "main"
) -> Fetched:
    """Return a safetensors checkpoint from the hub cache, downloading what is missing.

    Offline (HF_HUB_OFFLINE), or with the hub out of reach, the cached snapshot is used.
    """
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return _cached_checkpoint(repo, hub_cache, revision, "HF_HUB_OFFLINE is set")
    report(word("session.stage.hub", "en", repo=repo))
    try:
        listing = list_repo(repo, revision)
    except Exception as error:  # the hub's errors come from several libraries
        refused = refusal(repo, error)
        if refused:
            raise refused from None
        return _cached_checkpoint(repo, hub_cache, revision, unreachable(error))
    names = checkpoint_files(listing.sizes)
    if not any(name.endswith(".safetensors") for name in names):
        raise ModelLoadError(
            f"{repo} holds no safetensors weights at its top level.",
            "For a GGUF repo use --engine llamacpp; else pass a Qwen3-VL checkpoint.",
        )
    return fetch(listing, names, hub_cache=hub_cache, report=report)


def _cached_checkpoint(repo: str, hub_cache: Path, revision: str, why: str) -> Fetched:
    """Return the cached snapshot of a checkpoint, or say why it cannot be had."""
    import huggingface_hub

    try:
        folder = Path(
            huggingface_hub.snapshot_download(
                repo, revision=revision, cache_dir=hub_cache, local_files_only=True
            )
        )
    except Exception:  # not cached: LocalEntryNotFoundError, or a broken cache
        folder = None
    names = checkpoint_files(path.name for path in folder.iterdir()) if folder else []
    if folder is None or not any(name.endswith(".safetensors") for name in names):
        raise ModelLoadError(
            f"Could not load {repo!r}: {why}, and it is not in the local cache ({hub_cache}).",
            f"Download it ahead while online (python -m workbench download --model {repo}), "
            "pass a local model directory with --model PATH, or use --model tiny to try the "
            "app with random weights.",
        )
    paths = tuple(folder / name for name in names)
    return Fetched(folder, paths, sum(path.stat().st_size for path in paths), 0)


# ---------------------------------------------------------------- downloading


def fetch(listing: Listing, names: Sequence[str], *, hub_cache: Path, report: Report) -> Fetched:
    """Return the local paths of `names`, downloading those not cached, with progress.

    Raises ModelLoadError when the hub refuses, the download stalls or the disk is full; what
    was downloaded is kept, and the next call resumes it.
    """
    from huggingface_hub import try_to_load_from_cache

    missing = [name for name in names if name not in listing.sizes]
    if missing:
        raise ModelLoadError(
            f"{listing.repo} has no file {missing[0]!r}.", "Check the model name and the quant."
        )
    cached = {}
    for name in names:
        found = try_to_load_from_cache(
            listing.repo, name, cache_dir=hub_cache, revision=listing.commit
        )
        if isinstance(found, str):
            cached[name] = Path(found)
    todo = [name for name in names if name not in cached]
    total = sum(listing.sizes[name] for name in names)
    progress = Progress(sum(listing.sizes[name] for name in todo), report)
    if todo:
        _check_room(listing, todo, hub_cache)
    paths = []
    for name in names:
        try:
            paths.append(cached.get(name) or _fetch_file(listing, name, hub_cache, progress))
        except Exception as error:
            raise download_error(
                listing.repo, name, error, progress, hub_cache, TRIES_WITHOUT_DATA
            ) from None
    snapshot = _storage(listing.repo, hub_cache) / "snapshots" / listing.commit
    folder = snapshot if snapshot.is_dir() else paths[0].parent
    return Fetched(folder, tuple(paths), total, progress.moved)


def _storage(repo: str, hub_cache: Path) -> Path:
    from huggingface_hub.file_download import repo_folder_name

    return hub_cache / repo_folder_name(repo_id=repo, repo_type="model")


def _fetch_file(listing: Listing, name: str, hub_cache: Path, progress: Progress) -> Path:
    """Return a file's path in the cache, downloading its blob first unless it is there."""
    import huggingface_hub
    from huggingface_hub import constants

    url = huggingface_hub.hf_hub_url(
        listing.repo, name, revision=listing.commit, endpoint=constants.ENDPOINT
    )
    meta = huggingface_hub.get_hf_file_metadata(url, retry_on_errors=True)
    if not meta.etag:
        raise OSError(f"the hub sent no ETag for {name}")
    size = meta.size if meta.size is not None else listing.sizes[name]
    storage = _storage(listing.repo, hub_cache)
    blob = storage / "blobs" / meta.etag
    progress.start(name)
    if not blob.exists():
        lock = hub_cache / ".locks" / storage.name / f"{meta.etag}.incomplete.lock"
        _fetch_blob(meta.location, blob, size, lock, progress)
    progress.finish(size)
    # The blob is in place: huggingface_hub links it into the snapshot and notes the revision.
    return Path(
        huggingface_hub.hf_hub_download(
            listing.repo, name, revision=listing.revision, cache_dir=hub_cache
        )
    )


def _fetch_blob(url: str, blob: Path, size: int, lock: Path, progress: Progress) -> None:
    """Download `url` into the blob, resuming the partial file a cut-short try left."""
    from huggingface_hub.utils import WeakFileLock

    partial = blob.with_name(blob.name + ".incomplete")
    blob.parent.mkdir(parents=True, exist_ok=True)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(lock):  # another process fetching the same file: wait, then use it
        if blob.exists():
            return
        if partial.exists() and partial.stat().st_size > size:
            partial.unlink()  # longer than the file: not a part of it
        with _open_partial(partial) as file:
            resumed = file.tell()
            progress.resume(resumed)
            _stream(url, file, size, progress)
        if resumed:
            _check_sum(partial, blob.name)
        partial.replace(blob)


def _stream(url: str, file: BinaryIO, size: int, progress: Progress) -> None:
    """Write the rest of `url` into `file`; a dropped or stalled line is asked again from
    where it stopped, until `TRIES_WITHOUT_DATA` tries in a row bring nothing."""
    empty = 0
    while file.tell() < size:
        before = file.tell()
        try:
            _get_rest(url, file, progress)
        except Exception as error:
            if not is_connection(error):
                raise
            empty = 0 if file.tell() > before else empty + 1
            if empty >= TRIES_WITHOUT_DATA:
                raise
            log.warning("download from %s stopped (%s); resuming at %d", url, error, file.tell())
            time.sleep(RETRY_PAUSE_SECONDS)
    if file.tell() != size:
        raise OSError(f"the hub sent {file.tell():,} bytes of a {size:,}-byte file")


def _get_rest(url: str, file: BinaryIO, progress: Progress) -> None:
    """Ask for the bytes from the file's end on (HTTP Range), and write them as they come."""
    from huggingface_hub import constants
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_stream_backoff

    start = file.tell()
    # identity: the bytes as stored, so sizes and ranges are the file's own
    headers = {**build_hf_headers(), "Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    with http_stream_backoff(
        "GET",
        url,
        headers=headers,
        timeout=constants.HF_HUB_DOWNLOAD_TIMEOUT,
        retry_on_exceptions=(),  # a dropped line is resumed by _stream, from where it stopped
        retry_on_status_codes=(408, 429, 500, 502, 503, 504),
    ) as response:
        hf_raise_for_status(response)
        if start and response.status_code == 200:  # the server ignored the Range: start over
            file.seek(0)
            file.truncate()
            progress.add(-start)
        for chunk in response.iter_bytes():  # as they come: progress moves with the line
            file.write(chunk)
            progress.add(len(chunk))


def _check_sum(partial: Path, etag: str) -> None:
    """Raise OSError, dropping the file, when a resumed file's SHA-256 is not its LFS etag."""
    if not re.fullmatch(r"[0-9a-f]{64}", etag):
        return  # not an LFS file: the hub's etag is no checksum of the bytes
    digest = hashlib.sha256()
    with partial.open("rb") as file:
        while block := file.read(8 * 1024 * 1024):
            digest.update(block)
    if digest.hexdigest() != etag:
        partial.unlink()
        raise OSError(
            "the resumed file does not match its checksum (its parts came from different "
            "versions); it was dropped and downloads again from the start"
        )


def _open_partial(path: Path) -> BinaryIO:
    """Return the partial file open for appending (a seam for the tests' full disk)."""
    return path.open("ab")


def _check_room(listing: Listing, names: Sequence[str], hub_cache: Path) -> None:
    """Raise ModelLoadError when the cache's disk has less room than the files still need."""
    blobs = _storage(listing.repo, hub_cache) / "blobs"
    needed = 0
    for name in names:
        partial = blobs / f"{listing.etags.get(name)}.incomplete"
        needed += listing.sizes[name] - (partial.stat().st_size if partial.is_file() else 0)
    free = free_space(blobs)
    if free < needed:
        raise ModelLoadError(
            f"{listing.repo} needs {size_text(needed)} more on the disk, and only "
            f"{size_text(free)} is free there ({hub_cache}).",
            "Free some space, or point HF_HUB_CACHE (or HF_HOME) at a bigger disk, and try "
            "again: what is downloaded already is kept.",
        )


def free_space(path: Path) -> int:
    """Return the free bytes on the disk that holds `path` (or its nearest existing parent)."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free
