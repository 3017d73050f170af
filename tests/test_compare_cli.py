"""`python -m workbench compare` and `contrast`: a pair, two folders, masks, a report to file,
JSON, and every bad input as one line on stderr with exit code 2; `--judge` (the model's
verdicts: the tiny model for shape, stand-in sessions for counts and failures)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.helpers import RecordingSession
from workbench.cli.ask import EXIT_MODEL, EXIT_OK, EXIT_USAGE
from workbench.cli.compare import mask_box
from workbench.cli.main import main
from workbench.compare.drawn import drawn_pairs, font
from workbench.engines.base import ModelLoadError

PAIRS = {pair.name: pair for pair in drawn_pairs(1.5)}


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shots")
    pair = PAIRS["label changed"]
    paths = {"before": folder / "before.png", "after": folder / "after.png"}
    pair.before.save(paths["before"])
    pair.after.save(paths["after"])
    return paths


def test_a_pair_prints_a_line_per_change(shots, capsys) -> None:
    assert main(["compare", str(shots["before"]), str(shots["after"])]) == EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1. text: 'Coffee beans' → 'Green tea' at [")
    assert out[-1].startswith("[1 change(s), 0 cut, 0 under AA, scale 1,")


def test_a_pair_as_json_with_a_report_to_file(shots, tmp_path: Path, capsys) -> None:
    report = tmp_path / "bug.zip"
    argv = ["compare", str(shots["before"]), str(shots["after"]), "--json", "--report", str(report)]
    assert main(argv) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert [change["kind"] for change in data["changes"]] == ["text"]
    assert data["report"] == str(report) and data["problem"] == ""
    with zipfile.ZipFile(report) as archive:
        assert "report.md" in archive.namelist() and "crops/change-1.png" in archive.namelist()


def test_a_mask_hides_a_change(shots, capsys) -> None:
    x0, y0, x1, y1 = PAIRS["label changed"].changes[0].before_box
    mask = f"{x0 - 4},{y0 - 4},{x1 + 4},{y1 + 4}"
    argv = [
        "compare",
        str(shots["before"]),
        str(shots["after"]),
        "--mask",
        mask,
        "0,0,10,10",
        "--json",
    ]
    assert main(argv) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["changes"] == []


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("1,2,30,40", (1, 2, 30, 40)),
        ("1.4,2.6,30,40", (1, 3, 30, 40)),
        (" 0, 0, 5, 5", (0, 0, 5, 5)),
    ],
)
def test_a_mask_box(text: str, box) -> None:
    assert mask_box(text) == box


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "10,0,5,5", "0,10,5,5"])
def test_a_bad_mask_is_refused_by_the_parser(shots, text: str, capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["compare", str(shots["before"]), str(shots["after"]), f"--mask={text}"])
    assert caught.value.code == EXIT_USAGE
    assert "X0" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("gone.png", None, "No screenshot at"),
        ("page.pdf", b"%PDF-1.7\n%fake", "is a PDF"),
        ("text.png", b"plain text", "cannot be compared"),
    ],
    ids=["missing", "pdf", "not an image"],
)
def test_a_file_that_is_not_a_screenshot(
    shots, tmp_path: Path, name: str, data, said: str, capsys
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    assert main(["compare", str(shots["before"]), str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("error: ") and said in err and "Traceback" not in err


def test_a_file_against_a_folder_is_refused(shots, tmp_path: Path, capsys) -> None:
    assert main(["compare", str(shots["before"]), str(tmp_path)]) == EXIT_USAGE
    assert "two folders" in capsys.readouterr().err


def test_two_folders_make_one_report(tmp_path: Path, capsys) -> None:
    before, after, out = tmp_path / "v1", tmp_path / "v2", tmp_path / "out"
    before.mkdir()
    after.mkdir()
    PAIRS["row removed"].before.save(before / "orders.png")
    PAIRS["row removed"].after.save(after / "orders.png")
    PAIRS["row removed"].before.save(before / "only-before.png")
    assert main(["compare", str(before), str(after), "--out", str(out)]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "orders\t1 change(s)\t0 under AA\t0 cut\torders.zip",
        f"only-before\tonly in {before}",
    ]
    assert "[1/1] orders: 1 change(s)" in captured.err
    assert (out / "report.md").is_file() and (out / "orders.zip").is_file()


def test_two_folders_as_json(tmp_path: Path, capsys) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    argv = [
        "compare",
        str(tmp_path / "a"),
        str(tmp_path / "b"),
        "--out",
        str(tmp_path / "o"),
        "--json",
    ]
    assert main(argv) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"] == [] and data["missing_before"] == []
    argv = ["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "o")]
    assert main(argv) == EXIT_OK
    assert "pairs are matched by file name" in capsys.readouterr().err


def test_contrast_lists_every_line_and_flags_the_faint_one(tmp_path: Path, capsys) -> None:
    image = Image.new("RGB", (420, 130), "white")
    draw = ImageDraw.Draw(image)
    draw.text((12, 12), "Total due today", font=font(26), fill=(20, 20, 20))
    draw.text((12, 72), "Terms apply here", font=font(26), fill=(205, 205, 205))
    path = tmp_path / "screen.png"
    image.save(path)
    assert main(["contrast", str(path), "--json"]) == EXIT_OK
    lines = json.loads(capsys.readouterr().out)["lines"]
    assert [line["aa"] for line in lines] == [True, False]
    assert lines[1]["ratio"] < 3 and lines[0]["ratio"] > 15
    assert main(["contrast", str(path)]) == EXIT_OK
    captured = capsys.readouterr()
    assert "FAIL" in captured.out.splitlines()[1] and "[2 lines, 1 under AA]" in captured.err


def test_contrast_of_no_file(tmp_path: Path, capsys) -> None:
    assert main(["contrast", str(tmp_path / "none.png")]) == EXIT_USAGE
    assert "No screenshot at" in capsys.readouterr().err


# --- --judge: the model's verdicts on each pair's changes ----------------------------------

VERDICT = json.dumps({"defects": [{"change": 1, "defect": True, "severity": "high", "why": "x"}]})


class _Failing(RecordingSession):
    """A loaded model whose every turn fails."""

    def stream(self, messages, params):
        raise RuntimeError("engine fell over")


class _NotLoading(RecordingSession):
    """A model that does not load; counts the tries."""

    tries = 0

    def loading(self):
        _NotLoading.tries += 1
        raise ModelLoadError("no weights at /nowhere", "pass --model tiny")
        yield


def _sessions(monkeypatch, session: RecordingSession) -> None:
    """Make --judge ask `session` instead of loading a model."""
    monkeypatch.setattr("workbench.session.ModelSession", lambda settings: session)


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """Return two folders: `a` and `b` with a label changed, `same` unchanged."""
    before, after = tmp_path / "v1", tmp_path / "v2"
    before.mkdir()
    after.mkdir()
    for name in ("a", "b"):
        PAIRS["label changed"].before.save(before / f"{name}.png")
        PAIRS["label changed"].after.save(after / f"{name}.png")
    PAIRS["label changed"].before.save(before / "same.png")
    PAIRS["label changed"].before.save(after / "same.png")
    return before, after


def _judged_run(tmp_path: Path, capsys, *options: str) -> tuple[int, dict, str]:
    before, after = _folders(tmp_path)
    argv = ["compare", str(before), str(after), "--out", str(tmp_path / "out"), "--judge"]
    code = main([*argv, *options])
    captured = capsys.readouterr()
    rows = json.loads(captured.out)["pairs"] if "--json" in options else {}
    return code, {row["name"]: row for row in rows}, captured


def test_judge_on_a_drawn_pair_with_the_tiny_model(shots, tmp_path: Path, capsys) -> None:
    """Shape only: the verdicts (whatever a random model says) and the turn's record."""
    report = tmp_path / "bug.zip"
    argv = ["compare", str(shots["before"]), str(shots["after"]), "--judge", "--json"]
    options = ["--model", "tiny", "--max-new-tokens", "8", "--report", str(report)]
    assert main([*argv, *options]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["defects"], list) and isinstance(data["not_judged"], str)
    assert bool(data["not_judged"]) != data["judge"]["validation"]["valid"]
    assert data["judge"]["after_name"] == "after.png" and data["judge"]["random_weights"]
    assert [change["kind"] for change in data["changes"]] == ["text"]
    with zipfile.ZipFile(report) as archive:
        assert json.loads(archive.read("report.json"))["defects"] == data["defects"]


