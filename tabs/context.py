"""What every tab shares: the app context, the tab's description, its presets and its image."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
from PIL import Image

from tabs.wording import say
from workbench.boxes import Region, clamp_region
from workbench.examples import Example
from workbench.images import ImageError, load_image
from workbench.presets import PRESETS_DIR, Preset, PresetError, PresetFile
from workbench.session import ModelSession
from workbench.settings import Settings

log = logging.getLogger(__name__)


class Stops:
    """The Stop buttons' signals: one event per running answer, by (browser session, tab)."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, str], threading.Event] = {}
        self._lock = threading.Lock()

    def start(self, key: tuple[str, str]) -> threading.Event:
        """Return the signal for an answer starting now (the latest answer of a key wins)."""
        event = threading.Event()
        with self._lock:
            self._events[key] = event
        return event

    def stop(self, key: tuple[str, str]) -> None:
        """Signal the running answer of `key`, if there is one."""
        with self._lock:
            event = self._events.get(key)
        if event is not None:
            event.set()

    def finish(self, key: tuple[str, str], event: threading.Event) -> None:
        """Forget the signal of an answer that ended."""
        with self._lock:
            if self._events.get(key) is event:
                del self._events[key]


@dataclass(frozen=True)
class AppContext:
    """What every tab shares: the one model session and read-only data."""

    session: ModelSession
    settings: Settings
    presets: dict[str, PresetFile | PresetError]
    examples: dict[str, list[Example]]
    strict_available: bool = False
    strict_reason: str = ""  # why strict mode is off, when it is
    concurrency: int = 1  # model calls at once, across all tabs
    stops: Stops = field(default_factory=Stops)
    # The built-in examples by the SHA-256 of their image file: an answer about one of them
    # is compared with its ground truth.
    example_digests: dict[str, Example] = field(default_factory=dict)

    def example_for(self, sha256: str) -> Example | None:
        """Return the built-in example whose image has this digest, if any."""
        return self.example_digests.get(sha256)


@dataclass(frozen=True)
class DomainTab:
    """A domain tab: its key (presets file, API names), title and optional extras."""

    key: str
    title: str
    description: str
    role_example: str = ""  # a persona shown as the role field's placeholder
    threshold: bool = False  # an alarm threshold input (gauges)


@dataclass(frozen=True)
class Picture:
    """The uploaded image as the model will see it: pixels, marked region, where it came from."""

    image: Image.Image
    region: Region | None
    name: str  # the file name as uploaded
    sha256: str  # of the file's bytes

    def key(self, region_mode: str) -> str:
        """Return what identifies the picture the model sees: content, region and mode."""
        if self.region is None:
            return self.sha256
        box = ",".join(map(str, self.region.as_box()))
        return f"{self.sha256}:{region_mode}:{box}"


def tab_presets(ctx: AppContext, tab: DomainTab) -> tuple[PresetFile | None, PresetError | None]:
    """Return the tab's presets, or the error that kept them from loading."""
    loaded = ctx.presets.get(tab.key)
    if loaded is None:
        return None, PresetError(PRESETS_DIR / f"{tab.key}.toml", "", "file not found")
    if isinstance(loaded, PresetFile):
        return loaded, None
    return None, loaded


def find_preset(
    ctx: AppContext, tab: DomainTab, name: str | None, language: str = "en"
) -> Preset | None:
    """Return the tab's preset called `name` (None for none); gr.Error for an unknown name."""
    presets, _ = tab_presets(ctx, tab)
    if presets is None or not name:
        return None
    try:
        return presets.get(name)
    except KeyError:
        raise mistake(say("preset.unknown", language, name=name)) from None


def mistake(message: str) -> gr.Error:
    """Return the error for a user's mistake: shown to them, no traceback in the server log."""
    return gr.Error(message, print_exception=False)


def picture(value: dict | None, language: str = "en") -> Picture:
    """Return the uploaded image and its marked region; raise gr.Error saying what is wrong."""
    if not value or not value.get("image"):
        raise mistake(say("image.missing", language))
    path = Path(value["image"])
    if not path.is_file():  # uploads age out of the server's cache after a few hours
        raise mistake(say("image.gone", language))
    stat = path.stat()
    try:
        image, digest = _decoded(str(path), stat.st_mtime_ns, stat.st_size)
    except ImageError as error:
        raise mistake(error.text(language)) from None
    boxes = value.get("boxes") or []
    region = None
    if boxes:
        box = boxes[-1]
        try:
            region = clamp_region((box["xmin"], box["ymin"], box["xmax"], box["ymax"]), image.size)
        except (KeyError, TypeError, ValueError) as error:
            raise mistake(say("region.unusable", language, error=error)) from None
    return Picture(image, region, path.name, digest)


@functools.lru_cache(maxsize=4)  # a 12 MP photo is 36 MB decoded
def _decoded(path: str, mtime_ns: int, size: int) -> tuple[Image.Image, str]:
    """Return a file's pixels and SHA-256, decoded once: the upload check, the cost line (on
    every slider or mode change) and Ask all read the same upload. Nothing draws on them."""
    return load_image(path), hashlib.sha256(Path(path).read_bytes()).hexdigest()
