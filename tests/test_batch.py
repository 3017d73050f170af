"""`batch`: collecting files, folders, zips and PDF pages; one preset over all of them."""

from __future__ import annotations

import argparse
import csv
import json
import threading
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from workbench.batch import run as batch
from workbench.batch.run import (
    ANNOTATED,
    RESULTS,
    TABLE,
    Row,
    key_values,
    run_batch,
    schema_fields,
)
from workbench.cli.ask import EXIT_MODEL, EXIT_OK, EXIT_USAGE, find_preset
from workbench.cli.batch import add_batch_parser, run_batch_command
from workbench.intake import files as batch_files
from workbench.intake.files import Item, collect
from workbench.prompts.presets import load_all

PRESET = "receipts:extract-all-fields"
TOKENS = 16
# Every item of the `inputs` folder, in order: the model is asked about all but the broken one.
NAMES = [
    "in/a.png",
    "in/broken.png",
    "in/doc.pdf#page=1",
    "in/doc.pdf#page=2",
    "in/pack.zip/x/c.png",
    "in/sub/b.jpg",
]
ASKED = len(NAMES) - 1


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Return a folder of two images, a broken .png, a 2-page PDF, a zip and a stray text file."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    Image.new("RGB", (96, 64), "white").save(folder / "a.png")
    Image.new("RGB", (80, 80), "gray").save(folder / "sub" / "b.jpg")
    (folder / "broken.png").write_text("not an image", encoding="utf-8")
    (folder / "notes.txt").write_text("left out", encoding="utf-8")
    pages = [Image.new("RGB", (200, 280), colour) for colour in ("white", "yellow")]
    pages[0].save(folder / "doc.pdf", save_all=True, append_images=pages[1:])
    with zipfile.ZipFile(folder / "pack.zip", "w") as archive:
        archive.write(folder / "a.png", "x/c.png")
        archive.writestr("readme.txt", "left out")
        archive.writestr("__MACOSX/x/._c.png", "a resource fork")
    return folder


@pytest.fixture
def preset():
    return find_preset(PRESET, load_all())[1]


def _unpack(tmp_path: Path) -> Path:
    folder = tmp_path / "unpacked"
    folder.mkdir(exist_ok=True)
    return folder


# ---------------------------------------------------------------- collecting


def test_collect_walks_folders_zips_and_pages(inputs: Path, tmp_path: Path) -> None:
    items = collect([inputs, inputs / "a.png"], unpack_dir=_unpack(tmp_path))

    assert [item.name for item in items] == NAMES  # a.png given twice is asked once
    assert [item.page for item in items] == [None, None, 1, 2, None, None]
    assert not any(item.error for item in items)  # the broken file fails when it is run
    assert len({item.key for item in items}) == len(items)
    member = items[4]
    assert member.key.endswith("pack.zip!x/c.png")
    assert member.path.is_file() and member.path.is_relative_to(tmp_path / "unpacked")


def test_collect_refuses_a_missing_path_and_a_zip_with_nowhere_to_go(inputs: Path) -> None:
    with pytest.raises(ValueError, match="no such file or folder"):
        collect([inputs / "missing.png"])
    with pytest.raises(ValueError, match="is a zip"):
        collect([inputs / "pack.zip"])


