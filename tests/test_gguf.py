"""GGUF files for the llama.cpp engine: picking, reading, checking, resolving, building, serving.

The tiny pair is converted once (module scope) by llama.cpp's vendored converter from the
project's tiny model; xllamacpp serves it. Assertions are on shapes and messages, never on the
words a random model says.
"""

from __future__ import annotations

import base64
import io
import shutil
import time
import types
from pathlib import Path

import pytest

from workbench.engines import gguf, gguf_build, tiny
from workbench.engines.base import ModelLoadError
from workbench.engines.gguf import GgufPair

REPO = gguf.DEFAULT_GGUF_REPO
# The files of Qwen/Qwen3-VL-4B-Instruct-GGUF (its model card: the language model in F16, Q8_0
# and Q4_K_M, the vision file in F16 and Q8_0).
QWEN_FILES = (
    ".gitattributes",
    "README.md",
    "Qwen3VL-4B-Instruct-F16.gguf",
    "Qwen3VL-4B-Instruct-Q4_K_M.gguf",
    "Qwen3VL-4B-Instruct-Q8_0.gguf",
    "mmproj-Qwen3VL-4B-Instruct-F16.gguf",
    "mmproj-Qwen3VL-4B-Instruct-Q8_0.gguf",
)


@pytest.fixture(scope="module")
def pair(cache_dir: Path) -> GgufPair:
    """Return the tiny GGUF pair, built once into the shared test cache."""
    return gguf_build.ensure_tiny_gguf(cache_dir)


def _error(call, *args, **kwargs) -> ModelLoadError:
    """Return the ModelLoadError a call raises, checking it carries no chained traceback."""
    with pytest.raises(ModelLoadError) as caught:
        call(*args, **kwargs)
    error = caught.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)
    return error


# ---------------------------------------------------------------- picking files


@pytest.mark.parametrize(
    ("quant", "expected"),
    [
        ("Q4_K_M", ("Qwen3VL-4B-Instruct-Q4_K_M.gguf", "mmproj-Qwen3VL-4B-Instruct-Q8_0.gguf")),
        ("q4_k_m", ("Qwen3VL-4B-Instruct-Q4_K_M.gguf", "mmproj-Qwen3VL-4B-Instruct-Q8_0.gguf")),
        ("Q8_0", ("Qwen3VL-4B-Instruct-Q8_0.gguf", "mmproj-Qwen3VL-4B-Instruct-Q8_0.gguf")),
        ("F16", ("Qwen3VL-4B-Instruct-F16.gguf", "mmproj-Qwen3VL-4B-Instruct-F16.gguf")),
        ("f16", ("Qwen3VL-4B-Instruct-F16.gguf", "mmproj-Qwen3VL-4B-Instruct-F16.gguf")),
    ],
)
def test_pick_files_on_the_qwen_repo(quant: str, expected: tuple[str, str]) -> None:
    assert gguf.pick_files(QWEN_FILES, quant) == expected


def test_a_quant_the_repo_lacks_is_refused_with_the_list_it_has() -> None:
    error = _error(gguf.pick_files, QWEN_FILES, "Q5_K_M", repo=REPO)
    assert error.reason == f"{REPO} has no Q5_K_M model file; it has F16, Q4_K_M, Q8_0."
    assert error.hint == "Pass --quant with one of: F16, Q4_K_M, Q8_0."


