"""Mobile-app screenshot examples with deliberate layout defects, boxed from what was drawn."""

from __future__ import annotations

from PIL import Image, ImageDraw

from workbench.examples._common import (
    ExampleSpec,
    Font,
    Rect,
    Truth,
    box_2d,
    font,
    smooth_shape,
    union,
)

SIZE = (480, 854)
_TEAL, _TEAL_DARK, _INK, _GREY = (0, 137, 123), (0, 105, 92), (33, 33, 33), (117, 117, 117)
_WHITE = (255, 255, 255)


class _Screen:
    """A phone screen being drawn, with the elements and issues recorded in bbox_2d form."""

    def __init__(self, background: tuple[int, int, int]) -> None:
        self.image = Image.new("RGB", SIZE, background)
        self.draw = ImageDraw.Draw(self.image)
        self.elements: list[dict[str, object]] = []
        self.issues: list[dict[str, object]] = []

    def text(self, xy: tuple[float, float], text: str, face: Font, fill: object) -> Rect:
        """Draw text and return its ink box in pixels."""
        self.draw.text(xy, text, font=face, fill=fill)
        return self.draw.textbbox(xy, text, font=face)

    def element(self, label: str, text: str, rect: Rect) -> None:
        self.elements.append({"label": label, "text": text, "bbox_2d": box_2d(rect, SIZE)})

    def issue(self, kind: str, description: str, rect: Rect) -> None:
        self.issues.append(
            {"kind": kind, "description": description, "bbox_2d": box_2d(rect, SIZE)}
        )

    def button(self, rect: Rect, label: str, face: Font, fill, ink, outline=None) -> Rect:
        """Draw a rounded button with its label centred and return the button's box."""
        x1, y1, x2, y2 = rect
        smooth_shape(self.image, rect, fill, "rounded", (y2 - y1) / 2, outline, 1.5)
        width = self.draw.textlength(label, font=face)
        self.draw.text(
            ((x1 + x2 - width) / 2, (y1 + y2) / 2), label, font=face, fill=ink, anchor="lm"
        )
        return rect

    def truth(self) -> Truth:
        return {"issues": self.issues, "elements": self.elements}


def _status_bar(screen: _Screen, background, ink) -> None:
    screen.draw.rectangle((0, 0, SIZE[0], 28), fill=background)
    screen.draw.text((18, 14), "9:41", font=font("sans_bold", 13), fill=ink, anchor="lm")
    for bar in range(4):  # signal strength
        x = 384 + bar * 6
        screen.draw.rectangle((x, 19 - bar * 3, x + 3, 20), fill=ink)
    screen.draw.rounded_rectangle((420, 8, 446, 20), radius=3, outline=ink, width=1)
    screen.draw.rectangle((423, 11, 440, 17), fill=ink)
    screen.draw.rectangle((447, 12, 449, 16), fill=ink)


