"""Invoice example: a scanned office-supplies invoice with a VAT line."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw

from workbench.examples._common import ExampleSpec, Truth, add_noise, font, text_right
from workbench.examples.receipts import Item, Sale, percent

INVOICE = Sale(
    merchant="Northwind Office Supplies Ltd",
    date="2024-05-02",
    currency="GBP",
    items=(
        Item("Ergonomic office chair", Decimal("2"), Decimal("189.00")),
        Item("Standing desk converter", Decimal("1"), Decimal("245.50")),
        Item("A4 copy paper, box of 5 reams", Decimal("4"), Decimal("23.90")),
        Item("Wireless keyboard and mouse set", Decimal("3"), Decimal("42.75")),
    ),
    discounts=(),
    tax_rate=Decimal("20.0"),
)


# --- drawing -------------------------------------------------------------------------------


def _draw_invoice_header(draw: ImageDraw.ImageDraw, width: int) -> None:
    ink, grey = (30, 34, 44), (96, 100, 110)
    draw.rectangle((40, 40, 76, 76), fill=(36, 92, 160))
    draw.text((86, 40), INVOICE.merchant, font=font("sans_bold", 17), fill=ink)
    for row, line in enumerate(["12 Dockside Road, Bristol BS1 6UF", "VAT No. GB 274 1183 09"]):
        draw.text((86, 62 + row * 16), line, font=font("sans", 12), fill=grey)
    text_right(draw, width - 40, 40, "INVOICE", font("sans_bold", 26), (36, 92, 160))
    details = [("Invoice no.", "INV-2024-0117"), ("Date", "2 May 2024"), ("Due", "1 June 2024")]
    for row, (label, value) in enumerate(details):
        y = 118 + row * 18
        draw.text((width - 250, y), label, font=font("sans", 12), fill=grey)
        text_right(draw, width - 40, y, value, font("sans_bold", 12), ink)
    draw.text((40, 118), "Bill to", font=font("sans", 12), fill=grey)
    for row, line in enumerate(["Harbourside Dental Practice", "4 Quay Street", "Bristol BS1 4DB"]):
        draw.text((40, 136 + row * 16), line, font=font("sans", 13), fill=ink)


def _draw_invoice_table(draw: ImageDraw.ImageDraw, width: int, top: int) -> int:
    ink, body, bold = (30, 34, 44), font("sans", 13), font("sans_bold", 13)
    columns = (width - 250, width - 150, width - 40)  # right edges: qty, unit price, amount
    draw.rectangle((40, top, width - 40, top + 28), fill=(228, 234, 243))
    draw.text((50, top + 7), "Description", font=bold, fill=ink)
    for right, label in zip(columns, ("Qty", "Unit price", "Amount (GBP)"), strict=True):
        text_right(draw, right - 8, top + 7, label, bold, ink)
    y = top + 38
    for item in INVOICE.items:
        draw.text((50, y), item.name, font=body, fill=ink)
        cells = (str(item.qty), f"{item.unit_price:,.2f}", f"{item.amount:,.2f}")
        for right, cell in zip(columns, cells, strict=True):
            text_right(draw, right - 8, y, cell, body, ink)
        y += 26
        draw.line((40, y - 6, width - 40, y - 6), fill=(214, 218, 226))
    return y


def _draw_invoice_totals(draw: ImageDraw.ImageDraw, width: int, top: int) -> None:
    ink, body, bold = (30, 34, 44), font("sans", 13), font("sans_bold", 15)
    rows = [
        ("Subtotal", f"{INVOICE.subtotal:,.2f}", body),
        (f"VAT {percent(INVOICE.tax_rate)}", f"{INVOICE.tax:,.2f}", body),
        ("Total due (GBP)", f"{INVOICE.total:,.2f}", bold),
    ]
    for row, (label, value, face) in enumerate(rows):
        y = top + 12 + row * 24
        draw.text((width - 300, y), label, font=face, fill=ink)
        text_right(draw, width - 48, y, value, face, ink)
    draw.line((width - 300, top + 58, width - 40, top + 58), fill=ink)
    notes = ["Payment by bank transfer within 30 days.", "Sort code 20-45-77  Account 5310 9942"]
    for row, line in enumerate(notes):
        draw.text((40, top + 110 + row * 17), line, font=font("sans", 11), fill=(96, 100, 110))


def draw_invoice() -> tuple[Image.Image, Truth]:
    """Return a scanned-looking office-supplies invoice and its truth."""
    width, height = 600, 560
    page = Image.new("RGB", (width, height), (252, 252, 250))
    draw = ImageDraw.Draw(page)
    _draw_invoice_header(draw, width)
    bottom = _draw_invoice_table(draw, width, 214)
    _draw_invoice_totals(draw, width, bottom)
    rng = np.random.default_rng(31)
    page = page.rotate(-0.5, resample=Image.Resampling.BICUBIC, fillcolor=(236, 236, 232))
    return add_noise(page, rng, 2.5), INVOICE.truth()


SPECS = (
    ExampleSpec(
        name="invoice_office_supplies",
        tab="receipts",
        question="Extract the invoice fields: merchant, date, line items, VAT and total.",
        preset="Extract all fields",
        draw=draw_invoice,
    ),
)