@pytest.mark.parametrize(
    ("files", "quant", "expected"),
    [
        # lmstudio-community's naming: one vision file, named after no quant.
        (
            [
                "Qwen2-VL-2B-Instruct-Q4_K_M.gguf",
                "Qwen2-VL-2B-Instruct-Q8_0.gguf",
                "mmproj-model-f32.gguf",
            ],
            "Q8_0",
            ("Qwen2-VL-2B-Instruct-Q8_0.gguf", "mmproj-model-f32.gguf"),
        ),
        # A dot before the quant, files in a folder, and an F16 vision file among others.
        (
            ["q/m.Q4_0.gguf", "mmproj-m-bf16.gguf", "mmproj-m-F16.gguf", "config.json"],
            "q4_0",
            ("q/m.Q4_0.gguf", "mmproj-m-F16.gguf"),
        ),
    ],
)
def test_pick_files_on_other_namings(files: list[str], quant: str, expected: tuple) -> None:
    assert gguf.pick_files(files, quant) == expected


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (["config.json", "model.safetensors"], "the repo holds no GGUF model file."),
        (
            ["Qwen2.5-3B-Instruct.Q4_K_M.gguf", "README.md"],
            "the repo holds text-only models: the workbench asks about images, so it needs a "
            "vision file (mmproj-…gguf) made for the model.",
        ),
    ],
)
def test_pick_files_refuses_repos_without_a_pair(files: list[str], reason: str) -> None:
    assert _error(gguf.pick_files, files, "Q4_K_M").reason == reason


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("Qwen/Qwen3-VL-4B-Instruct-GGUF", True),
        ("unsloth/Qwen3-VL-4B-Instruct-GGUF", True),
        ("someone/qwen3-vl-gguf-q4", True),
        ("Qwen/Qwen3-VL-4B-Instruct", False),
        ("tiny", False),
        ("model.gguf", True),
        ("/nowhere/Model-Q4_K_M.GGUF", True),
        ("/nowhere/checkpoint", False),
    ],
)
def test_looks_like_gguf_by_name(model: str, expected: bool) -> None:
    assert gguf.looks_like_gguf(model) is expected


def test_looks_like_gguf_by_folder(tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / "weights.gguf").write_bytes(b"GGUF")
    assert gguf.looks_like_gguf(str(tmp_path))
    assert not gguf.looks_like_gguf(str(tiny.ensure_tiny_model(cache_dir)))  # safetensors


# ---------------------------------------------------------------- reading and checking


def test_the_header_reader_agrees_with_gguf_reader(pair: GgufPair) -> None:
    from gguf import GGUFReader

    for path in (pair.model, pair.mmproj):
        reader = GGUFReader(path)
        expected = {
            name: field.contents()
            for name, field in reader.fields.items()
            if not name.startswith("GGUF.") and len(field.data) <= 64
        }
        metadata, shapes = gguf.gguf_header(path)
        assert metadata.keys() == expected.keys()
        for key, value in expected.items():  # floats are float32 in the file
            assert metadata[key] == (pytest.approx(value) if isinstance(value, float) else value)
        assert shapes == {t.name: tuple(int(n) for n in t.shape) for t in reader.tensors}


def test_what_the_tiny_pair_is(pair: GgufPair) -> None:
    assert gguf.is_gguf(pair.model) and gguf.is_gguf(pair.mmproj)
    assert gguf.gguf_kind(pair.model) == "text"
    assert gguf.gguf_kind(pair.mmproj) == "mmproj"
    assert gguf.quant_name(pair.model) == "F16"
    vision = gguf.gguf_metadata(pair.mmproj)
    assert vision["general.architecture"] == "clip"
    assert vision["clip.vision.projection_dim"] == 64  # the tiny text model's hidden size
    assert vision["clip.vision.is_deepstack_layers"] == [False, True]
    text = gguf.gguf_metadata(pair.model)
    assert text["general.architecture"] == "qwen3vl"
    assert text["qwen3vl.embedding_length"] == 64
    assert text["qwen3vl.n_deepstack_layers"] == 1
    assert "tokenizer.ggml.tokens" not in text  # long arrays are skipped, not read
    shape = gguf.model_shape(pair.model)
    assert (shape.layers, shape.kv_heads, shape.head_dim) == (2, 2, 16)
    from gguf import GGUFReader

    vocabulary = len(GGUFReader(pair.model).fields["tokenizer.ggml.tokens"].data)
    assert shape.embedding_parameters == 64 * vocabulary
    assert shape.parameters > shape.embedding_parameters
    gguf.check_pair(pair.model, pair.mmproj)  # a good pair passes