@pytest.mark.parametrize(
    "member",
    ["../evil.png", "x/../../evil.png", "/tmp/evil.png", "..\\evil.png", "C:/evil.png"],
)
def test_zip_slip_is_refused(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("fine.png", b"x")
        opened.writestr(member, b"x")
    unpack = _unpack(tmp_path)

    items = collect([archive], unpack_dir=unpack)

    assert [item.name for item in items] == ["bad.zip"]
    assert "outside its folder" in items[0].error
    assert list(unpack.iterdir()) == []  # nothing unpacked, not even the fine member
    assert not list(tmp_path.rglob("evil.png"))


@pytest.mark.parametrize(
    ("limit", "error"),
    [("MAX_UNZIPPED_BYTES", "unpacked; refused"), ("MAX_ZIP_MEMBERS", "at most 1 are unpacked")],
)
def test_a_zip_over_the_limits_is_refused(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: str, error: str
) -> None:
    monkeypatch.setattr(batch_files, limit, 1)

    (item,) = collect([inputs / "pack.zip"], unpack_dir=_unpack(tmp_path))

    assert item.name == "pack.zip"
    assert error in item.error


def test_a_damaged_pdf_and_zip_are_items_with_their_message(tmp_path: Path) -> None:
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (tmp_path / "cut.zip").write_bytes(b"PK\x03\x04 garbage")

    items = collect([tmp_path / "cut.pdf", tmp_path / "cut.zip"], unpack_dir=_unpack(tmp_path))

    assert [item.name for item in items] == ["cut.pdf", "cut.zip"]
    assert all(item.error for item in items)


# ---------------------------------------------------------------- pure helpers


def test_schema_fields_are_the_scalar_properties_in_order(preset) -> None:
    assert schema_fields(preset.schema) == (
        "merchant",
        "date",
        "currency",
        "subtotal",
        "tax_rate",
        "tax",
        "total",
    )
    assert schema_fields(None) == ()


@pytest.mark.parametrize(
    ("value", "names", "expected"),
    [
        ({"total": 5, "date": None, "items": [1]}, ("total", "date", "items"), {"total": 5}),
        ({"a": "x", "b": [1], "c": 2.5}, (), {"a": "x", "c": 2.5}),
        ([1, 2], ("total",), {}),
        (None, (), {}),
    ],
)
def test_key_values(value, names, expected) -> None:
    assert key_values(value, names) == expected


def test_csv_cells_cannot_start_a_formula(tmp_path: Path) -> None:
    rows = [Row("k", "=cmd.png", ok=True, fields={"merchant": "@SUM(A1)", "total": -3})]

    batch.write_table(rows, tmp_path / TABLE, ("merchant", "total"))

    (line,) = list(csv.DictReader((tmp_path / TABLE).open(encoding="utf-8")))
    assert (line["file"], line["merchant"], line["total"]) == ("'=cmd.png", "'@SUM(A1)", "-3")


def test_a_torn_last_line_is_asked_again(tmp_path: Path) -> None:
    results = tmp_path / RESULTS
    results.write_text(json.dumps({"key": "a", "file": "a.png"}) + '\n{"key": "b", "fi')

    assert list(batch._read_rows(results)) == ["a"]
    assert results.read_text().endswith("\n")  # the next row starts a line of its own


# ---------------------------------------------------------------- running, tiny model


class CountingStream:
    """Wraps a session's `stream`, counting the questions (first turns) it is asked."""

    def __init__(self, stream) -> None:
        self.stream, self.questions = stream, 0

    def __call__(self, messages, params):
        self.questions += not any(message["role"] == "assistant" for message in messages)
        return self.stream(messages, params)


@pytest.fixture
def counted(tiny_session, monkeypatch: pytest.MonkeyPatch) -> CountingStream:
    counter = CountingStream(tiny_session.stream)
    monkeypatch.setattr(tiny_session, "stream", counter)
    return counter


def _run(items, session, preset, out: Path, **options) -> list[Row]:
    return list(run_batch(items, session, preset, out_dir=out, max_new_tokens=TOKENS, **options))


def _jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / RESULTS).read_text(encoding="utf-8").splitlines()]


def _table(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / TABLE).open(encoding="utf-8")))


def test_run_batch_writes_a_row_per_item(
    inputs: Path, tmp_path: Path, tiny_session, counted: CountingStream, preset
) -> None:
    out = tmp_path / "out"
    items = collect([inputs], unpack_dir=_unpack(tmp_path))
    begun: list[tuple[int, int, str]] = []

    rows = _run(
        items, tiny_session, preset, out, progress=lambda d, t, i: begun.append((d, t, i.name))
    )

    assert [row.file for row in rows] == NAMES
    assert begun == [(index, len(NAMES), name) for index, name in enumerate(NAMES)]
    assert counted.questions == ASKED
    broken = rows[1]
    assert (broken.ok, broken.annotated) == (False, "")
    assert "broken.png is not an image" in broken.error
    for row in rows[:1] + rows[2:]:
        assert row.ok and row.error == ""
        assert isinstance(row.valid, bool)
        assert 1 <= row.generated_tokens <= TOKENS * 2  # a repair turn at most
        assert row.prompt_tokens > 0 and row.seconds > 0
        assert 0 <= row.checks_passed <= row.checks_total
        assert Image.open(out / row.annotated).size[0] > 0
    logged = _jsonl(out)
    assert [Row.from_dict(line) for line in logged] == rows
    assert logged[1]["record"] is None
    assert logged[2]["record"]["pages"] == [1] and logged[3]["record"]["pages"] == [2]
    assert logged[0]["record"]["image_name"] == "in/a.png"
    table = _table(out)
    assert [line["file"] for line in table] == NAMES
    assert [line["ok"] for line in table] == [str(row.ok) for row in rows]
    assert table[1]["error"] == broken.error
    assert {"merchant", "date", "total"} <= set(table[0])
    shown = sorted(row.annotated for row in rows if row.ok)
    assert sorted(str(path.relative_to(out)) for path in (out / ANNOTATED).iterdir()) == shown
    assert sorted(zipfile.ZipFile(out / f"{ANNOTATED}.zip").namelist()) == shown


