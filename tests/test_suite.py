"""The test suite itself: a run of pure tests loads no torch, transformers or gradio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PURE_TESTS = ("tests/test_extract.py", "tests/test_validation.py")
HEAVY = ("torch", "transformers", "gradio")

# Run pytest in this process, then say which heavy modules the whole session (collection,
# conftest hooks, fixtures, teardown) brought in.
_PROBE = f"""
import sys, pytest
code = pytest.main(["-q", "-p", "no:cacheprovider", *sys.argv[1:]])
print("LOADED:", *[name for name in {HEAVY!r} if name in sys.modules])
sys.exit(code)
"""


def test_pure_tests_import_no_torch() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *PURE_TESTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "LOADED:", done.stdout[-3000:]