def test_is_gguf_is_false_for_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.gguf").write_text("this is not a model\n")
    assert not gguf.is_gguf(tmp_path / "notes.gguf")
    assert not gguf.is_gguf(tmp_path / "absent.gguf")
    assert not gguf.is_gguf(tmp_path)


def _projector(path: Path, width: int, deepstack: list[bool]) -> Path:
    """Write a header-only vision file with the given output width and deepstack layers."""
    from gguf import GGUFWriter

    writer = GGUFWriter(path, "clip")
    writer.add_bool("clip.has_vision_encoder", True)
    writer.add_uint32("clip.vision.projection_dim", width)
    writer.add_array("clip.vision.is_deepstack_layers", deepstack)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_check_pair_messages(pair: GgufPair, tmp_path: Path) -> None:
    text_file = tmp_path / "notes.gguf"
    text_file.write_text("this is not a model\n")
    damaged = tmp_path / "cut.gguf"
    damaged.write_bytes(pair.model.read_bytes()[:100])
    wide = _projector(tmp_path / "mmproj-wide.gguf", 128, [False, True])
    deep = _projector(tmp_path / "mmproj-deep.gguf", 64, [True, True])
    model, mmproj = pair.model.name, pair.mmproj.name
    cases = [
        (
            (tmp_path / "absent.gguf", pair.mmproj),
            f"There is no file at {tmp_path / 'absent.gguf'}.",
        ),
        (
            (text_file, pair.mmproj),
            "notes.gguf is not a GGUF file (it starts with b'this', not b'GGUF').",
        ),
        (
            (pair.model, text_file),
            "notes.gguf is not a GGUF file (it starts with b'this', not b'GGUF').",
        ),
        ((damaged, pair.mmproj), "cut.gguf is damaged: its GGUF header cannot be read."),
        (
            (pair.mmproj, pair.mmproj),
            f"{mmproj} is a vision projector (mmproj), not the language model.",
        ),
        (
            (pair.model, None),
            f"{model} is a text-only model: the workbench asks about images, so it needs the "
            "vision file (mmproj-…gguf) from the same repo.",
        ),
        (
            (pair.model, pair.model),
            f"{model} is a language model, not a vision projector (mmproj).",
        ),
        (
            (pair.model, wide),
            f"mmproj-wide.gguf does not belong to {model}: its image embeddings are 128 wide, "
            "the model's 64.",
        ),
        (
            (pair.model, deep),
            f"mmproj-deep.gguf does not belong to {model}: the vision file feeds 2 deepstack "
            "layers, the model 1.",
        ),
    ]
    for args, reason in cases:
        assert _error(gguf.check_pair, *args).reason == reason
    assert _error(gguf.check_pair, pair.model, None).hint == "Pass it with --mmproj FILE."


# ---------------------------------------------------------------- resolving


def test_resolve_a_folder_holding_both(pair: GgufPair, tmp_path: Path, cache_dir: Path) -> None:
    shutil.copy(pair.model, tmp_path / "model-F16.gguf")
    shutil.copy(pair.mmproj, tmp_path / "mmproj-model-F16.gguf")
    found = gguf.resolve_gguf(str(tmp_path), cache_dir=cache_dir)
    assert found == GgufPair(
        tmp_path / "model-F16.gguf", tmp_path / "mmproj-model-F16.gguf", "model-F16.gguf"
    )


def test_resolve_a_folder_with_several_quants(
    pair: GgufPair, tmp_path: Path, cache_dir: Path
) -> None:
    gguf_build.quantize(pair.model, tmp_path / "model-Q8_0.gguf", "Q8_0")
    shutil.copy(pair.model, tmp_path / "model-F16.gguf")
    shutil.copy(pair.mmproj, tmp_path / "mmproj-model-F16.gguf")
    found = gguf.resolve_gguf(str(tmp_path), quant="q8_0", cache_dir=cache_dir)
    assert (found.model.name, found.mmproj.name) == ("model-Q8_0.gguf", "mmproj-model-F16.gguf")
    error = _error(gguf.resolve_gguf, str(tmp_path), quant="Q4_K_M", cache_dir=cache_dir)
    assert error.reason == f"{tmp_path} has no Q4_K_M model file; it has F16, Q8_0."


