"""PDF pages: counted, rendered for the token budget, picked a few at a time; every broken or
locked PDF fails with a clear message, never with a PDFium exception."""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from workbench.budget import PIXELS_PER_VISUAL_TOKEN, visual_tokens
from workbench.intake import images
from workbench.intake.documents import (
    MAX_PAGES_AT_ONCE,
    is_pdf,
    load_any,
    load_pages,
    page_count,
    page_scale,
    render_page,
    thumbnails,
)
from workbench.intake.images import ImageError

LETTER = (612, 792)  # points
PAGE_COLOURS = ((255, 0, 0), (0, 160, 0), (0, 0, 255))


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@functools.cache
def _three_pages() -> bytes:
    """Return a 3-page Letter PDF: page n is white with its colour in the top-left quarter."""
    pages = []
    for number, colour in enumerate(PAGE_COLOURS, start=1):
        page = Image.new("RGB", (153, 198), "white")  # at 18 dpi: 612×792 points
        draw = ImageDraw.Draw(page)
        draw.rectangle((0, 0, 76, 98), fill=colour)
        draw.text((100, 150), f"page {number}", fill="black")
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=18)
    return buffer.getvalue()


def _pdf_of_pages(*sizes: tuple[float, float]) -> bytes:
    """Return a PDF with blank pages of these sizes (in points), written by PDFium."""
    document = pdfium.PdfDocument.new()
    for width, height in sizes:
        document.new_page(width, height).close()
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


# The standard security handler, revision 2 (RC4, 40-bit; PDF 1.7 §7.6.3), written by hand:
# neither PIL nor PDFium can write an encrypted PDF, and pypdf is not installed.
_PASSWORD_PADDING = bytes.fromhex(
    "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A"
)


def _rc4(key: bytes, data: bytes) -> bytes:
    state, j = list(range(256)), 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _encrypted_pdf(user: bytes, owner: bytes = b"owner", handler: bytes = b"Standard") -> bytes:
    """Return a 1-page PDF (a blue square) locked with `user` as its password."""
    file_id, permissions = b"0123456789abcdef", -4

    def padded(password: bytes) -> bytes:
        return (password + _PASSWORD_PADDING)[:32]

    owner_entry = _rc4(hashlib.md5(padded(owner)).digest()[:5], padded(user))  # algorithm 3
    key = hashlib.md5(  # algorithm 2
        padded(user) + owner_entry + permissions.to_bytes(4, "little", signed=True) + file_id
    ).digest()[:5]
    user_entry = _rc4(key, _PASSWORD_PADDING)  # algorithm 4
    # The content stream is object 4, generation 0: its own key (algorithm 1).
    object_key = hashlib.md5(key + (4).to_bytes(3, "little") + bytes(2)).digest()[:10]
    content = _rc4(object_key, b"0 0 1 rg 10 10 80 80 re f")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Filter /%s /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
        % (handler, owner_entry.hex().encode(), user_entry.hex().encode(), permissions),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    identifier = file_id.hex().encode()
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 5 0 R /ID [<%s> <%s>] >>\n"
        b"startxref\n%d\n%%%%EOF\n" % (len(objects) + 1, identifier, identifier, xref)
    )
    return out.getvalue()


