"""PDFs and phone photos into a tab, enhancement and OCR evidence: the app's API and the CLI.

The tiny model's words are noise: these tests assert on what reaches it (images, tokens) and on
what the app says around it (pages, messages, evidence of the truth, enhancement notes).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pillow_heif
import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tests.test_documents import _encrypted_pdf
from workbench.bench.load import OUTPUTS
from workbench.bench.ocr import darkened

REPO = Path(__file__).resolve().parent.parent
DOCUMENT_OUTPUTS = ("image", "document", "thumbnails", "pages", "run_status")
QUICK = {
    "preset": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_new_tokens": 8,
    "strict": False,
    "repair_turns": 0,
}


@pytest.fixture(scope="module")
def receipts(app_context) -> dict[str, Path]:
    return {example.name: example.image_path for example in app_context.examples["receipts"]}


@pytest.fixture(scope="module")
def three_page_pdf(tmp_path_factory, receipts) -> Path:
    """Return a PDF of three receipts, one a page."""
    path = tmp_path_factory.mktemp("pdf") / "receipts.pdf"
    pages = [Image.open(receipts[name]).convert("RGB") for name in sorted(receipts)[:3]]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)
    return path


def _document(client: Client, path: Path) -> dict:
    """Open a document in the receipts tab; return the outputs' values by name."""
    values = client.predict(document=handle_file(str(path)), api_name="/receipts_document")
    # A component's update (value and visibility) comes as a dict; its value is what counts.
    values = [value.get("value") if _is_update(value) else value for value in values]
    return dict(zip(DOCUMENT_OUTPUTS, values, strict=True))


def _is_update(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update"


def _ask(client: Client, image: dict, **controls) -> dict:
    values = client.predict(
        image=image, question="What is printed here?", **{**QUICK, **controls},
        api_name="/receipts_ask",
    )  # fmt: skip
    return dict(zip(OUTPUTS, values, strict=True))


def _shown(result: dict) -> dict:
    """Return the image box's value as the client may send it back."""
    return {"image": handle_file(result["image"]["image"]), "boxes": []}


# --- documents in a tab ----------------------------------------------------------------------


def test_a_pdf_shows_its_first_page_thumbnails_and_the_pages_to_ask(app_url, three_page_pdf):
    opened = _document(Client(app_url, verbose=False), three_page_pdf)

    assert opened["pages"] == [1]
    assert len(opened["thumbnails"]) == 3
    page = Image.open(opened["image"]["image"])
    assert page.size[0] * page.size[1] <= 1280 * 1024  # rendered for the budget, no more


def test_a_question_about_three_pages_sends_three_images(app_url, app_context, three_page_pdf):
    client = Client(app_url, verbose=False)
    opened = _document(client, three_page_pdf)
    document = handle_file(str(three_page_pdf))
    one = _ask(client, _shown(opened), document=document, pages=[1])
    three = _ask(client, _shown(opened), document=document, pages=[1, 2, 3])

    assert one["details"]["pages"] == [1] and three["details"]["pages"] == [1, 2, 3]
    assert one["details"]["image_name"] == three["details"]["image_name"] == "receipts.pdf"
    visual = [result["details"]["turns"][0]["tokens"]["visual"] for result in (one, three)]
    assert visual[1] > 2 * visual[0]  # three receipts, each within its own budget
    # Another image in the box: the document's pages no longer apply.
    example = {"image": handle_file(str(app_context.examples["receipts"][0].image_path))}
    other = _ask(client, example | {"boxes": []}, document=document, pages=[1, 2])
    assert other["details"]["pages"] is None


def test_a_phone_photo_goes_into_the_image_box_as_png(app_url, tmp_path, receipts):
    pillow_heif.register_heif_opener()
    photo = tmp_path / "IMG_0001.HEIC"
    Image.open(receipts["receipt_grocery"]).convert("RGB").save(photo, format="HEIF")
    opened = _document(Client(app_url, verbose=False), photo)

    shown = Image.open(opened["image"]["image"])
    assert shown.format == "PNG" and shown.size == Image.open(receipts["receipt_grocery"]).size
    assert not opened["pages"]  # no page picker for a photo


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (_encrypted_pdf(b"secret"), "password"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog", "damaged"),
    ],
    ids=["encrypted", "truncated"],
)
def test_a_locked_or_broken_pdf_is_one_message_and_the_tab_works_on(
    app_url, app_context, tmp_path, data, said
):
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    client = Client(app_url, verbose=False)
    opened = _document(client, path)

    assert opened["run_status"].startswith("⚠️ ") and said in opened["run_status"]
    assert "scan.pdf" in opened["run_status"]
    example = {"image": handle_file(str(app_context.examples["receipts"][0].image_path))}
    assert _ask(client, example | {"boxes": []})["run_status"].startswith("⏱ ")