def test_resolve_a_file_finds_the_mmproj_beside_it(
    pair: GgufPair, tmp_path: Path, cache_dir: Path
) -> None:
    found = gguf.resolve_gguf(str(pair.model), cache_dir=cache_dir)
    assert found == GgufPair(pair.model, pair.mmproj, pair.model.name)
    alone = tmp_path / "alone.gguf"
    shutil.copy(pair.model, alone)
    assert (
        "is a text-only model" in _error(gguf.resolve_gguf, str(alone), cache_dir=cache_dir).reason
    )
    given = gguf.resolve_gguf(str(alone), mmproj=str(pair.mmproj), cache_dir=cache_dir)
    assert given == GgufPair(alone, pair.mmproj, "alone.gguf")


def test_resolve_a_hub_repo_offline_with_nothing_cached(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    stages: list[str] = []
    error = _error(
        gguf.resolve_gguf, REPO, cache_dir=cache_dir, hub_cache=tmp_path, report=stages.append
    )
    assert error.reason == (
        f"Could not get {REPO}: HF_HUB_OFFLINE is set and its GGUF files are not in the "
        "local cache."
    )
    assert "--model PATH" in error.hint
    assert stages == []


def test_resolve_a_hub_repo_offline_from_the_cache(
    pair: GgufPair, tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    repo_dir = tmp_path / "models--Qwen--Qwen3-VL-4B-Instruct-GGUF"
    snapshot = repo_dir / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (repo_dir / "refs").mkdir()
    (repo_dir / "refs" / "main").write_text("0" * 40)
    shutil.copy(pair.model, snapshot / "Qwen3VL-4B-Instruct-Q4_K_M.gguf")
    shutil.copy(pair.mmproj, snapshot / "mmproj-Qwen3VL-4B-Instruct-F16.gguf")
    stages: list[str] = []
    found = gguf.resolve_gguf(REPO, cache_dir=cache_dir, hub_cache=tmp_path, report=stages.append)
    assert found.name == f"{REPO} · Q4_K_M"
    assert (found.model.name, found.mmproj.name) == (
        "Qwen3VL-4B-Instruct-Q4_K_M.gguf",
        "mmproj-Qwen3VL-4B-Instruct-F16.gguf",
    )
    assert stages == [
        "downloading Qwen3VL-4B-Instruct-Q4_K_M.gguf",
        "downloading mmproj-Qwen3VL-4B-Instruct-F16.gguf",
    ]
    stages.clear()
    own = gguf.resolve_gguf(
        REPO, mmproj=str(pair.mmproj), cache_dir=cache_dir, hub_cache=tmp_path, report=stages.append
    )
    assert (own.model, own.mmproj) == (found.model, pair.mmproj)
    assert stages == ["downloading Qwen3VL-4B-Instruct-Q4_K_M.gguf"]  # only the model
    error = _error(gguf.resolve_gguf, REPO, quant="Q8_0", cache_dir=cache_dir, hub_cache=tmp_path)
    assert (
        error.reason == f"{REPO} (offline: its cached files) has no Q8_0 model file; it has Q4_K_M."
    )


def test_resolve_tiny(pair: GgufPair, cache_dir: Path) -> None:
    stages: list[str] = []
    assert gguf.resolve_gguf("tiny", cache_dir=cache_dir, report=stages.append) == pair
    assert stages == ["building the tiny GGUF model"]


# ---------------------------------------------------------------- building and serving


def test_the_tiny_pair_is_built_once(pair: GgufPair, cache_dir: Path) -> None:
    assert pair.name == "tiny" and pair.random_weights
    assert pair.model.parent == pair.mmproj.parent == cache_dir / gguf_build.TINY_GGUF_DIR
    written = (pair.model.stat().st_mtime_ns, pair.mmproj.stat().st_mtime_ns)
    started = time.perf_counter()
    again = gguf_build.ensure_tiny_gguf(cache_dir)
    assert time.perf_counter() - started < 1.0
    assert again == pair
    assert (again.model.stat().st_mtime_ns, again.mmproj.stat().st_mtime_ns) == written


def _png_url(size: tuple[int, int]) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _server(model: Path, mmproj: Path) -> types.SimpleNamespace:
    """Start xllamacpp's server, held on an object: dropping that reference stops it.

    Drop it only after it has answered: dropped within a moment of starting, its destructor
    can wait forever (seen here with xllamacpp 2026.10.11549).
    """
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.mmproj.path = str(mmproj)
    params.n_ctx = 2048
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 2
    params.warmup = False
    params.verbosity = 1  # warnings and errors only
    return types.SimpleNamespace(server=xllamacpp.Server(params))


def test_xllamacpp_answers_an_image_question_on_the_tiny_pair(pair: GgufPair) -> None:
    from openai import OpenAI

    held = _server(pair.model, pair.mmproj)
    try:
        client = OpenAI(base_url=f"{held.server.listening_address}/v1", api_key="none")
        question = [
            {"type": "image_url", "image_url": {"url": _png_url((64, 64))}},
            {"type": "text", "text": "What is the total?"},
        ]
        answer = client.chat.completions.create(
            model="tiny", max_tokens=4, messages=[{"role": "user", "content": question}]
        )
        assert isinstance(answer.choices[0].message.content, str)
        assert 1 <= answer.usage.completion_tokens <= 4
        assert answer.usage.prompt_tokens > 4  # the image's tokens and the question's
        client.close()
    finally:
        held.server = None


def test_quantize_leaves_what_cannot_be_quantized(pair: GgufPair, tmp_path: Path) -> None:
    from gguf import GGMLQuantizationType, GGUFReader

    for kind in ("Q8_0", "Q4_0"):
        target = tmp_path / f"tiny-{kind}.gguf"
        gguf_build.quantize(pair.model, target, kind)
        assert gguf.quant_name(target) == kind
        assert target.stat().st_size < pair.model.stat().st_size
        types_by_rank = {(len(t.shape), t.tensor_type.name) for t in GGUFReader(target).tensors}
        assert types_by_rank == {(1, "F32"), (2, GGMLQuantizationType[kind].name)}
        gguf.check_pair(target, pair.mmproj)
    held = _server(tmp_path / "tiny-Q4_0.gguf", pair.mmproj)  # llama.cpp reads what we wrote
    try:
        answer = held.server.handle_chat_completions(
            {"messages": [{"role": "user", "content": "Total?"}], "max_tokens": 2}
        )
        assert 1 <= answer["usage"]["completion_tokens"] <= 2
    finally:
        held.server = None


def test_converter_failures_name_the_converters_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gguf_build, "CONVERTER_DIR", tmp_path / "absent")
    error = _error(gguf_build.convert_checkpoint, tmp_path, tmp_path / "out")
    assert error.reason == f"llama.cpp's converter is not at {tmp_path / 'absent'}."
    # A stand-in converter that fails as the real one does on a folder with no model in it.
    fake = tmp_path / "converter"
    (fake / "conversion").mkdir(parents=True)
    (fake / "conversion" / "__init__.py").write_text("")
    (fake / "conversion" / "base.py").write_text(
        "class TextModel:\n    def get_vocab_base_pre(self, tokenizer):\n        return ''\n"
    )
    (fake / "convert_hf_to_gguf.py").write_text(
        "import sys\nprint('FileNotFoundError: config.json', file=sys.stderr)\nsys.exit(1)\n"
    )
    monkeypatch.setattr(gguf_build, "CONVERTER_DIR", fake)
    error = _error(gguf_build.convert_checkpoint, tmp_path / "empty", tmp_path / "out")
    assert error.reason == (
        f"llama.cpp's converter could not convert {tmp_path / 'empty'}: "
        "FileNotFoundError: config.json"
    )
    assert not list((tmp_path / "out").glob("*.part"))