def _is_colour(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


@pytest.fixture
def three_pages(tmp_path: Path) -> Path:
    return _write(tmp_path, "three.pdf", _three_pages())


# ---------------------------------------------------------------- what a PDF is


def test_is_pdf(tmp_path: Path, three_pages: Path) -> None:
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    assert is_pdf(three_pages) and is_pdf(str(three_pages)) and is_pdf(_three_pages())
    assert not is_pdf(png.getvalue())
    assert not is_pdf(b"")
    assert not is_pdf(_write(tmp_path, "empty.pdf", b""))
    assert not is_pdf(tmp_path / "missing.pdf")
    assert not is_pdf(tmp_path)  # a folder
    assert not is_pdf(Image.new("RGB", (8, 8)))


@pytest.mark.parametrize("as_type", [str, Path, bytes])
def test_page_count(three_pages: Path, as_type: type) -> None:
    source = three_pages.read_bytes() if as_type is bytes else as_type(three_pages)
    assert page_count(source) == 3


# ---------------------------------------------------------------- rendering for the budget


@pytest.mark.parametrize(
    ("size", "max_tokens", "dpi"),
    [
        (LETTER, 256, 72),  # the budget wants ~52 dpi: the 72 dpi floor
        (LETTER, 16384, 300),  # the budget wants ~420 dpi: the 300 dpi ceiling
        ((100, 100), 1280, 300),  # a small label: the ceiling
        ((2384, 3370), 1280, 72),  # A0: the floor
    ],
)
def test_page_scale_stays_between_72_and_300_dpi(
    size: tuple[float, float], max_tokens: int, dpi: int
) -> None:
    assert page_scale(size, max_tokens) == pytest.approx(dpi / 72)


@pytest.mark.parametrize("max_tokens", [512, 1280, 4096])
def test_page_scale_fills_the_budget_and_no_more(max_tokens: int) -> None:
    scale = page_scale(LETTER, max_tokens)
    # Each side rounded up to whole pixels, as pypdfium2 sizes the bitmap.
    pixels = math.ceil(LETTER[0] * scale) * math.ceil(LETTER[1] * scale)
    assert 0.99 * max_tokens * PIXELS_PER_VISUAL_TOKEN <= pixels <= max_tokens * 1024


def test_a_huge_page_stays_under_the_pixel_limit() -> None:
    scale = page_scale((14400, 14400), 256)  # the largest page PDF allows, 200 inches square
    assert math.ceil(14400 * scale) ** 2 <= images.MAX_PIXELS
    assert scale < 1  # here the pixel limit wins over the 72 dpi floor


@pytest.mark.parametrize(
    ("max_tokens", "low", "high"),
    [(256, 612 * 792, 612 * 792), (1280, 0.97 * 1280 * 1024, 1280 * 1024)],
)
def test_render_page_uses_the_budget(
    three_pages: Path, max_tokens: int, low: float, high: float
) -> None:
    image = render_page(three_pages, 0, max_tokens)
    assert image.mode == "RGB"
    assert low <= image.width * image.height <= high
    assert abs(image.width / image.height - 612 / 792) < 0.01  # the page's shape
    assert _is_colour(image.getpixel((5, 5)), PAGE_COLOURS[0])
    assert image.getpixel((image.width - 3, image.height // 3)) == (255, 255, 255)  # on white
    if max_tokens == 1280:  # the processor keeps nearly all of it
        assert visual_tokens(image.size, (256, 1280)) >= 0.9 * 1280


def test_render_page_picks_the_page(three_pages: Path) -> None:
    for index, colour in enumerate(PAGE_COLOURS):
        assert _is_colour(render_page(three_pages, index, 256).getpixel((5, 5)), colour)


def test_a_page_too_elongated_for_the_model_is_refused(tmp_path: Path) -> None:
    strip = _write(tmp_path, "strip.pdf", _pdf_of_pages((3000, 10)))
    with pytest.raises(ImageError, match=r"more than 150:1\. Crop it"):
        render_page(strip, 0, 1280)
    assert thumbnails(strip)[0].width == 160  # the picker still shows it


@pytest.mark.parametrize(
    ("box", "size"),
    [
        (b"0 0 0 0", (1006, 1302)),  # PDFium falls back to Letter for a box with no area
        (b"0 0 1e30 1e30", (1006, 1302)),  # and for one that is not numbers (PDF has no 1e30)
        (b"0 0 100000 100000", (7071, 7071)),  # 1,389 inches square: the 50-megapixel limit
        (b"0 0 3000000 5", "too_small"),  # a strip no model can use
    ],
)
def test_an_absurd_page_size(box: bytes, size: tuple[int, int] | str) -> None:
    data = _pdf_of_pages(LETTER).replace(b"0 0 612 792", box)
    assert box in data
    if isinstance(size, str):
        with pytest.raises(ImageError) as error:
            render_page(data, 0, 1280)
        assert error.value.key == size
    else:
        assert render_page(data, 0, 1280).size == size
    assert thumbnails(data)[0].width == 160


# ---------------------------------------------------------------- thumbnails


def test_thumbnails(three_pages: Path) -> None:
    pictures = thumbnails(three_pages)
    assert [picture.size for picture in pictures] == [(160, 208)] * 3  # 160 × 792/612, rounded up
    colours = zip(pictures, PAGE_COLOURS, strict=True)
    assert all(_is_colour(picture.getpixel((3, 3)), colour) for picture, colour in colours)
    assert len(thumbnails(three_pages, limit=2)) == 2
    assert thumbnails(three_pages, width=80)[0].size == (80, 104)


def test_a_tall_page_thumbnail_fits_twice_its_width_high(tmp_path: Path) -> None:
    tall = _write(tmp_path, "receipt.pdf", _pdf_of_pages((200, 2000), (2000, 200)))
    assert [picture.size for picture in thumbnails(tall)] == [(32, 320), (160, 16)]


# ---------------------------------------------------------------- several pages at once


def test_load_pages_in_the_order_asked(three_pages: Path) -> None:
    pages = load_pages(three_pages, [2, 0, 1], 256)
    assert [page.size for page in pages] == [(612, 792)] * 3
    expected = [PAGE_COLOURS[2], PAGE_COLOURS[0], PAGE_COLOURS[1]]
    assert all(_is_colour(p.getpixel((5, 5)), c) for p, c in zip(pages, expected, strict=True))


def test_load_pages_up_to_the_limit(three_pages: Path) -> None:
    assert len(load_pages(three_pages, [0, 1, 2, 0], 256)) == MAX_PAGES_AT_ONCE == 4
    with pytest.raises(ImageError) as error:
        load_pages(three_pages, [0, 1, 2, 0, 1], 256)
    assert error.value.key == "pdf_too_many_pages"
    assert str(error.value) == (
        "5 pages were picked; a question can show the model at most 4 pages at once. "
        "Pick fewer pages."
    )
    assert "最多同时给模型看 4 页" in error.value.text("zh")
    with pytest.raises(ImageError, match="Pick at least one page"):
        load_pages(three_pages, [], 256)


@pytest.mark.parametrize(("index", "page"), [(3, 4), (4, 5), (-1, 0)])
def test_page_out_of_range(three_pages: Path, index: int, page: int) -> None:
    for call in (
        lambda: render_page(three_pages, index, 256),
        lambda: load_pages(three_pages, [0, index], 256),
    ):
        with pytest.raises(ImageError) as error:
            call()
        assert str(error.value) == (
            f"There is no page {page} of a 3-page PDF (three.pdf). Pick a page from 1 to 3."
        )
        assert (
            error.value.text("zh") == f"three.pdf 共 3 页，没有第 {page} 页。请选择第 1 到第 3 页。"
        )


def test_pages_render_from_several_threads_at_once(three_pages: Path) -> None:
    # PDFium is not thread-safe; Gradio runs handlers in threads.
    results: list[tuple[int, int]] = []

    def render(index: int) -> None:
        results.extend(page.size for page in load_pages(three_pages, [index % 3] * 2, 384))

    threads = [threading.Thread(target=render, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 12


# ---------------------------------------------------------------- locked, broken, empty


def test_the_hand_made_encrypted_pdf_is_a_real_one() -> None:
    # It opens with its password and shows its blue square: the test below sees a lock, not
    # a broken file.
    document = pdfium.PdfDocument(_encrypted_pdf(b"secret"), password="secret")
    assert document[0].render().to_pil().getpixel((50, 50)) == (0, 0, 255)


@pytest.mark.parametrize("handler", [b"Standard", b"SomeoneElsesHandler"])
@pytest.mark.parametrize("from_bytes", [True, False])
def test_a_password_protected_pdf_says_remove_the_password(
    tmp_path: Path, handler: bytes, from_bytes: bool
) -> None:
    data = _encrypted_pdf(b"secret", handler=handler)
    source = data if from_bytes else _write(tmp_path, "locked.pdf", data)
    for call in (page_count, thumbnails, lambda s: render_page(s, 0, 256)):
        with pytest.raises(ImageError) as error:
            call(source)
        assert error.value.key == "pdf_locked"
        name = "the upload" if from_bytes else "locked.pdf"
        assert str(error.value) == (
            f"{name} is password-protected; remove the password (print it to a new PDF) "
            "and upload again."
        )
        assert "密码保护" in error.value.text("zh")


def test_a_pdf_locked_only_against_editing_opens() -> None:
    # An empty user password: viewers open it without asking, and so do we.
    image = render_page(_encrypted_pdf(b""), 0, 256)
    assert image.getpixel((50, 50)) == (0, 0, 255)


@pytest.mark.parametrize("fraction", [0.02, 0.25, 0.5, 0.75])
def test_a_truncated_pdf_says_damaged(tmp_path: Path, fraction: float) -> None:
    data = _three_pages()
    path = _write(tmp_path, "cut.pdf", data[: int(len(data) * fraction)])
    with pytest.raises(ImageError) as error:
        render_page(path, 0, 256)
    assert error.value.key == "pdf_damaged"
    assert str(error.value).startswith("cut.pdf is a damaged or truncated PDF (")
    assert "print or save it as a new PDF" in str(error.value)
    assert "已损坏或不完整的 PDF" in error.value.text("zh")


def test_a_pdf_with_no_pages(tmp_path: Path) -> None:
    path = _write(tmp_path, "blank.pdf", _pdf_of_pages())
    with pytest.raises(ImageError, match=r"^blank\.pdf is a PDF with no pages\."):
        page_count(path)


@pytest.mark.parametrize("data", [b"", b"just some text, not a PDF\n", b"\x89PNG\r\n\x1a\n"])
def test_a_file_named_pdf_that_is_not_one(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, "report.pdf", data)
    with pytest.raises(ImageError, match=r"^report\.pdf is not a PDF"):
        page_count(path)
    with pytest.raises(ImageError) as error:
        load_any(path, max_tokens=256)
    assert str(error.value) == (
        "report.pdf is not an image or a PDF this app can read. Use PNG, JPEG, WebP, HEIC, GIF, "
        "BMP, TIFF or PDF."
    )


@pytest.mark.parametrize(
    ("name", "message"), [("nowhere.pdf", "No PDF file at"), ("nowhere.png", "No image file at")]
)
def test_a_missing_file(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(ImageError, match=rf"^{message} .*{name}\. Check the path\.$"):
        load_any(tmp_path / name, max_tokens=256)
    with pytest.raises(ImageError, match=r"^No PDF file at .*nowhere\.pdf\. Check the path\.$"):
        page_count(tmp_path / "nowhere.pdf")


@pytest.mark.parametrize("from_bytes", [True, False])
def test_over_the_byte_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_bytes: bool
) -> None:
    data = _three_pages()
    source = data if from_bytes else _write(tmp_path, "big.pdf", data)
    monkeypatch.setattr(images, "MAX_FILE_BYTES", len(data) - 1)
    with pytest.raises(ImageError, match="Resize or compress it first"):
        render_page(source, 0, 256)
    monkeypatch.setattr(images, "MAX_FILE_BYTES", len(data))
    assert page_count(source) == 3


def _mangled(data: bytes, seed: int) -> list[bytes]:
    """Return `data` cut at 150 points and with bytes flipped in 250 ways."""
    rng = random.Random(seed)
    cuts = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 150))]
    flipped = []
    for _ in range(250):
        mangled = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        flipped.append(bytes(mangled))
    return cuts + flipped


@pytest.mark.parametrize(
    "make", [_three_pages, lambda: _encrypted_pdf(b"secret"), lambda: _pdf_of_pages(LETTER)]
)
def test_a_mangled_pdf_gives_pages_or_an_image_error_never_anything_else(make) -> None:
    calls = (
        lambda data: [load_any(data, max_tokens=256)],
        lambda data: thumbnails(data, limit=2),
        lambda data: load_pages(data, [0, 1], 256),
    )
    outcomes = set()
    for data in _mangled(make(), seed=len(make())):
        for call in calls:
            try:
                pictures = call(data)
            except ImageError as error:
                outcomes.add(error.key)
                error.text("zh")  # both wordings format with the facts given
            else:
                assert all(isinstance(p, Image.Image) and p.mode == "RGB" for p in pictures)
                outcomes.add("pages")
    assert "pages" in outcomes or "pdf_locked" in outcomes
    assert outcomes & {"pdf_damaged", "not_pdf", "unreadable_with_pdf"}


# ---------------------------------------------------------------- one entry point


def test_load_any_renders_a_pdf_page_or_loads_an_image(tmp_path: Path, three_pages: Path) -> None:
    page = load_any(three_pages, 1, max_tokens=256)
    assert page.size == (612, 792) and _is_colour(page.getpixel((5, 5)), PAGE_COLOURS[1])

    png = io.BytesIO()
    Image.new("RGBA", (40, 30), (255, 0, 0, 255)).save(png, "PNG")
    for source in (png.getvalue(), _write(tmp_path, "red.png", png.getvalue())):
        image = load_any(source, max_tokens=256)
        assert (image.mode, image.size, image.getpixel((0, 0))) == ("RGB", (40, 30), (255, 0, 0))
    assert load_any(Image.new("L", (20, 10)), max_tokens=256).mode == "RGB"


def test_load_any_refuses_a_page_of_an_image(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    Image.new("RGB", (40, 30)).save(path)
    with pytest.raises(ImageError) as error:
        load_any(path, 2, max_tokens=256)
    assert str(error.value) == "photo.png is an image, not a PDF: it has no page 3."
