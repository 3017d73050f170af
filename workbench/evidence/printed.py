"""What text printed on an image says: numbers and dates read both ways, text compared without
punctuation.

OCR gives lines of text as printed; an answer gives values as JSON. These readers bring both to
one form, so `evidence` can tell whether a value was printed:

- `normalise`: Unicode NFKC (full-width digits and letters), case folded, currency signs dropped
  (including 元圆圓円, written after the amount), whitespace collapsed. `compact` keeps only the
  letters and digits of that, so "INV-2024-0117" and "inv 2024 0117" compare equal.
- `numbers_in`: every value each number may stand for, its thousands and decimal separators
  read both ways ("1,016.82", "1.016,82", "1 016,82"), signs dropped ("-1.08") and percentages
  kept as printed ("7%" reads 7, and 0.07). Whole digits right after a Latin letter (A4,
  MA1K3R8) are a code, not a number.
- `dates_in`: every ISO `YYYY-MM-DD` date a date in any common form may stand for (03/14/2024
  and 14.03.2024 both ways round, 2024/05/16, 2024年5月16日, 2 May 2024, May 2, 2024).

`number_matches` and `date_matches` give the same readings with where each was printed in an
already normalised text.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator, Sequence

_CURRENCY = frozenset("元圆圓円")  # written after the amount in Chinese and Japanese
_CJK_START = 0x2E80  # CJK radicals; from here on, words are not parted by spaces


def normalise(text: str) -> str:
    """Return text in NFKC, case folded, currency signs dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = (
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch) != "Sc" and ch not in _CURRENCY
    )
    return " ".join("".join(kept).split())


def compact(text: str) -> str:
    """Return the normalised text with everything but letters and digits removed."""
    return "".join(ch for ch in normalise(text) if ch.isalnum())


# A number as printed: an optional sign, digits with separators, an optional percent sign.
_NUMBER = re.compile(
    r"(?P<sign>[-+−–]\s?)?"
    r"(?<!\d)(?P<body>\d+(?:[.,' ]\d+)*)"  # 1,016.82  1.016,82  1 016,82  8898.04
    r"(?P<percent>\s?%)?"
)
_SEPARATOR = re.compile(r"[.,' ]")


def numbers_in(text: str) -> frozenset[float]:
    """Return every value the numbers in a text may stand for, signs dropped."""
    return frozenset().union(*(readings for _, _, readings in number_matches(normalise(text))))


def number_matches(text: str) -> list[tuple[int, str, frozenset[float]]]:
    """Return (start, as written, possible values) for each number in normalised text."""
    numbers = []
    for match in _NUMBER.finditer(text):
        if _in_code(text, match.start("body"), match["body"]):
            continue
        readings = _readings(match["body"])
        if match["percent"]:
            readings |= {reading / 100 for reading in readings}
        if readings:
            numbers.append((match.start(), match[0].strip(), frozenset(readings)))
    return numbers


def _in_code(text: str, start: int, body: str) -> bool:
    """Return True for whole digits right after a Latin letter (A4, MA1K3R8, BS1): a code.

    Not after x (x2, 2x1.49), nor with a decimal part (TOTAL22.23: OCR dropped the space).
    """
    before = text[start - 1] if start else ""
    latin = before.isalpha() and ord(before) < _CJK_START and before != "x"
    return latin and not any(mark in body for mark in ".,")


def _readings(body: str) -> set[float]:
    """Return the values digits with separators may stand for; spaces may also part numbers."""
    readings = set()
    if " " in body:  # "1 016,82" is one number; "5310 9942" two
        for part in body.split(" "):
            readings |= _readings(part)
    groups, separators = _SEPARATOR.split(body), _SEPARATOR.findall(body)
    if not separators:
        return {float(body)}
    if len(set(separators)) == 1 and _thousands(groups):  # 1,016  1.016.820  1 016
        readings.add(float("".join(groups)))
    *head, last = separators
    # The last separator a decimal point, any before it thousands separators of the other kind:
    # 4.20  4,20  1,016.82  1.016,82  1 016,82
    grouped = len(set(head)) == 1 and head[0] != last and _thousands(groups[:-1])
    if last in ".," and (not head or grouped):
        readings.add(float("".join(groups[:-1]) + "." + groups[-1]))
    return readings


def _thousands(groups: Sequence[str]) -> bool:
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATES = (
    # 2024-03-14  2024/05/16  2024.3.14  2024年5月16日
    re.compile(r"(?<!\d)(?P<y>\d{4}) ?[-/.年] ?(?P<a>\d{1,2}) ?[-/.月] ?(?P<b>\d{1,2})(?!\d)"),
    # 03/14/2024  14.03.2024  14-03-24: month first or day first, both tried
    re.compile(r"(?<!\d)(?P<b>\d{1,2})([-/.])(?P<a>\d{1,2})\2(?P<y>\d{4}|\d{2})(?!\d)"),
    re.compile(rf"(?<!\d)(?P<a>\d{{1,2}})(?:st|nd|rd|th)?[ .-]?{_MONTH}[ .,-]*(?P<y>\d{{4}})"),
    re.compile(rf"\b{_MONTH} ?(?P<a>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y>\d{{4}})(?!\d)"),
)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def dates_in(text: str) -> frozenset[str]:
    """Return every ISO date (YYYY-MM-DD) the dates in a text may stand for."""
    return frozenset(iso for _, iso in date_matches(normalise(text)))


def date_matches(text: str) -> Iterator[tuple[tuple[int, int], str]]:
    """Yield ((start, end), ISO date) for each reading of each date in normalised text."""
    for pattern in _DATES:
        for match in pattern.finditer(text):
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            a, b = int(match["a"]), int(match["b"]) if "b" in match.re.groupindex else 0
            if "month" in match.re.groupindex:  # a is the day
                pairs = [(_MONTHS.index(match["month"][:3]) + 1, a)]
            elif match.re is _DATES[0]:
                pairs = [(a, b)]
            else:
                pairs = [(a, b), (b, a)]
            for month, day in pairs:
                iso = _iso(year, month, day)
                if iso:
                    yield match.span(), iso


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
