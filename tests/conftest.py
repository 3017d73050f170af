"""Test set-up: offline, no telemetry, one shared cache so the tiny model is built once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Set before anything imports gradio or huggingface_hub: both read these at import time.
os.environ.update(
    HF_HUB_OFFLINE="1",
    HF_HUB_DISABLE_TELEMETRY="1",
    GRADIO_ANALYTICS_ENABLED="False",
    HF_HUB_DISABLE_PROGRESS_BARS="1",
)
os.environ.setdefault("WORKBENCH_CACHE_DIR", tempfile.mkdtemp(prefix="workbench-tests-"))


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Return the cache shared by every test (and by subprocesses, through the environment)."""
    return Path(os.environ["WORKBENCH_CACHE_DIR"])


@pytest.fixture(scope="session")
def tiny_session(cache_dir: Path):
    """Return a loaded model session on the tiny random model, shared by the tests."""
    from workbench.session import ModelSession
    from workbench.settings import Settings

    session = ModelSession(Settings(model="tiny", cache_dir=cache_dir))
    session.get()
    return session
