"""The real page in headless Chromium: every tab renders, an answer streams, Stop stops it.

The tiny random model answers noise, so nothing here reads the words of an answer: only that text
arrives, grows, stops growing after Stop, and that the next question completes. Screenshots land
in `artifacts/browser/` (gitignored); the timings are printed for `pytest -s`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tabs.app import DOMAIN_TABS as TABS
from tabs.domain.handlers import example_labels
from tabs.i18n import TEXT
from tabs.wording import say
from tests.conftest import launch_app

pytestmark = pytest.mark.browser

TABS_BY_KEY = {tab.TAB.key: tab for tab in TABS}
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"
# Where docs/screenshot.py wants the README's picture; unset in a plain run.
README_PICTURE = os.environ.get("README_PICTURE", "")
STREAM_TAB = "screenshots"
FREE_TEXT_PRESET = "Write a bug report"  # no schema, so no repair turn follows the answer
LONG_ANSWER_TOKENS = 1200  # tiny streams a few dozen tokens a second: long enough to watch
SHORT_ANSWER_TOKENS = 16  # the slider's minimum
STABLE_SECONDS = 1.5  # no growth for this long counts as stopped
POLL_MS = 50
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


@pytest.fixture(scope="module")
def app_context():
    """Return the app context with the cache where a user has it (~/.cache/workbench).

    Not the tests' temp folder: Gradio serves files from the temp folder without asking, so
    examples there would hide a missing `allowed_paths` (the first click on an example did
    nothing after every server start).
    """
    from tabs.app import create_context
    from workbench.settings import Settings

    return create_context(
        Settings(
            model="tiny", engine="transformers", cache_dir=Path.home() / ".cache" / "workbench"
        )
    )


@pytest.fixture(scope="module")
def app_url(app_context) -> str:
    """Return the URL of a fresh app on that context: examples are first clicked after its start."""
    app, url = launch_app(app_context)
    yield url
    app.close()


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


def _readme_picture(page: Page) -> None:
    """Save what the window shows as the README's picture, when docs/screenshot.py asks."""
    if README_PICTURE:
        page.mouse.move(0, 0)  # no hover highlight in the picture
        page.evaluate("window.scrollTo(0, 0)")  # loading the example scrolled the page down
        page.screenshot(path=README_PICTURE)
        print(f"[browser] README picture: {README_PICTURE}")


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


def _example(page: Page, key: str, label: str):
    """Return the button of a tab's example, by its label."""
    return _panel(page, key).get_by_text(label, exact=True)


def _cost(page: Page, key: str, other_than: str = "") -> str:
    """Return the cost line under the tab's image once it counts an image (and differs)."""
    line = page.locator(f"#{key}-cost")
    # Anchored: while an update is pending, Gradio puts a timer ahead of the text.
    expect(line).to_have_text(COST_LINE, timeout=10_000)
    if other_than:  # settled and new at once (a region drawn sends an update per mouse step)
        page.wait_for_function(
            "([selector, pattern, old]) => {"
            " const text = document.querySelector(selector).innerText.trim();"
            " return new RegExp(pattern).test(text) && text !== old; }",
            arg=[f"#{key}-cost", COST_LINE.pattern, other_than],
            timeout=10_000,
        )
    return line.inner_text().strip()


def _uncaught(errors: list[str]) -> list[str]:
    return [error for error in errors if error.startswith("pageerror")]


# Whether an input has held a value for `ms` milliseconds (the page times it).
HOLDS_JS = """([input, value, ms]) => {
    const now = performance.now();
    if (input.value !== value) { input.heldSince = undefined; return false; }
    input.heldSince = input.heldSince ?? now;
    return now - input.heldSince >= ms;
}"""


