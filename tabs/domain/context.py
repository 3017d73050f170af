"""What every tab shares: the app context, the tab's description, its presets and its image."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from gradio.utils import get_upload_folder

from tabs.wording import say
from workbench.answers.boxes import clamp_region
from workbench.engines.base import DEFAULT_MAX_NEW_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P
from workbench.examples import Example
from workbench.intake import Box, ImageError, Intake, file_digest, load_file, read_intake
from workbench.intake.enhance import EnhanceMode
from workbench.prompts.presets import PRESETS_DIR, Preset, PresetError, PresetFile
from workbench.session import ModelSession
from workbench.settings import Settings

if TYPE_CHECKING:
    from gradio.state_holder import StateHolder

log = logging.getLogger(__name__)
Updates = dict[str, Any]  # component name → new value
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


class Departures:
    """Browser sessions whose page has closed: what Gradio keeps for them is dropped.

    Gradio keeps every session's state (its conversations, each component an event changed,
    a copy of the page's config: about 1 MB here) until 10,000 sessions have come; closing
    the page only clears the state's values an hour later. The last `keep` departed sessions
    stay, so a page that reconnects after a network blip or a laptop's sleep finds its
    conversation; older ones go. One used after it left (the page came back, or an answer
    ended after the page closed) is given another turn.
    """

    def __init__(self, keep: int = 16) -> None:
        self.keep = keep
        self._left: OrderedDict[str, float] = OrderedDict()  # session → when it left
        self._lock = threading.Lock()
        self._app: gr.Blocks | None = None

    def watch(self, app: gr.Blocks) -> None:
        """Let go of the sessions that leave `app` from now on (its `unload` event)."""
        self._app = app
        app.unload(self.leave)

    def leave(self, request: gr.Request) -> None:
        """A page closed: note its session, and drop the oldest departed beyond `keep`."""
        if self._app is not None:
            self.left(self._app.state_holder, request.session_hash)

    def left(self, sessions: StateHolder, session: str) -> None:
        """Note that `session` left; drop the state of those that left before the last `keep`."""
        now = time.time()
        with self._lock:
            self._left[session] = now
            self._left.move_to_end(session)
            for _ in range(len(self._left) - self.keep):
                gone, when = self._left.popitem(last=False)
                if not _drop_unless_used(sessions, gone, when):
                    self._left[gone] = now  # another turn: dropped then, unless used again

    def __len__(self) -> int:
        return len(self._left)


def _drop_unless_used(sessions: StateHolder, session: str, left_at: float) -> bool:
    """Drop a session's state unless it was used after `left_at`; return whether it was."""
    with sessions.lock:
        used = sessions.time_last_used.get(session)
        if used is not None and used.timestamp() > left_at:
            return False
        sessions.session_data.pop(session, None)
        sessions.time_last_used.pop(session, None)
        return True


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
    departures: Departures = field(default_factory=Departures)
    # Where `python -m workbench eval` writes by default (--out eval-results): the Evaluate
    # tab offers the result folders below it, never a path typed in the page.
    results_root: Path = Path("eval-results")
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
class Controls:
    """The tab's settings that shape a question, by component name (defaults for API callers)."""

    image: dict | None = None
    role: str = ""
    preset: str | None = None
    language: str = "en"
    region_mode: str = "crop"
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = DEFAULT_TOP_P
    max_new_tokens: float = DEFAULT_MAX_NEW_TOKENS
    strict: bool = False
    repair_turns: float = 1
    threshold: str | float | None = None  # alarm threshold (gauges); empty: none
    direction: str = "above"
    visual_tokens: float | None = None  # the slider: max visual tokens per image
    enhance: str = "auto"  # low light, contrast and tilt: "auto", "on" or "off"
    document: str | None = None  # a PDF (or phone photo) whose page the image box shows
    pages: list[int] | None = None  # the document's pages asked about, 1-based
    ui_language: str = "en"  # the page's language, which words what the user reads
    abstain_below: float = 0.0  # values less confident than this come back as null; 0: off


CONTROLS = tuple(field.name for field in fields(Controls))


def refused(message: str) -> Updates:
    """Return the updates for a user's mistake: a toast and the run line; nothing else moves.

    Not `gr.Error`: it would cover every output of the event with an error badge.
    """
    log.info("refused: %s", message)
    gr.Warning(message)
    return {"run_status": f"⚠️ {message}"}


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
    enhance: EnhanceMode = "off",
    document: str | None = None,
    pages: list[int] | None = None,
    max_tokens: int | None = None,
) -> Intake:
    """Return the upload as the model sees it, and its marked region; gr.Error says what is wrong.

    With a document whose page the image box shows, the `pages` (1-based) are rendered for
    `max_tokens` and the region is scaled onto the first.
    """
    if not value or not value.get("image"):
        raise mistake(say("image.missing", language))
    path = Path(value["image"])
    if not path.is_file():  # uploads age out of the server's cache after a few hours
        raise mistake(say("image.gone", language))
    try:
        # A PDF dropped on the image box shows as its first page.
        size = load_file(path, max_tokens=SHOWN_TOKENS)[0].size
        box = _region(value, size, language)
        if document and pages and shows_page_of(path, document):
            path, max_tokens = Path(document), max_tokens or SHOWN_TOKENS
        else:
            pages, max_tokens = None, SHOWN_TOKENS
        return read_intake(
            path, pages=pages, max_tokens=max_tokens, enhance=enhance, region=box, drawn_on=size
        )
    except ImageError as error:
        raise mistake(error.text(language)) from None


def _region(value: dict, size: tuple[int, int], language: str) -> Box | None:
    boxes = value.get("boxes") or []
    if not boxes:
        return None
    box = boxes[-1]
    try:
        region = clamp_region((box["xmin"], box["ymin"], box["xmax"], box["ymax"]), size)
    except (KeyError, TypeError, ValueError) as error:
        raise mistake(say("region.unusable", language, error=error)) from None
    return region.as_box() if region else None


def page_file(document: str | Path, page: int) -> Path:
    """Return where a document's page (1-based), rendered for the image box, is kept."""
    return Path(get_upload_folder()) / PAGES / file_digest(document) / f"page-{page}.png"


def shows_page_of(image: str | Path, document: str | Path) -> bool:
    """Return whether the image box holds a page of this document (not a later upload).

    By content: an API client sends back the page it was given as a new upload.
    """
    rendered = page_file(document, 1).parent.glob("page-*.png")
    return any(file_digest(image) == file_digest(page) for page in rendered)
