"""Many users at once through the app's API: `python -m workbench bench load`, and its test.

Each user is a `gradio_client.Client` (its own browser session) asking a tab a few questions
in a row, one conversation each, all users at the same time.
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.api import ASK_OUTPUTS

OUTPUTS = tuple(name for name in ASK_OUTPUTS if name != "conversation")


@dataclass(frozen=True)
class Asked:
    """One question of one user: what was asked, how long it took, what came back by name."""

    user: int
    turn: int
    question: str
    seconds: float
    outputs: dict[str, Any] | None  # None when the call failed
    error: str = ""

    @property
    def failed(self) -> bool:
        """Return whether the call failed or the tab said the question failed."""
        return self.outputs is None or self.outputs["run_status"].startswith(("🔴", "⚠️"))


def question_for(user: int, turn: int) -> str:
    """Return a question no other user or turn asks."""
    return f"User {user}, question {turn + 1}: what does this picture show?"


def run_users(
    app_url: str,
    image: Path,
    users: int,
    questions: int,
    tab: str = "receipts",
    **controls: Any,
) -> list[Asked]:
    """Let `users` users ask `questions` questions each, at once; return every question."""
    from gradio_client import Client, handle_file

    asked: list[Asked] = []
    lock = threading.Lock()
    start = threading.Barrier(users)

    def user(number: int) -> None:
        client = Client(app_url, verbose=False)
        picture = {"image": handle_file(str(image)), "boxes": []}
        start.wait()
        for turn in range(questions):
            text = question_for(number, turn)
            began = time.perf_counter()
            try:
                values = client.predict(
                    image=picture, question=text, **controls, api_name=f"/{tab}_ask"
                )
                outputs, error = dict(zip(OUTPUTS, values, strict=True)), ""
            except Exception as failure:  # counted and reported, never lost in the thread
                outputs, error = None, f"{type(failure).__name__}: {failure}"
            with lock:
                asked.append(Asked(number, turn, text, time.perf_counter() - began, outputs, error))

    threads = [threading.Thread(target=user, args=(number,)) for number in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(asked, key=lambda one: (one.user, one.turn))


def bench_load(base_url: str, users: int = 16, questions: int = 3) -> Iterator[str]:
    """Serve the app on the remote engine in a subprocess; print the load test's figures."""
    from workbench.bench.app import free_port, serving
    from workbench.examples import ensure_examples
    from workbench.settings import default_cache_dir

    image = ensure_examples(default_cache_dir() / "examples")["receipts"][0].image_path
    port = free_port()
    launch = [sys.executable, "launch.py", "--port", str(port)]
    with serving([*launch, "--engine", "openai", "--base-url", base_url], port):
        began = time.perf_counter()
        asked = run_users(
            f"http://127.0.0.1:{port}/", image, users, questions,
            preset=None, max_new_tokens=32, repair_turns=0, strict=False,
        )  # fmt: skip
        wall = time.perf_counter() - began
    failed = [one for one in asked if one.failed]
    seconds = sorted(one.seconds for one in asked)
    yield f"{users} users × {questions} questions through the app to {base_url}"
    yield f"wall time {wall:.1f} s; {len(asked) / wall:.2f} questions/s; failed {len(failed)}"
    yield (
        f"latency s: median {statistics.median(seconds):.2f}, "
        f"p95 {seconds[int(0.95 * (len(seconds) - 1))]:.2f}, max {seconds[-1]:.2f}"
    )
    for one in failed[:5]:
        yield f"  failed: user {one.user} turn {one.turn}: {one.error or one.outputs['run_status']}"
