"""The `download` command: fetch everything a model needs into the cache ahead of a demo.

Afterwards the app, `ask` and the rest run with `HF_HUB_OFFLINE=1`. What is fetched is what
the chosen engine loads: transformers, the safetensors checkpoint with its tokenizer and
processor files; llama.cpp, the GGUF model of `--quant` and its vision file (mmproj).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workbench import settings as settings_module
from workbench.cli.ask import EXIT_MODEL, EXIT_OK, EXIT_USAGE, fail
from workbench.engines.base import ModelLoadError
from workbench.engines.choice import choose_engine

DOWNLOAD_EPILOG = """\
Progress goes to stderr (one line kept up to date on a terminal, a line every few seconds
otherwise); stdout says where the files are and how much they take. A download cut short
(Ctrl-C, a dropped line, a full disk) resumes where it stopped when the command runs again.
The hub is HF_ENDPOINT (https://huggingface.co), the cache HF_HUB_CACHE (or HF_HOME/hub).

exit codes: 0 the files are in the cache, 2 bad arguments (or the openai engine: its model
lives on its server), 3 the files could not be downloaded (the hub refused, the line stalled,
the disk is full, HF_HUB_OFFLINE is set)"""
_PLAIN_SECONDS = 5.0  # off a terminal, a progress line at most this often


@dataclass(frozen=True)
class Downloaded:
    """What is in the cache for a model: where, which files, how many bytes, how many new."""

    model: str
    engine: str
    folder: Path
    files: tuple[Path, ...]
    total_bytes: int
    downloaded_bytes: int | None  # None: not counted (the llama.cpp engine's pair)
    built: bool = False  # the tiny model, built here rather than downloaded
    flags: str = ""  # what else the demo's command needs to load these files (--quant)


def add_download_parser(commands: Any) -> None:
    """Add the `download` command to the command line's subparsers."""
    download = commands.add_parser(
        "download",
        help="fetch a model's files into the cache ahead, for a demo offline",
        description="Download everything the model needs for the chosen engine into the "
        "hub cache, with progress, and say where it is and how much it takes; then the "
        "workbench runs with HF_HUB_OFFLINE=1. --model tiny builds the tiny model instead.",
        epilog=DOWNLOAD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    settings_module.add_arguments(download)
    download.add_argument("-v", "--verbose", action="store_true", help="log tracebacks")


def run_download(args: argparse.Namespace) -> int:
    """Run `download`: fetch the model's files, print where they are; return the exit code."""
    try:
        settings = settings_module.from_environment(args)
    except ValueError as error:
        return fail(EXIT_USAGE, str(error))
    choice = choose_engine(settings)
    if choice.engine == "openai":
        return fail(
            EXIT_USAGE,
            "the openai engine's model lives on its server: there is nothing to download here",
        )
    progress = _Printer(sys.stderr)
    try:
        done = prefetch(settings.replace(model=choice.model), choice.engine, progress.show)
    except ModelLoadError as error:
        progress.end()
        return fail(EXIT_MODEL, f"{error.reason} {error.hint}".strip())
    except KeyboardInterrupt:
        progress.end()
        return fail(130, "stopped; run the command again to resume the download")
    progress.end()
    for line in summary(done):
        print(line)
    return EXIT_OK


def prefetch(
    settings: settings_module.Settings, engine: str, report: Callable[[str], None]
) -> Downloaded:
    """Return what the engine needs for the settings' model, downloaded (or built) first."""
    from workbench.engines import gguf, tiny

    model = settings.model
    if model == tiny.TINY_NAME:
        if engine == "llamacpp":
            pair = gguf.ensure_tiny_gguf(settings.cache_dir)
            return _local(model, engine, (pair.model, pair.mmproj), built=True)
        folder = tiny.ensure_tiny_model(settings.cache_dir)
        return _local(model, engine, tuple(sorted(folder.iterdir())), built=True)
    if engine == "llamacpp":
        pair = gguf.resolve_gguf(
            model,
            quant=settings.quant,
            mmproj=settings.mmproj or None,
            cache_dir=settings.cache_dir,
            report=report,
        )
        flags = f" --quant {settings.quant}" if settings.quant != gguf.DEFAULT_QUANT else ""
        return replace(_local(model, engine, (pair.model, pair.mmproj)), flags=flags)
    if Path(model).expanduser().is_dir():
        folder = Path(model).expanduser()
        return _local(model, engine, tuple(sorted(folder.iterdir())))
    from huggingface_hub import constants

    from workbench.engines import download, patches

    hub_cache, _ = patches.writable_hub_cache(
        Path(constants.HF_HUB_CACHE), settings.cache_dir / "hub"
    )
    # Offline, this checks the cache holds the checkpoint (and says so if it does not).
    fetched = download.fetch_checkpoint(model, hub_cache=hub_cache, report=report)
    return Downloaded(
        model,
        engine,
        fetched.folder,
        fetched.paths,
        fetched.total_bytes,
        fetched.downloaded_bytes,
    )


def _local(model: str, engine: str, files: tuple[Path, ...], *, built: bool = False) -> Downloaded:
    """Return files already on this disk (a folder, a GGUF pair, the tiny model) as counted."""
    files = tuple(path for path in files if path.is_file())
    if not files:
        raise ModelLoadError(f"There are no model files in {model}.", "Check the path.")
    size = sum(path.stat().st_size for path in files)
    return Downloaded(model, engine, files[0].parent, files, size, None, built=built)


def summary(done: Downloaded) -> list[str]:
    """Return the lines that say where the model is and how much it takes."""
    from workbench.engines.download_status import size_text

    files = f"{len(done.files)} file{'s' * (len(done.files) != 1)}, {size_text(done.total_bytes)}"
    if done.built:
        how = "built here (random weights, nothing downloaded)"
    elif done.downloaded_bytes is None:
        how = "in the cache"
    elif done.downloaded_bytes:
        how = f"in the cache ({size_text(done.downloaded_bytes)} downloaded now)"
    else:
        how = "in the cache already (nothing downloaded)"
    lines = [f"{done.model} for {done.engine}: {files}, {how}", f"where: {done.folder}"]
    if len({path.parent for path in done.files}) > 1:
        lines += [f"  {path}" for path in done.files]
    if not done.built:
        lines.append(
            f"offline from now on: HF_HUB_OFFLINE=1 python -m workbench ui --model {done.model}"
            f" --engine {done.engine}{done.flags}"
        )
    return lines


class _Printer:
    """Shows progress on stderr: one line rewritten on a terminal, lines now and then if not."""

    def __init__(self, stream: Any, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._clock = clock
        self._last = (-_PLAIN_SECONDS, "")  # when, and which file's line
        self._open = False

    def show(self, line: str) -> None:
        if self._tty:
            self._stream.write(f"\r\x1b[K[{line}]")
            self._open = True
        else:
            now, file = self._clock(), line.partition(":")[0]
            if file == self._last[1] and now - self._last[0] < _PLAIN_SECONDS:
                return
            self._last = (now, file)
            self._stream.write(f"[{line}]\n")
        self._stream.flush()

    def end(self) -> None:
        if self._open:
            self._stream.write("\n")
            self._stream.flush()
            self._open = False
