"""Downloads from the hub, without the internet: a loopback server stands in for the hub.

It serves repos as huggingface_hub asks for them (the model info API, `resolve/` with HEAD and
GET, ETag, X-Repo-Commit, Content-Length, Range) and can drop a connection, stall, refuse, or
go slow. What is checked: progress lines for the whole model, in both languages; a dropped
connection and a download cut short both resume with Range and end with the right bytes;
refusals, stalls and full disks say what to do; `download` fills the cache so that an offline
run (HF_HUB_OFFLINE) loads the model and answers.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import types
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from workbench.engines import download, download_status
from workbench.engines.base import ModelLoadError
from workbench.session import Status

COMMIT = "0123456789abcdef0123456789abcdef01234567"
REPO = "tiny-org/weights"
GGUF_REPO = "tiny-org/tiny-GGUF"
ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- the loopback hub


class Hub:
    """A hub on 127.0.0.1: repos of files, and faults to serve them with."""

    def __init__(self, repos: dict[str, dict[str, bytes]]) -> None:
        self.repos = repos
        self.requests: list[tuple[str, str, str]] = []  # method, path, Range
        self.drop_once: set[str] = set()  # files whose next whole GET is cut off halfway
        self.stall: set[str] = set()  # files whose GETs stop sending (half, or nothing)
        self.refuse: dict[str, int] = {}  # repo -> HTTP status (401: gated)
        self.chunk, self.pause = 64 * 1024, 0.0  # a slow line: a pause after each chunk
        self.release = threading.Event()  # lets stalled answers end
        handler = type("Handler", (_Handler,), {"hub": self})
        self.server = _Server(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def gets(self, name: str) -> list[str]:
        """Return the Range header of each GET of a file (\"\" for a whole-file GET)."""
        return [
            ranged
            for method, path, ranged in self.requests
            if method == "GET" and path.endswith(f"/{name}")
        ]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that hangs up mid-file (Ctrl-C, a timeout) is expected here


class _Handler(BaseHTTPRequestHandler):
    hub: Hub

    def log_message(self, *_: Any) -> None:
        return None

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        hub = self.hub
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        hub.requests.append((self.command, path, self.headers.get("Range", "")))
        if path.startswith("/api/models/"):
            repo = path.removeprefix("/api/models/").partition("/revision/")[0]
            if not self._refused(repo):
                self._info(repo)
            return
        repo, _, rest = path.lstrip("/").partition("/resolve/")
        name = rest.partition("/")[2]
        if self._refused(repo):
            return
        files = hub.repos[repo]
        if name not in files:
            self._error(404, "EntryNotFound")
            return
        self._file(name, files[name], body)

    def _refused(self, repo: str) -> bool:
        status = self.hub.refuse.get(repo, 0 if repo in self.hub.repos else 404)
        codes = {401: "GatedRepo", 404: "RepoNotFound"}
        if status:
            self._error(status, codes.get(status, ""))
        return bool(status)

    def _error(self, status: int, code: str) -> None:
        self.send_response(status)
        if code:
            self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _info(self, repo: str) -> None:
        siblings = [
            {
                "rfilename": name,
                "size": len(data),
                "blobId": hashlib.sha1(data).hexdigest(),
                "lfs": {"size": len(data), "sha256": _sha(data), "pointerSize": 134},
            }
            for name, data in self.hub.repos[repo].items()
        ]
        payload = json.dumps({"id": repo, "sha": COMMIT, "siblings": siblings}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _file(self, name: str, data: bytes, body: bool) -> None:
        hub = self.hub
        ranged = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        start = int(ranged.group(1)) if ranged and body else 0
        if body and name in hub.stall and start:
            hub.release.wait(10)  # not even the headers
            return
        self.send_response(206 if start else 200)
        self.send_header("ETag", f'"{_sha(data)}"')
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not body:
            return
        rest = data[start:]
        if name in hub.stall or name in hub.drop_once:
            hub.drop_once.discard(name)
            self.wfile.write(rest[: len(rest) // 2])
            self.wfile.flush()
            if name in hub.stall:
                hub.release.wait(10)
            return  # the connection closes short of Content-Length
        for at in range(0, len(rest), hub.chunk):
            self.wfile.write(rest[at : at + hub.chunk])
            self.wfile.flush()
            time.sleep(hub.pause)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _gguf(architecture: str, fields: dict[str, Any], padding: int) -> bytes:
    """Return a header-only GGUF file, padded as if it had weights."""
    import tempfile

    from gguf import GGUFWriter

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.gguf"
        writer = GGUFWriter(path, architecture)
        for key, value in fields.items():
            (writer.add_bool if isinstance(value, bool) else writer.add_uint32)(key, value)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        return path.read_bytes() + bytes(padding)


WEIGHTS = {
    "config.json": b'{"model_type": "qwen3_vl"}',
    "model.safetensors": os.urandom(600_000),
    "tokenizer.json": b"{}",
    "README.md": b"# not needed",
    "onnx/model.json": b"{}",
}


@pytest.fixture
def hub() -> Iterator[Hub]:
    model = _gguf("qwen3vl", {"qwen3vl.embedding_length": 64}, 300_000)
    projector = {"clip.has_vision_encoder": True, "clip.vision.projection_dim": 64}
    ggufs = {
        "Tiny-Q8_0.gguf": model,
        "Tiny-F16.gguf": model,
        "mmproj-Tiny-F16.gguf": _gguf("clip", projector, 100_000),
    }
    server = Hub({REPO: dict(WEIGHTS), GGUF_REPO: ggufs})
    yield server
    server.close()


@pytest.fixture
def online(hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point huggingface_hub at the loopback hub and an empty cache; return the cache."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    template = hub.url + "/{repo_id}/resolve/{revision}/{filename}"
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_DOWNLOAD_TIMEOUT", 0.3)
    monkeypatch.setattr(download, "RETRY_PAUSE_SECONDS", 0.0)
    monkeypatch.setattr(download_status, "REPORT_SECONDS", 0.0)
    return tmp_path / "hub"


def _fetch(cache: Path, stages: list[str] | None = None) -> download.Fetched:
    report = (stages if stages is not None else []).append
    return download.fetch_checkpoint(REPO, hub_cache=cache, report=report)


def _kept(cache: Path) -> list[Path]:
    return list(cache.glob("*/blobs/*.incomplete"))


# ---------------------------------------------------------------- progress, in words


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("total", "moves", "line"),
    [
        (8_900_000_000, [], "downloading m.safetensors: 0.0 of 8.9 GB"),
        (
            8_900_000_000,
            [(10, 450_000_000)],
            "downloading m.safetensors: 0.5 of 8.9 GB · 45 MB/s · about 3 min left",
        ),
        (
            45_600_000,
            [(2, 5_000_000), (2, 5_000_000)],
            "downloading m.safetensors: 10.0 of 45.6 MB · 2.5 MB/s · about 15 s left",
        ),
        (
            800_000,
            [(1, 200_000)],
            "downloading m.safetensors: 200 of 800 kB · 200 kB/s · about 3 s left",
        ),
    ],
)
def test_the_progress_line(total: int, moves: list[tuple[float, int]], line: str) -> None:
    clock, seen = _Clock(), []
    progress = download_status.Progress(total, seen.append, clock)
    progress.start("m.safetensors")
    progress.resume(0)
    for seconds, count in moves:
        clock.now += seconds
        progress.add(count)
    assert progress.line() == line
    assert re.fullmatch(r"downloading m\.safetensors: 0(\.0)? of [\d.]+ [kMG]B", seen[0])


def test_progress_counts_the_whole_model_and_a_resumed_file() -> None:
    clock, seen = _Clock(), []
    progress = download_status.Progress(3_000_000, seen.append, clock)
    progress.start("a.safetensors")
    progress.resume(0)
    progress.add(1_000_000)
    progress.finish(1_000_000)
    progress.start("b.safetensors")
    progress.resume(500_000)  # half of it was on disk from an earlier try
    assert progress.line() == "downloading b.safetensors: 1.5 of 3.0 MB"
    assert progress.moved == 1_000_000
    assert progress.kept() == "; 1.5 of 3.0 MB are kept for the next try"


def test_progress_reports_at_most_every_report_seconds() -> None:
    clock, seen = _Clock(), []
    progress = download_status.Progress(10_000_000, seen.append, clock)
    progress.start("m.safetensors")
    progress.resume(0)
    for _ in range(20):
        clock.now += 0.25
        progress.add(100_000)
    assert len(seen) == 1 + 5  # the start, then once a second


@pytest.mark.parametrize(
    ("stage", "chinese"),
    [
        ("downloading mmproj-F16.gguf", "下载 mmproj-F16.gguf"),
        ("asking the hub for Qwen/X's files", "查询 Qwen/X 的文件列表"),
        ("downloading a.safetensors: 0.0 of 8.9 GB", "下载 a.safetensors：0.0 / 8.9 GB"),
        (
            "downloading a.safetensors: 1.2 of 8.9 GB · 45 MB/s · about 3 min left",
            "下载 a.safetensors：1.2 / 8.9 GB · 45 MB/s · 约剩 3 分钟",
        ),
        (
            "downloading a.safetensors: 8.7 of 8.9 GB · 45 MB/s · about 5 s left",
            "下载 a.safetensors：8.7 / 8.9 GB · 45 MB/s · 约剩 5 秒",
        ),
        ("loading the weights onto cpu (bfloat16)", "把权重加载到 cpu (bfloat16)"),
    ],
)
def test_the_status_line_shows_a_download_in_both_languages(stage: str, chinese: str) -> None:
    status = Status("loading", "Qwen/X", stage=stage)
    assert status.summary() == f"Qwen/X · loading: {stage}…"
    assert status.summary("zh") == f"Qwen/X · 正在加载：{chinese}…"


# ---------------------------------------------------------------- downloading


def test_a_checkpoint_comes_into_the_cache_with_progress(hub: Hub, online: Path) -> None:
    hub.pause = 0.1  # about a second in all: long enough for a speed
    stages: list[str] = []
    fetched = _fetch(online, stages)
    names = sorted(path.name for path in fetched.paths)
    assert names == ["config.json", "model.safetensors", "tokenizer.json"]  # no README, no onnx/
    for path in fetched.paths:
        assert path.read_bytes() == WEIGHTS[path.name]
    assert fetched.folder == online / "models--tiny-org--weights" / "snapshots" / COMMIT
    needed = sum(len(WEIGHTS[name]) for name in names)
    assert fetched.total_bytes == fetched.downloaded_bytes == needed
    assert stages[0] == f"asking the hub for {REPO}'s files"
    assert "downloading model.safetensors: 0 of 600 kB" in stages
    assert any(
        re.fullmatch(r"downloading model\.safetensors: \d+ of 600 kB · .*left", s) for s in stages
    )
    assert (online / "models--tiny-org--weights" / "refs" / "main").read_text() == COMMIT
    hub.requests.clear()
    again = _fetch(online)
    assert again.downloaded_bytes == 0 and again.paths == fetched.paths
    assert [method for method, *_ in hub.requests] == ["GET"]  # the listing, no file


def test_a_dropped_connection_resumes_with_range(hub: Hub, online: Path) -> None:
    hub.drop_once.add("model.safetensors")
    fetched = _fetch(online)
    half = len(WEIGHTS["model.safetensors"]) // 2
    assert hub.gets("model.safetensors") == ["", f"bytes={half}-"]
    path = next(path for path in fetched.paths if path.name == "model.safetensors")
    assert path.read_bytes() == WEIGHTS["model.safetensors"]
    assert _kept(online) == []


def test_a_download_cut_short_resumes_on_the_next_try(hub: Hub, online: Path) -> None:
    hub.pause, hub.chunk = 0.01, 16 * 1024

    def interrupt(stage: str) -> None:  # Ctrl-C once 100 kB of the weights are in
        if re.match(r"downloading model\.safetensors: [1-9]\d\d ", stage):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        download.fetch_checkpoint(REPO, hub_cache=online, report=interrupt)
    [partial] = _kept(online)
    kept = partial.stat().st_size
    assert 0 < kept < len(WEIGHTS["model.safetensors"])
    fetched = _fetch(online)
    assert hub.gets("model.safetensors")[-1] == f"bytes={kept}-"
    path = next(path for path in fetched.paths if path.name == "model.safetensors")
    assert path.read_bytes() == WEIGHTS["model.safetensors"]
    rest = len(WEIGHTS["model.safetensors"]) - kept + len(WEIGHTS["tokenizer.json"])
    assert fetched.downloaded_bytes == rest  # config.json came on the first try
    assert _kept(online) == []


def test_a_stalled_download_says_so_and_resumes_later(hub: Hub, online: Path) -> None:
    hub.stall.add("model.safetensors")
    with pytest.raises(ModelLoadError) as caught:
        _fetch(online)
    error = caught.value
    assert error.reason == (
        f"The download of model.safetensors from {REPO} stalled: no data came for 0.3 s, 5 "
        "tries in a row; 300 of 600 kB are kept for the next try."
    )
    assert "resumes where it stopped" in error.hint and "HF_HUB_DOWNLOAD_TIMEOUT" in error.hint
    assert len(hub.gets("model.safetensors")) == 6
    hub.stall.clear()
    fetched = _fetch(online)
    assert hub.gets("model.safetensors")[-1] == "bytes=300000-"
    path = next(path for path in fetched.paths if path.name == "model.safetensors")
    assert path.read_bytes() == WEIGHTS["model.safetensors"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (404, f"There is no model '{REPO}' on the Hugging Face hub (or it is private)."),
        (
            401,
            f"{REPO} is gated on the Hugging Face hub: its files need a login and its licence "
            "accepted.",
        ),
        (403, f"The hub refused {REPO} (HTTP 403)."),
    ],
)
def test_a_refusal_says_what_to_do(hub: Hub, online: Path, status: int, reason: str) -> None:
    hub.refuse[REPO] = status
    with pytest.raises(ModelLoadError) as caught:
        _fetch(online)
    assert caught.value.reason == reason
    assert "hf auth login" in caught.value.hint
    assert [method for method, *_ in hub.requests] == ["GET"]  # asked once, nothing downloaded


def test_the_hub_out_of_reach_falls_back_to_the_cache(hub: Hub, online: Path) -> None:
    _fetch(online)
    hub.close()
    assert _fetch(online).downloaded_bytes == 0  # the cached snapshot
    with pytest.raises(ModelLoadError) as caught:
        download.fetch_checkpoint(REPO, hub_cache=online.parent / "empty", report=print)
    assert caught.value.reason.startswith(f"Could not load '{REPO}': the hub at {hub.url} could")
    assert "python -m workbench download" in caught.value.hint


def test_a_disk_without_room_is_told_before_downloading(
    hub: Hub, online: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        download.shutil, "disk_usage", lambda path: types.SimpleNamespace(free=1000)
    )
    with pytest.raises(ModelLoadError) as caught:
        _fetch(online)
    assert caught.value.reason == (
        f"{REPO} needs 600 kB more on the disk, and only 1 kB is free there ({online})."
    )
    assert hub.gets("model.safetensors") == []


class _FillingFile(io.FileIO):
    """A partial file on a disk that is full once it holds `room` bytes."""

    room = 200_000

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def test_a_disk_that_fills_mid_download_keeps_what_came(
    hub: Hub, online: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roomy = download._open_partial
    monkeypatch.setattr(download, "_open_partial", lambda path: _FillingFile(path, "a"))
    with pytest.raises(ModelLoadError) as caught:
        _fetch(online)
    assert caught.value.reason.startswith(
        f"The disk filled while downloading model.safetensors of {REPO} into {online}; "
    )
    assert "bigger disk" in caught.value.hint
    [partial] = _kept(online)
    kept = partial.stat().st_size
    assert 0 < kept <= _FillingFile.room
    monkeypatch.setattr(download, "_open_partial", roomy)  # space freed
    fetched = _fetch(online)
    assert hub.gets("model.safetensors")[-1] == f"bytes={kept}-"
    path = next(path for path in fetched.paths if path.name == "model.safetensors")
    assert path.read_bytes() == WEIGHTS["model.safetensors"]


# ---------------------------------------------------------------- the session, offline after


@pytest.fixture
def tiny_repo(hub: Hub, cache_dir: Path) -> str:
    """Serve the tiny model's files as a hub repo; return its id."""
    from workbench.engines import tiny

    folder = tiny.ensure_tiny_model(cache_dir)
    files = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    hub.repos["tiny-org/tiny-qwen3-vl"] = files
    return "tiny-org/tiny-qwen3-vl"


def test_the_session_shows_the_download_then_answers_offline(
    hub: Hub, online: Path, tiny_repo: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    from workbench.engines.base import GenerationParams
    from workbench.session import ModelSession
    from workbench.settings import Settings

    settings = Settings(model=tiny_repo, engine="transformers", cache_dir=cache_dir)
    session = ModelSession(settings)
    hub.stall.add("model.safetensors")  # the first question finds the line stalled
    with pytest.raises(ModelLoadError):
        list(session.loading())
    assert session.status.state == "failed"
    assert session.status.summary().startswith(
        f"{tiny_repo} · could not load: The download of model.safetensors from {tiny_repo} "
        "stalled: no data came for 0.3 s"
    )
    hub.stall.clear()
    hub.pause = 0.005
    seen = list(session.loading())  # the next question: the download resumes
    assert hub.gets("model.safetensors")[-1].startswith("bytes=")
    assert seen[-1].state == "ready" and seen[-1].random_weights  # the tiny marker came along
    shown = [status for status in seen if status.stage.startswith("downloading ")]
    line = r"downloading \S+: [\d.]+ of [\d.]+ (kB|MB)( · [\d.]+ [kM]B/s · about \d+ s left)?"
    assert shown and all(
        re.fullmatch(rf"{tiny_repo} · loading: {line}…", s.summary()) for s in shown
    )
    assert all(s.summary("zh").startswith(f"{tiny_repo} · 正在加载：下载 ") for s in shown)
    hub.close()
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    offline = ModelSession(settings)
    question = [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]
    generation = offline.stream(question, GenerationParams(max_new_tokens=3))
    generation.run()
    assert offline.status.state == "ready" and offline.status.random_weights
    assert generation.stats.generated_tokens >= 1


# ---------------------------------------------------------------- the command


def test_download_fetches_the_gguf_pair_then_llamacpp_finds_it_offline(
    hub: Hub, online: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    from workbench.engines import gguf

    environ = {
        **os.environ,
        "HF_ENDPOINT": hub.url,
        "HF_HUB_OFFLINE": "0",
        "HF_HUB_CACHE": str(online),
    }
    command = ["download", "--model", GGUF_REPO, "--engine", "llamacpp", "--quant", "Q8_0"]
    result = subprocess.run(
        [sys.executable, "-m", "workbench", *command],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    folder = online / "models--tiny-org--tiny-GGUF" / "snapshots" / COMMIT
    assert result.stdout.splitlines() == [
        f"{GGUF_REPO} for llamacpp: 2 files, 400 kB, in the cache",
        f"where: {folder}",
        f"offline from now on: HF_HUB_OFFLINE=1 python -m workbench ui --model {GGUF_REPO} "
        "--engine llamacpp --quant Q8_0",
    ]
    # Off a terminal: the first line of each file (then one every few seconds)
    assert result.stderr.splitlines() == [
        "[downloading Tiny-Q8_0.gguf: 0 of 400 kB]",
        "[downloading mmproj-Tiny-F16.gguf: 300 of 400 kB]",
    ]
    hub.close()
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    pair = gguf.resolve_gguf(GGUF_REPO, quant="Q8_0", cache_dir=cache_dir, hub_cache=online)
    assert (pair.model, pair.mmproj) == (folder / "Tiny-Q8_0.gguf", folder / "mmproj-Tiny-F16.gguf")


def test_download_a_checkpoint_says_where_and_how_much(
    hub: Hub, online: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.main import main

    assert main(["download", "--model", REPO, "--engine", "transformers"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0] == f"{REPO} for transformers: 3 files, 600 kB, in the cache (600 kB downloaded now)"
    )
    assert main(["download", "--model", REPO, "--engine", "transformers"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == f"{REPO} for transformers: 3 files, 600 kB, in the cache already (nothing downloaded)"
    )


@pytest.mark.parametrize(
    ("flags", "code", "message"),
    [
        (
            ["--model", "nobody/nothing", "--engine", "transformers"],
            3,
            "error: There is no model 'nobody/nothing' on the Hugging Face hub (or it is private).",
        ),
        (
            ["--engine", "openai", "--base-url", "http://gpu:8000/v1"],
            2,
            "error: the openai engine's model lives on its server",
        ),
        (["--engine", "nothing"], 2, "error: engine must be one of"),
    ],
)
def test_download_exit_codes(
    hub: Hub,
    online: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    code: int,
    message: str,
) -> None:
    from workbench.cli.main import main

    assert main(["download", *flags]) == code
    assert capsys.readouterr().err.splitlines()[-1].startswith(message)
