"""The Compare tab on the real page in headless Chromium, in English and 中文: two drawn screens
uploaded, compared, the changes boxed on both and listed; the contrast section opened.

Same fixtures and artifacts folder as tests/test_browser.py: screenshots land in
`artifacts/browser/compare-<language>.png`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tabs.i18n import TEXT
from tests.test_browser import (  # noqa: F401 (fixtures, found by name)
    _open,
    _shot,
    _uncaught,
    app_context,
    app_url,
    browser_context_args,
    errors,
)
from workbench.compare.drawn import drawn_pairs

pytestmark = pytest.mark.browser
PAIR = "label changed"


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    """Return a drawn pair of phone screens, a row's label changed: before.png, after.png."""
    drawn = next(pair for pair in drawn_pairs() if pair.name == PAIR)
    folder = tmp_path_factory.mktemp("browser-pair")
    paths = folder / "before.png", folder / "after.png"
    drawn.before.save(paths[0])
    drawn.after.save(paths[1])
    return paths


def _compare_in(page: Page, pair: tuple[Path, Path], language: str) -> float:
    """Open the Compare tab, upload the pair, compare; return the seconds until the table."""
    words = TEXT[language]
    page.get_by_role("tab", name=words["compare.title"], exact=True).click()
    expect(page.get_by_text(words["compare.description"])).to_be_visible()
    for side, path in zip(("before", "after"), pair, strict=True):
        page.locator(f"#compare-{side} input[type=file]").set_input_files(str(path))
        expect(page.locator(f"#compare-{side} canvas")).to_be_visible(timeout=10_000)
    started = time.monotonic()
    page.locator("#compare-run").click()
    expect(page.locator("#compare-changes")).to_be_visible(timeout=60_000)
    seconds = time.monotonic() - started
    expect(page.locator("#compare-status")).not_to_contain_text("⚠️")
    expect(page.locator("#compare-before-view img")).to_be_visible()
    expect(page.locator("#compare-after-view img")).to_be_visible()
    page.get_by_text(words["compare_tab.contrast.accordion"]).click()
    expect(page.locator("#compare-contrast-summary")).not_to_be_empty()
    return seconds


def test_compare_in_english(page: Page, app_url: str, pair, errors: list[str]) -> None:  # noqa: F811
    _open(page, app_url)
    seconds = _compare_in(page, pair, "en")
    expect(page.locator("#compare-changes")).to_contain_text("kind")
    print(f"\n[browser] compare, click to table: {seconds:.2f} s")
    print(f"[browser] screenshot: {_shot(page, 'compare-en')}")
    # Without a pair, the judge says what to do first, in a line.
    assert not _uncaught(errors), f"uncaught errors in the page: {_uncaught(errors)}"


def test_compare_in_chinese(browser, app_url: str, pair) -> None:  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        _open(page, app_url)
        _compare_in(page, pair, "zh")
        expect(page.locator("#compare-changes")).to_contain_text("类型")
        expect(page.locator("#compare-status")).to_contain_text("处变化")
        print(f"\n[browser] screenshot: {_shot(page, 'compare-zh')}")
    finally:
        context.close()