def _set_number(page: Page, key: str, label: str, value: float) -> None:
    """Type a value into a slider's number box inside the tab's open accordion."""
    field = _panel(page, key).get_by_label(f"number input for {label}")
    # A preset change still in flight may overwrite the value once: set it until it holds.
    for _ in range(3):
        field.fill(str(value))
        field.press("Enter")
        field.blur()
        try:
            page.wait_for_function(
                HOLDS_JS, arg=[field.element_handle(), str(value), 500], timeout=3_000
            )
            return
        except PlaywrightTimeoutError:
            continue
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
        labels = example_labels(app_context, tab.TAB)
        assert len(labels) == len(app_context.examples[key])
        for label in labels:
            expect(_example(page, key, label)).to_be_visible()
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}')}")

        _example(page, key, labels[0]).click()
        cost = _cost(page, key)
        if tab is TABS[0]:
            _readme_picture(page)
        _panel(page, key).get_by_role("button", name=re.compile("Generation and checking")).click()
        expect(page.locator(f"#{key}-visual-tokens")).to_be_visible()
        print(f"[browser] {key} cost line: {cost}")
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}-example')}")
    assert not _uncaught(errors), f"uncaught errors in the page: {_uncaught(errors)}"


def test_ask_streams_and_stop_stops_it(
    page: Page, app_url: str, app_context, errors: list[str]
) -> None:
    """Example, region, role, a long free-text answer streamed, Stop, then a short ask completes."""
    key = STREAM_TAB
    _open(page, app_url)
    page.get_by_role("tab", name=TABS_BY_KEY[key].TITLE).click()
    panel = _panel(page, key)

    # An example loads its image into the annotator.
    _example(page, key, example_labels(app_context, TABS_BY_KEY[key].TAB)[0]).click()
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
    # The page keeps the lengths it saw; three different ones mean the answer grew twice.
    page.wait_for_function(
        "(selector) => { const js = " + LAST_ANSWER_JS + "; const t = js(selector) || '';"
        " window.seenLengths = window.seenLengths || new Set();"
        " if (t.trim()) window.seenLengths.add(t.length); return window.seenLengths.size >= 3; }",
        arg=f"#{key}-chat",
        timeout=10_000,
        polling=POLL_MS,
    )
    lengths = sorted(page.evaluate("Array.from(window.seenLengths)"))
    print(f"[browser] screenshot: {_shot(page, 'stream-mid')}")

    # Stop: the text stops growing and stays stopped.
    stop_clicked = time.monotonic()
    page.locator(f"#{key}-stop").click()
    at_click = len(_last_answer(page, key) or "")
    # Stopped: the length has not changed for STABLE_SECONDS (the page times it).
    page.wait_for_function(
        "([selector, stable]) => { const js = " + LAST_ANSWER_JS + ";"
        " const length = (js(selector) || '').length, now = performance.now();"
        " if (window.lastLength !== length) {"
        "   window.lastLength = length; window.lastChange = now; return false; }"
        " return now - window.lastChange >= stable * 1000; }",
        arg=[f"#{key}-chat", STABLE_SECONDS],
        timeout=15_000,
        polling=POLL_MS,
    )
    last_length = page.evaluate("window.lastLength")
    stop_took = time.monotonic() - stop_clicked - STABLE_SECONDS
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


STOP_PRESSES = 10
ERROR_BADGE = "Error"  # what Gradio paints over an output whose event failed


def _prepare_long_answers(page: Page, app_context, key: str) -> None:
    """Load the tab's first example, a free-text preset and a long token limit."""
    page.get_by_role("tab", name=TABS_BY_KEY[key].TITLE).click()
    _example(page, key, example_labels(app_context, TABS_BY_KEY[key].TAB)[0]).click()
    _cost(page, key)
    page.locator(f"#{key}-preset input").click()
    page.get_by_role("option", name=FREE_TEXT_PRESET).click()
    expect(page.locator(f"#{key}-question textarea")).to_have_value(re.compile("bug report"))
    _panel(page, key).get_by_text("Generation and checking").click()
    _set_number(page, key, "Max new tokens", LONG_ANSWER_TOKENS)


def test_stop_keeps_each_partial_answer_marked_and_never_shows_an_error(
    page: Page, app_url: str, app_context, errors: list[str]
) -> None:
    """Stop, pressed again and again mid-answer: the partial answer stays, marked, no badge."""
    key = STREAM_TAB
    _open(page, app_url)
    _prepare_long_answers(page, app_context, key)
    answers = _answers(page, key)
    run_line = page.locator(f"#{key}-status")
    for press in range(1, STOP_PRESSES + 1):
        page.locator(f"#{key}-ask").click()
        expect(answers).to_have_count(press, timeout=30_000)
        # Some text has arrived (the model is loaded and decoding), then Stop.
        expect(answers.nth(press - 1)).not_to_have_text(re.compile(r"^\s*$"), timeout=30_000)
        page.locator(f"#{key}-stop").click()
        expect(answers.nth(press - 1)).to_contain_text("⏹ stopped", timeout=10_000)
        expect(run_line).to_contain_text("stopped")
        expect(page.get_by_text(ERROR_BADGE, exact=True)).to_have_count(0)
        expect(page.locator(f"#{key}-verdict")).to_contain_text("Stopped")
    print(f"[browser] screenshot: {_shot(page, 'stopped-ten-times')}")
    assert not _uncaught(errors), f"uncaught errors in the page: {_uncaught(errors)}"


