"""The README and docs/: generated pages up to date, links that resolve, `ask --help` complete."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest
from PIL import Image

from workbench import settings as settings_module
from workbench.cli.ask import ask_report
from workbench.cli.main import ASK_EPILOG, EXIT_CODES
from workbench.engines.base import GenerationParams, GenerationStats
from workbench.pipeline import Answer, make_question
from workbench.prompts.turns import View
from workbench.record import result_record
from workbench.session import Status

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
_spec = importlib.util.spec_from_file_location("generate", DOCS / "generate.py")
docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs)
MAX_README_LINES = 150
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")  # [text](target) and ![alt](target)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def _links(page: Path) -> list[str]:
    """Return the link targets of a Markdown page, outside its code blocks."""
    return LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8")))


def _anchors(page: Path) -> set[str]:
    """Return the anchors of a page's headings, as GitHub makes them."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", page.read_text(encoding="utf-8")), re.M)
    return {
        re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-") for heading in headings
    }


@pytest.mark.parametrize(
    ("name", "render"), [("cli.md", docs.render_cli), ("settings.md", docs.render_settings)]
)
def test_generated_docs_are_up_to_date(name: str, render) -> None:
    written = (DOCS / name).read_text(encoding="utf-8")
    assert written == render(), f"docs/{name} is stale: run `{docs.REGENERATE}`"


def test_rendering_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's WORKBENCH_* variables and terminal width do not change the pages."""
    before = docs.render_cli(), docs.render_settings()
    monkeypatch.setenv("WORKBENCH_PORT", "9999")
    monkeypatch.setenv("WORKBENCH_MODEL", "tiny")
    monkeypatch.setenv("COLUMNS", "40")
    assert (docs.render_cli(), docs.render_settings()) == before


@pytest.mark.parametrize("flag", list(docs.LAUNCHER_VARIABLES))
def test_the_launcher_variables_named_in_the_docs_are_read(
    flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(docs.LAUNCHER_VARIABLES[flag], "4321")
    (action,) = (a for a in docs.launcher_parser()._actions if flag in a.option_strings)
    assert str(action.default) == "4321"


def test_every_unset_setting_says_what_it_means() -> None:
    fields = dataclasses.fields(settings_module.Settings)
    unset = {field.name for field in fields if field.default in (None, "")}
    assert unset == set(docs.UNSET)


def test_every_setting_is_in_settings_md() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(settings_module.Settings):
        assert f"`WORKBENCH_{field.name.upper()}`" in text, field.name


def _record_and_report() -> tuple[dict, dict]:
    """Return a result record, and `ask --json`'s object around it."""
    question = make_question(Image.new("RGB", (8, 8)), "What is it?", GenerationParams())
    answer = Answer(text="", view=View((8, 8)), stats=[GenerationStats()])
    status = Status("ready", "tiny")
    record = result_record(
        answer, question, status=status, tab=None, image_name="x.png", image_sha256="0" * 64
    )
    return record, ask_report(record, status, answer)


def test_the_ask_epilog_names_every_key_of_the_record() -> None:
    """`ask --help` lists what `ask --json` prints: the record's keys and the load's."""
    record, report = _record_and_report()
    epilog_words = set(re.findall(r"\w+", ASK_EPILOG))
    assert set(record) - epilog_words == set()
    assert set(report) - epilog_words == set()


def test_asking_md_names_every_key_of_the_record() -> None:
    text = (DOCS / "asking.md").read_text(encoding="utf-8")
    _, report = _record_and_report()
    assert {key for key in report if f"`{key}`" not in text} == set()


def test_the_exit_codes_name_every_code_of_the_command_line() -> None:
    assert EXIT_CODES in ASK_EPILOG
    for code in (0, 1, 2, 3):
        assert re.search(rf"\b{code}[ ,]", EXIT_CODES), code


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < MAX_README_LINES, f"README.md has {lines} lines; reference goes in docs/"


def test_the_readme_maps_every_page_of_docs() -> None:
    mapped = {target for target in _links(README) if target.startswith("docs/")}
    for page in sorted(DOCS.glob("*.md")):
        assert f"docs/{page.name}" in mapped, f"README.md does not link docs/{page.name}"


@pytest.mark.parametrize("page", _pages(), ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in _links(page):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        assert file.exists(), f"{page.name}: {target} does not exist"
        if anchor and file.suffix == ".md":
            assert anchor in _anchors(file), f"{page.name}: no heading #{anchor} in {file.name}"


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = ci[ci.index("# The test command, as written in the README:") + 1]
    assert command in README.read_text(encoding="utf-8")


def test_the_picture_is_committed_and_small() -> None:
    picture = DOCS / "app.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size < 300_000, "regenerate it: python docs/screenshot.py"
