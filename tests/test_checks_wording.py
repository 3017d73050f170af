"""Every check in both languages: no English in the Chinese, every sentence tested, titles."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import check_name
from tests.test_checks_capital_amounts import UNREADABLE_AMOUNTS
from tests.test_checks_gauges import GAUGE, GAUGE_SAID
from tests.test_checks_homework import HOMEWORK_SAID
from tests.test_checks_receipts import RECEIPT_SAID
from tests.test_checks_run import NOT_OBJECTS
from tests.test_checks_screenshots import SCREENSHOT_SAID
from tests.test_checks_vat_invoice import VAT_SAID
from workbench.answers.checks import (
    CHECKS,
    CapitalAmountError,
    CheckContext,
    check_title,
    parse_capital_amount,
    run_checks,
    value_in_scale,
)
from workbench.answers.checks.wording import TITLES, CheckNote, note
from workbench.compare.turn import CHECK as COMPARE_CHECK
from workbench.wording import CHECK_SENTENCES as WORDING

SAID = RECEIPT_SAID + GAUGE_SAID + HOMEWORK_SAID + SCREENSHOT_SAID + VAT_SAID


def _schema_fields(schema: Any) -> set[str]:
    """Return every property name in a JSON Schema."""
    if isinstance(schema, list):
        return {name for each in schema for name in _schema_fields(each)}
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    return names.union(*(_schema_fields(each) for each in schema.values()))


PRESETS = Path(__file__).resolve().parents[1] / "presets"
# A Chinese message may name a field of the answer (a JSON path: items[1].amount), and may
# carry JSON's true/false/null and the word JSON; values the answer wrote come in "quotes" or,
# like units, as the answer wrote them.
FIELD_NAMES = set().union(
    *(_schema_fields(json.loads(p.read_text())) for p in PRESETS.glob("*.json"))
)
ALLOWED_LATIN = FIELD_NAMES | {"JSON", "true", "false", "null", "bar", "cm"}
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# A run of Latin letters that is not part of a longer name or code: bbox_2d, 9133O1O6MA2H.
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")


def english_words(chinese: str, allowed: set[str] = ALLOWED_LATIN) -> list[str]:
    """Return the Latin words in a Chinese text outside quoted values and field names."""
    return [word for word in _WORD.findall(_QUOTED.sub("", chinese)) if word not in allowed]


def test_english_words_finds_english() -> None:
    assert english_words('total says 7.07 "ok" items[0].amount') == ["says"]


CHINESE_TEXTS = [
    *((case[0], case[5]) for case in SAID),
    *((text or "empty", chinese) for text, _, chinese in UNREADABLE_AMOUNTS),
    *((group, chinese) for group, _, _, chinese in NOT_OBJECTS),
]


@pytest.mark.parametrize(
    "chinese", [text for _, text in CHINESE_TEXTS], ids=[i for i, _ in CHINESE_TEXTS]
)
def test_chinese_text_has_no_english_word(chinese: str) -> None:
    assert english_words(chinese) == []


@pytest.mark.parametrize("key", sorted(WORDING))
def test_chinese_template_has_no_english_word(key: str) -> None:
    template = WORDING[key].zh
    literal = "".join(text for text, *_ in string.Formatter().parse(template))
    # Fields are filled in by facts; the template's own Latin is JSON and the field it names.
    assert english_words(literal, {"JSON", "true", "false", "correct"}) == []


def _keys(wording: CheckNote) -> set[str]:
    """Return the wording key of a note and of every note among its facts."""
    keys = {wording.key}
    for _, fact in wording.facts:
        for each in fact if isinstance(fact, tuple) else (fact,):
            if isinstance(each, CheckNote):
                keys |= _keys(each)
    return keys


def test_every_sentence_is_tested_in_both_languages() -> None:
    results = [result for case in SAID for result in case[1](case[2])]
    results += [
        result
        for group, value, *_ in NOT_OBJECTS
        for result in run_checks([group], value, CheckContext())
    ]
    notes = [result.note for result in results]
    for text, *_ in UNREADABLE_AMOUNTS:
        with pytest.raises(CapitalAmountError) as raised:
            parse_capital_amount(text)
        notes.append(raised.value.note)
    used = set().union(*map(_keys, notes)) | {"capital.too_large"}
    # box.other words a box problem workbench.answers.boxes may one day add: tested below.
    assert sorted(set(WORDING) - used) == ["box.other"]


def test_an_unknown_box_problem_is_still_chinese() -> None:
    other = note("box.other", problem="is upside down")
    assert (other.text("en"), other.text("zh")) == ("is upside down", "不是有效的框")


# With the check of the model's verdicts on a comparison (its sentences: tests/test_compare_turn).
ALL_CHECK_NAMES = sorted({check_name(case[1]) for case in SAID} | set(CHECKS) | {COMPARE_CHECK})


def test_check_names_are_stable() -> None:
    assert sorted(CHECKS) == ["gauge", "homework", "receipt", "screenshot", "vat_invoice"]
    assert sorted(TITLES) == ALL_CHECK_NAMES


@pytest.mark.parametrize(
    ("name", "english", "chinese"),
    [
        ("items_sum", "Items add up", "明细相加等于小计"),
        ("threshold_alarm", "Alarm threshold", "报警阈值"),
        ("total_in_words", "Total in words", "大写金额与小写一致"),
        ("vat_invoice", "VAT invoice", "增值税发票"),
        ("no_such_check", "no_such_check", "no_such_check"),  # an unknown name as it is
    ],
)
def test_check_title(name: str, english: str, chinese: str) -> None:
    assert (check_title(name), check_title(name, "en"), check_title(name, "zh")) == (
        english,
        english,
        chinese,
    )


def test_a_result_titles_itself() -> None:
    result = value_in_scale(GAUGE)[0]
    assert (result.title(), result.title("zh")) == ("Reading on the scale", "读数在量程之内")


@pytest.mark.parametrize("name", ALL_CHECK_NAMES)
def test_every_check_has_a_title_in_both_languages(name: str) -> None:
    english, chinese = check_title(name, "en"), check_title(name, "zh")
    assert english != name and re.fullmatch(r"[A-Z][\w '+=]*", english)
    assert not re.search(r"[A-Za-z]", chinese)


def test_a_language_other_than_en_or_zh_is_refused() -> None:
    result = value_in_scale(GAUGE)[0]
    with pytest.raises(ValueError, match="language must be one of en, zh; got 'fr'"):
        result.text("fr")
    with pytest.raises(ValueError, match="language must be one of en, zh"):
        check_title("items_sum", "fr")