def _ellipsize(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> str:
    """Return the longest prefix of text that fits the width once an ellipsis is added."""
    for end in range(len(text), 0, -1):
        candidate = text[:end].rstrip() + "…"
        if draw.textlength(candidate, font=face) <= width:
            return candidate
    return "…"


# --- shop app: truncation, clipped label, overlapping button ---------------------------------


def _shop_top(screen: _Screen) -> None:
    _status_bar(screen, _TEAL_DARK, _WHITE)
    screen.draw.rectangle((0, 28, SIZE[0], 84), fill=_TEAL)
    for row in range(3):  # menu icon
        screen.draw.rectangle((18, 46 + row * 7, 38, 48 + row * 7), fill=_WHITE)
    title = screen.text((58, 43), "Fresh Market", font("sans_bold", 20), _WHITE)
    screen.element("title", "Fresh Market", title)
    smooth_shape(screen.image, (16, 98, 464, 142), (238, 240, 242), "rounded", 22)
    smooth_shape(screen.image, (34, 110, 52, 128), _GREY, outline=_GREY, width=0)
    smooth_shape(screen.image, (37, 113, 49, 125), (238, 240, 242))
    screen.draw.line((49, 125, 56, 132), fill=_GREY, width=3)
    screen.text((66, 111), "Search products", font("sans", 15), (150, 150, 150))
    screen.element("search field", "Search products", (16, 98, 464, 142))


def _shop_banner(screen: _Screen) -> None:
    smooth_shape(screen.image, (16, 158, 464, 238), (255, 243, 224), "rounded", 12)
    full = "Subscribe to premium newsletter for weekly deals"
    face = font("sans_bold", 16)
    shown = _ellipsize(screen.draw, full, face, 300)
    title = screen.text((32, 172), shown, face, _INK)
    screen.text((32, 200), "Save up to 20% every week", font("sans", 13), _GREY)
    join = screen.button((366, 180, 448, 216), "Join", font("sans_bold", 15), (245, 124, 0), _WHITE)
    screen.element("banner title", shown, title)
    screen.element("button", "Join", join)
    screen.issue(
        "truncation", f"Banner title is cut off with an ellipsis; full text: '{full}'.", title
    )


def _product_card(screen: _Screen, top: int, name: str, detail: str, price: str, colour) -> Rect:
    smooth_shape(screen.image, (16, top, 464, top + 84), _WHITE, "rounded", 10, (224, 224, 224), 1)
    smooth_shape(screen.image, (28, top + 10, 92, top + 74), (241, 248, 233), "rounded", 8)
    smooth_shape(screen.image, (42, top + 22, 78, top + 58), colour)
    name_box = screen.text((106, top + 14), name, font("sans_bold", 15), _INK)
    screen.text((106, top + 36), detail, font("sans", 13), _GREY)
    screen.text((106, top + 56), price, font("sans_bold", 14), _TEAL)
    screen.element("product name", name, name_box)
    add = (376, top + 26, 448, top + 58)
    return screen.button(add, "Add", font("sans_bold", 14), _WHITE, _TEAL, outline=_TEAL)


def _shop_checkout(screen: _Screen) -> None:
    screen.draw.rectangle((0, 700, SIZE[0], 784), fill=(250, 250, 250))
    screen.draw.line((0, 700, SIZE[0], 700), fill=(224, 224, 224))
    screen.text((24, 716), "Total", font("sans", 13), _GREY)
    total = screen.text((24, 736), "$11.27", font("sans_bold", 22), _INK)
    screen.element("total", "$11.27", total)
    rect = (250, 716, 464, 766)
    smooth_shape(screen.image, rect, _TEAL, "rounded", 8)
    # The label is longer than its button: draw it on a layer cropped to the button, so it is cut.
    face, label = font("sans_bold", 17), "Proceed to secure checkout"
    layer = Image.new("L", (rect[2] - rect[0], rect[3] - rect[1]), 0)
    ImageDraw.Draw(layer).text((14, 25), label, font=face, fill=255, anchor="lm")
    screen.image.paste(_WHITE, rect, layer)
    visible_width = rect[2] - rect[0] - 14
    shown = next(
        label[:end]
        for end in range(len(label), 0, -1)
        if screen.draw.textlength(label[:end], font=face) <= visible_width
    )
    screen.element("button", shown.rstrip(), rect)
    screen.issue(
        "truncation",
        f"Checkout button label is clipped by the button edge; full text: '{label}'.",
        rect,
    )


def _bottom_nav(screen: _Screen, labels: tuple[str, ...]) -> None:
    top = 784
    screen.draw.rectangle((0, top, SIZE[0], SIZE[1]), fill=_WHITE)
    screen.draw.line((0, top, SIZE[0], top), fill=(224, 224, 224))
    step = SIZE[0] / len(labels)
    for index, label in enumerate(labels):
        centre = step * (index + 0.5)
        colour = _TEAL if index == 0 else _GREY
        smooth_shape(
            screen.image, (centre - 11, top + 12, centre + 11, top + 34), colour, "rounded", 5
        )
        width = screen.draw.textlength(label, font=font("sans", 12))
        screen.text((centre - width / 2, top + 42), label, font("sans", 12), colour)
    screen.element("tab bar", " ".join(labels), (0, top, SIZE[0], SIZE[1]))


def draw_shop_app() -> tuple[Image.Image, Truth]:
    """Return a grocery-shop app screen with a truncated title, a clipped label and an overlap."""
    screen = _Screen((245, 245, 245))
    _shop_top(screen)
    _shop_banner(screen)
    heading = screen.text((16, 256), "Popular today", font("sans_bold", 18), _INK)
    screen.element("heading", "Popular today", heading)
    products = (
        ("Organic Strawberries", "250 g punnet", "$3.99", (229, 57, 53)),
        ("Hass Avocados", "Pack of 4", "$4.49", (85, 139, 47)),
        ("Greek Yogurt", "500 g, plain", "$2.79", (144, 202, 249)),
        ("Sourdough Loaf", "800 g, baked today", "$4.25", (188, 140, 90)),
    )
    adds = [_product_card(screen, 292 + row * 96, *product) for row, product in enumerate(products)]
    for add in adds:
        screen.element("button", "Add", add)
    fab = (396, 506, 452, 562)  # floating action button, placed over the third "Add" button
    x, y = (fab[0] + fab[2]) // 2, (fab[1] + fab[3]) // 2
    smooth_shape(screen.image, (fab[0] + 1, fab[1] + 3, fab[2] + 1, fab[3] + 3), (170, 170, 170))
    smooth_shape(screen.image, fab, (255, 87, 34))
    screen.draw.rectangle((x - 2, y - 12, x + 2, y + 12), fill=_WHITE)
    screen.draw.rectangle((x - 12, y - 2, x + 12, y + 2), fill=_WHITE)
    screen.element("floating action button", "+", fab)
    screen.issue(
        "overlap",
        "Floating '+' button covers the 'Add' button of the Greek Yogurt card.",
        union(fab, adds[2]),
    )
    _shop_checkout(screen)
    _bottom_nav(screen, ("Home", "Search", "Cart", "Account"))
    return screen.image, screen.truth()


# --- login screen: typo, low contrast, misaligned button ------------------------------------

_FIELD_LEFT, _FIELD_RIGHT = 32, 448


def _login_field(screen: _Screen, top: int, label: str, value: str, secret: bool = False) -> Rect:
    label_box = screen.text((_FIELD_LEFT, top), label, font("sans_bold", 14), (66, 66, 66))
    field = (_FIELD_LEFT, top + 24, _FIELD_RIGHT, top + 72)
    smooth_shape(screen.image, field, _WHITE, "rounded", 8, (189, 189, 189), 1.5)
    if secret:
        for dot in range(len(value)):
            x = _FIELD_LEFT + 22 + dot * 16
            smooth_shape(screen.image, (x - 5, top + 43, x + 5, top + 53), _INK)
    else:
        screen.text((_FIELD_LEFT + 14, top + 38), value, font("sans", 15), _INK)
    screen.element("text field", "•" * len(value) if secret else value, field)
    return label_box


def _login_header(screen: _Screen) -> None:
    _status_bar(screen, _WHITE, _INK)
    smooth_shape(screen.image, (200, 110, 280, 190), (63, 81, 181))
    screen.draw.text((240, 150), "N", font=font("sans_bold", 40), fill=_WHITE, anchor="mm")
    title_face = font("sans_bold", 26)
    width = screen.draw.textlength("Nimbus Notes", font=title_face)
    title = screen.text((240 - width / 2, 206), "Nimbus Notes", title_face, _INK)
    screen.element("title", "Nimbus Notes", title)
    tagline = "Your notes, everywhere"
    width = screen.draw.textlength(tagline, font=font("sans", 15))
    screen.text((240 - width / 2, 244), tagline, font("sans", 15), _GREY)


def _login_social(screen: _Screen) -> None:
    face = font("sans", 13)
    screen.draw.line((_FIELD_LEFT, 640, 170, 640), fill=(224, 224, 224))
    screen.draw.line((310, 640, _FIELD_RIGHT, 640), fill=(224, 224, 224))
    screen.draw.text((240, 640), "or continue with", font=face, fill=_GREY, anchor="mm")
    for left, label in ((_FIELD_LEFT, "Google"), (248, "Apple")):
        rect = (left, 664, left + 200, 710)
        screen.button(rect, label, font("sans_bold", 15), _WHITE, _INK, outline=(189, 189, 189))
        screen.element("button", label, rect)
    prompt = screen.text((108, 780), "Don't have an account?", font("sans", 14), _GREY)
    sign_up = screen.text((prompt[2] + 6, 780), "Sign up", font("sans_bold", 14), (63, 81, 181))
    screen.element("link", "Sign up", sign_up)


def draw_login_screen() -> tuple[Image.Image, Truth]:
    """Return a login screen with a typo, low-contrast link text and a misaligned button."""
    screen = _Screen(_WHITE)
    _login_header(screen)
    _login_field(screen, 296, "Email", "alex.morgan@example.com")
    typo = _login_field(screen, 392, "Pasword", "hunter2024", secret=True)
    screen.issue("typo", "Field label reads 'Pasword' instead of 'Password'.", typo)
    smooth_shape(screen.image, (32, 488, 50, 506), _WHITE, "rounded", 3, (117, 117, 117), 2)
    screen.text((60, 488), "Remember me", font("sans", 14), (66, 66, 66))
    faint = (205, 210, 218)  # about 1.5:1 against white, far below WCAG's 4.5:1
    face = font("sans", 14)
    forgot_width = screen.draw.textlength("Forgot password?", font=face)
    forgot = screen.text((_FIELD_RIGHT - forgot_width, 488), "Forgot password?", face, faint)
    screen.element("link", "Forgot password?", forgot)
    screen.issue(
        "contrast", "'Forgot password?' link is light grey on white, hard to read.", forgot
    )
    # The button should span the fields (32..448) but is shifted 18 px to the right.
    sign_in = screen.button(
        (50, 540, 466, 592), "Sign in", font("sans_bold", 17), (63, 81, 181), _WHITE
    )
    screen.element("button", "Sign in", sign_in)
    screen.issue(
        "misalignment",
        "'Sign in' button is shifted 18 px right of the input fields and overhangs them.",
        sign_in,
    )
    _login_social(screen)
    return screen.image, screen.truth()


SPECS = (
    ExampleSpec(
        name="screenshot_shop_app",
        tab="screenshots",
        question="Find layout defects: truncated or clipped text and overlapping elements.",
        preset="Find layout defects",
        draw=draw_shop_app,
    ),
    ExampleSpec(
        name="screenshot_login",
        tab="screenshots",
        question="Review this login screen for typos, low-contrast text and misaligned elements.",
        preset="Find layout defects",
        draw=draw_login_screen,
    ),
)
