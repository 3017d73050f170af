"""Many users through the app's API: `python -m workbench bench load`, and its test.

Each user is a `gradio_client.Client` (its own browser session) asking a tab a few questions
in a row, one conversation each: all users at the same time, or (`--in-turn`, a day of demos)
one after another, each leaving before the next comes, while the app's memory is read.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.api import ASK_OUTPUTS
from workbench.engines.base import one_line

if TYPE_CHECKING:
    from workbench.examples import Example
    from workbench.settings import Settings

OUTPUTS = tuple(name for name in ASK_OUTPUTS if name != "conversation")
# A day of demos: the app's memory after this many answers, and its growth after the first 100
# (issue 19: 1,000 answers from 100 users in turn end within 50 MB of the first 100's).
CHECKPOINTS = (10, 100, 250, 500, 1000)
SETTLED_AFTER = 100
GROWTH_TARGET_MB = 50.0
# Short answers: the memory a user leaves behind does not depend on how long the noise runs.
IN_TURN_CONTROLS: dict[str, Any] = {"max_new_tokens": 32, "repair_turns": 0, "strict": False}


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
        try:
            client = Client(app_url, verbose=False)
        except Exception as failure:  # counted; and nobody waits at the start for this user
            start.abort()
            error = one_line(failure)
            with lock:
                asked.extend(
                    Asked(number, turn, question_for(number, turn), 0.0, None, error)
                    for turn in range(questions)
                )
            return
        picture = {"image": handle_file(str(image)), "boxes": []}
        with contextlib.suppress(threading.BrokenBarrierError):  # a user could not connect
            start.wait()  # ... then the others ask all the same
        for turn in range(questions):
            text = question_for(number, turn)
            began = time.perf_counter()
            try:
                values = client.predict(
                    image=picture, question=text, **controls, api_name=f"/{tab}_ask"
                )
                outputs, error = dict(zip(OUTPUTS, values, strict=True)), ""
            except Exception as failure:  # counted and reported, never lost in the thread
                outputs, error = None, one_line(failure)
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


@dataclass(frozen=True)
class Reading:
    """The app's resident memory (MB) after a number of answers, and the part mapping files."""

    answers: int
    rss_mb: float
    file_mb: float = 0.0

    @classmethod
    def of(cls, answers: int, pid: int) -> Reading:
        """Return the memory of the app's process tree now."""
        from workbench.bench.app import tree_rss_mb

        return cls(answers, tree_rss_mb(pid), tree_rss_mb(pid, "RssFile"))

    def line(self) -> str:
        """Return the reading as a row of the table."""
        return f"{self.answers:>8} {self.rss_mb:>8.1f} {self.file_mb:>9.1f}"


def ask_in_turn(
    app_url: str,
    examples: dict[str, list[Example]],
    users: int,
    questions: int,
    **controls: Any,
) -> Iterator[tuple[Asked, bool]]:
    """Let `users` users come one after another, each a new browser session on one tab (in
    turn) asking its examples with their presets, `questions` questions, then leaving; yield
    each answer as it comes, and whether its user has left.
    """
    from gradio_client import Client, handle_file

    tabs = [tab for tab, shown in examples.items() if shown]
    for number in range(users):
        tab = tabs[number % len(tabs)]
        client = Client(app_url, verbose=False)
        for turn in range(questions):
            example = examples[tab][(number // len(tabs) + turn) % len(examples[tab])]
            picture = {"image": handle_file(str(example.image_path)), "boxes": []}
            began = time.perf_counter()
            try:
                values = client.predict(
                    image=picture,
                    question=example.question,
                    preset=example.preset,
                    **controls,
                    api_name=f"/{tab}_ask",
                )
                outputs, error = dict(zip(OUTPUTS, values, strict=True)), ""
            except Exception as failure:  # counted and reported, the day goes on
                outputs, error = None, one_line(failure)
            seconds = time.perf_counter() - began
            asked = Asked(number, turn, example.question, seconds, outputs, error)
            last = turn == questions - 1
            if last:
                client.close()  # the tab is closed: the server sees the session end
            yield asked, last


def growth_per_100(readings: list[Reading], after: int = SETTLED_AFTER) -> float | None:
    """Return the least-squares slope of memory over answers past `after`, in MB per 100."""
    late = [one for one in readings if one.answers >= after]
    if len(late) < 2 or late[0].answers == late[-1].answers:
        return None
    slope = statistics.linear_regression(
        [one.answers for one in late], [one.rss_mb for one in late]
    ).slope
    return 100 * slope


def bench_in_turn(
    settings: Settings, users: int = 100, questions: int = 10, model: str = "tiny"
) -> Iterator[str]:
    """Serve the app on `model` in a subprocess, let users come in turn; print its memory."""
    from workbench.bench.app import free_port, serving
    from workbench.examples import ensure_examples

    examples = ensure_examples(settings.cache_dir / "examples")
    port = free_port()
    command = [sys.executable, "launch.py", "--port", str(port), "--model", model]
    command += ["--engine", settings.engine]
    if settings.base_url:
        command += ["--base-url", settings.base_url]
    yield (
        f"{users} users in turn × {questions} questions, each a new session asking one tab's "
        f"examples; launch.py --model {model} --engine {settings.engine}"
    )
    yield f"{'answers':>8} {'RSS MB':>8} {'files MB':>9}"
    asked: list[Asked] = []
    with serving(command, port) as (process, _):
        readings = [Reading.of(0, process.pid)]
        yield f"{readings[0].line()}  idle, before the first question"
        began = time.perf_counter()
        users_in_turn = ask_in_turn(
            f"http://127.0.0.1:{port}/", examples, users, questions, **IN_TURN_CONTROLS
        )
        for one, left in users_in_turn:
            asked.append(one)
            if left or len(asked) in CHECKPOINTS:  # a reading per user, for the slope
                readings.append(Reading.of(len(asked), process.pid))
            if len(asked) in CHECKPOINTS:
                yield readings[-1].line()
        wall = time.perf_counter() - began
    yield from _in_turn_summary(readings, asked, wall)


def _in_turn_summary(readings: list[Reading], asked: list[Asked], wall: float) -> Iterator[str]:
    failed = [one for one in asked if one.failed]
    yield f"{len(asked)} answers in {wall:.0f} s; failed {len(failed)}"
    settled = next((one for one in readings if one.answers >= SETTLED_AFTER), None)
    slope = growth_per_100(readings)
    if settled is not None and slope is not None:
        end = readings[-1]
        grown = end.rss_mb - settled.rss_mb
        mark = "✓" if grown <= GROWTH_TARGET_MB else "✗"
        yield (
            f"after the first {settled.answers}: {slope:+.1f} MB per 100 answers (least squares, "
            f"a reading per user); {end.answers} answers end {grown:+.1f} MB from "
            f"{settled.answers} (target ≤ {GROWTH_TARGET_MB:.0f} MB {mark}), of which "
            f"{end.file_mb - settled.file_mb:+.1f} MB mapping files (code first run, droppable)"
        )
    for one in failed[:5]:
        reason = one.error or one.outputs["run_status"]
        yield f"  failed: user {one.user} question {one.turn + 1}: {reason}"
