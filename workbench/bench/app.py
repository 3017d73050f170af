"""Benchmark `python -m workbench bench app`: page-up time and idle memory, app vs bare Gradio.

Each run starts a server in a fresh process, times it from `Popen` to the first `GET /` that
answers 200, reads its resident memory once it has settled, and kills it. Runs alternate
(workbench, bare, workbench, …) so that a busy or warming machine weighs on both alike. The
baseline, `tabs/bare_app.py`, has the same widgets without the workbench.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
PAGE_UP_RATIO_TARGET = 1.2  # workbench page-up ≤ this × bare page-up
IDLE_RSS_TARGET_MB = 350.0
POLL_SECONDS = 0.02
SETTLE_SECONDS = 1.5  # after the first page: lazy imports and the first request are done
START_TIMEOUT_SECONDS = 120.0
QUIET_ENV = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
}


@dataclass(frozen=True)
class Measurement:
    """One run of one app: seconds until the page answered, and idle resident memory."""

    page_up_s: float
    idle_mb: float


def app_command(app: str, port: int, model: str = "tiny") -> list[str]:
    """Return the command that serves `app` ("workbench" or "bare") on a local port."""
    if app == "workbench":
        return [sys.executable, "launch.py", "--model", model, "--port", str(port)]
    if app == "bare":
        return [sys.executable, "tabs/bare_app.py", "--port", str(port)]
    raise ValueError(f"unknown app {app!r}; expected 'workbench' or 'bare'")


def free_port() -> int:
    """Return a local TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_field(status_text: str, key: str) -> int | None:
    """Return the first number of a `/proc/PID/status` line such as `VmRSS:  1234 kB`, or None."""
    for line in status_text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name == key:
            return int(value.split()[0])
    return None  # kernel threads and zombies have no VmRSS


def _read_status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text()
    except OSError:  # gone between the listing and the read
        return ""


def descendants(pid: int) -> list[int]:
    """Return the ids of every live process below `pid`, from the parent links in /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            parent = status_field(_read_status(int(entry.name)), "PPid")
            if parent is not None:
                parents[int(entry.name)] = parent
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def tree_rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Return the resident memory of a process and its descendants, in MB (2**20 bytes);
    `field` "RssFile" gives the part that maps files (code and data the kernel can drop)."""
    kb = sum(status_field(_read_status(p), field) or 0 for p in [pid, *descendants(pid)])
    return kb / 1024


@contextmanager
def serving(command: list[str], port: int) -> Iterator[tuple[subprocess.Popen, float]]:
    """Start a server, yield it and its page-up seconds once `GET /` is 200; always kill it."""
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a chatty server never blocks
        started = time.perf_counter()
        # A session of its own, so one signal reaches the server and anything it started.
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **QUIET_ENV},
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            page_up = _wait_for_page(process, url, log) - started
            yield process, page_up
        finally:
            _kill(process)


def _wait_for_page(process: subprocess.Popen, url: str, log: IO[bytes]) -> float:
    deadline = time.perf_counter() + START_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"{process.args}: no page after {START_TIMEOUT_SECONDS:.0f} s")


def _tail(log: IO[bytes], chars: int = 2000) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-chars:]


def _kill(process: subprocess.Popen) -> None:
    """Stop the server's whole process group: politely, then for sure."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break  # the whole group is gone
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            continue
    process.wait()  # reaped: no zombie left behind


def measure(app: str, model: str = "tiny") -> Measurement:
    """Return one run's page-up time and settled resident memory for `app`."""
    port = free_port()
    with serving(app_command(app, port, model), port) as (process, page_up):
        time.sleep(SETTLE_SECONDS)
        return Measurement(page_up, tree_rss_mb(process.pid))


def verdict(value: float, limit: float) -> str:
    """Return ✓ when value is within its limit, else ✗."""
    return "✓" if value <= limit else "✗"


