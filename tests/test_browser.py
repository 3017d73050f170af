"""The real page in headless Chromium: every tab renders, an answer streams, Stop stops it.

The tiny random model answers noise, so nothing here reads the words of an answer: only that text
arrives, grows, stops growing after Stop, and that the next question completes. Screenshots land
in `artifacts/browser/` (gitignored); the timings are printed for `pytest -s`.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tabs import TABS

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
STREAM_TAB = "screenshots"
FREE_TEXT_PRESET = "Write a bug report"  # no schema, so no repair turn follows the answer
LONG_ANSWER_TOKENS = 1200  # tiny streams a few dozen tokens a second: long enough to watch
SHORT_ANSWER_TOKENS = 16  # the slider's minimum
STABLE_SECONDS = 1.5  # no growth for this long counts as stopped
POLL_SECONDS = 0.1
COST_LINE = re.compile(r"^\s*🖼 [\d,]+ visual tokens \(the model sees \d+×\d+ px\)")

# The text of the last assistant message of a chat, or null while there is none.
LAST_ANSWER_JS = """(selector) => {
    const bots = document.querySelectorAll(selector + ' [data-testid="bot"]');
    return bots.length ? bots[bots.length - 1].innerText : null;
}"""
# The pixels of a square of the annotator's canvas, to see a drawn box change them.
CANVAS_PIXELS_JS = """([selector, fx, fy]) => {
    const canvas = document.querySelector(selector);
    const x = Math.floor(canvas.width * fx), y = Math.floor(canvas.height * fy);
    return Array.from(canvas.getContext('2d').getImageData(x, y, 8, 8).data);
}"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Give the page room for the annotator, whose canvas is as tall as a phone screenshot."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1000}}


@pytest.fixture
def errors(page: Page) -> list[str]:
    """Collect uncaught page errors and console errors while a test runs."""
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            seen.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return seen


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _open(page: Page, url: str) -> float:
    """Open the app and return the seconds until the first tab's image input is visible."""
    started = time.monotonic()
    page.goto(url)
    expect(page.locator(f"#{TABS[0].TAB.key}-image")).to_be_visible(timeout=20_000)
    return time.monotonic() - started


def _last_answer(page: Page, key: str) -> str | None:
    return page.evaluate(LAST_ANSWER_JS, f"#{key}-chat")


def _answers(page: Page, key: str):
    return page.locator(f"#{key}-chat [data-testid='bot']")


def _panel(page: Page, key: str):
    """Return the tab's panel (the tab item holding its chat)."""
    return page.locator(f"#{key}-chat").locator("xpath=ancestor::*[@role='tabpanel'][1]")


def _cost(page: Page, key: str, other_than: str = "") -> str:
    """Return the cost line under the tab's image once it counts an image (and differs)."""
    line = page.locator(f"#{key}-cost")
    # Anchored: while an update is pending, Gradio puts a timer ahead of the text.
    expect(line).to_have_text(COST_LINE, timeout=10_000)
    if other_than:
        expect(line).not_to_have_text(other_than, timeout=5_000)
        expect(line).to_have_text(COST_LINE)
    return line.inner_text().strip()


def _uncaught(errors: list[str]) -> list[str]:
    return [error for error in errors if error.startswith("pageerror")]


def _set_number(page: Page, key: str, label: str, value: float) -> None:
    """Type a value into a slider's number box inside the tab's open accordion."""
    field = _panel(page, key).get_by_label(f"number input for {label}")
    # A preset change still in flight may overwrite the value once; set it until it holds.
    for _ in range(3):
        field.fill(str(value))
        field.press("Enter")
        field.blur()
        page.wait_for_timeout(500)
        if field.input_value() == str(value):
            break
    expect(field).to_have_value(str(value))


def test_every_tab_renders(page: Page, app_url: str, app_context, errors: list[str]) -> None:
    """Each tab, as first seen: image input, preset, question, buttons and its examples; then
    with its first example loaded: the cost line under the image and the visual-token slider."""
    loaded = _open(page, app_url)
    print(f"\n[browser] page load (until the first tab's image input shows): {loaded:.2f} s")
    for tab in TABS:
        key = tab.TAB.key
        page.get_by_role("tab", name=tab.TITLE).click()
        for part in ("image", "mode", "preset", "role", "question", "chat", "ask", "stop"):
            expect(page.locator(f"#{key}-{part}")).to_be_visible()
        expect(page.locator(f"#{key}-preset input")).not_to_have_value("")
        expect(page.locator(f"#{key}-question textarea")).not_to_have_value("")
        rows = _panel(page, key).locator("[data-testid^='dataset-cell-'][data-testid$='-0']")
        expect(rows).to_have_count(len(app_context.examples[key]))
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}')}")

        rows.first.click()
        cost = _cost(page, key)
        _panel(page, key).get_by_role("button", name=re.compile("Generation and checking")).click()
        expect(page.locator(f"#{key}-visual-tokens")).to_be_visible()
        print(f"[browser] {key} cost line: {cost}")
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}-example')}")
    assert not _uncaught(errors), f"uncaught errors in the page: {_uncaught(errors)}"


