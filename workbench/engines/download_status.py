"""What a download tells the user: its progress line, and when it fails, why and what to do.

The progress line counts the whole model, not one file: "downloading model.safetensors: 1.2 of
8.9 GB · 45 MB/s · about 3 min left", in the wording table's English (the session words it in
the user's language). The failures (a refusal, a stall, a full disk, no network) come out as
`ModelLoadError`s that say what was kept and what to do.
"""

from __future__ import annotations

import collections
import errno
import math
import time
from collections.abc import Callable
from pathlib import Path

from workbench.engines.base import ModelLoadError
from workbench.messages import word

Report = Callable[[str], None]

REPORT_SECONDS = 1.0  # a status line, not a log
_SPEED_WINDOW_SECONDS = 10.0  # the speed is the last ten seconds', so "time left" follows it
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


# ---------------------------------------------------------------- what went wrong


def refusal(repo: str, error: Exception) -> ModelLoadError | None:
    """Return the message for a hub that refused the repo (unknown, gated, forbidden), if so."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    login = "log in with `hf auth login` (or set HF_TOKEN)"
    if isinstance(error, GatedRepoError):
        return ModelLoadError(
            f"{repo} is gated on the Hugging Face hub: its files need a login and its licence "
            "accepted.",
            f"Accept the licence on its hub page, then {login}.",
        )
    if isinstance(error, RepositoryNotFoundError):
        return ModelLoadError(
            f"There is no model {repo!r} on the Hugging Face hub (or it is private).",
            f"Check the name; if it is private and yours, {login}.",
        )
    if isinstance(error, RevisionNotFoundError | EntryNotFoundError):
        return ModelLoadError(
            f"The hub has no such revision or file of {repo}: {_first_line(error)}",
            "Check the model name and the quant.",
        )
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(error, HfHubHTTPError) and status in (401, 403, 404, 451):
        return ModelLoadError(
            f"The hub refused {repo} (HTTP {status}).",
            f"Check the name and that you may read it; {login}.",
        )
    return None


def download_error(
    repo: str, name: str, error: Exception, progress: Progress, hub_cache: Path, tries: int
) -> ModelLoadError:
    """Return what to tell the user about a download that failed, and what to do; `tries` is
    how many tries in a row brought nothing before a stall was given up."""
    if isinstance(error, ModelLoadError):
        return error
    refused = refusal(repo, error)
    if refused:
        return refused
    kept = progress.kept()
    if isinstance(error, OSError) and error.errno in _DISK_FULL:
        return ModelLoadError(
            f"The disk filled while downloading {name} of {repo} into {hub_cache}{kept}.",
            "Free some space, or point HF_HUB_CACHE (or HF_HOME) at a bigger disk, and try "
            "again: the download resumes where it stopped.",
        )
    if _is_timeout(error):
        from huggingface_hub import constants

        return ModelLoadError(
            f"The download of {name} from {repo} stalled: no data came for "
            f"{constants.HF_HUB_DOWNLOAD_TIMEOUT} s, {tries} tries in a row{kept}.",
            "Check the network (or the proxy) and try again: the download resumes where it "
            "stopped. A slow line can wait longer with HF_HUB_DOWNLOAD_TIMEOUT=60.",
        )
    if is_connection(error):
        return ModelLoadError(
            f"Could not download {name} of {repo}: {unreachable(error)}{kept}.",
            "Check the network and try again: the download resumes where it stopped. Offline? "
            "Use a model downloaded before with HF_HUB_OFFLINE=1, or --model tiny.",
        )
    what = f"{type(error).__name__}: {_first_line(error)}".removesuffix(": ")
    return ModelLoadError(
        f"Could not download {name} of {repo} ({what}){kept}.",
        "Try again: the download resumes where it stopped.",
    )


def unreachable(error: Exception) -> str:
    """Return why the hub could not be reached, in a few words."""
    from huggingface_hub.errors import OfflineModeIsEnabled

    if isinstance(error, OfflineModeIsEnabled):
        return "HF_HUB_OFFLINE is set"
    from huggingface_hub import constants

    what = f"{type(error).__name__}: {_first_line(error)}".removesuffix(": ")
    return f"the hub at {constants.ENDPOINT} could not be reached ({what})"


def is_connection(error: BaseException) -> bool:
    # httpx's (httpx2's) network errors derive from its TransportError, not from OSError.
    return isinstance(error, ConnectionError) or any(
        kind.__name__ == "TransportError" for kind in type(error).__mro__
    )


def _is_timeout(error: BaseException) -> bool:
    # httpx's (httpx2's) timeouts do not derive from TimeoutError; their base is named so.
    return isinstance(error, TimeoutError) or any(
        kind.__name__ == "TimeoutException" for kind in type(error).__mro__
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


# ---------------------------------------------------------------- progress


class Progress:
    """Counts a download's bytes and reports one line for all its files, now and then."""

    def __init__(
        self, total: int, report: Report, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.total = total  # bytes of the files to download
        self.moved = 0  # bytes that came over the network in this call
        self.file = ""
        self._finished = 0  # bytes of the files done
        self._current = 0  # bytes of the file in hand, on disk
        self._report = report
        self._clock = clock
        self._samples: collections.deque[tuple[float, int]] = collections.deque()
        self._last_report = -math.inf

    @property
    def done(self) -> int:
        """Return the bytes on disk of the files being downloaded."""
        return self._finished + self._current

    def start(self, name: str) -> None:
        """Begin a file (its partial bytes are counted when its download starts)."""
        self.file, self._current = name, 0

    def finish(self, size: int) -> None:
        """Count a file as done."""
        self._finished += size
        self._current = 0

    def resume(self, on_disk: int) -> None:
        """Begin the file's transfer from the bytes already on disk (0, or a resumed part)."""
        self._current = on_disk
        self._emit(force=True)

    def add(self, count: int) -> None:
        """Count bytes written (negative when a download starts over)."""
        self._current += count
        self.moved += max(count, 0)
        self._emit()

    def line(self) -> str:
        """Return "downloading FILE: 1.2 of 8.9 GB · 45 MB/s · about 3 min left"."""
        size, unit, digits = _unit(self.total)
        facts = {
            "file": self.file,
            "done": f"{min(self.done, self.total) / size:.{digits}f}",
            "total": f"{self.total / size:.{digits}f} {unit}",
        }
        speed = self._speed()
        if not speed:
            return word("session.stage.download_bytes", "en", **facts)
        facts["speed"] = _rate(speed)
        left = max(self.total - self.done, 0) / speed
        if left < 90:
            return word("session.stage.download_seconds", "en", seconds=math.ceil(left), **facts)
        return word("session.stage.download_minutes", "en", minutes=round(left / 60), **facts)

    def kept(self) -> str:
        """Return ", 1.2 of 8.9 GB kept for the next try" (or "" when nothing was)."""
        if not self.done:
            return ""
        size, unit, digits = _unit(self.total)
        done, total = self.done / size, self.total / size
        return f"; {done:.{digits}f} of {total:.{digits}f} {unit} are kept for the next try"

    def _speed(self) -> float:
        now = self._clock()
        self._samples.append((now, self.moved))
        while len(self._samples) > 2 and now - self._samples[1][0] >= _SPEED_WINDOW_SECONDS:
            self._samples.popleft()
        then, moved = self._samples[0]
        return (self.moved - moved) / (now - then) if now - then >= 0.5 else 0.0

    def _emit(self, force: bool = False) -> None:
        now = self._clock()
        if force or now - self._last_report >= REPORT_SECONDS:
            self._last_report = now
            self._report(self.line())


def _unit(total: int) -> tuple[float, str, int]:
    """Return the size, name and decimals to show `total` bytes in: GB, MB or kB."""
    if total >= 1e9:
        return 1e9, "GB", 1
    if total >= 1e6:
        return 1e6, "MB", 1
    return 1e3, "kB", 0


def size_text(count: int) -> str:
    """Return bytes as a person reads them: "8.9 GB", "45.0 MB" or "12 kB"."""
    size, unit, digits = _unit(count)
    return f"{count / size:.{digits}f} {unit}"


def _rate(per_second: float) -> str:
    """Return a speed as "45 MB/s", "2.5 MB/s" or "800 kB/s"."""
    if per_second >= 10e6:
        return f"{per_second / 1e6:.0f} MB/s"
    if per_second >= 1e6:
        return f"{per_second / 1e6:.1f} MB/s"
    return f"{per_second / 1e3:.0f} kB/s"