def summary_row(label: str, workbench: float, bare: float, limit: float, target: str) -> str:
    """Return one median row: both figures, their ratio, and the workbench against its target."""
    ratio = workbench / bare if bare else float("inf")
    return (
        f"{label:<10} {workbench:>10.2f} {bare:>8.2f} {ratio:>6.2f}  "
        f"{target} {verdict(workbench, limit)}"
    )


def bench_app(runs: int = 5, model: str = "tiny") -> Iterator[str]:
    """Yield rows as runs finish, then the medians, ratios and verdicts, workbench vs bare."""
    yield f"launch.py --model {model} vs tabs/bare_app.py; {runs} alternating run(s) each"
    yield f"{'run':<4} {'app':<10} {'page-up s':>9} {'idle MB':>8}"
    results: dict[str, list[Measurement]] = {"workbench": [], "bare": []}
    for run in range(1, runs + 1):
        for app, measured in results.items():
            measured.append(measure(app, model))
            yield f"{run:<4} {app:<10} {measured[-1].page_up_s:>9.2f} {measured[-1].idle_mb:>8.1f}"
    page_up = {app: statistics.median(m.page_up_s for m in ms) for app, ms in results.items()}
    idle = {app: statistics.median(m.idle_mb for m in ms) for app, ms in results.items()}
    yield f"{'median':<10} {'workbench':>10} {'bare':>8} {'ratio':>6}  target"
    yield summary_row(
        "page-up s",
        page_up["workbench"],
        page_up["bare"],
        PAGE_UP_RATIO_TARGET * page_up["bare"],
        f"≤ {PAGE_UP_RATIO_TARGET} × bare",
    )
    yield summary_row(
        "idle MB",
        idle["workbench"],
        idle["bare"],
        IDLE_RSS_TARGET_MB,
        f"≤ {IDLE_RSS_TARGET_MB:.0f} MB",
    )


# ------------------------------------------------ the first answer, with and without --preload


def first_answer(model: str, preload: bool, wait_until_ready: bool) -> tuple[float, float]:
    """Return seconds from launch to the page, and until the first answer is done.

    The question (a receipt example, 16 new tokens: the load is what differs) is asked as soon
    as the page is up, or, with `wait_until_ready`, once the status line says the model is
    ready — a client arriving after the app was warmed; then the second figure is the answer's
    own time.
    """
    from gradio_client import Client, handle_file

    from workbench.examples import ensure_examples

    image = ensure_examples()["receipts"][0].image_path
    port = free_port()
    command = app_command("workbench", port, model) + (["--preload"] if preload else [])
    with serving(command, port) as (_, page_up):
        up_at = time.perf_counter()
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        while wait_until_ready and not _ready(client.predict("en", api_name="/status")):
            time.sleep(POLL_SECONDS * 10)
        asked = time.perf_counter()
        picture = {"image": handle_file(str(image)), "boxes": []}
        client.predict(
            image=picture, question="What is the total?", preset=None, max_new_tokens=16,
            api_name="/receipts_ask",
        )  # fmt: skip
        done = time.perf_counter()
        return page_up, done - asked if wait_until_ready else page_up + done - up_at


def _ready(status: str) -> bool:
    """Return whether the status line says the model is ready."""
    return " ready on " in status


def bench_first_answer(model: str = "tiny") -> Iterator[str]:
    """Yield the time from launch to the first answer, lazy against --preload."""
    yield f"launch.py --model {model}: the first answer, lazy (the default) and with --preload"
    columns = ("page-up s", "asked at page-up: done at s", "asked when ready s")
    yield f"{'':<10} {columns[0]:>9} {columns[1]:>28} {columns[2]:>19}"
    for preload in (False, True):
        page_up, at_once = first_answer(model, preload, wait_until_ready=False)
        # Lazy, a question asked later still waits for the load: as long as at page-up.
        later = first_answer(model, preload, True)[1] if preload else at_once - page_up
        name = "--preload" if preload else "lazy"
        yield f"{name:<10} {page_up:>9.2f} {at_once:>28.2f} {later:>19.2f}"