# --- enhancement and evidence in a tab ---------------------------------------------------------


def test_a_dark_photo_is_brightened_said_under_it_and_recorded(app_url, tmp_path, receipts):
    dark = tmp_path / "dark.png"
    darkened(Image.open(receipts["receipt_grocery"])).save(dark)
    client = Client(app_url, verbose=False)
    image = {"image": handle_file(str(dark)), "boxes": []}

    note = client.predict(image=image, enhance="auto", api_name="/receipts_enhanced")
    assert "brightened (CLAHE)" in note
    assert client.predict(image=image, enhance="off", api_name="/receipts_enhanced") == ""
    result = _ask(client, image, enhance="auto")
    assert result["details"]["enhanced"] == [{"step": "brightened"}]
    assert _ask(client, image, enhance="off")["details"]["enhanced"] == []


def test_each_answer_gets_its_evidence_in_the_panel_and_the_record(app_url, receipts):
    image = {"image": handle_file(str(receipts["receipt_grocery"])), "boxes": []}
    result = _ask(Client(app_url, verbose=False), image)

    evidence = result["details"]["evidence"]
    assert evidence is not None and evidence["total"] == len(evidence["values"])
    assert all(set(value) == {"at", "value", "found", "box", "model_box_off"} for value in
               evidence["values"])  # fmt: skip
    if evidence["total"]:
        assert result["evidence"].startswith("**🔍 Evidence (OCR)**")


# --- the command line -------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_cli_ocr_prints_the_lines_and_their_boxes(receipts):
    done = _cli("ocr", "--image", str(receipts["receipt_grocery"]), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    texts = [line["text"] for line in report["lines"]]
    assert "22.23" in texts and report["enhanced"] == []
    assert all(len(line["box"]) == 4 and 0 < line["score"] <= 1 for line in report["lines"])


def test_cli_evidence_finds_the_total_and_not_a_made_up_one(receipts, tmp_path):
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps({"total": 22.23, "tax": 999.99}))
    done = _cli("evidence", "--image", str(receipts["receipt_grocery"]), "--answer", str(answer),
                "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["found"], report["total"]) == (1, 2)
    assert [value["found"] for value in report["values"]] == [True, False]


def test_cli_reads_a_pdf_page(three_page_pdf):
    done = _cli("ocr", "--image", str(three_page_pdf), "--page", "2", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["lines"]
    beyond = _cli("ocr", "--image", str(three_page_pdf), "--page", "4")
    assert beyond.returncode == 2 and "page 4" in beyond.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("ocr", "--image", "{text}"),
        ("evidence", "--image", "{text}", "--answer", '{{"total": 1}}'),
        ("evidence", "--image", "{image}", "--answer", " "),
    ],
    ids=["ocr-not-an-image", "evidence-not-an-image", "evidence-empty-answer"],
)
def test_cli_ocr_and_evidence_exit_2_with_one_message(args, tmp_path, receipts):
    text = tmp_path / "notes.png"
    text.write_text("not pixels")
    filled = [arg.format(text=text, image=receipts["receipt_grocery"]) for arg in args]
    done = _cli(*filled)
    assert done.returncode == 2
    assert done.stdout == "" and done.stderr.startswith("error: ")
    assert done.stderr.count("\n") == 1
