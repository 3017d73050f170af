"""GGUF model files for the llama.cpp engine: which model + mmproj pair a `--model` names.

llama.cpp answers image questions from two files: the language model and its vision projector
(`mmproj-….gguf`). This module finds them — a hub repo and a quant, a local file or folder, or
the tiny pair built offline — downloads what is missing (`download`: progress, resume), and
checks the pair before anything loads it. What a file is lives in `gguf_files`, how files are
made in `gguf_build`; both are re-exported here, so the engine and the bench import one module.
Nothing here imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from workbench.engines import download, tiny
from workbench.engines.base import ModelLoadError
from workbench.engines.gguf_build import convert_checkpoint as convert_checkpoint
from workbench.engines.gguf_build import ensure_tiny_gguf
from workbench.engines.gguf_build import quantize as quantize
from workbench.engines.gguf_files import GgufPair, check_pair, quant_in_name
from workbench.engines.gguf_files import gguf_header as gguf_header
from workbench.engines.gguf_files import gguf_kind as gguf_kind
from workbench.engines.gguf_files import gguf_metadata as gguf_metadata
from workbench.engines.gguf_files import is_gguf as is_gguf
from workbench.engines.gguf_files import model_shape as model_shape
from workbench.engines.gguf_files import quant_name as quant_name

DEFAULT_GGUF_REPO = "Qwen/Qwen3-VL-4B-Instruct-GGUF"
DEFAULT_QUANT = "Q4_K_M"
# llama.cpp warns that Qwen-VL grounding (boxes) needs at least this many tokens per image.

Report = Callable[[str], None]


# ---------------------------------------------------------------- choosing files


def _is_mmproj(file_name: str) -> bool:
    """Return whether a file name is a vision projector's (mmproj-….gguf)."""
    return "mmproj" in Path(file_name).name.lower()


def pick_files(files: Sequence[str], quant: str, *, repo: str = "the repo") -> tuple[str, str]:
    """Return the model file of `quant` and its mmproj from a repo's file list."""
    ggufs = sorted(name for name in files if name.lower().endswith(".gguf"))
    model = _pick_model([name for name in ggufs if not _is_mmproj(name)], quant, repo)
    projectors = [name for name in ggufs if _is_mmproj(name)]
    if not projectors:
        raise ModelLoadError(
            f"{repo} holds text-only models: the workbench asks about images, so it needs a "
            "vision file (mmproj-…gguf) made for the model.",
            "Pass it with --mmproj FILE.",
        )
    return model, _pick_mmproj(projectors, quant)


def _pick_model(models: Sequence[str], quant: str, repo: str) -> str:
    """Return the model file whose name ends with `quant` (any case)."""
    if not models:
        raise ModelLoadError(
            f"{repo} holds no GGUF model file.",
            f"Pass a GGUF repo such as {DEFAULT_GGUF_REPO} or a .gguf file; for a safetensors "
            "checkpoint use --engine transformers.",
        )
    for name in sorted(models):
        if (quant_in_name(name) or "").lower() == quant.lower():
            return name
    have = sorted({found.upper() for found in map(quant_in_name, models) if found})
    raise ModelLoadError(
        f"{repo} has no {quant} model file; it has {', '.join(have) or 'no named quant'}.",
        f"Pass --quant with one of: {', '.join(have)}." if have else "Pass --model FILE.",
    )


def _pick_mmproj(projectors: Sequence[str], quant: str) -> str:
    """Return the projector of the same quant, else the Q8_0 one, else F16, else the first.

    Q8_0 before F16: with a 4-bit model on a CPU, Qwen's Q8_0 vision file brought the first
    token of a 448² receipt from 16.0 s to 12.9 s (docs/hardware.md).
    """
    for wanted in (quant.lower(), "q8_0", "f16"):
        for name in sorted(projectors):
            if (quant_in_name(name) or "").lower() == wanted:
                return name
    return sorted(projectors)[0]


# ---------------------------------------------------------------- finding the pair


def looks_like_gguf(model: str) -> bool:
    """Return whether `model` names GGUF files (a .gguf path, a folder of them, a -GGUF repo)."""
    if model == tiny.TINY_NAME:
        return False
    if model.lower().endswith(".gguf"):
        return True
    path = Path(model).expanduser()
    if path.is_dir():
        return any(child.suffix.lower() == ".gguf" for child in path.iterdir())
    if _is_path(model):
        return False
    return "gguf" in model.rsplit("/", 1)[-1].lower()


def _is_path(model: str) -> bool:
    # Hub ids are "name" or "namespace/name"; anything else is meant as a local path.
    return model.startswith(("/", ".", "~")) or model.count("/") > 1 or Path(model).exists()


