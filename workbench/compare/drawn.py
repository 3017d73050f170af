"""Drawn pairs of phone screens, one known change each: what the tests and the bench compare.

A screen is laid out in density-independent points (360 × 800, as an Android phone's layout)
and drawn at `dpr` pixels per point: 1.5 gives 540 × 1200, 3 a 1080 × 2400 capture. Each pair
records where its change was drawn, on both images, as the truth a comparison must find.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from workbench.compare.models import Change

Box = tuple[int, int, int, int]
Colour = tuple[int, int, int]
POINTS = (360, 800)  # the screen's layout size, in points
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BLUE, RED, WHITE = (26, 115, 232), (217, 48, 37), (255, 255, 255)
INK, GREY, HINT, FAINT = (32, 33, 36), (95, 99, 104), (89, 89, 89), (200, 200, 200)
_ROW_TOP, _ROW_HEIGHT = 208, 64


@dataclass(frozen=True)
class Screen:
    """What one screen shows; each drawn pair changes one thing."""

    title: str = "Orders"
    balance: str = "$1,284.50"
    hint_colour: Colour = HINT
    rows: tuple[tuple[str, str, str, Colour], ...] = (  # name, detail, amount, avatar
        ("Coffee beans", "2 items · Today", "$12.40", (52, 168, 83)),
        ("Oat milk", "1 item · Today", "$3.10", (251, 188, 4)),
        ("Monthly subscription", "Renews on 1 May", "$9.99", (161, 66, 244)),
        ("Bakery", "3 items · Yesterday", "$6.75", (234, 67, 53)),
        ("Fruit box", "1 item · Monday", "$18.00", (0, 172, 193)),
    )
    pay_colour: Colour = BLUE
    details_top: int = 548  # points; the buttons' row
    name_width: int = 0  # points a row's name may take before it is cut with "…"; 0: no limit


@dataclass(frozen=True)
class TruthChange:
    """A change as drawn: its kind and its box on each image (None where it is absent)."""

    kind: str
    before_box: Box | None
    after_box: Box | None


@dataclass(frozen=True)
class DrawnPair:
    """Two screenshots and the changes drawn between them (none for an unchanged pair)."""

    name: str
    before: Image.Image
    after: Image.Image
    changes: tuple[TruthChange, ...] = ()
    truncated_after: bool = False  # the after image shows text cut with "…"
    faint_after: bool = False  # the after image shows text under 3:1

    def found(self, changes: Sequence[Change]) -> list[Change | None]:
        """Return, per drawn change, the change reported boxed over it on both images (or None);
        a side where the drawn change has no box (added, removed) must have none either."""
        return [
            next(
                (
                    change
                    for change in changes
                    if boxes_overlap(change.before_box, truth.before_box)
                    and boxes_overlap(change.after_box, truth.after_box)
                ),
                None,
            )
            for truth in self.changes
        ]


def boxes_overlap(first: Box | None, second: Box | None) -> bool:
    """Return whether two boxes share pixels; two absent boxes count as the same (none)."""
    if first is None or second is None:
        return first is second
    return (
        first[0] < second[2]
        and second[0] < first[2]
        and first[1] < second[3]
        and second[1] < first[3]
    )


def font(size: float, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return DejaVu Sans (bold) at a pixel size, or Pillow's own font where DejaVu is missing."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), round(size))
    return ImageFont.load_default(size=round(size))


def draw_screen(screen: Screen, dpr: float = 1.5) -> tuple[Image.Image, dict[str, Box]]:
    """Return the screen drawn at `dpr` pixels per point, and the pixel box of each named part."""
    size = (round(POINTS[0] * dpr), round(POINTS[1] * dpr))
    image = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(image)
    parts: dict[str, Box] = {}

    def px(*values: float) -> tuple[int, ...]:
        return tuple(round(value * dpr) for value in values)

    def text(name: str, xy: tuple[float, float], words: str, size_pt: float, fill, **how) -> None:
        face = font(size_pt * dpr, how.pop("bold", False))
        draw.text(px(*xy), words, font=face, fill=fill, **how)
        parts[name] = tuple(draw.textbbox(px(*xy), words, font=face, **how))

    draw.rectangle(px(0, 0, 360, 24), fill=(13, 71, 161))
    text("clock", (16, 12), "9:41", 12, WHITE, anchor="lm")
    draw.rectangle(px(0, 24, 360, 80), fill=(21, 101, 192))
    text("title", (16, 52), screen.title, 20, WHITE, anchor="lm", bold=True)
    draw.rounded_rectangle(px(12, 92, 348, 172), radius=round(12 * dpr), fill=(232, 240, 254))
    text("balance label", (28, 104), "Balance", 13, GREY)
    text("balance", (28, 126), screen.balance, 26, INK, bold=True)
    text("hint", (16, 182), "Prices include VAT and delivery", 12, screen.hint_colour)
    for index, (name, sub, amount, avatar) in enumerate(screen.rows):
        top = _ROW_TOP + index * _ROW_HEIGHT
        draw.ellipse(px(16, top + 12, 56, top + 52), fill=avatar)
        shown = _cut(draw, name, font(15 * dpr, True), screen.name_width * dpr)
        text(f"row {index} name", (68, top + 12), shown, 15, INK, bold=True)
        text(f"row {index} sub", (68, top + 36), sub, 12, GREY)
        text(f"row {index} amount", (344, top + 22), amount, 15, INK, anchor="ra")
        draw.line(px(68, top + 63, 360, top + 63), fill=(224, 224, 224), width=max(1, round(dpr)))
        parts[f"row {index}"] = px(16, top, 344, top + _ROW_HEIGHT)
    below = _ROW_TOP + len(screen.rows) * _ROW_HEIGHT + 20  # the buttons follow the list
    pay = px(16, below, 172, below + 48)
    draw.rounded_rectangle(pay, radius=round(24 * dpr), fill=screen.pay_colour)
    text("pay label", (94, below + 24), "Pay now", 16, WHITE, anchor="mm", bold=True)
    parts["pay"] = pay
    top = screen.details_top + below - 548  # moved with the list, and by its own change
    details = px(188, top, 344, top + 48)
    draw.rounded_rectangle(details, radius=round(24 * dpr), outline=BLUE, width=round(2 * dpr))
    text("details label", (266, top + 24), "Details", 16, BLUE, anchor="mm", bold=True)
    parts["details"] = details
    draw.line(px(0, 748, 360, 748), fill=(218, 220, 224), width=max(1, round(dpr)))
    for index, label in enumerate(("Home", "Orders", "Profile")):
        centre = 60 + index * 120
        draw.rounded_rectangle(
            px(centre - 10, 758, centre + 10, 776), radius=round(4 * dpr), fill=GREY
        )
        text(f"nav {index}", (centre, 788), label, 11, GREY, anchor="mm")
    return image, parts


def _cut(draw: ImageDraw.ImageDraw, text: str, face, width: float) -> str:
    """Return the text, or its longest prefix that fits `width` pixels with "…" added."""
    if not width or draw.textlength(text, font=face) <= width:
        return text
    for end in range(len(text), 0, -1):
        candidate = text[:end].rstrip() + "…"
        if draw.textlength(candidate, font=face) <= width:
            return candidate
    return "…"


def jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    """Return the image as it comes back from being saved as a JPEG."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def drawn_pairs(dpr: float = 1.5) -> tuple[DrawnPair, ...]:
    """Return the drawn pairs, a change each (one unchanged, re-encoded as JPEG), at `dpr`."""
    base = Screen()
    before, _parts = draw_screen(base, dpr)
    return (
        _pair("label changed", base, _renamed(base, 0, "Green tea"), dpr, "text", "row 0 name"),
        _moved_button(base, dpr),
        _removed_row(base, dpr),
        _truncated(base, dpr),
        _pair("button recoloured", base, replace(base, pay_colour=RED), dpr, "style", "pay"),
        _retina(base, dpr),
        DrawnPair("unchanged, JPEG", before, jpeg(before)),
        _faint(base, dpr),
    )


