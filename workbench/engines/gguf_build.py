"""Making GGUF files: llama.cpp's converter on a checkpoint, the tiny pair, Python quantization.

The converter (`convert_hf_to_gguf.py`) ships in no wheel, so a copy lives in
`third_party/llama_cpp_convert/`; it runs in a child process with `sys.executable`. It knows
tokenizers by a hash of their output and does not know the tiny model's, whose pre-tokenizer is
Qwen2's by construction: the child tells it "qwen2" when the hash is unknown.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal

from workbench.engines import tiny
from workbench.engines.base import ModelLoadError
from workbench.engines.gguf_files import GgufPair, check_pair

log = logging.getLogger(__name__)

CONVERTER_DIR = Path(__file__).resolve().parents[2] / "third_party" / "llama_cpp_convert"
TINY_GGUF_DIR = "tiny-gguf"
_MARKER = "workbench_tiny_gguf.json"
_FULL_PRECISION = ("f32", "f16", "bf16")

# Run in the child: put the vendored converter and its own gguf-py first (the converter needs
# constants newer than the gguf wheel has), answer "qwen2" for an unknown BPE pre-tokenizer, then
# run the converter once per argument list (argv: converter folder, JSON list of argument lists):
# one child for both files imports torch once.
_CHILD = """
import json, runpy, sys
root, runs = sys.argv[1], json.loads(sys.argv[2])
sys.path[0:0] = [root, root + "/gguf-py"]
import conversion.base as base
recognise = base.TextModel.get_vocab_base_pre
def pre_tokenizer(self, tokenizer):
    try:
        return recognise(self, tokenizer)
    except NotImplementedError:
        return "qwen2"
base.TextModel.get_vocab_base_pre = pre_tokenizer
for args in runs:
    sys.argv = [root + "/convert_hf_to_gguf.py", *args]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def convert_checkpoint(hf_dir: Path, out_dir: Path, outtype: str = "f16") -> GgufPair:
    """Convert a Qwen3-VL checkpoint folder to a GGUF model + mmproj pair in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # The vision file stays at full precision when the model is quantized (as Qwen ships it).
    vision_type = outtype if outtype in _FULL_PRECISION else "f16"
    model = out_dir / f"{hf_dir.name}-{outtype}.gguf"
    mmproj = out_dir / f"mmproj-{hf_dir.name}-{vision_type}.gguf"
    _convert(hf_dir, {model: [outtype], mmproj: [vision_type, "--mmproj"]})
    check_pair(model, mmproj)
    return GgufPair(model, mmproj, hf_dir.name, random_weights=tiny.is_tiny(hf_dir))


def _convert(hf_dir: Path, targets: dict[Path, list[str]]) -> None:
    """Run the converter in one child process: each target gets [outtype, *flags], whole or not."""
    if not (CONVERTER_DIR / "convert_hf_to_gguf.py").is_file():
        raise ModelLoadError(
            f"llama.cpp's converter is not at {CONVERTER_DIR}.",
            "Run from a source checkout of the workbench (it keeps the converter in "
            "third_party/), or convert the model with llama.cpp and pass the .gguf files.",
        )
    partial = {target: target.with_name(target.name + ".part") for target in targets}
    runs = [
        [str(hf_dir), "--outtype", outtype, "--outfile", str(partial[target]), *flags]
        for target, (outtype, *flags) in targets.items()
    ]
    command = [sys.executable, "-c", _CHILD, str(CONVERTER_DIR), json.dumps(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not all(path.is_file() for path in partial.values()):
        for path in partial.values():
            path.unlink(missing_ok=True)
        last = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise ModelLoadError(
            f"llama.cpp's converter could not convert {hf_dir}: {last}",
            "Check that the folder holds a complete Qwen3-VL checkpoint.",
        )
    for target, path in partial.items():
        os.replace(path, target)


def ensure_tiny_gguf(cache_dir: Path) -> GgufPair:
    """Build the tiny GGUF pair from the tiny model once, in the cache, and return it."""
    target = cache_dir / TINY_GGUF_DIR
    built = _cached_pair(target)
    if built:
        return built
    hf_dir = tiny.ensure_tiny_model(cache_dir)
    # Build beside the target and rename, so an interrupted build never leaves half a pair.
    staging = Path(tempfile.mkdtemp(prefix="tiny-gguf-", dir=cache_dir))
    try:
        pair = convert_checkpoint(hf_dir, staging)
        marker = {"tiny_version": tiny.TINY_VERSION, "model": pair.model.name}
        (staging / _MARKER).write_text(json.dumps({**marker, "mmproj": pair.mmproj.name}))
        if target.exists():  # built from an older tiny model
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(staging, target)
        except OSError:  # another process won the race; its build is as good as ours
            log.info("tiny GGUF pair already built by another process")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    built = _cached_pair(target)
    if built is None:
        raise ModelLoadError(f"The tiny GGUF pair could not be built in {target}.")
    return built


def _cached_pair(target: Path) -> GgufPair | None:
    """Return the tiny pair built in `target` from the current tiny model, if it is there."""
    try:
        marker = json.loads((target / _MARKER).read_text())
    except (OSError, ValueError):
        return None
    if marker.get("tiny_version") != tiny.TINY_VERSION:
        return None
    model, mmproj = target / marker["model"], target / marker["mmproj"]
    if not (model.is_file() and mmproj.is_file()):
        return None
    return GgufPair(model, mmproj, tiny.TINY_NAME, random_weights=True)


def quantize(src: Path, dst: Path, kind: Literal["Q8_0", "Q4_0"]) -> None:
    """Write `src` with its weight matrices quantized to `kind` (gguf's Python quantizer)."""
    import numpy as np
    from gguf import (
        GGMLQuantizationType,
        GGUFReader,
        GGUFValueType,
        GGUFWriter,
        LlamaFileType,
        quants,
    )
    from gguf.constants import GGML_QUANT_SIZES

    qtype = GGMLQuantizationType[kind]
    block = GGML_QUANT_SIZES[qtype][0]
    reader = GGUFReader(src)
    partial = dst.with_name(dst.name + ".part")
    writer = GGUFWriter(partial, reader.fields["general.architecture"].contents())
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue  # written by the writer itself
        value = field.contents()
        if name == "general.file_type":
            value = int(LlamaFileType[f"MOSTLY_{kind}"])
        kinds = field.types
        sub_type = kinds[-1] if kinds[0] == GGUFValueType.ARRAY else None
        writer.add_key_value(name, value, kinds[0], sub_type=sub_type)
    floats = (GGMLQuantizationType.F32, GGMLQuantizationType.F16, GGMLQuantizationType.BF16)
    for tensor in reader.tensors:
        shape = tuple(int(n) for n in reversed(tensor.shape))  # numpy order: rows last
        # Norms and biases (1-D), and rows that do not split into blocks, stay as they are.
        if tensor.tensor_type in floats and len(shape) == 2 and shape[-1] % block == 0:
            weights = quants.dequantize(tensor.data, tensor.tensor_type).reshape(shape)
            data = quants.quantize(weights.astype(np.float32), qtype)
            writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=qtype)
        else:
            data = np.asarray(tensor.data)
            writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(partial, dst)
