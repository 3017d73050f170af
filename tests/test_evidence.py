"""Evidence: each value of an answer looked for in the OCR lines, on made-up lines and real ones.

The text readers of `printed` (normalising, numbers and dates read both ways) are tested here too.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from PIL import Image

from workbench.evidence.match import (
    Evidence,
    EvidenceReport,
    check_answer,
    check_text,
    evidence_json,
    model_boxes_from,
    values_to_check,
)
from workbench.evidence.ocr import OcrLine
from workbench.evidence.printed import compact, dates_in, normalise, numbers_in
from workbench.prompts.presets import load_all


def _line(text: str, box: tuple[int, int, int, int] = (0, 0, 100, 20)) -> OcrLine:
    return OcrLine(text, box, 0.99)


def _found(report: EvidenceReport) -> dict[str, bool]:
    return {evidence.path: evidence.found for evidence in report.values}


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＴＯＴＡＬ　１２３．４５", "total 123.45"),  # full-width letters, digits, space
        ("¥8898.04", "8898.04"),
        ("￥1156.75", "1156.75"),
        ("$ 22.23  USD", "22.23 usd"),
        ("€ 1.016,82", "1.016,82"),
        ("£169.47", "169.47"),
        ("壹万零伍拾肆元柒角玖分", "壹万零伍拾肆柒角玖分"),
        ("Straße\n\tTOTAL", "strasse total"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INV-2024-0117", "inv20240117"),
        ("LOYALTY CARD - FREE COFFEE", "loyaltycardfreecoffee"),
        ("纳税人识别号：91310115MA1K3R8LXT", "纳税人识别号91310115ma1k3r8lxt"),
        ("A4 copy paper, box of 5 reams", "a4copypaperboxof5reams"),
    ],
)
def test_compact(text: str, expected: str) -> None:
    assert compact(text) == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Total due (GBP) 1,016.82", 1016.82),
        ("1.016,82 EUR", 1016.82),
        ("1 016,82", 1016.82),
        ("¥8,898.04", 8898.04),
        ("1'016.82", 1016.82),
        ("MEMBER DISCOUNT -1.08", 1.08),
        ("−4.20", 4.20),
        ("TAX 7%", 7),
        ("TAX 7%", 0.07),
        ("4,20 €", 4.2),
        ("2 × 1.49", 2),
        ("2 × 1.49", 1.49),
        ("２．００", 2),
        ("x2", 2),
        ("1,016", 1016),
        ("Account 5310 9942", 9942),
        ("1.32 kg × 0.59/kg", 0.59),
        ("TOTAL22.23", 22.23),  # OCR dropped the space
        ("张江路188号", 188),
        ("数量10", 10),
    ],
)
def test_numbers_in_finds(text: str, number: float) -> None:
    assert any(abs(number - found) < 1e-9 for found in numbers_in(text))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1.49", 49),  # the decimals are no number of their own
        ("1.49", 149),
        ("A4 paper", 4),  # a digit after a letter belongs to a code
        ("MA1K3R8LXT", 3),
        ("Bristol BS1 6UF", 6),
        ("1,016.82", 1016),
        ("5310 9942", 53109942),  # groups of four are no thousands
        ("2 × 1.49", 21.49),
    ],
)
def test_numbers_in_does_not_find(text: str, number: float) -> None:
    assert all(abs(number - found) > 1e-9 for found in numbers_in(text))


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("DATE 03/14/2024", {"2024-03-14"}),
        ("14.03.2024", {"2024-03-14"}),
        ("2024-03-14 09:17", {"2024-03-14"}),
        ("开票日期：2024年5月16日", {"2024-05-16"}),
        ("2024年05月16日", {"2024-05-16"}),
        ("2024/05/16", {"2024-05-16"}),
        ("２０２４－０５－１６", {"2024-05-16"}),
        ("Date 2 May 2024", {"2024-05-02"}),
        ("May 2, 2024", {"2024-05-02"}),
        ("14th March 2024", {"2024-03-14"}),
        ("03/04/24", {"2024-03-04", "2024-04-03"}),  # month and day, both ways round
        ("Sort code 20-45-77", set()),
        ("TIME 18:42", set()),
    ],
)
def test_dates_in(text: str, dates: set[str]) -> None:
    assert dates_in(text) == dates


# --- what is checked --------------------------------------------------------------------------


def test_values_to_check_skips_what_is_not_read_off_the_image() -> None:
    answer = {
        "total": 22.23,
        "qty": 1,
        "tax": 0,
        "paid": True,
        "note": None,
        "confidence": 0.9,
        "bbox_2d": [10, 20, 30, 40],
        "reason": "short",
        "items": [{"name": "FLAT WHITE", "description": "milk coffee", "amount": -1.0}],
        "long": "x" * 61,
        "dash": "-",
        "code": "x" * 60,
    }
    assert values_to_check(answer) == [
        ("$.total", 22.23),
        ("$.items[0].name", "FLAT WHITE"),
        ("$.code", "x" * 60),
    ]


def test_values_with_enum_or_const_in_the_schema_are_skipped() -> None:
    schema = {
        "type": "object",
        "$defs": {"verdict": {"type": "string", "enum": ["correct", "incorrect"]}},
        "properties": {
            "kind": {"anyOf": [{"type": "string", "enum": ["typo", "overlap"]}, {"type": "null"}]},
            "version": {"const": 2},
            "steps": {
                "type": "array",
                "items": {"properties": {"verdict": {"$ref": "#/$defs/verdict"}}},
            },
            "pair": {"prefixItems": [{"enum": ["a b"]}, {"type": "string"}]},
        },
    }
    answer = {
        "kind": "typo",
        "version": 2,
        "text": "Pasword",
        "steps": [{"text": "3x = 18", "verdict": "incorrect"}],
        "pair": ["a b", "c d"],
    }
    assert values_to_check(answer, schema) == [
        ("$.text", "Pasword"),
        ("$.steps[0].text", "3x = 18"),
        ("$.pair[1]", "c d"),
    ]
    assert len(values_to_check(answer)) == 7  # without the schema every value is checked


def test_a_screenshot_element_label_is_skipped_and_its_text_checked() -> None:
    schema = load_all()["screenshots"].get("List visible text").schema
    answer = {"elements": [{"label": "button", "text": "Sign in", "bbox_2d": [1, 2, 3, 4]}]}
    expected = [("$.elements[0].text", "Sign in")]
    assert values_to_check(answer, schema) == values_to_check(answer) == expected
    # The role is skipped even where the image happens to print it.
    report = check_answer(answer, [_line("button"), _line("Sign in")], schema)
    assert _found(report) == {"$.elements[0].text": True}


def test_the_homework_schema_skips_verdicts() -> None:
    schema = load_all()["homework"].get("Grade step by step").schema
    answer = {
        "problem": "Solve for x: 3x + 7 = 22",
        "steps": [{"text": "3x = 18", "verdict": "incorrect", "reason": "22 - 7 = 15"}],
        "final_answer": "x = 6",
        "correct": False,
    }
    paths = [path for path, _ in values_to_check(answer, schema)]
    assert paths == ["$.problem", "$.steps[0].text", "$.final_answer"]


# --- matching on made-up lines --------------------------------------------------------------

RECEIPT = (
    _line("GREEN VALLEY MARKET", (90, 50, 330, 76)),
    _line("DATE 03/14/2024", (56, 140, 197, 163)),
    _line("WHOLE MILK 1L", (57, 204, 181, 227)),
    _line("2.98", (330, 200, 371, 220)),
    _line("2 × 1.49", (76, 225, 155, 248)),
    _line("Wireless keyboard", (44, 322, 200, 347)),
    _line("and mouse set", (44, 350, 160, 372)),
    _line("TOTAL USD", (68, 540, 154, 562)),
    _line("¥1,016.82", (331, 536, 420, 555)),
)


def test_check_answer_finds_numbers_dates_and_strings() -> None:
    answer = {
        "merchant": "Green Valley Market",
        "date": "2024-03-14",
        "currency": "USD",
        "items": [
            {"name": "WHOLE MILK 1L", "qty": 2.0, "unit_price": 1.49, "amount": 2.98},
            {"name": "Wireless keyboard and mouse set", "qty": 1, "amount": 4.5},
        ],
        "total": 1016.82,
    }
    report = check_answer(answer, RECEIPT)
    assert _found(report) == {
        "$.merchant": True,
        "$.date": True,
        "$.currency": True,
        "$.items[0].name": True,
        "$.items[0].qty": True,  # 2.0 reads "2"
        "$.items[0].unit_price": True,
        "$.items[0].amount": True,
        "$.items[1].name": True,  # wrapped over two lines
        "$.items[1].amount": False,
        "$.total": True,
    }
    boxes = {evidence.path: evidence.box for evidence in report.values}
    assert boxes["$.total"] == (331, 536, 420, 555)
    assert boxes["$.items[1].name"] == (44, 322, 200, 372)  # both lines
    assert boxes["$.items[1].amount"] is None
    assert (report.found, report.total) == (9, 10)


@pytest.mark.parametrize(
    ("printed", "value", "found"),
    [
        ("2", 2.0, True),
        ("2.00", 2.0, True),
        ("2.00", 2, True),
        ("-1.08", 1.08, True),
        ("1.08", -1.08, True),
        ("22.23", 22.2300000001, True),
        ("22.23", 22.24, False),
        ("TAX 8%", 8.0, True),
        ("１２３", 123, True),
        ("Sum: 1 016,82", 1016.82, True),
        ("INV-2024-0117", "inv 2024 0117", True),
        ("VAT No. GB 274 1183 09", "GB274118309", True),
        ("发票号码：48271635", "48271635", True),
        ("发票号码：48271635", "4827163", False),  # one digit short is another number
        ("发票号码：48271635", "8271635", False),
        ("纳税人识别号：91310115MA1K3R8LXT", "91310115MA1K3R8LXT", True),
        ("Tel 5550132290", "555013229", False),
        ("GREEN VALLEY MARKET", "Green Valley", True),
        ("GREEN VALLEY MARKET", "Green Valley Mark", True),  # letters may be clipped
        ("Proceed to secure ch", "Proceed to secure c", True),
        ("称：上海云帆信息技术有限公司", "上海云帆信息技术有限公司", True),
        ("单位 箱", "箱", True),
        ("箱子", "箱", False),
        ("Flat White", "FLAT WHITE", True),
        ("RANGE -10...50 °C", "°C", True),  # a two-letter string as a whole word
        ("Account 5310", "c", False),  # ...not inside another word
        ("2 May 2024", "2024-05-02", True),
        ("2 May 2024", "2024-05-03", False),
    ],
)
def test_one_value(printed: str, value: object, found: bool) -> None:
    report = check_answer({"value": value}, [_line(printed)])
    assert report.values[0].found is found


def test_a_fabricated_number_is_not_found() -> None:
    assert not check_answer({"total": 999.99}, RECEIPT).values[0].found


def test_nothing_is_found_without_lines() -> None:
    report = check_answer({"total": 22.23, "merchant": "X Y Z"}, [])
    assert (report.found, report.total) == (0, 2)


def test_model_box_off() -> None:
    answer = {
        "items": [
            {"amount": 2.98, "bbox_2d": [0, 0, 10, 10]},
            {"amount": 2.98, "bbox_2d": [0, 0, 10, 10]},
            {"amount": 5.55, "bbox_2d": [0, 0, 10, 10]},
        ],
        "total": 1016.82,
    }
    model_boxes = {
        "$.items[0]": (320, 195, 380, 225),  # around the printed 2.98
        "$.items[1]": (0, 400, 100, 450),  # somewhere else
        "$.items[2]": (0, 400, 100, 450),
    }
    report = check_answer(answer, RECEIPT, model_boxes=model_boxes)
    off = {e.path: (e.found, e.model_box_off) for e in report.values}
    assert off == {
        "$.items[0].amount": (True, False),
        "$.items[1].amount": (True, True),
        "$.items[2].amount": (False, False),  # not seen at all: nothing to be off
        "$.total": (True, False),  # no box for it
    }


def test_the_box_inside_the_model_box_is_preferred() -> None:
    lines = [_line("4.20", (300, 10, 340, 30)), _line("2 x 4.20", (80, 40, 160, 60))]
    report = check_answer(
        {"item": {"amount": 4.2}}, lines, model_boxes={"$.item": (70, 35, 90, 65)}
    )
    assert report.values[0].box == (80, 40, 160, 60)
    assert not report.values[0].model_box_off


def test_model_boxes_from_maps_bbox_2d_to_pixels() -> None:
    answer = {
        "elements": [{"text": "Join", "bbox_2d": [500, 250, 1000, 500]}, {"bbox_2d": [1, 2]}],
        "bbox_2d": [0, 0, 500, 1000],
    }
    assert model_boxes_from(answer, (400, 800)) == {
        "$.elements[0]": (200, 200, 400, 400),
        "$": (0, 0, 200, 800),
    }


def test_check_text_checks_numbers_and_dates_of_free_text() -> None:
    text = (
        "Discounts found on 03/14/2024:\n"
        "1. ＷＨＯＬＥ milk: 2 × $1.49\n"
        "2. Total ¥1,016.82, or 1 016,82, and 999.99 more, 0 left\n"
    )
    report = check_text(text, RECEIPT)
    assert [(e.path, e.value, e.found) for e in report.values] == [
        ("text[0]", "03/14/2024", True),
        ("text[1]", "2", True),
        ("text[2]", "1.49", True),
        ("text[3]", "1,016.82", True),
        ("text[4]", "1 016,82", True),
        ("text[5]", "999.99", False),
    ]
    assert report.values[0].box == (56, 140, 197, 163)
    assert check_text("Nothing to see here.", RECEIPT).total == 0


def test_report_summary_and_dict() -> None:
    report = check_answer({"total": 1016.82, "tax": 999.99, "merchant": "Nope"}, RECEIPT)
    assert report.summary() == "1 of 3 values seen on the image"
    assert report.summary("zh") == "3 个值中有 1 个在图片上找到"
    assert check_answer({"total": 2.98}, RECEIPT).summary() == "1 of 1 value seen on the image"
    assert check_answer({}, RECEIPT).summary("zh") == "没有需要在图片上核对的值"
    with pytest.raises(ValueError, match="language"):
        report.summary("fr")
    data = report.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["found"] == 1 and data["total"] == 3
    assert data["values"][0] == {
        "path": "$.total",
        "value": 1016.82,
        "found": True,
        "box": [331, 536, 420, 555],
        "model_box_off": False,
    }
    assert data["values"][1]["box"] is None


def test_evidence_has_one_json_shape() -> None:
    report = EvidenceReport(
        (
            Evidence("$.total", 9.5, True, (1, 2, 3, 4), model_box_off=True),
            Evidence("$.tax", 2, False),
        )
    )
    assert json.dumps(evidence_json(report)) == (
        '{"values": [{"path": "$.total", "value": 9.5, "found": true, "box": [1, 2, 3, 4], '
        '"model_box_off": true}, {"path": "$.tax", "value": 2, "found": false, "box": null, '
        '"model_box_off": false}], "found": 1, "total": 2}'
    )
    assert evidence_json(report) == report.as_dict()
    assert report.values[0].as_dict() == evidence_json(report)["values"][0]
    # A record names the JSON path "at": gradio_client takes a dict with a "path" for a file.
    assert evidence_json(report, path_key="at")["values"][1] == {
        "at": "$.tax",
        "value": 2,
        "found": False,
        "box": None,
        "model_box_off": False,
    }
    assert next(iter(evidence_json(report, path_key="at")["values"][0])) == "at"
    assert evidence_json(report, values=False) == {"found": 1, "total": 2}
    assert evidence_json(None) is None and evidence_json(None, values=False) is None


# --- the built-in examples, read by the real OCR ------------------------------------------------


@pytest.fixture(scope="module")
def receipts(cache_dir: Path) -> dict[str, tuple]:
    """Return {name: (example, OCR lines, schema)} for the receipts tab, each read once."""
    pytest.importorskip("rapidocr")
    from workbench.evidence.ocr import read_lines
    from workbench.examples import ensure_examples

    presets = load_all()["receipts"]
    fallback = presets.get("Extract all fields").schema
    found = {}
    for example in ensure_examples(cache_dir / "examples")["receipts"]:
        lines = read_lines(Image.open(example.image_path))
        found[example.name] = (example, lines, presets.get(example.preset).schema or fallback)
    return found


def test_every_receipts_example_is_checked(receipts: dict[str, tuple]) -> None:
    expected = {"receipt_grocery", "receipt_cafe", "invoice_office_supplies"}
    assert expected <= set(receipts)  # and vat_invoice_hangzhou where a CJK font is installed


@pytest.mark.parametrize(
    "name",
    ["receipt_grocery", "receipt_cafe", "invoice_office_supplies", "vat_invoice_hangzhou"],
)
def test_every_truth_value_is_seen(receipts: dict[str, tuple], name: str) -> None:
    if name not in receipts:
        pytest.skip(f"{name} is not drawn here (no CJK font)")
    example, lines, schema = receipts[name]
    report = check_answer(example.truth, lines, schema)
    assert report.total >= 12
    assert [e.path for e in report.values if not e.found] == []


def test_a_fabricated_total_is_not_seen_on_a_real_receipt(receipts: dict[str, tuple]) -> None:
    example, lines, schema = receipts["receipt_grocery"]
    truth = copy.deepcopy(example.truth)
    truth["total"] = 999.99
    truth["merchant"] = "BLUE DOOR CAFE"
    report = check_answer(truth, lines, schema)
    missing = [e.path for e in report.values if not e.found]
    assert missing == ["$.merchant", "$.total"]
