"""Chinese VAT invoice example: a printed 增值税电子普通发票, drawn with a CJK font.

The sums are derived as the invoicing software derives them: each line's tax is rounded to the
fen, the 合计 is the sum of the lines, and the total in words (大写) is written by the same
`format_capital_amount` that the checks read it back with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from PIL import Image, ImageDraw

from workbench.answers.checks.capital_amounts import format_capital_amount
from workbench.examples._common import (
    ExampleSpec,
    Truth,
    add_noise,
    cjk_font,
    cjk_font_path,
    font,
    money,
    no_cjk_font,
    qr_like,
    stamp_seal,
    text_centre,
    text_right,
)

log = logging.getLogger(__name__)

PRESET = "Chinese VAT invoice (增值税发票)"
FORM, INK, SEAL = (150, 72, 40), (24, 24, 34), (214, 38, 38)  # brown form, black print, red seal
WIDTH, HEIGHT, TOP, BLOCK = 1200, 580, 140, 96  # the form starts at TOP; party blocks are BLOCK
# The item columns: their headers, then their left edges and the right edge of the last.
HEADERS = ("货物或应税劳务、服务名称", "规格型号", "单位", "数量")
HEADERS += ("单价", "金额", "税率", "税额")
COLUMNS = (40, 330, 450, 510, 600, 730, 880, 950, 1160)


@dataclass(frozen=True)
class Party:
    """A 购买方 or 销售方 block: the four lines printed for it."""

    name: str
    tax_id: str
    address_phone: str
    bank_account: str


@dataclass(frozen=True)
class Line:
    """One item line: quantity and unit price before tax; amount and tax are derived."""

    name: str
    model: str
    unit: str
    qty: Decimal
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.qty * self.unit_price)

    def tax(self, rate: Decimal) -> Decimal:
        return money(self.amount * rate / 100)


@dataclass(frozen=True)
class VatInvoice:
    """Everything the invoice states; the sums and the words are derived, never typed in."""

    code: str
    number: str
    date: str  # YYYY-MM-DD, printed as 2024年05月16日
    check_code: str
    machine: str
    buyer: Party
    seller: Party
    lines: tuple[Line, ...]
    rate: Decimal

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def tax(self) -> Decimal:
        return sum((line.tax(self.rate) for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.amount + self.tax

    @property
    def words(self) -> str:
        return format_capital_amount(self.total)

    def truth(self) -> Truth:
        """Return the ground truth in vat_invoice.schema.json's shape."""
        return {
            "invoice_code": self.code,
            "invoice_number": self.number,
            "date": self.date,
            "buyer_name": self.buyer.name,
            "buyer_tax_id": self.buyer.tax_id,
            "amount": float(self.amount),
            "tax_rate": float(self.rate),
            "tax": float(self.tax),
            "total_in_words": self.words,
            "total": float(self.total),
            "seller_name": self.seller.name,
            "seller_tax_id": self.seller.tax_id,
        }


INVOICE = VatInvoice(
    code="033002400111",
    number="48271635",
    date="2024-05-16",
    check_code="59301 48276 13094 87265",
    machine="661617285943",
    buyer=Party(
        "上海云帆信息技术有限公司",
        "91310115MA1K3R8LXT",
        "上海市浦东新区张江路188号 021-58801234",
        "招商银行上海张江支行 121908765410201",
    ),
    seller=Party(
        "杭州青禾办公用品有限公司",
        "91330106MA2H7C5P3M",
        "杭州市西湖区文三路259号 0571-88071234",
        "中国工商银行杭州文三路支行 1202021109900123456",
    ),
    lines=(
        Line("*纸制品*A4复印纸", "70g 500张", "箱", Decimal("10"), Decimal("106.19")),
        Line("*办公设备*碎纸机", "S-220", "台", Decimal("2"), Decimal("606.19")),
        Line("*家具*人体工学办公椅", "KT-07", "把", Decimal("4"), Decimal("1415.04")),
        Line("*文具*中性笔", "0.5mm 12支", "盒", Decimal("24"), Decimal("40.15")),
    ),
    rate=Decimal("13"),
)


