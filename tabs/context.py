"""What every tab shares: the app context, the tab's description, its presets and its image."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder
from PIL import Image

from tabs.wording import say
from workbench.boxes import Region, clamp_region
from workbench.documents import load_any, load_pages
from workbench.enhance import Enhanced, enhance
from workbench.examples import Example
from workbench.images import ImageError
from workbench.presets import PRESETS_DIR, Preset, PresetError, PresetFile
from workbench.session import ModelSession
from workbench.settings import Settings

log = logging.getLogger(__name__)
PAGES = "workbench-pages"  # document pages rendered for the image box, in Gradio's cache
SHOWN_TOKENS = 1280  # a page in the image box: rendered for a GPU's default budget


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
    """The upload as the model will see it: pixels (enhanced), marked region, where it came from.

    A document's pages: `image` is the first page asked about, `pages` the others.
    """

    image: Image.Image
    region: Region | None
    name: str  # the file name as uploaded
    sha256: str  # of the file's bytes
    pages: tuple[Image.Image, ...] = ()
    page_numbers: tuple[int, ...] = ()  # 1-based, of a document's pages asked about
    enhanced: Enhanced | None = None  # what enhancement did to `image`

    def key(self, region_mode: str) -> str:
        """Return what identifies what the model sees: content, pages, enhancement, region."""
        key = self.sha256
        if self.page_numbers:
            key += ":pages " + ",".join(map(str, self.page_numbers))
        if self.enhanced is not None and self.enhanced.steps:
            key += ":" + self.enhanced.summary()
        if self.region is None:
            return key
        box = ",".join(map(str, self.region.as_box()))
        return f"{key}:{region_mode}:{box}"


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


def picture(
    value: dict | None,
    language: str = "en",
    enhance: str = "off",
    document: str | None = None,
    pages: list[int] | None = None,
    max_tokens: int | None = None,
) -> Picture:
    """Return the upload as the model sees it, and its marked region; gr.Error says what is wrong.

    With a document whose page the image box shows, the `pages` (1-based) are rendered for
    `max_tokens` and the region is scaled onto the first. `enhance` is "auto", "on" or "off".
    """
    if not value or not value.get("image"):
        raise mistake(say("image.missing", language))
    path = Path(value["image"])
    if not path.is_file():  # uploads age out of the server's cache after a few hours
        raise mistake(say("image.gone", language))
    stat = path.stat()
    try:
        image, digest = _decoded(str(path), stat.st_mtime_ns, stat.st_size)
        region = _region(value, image.size, language)
        name, shown, numbers = path.name, [image], ()
        if document and pages and shows_page_of(path, document):
            name, digest, numbers = Path(document).name, file_digest(document), tuple(pages)
            shown = load_pages(document, [page - 1 for page in pages], max_tokens or SHOWN_TOKENS)
            region = _scaled(region, image.size, shown[0].size)
        enhanced = [_enhanced(page, enhance, digest, index) for index, page in enumerate(shown)]
    except ImageError as error:
        raise mistake(error.text(language)) from None
    if region is not None:
        region = clamp_region(enhanced[0].map_box(region.as_box()), enhanced[0].image.size)
    others = tuple(page.image for page in enhanced[1:])
    return Picture(enhanced[0].image, region, name, digest, others, numbers, enhanced[0])


def _region(value: dict, size: tuple[int, int], language: str) -> Region | None:
    boxes = value.get("boxes") or []
    if not boxes:
        return None
    box = boxes[-1]
    try:
        return clamp_region((box["xmin"], box["ymin"], box["xmax"], box["ymax"]), size)
    except (KeyError, TypeError, ValueError) as error:
        raise mistake(say("region.unusable", language, error=error)) from None


def _scaled(
    region: Region | None, shown: tuple[int, int], rendered: tuple[int, int]
) -> Region | None:
    """Return a region drawn on the page as shown, on the page as rendered for the model."""
    if region is None:
        return None
    x, y = rendered[0] / shown[0], rendered[1] / shown[1]
    left, top, right, bottom = region.as_box()
    return clamp_region((left * x, top * y, right * x, bottom * y), rendered)


@functools.lru_cache(maxsize=4)  # a 12 MP photo is 36 MB decoded
def _decoded(path: str, mtime_ns: int, size: int) -> tuple[Image.Image, str]:
    """Return a file's pixels and SHA-256, decoded once: the upload check, the cost line (on
    every slider or mode change) and Ask all read the same upload. Nothing draws on them.
    A PDF dropped on the image box shows as its first page."""
    return load_any(path, max_tokens=SHOWN_TOKENS), file_digest(path)


def file_digest(path: str | Path) -> str:
    """Return the SHA-256 of a file's bytes, read once per version of the file."""
    stat = Path(path).stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def page_file(document: str | Path, page: int) -> Path:
    """Return where a document's page (1-based), rendered for the image box, is kept."""
    return Path(get_upload_folder()) / PAGES / file_digest(document) / f"page-{page}.png"


def shows_page_of(image: str | Path, document: str | Path) -> bool:
    """Return whether the image box holds a page of this document (not a later upload).

    By content: an API client sends back the page it was given as a new upload.
    """
    rendered = page_file(document, 1).parent.glob("page-*.png")
    return any(file_digest(image) == file_digest(page) for page in rendered)


# The last few enhanced images, by (upload digest, page, mode): the note under the image and
# Ask enhance the same upload; the decoded image they came from makes sure it is the same.
_ENHANCED: OrderedDict[tuple[str, int, str], tuple[Image.Image, Enhanced]] = OrderedDict()
_ENHANCED_LOCK = threading.Lock()


def _enhanced(image: Image.Image, mode: str, digest: str, page: int) -> Enhanced:
    key = (digest, page, mode)
    with _ENHANCED_LOCK:
        if key in _ENHANCED and _ENHANCED[key][0] is image:
            return _ENHANCED[key][1]
    done = enhance(image, mode)
    with _ENHANCED_LOCK:
        _ENHANCED[key] = (image, done)
        while len(_ENHANCED) > 4:
            _ENHANCED.popitem(last=False)
    return done
