"""Import hygiene: no workbench module imports Gradio, and only the model's own import torch.

Each module is imported in a fresh interpreter, so what one module pulls in cannot hide
behind another. A new module is covered without being listed here; only a module that may
import torch and transformers has to be named.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import workbench

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers")
# The modules that load and run the model: the session imports them when a model loads.
MODEL_MODULES = {
    "workbench.engines.compiled",
    "workbench.engines.loading",
    "workbench.engines.sizing",
    "workbench.engines.transformers",
}
SCRIPTS = {"workbench.__main__"}  # importing it runs the command line


def _workbench_modules() -> list[str]:
    found = pkgutil.walk_packages(workbench.__path__, prefix="workbench.")
    return sorted({"workbench", *(module.name for module in found)} - SCRIPTS)


def _imported_by(module: str) -> set[str]:
    """Return which of gradio, torch and transformers `import module` loads, in a new process."""
    code = (
        f"import json, sys, {module}\n"
        "print(json.dumps([m for m in ('gradio', 'torch', 'transformers') if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("module", _workbench_modules())
def test_module_imports_no_gradio_and_only_the_model_imports_torch(module: str) -> None:
    imported = _imported_by(module)
    assert "gradio" not in imported
    if module not in MODEL_MODULES:
        assert not imported & set(HEAVY), f"{module} must import {imported} lazily"


def test_every_model_module_exists() -> None:
    assert set(_workbench_modules()) >= MODEL_MODULES