# --- drawing -------------------------------------------------------------------------------


def _draw_header(page: Image.Image, draw: ImageDraw.ImageDraw, rng: np.random.Generator) -> None:
    qr_like(draw, (40, 22), 4, INK, rng)
    small = cjk_font(14)
    draw.text((40, 116), f"机器编号：{INVOICE.machine}", font=small, fill=FORM)
    issuer = [("全国统一发票监制章", 12, -40), ("国家税务总局浙江省税务局", 11, 31)]
    stamp_seal(page, (WIDTH // 2, 58), (176, 100), issuer, SEAL)
    text_centre(draw, WIDTH / 2, 40, "浙江增值税电子普通发票", cjk_font(32), FORM)
    for y in (80, 84):
        draw.line((WIDTH / 2 - 190, y, WIDTH / 2 + 190, y), fill=FORM, width=1)
    year, month, day = INVOICE.date.split("-")
    details = [
        ("发票代码：", INVOICE.code),
        ("发票号码：", INVOICE.number),
        ("开票日期：", f"{year}年{month}月{day}日"),
        ("校 验 码：", INVOICE.check_code),
    ]
    for row, (label, value) in enumerate(details):
        y = 30 + row * 24
        draw.text((850, y), label, font=small, fill=FORM)
        draw.text((925, y), value, font=cjk_font(15), fill=INK)


def _draw_party(draw: ImageDraw.ImageDraw, top: int, title: str, party: Party, side: str) -> None:
    """Draw a 购买方/销售方 block: its vertical title, four lines, and the box beside it."""
    label, value = cjk_font(14), cjk_font(15)
    for index, char in enumerate(title):
        text_centre(draw, 55, top + 14 + index * 22, char, label, FORM)
    draw.line((70, top, 70, top + BLOCK), fill=FORM)
    rows = [
        ("名　　　称：", party.name),
        ("纳税人识别号：", party.tax_id),
        ("地 址、电 话：", party.address_phone),
        ("开户行及账号：", party.bank_account),
    ]
    for row, (name, text) in enumerate(rows):
        y = top + 6 + row * 22
        draw.text((78, y), name, font=label, fill=FORM)
        draw.text((180, y), text, font=value, fill=INK)
    for x in (760, 790):
        draw.line((x, top, x, top + BLOCK), fill=FORM)
    for index, char in enumerate(side):
        y = top + BLOCK / 2 + (index - len(side) / 2) * 22
        text_centre(draw, 775, y, char, label, FORM)


def _draw_cipher(draw: ImageDraw.ImageDraw, top: int, rng: np.random.Generator) -> None:
    """Fill the 密码区 with four lines of the printed cipher: digits and + - * / < >."""
    symbols = np.array(list("0123456789+-*/<>"))
    for row in range(4):
        text = "".join(rng.choice(symbols, 28))
        draw.text((800, top + 6 + row * 22), text, font=font("mono", 15), fill=INK)


def _draw_items(draw: ImageDraw.ImageDraw, top: int) -> int:
    """Draw the item header, lines and 合计 row; return the y where the 价税合计 row starts."""
    label, value = cjk_font(14), cjk_font(15)
    bottom = top + 26 + 26 * len(INVOICE.lines) + 12 + 26
    for x in COLUMNS[1:-1]:
        draw.line((x, top, x, bottom), fill=FORM)
    draw.line((COLUMNS[0], top + 26, COLUMNS[-1], top + 26), fill=FORM)
    for left, right, header in zip(COLUMNS[:-1], COLUMNS[1:], HEADERS, strict=True):
        text_centre(draw, (left + right) / 2, top + 5, header, label, FORM)
    percent = f"{INVOICE.rate:g}%"
    for row, line in enumerate(INVOICE.lines):
        y = top + 32 + row * 26
        draw.text((COLUMNS[0] + 6, y), line.name, font=value, fill=INK)
        draw.text((COLUMNS[1] + 6, y), line.model, font=value, fill=INK)
        text_centre(draw, (COLUMNS[2] + COLUMNS[3]) / 2, y, line.unit, value, INK)
        for column, number in ((4, line.qty), (5, line.unit_price), (6, line.amount)):
            text_right(draw, COLUMNS[column] - 6, y, f"{number}", value, INK)
        text_centre(draw, (COLUMNS[6] + COLUMNS[7]) / 2, y, percent, value, INK)
        text_right(draw, COLUMNS[8] - 6, y, f"{line.tax(INVOICE.rate)}", value, INK)
    y = bottom - 22
    text_centre(draw, (COLUMNS[0] + COLUMNS[1]) / 2, y, "合　　计", label, FORM)
    text_right(draw, COLUMNS[6] - 6, y, f"¥{INVOICE.amount}", value, INK)
    text_right(draw, COLUMNS[8] - 6, y, f"¥{INVOICE.tax}", value, INK)
    return bottom


def _draw_total(draw: ImageDraw.ImageDraw, top: int) -> None:
    """Draw the 价税合计 row: ⊗ and the words, then the figures."""
    draw.line((COLUMNS[1], top, COLUMNS[1], top + 30), fill=FORM)
    label = cjk_font(14)
    text_centre(draw, (COLUMNS[0] + COLUMNS[1]) / 2, top + 7, "价税合计（大写）", label, FORM)
    cx, cy = COLUMNS[1] + 20, top + 15  # ⊗, drawn: the CJK font has no glyph for it
    draw.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), outline=INK, width=2)
    draw.line((cx - 5, cy - 5, cx + 5, cy + 5), fill=INK, width=2)
    draw.line((cx - 5, cy + 5, cx + 5, cy - 5), fill=INK, width=2)
    draw.text((cx + 14, top + 6), INVOICE.words, font=cjk_font(17), fill=INK)
    draw.text((COLUMNS[6] + 10, top + 7), "（小写）", font=label, fill=FORM)
    draw.text((COLUMNS[7] + 10, top + 6), f"¥{INVOICE.total}", font=cjk_font(17), fill=INK)


