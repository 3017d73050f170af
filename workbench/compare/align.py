"""Aligning two screenshots: to one scale, then row by row, so that a block that moved as a
whole (a row removed, everything below moved up) is matched where it went.

Each pixel row is summarised by its colour averaged over `ROW_BLOCKS` blocks across; two rows
match when their summaries are close. A Viterbi pass over the rows of `before` picks, for each,
an offset into `after` (staying on one offset is free, switching costs `SWITCH_ROWS` rows'
worth) or "unmatched" (a row removed or changed in place). The path becomes runs of rows with
one offset, and the gaps between them, as a diff of lines would.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_PIXELS = 650_000  # both images are compared at about this size: a 1080 × 2400 phone halved
ROW_BLOCKS = 48
ROW_STEP = 2  # rows are aligned in pairs: a 1-pixel error is within the diff's tolerance
UNMATCHED = 64.0  # a row's cost unmatched: a mean squared difference of 8 levels per block
ENTER_ROWS = 2.0  # leaving or joining a matched run costs this many unmatched rows
SWITCH_ROWS = 40.0  # jumping to another offset costs this many unmatched rows
MAX_SHIFT = 0.6  # the largest offset tried, as a share of the taller image
PLAIN_STD = 2.0  # a row whose blocks vary less than this is one colour across
MIN_VOTES = 6  # rows with content that must match at an offset for it to be tried
MAX_OFFSETS = 48
MIN_SHIFTED_ROWS = 32  # rows a block must span to count as moved as a whole


@dataclass(frozen=True)
class Segment:
    """Rows [a0, a1) of before and [b0, b1) of after: matched at one offset, or a gap."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: bool

    @property
    def offset(self) -> int:
        """Return after's row minus before's row (meaningful for a matched run)."""
        return self.b0 - self.a0


def work_width(size: tuple[int, int]) -> int:
    """Return the width to compare an image of this size at: WORK_PIXELS at most, never larger."""
    width, height = size
    return max(1, round(width * min(1.0, (WORK_PIXELS / (width * height)) ** 0.5)))


