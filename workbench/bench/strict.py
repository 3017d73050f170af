"""Benchmarks that print numbers: `python -m workbench bench strict|examples`.

`strict` asks every structured preset, with and without schema-constrained decoding, and
reports the share of valid answers and the decoding time per token, so xgrammar's cost shows.
`examples` times drawing the generated examples, and checking them once they are cached.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from workbench.pipeline import ask, preset_question
from workbench.prompts.presets import load_all
from workbench.session import ModelSession


@dataclass
class _Tally:
    runs: int = 0
    valid: int = 0
    tokens: int = 0
    decode_ms: list[float] = field(default_factory=list)

    def add(self, valid: bool, tokens: int, ms_per_token: float | None) -> None:
        self.runs += 1
        self.valid += valid
        self.tokens += tokens
        if ms_per_token is not None:
            self.decode_ms.append(ms_per_token)

    def row(self) -> str:
        ms = statistics.median(self.decode_ms) if self.decode_ms else float("nan")
        share = self.valid / self.runs if self.runs else 0.0
        return f"{self.valid:>3}/{self.runs:<3} {share:>6.0%}  {self.tokens:>7}  {ms:>8.2f}"


def bench_strict(session: ModelSession, runs: int, max_new_tokens: int | None) -> Iterator[str]:
    """Yield a table row by row: valid answers and ms per token, strict off vs on, per preset."""
    import torch

    image = Image.new("RGB", (448, 448), "white")
    yield f"model {session.settings.model}; {runs} run(s) per preset and mode"
    yield f"{'preset':<44} {'mode':<6} {'valid':>11}  {'tokens':>7}  {'ms/token':>8}"
    totals = {False: _Tally(), True: _Tally()}
    for tab, presets in load_all().items():
        for preset in getattr(presets, "presets", ()):
            if not preset.structured:
                continue
            for strict in (False, True):
                tally = _Tally()
                for seed in range(runs):
                    torch.manual_seed(seed)
                    question = preset_question(
                        preset, image, strict=strict, max_new_tokens=max_new_tokens
                    )
                    *_, finished = ask(session, question)
                    answer = finished.answer
                    stats = answer.stats[0]
                    rate = stats.tokens_per_second
                    ms = 1000 / rate if rate else None
                    for target in (tally, totals[strict]):
                        target.add(answer.valid, stats.generated_tokens, ms)
                name = f"{tab}: {preset.name}"[:44]
                yield f"{name:<44} {'strict' if strict else 'free':<6} {tally.row()}"
    yield f"{'all structured presets':<44} {'free':<6} {totals[False].row()}"
    yield f"{'all structured presets':<44} {'strict':<6} {totals[True].row()}"


def bench_examples() -> Iterator[str]:
    """Yield how long drawing every example takes, and checking them once drawn."""
    import tempfile
    import time

    from workbench.examples import ensure_examples

    with tempfile.TemporaryDirectory() as folder:
        for what in ("drawn from scratch", "checked in the cache"):
            started = time.perf_counter()
            drawn = ensure_examples(Path(folder))
            count = sum(len(examples) for examples in drawn.values())
            yield f"{count} examples {what}: {time.perf_counter() - started:.3f} s"
