"""The Review tab in headless Chromium, in English and 中文: a prepared run folder is loaded, one
value is approved with the keyboard shortcut, and the audit log holds it. Screenshots land beside
test_browser.py's, in `artifacts/browser/`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tabs.i18n import TEXT
from tabs.wording import say
from tests.conftest import launch_app
from tests.review_runs import make_run
from tests.test_browser import ARTIFACTS
from workbench.eval.review_log import REVIEW_FILE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a results root holding one run folder per language, so each starts fresh."""
    root = tmp_path_factory.mktemp("browser-review") / "results"
    for language in ("en", "zh"):
        make_run(root / f"run-{language}")
    return root


@pytest.fixture(scope="module")
def app_url(app_context, results_root: Path) -> str:
    app, url = launch_app(replace(app_context, results_root=results_root))
    yield url
    app.close()


def _open_review(page: Page, url: str, language: str) -> None:
    page.goto(url)
    tab = page.get_by_role("tab", name=TEXT[language]["review.title"], exact=True)
    expect(tab).to_be_visible(timeout=20_000)
    tab.click()


def _load(page: Page, folder: str, language: str) -> None:
    """Pick the run folder, type the reviewer's name and load the queue."""
    chooser = page.locator("#review-folder input")
    chooser.click()
    page.get_by_role("option", name=folder, exact=True).click()
    page.locator("#review-reviewer textarea, #review-reviewer input").first.fill("Ann")
    page.get_by_role("button", name=TEXT[language]["review.load.button"], exact=True).click()
    expect(page.locator("#review-header")).to_contain_text("scans/c.png", timeout=20_000)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_approve_a_value_with_the_keyboard(
    browser, app_url: str, results_root: Path, language: str
) -> None:
    locale = {"en": "en-US", "zh": "zh-CN"}[language]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1100})
    page = context.new_page()
    try:
        _open_review(page, app_url, language)
        _load(page, f"results/run-{language}", language)
        expect(page.locator("#review-progress")).to_contain_text("0")
        page.locator("#review-header").click()  # out of any text box: keys are shortcuts
        page.keyboard.press("a")
        action = say("review.action.approve", language)
        saved = say("review.saved", language, action=action, at="$.total")
        expect(page.locator("#review-status")).to_have_text(saved, timeout=10_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"review-{language}.png"), full_page=True)
    finally:
        context.close()
    lines = (results_root / f"run-{language}" / REVIEW_FILE).read_text().splitlines()
    assert [(x["action"], x["at"], x["reviewer"]) for x in map(json.loads, lines)] == [
        ("approve", "$.total", "Ann")
    ]
