"""Bounded disk: uploads and exports live in one folder per app process, gone when it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from workbench.bench.app import free_port

REPO = Path(__file__).resolve().parent.parent
ASKS = 20
START_SECONDS = 60


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture
def served(tmp_path: Path, cache_dir: Path):
    """Start `launch.py --model tiny` with a temp folder of its own; yield (url, temp folder)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp), "WORKBENCH_CACHE_DIR": str(cache_dir)}
    env.pop("GRADIO_TEMP_DIR")
    command = [sys.executable, "launch.py", "--model", "tiny", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail(f"the app did not start: {server.stderr.read()[-2000:]}")
    yield server, url, temp
    if server.poll() is None:
        server.kill()


def test_twenty_answers_leave_nothing_once_the_app_stops(served, tmp_path: Path):
    server, url, temp = served
    image = tmp_path / "upload.png"
    Image.new("RGB", (320, 240), (210, 200, 190)).save(image)
    client = Client(url, verbose=False, download_files=str(tmp_path / "downloads"))
    for _ in range(ASKS):
        outputs = client.predict(
            image={"image": handle_file(str(image)), "boxes": []},
            question="What is this?",
            preset="Extract all fields",
            max_new_tokens=8,
            repair_turns=0,
            strict=False,
            api_name="/receipts_ask",
        )
        assert outputs[-2], "every answer offers an export"
    (folder,) = [path for path in temp.iterdir() if path.name.startswith("workbench-")]
    names = {path.name for path in _files(folder)}
    assert {"upload.png", "result.json"} <= names  # they were there while it ran

    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    assert not folder.exists()
    # torch may keep a compile cache there (torchinductor_*), but no upload or export.
    assert not names & {path.name for path in _files(temp)}