def to_work(image: np.ndarray, width: int) -> np.ndarray:
    """Return the RGB array resized to `width` pixels across (area-averaged when shrinking)."""
    height, old = image.shape[:2]
    if old == width:
        return image
    size = (width, max(1, round(height * width / old)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def align_rows(before: np.ndarray, after: np.ndarray) -> list[Segment]:
    """Return before's and after's rows as matched runs and gaps, top to bottom (same width)."""
    a, b = _profiles(before), _profiles(after)
    costs = _row_costs(a, b)
    plain = a.std(axis=1) < PLAIN_STD
    offsets = _candidate_offsets(costs, plain, b.std(axis=1) < PLAIN_STD)
    path = _monotonic(_viterbi(costs, offsets), len(b))
    path = _without_weak_runs(path, plain)
    halves = _segments(path, len(a), len(b))
    return [_full_rows(half, before.shape[0], after.shape[0]) for half in halves]


def _profiles(image: np.ndarray) -> np.ndarray:
    """Return each pair of rows summarised: its colour averaged over ROW_BLOCKS blocks."""
    height = max(1, image.shape[0] // ROW_STEP)
    blocks = cv2.resize(image, (ROW_BLOCKS, height), interpolation=cv2.INTER_AREA)
    return blocks.reshape(height, -1).astype(np.float32)


def _full_rows(half: Segment, rows: int, others: int) -> Segment:
    """Return a segment of row pairs in rows; the last one reaches the image's last row."""

    def edge(value: int, count: int, limit: int) -> int:
        return limit if value >= count else min(value * ROW_STEP, limit)

    a_count, b_count = -(-rows // ROW_STEP), -(-others // ROW_STEP)
    return Segment(
        edge(half.a0, a_count, rows),
        edge(half.a1, rows // ROW_STEP, rows),
        edge(half.b0, b_count, others),
        edge(half.b1, others // ROW_STEP, others),
        half.matched,
    )


def _row_costs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the mean squared difference of every before row with every after row."""
    squares = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(squares, 0) / a.shape[1]


def _candidate_offsets(costs: np.ndarray, plain: np.ndarray, plain_after: np.ndarray) -> np.ndarray:
    """Return the offsets worth trying: 0, and those at which enough rows with content match.

    Plain rows (one colour across) match every other plain row, so they vote for nothing.
    """
    rows, others = costs.shape
    reach = round(MAX_SHIFT * max(rows, others))
    close = costs[~plain][:, ~plain_after] < UNMATCHED / 2
    row_index = np.flatnonzero(~plain)[:, None]
    shifts = (np.flatnonzero(~plain_after)[None, :] - row_index)[close]
    shifts = shifts[np.abs(shifts) <= reach]
    counts = np.bincount(shifts + reach, minlength=2 * reach + 1)
    voted = np.flatnonzero(counts >= MIN_VOTES) - reach
    best = voted[np.argsort(-counts[voted + reach], kind="stable")][:MAX_OFFSETS]
    return np.union1d(best, [0])


def _without_weak_runs(path: list[int | None], plain: np.ndarray) -> list[int | None]:
    """Return the path with shifted runs that prove nothing unmatched: runs of plain rows (they
    match anywhere), and runs shorter than MIN_SHIFTED_ROWS (a form's second field looks like
    its first). Their rows are then compared in place."""
    kept = list(path)
    start = 0
    for row in range(1, len(path) + 1):
        if row < len(path) and path[row] == path[start]:
            continue
        short = (row - start) * ROW_STEP < MIN_SHIFTED_ROWS
        if path[start] not in (None, 0) and (short or plain[start:row].all()):
            kept[start:row] = [None] * (row - start)
        start = row
    return kept


def _viterbi(costs: np.ndarray, offsets: np.ndarray) -> list[int | None]:
    """Return, for each before row, its offset into after, or None where it matches nowhere."""
    rows, others = costs.shape
    targets = np.arange(rows)[:, None] + offsets[None, :]
    valid = (targets >= 0) & (targets < others)
    table = np.take_along_axis(costs, np.clip(targets, 0, others - 1), axis=1)
    # A row that differs counts once, not by how much: a changed row is not worth a shift.
    table = np.where(valid, np.minimum(table, 4 * UNMATCHED), np.inf)
    enter, switch = ENTER_ROWS * UNMATCHED, SWITCH_ROWS * UNMATCHED
    matched = np.where(offsets == 0, 0.0, np.inf)
    unmatched = enter
    came = np.zeros((rows, len(offsets)), np.int8)  # 0 stayed, 1 switched, 2 from unmatched
    best_before = np.zeros(rows, np.int64)
    from_matched = np.zeros(rows, bool)  # the unmatched state came from a matched one
    columns = np.arange(len(offsets))
    for row in range(rows):
        best = int(np.argmin(matched))
        options = np.empty((3, len(offsets)))
        options[0], options[1], options[2] = matched, matched[best] + switch, unmatched + enter
        choice = np.argmin(options, axis=0)
        left = matched[best] + enter
        from_matched[row] = left < unmatched
        unmatched = min(unmatched, left) + UNMATCHED
        matched = options[choice, columns] + table[row]
        came[row], best_before[row] = choice, best
    return _backtrack(offsets, matched, unmatched, came, best_before, from_matched)


def _backtrack(offsets, matched, unmatched, came, best_before, from_matched) -> list[int | None]:
    path: list[int | None] = [None] * len(came)
    state: int | None = None if unmatched < matched.min() else int(np.argmin(matched))
    for row in range(len(came) - 1, -1, -1):
        if state is None:
            path[row] = None
            state = best_before[row] if from_matched[row] else None
            continue
        path[row] = int(offsets[state])
        step = came[row][state]
        if step == 1:
            state = best_before[row]
        elif step == 2:
            state = None
    return path


def _monotonic(path: list[int | None], others: int) -> list[int | None]:
    """Return the path with any row that maps at or above an earlier row's match unmatched."""
    last = -1
    kept: list[int | None] = []
    for row, offset in enumerate(path):
        if offset is not None and last < row + offset < others:
            last = row + offset
            kept.append(offset)
        else:
            kept.append(None)
    return kept


def _segments(path: list[int | None], rows: int, others: int) -> list[Segment]:
    """Return the runs of one offset, with the gaps between them (either side may be empty)."""
    runs: list[tuple[int, int, int]] = []  # a0, a1, offset
    for row, offset in enumerate(path):
        if offset is None:
            continue
        if runs and runs[-1][1] == row and runs[-1][2] == offset:
            runs[-1] = (runs[-1][0], row + 1, offset)
        else:
            runs.append((row, row + 1, offset))
    segments: list[Segment] = []
    a, b = 0, 0
    for a0, a1, offset in runs:
        if a0 > a or a0 + offset > b:
            segments.append(Segment(a, a0, b, a0 + offset, False))
        segments.append(Segment(a0, a1, a0 + offset, a1 + offset, True))
        a, b = a1, a1 + offset
    if a < rows or b < others:
        segments.append(Segment(a, rows, b, others, False))
    return segments
