"""A day of demos: what users leave behind once they have gone, counted (not RSS, which is noisy).

Users come one after another (`bench load --in-turn` in small), each a new browser session
asking its tab's examples, then closing the page. Their Gradio session state goes, the
answers they were shown are not kept, and the intake's caches stay within their bytes.
"""

from __future__ import annotations

import gc
import itertools
import platform
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from workbench.intake.cache import (
    ImageCache,
    image_bytes,
    limit_malloc_arenas,
    release_free_memory,
)

# --- the caches' bounds, in bytes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "kept", "nbytes"),
    [
        ([("a", 40), ("b", 40)], ["a", "b"], 80),
        ([("a", 40), ("b", 40), ("c", 40)], ["b", "c"], 80),  # the least recently used goes
        ([("a", 40), ("b", 40), ("a", None), ("c", 40)], ["a", "c"], 80),  # a was read again
        ([("a", 40), ("big", 500)], ["big"], 500),  # the newest stays, even alone over
        ([("a", 40), ("a", 90)], ["a"], 90),  # a new value for a key replaces its bytes
    ],
)
def test_image_cache_keeps_the_most_recent_within_its_bytes(steps, kept, nbytes):
    """Steps put (key, bytes) or read (key, None) a cache of 100 bytes."""
    cache: ImageCache[str] = ImageCache(100)
    for key, size in steps:
        if size is None:
            assert cache.get(key) == key
        else:
            cache.put(key, key, size)
    assert [key for key in ("a", "b", "c", "big") if cache.get(key) is not None] == kept
    assert (cache.nbytes, len(cache)) == (nbytes, len(kept))


@pytest.mark.parametrize(
    ("mode", "size", "expected"),
    [("RGB", (10, 20), 600), ("L", (10, 20), 200), ("RGBA", (4, 4), 64), ("I;16", (5, 5), 50)],
)
def test_image_bytes_counts_pixels_by_mode(mode, size, expected):
    assert image_bytes([Image.new(mode, size)]) == expected


def test_image_bytes_counts_one_image_once():
    image = Image.new("RGB", (10, 10))
    assert image_bytes([image, image]) == 300


def test_uploads_decoded_and_enhanced_stay_within_the_caches_bytes(tmp_path: Path, monkeypatch):
    """A day's uploads, each a new file: the caches hold a few, whatever their number."""
    from workbench import intake

    budget = 3 * 600 * 800 * 3  # three uploads' pixels
    monkeypatch.setattr(intake, "DECODED", ImageCache(budget))
    monkeypatch.setattr(intake, "ENHANCED", ImageCache(budget))
    for number in range(12):
        path = tmp_path / f"upload-{number}.png"
        Image.new("RGB", (600, 800), (number * 20, 90, 200 - number * 10)).save(path)
        shown = intake.read_intake(path, max_tokens=1280, enhance="on", region=(10, 10, 300, 300))
        assert shown.image.size
    assert intake.DECODED.nbytes <= budget and len(intake.DECODED) == 3
    assert intake.ENHANCED.nbytes <= budget
    assert 1 <= len(intake.ENHANCED) <= 3


def test_the_same_picture_uploaded_again_is_decoded_once(tmp_path: Path, monkeypatch):
    """An API client uploads its picture anew with each question, to a new path."""
    from workbench import intake

    monkeypatch.setattr(intake, "DECODED", ImageCache(intake.DECODED_BYTES))
    picture = Image.new("RGB", (300, 200), "teal")
    paths = [tmp_path / f"upload-{number}" / "receipt.png" for number in range(5)]
    for path in paths:
        path.parent.mkdir()
        picture.save(path)
    decoded = {id(intake.load_file(path, max_tokens=1280)[0]) for path in paths}
    assert len(decoded) == 1 and len(intake.DECODED) == 1


def test_freed_memory_goes_back_where_glibc_keeps_it():
    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert release_free_memory() is expected


def test_the_app_limits_mallocs_arenas_unless_the_environment_says_how_many(monkeypatch):
    import launch

    glibc = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is glibc
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False

    called: list[str] = []
    monkeypatch.setattr(launch.signal, "signal", lambda *_: None)  # pytest's SIGTERM stays
    monkeypatch.setattr(launch, "limit_malloc_arenas", lambda: called.append("arenas"))
    monkeypatch.setattr(launch, "parse_args", lambda *_: called.append("args") or sys.exit(0))
    with pytest.raises(SystemExit):
        launch.main([])
    assert called == ["arenas", "args"]  # before the server starts a thread