def test_judge_on_a_pair_prints_the_verdicts(shots, monkeypatch, capsys) -> None:
    _sessions(monkeypatch, RecordingSession(VERDICT))
    argv = ["compare", str(shots["before"]), str(shots["after"]), "--judge"]
    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out.splitlines()[-1] == "#1 defect (high): x"


def test_folders_with_judge_count_defects_or_say_why_not(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    session = RecordingSession(VERDICT, "no JSON here", "none after the repair turn either")
    _sessions(monkeypatch, session)
    code, rows, _ = _judged_run(tmp_path, capsys, "--json")
    # One turn for the judged pair, two (a repair) for the other; the unchanged one not asked.
    assert code == EXIT_OK and len(session.sent) == 3
    assert rows["same"]["defects"] == 0 and rows["same"]["not_judged"] == ""
    judged = [(rows[name]["defects"], rows[name]["not_judged"]) for name in "ab"]
    assert (1, "") in judged  # whichever pair got the verdict
    [(defects, reason)] = [row for row in judged if row != (1, "")]
    assert defects is None and reason.startswith("The model's answer was no valid list")
    assert "not judged: The model's answer" in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.parametrize(
    ("session", "code", "reason"),
    [
        (_Failing(), EXIT_OK, "The model failed on this pair: RuntimeError: engine fell over"),
        (
            _NotLoading(),
            EXIT_MODEL,
            "The model could not be loaded: no weights at /nowhere pass --model tiny",
        ),
    ],
    ids=["turn fails", "model does not load"],
)
def test_a_judge_failure_keeps_the_run_going(
    tmp_path: Path, monkeypatch, capsys, session, code: int, reason: str
) -> None:
    _sessions(monkeypatch, session)
    _NotLoading.tries = 0
    got, _, captured = _judged_run(tmp_path, capsys)
    assert got == code and "Traceback" not in captured.err
    assert sorted(captured.out.splitlines()) == [
        f"a\t1 change(s)\tnot judged: {reason}\t0 under AA\t0 cut\ta.zip",
        f"b\t1 change(s)\tnot judged: {reason}\t0 under AA\t0 cut\tb.zip",
        "same\t0 change(s)\t0 defects\t0 under AA\t0 cut\tsame.zip",
    ]
    assert _NotLoading.tries == (1 if code == EXIT_MODEL else 0)  # tried once, not per pair
    assert all((tmp_path / "out" / f"{name}.zip").is_file() for name in ("a", "b", "same"))


def test_without_judge_no_model_is_made(tmp_path: Path, monkeypatch, capsys) -> None:
    def refuse(settings):
        raise AssertionError("a model session was made")

    monkeypatch.setattr("workbench.session.ModelSession", refuse)
    before, after = _folders(tmp_path)
    assert main(["compare", str(before), str(after), "--out", str(tmp_path / "o")]) == EXIT_OK
    assert "defects" not in capsys.readouterr().out