def test_a_mistake_gets_a_message_and_leaves_everything_else(
    page: Page, app_url: str, app_context
) -> None:
    """An empty question after an answer: a message; the chat and results stay as they were."""
    key = STREAM_TAB
    _open(page, app_url)
    _prepare_long_answers(page, app_context, key)
    _set_number(page, key, "Max new tokens", SHORT_ANSWER_TOKENS)
    page.locator(f"#{key}-ask").click()
    expect(page.locator(f"#{key}-status")).to_contain_text("⏱", timeout=30_000)
    chat_before = page.locator(f"#{key}-chat").inner_text()
    page.locator(f"#{key}-question textarea").fill("")
    page.locator(f"#{key}-ask").click()
    expect(page.locator(f"#{key}-status")).to_contain_text("The question is empty")
    expect(page.get_by_text("The question is empty").first).to_be_visible()  # and a toast
    expect(page.get_by_text(ERROR_BADGE, exact=True)).to_have_count(0)
    assert page.locator(f"#{key}-chat").inner_text() == chat_before
    expect(page.locator(f"#{key}-verdict")).to_contain_text("Free-text answer")  # still there
    print(f"[browser] screenshot: {_shot(page, 'mistake')}")


def test_a_text_file_named_png_is_refused_on_upload(page: Page, app_url: str, tmp_path) -> None:
    """The message shows as soon as the file is uploaded; the image area keeps its size."""
    key = "receipts"
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not pixels\n" * 20, encoding="utf-8")
    _open(page, app_url)
    area = page.locator(f"#{key}-image")
    height = area.bounding_box()["height"]
    area.locator("input[type=file]").set_input_files(str(fake))
    expect(page.get_by_text(re.compile("not an image")).first).to_be_visible(timeout=10_000)
    expect(area.get_by_text("Drop Image Here")).to_be_visible()  # empty again, full size
    assert area.bounding_box()["height"] >= height * 0.9
    print(f"[browser] screenshot: {_shot(page, 'text-file-upload')}")


def test_status_is_plain_words_and_clear_empties_the_run_line(
    page: Page, app_url: str, app_context
) -> None:
    """One status line without jargon (details behind a hover); Clear forgets the last run."""
    key = STREAM_TAB
    _open(page, app_url)
    _prepare_long_answers(page, app_context, key)
    _set_number(page, key, "Max new tokens", SHORT_ANSWER_TOKENS)
    page.locator(f"#{key}-ask").click()
    run_line = page.locator(f"#{key}-status")
    expect(run_line).to_contain_text("⏱", timeout=30_000)
    header = page.locator("#model-status")
    expect(header).to_contain_text("ready on CPU")
    for jargon in ("patches", "processor_without_video", "bfloat16"):
        expect(header).not_to_contain_text(jargon)
        expect(run_line).not_to_contain_text(jargon)
    assert "processor_without_video" in header.locator("[title]").get_attribute("title")
    page.locator(f"#{key}-clear").click()
    expect(run_line).to_have_text(re.compile(r"^\s*$"))
    expect(_answers(page, key)).to_have_count(0)


def test_layout_examples_before_results_legend_and_api_link(
    page: Page, app_url: str, app_context
) -> None:
    """Examples above the result areas, the box legend, one-line labels, "Use via API"."""
    _open(page, app_url)
    key = "receipts"
    panel = _panel(page, key)
    first = _example(page, key, example_labels(app_context, TABS_BY_KEY[key].TAB)[0])
    assert first.bounding_box()["y"] < page.locator(f"#{key}-annotated").bounding_box()["y"]
    expect(panel.get_by_text("your region (red outline)")).to_be_visible()
    panel.get_by_text("Generation and checking").click()
    label = panel.get_by_text("Max new tokens", exact=True)
    expect(label).to_be_visible()
    assert label.bounding_box()["height"] < 30, "the label wraps"
    expect(page.get_by_text("Use via API")).to_be_visible()