def _pair(name: str, base: Screen, changed: Screen, dpr: float, kind: str, part: str) -> DrawnPair:
    before, was = draw_screen(base, dpr)
    after, now = draw_screen(changed, dpr)
    return DrawnPair(name, before, after, (TruthChange(kind, was[part], now[part]),))


def _renamed(screen: Screen, index: int, name: str) -> Screen:
    rows = list(screen.rows)
    rows[index] = (name, *rows[index][1:])
    return replace(screen, rows=tuple(rows))


def _moved_button(base: Screen, dpr: float) -> DrawnPair:
    changed = replace(base, details_top=base.details_top + 72)
    return _pair("button moved", base, changed, dpr, "moved", "details")


def _removed_row(base: Screen, dpr: float) -> DrawnPair:
    changed = replace(base, rows=base.rows[:2] + base.rows[3:])
    before, was = draw_screen(base, dpr)
    after, _ = draw_screen(changed, dpr)
    return DrawnPair("row removed", before, after, (TruthChange("removed", was["row 2"], None),))


def _truncated(base: Screen, dpr: float) -> DrawnPair:
    changed = replace(base, name_width=140)
    pair = _pair("value truncated", base, changed, dpr, "text", "row 2 name")
    return replace(pair, truncated_after=True)


def _retina(base: Screen, dpr: float) -> DrawnPair:
    before, was = draw_screen(base, dpr)
    after, now = draw_screen(replace(base, title="Purchases"), dpr * 2)
    truth = TruthChange("text", was["title"], now["title"])
    return DrawnPair("retina 2x, label changed", before, after, (truth,))


def _faint(base: Screen, dpr: float) -> DrawnPair:
    pair = _pair("faint text", base, replace(base, hint_colour=FAINT), dpr, "style", "hint")
    return replace(pair, faint_after=True)


def draw_desktop(status: str = "Shipped") -> tuple[Image.Image, Box]:
    """Return a 1920 × 1080 admin page (a side bar, a table of orders), and the box of the
    first order's status, the cell a desktop pair changes."""
    image = Image.new("RGB", (1920, 1080), WHITE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 64), fill=(21, 101, 192))
    draw.text((32, 32), "Back office", font=font(26, True), fill=WHITE, anchor="lm")
    draw.rectangle((0, 64, 260, 1080), fill=(241, 243, 244))
    for index, label in enumerate(("Dashboard", "Orders", "Customers", "Reports", "Settings")):
        draw.text((32, 110 + index * 52), label, font=font(20), fill=INK)
    header, cell = font(18, True), font(18)
    for column, title in enumerate(("Order", "Customer", "Amount", "Status")):
        draw.text((300 + column * 380, 100), title, font=header, fill=GREY)
    box: Box = (0, 0, 0, 0)
    for row in range(16):
        top = 150 + row * 56
        values = (f"#{10231 + row}", f"Customer {row + 1}", f"${(row + 3) * 17.5:,.2f}")
        for column, value in enumerate((*values, status if row == 0 else "Shipped")):
            draw.text((300 + column * 380, top), value, font=cell, fill=INK)
            if row == 0 and column == 3:
                box = tuple(draw.textbbox((300 + column * 380, top), value, font=cell))
        draw.line((280, top + 40, 1900, top + 40), fill=(224, 224, 224), width=1)
    return image, box