def test_stop_ends_the_batch_after_the_current_item(
    inputs: Path, tmp_path: Path, tiny_session, counted: CountingStream, preset
) -> None:
    out, stop = tmp_path / "out", threading.Event()
    items = collect([inputs], unpack_dir=_unpack(tmp_path))
    rows = []

    for row in run_batch(items, tiny_session, preset, out_dir=out, stop=stop, max_new_tokens=8):
        rows.append(row)
        stop.set()

    assert [row.file for row in rows] == NAMES[:1]
    assert counted.questions == 1
    assert [line["file"] for line in _jsonl(out)] == NAMES[:1]
    assert [line["file"] for line in _table(out)] == NAMES[:1]
    assert len(zipfile.ZipFile(out / f"{ANNOTATED}.zip").namelist()) == 1


def test_resume_asks_only_what_is_not_done(
    inputs: Path, tmp_path: Path, tiny_session, counted: CountingStream, preset
) -> None:
    out, stop = tmp_path / "out", threading.Event()
    items = collect([inputs], unpack_dir=_unpack(tmp_path))
    first = []
    for row in run_batch(items, tiny_session, preset, out_dir=out, stop=stop, max_new_tokens=8):
        first.append(row)
        if len(first) == 3:  # a.png, broken.png, doc.pdf#page=1
            stop.set()
    counted.questions = 0

    rest = _run(items, tiny_session, preset, out, resume=True)

    assert [row.file for row in rest] == NAMES[3:]
    assert counted.questions == len(NAMES) - 3
    assert [line["file"] for line in _jsonl(out)] == NAMES
    table = _table(out)
    assert [line["file"] for line in table] == NAMES
    assert table[0]["seconds"] == str(first[0].seconds)  # the earlier rows, as they were
    assert len(zipfile.ZipFile(out / f"{ANNOTATED}.zip").namelist()) == ASKED


def test_an_item_known_broken_when_collected_is_a_row(
    tmp_path: Path, tiny_session, counted: CountingStream, preset
) -> None:
    item = Item("k", "cut.pdf", tmp_path / "cut.pdf", error="cut.pdf is damaged")

    (row,) = _run([item], tiny_session, preset, tmp_path / "out")

    assert (row.ok, row.error, counted.questions) == (False, "cut.pdf is damaged", 0)


# ---------------------------------------------------------------- the command


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workbench")
    add_batch_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["batch", *argv])


def test_command_prints_a_line_per_file_and_resumes(
    inputs: Path, tmp_path: Path, cache_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "out"
    argv = (str(inputs), "--preset", PRESET, "--out", str(out), "--model", "tiny")
    argv += ("--cache-dir", str(cache_dir), "--max-new-tokens", "4")

    assert run_batch_command(_args(*argv)) == EXIT_OK

    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        f"[{index}/{len(NAMES)}] {name}" for index, name in enumerate(NAMES, start=1)
    ]
    assert "files/min" in lines[-1]
    assert not [path for path in out.iterdir() if path.name.startswith(".unzipped")]
    assert run_batch_command(_args(*argv)) == EXIT_USAGE  # results there: --resume or not
    assert "--resume" in capsys.readouterr().err
    assert run_batch_command(_args(*argv, "--resume")) == EXIT_OK
    assert capsys.readouterr().out.startswith("[0 asked")


@pytest.mark.parametrize(
    ("argv", "code", "error"),
    [
        (("--preset", "receipts:nope"), EXIT_USAGE, "nope"),
        (("--preset", "nowhere:x"), EXIT_USAGE, "unknown tab"),
        (("--preset", PRESET, "--max-new-tokens", "0"), EXIT_USAGE, "max_new_tokens 0"),
        (("--preset", PRESET, "--memory-limit-gib", "0.01"), EXIT_MODEL, "would not fit"),
    ],
)
def test_command_exit_codes(
    inputs: Path, tmp_path: Path, cache_dir: Path, capsys, argv, code: int, error: str
) -> None:
    common = ("--out", str(tmp_path / "out"), "--model", "tiny", "--cache-dir", str(cache_dir))

    assert run_batch_command(_args(str(inputs), *common, *argv)) == code
    assert error in capsys.readouterr().err


def test_command_refuses_no_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "empty").mkdir()
    argv = (str(tmp_path / "empty"), "--preset", PRESET, "--out", str(tmp_path / "out"))

    assert run_batch_command(_args(*argv)) == EXIT_USAGE
    assert "no images or PDFs" in capsys.readouterr().err
    assert run_batch_command(_args(str(tmp_path / "missing"), *argv[1:])) == EXIT_USAGE
