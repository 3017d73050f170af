"""The app benchmark's parts: /proc parsing, rows and verdicts, one bare server up and gone."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from workbench.bench.app import (
    app_command,
    descendants,
    free_port,
    serving,
    status_field,
    summary_row,
    tree_rss_mb,
    verdict,
)

ROOT = Path(__file__).resolve().parents[1]
STATUS = "Name:\tpython\nPPid:\t41\nVmPeak:\t  999 kB\nVmRSS:\t  183244 kB\nThreads:\t7\n"


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (STATUS, "VmRSS", 183244),
        (STATUS, "PPid", 41),
        (STATUS, "Threads", 7),
        ("Name:\tkthreadd\nPPid:\t0\n", "VmRSS", None),  # kernel threads have no VmRSS
        ("", "VmRSS", None),  # the process was gone when read
        ("VmRSSx:\t5 kB\n", "VmRSS", None),  # a longer name is not a match
    ],
)
def test_status_field(text: str, key: str, expected: int | None) -> None:
    assert status_field(text, key) == expected


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [(1.0, 1.2, "✓"), (1.2, 1.2, "✓"), (1.21, 1.2, "✗"), (351.0, 350.0, "✗")],
)
def test_verdict(value: float, limit: float, expected: str) -> None:
    assert verdict(value, limit) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("page-up s", 4.5, 4.0, 4.8, "≤ 1.2 × bare"),
            "page-up s        4.50     4.00   1.12  ≤ 1.2 × bare ✓",
        ),
        (
            ("idle MB", 400.0, 160.0, 350.0, "≤ 350 MB"),
            "idle MB        400.00   160.00   2.50  ≤ 350 MB ✗",
        ),
        (
            ("idle MB", 1.0, 0.0, 350.0, "≤ 350 MB"),
            "idle MB          1.00     0.00    inf  ≤ 350 MB ✓",
        ),
    ],
)
def test_summary_row(args: tuple, expected: str) -> None:
    assert summary_row(*args) == expected


def test_app_command_rejects_unknown_app() -> None:
    assert app_command("bare", 8000)[1:] == ["tabs/bare_app.py", "--port", "8000"]
    assert app_command("workbench", 8000, "tiny")[1:4] == ["launch.py", "--model", "tiny"]
    with pytest.raises(ValueError, match="unknown app"):
        app_command("other", 8000)


def test_descendants_and_memory_include_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in descendants(os.getpid())
        assert tree_rss_mb(os.getpid()) > tree_rss_mb(child.pid) > 1
    finally:
        child.kill()
        child.wait()


def test_bare_app_imports_no_workbench() -> None:
    tree = ast.parse((ROOT / "tabs" / "bare_app.py").read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    assert not roots & {"workbench", "tabs"}, "the baseline must not measure the workbench"


def test_bare_app_serves_a_page_and_is_gone_afterwards() -> None:
    port = free_port()
    with serving(app_command("bare", port), port) as (process, page_up_s):
        assert 0 < page_up_s < 60
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
        assert tree_rss_mb(process.pid) > 50
    assert process.returncode is not None
    assert not Path(f"/proc/{process.pid}").exists()  # reaped, not a zombie
    assert process.pid not in descendants(os.getpid())


def test_a_server_that_dies_is_reported_with_its_output() -> None:
    command = [sys.executable, "-c", "print('cannot start'); raise SystemExit(3)"]
    with (
        pytest.raises(RuntimeError, match=r"exited with 3:\ncannot start"),
        serving(command, free_port()),
    ):
        pass


def test_a_user_who_cannot_connect_is_counted_and_nobody_waits_for_them(monkeypatch, tmp_path):
    import gradio_client

    from workbench.bench import load

    connections: list[int] = []

    class Client:  # the first user's connection is refused; the others are answered at once
        def __init__(self, *_: object, **__: object) -> None:
            connections.append(len(connections))
            if len(connections) == 1:
                raise ConnectionError("refused")

        def predict(self, **_: object) -> list[str]:
            return [""] * len(load.OUTPUTS)

    monkeypatch.setattr(gradio_client, "Client", Client)
    image = tmp_path / "receipt.png"
    image.write_bytes(b"not read")
    asked = load.run_users("http://127.0.0.1:9/", image, users=3, questions=2)
    assert len(asked) == 6  # returned: no user left waiting at the start
    assert [one.error for one in asked if one.error] == ["ConnectionError: refused"] * 2