def draw_vat_invoice() -> tuple[Image.Image, Truth]:
    """Return a scanned-looking Chinese VAT invoice and its truth."""
    rng = np.random.default_rng(41)
    page = Image.new("RGB", (WIDTH, HEIGHT), (251, 250, 246))
    draw = ImageDraw.Draw(page)
    _draw_header(page, draw, rng)
    left, right = COLUMNS[0], COLUMNS[-1]
    _draw_party(draw, TOP, "购买方", INVOICE.buyer, "密码区")
    _draw_cipher(draw, TOP, rng)
    total_top = _draw_items(draw, TOP + BLOCK)
    _draw_total(draw, total_top)
    seller_top = total_top + 30
    _draw_party(draw, seller_top, "销售方", INVOICE.seller, "备注")
    for y in (TOP + BLOCK, total_top, seller_top):
        draw.line((left, y, right, y), fill=FORM)
    draw.rectangle((left, TOP, right, seller_top + BLOCK), outline=FORM, width=2)
    footer = "收款人：周婷　　　复核：吴磊　　　开票人：陈敏　　　销售方：（章）"
    draw.text((70, seller_top + BLOCK + 12), footer, font=cjk_font(15), fill=FORM)
    seal_lines = [(INVOICE.seller.name, 13, -38), (INVOICE.seller.tax_id, 14, -9)]
    seal_lines.append(("发票专用章", 15, 18))
    stamp_seal(page, (990, seller_top + 50), (210, 116), seal_lines, SEAL)
    page = page.rotate(-0.4, resample=Image.Resampling.BICUBIC, fillcolor=(236, 236, 232))
    return add_noise(page, rng, 2.5), INVOICE.truth()


def specs() -> tuple[ExampleSpec, ...]:
    """Return the VAT invoice example, or none (with a warning) when no CJK font is installed."""
    if cjk_font_path() is None:
        log.warning("the Chinese VAT invoice example is left out: %s", no_cjk_font())
        return ()
    return (
        ExampleSpec(
            name="vat_invoice_hangzhou",
            tab="receipts",
            question="Read this VAT invoice, and check its tax, total and total in words.",
            preset=PRESET,
            draw=draw_vat_invoice,
        ),
    )


SPECS = specs()
