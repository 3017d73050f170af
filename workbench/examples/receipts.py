"""Till-receipt examples, and the sale model whose totals add up to the cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw

from workbench.examples._common import (
    ExampleSpec,
    Truth,
    add_noise,
    font,
    lay_on_table,
    money,
    text_centre,
    text_right,
)

_INK = (38, 36, 42)
_COLUMNS = 34  # characters per receipt line


@dataclass(frozen=True)
class Item:
    """One line item as printed: quantity and unit price; the amount is derived."""

    name: str
    qty: Decimal
    unit_price: Decimal
    unit: str = ""  # "kg" for weighed goods

    @property
    def amount(self) -> Decimal:
        return money(self.qty * self.unit_price)


@dataclass(frozen=True)
class Sale:
    """Everything a receipt or invoice states; the sums are derived, never typed in."""

    merchant: str
    date: str | None
    currency: str
    items: tuple[Item, ...]
    discounts: tuple[tuple[str, Decimal], ...]
    tax_rate: Decimal | None

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def discount_total(self) -> Decimal:
        return sum((amount for _, amount in self.discounts), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        if self.tax_rate is None:
            return Decimal("0.00")
        return money((self.subtotal - self.discount_total) * self.tax_rate / 100)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount_total + self.tax

    def truth(self) -> Truth:
        """Return the receipt ground truth in the receipts schema's shape."""
        return {
            "merchant": self.merchant,
            "date": self.date,
            "currency": self.currency,
            "items": [
                {
                    "name": item.name,
                    "qty": float(item.qty),
                    "unit_price": float(item.unit_price),
                    "amount": float(item.amount),
                }
                for item in self.items
            ],
            "discounts": [
                {"description": text, "amount": float(amount)} for text, amount in self.discounts
            ],
            "subtotal": float(self.subtotal),
            "tax_rate": None if self.tax_rate is None else float(self.tax_rate),
            "tax": float(self.tax),
            "total": float(self.total),
        }


def _d(value: str) -> Decimal:
    return Decimal(value)


GROCERY = Sale(
    merchant="GREEN VALLEY MARKET",
    date="2024-03-14",
    currency="USD",
    items=(
        Item("WHOLE MILK 1L", _d("2"), _d("1.49")),
        Item("SOURDOUGH BREAD", _d("1"), _d("3.79")),
        Item("BANANAS", _d("1.32"), _d("0.59"), unit="kg"),
        Item("FREE-RANGE EGGS 12", _d("1"), _d("4.29")),
        Item("CHEDDAR 200G", _d("1"), _d("5.49")),
        Item("GALA APPLES", _d("3"), _d("0.65")),
        Item("PENNE PASTA 500G", _d("2"), _d("1.19")),
    ),
    discounts=(("MEMBER DISCOUNT 5%", _d("1.08")),),
    tax_rate=_d("8.0"),
)

CAFE = Sale(
    merchant="BLUE DOOR CAFE",
    date="2024-06-08",
    currency="USD",
    items=(
        Item("FLAT WHITE", _d("2"), _d("4.20")),
        Item("ALMOND CROISSANT", _d("1"), _d("3.85")),
        Item("AVOCADO TOAST", _d("1"), _d("9.50")),
        Item("SPARKLING WATER", _d("2"), _d("2.10")),
    ),
    discounts=(("LOYALTY CARD - FREE COFFEE", _d("4.20")),),
    tax_rate=_d("7.0"),
)

# --- till receipts -------------------------------------------------------------------------


def percent(rate: Decimal | None) -> str:
    """Return a tax rate as printed: 8%, 20%, 7.5%."""
    return f"{float(rate or 0):g}%"


# A printed line: (style, left text, right-aligned text). Styles: title, centre, row, bold, rule.
Line = tuple[str, str, str]
_RULE: Line = ("rule", "", "")


def _row(left: str, right: str = "") -> Line:
    return ("row", left, right)


def _centred(*texts: str) -> list[Line]:
    return [("centre", text, "") for text in texts]


