"""Charts as inline SVG: readable in any browser with no network and no JavaScript.

`bar_chart` draws grouped bars of percentages (a group per category, a bar per series, each
value printed above its bar); `calibration_chart` draws a reliability diagram (accuracy per
confidence band, a bar per series, the count under each bar, the diagonal where accuracy equals
confidence). Every text is escaped; a bar's <title> is its tooltip. Each bar is a
`<rect class="bar" data-value="…">`, so a test can measure what was drawn.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#b279a2")
_FONT = "font-family:system-ui,'Noto Sans CJK SC',sans-serif"
_BAR, _GAP, _GROUP_GAP = 30, 4, 26  # a bar's width, between bars of a group, between groups
_LEFT, _RIGHT, _TOP = 64, 24, 46  # margins around the plot: room for the y axis and the legend
_HEIGHT = 220  # the plot's height in pixels, 0 % to 100 %
_LINE = 14  # a line of a label
Values = Sequence[Sequence[float | None]]


def bar_chart(
    groups: Sequence[str],
    series: Sequence[str],
    values: Values,
    *,
    title: str,
    y_label: str,
    notes: Sequence[Sequence[str]] | None = None,
) -> str:
    """Return an SVG of percentages as grouped bars: `values[s][g]` is series s in group g
    (None: no bar); a group's name may hold line breaks; `notes[s][g]` is printed under the value
    (e.g. "2/3")."""
    lines = max((len(group.split("\n")) for group in groups), default=1)
    group_width = len(series) * (_BAR + _GAP) - _GAP
    # A group's slot is wide enough for its bars and for the longest line of any group's name.
    names = [_width(line) for group in groups for line in group.split("\n")]
    slot = max(group_width + _GROUP_GAP, max(names, default=0) + 12)
    plot_width = max(len(groups) * slot, _least(title, series))
    start = _LEFT + (plot_width - len(groups) * slot) / 2  # the groups centred in the plot
    width, bottom = _LEFT + plot_width + _RIGHT, _TOP + _HEIGHT
    parts = [*_frame(title, series, plot_width, y_label), _x_axis(plot_width)]
    for g, group in enumerate(groups):
        left = start + g * slot + (slot - group_width) / 2
        for s, name in enumerate(series):
            note = notes[s][g] if notes else ""
            x = left + s * (_BAR + _GAP)
            parts.append(_bar(x, _BAR, values[s][g], COLOURS[s % len(COLOURS)], f"{name}: {group}"))
            parts.append(_value(x + _BAR / 2, values[s][g], note))
        parts.append(_lines(left + group_width / 2, bottom + 16, group.split("\n"), size=12))
    return _svg(width, bottom + 16 + lines * _LINE + 8, title, parts)


def calibration_chart(
    bands: Sequence[tuple[float, float]],
    series: Sequence[str],
    values: Values,
    counts: Sequence[Sequence[int]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    diagonal: str,
) -> str:
    """Return an SVG reliability diagram: over each confidence band, a bar per series at its
    accuracy (percent, None: no values), the count under it, and the diagonal named `diagonal`."""
    plot_width = max(400, _least(title, [diagonal, *series]))
    width, bottom = _LEFT + plot_width + _RIGHT, _TOP + _HEIGHT
    parts = [*_frame(title, series, plot_width, y_label, diagonal), _x_axis(plot_width)]
    scale = plot_width / (bands[-1][1] - bands[0][0]) if bands else 0.0
    parts.append(
        f'<line class="diagonal" x1="{_LEFT}" y1="{bottom}" x2="{_LEFT + plot_width}" y2="{_TOP}" '
        'stroke="#888" stroke-width="1.5" stroke-dasharray="5 4"/>'
    )
    for b, (low, high) in enumerate(bands):
        span = (high - low) * scale
        bar = (span - 8 - _GAP * (len(series) - 1)) / max(len(series), 1)
        for s, name in enumerate(series):
            x = _LEFT + (low - bands[0][0]) * scale + 4 + s * (bar + _GAP)
            shown = f"{name + ': ' if name else ''}{low:.1f}–{high:.1f}"
            parts.append(_bar(x, bar, values[s][b], COLOURS[s % len(COLOURS)], shown, 0.8))
            parts.append(_value(x + bar / 2, values[s][b], ""))
            parts.append(_text(x + bar / 2, bottom + 30, f"n={counts[s][b]}", size=10))
        parts.append(_text(_LEFT + (low - bands[0][0]) * scale, bottom + 15, f"{low:.1f}", size=11))
    if bands:
        parts.append(_text(_LEFT + plot_width, bottom + 15, f"{bands[-1][1]:.1f}", size=11))
    label_y = bottom + 50
    parts.append(_text(_LEFT + plot_width / 2, label_y, x_label, size=12))
    return _svg(width, label_y + 10, title, parts)


# ---------------------------------------------------------------- parts


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _svg(width: float, height: float, title: str, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_esc(title)}" '
        f'style="{_FONT};max-width:100%;height:auto">'
        f"<title>{_esc(title)}</title>{''.join(parts)}</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "middle", size: int = 12, **style: str
) -> str:
    extra = "".join(f' {name}="{_esc(value)}"' for name, value in style.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}"{extra}>'
        f"{_esc(text)}</text>"
    )


def _lines(x: float, y: float, lines: Sequence[str], *, size: int) -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else _LINE}">{_esc(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{size}">{spans}</text>'


def _frame(
    title: str, series: Sequence[str], plot_width: float, y_label: str, diagonal: str = ""
) -> list[str]:
    """Return the title, the legend under it, and the y axis from 0 to 100 % with its grid."""
    parts = [_text(_LEFT, 20, title, anchor="start", size=15, **{"font-weight": "600"})]
    x = _LEFT
    if diagonal:
        parts.append(
            f'<line x1="{x}" y1="34" x2="{x + 18}" y2="34" stroke="#888" stroke-width="1.5" '
            'stroke-dasharray="5 4"/>'
        )
        parts.append(_text(x + 24, 38, diagonal, anchor="start", size=12, fill="#555"))
        x += 24 + _width(diagonal) + 18
    for s, name in enumerate(series):
        if not name:
            continue
        parts.append(
            f'<rect x="{x}" y="28" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}"/>'
        )
        parts.append(_text(x + 17, 38, name, anchor="start", size=12))
        x += 17 + _width(name) + 18
    for tick in range(0, 101, 20):
        y = _TOP + _HEIGHT * (1 - tick / 100)
        parts.append(
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_width}" y2="{y:.1f}" '
            'stroke="#e5e5e5"/>'
        )
        parts.append(_text(_LEFT - 6, y + 4, f"{tick}%", anchor="end", size=11, fill="#555"))
    middle = _TOP + _HEIGHT / 2
    parts.append(
        f'<text x="16" y="{middle:.1f}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 16 {middle:.1f})">{_esc(y_label)}</text>'
    )
    return parts


def _least(title: str, legend: Sequence[str]) -> float:
    """Return the plot width that leaves room for the title and the legend on their lines."""
    return max(160.0, _width(title, 15), sum(_width(name) + 35 for name in legend if name))


def _width(text: str, size: int = 12) -> float:
    """Return about how wide `text` is drawn: CJK characters a full em, others about 0.6."""
    return sum(size if ord(char) >= 0x2E80 else 0.6 * size for char in text)


def _x_axis(plot_width: float) -> str:
    y = _TOP + _HEIGHT
    return f'<line x1="{_LEFT}" y1="{y}" x2="{_LEFT + plot_width}" y2="{y}" stroke="#333"/>'


def _bar(
    x: float, width: float, value: float | None, colour: str, name: str, opacity: float = 1.0
) -> str:
    if value is None:
        return ""
    height = _HEIGHT * value / 100
    return (
        f'<rect class="bar" data-value="{value:g}" x="{x:.1f}" y="{_TOP + _HEIGHT - height:.2f}" '
        f'width="{width:.1f}" height="{height:.2f}" fill="{colour}" fill-opacity="{opacity}">'
        f"<title>{_esc(name)}: {value:g}%</title></rect>"
    )


def _value(x: float, value: float | None, note: str) -> str:
    """Return the value printed above its bar ("–" where there is none), the note under it."""
    if value is None:
        return _text(x, _TOP + _HEIGHT - 6, "–", size=11, fill="#555")
    top = _TOP + _HEIGHT * (1 - value / 100)
    # A bar too tall for its label above gets it inside, in white.
    inside = top < _TOP + 30
    y, fill = (top + 14, "#fff") if inside else (top - (16 if note else 4), "#222")
    shown = _text(x, y, f"{value:g}%", size=11, fill=fill)
    if note:
        shown += _text(x, y + 12, note, size=9, fill=fill if inside else "#555")
    return shown