def _switch_to(page: Page, language: str) -> None:
    """Choose the page's language with its switch in the header ("English" or "中文")."""
    page.locator("#ui-language").get_by_label(language, exact=True).check()


def _expect_tab_in(page: Page, key: str, language: str) -> None:
    """Expect the tab's title, labels, placeholder and buttons in `language`."""
    words = TEXT[language]
    panel = _panel(page, key)
    # The first to wait for the switch: it rewords every tab's texts, seconds on a busy machine.
    expect(page.get_by_role("tab", name=words[f"{key}.title"])).to_be_visible(timeout=20_000)
    expect(panel.get_by_text(words[f"{key}.description"])).to_be_visible()
    expect(page.locator(f"#{key}-ask")).to_have_text(words["ask.button"])
    expect(page.locator(f"#{key}-clear")).to_have_text(words["clear.button"])
    expect(page.locator(f"#{key}-question")).to_contain_text(words["question.label"])
    expect(page.locator(f"#{key}-role textarea, #{key}-role input")).to_have_attribute(
        "placeholder", words[f"{key}.role_example"]
    )
    expect(panel.get_by_text(words["generation.accordion"])).to_be_visible()
    expect(panel.get_by_text(words["region.crop"], exact=True)).to_be_visible()


def _shoot_every_tab(page: Page, language: str) -> None:
    """Visit each tab, check its words in `language`, save `tab-<key>-<language>.png`."""
    for tab in TABS:
        key = tab.TAB.key
        page.get_by_role("tab", name=TEXT[language][f"{key}.title"]).click()
        _expect_tab_in(page, key, language)
        accordion = _panel(page, key).get_by_text(TEXT[language]["generation.accordion"])
        accordion.click()  # open, so the shot shows the sliders' labels and help too
        expect(page.locator(f"#{key}-visual-tokens")).to_contain_text(
            TEXT[language]["visual_tokens.label"]
        )
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}-{language}')}")
        accordion.click()
    for key, label in (("batch", "batch.files.label"), ("grading", "grading.folder.label")):
        page.get_by_role("tab", name=TEXT[language][f"{key}.title"], exact=True).click()
        expect(page.get_by_text(TEXT[language][label]).first).to_be_visible()
        print(f"[browser] screenshot: {_shot(page, f'tab-{key}-{language}')}")


def test_a_chinese_browser_gets_chinese_on_load_and_can_switch(
    browser, app_url: str, app_context
) -> None:
    """A zh-CN browser sees every tab in 中文 at once, the status too; the switch turns it
    English. Screenshots of every tab in both languages."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        _open(page, app_url)
        expect(page.locator("#ui-language").get_by_label("中文", exact=True)).to_be_checked()
        expect(page.locator("#model-status")).to_have_text(re.compile("首次提问时加载|就绪"))
        _shoot_every_tab(page, "zh")
        _switch_to(page, "English")
        expect(page.locator("#model-status")).to_have_text(
            re.compile("loads on the first question|ready on")
        )
        _shoot_every_tab(page, "en")
    finally:
        context.close()


def test_the_page_switch_turns_an_english_page_chinese_and_back(page: Page, app_url: str) -> None:
    """English by default; 中文 rewords labels, the status and the server's messages, while the
    prompt's "Answer in" keeps its own choice; English brings everything back."""
    key = "receipts"
    _open(page, app_url)
    expect(page.locator("#ui-language").get_by_label("English", exact=True)).to_be_checked()
    _expect_tab_in(page, key, "en")
    _switch_to(page, "中文")
    _expect_tab_in(page, key, "zh")
    expect(page.locator("#model-status")).not_to_contain_text("first question")
    answer_in = page.locator(f"#{key}-language")  # the prompt's language: still English
    expect(answer_in.get_by_label("English", exact=True)).to_be_checked()
    page.locator(f"#{key}-ask").click()  # no image yet: the mistake is said in 中文
    expect(page.locator(f"#{key}-status")).to_contain_text(say("image.missing", "zh"))
    _switch_to(page, "English")
    _expect_tab_in(page, key, "en")
    expect(page.locator("#model-status")).not_to_contain_text("首次")
