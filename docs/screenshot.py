"""Regenerate docs/app.png, the README's picture, from the browser test.

    python docs/screenshot.py


It runs `tests/test_browser.py::test_every_tab_renders`, which launches the app on the tiny model
and drives the real page in headless Chromium (Debian's, as every browser test does); with
README_PICTURE set, the test saves the first tab once its first example is loaded. The picture
is then stored with a 256-colour palette, to keep the repository small.

Chromium draws 中文 and the header's emoji with the machine's fonts: without a CJK font
(Debian's fonts-wqy-zenhei, which .ci/run installs) and an emoji font (fonts-noto-color-emoji)
they come out as empty boxes, so look at the picture before committing it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "app.png"
RAW = ROOT / "artifacts" / "browser" / "readme-picture.png"  # gitignored, as the test's shots
TEST = "tests/test_browser.py::test_every_tab_renders"
QUIET = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}


def main() -> int:
    """Run the browser test for the picture, then store it; return the exit code."""
    RAW.parent.mkdir(parents=True, exist_ok=True)
    RAW.unlink(missing_ok=True)
    env = {**QUIET, **os.environ, "README_PICTURE": str(RAW)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", TEST], cwd=ROOT, env=env)
    if done.returncode != 0 or not RAW.exists():
        print("error: the browser test did not take the picture", file=sys.stderr)
        return done.returncode or 1
    with Image.open(RAW) as shot:
        shot.convert("RGB").quantize(colors=256).save(PICTURE, optimize=True)
    print(f"wrote {PICTURE.relative_to(ROOT)} ({PICTURE.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