def _till_lines(sale: Sale, header: list[str], meta: list[Line], footer: list[Line]) -> list[Line]:
    lines: list[Line] = [("title", header[0], ""), *_centred(*header[1:]), _RULE, *meta, _RULE]
    for item in sale.items:
        lines.append(_row(item.name, f"{item.amount:.2f}"))
        if item.unit:
            lines.append(_row(f"  {item.qty} {item.unit} x {item.unit_price}/{item.unit}"))
        elif item.qty != 1:
            lines.append(_row(f"  {item.qty} x {item.unit_price}"))
    lines += [_RULE, _row("SUBTOTAL", f"{sale.subtotal:.2f}")]
    lines += [_row(text, f"-{amount:.2f}") for text, amount in sale.discounts]
    lines += [_row(f"TAX {percent(sale.tax_rate)}", f"{sale.tax:.2f}"), _RULE]
    lines += [("bold", f"TOTAL {sale.currency}", f"{sale.total:.2f}"), *footer]
    return lines


def _draw_till_paper(lines: list[Line], rng: np.random.Generator) -> Image.Image:
    faces = {"title": font("mono_bold", 20), "bold": font("mono_bold", 15)}
    body, line_height, margin = font("mono", 15), 21, 22
    width = round(font("mono", 15).getlength("M") * _COLUMNS) + 2 * margin
    paper = Image.new("RGB", (width, line_height * (len(lines) + 6) + 30), (250, 248, 241))
    draw = ImageDraw.Draw(paper)
    y = 22
    for style, left, right in lines:
        face = faces.get(style, body)
        if style == "rule":
            for x in range(margin, width - margin, 9):
                draw.line((x, y + 10, x + 5, y + 10), fill=_INK, width=1)
        elif style in ("title", "centre"):
            text_centre(draw, width / 2, y - (2 if style == "title" else 0), left, face, _INK)
        else:
            draw.text((margin, y), left, font=face, fill=_INK)
            text_right(draw, width - margin, y, right, face, _INK)
        y += line_height + (6 if style == "title" else 0)
    _draw_barcode(draw, (margin + 30, y + 14, width - margin - 30, y + 64), rng)
    return paper


def _draw_barcode(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], rng) -> None:
    x, top, right, bottom = box
    while x < right - 4:
        bar = int(rng.integers(1, 4))
        draw.rectangle((x, top, x + bar - 1, bottom), fill=_INK)
        x += bar + int(rng.integers(1, 4))


def _photo_of(paper: Image.Image, angle: float, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    size = (paper.width + 90, paper.height + 60)
    photo = lay_on_table(paper, size, angle, (132, 104, 78), rng)
    return add_noise(photo, rng, 3.0)


def draw_grocery() -> tuple[Image.Image, Truth]:
    """Return a supermarket till receipt and its truth."""
    header = ["GREEN VALLEY MARKET", "1420 Orchard Ave, Springfield", "Tel (555) 013-2290"]
    meta = [_row("DATE 03/14/2024", "TIME 18:42"), _row("STORE 0042 LANE 3", "CASHIER MARIA")]
    footer = [_row("VISA **** 4417", f"{GROCERY.total:.2f}"), _row("")]
    footer += _centred(f"ITEMS {len(GROCERY.items)}   MEMBER #20417733", "THANK YOU FOR SHOPPING!")
    rng = np.random.default_rng(11)
    paper = _draw_till_paper(_till_lines(GROCERY, header, meta, footer), rng)
    return _photo_of(paper, angle=1.6, seed=12), GROCERY.truth()


def draw_cafe() -> tuple[Image.Image, Truth]:
    """Return a café receipt with a loyalty discount and its truth."""
    header = ["BLUE DOOR CAFE", "88 Harbour Street, Portland", "bluedoorcafe.example"]
    meta = [_row("2024-06-08 09:17", "TABLE 4"), _row("ORDER #1187", "SERVER: DEV")]
    footer = [_row("CASH", "30.00"), _row("CHANGE", f"{money(30) - CAFE.total:.2f}"), _row("")]
    footer += _centred("SEE YOU SOON!")
    rng = np.random.default_rng(21)
    paper = _draw_till_paper(_till_lines(CAFE, header, meta, footer), rng)
    return _photo_of(paper, angle=-2.2, seed=22), CAFE.truth()


SPECS = (
    ExampleSpec(
        name="receipt_grocery",
        tab="receipts",
        question="Check that the line items, member discount, tax and total add up.",
        preset="Verify totals",
        draw=draw_grocery,
    ),
    ExampleSpec(
        name="receipt_cafe",
        tab="receipts",
        question="Which discounts were applied, and is the tax right?",
        preset="Find discounts",
        draw=draw_cafe,
    ),
)
