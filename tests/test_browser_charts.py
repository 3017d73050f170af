"""The Evaluate tab's report in headless Chromium: the charts draw, in English and in 中文.

A results folder is written by hand (two models, per-value confidence, cases from a review:
tests/test_charts.py's RESULTS); the page picks it, shows its report, and the screenshots land
in `artifacts/browser/` (gitignored) as `report-<language>.png`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tabs.i18n import TEXT
from tests.test_browser import ARTIFACTS
from tests.test_charts import RESULTS
from workbench.eval.run import RESULTS_FILE
from workbench.messages import word

pytestmark = pytest.mark.browser

FOLDER = "review-run"
PLOTS = ("grading-accuracy", "grading-calibration", "grading-agreement")


@pytest.fixture(scope="module")
def report_app_url(app_context, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of the whole app whose results root holds one prepared results folder."""
    from tabs.app import build_app
    from tests.conftest import launch_blocks

    root = tmp_path_factory.mktemp("results")
    (root / FOLDER).mkdir()
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in RESULTS)
    (root / FOLDER / RESULTS_FILE).write_text(text, encoding="utf-8")
    context = replace(app_context, results_root=root)
    app = build_app(context)
    url = launch_blocks(app, context)
    yield url
    app.close()


def _show_report(page: Page, language: str) -> None:
    """Pick the folder, press "Show report" and wait until every chart has drawn."""
    words = TEXT[language]
    page.get_by_role("tab", name=words["grading.title"], exact=True).click()
    folder = page.locator("#grading-folder input")
    folder.click()
    page.get_by_role("option", name=FOLDER).click()
    page.locator("#grading-show-report").click()
    expect(page.locator("#grading-report")).to_be_visible()
    for plot in PLOTS:
        # vega draws each chart into a canvas once its data has come
        expect(page.locator(f"#{plot} canvas, #{plot} svg.marks").first).to_be_visible(
            timeout=20_000
        )
    expect(page.locator("#grading-report-status")).to_contain_text(
        word("charts.shown", language, cases=4, models="A = big, B = small")
    )
    expect(page.locator("#grading-accuracy")).to_contain_text(words["charts.accuracy.label"])


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.wait_for_timeout(500)  # vega's transitions end
    page.locator("#grading-report").screenshot(path=str(path))
    return path


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_report_draws_its_charts(browser, report_app_url: str, language: str) -> None:
    """A browser in `language` opens the Evaluate tab, shows the prepared run's report, and
    sees the three charts and the tables, worded in its language."""
    locale = {"en": "en-US", "zh": "zh-CN"}[language]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(report_app_url)
        switch = page.locator("#ui-language").get_by_label(("English", "中文")[language == "zh"])
        expect(switch).to_be_checked(timeout=20_000)  # the page took the browser's language
        _show_report(page, language)
        report = page.locator("#grading-report")
        expect(report).to_contain_text(TEXT[language]["charts.calibration.label"])
        expect(report).to_contain_text("Values right per confidence band")  # the tables
        print(f"[browser] screenshot: {_shot(page, f'report-{language}')}")
        assert errors == []
    finally:
        context.close()