def resolve_gguf(
    model: str,
    *,
    quant: str = DEFAULT_QUANT,
    mmproj: str | None = None,
    cache_dir: Path,
    report: Report = lambda stage: None,
    hub_cache: Path | None = None,
) -> GgufPair:
    """Return the checked model + mmproj pair that `model` names, downloading it if need be."""
    if model == tiny.TINY_NAME:
        report("building the tiny GGUF model")
        return ensure_tiny_gguf(cache_dir)
    given = Path(mmproj).expanduser() if mmproj else None
    path = Path(model).expanduser()
    if path.is_dir():
        found, projector, name = _from_folder(path, quant, given)
    elif model.lower().endswith(".gguf") or _is_path(model):
        found, projector, name = path, given or _beside(path, quant), path.name
    else:
        found, projector, name = _from_hub(model, quant, given, report, hub_cache)
    check_pair(found, projector)
    assert projector is not None  # check_pair refuses a model without one
    return GgufPair(found, projector, name)


def _beside(model: Path, quant: str) -> Path | None:
    """Return the mmproj file in the model file's folder, if there is one."""
    projectors = [p.name for p in model.parent.glob("*.gguf") if _is_mmproj(p.name)]
    if not projectors:
        return None
    return model.parent / _pick_mmproj(projectors, quant_in_name(model.name) or quant)


def _from_folder(folder: Path, quant: str, given: Path | None) -> tuple[Path, Path | None, str]:
    """Return the model, mmproj and name in a local folder; `quant` chooses among models."""
    models = [p.name for p in folder.glob("*.gguf") if not _is_mmproj(p.name)]
    model = models[0] if len(models) == 1 else _pick_model(models, quant, str(folder))
    return folder / model, given or _beside(folder / model, quant), model


def _from_hub(
    repo: str, quant: str, given: Path | None, report: Report, hub_cache: Path | None
) -> tuple[Path, Path | None, str]:
    """Return the model, mmproj and name from a hub repo, downloading what is not cached."""
    listing, files, where = _repo_files(repo, hub_cache)
    if given:  # the user's own vision file: only the model is downloaded
        models = [name for name in files if name.lower().endswith(".gguf")]
        wanted = [_pick_model([name for name in models if not _is_mmproj(name)], quant, where)]
    else:
        wanted = list(pick_files(files, quant, repo=where))
    if listing is None:  # offline: the cached files
        paths = [_download(repo, name, report, hub_cache) for name in wanted]
    else:
        cache = hub_cache or _default_hub_cache()
        paths = list(download.fetch(listing, wanted, hub_cache=cache, report=report).paths)
    name = f"{repo} · {quant_in_name(wanted[0]) or quant}"
    return paths[0], given or paths[1], name


def _default_hub_cache() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _download(repo: str, file_name: str, report: Report, hub_cache: Path | None) -> Path:
    """Return the local path of a repo's cached file (offline; nothing is downloaded)."""
    import huggingface_hub

    report(f"downloading {file_name}")
    try:
        return Path(huggingface_hub.hf_hub_download(repo, file_name, cache_dir=hub_cache))
    except Exception as error:  # the hub's errors come from several libraries
        raise _hub_error(repo, error) from None


def _repo_files(
    repo: str, hub_cache: Path | None
) -> tuple[download.Listing | None, list[str], str]:
    """Return the repo's listing (None offline), its file names, and how to name it: from the
    hub, else from the cache."""
    import huggingface_hub

    try:
        listing = download.list_repo(repo)
        return listing, list(listing.sizes), repo
    except Exception as error:  # offline, no network, a proxy: try what is cached
        refused = download.refusal(repo, error)
        if refused:
            raise refused from None
        try:
            folder = huggingface_hub.snapshot_download(
                repo, local_files_only=True, cache_dir=hub_cache
            )
        except Exception:
            raise _hub_error(repo, error) from None
        names = [p.name for p in Path(folder).iterdir()]
        return None, names, f"{repo} (offline: its cached files)"


def _hub_error(repo: str, error: Exception) -> ModelLoadError:
    """Return the message for a repo that could not be listed or downloaded."""
    from huggingface_hub.errors import OfflineModeIsEnabled

    if isinstance(error, OfflineModeIsEnabled):
        why = "HF_HUB_OFFLINE is set"
    else:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        why = f"the hub could not be reached ({type(error).__name__}: {first})"
    return ModelLoadError(
        f"Could not get {repo}: {why} and its GGUF files are not in the local cache.",
        "Connect once to download them, pass local files with --model PATH (and --mmproj "
        "FILE), or use --model tiny to try the app with random weights.",
    )
