"""What every tab shares: the app context, the tab's description, its presets and its image."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import gradio as gr
from PIL import Image

from workbench.boxes import Region, clamp_region
from workbench.examples import Example
from workbench.images import ImageError, load_image
from workbench.presets import Preset, PresetError, PresetFile
from workbench.session import ModelSession
from workbench.settings import Settings

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class DomainTab:
    """A domain tab: its key (presets file, API names), title and optional extras."""

    key: str
    title: str
    description: str
    role_example: str = ""  # a persona shown as the role field's placeholder
    threshold: bool = False  # an alarm threshold input (gauges)


def tab_presets(ctx: AppContext, tab: DomainTab) -> tuple[PresetFile | None, PresetError | None]:
    """Return the tab's presets, or the error that kept them from loading."""
    loaded = ctx.presets.get(tab.key)
    if isinstance(loaded, PresetFile):
        return loaded, None
    return None, loaded


def find_preset(ctx: AppContext, tab: DomainTab, name: str | None) -> Preset | None:
    presets, _ = tab_presets(ctx, tab)
    if presets is None or not name:
        return None
    try:
        return presets.get(name)
    except KeyError:
        raise gr.Error(f"There is no preset called {name!r} in this tab.") from None


def image_and_region(value: dict | None) -> tuple[Image.Image, Region | None]:
    """Return the uploaded image and its marked region; raise gr.Error saying what is wrong."""
    if not value or not value.get("image"):
        raise gr.Error("Add an image first: upload one, paste one, or pick an example below.")
    try:
        image = load_image(value["image"])
    except ImageError as error:
        # A visitor's mistake, not a fault: one log line, and no traceback from Gradio.
        log.info("refused an image: %s", error)
        raise gr.Error(str(error), print_exception=False) from None
    boxes = value.get("boxes") or []
    if not boxes:
        return image, None
    box = boxes[-1]
    try:
        region = clamp_region((box["xmin"], box["ymin"], box["xmax"], box["ymax"]), image.size)
    except (KeyError, TypeError, ValueError) as error:
        raise gr.Error(f"The marked region cannot be used ({error}). Draw it again.") from None
    return image, region