def test_departed_sessions_beyond_the_last_few_are_dropped_unless_used_again(monkeypatch):
    from gradio.state_holder import StateHolder

    from tabs.domain import context

    clock = iter(range(100, 200))
    monkeypatch.setattr(context.time, "time", lambda: float(next(clock)))
    holder = StateHolder()
    for session in "abcd":
        holder.session_data[session] = object()
        holder.time_last_used[session] = datetime.fromtimestamp(1)
    departures = context.Departures(keep=2)
    departures.left(holder, "a")  # at 100
    departures.left(holder, "b")  # at 101
    assert set(holder.session_data) == set("abcd")
    departures.left(holder, "c")  # at 102: a goes
    assert set(holder.session_data) == set("bcd")
    holder.time_last_used["b"] = datetime.fromtimestamp(102.5)  # b's page came back, asked
    departures.left(holder, "d")  # at 103: b was used after it left, so it stays a turn more
    assert set(holder.session_data) == set("bcd")
    departures.left(holder, "e")  # at 104: c and d go; b was not used again, but had its turn
    assert set(holder.session_data) == set("b")
    departures.left(holder, "f")  # at 105: b goes
    assert set(holder.session_data) == set()
    assert "b" not in holder.time_last_used


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([(0, 200.0), (10, 700.0), (100, 500.0), (200, 510.0), (300, 520.0)], 10.0),
        ([(100, 500.0), (600, 500.0), (1100, 500.0)], 0.0),  # flat after the first 100
        ([(10, 700.0), (100, 500.0)], None),  # one reading past the first 100: no slope
    ],
)
def test_growth_is_the_slope_past_the_first_100_answers(readings, expected):
    from workbench.bench.load import Reading, growth_per_100

    slope = growth_per_100([Reading(answers, mb) for answers, mb in readings])
    assert slope == (None if expected is None else pytest.approx(expected))


# --- users in turn through the app ----------------------------------------------------------

USERS = 4
QUESTIONS = 2
# What a question makes on the server; none of it may outlive the users who asked.
PER_USER = ("SessionState", "Conversation", "Exchange", "Question", "Answer", "Intake")


def _alive(names: tuple[str, ...]) -> Counter[str]:
    gc.collect()
    return Counter(name for obj in gc.get_objects() if (name := type(obj).__name__) in names)


def _wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def day_app(cache_dir: Path, monkeypatch):
    """Return (app, context, url): the app on the tiny model, of its own, keeping one departed
    session, with a fast heartbeat so that a closed page is noticed within a second."""
    from tabs.app import create_context
    from tests.conftest import TINY, launch_app
    from workbench.settings import Settings

    monkeypatch.setenv("GRADIO_HEARTBEAT_INTERVAL", "0.2")
    ctx = create_context(Settings(**TINY, cache_dir=cache_dir))
    ctx.departures.keep = 1
    app, url = launch_app(ctx)
    yield app, ctx, url
    app.close()


def test_users_in_turn_leave_nothing_behind(day_app):
    """After the first user, each user who comes and goes leaves nothing: one departed
    session is kept (the last), the caches stay within their bounds."""
    from workbench import intake
    from workbench.bench.load import IN_TURN_CONTROLS, ask_in_turn
    from workbench.evidence import ocr

    app, ctx, url = day_app
    sessions = app.state_holder.session_data
    controls = {**IN_TURN_CONTROLS, "max_new_tokens": 8}
    # User 0 and user USERS ask the same tab the same examples: the same shape is kept.
    day = ask_in_turn(url, ctx.examples, 1 + USERS, QUESTIONS, **controls)
    first = [one for one, _ in itertools.islice(day, QUESTIONS)]
    assert not [one for one in first if one.failed], first[-1].error or first[-1].outputs
    assert _wait_for(lambda: all(one.is_closed for one in sessions.values())), "a page stayed"
    assert len(sessions) == 1  # this app's; other tests' apps may hold sessions of their own
    before = _alive(PER_USER)

    asked = list(day)
    assert len(asked) == USERS * QUESTIONS
    assert not [one for one, _ in asked if one.failed], [one.error for one, _ in asked]
    assert _wait_for(lambda: all(one.is_closed for one in sessions.values())), "a page stayed"
    assert _wait_for(lambda: len(sessions) == 1, timeout=5), (
        f"{len(sessions)} sessions kept after {1 + USERS} users came and left (1 expected)"
    )
    after = _alive(PER_USER)
    grown = {name: after[name] - before[name] for name in PER_USER if after[name] > before[name]}
    assert not grown, f"left behind by {USERS} users: {grown}"
    assert intake.DECODED.nbytes <= intake.DECODED.max_bytes
    assert intake.ENHANCED.nbytes <= intake.ENHANCED.max_bytes
    assert len(ocr._cache) <= ocr.CACHE_SIZE
    assert not ctx.stops._events, "a finished answer's Stop signal was kept"
