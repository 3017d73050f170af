"""Layers by rule: who may import whom, read from every module's import statements.

Every import counts, lazy ones inside functions and those under `TYPE_CHECKING` too. The core
(`workbench`) never imports the faces above it (the tabs, Gradio, the launcher, the command
line); inside it a layer imports only the layers below; nothing imports in a circle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The layers of the core, bottom up. A module belongs to the longest prefix it starts with
# (`workbench.compare.turn` sits above the rest of `workbench.compare`).
LAYERS: tuple[tuple[str, ...], ...] = (
    # The vocabulary: words, budgets, settings, the API's names.
    (
        "workbench.messages",
        "workbench.wording",
        "workbench.budget",
        "workbench.settings",
        "workbench.api",
    ),
    ("workbench.answers",),  # JSON, schema, checks, boxes: pure functions over plain data
    ("workbench.engines",),  # the model behind one protocol
    ("workbench.intake",),  # files, pages, regions, enhancement
    ("workbench.prompts",),  # presets, role, conversation → the engines' messages
    ("workbench.evidence",),  # OCR, and each value matched against it
    ("workbench.compare",),  # two screenshots: alignment, diff, contrast, reports (no model)
    ("workbench.session", "workbench.examples"),
    # One question, start to end; the model's turn on a compared pair is one.
    ("workbench.choices", "workbench.pipeline", "workbench.record", "workbench.compare.turn"),
    ("workbench.eval", "workbench.batch"),
    ("workbench.bench", "workbench.cli", "workbench.__main__"),  # the faces of the core
)
FACES = ("tabs", "gradio", "launch", "login")  # what the core never imports


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _modules() -> dict[str, Path]:
    paths = [*ROOT.glob("workbench/**/*.py"), *ROOT.glob("tabs/**/*.py")]
    paths += [ROOT / "launch.py", ROOT / "login.py"]
    return {_module_name(path): path for path in paths}


MODULES = _modules()


def _imported(path: Path) -> Iterator[str]:
    """Yield every name an import in the file reaches: `from a.b import c` gives a.b and a.b.c."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _project_imports(module: str) -> set[str]:
    """Return the project's modules that `module` imports (a name resolved to its module)."""
    found = set()
    for name in _imported(MODULES[module]):
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return found


def _layer(module: str) -> int | None:
    matches = [
        (len(prefix), index)
        for index, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    return max(matches)[1] if matches else None


CORE = sorted(name for name in MODULES if name.startswith("workbench"))


def test_every_core_module_has_a_layer() -> None:
    assert [module for module in CORE if _layer(module) is None] in ([], ["workbench"])


@pytest.mark.parametrize("module", CORE)
def test_the_core_never_imports_a_face(module: str) -> None:
    faces = {
        name
        for name in _imported(MODULES[module])
        if name.split(".")[0] in FACES and not name.startswith("gradio_client")
    }
    assert not faces, f"{module} imports {sorted(faces)}"


@pytest.mark.parametrize("module", CORE)
def test_a_layer_imports_only_the_layers_below(module: str) -> None:
    own = _layer(module)
    higher = sorted(
        other
        for other in _project_imports(module)
        if own is not None and (layer := _layer(other)) is not None and layer > own
    )
    assert not higher, f"{module} (layer {own}) imports a higher layer: {higher}"


def _cycle() -> list[str] | None:
    """Return a circle of imports among all the project's modules, if there is one."""
    graph = {module: sorted(_project_imports(module)) for module in MODULES}
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(module: str, path: list[str]) -> list[str] | None:
        state[module] = "open"
        for other in graph[module]:
            if state.get(other) == "open":
                return [*path[path.index(other) :], other] if other in path else [module, other]
            if other not in state and (found := visit(other, [*path, other])):
                return found
        state[module] = "done"
        return None

    for module in graph:
        if module not in state and (found := visit(module, [module])):
            return found
    return None


def test_no_module_imports_in_a_circle() -> None:
    circle = _cycle()
    assert circle is None, "an import circle: " + " → ".join(circle or [])


def test_the_rules_catch_a_breach(tmp_path: Path) -> None:
    """The checks above can fail: a stray import is seen, lazy or not."""
    source = tmp_path / "stray.py"
    source.write_text("def f():\n    from tabs.domain import events\n    import workbench.cli\n")
    assert {"tabs.domain", "tabs.domain.events", "workbench.cli"} <= set(_imported(source))
    assert _layer("workbench.answers.boxes") < _layer("workbench.cli.main")
    assert _layer("workbench.evidence.ocr") < _layer("workbench.compare.diff")
    assert _layer("workbench.compare.diff") < _layer("workbench.compare.turn")
    assert _layer("workbench.compare.turn") == _layer("workbench.pipeline")
