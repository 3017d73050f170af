"""Test set-up: offline, no telemetry, one shared cache so the tiny model is built once.

Everything the tests write to a temp folder (uploads, exports, Gradio's cache, subprocesses'
files) goes into one folder of their own, removed at the end; the run then fails if the real
temp folder holds anything that was not there before.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

_SYSTEM_TEMP = Path(tempfile.gettempdir())
_BEFORE = set(os.listdir(_SYSTEM_TEMP))
_OWN_TEMP = Path(tempfile.mkdtemp(prefix="workbench-tests-"))
# Set before anything imports gradio or huggingface_hub: both read these at import time.
os.environ.update(
    HF_HUB_OFFLINE="1",
    HF_HUB_DISABLE_TELEMETRY="1",
    GRADIO_ANALYTICS_ENABLED="False",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
    TMPDIR=str(_OWN_TEMP),
    GRADIO_TEMP_DIR=str(_OWN_TEMP / "gradio"),
)
tempfile.tempdir = str(_OWN_TEMP)  # this process has already read TMPDIR
os.environ.setdefault("WORKBENCH_CACHE_DIR", str(_OWN_TEMP / "cache"))
# The suite runs the tiny model through transformers, as the app did before `--engine auto`;
# the llama.cpp engine has tests of its own (test_llamacpp.py, test_gguf.py), and what `auto`
# chooses is tabled in test_choice.py.
os.environ["WORKBENCH_ENGINE"] = "transformers"
TINY = {"model": "tiny", "engine": "transformers"}

from workbench.bench.app import free_port  # noqa: E402 (after the environment is set)

_LEFTOVER_PREFIXES = ("workbench", "gradio", "tmp", "pytest-of-", "torchinductor", "playwright")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Remove the tests' temp folder; fail the run if they left anything in the real one."""
    shutil.rmtree(_OWN_TEMP, ignore_errors=True)
    # Only names the app and its libraries make count: another program (or a second pytest,
    # with its own workbench-tests-* folder) may write there at the same time.
    left = sorted(
        name
        for name in set(os.listdir(_SYSTEM_TEMP)) - _BEFORE
        if name.startswith(_LEFTOVER_PREFIXES) and not name.startswith("workbench-tests-")
    )
    if left and session.exitstatus == 0:
        print(f"\nThe tests left files in {_SYSTEM_TEMP}: {', '.join(left)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright never downloads a browser


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked `cpu` where a GPU would take the model (they assert CPU defaults),
    and the browser tests where there is no Chromium to drive.

    torch is imported only when a `cpu` test was collected, so a run of pure tests never loads it.
    """
    if not CHROMIUM.exists():
        skip = pytest.mark.skip(
            reason=f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium`"
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)
    on_cpu = [item for item in items if "cpu" in item.keywords]
    if on_cpu and _cuda_available():
        skip = pytest.mark.skip(reason="asserts CPU defaults; the model goes to the GPU here")
        for item in on_cpu:
            item.add_marker(skip)


def _cuda_available() -> bool:
    """Return whether CUDA would take the model (imports torch: call it only when that matters)."""
    import torch

    return torch.cuda.is_available()


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Return the cache shared by every test (and by subprocesses, through the environment)."""
    return Path(os.environ["WORKBENCH_CACHE_DIR"])


@pytest.fixture(scope="session")
def tiny_session(cache_dir: Path):
    """Return a loaded model session on the tiny random model, shared by the tests."""
    from workbench.session import ModelSession
    from workbench.settings import Settings

    session = ModelSession(Settings(**TINY, cache_dir=cache_dir))
    session.get()
    return session


class ModelServer:
    """`python -m workbench serve --model tiny` in a subprocess on a local port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = Path(tempfile.mkdtemp(prefix="workbench-serve-")) / "serve.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 180.0) -> ModelServer:
        """Start the server and return once `GET /v1/models` answers."""
        import httpx

        command = [sys.executable, "-m", "workbench", "serve", "--model", "tiny"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                cwd=Path(__file__).resolve().parents[1],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the model server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the model server did not answer in {timeout:g} s")

    def kill(self) -> None:
        """End the server at once, as a crash does."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def model_server(cache_dir: Path):
    """Return a tiny-model server shared by the tests that only ask it questions."""
    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def mismatched_model(cache_dir: Path, tmp_path: Path) -> Path:
    """Return a copy of the tiny model whose config names an image token its tokenizer lacks."""
    from workbench.engines import tiny

    target = tmp_path / "mismatched"
    shutil.copytree(tiny.ensure_tiny_model(cache_dir), target)
    (target / tiny._MARKER).unlink()
    config = json.loads((target / "config.json").read_text())
    config["image_token_id"] = 151655  # Qwen's id, far outside this tokenizer's vocabulary
    (target / "config.json").write_text(json.dumps(config))
    return target


def launch_app(ctx):
    """Launch the app for a context on a free local port; return (app, url)."""
    from tabs.app import build_app

    app = build_app(ctx)
    return app, launch_blocks(app, ctx)


def launch_blocks(app, ctx) -> str:
    """Launch Blocks (the app, or a page around one tab) on a free local port; return its URL."""
    from tabs.app import launch_options

    app.queue(default_concurrency_limit=ctx.concurrency)
    _, url, _ = app.launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        **launch_options(ctx),
    )
    return url


@pytest.fixture(scope="session")
def app_context(cache_dir: Path):
    """Return the app context on the tiny model (the model loads on the first question)."""
    from tabs.app import create_context
    from workbench.settings import Settings

    return create_context(Settings(**TINY, cache_dir=cache_dir))


@pytest.fixture(scope="session")
def app_url(app_context) -> str:
    """Return the URL of the app, launched once for the whole test session."""
    app, url = launch_app(app_context)
    yield url
    app.close()


@pytest.fixture
def client(app_url: str):
    """Return a new API client of the shared app: a new user, with no conversation yet."""
    from gradio_client import Client

    return Client(app_url, verbose=False)


@pytest.fixture
def text_as_png(tmp_path: Path) -> Path:
    """Return a text file that calls itself a PNG."""
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not pixels\n" * 20, encoding="utf-8")
    return fake


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Drive Debian's chromium; Playwright never downloads a browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
