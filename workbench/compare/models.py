"""What a comparison of two screenshots finds: changes, truncations, contrast lines, the result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.messages import word

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in that image's own pixels
KINDS = ("text", "added", "removed", "moved", "style")


def _listed(box: Box | None) -> list[int] | None:
    return None if box is None else [int(value) for value in box]


@dataclass(frozen=True)
class Change:
    """One difference between the screenshots, boxed on each image where it exists."""

    number: int  # 1-based: top to bottom of `after`, then the removed ones
    kind: str  # one of KINDS
    before_box: Box | None  # None for "added"
    after_box: Box | None  # None for "removed"
    before_text: str = ""
    after_text: str = ""
    detail: str = ""  # English, short: "moved 96 px up", "colour #1a73e8 → #d93025"

    def as_dict(self) -> dict[str, Any]:
        """Return the change as plain JSON data, boxes as lists (None where absent)."""
        return {
            "number": self.number,
            "kind": self.kind,
            "before_box": _listed(self.before_box),
            "after_box": _listed(self.after_box),
            "before_text": self.before_text,
            "after_text": self.after_text,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Truncation:
    """Text cut short on one image: ending in an ellipsis, or running into its container's edge."""

    side: str  # "before" | "after" | "image" (a single screenshot)
    box: Box
    text: str
    reason: str  # "ellipsis" | "edge"

    def as_dict(self) -> dict[str, Any]:
        """Return the truncation as plain JSON data."""
        return {
            "side": self.side,
            "box": _listed(self.box),
            "text": self.text,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ContrastLine:
    """A text line's WCAG 2.x contrast ratio, its estimated colours and its verdicts."""

    text: str
    box: Box
    ratio: float  # 1 to 21
    foreground: str  # "#rrggbb"
    background: str
    large: bool  # large text per WCAG (estimated from the line's height)
    aa: bool  # passes AA: 4.5:1, or 3:1 for large text
    aaa: bool  # passes AAA: 7:1, or 4.5:1 for large text

    def as_dict(self) -> dict[str, Any]:
        """Return the line as plain JSON data."""
        return {
            "text": self.text,
            "box": _listed(self.box),
            "ratio": self.ratio,
            "foreground": self.foreground,
            "background": self.background,
            "large": self.large,
            "aa": self.aa,
            "aaa": self.aaa,
        }


@dataclass(frozen=True)
class Comparison:
    """Two screenshots compared: what changed, what is cut off, how readable each one is."""

    before_size: tuple[int, int]
    after_size: tuple[int, int]
    scale: float  # after pixels per before pixel, used to align
    changes: tuple[Change, ...] = ()
    truncations: tuple[Truncation, ...] = ()
    contrast_before: tuple[ContrastLine, ...] = ()
    contrast_after: tuple[ContrastLine, ...] = ()
    problem: str = ""  # "" when compared; else a wording key, e.g. "compare.unrelated"
    seconds: float = 0.0

    @property
    def contrast_failures(self) -> int:
        """Return how many text lines fail AA, on both images together."""
        return sum(not line.aa for line in (*self.contrast_before, *self.contrast_after))

    def problem_text(self, language: str = "en") -> str:
        """Return what could not be compared, worded; "" when the pair was compared."""
        return word(self.problem, language) if self.problem else ""

    def as_dict(self) -> dict[str, Any]:
        """Return the comparison as plain JSON data."""
        return {
            "before_size": list(self.before_size),
            "after_size": list(self.after_size),
            "scale": self.scale,
            "changes": [change.as_dict() for change in self.changes],
            "truncations": [truncation.as_dict() for truncation in self.truncations],
            "contrast_before": [line.as_dict() for line in self.contrast_before],
            "contrast_after": [line.as_dict() for line in self.contrast_after],
            "problem": self.problem,
            "problem_text": self.problem_text("en"),
            "seconds": self.seconds,
        }


class CompareError(ValueError):
    """Two screenshots that cannot be compared; the message says why and what to do."""

    def __init__(self, key: str, **facts: object) -> None:
        self.key, self.facts = key, facts
        super().__init__(self.text("en"))

    def text(self, language: str = "en") -> str:
        """Return the message in `language` ("en" or "zh"), worded as `compare.<key>`."""
        return word(f"compare.{self.key}", language, **self.facts)


@dataclass(frozen=True)
class PairResult:
    """One pair of a folder regression: its counts, or why it could not be compared."""

    name: str  # the file name both folders share
    changes: int = 0
    contrast_failures: int = 0
    truncations: int = 0
    defects: int | None = None  # changes the model called defects; None: not asked, or
    not_judged: str = ""  # why the model gave no verdicts (asked, but the turn failed)
    problem: str = ""  # a wording key, or "" when compared
    message: str = ""  # the problem (or the load error) in English
    report: str = ""  # the pair's zip, relative to the run's folder; "" when none

    def as_dict(self) -> dict[str, Any]:
        """Return the pair's row as plain JSON data."""
        return {
            "name": self.name,
            "changes": self.changes,
            "contrast_failures": self.contrast_failures,
            "truncations": self.truncations,
            "defects": self.defects,
            "not_judged": self.not_judged,
            "problem": self.problem,
            "message": self.message,
            "report": self.report,
        }


@dataclass(frozen=True)
class FolderReport:
    """A regression run over two folders: a row per pair, the names found on one side only."""

    pairs: tuple[PairResult, ...]
    missing_before: tuple[str, ...]  # in the after folder only
    missing_after: tuple[str, ...]  # in the before folder only
    out_dir: Path
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the run as plain JSON data."""
        return {
            "pairs": [pair.as_dict() for pair in self.pairs],
            "missing_before": list(self.missing_before),
            "missing_after": list(self.missing_after),
            "out_dir": str(self.out_dir),
            "seconds": self.seconds,
        }