def test_ask_streams_and_stop_stops_it(page: Page, app_url: str, errors: list[str]) -> None:
    """Example, region, role, a long free-text answer streamed, Stop, then a short ask completes."""
    key = STREAM_TAB
    _open(page, app_url)
    page.get_by_role("tab", name=next(t.TITLE for t in TABS if t.TAB.key == key)).click()
    panel = _panel(page, key)

    # An example loads its image into the annotator.
    panel.locator("[data-testid='dataset-cell-0-0']").click()
    canvas = page.locator(f"#{key}-image canvas")
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    whole_image = _cost(page, key)

    # Draw the region with the mouse; the box tints the canvas inside it.
    probe = [f"#{key}-image canvas", 0.3, 0.3]
    before = page.evaluate(CANVAS_PIXELS_JS, probe)
    area = canvas.bounding_box()
    assert area is not None
    page.mouse.move(area["x"] + area["width"] * 0.2, area["y"] + area["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.55, area["y"] + area["height"] * 0.45, steps=12)
    page.mouse.up()
    page.wait_for_function(
        "([probe, before]) => { const js = " + CANVAS_PIXELS_JS + ";"
        " return JSON.stringify(js(probe)) !== JSON.stringify(before); }",
        arg=[probe, before],
        timeout=5_000,
    )
    # Crop mode: the cost line now counts the region, not the whole image.
    region = _cost(page, key, other_than=whole_image)
    print(f"[browser] cost line, whole image: {whole_image}; region: {region}")

    # A free-text preset, a role, and a token limit long enough to watch the stream.
    page.locator(f"#{key}-preset input").click()
    page.get_by_role("option", name=FREE_TEXT_PRESET).click()
    expect(page.locator(f"#{key}-question textarea")).to_have_value(
        re.compile("bug report"), timeout=5_000
    )
    page.locator(f"#{key}-role").get_by_role("textbox").fill(
        "You are a senior Android QA engineer."
    )
    panel.get_by_text("Generation and checking").click()
    _set_number(page, key, "Max new tokens", LONG_ANSWER_TOKENS)

    # Ask, and watch the last assistant message grow.
    asked = time.monotonic()
    page.locator(f"#{key}-ask").click()
    page.wait_for_function(
        "(selector) => { const js = " + LAST_ANSWER_JS + "; const t = js(selector);"
        " return t !== null && t.trim().length > 0; }",
        arg=f"#{key}-chat",
        timeout=30_000,
        polling=50,
    )
    first_token = time.monotonic() - asked
    lengths: list[int] = []
    deadline = time.monotonic() + 10
    while len(set(lengths)) < 3 and time.monotonic() < deadline:
        text = _last_answer(page, key) or ""
        if text.strip():
            lengths.append(len(text))
        time.sleep(POLL_SECONDS)
    assert len(set(lengths)) >= 2, f"the answer did not grow while streaming: lengths {lengths}"
    print(f"[browser] screenshot: {_shot(page, 'stream-mid')}")

    # Stop: the text stops growing and stays stopped.
    stop_clicked = time.monotonic()
    page.locator(f"#{key}-stop").click()
    at_click = len(_last_answer(page, key) or "")
    last_length, last_change = at_click, stop_clicked
    while time.monotonic() - last_change < STABLE_SECONDS:
        assert time.monotonic() - stop_clicked < 15, "the answer kept growing after Stop"
        time.sleep(POLL_SECONDS)
        length = len(_last_answer(page, key) or "")
        if length != last_length:
            last_length, last_change = length, time.monotonic()
    stop_took = last_change - stop_clicked
    assert last_length > 0
    print(f"[browser] screenshot: {_shot(page, 'stream-after-stop')}")

    # Ask works again: a short answer completes, as a new assistant message.
    _set_number(page, key, "Max new tokens", SHORT_ANSWER_TOKENS)
    expect(_answers(page, key)).to_have_count(1)
    page.locator(f"#{key}-ask").click()
    expect(_answers(page, key)).to_have_count(2, timeout=20_000)
    tab_status = panel.locator("div.prose.model-status")
    expect(tab_status).to_contain_text("⏱", timeout=20_000)  # only a finished answer shows stats
    expect(tab_status).to_contain_text("random weights")
    # The drawn region came through: the image comes back with it outlined.
    expect(page.locator(f"#{key}-annotated img")).to_be_visible(timeout=10_000)
    print(f"[browser] screenshot: {_shot(page, 'second-ask-done')}")

    header = page.locator("#model-status")
    expect(header).to_contain_text("random weights", timeout=10_000)
    print(f"[browser] header status: {header.inner_text().strip()}")
    print(f"[browser] first token visible after Ask (model load included): {first_token:.2f} s")
    print(f"[browser] answer lengths seen while streaming: {lengths}")
    print(
        f"[browser] Stop took effect after {stop_took:.2f} s (last growth seen after the click;"
        f" {at_click} chars at the click, held at {last_length})"
    )
    for error in errors:
        print(f"[browser] {error}")
    assert not _uncaught(errors), f"uncaught errors in the page: {_uncaught(errors)}"
