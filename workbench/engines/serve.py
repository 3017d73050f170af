"""`python -m workbench serve`: transformers' own OpenAI-compatible server, patched to run here.

`transformers serve` (extra `transformers[serving]`) is a real server: the workbench adds no
routes and no generation of its own, only what makes it start and answer on this machine:

- its hub cache must be a directory that exists (the model list scans it);
- Qwen3-VL's processor is built without its video processor when torchvision does not import
  (the same `processor_without_video` patch the in-process engine applies);
- `/v1/models` lists the one model it serves: by default it lists the hub cache instead, which
  holds neither a local directory nor the tiny model;
- answers stream without special tokens, as vLLM's and SGLang's do: it keeps them for its
  tool-call parser, which the workbench does not use, and a `<|image_pad|>` in an answer sent
  back as history would break the next prompt.

It is for trying the remote engine on one machine and for the tests; a team serves with vLLM or
SGLang (see docs/scaling-out.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from workbench.engines import patches, tiny


def model_source(model: str, cache_dir: Path) -> str:
    """Return what the server loads: the tiny model's directory for "tiny", else `model`."""
    if model == tiny.TINY_NAME:
        return str(tiny.ensure_tiny_model(cache_dir))
    path = Path(model).expanduser()
    return str(path.resolve()) if path.is_dir() else model


def run(model: str, host: str, port: int, cache_dir: Path, device: str = "auto") -> None:
    """Serve `model` until interrupted (Ctrl-C or SIGTERM)."""
    hub_cache, patch = patches.writable_hub_cache(
        Path(os.environ.get("HF_HUB_CACHE") or Path.home() / ".cache/huggingface/hub"),
        cache_dir / "hub",
    )
    # Read when huggingface_hub is imported, which the next imports do.
    os.environ["HF_HUB_CACHE"] = str(hub_cache)
    source = model_source(model, cache_dir)
    applied = [patch] if patch else []
    applied += _patch_server(source)
    from transformers.cli.serve import Serve

    for patch in applied:
        print(f"* patch {patch.name}: {patch.why}", flush=True)
    base_url = f"http://{host}:{port}/v1"
    print(f"* Loading {source}; then serving it at {base_url}", flush=True)
    print(f"* Ask it: python launch.py --engine openai --base-url {base_url}", flush=True)
    # Loads the model, then serves until Ctrl-C or SIGTERM (uvicorn says when it listens).
    Serve(force_model=source, host=host, port=port, device=device, log_level="warning")


def _patch_server(source: str) -> list[patches.Patch]:
    """Patch transformers serve's model manager; return the patches that applied."""
    from transformers.cli.serving import chat_completion
    from transformers.cli.serving.model_manager import ModelManager

    applied = []
    config = _config(source)
    video = patches.processor_without_video(str(config.get("model_type", "")))
    if video is not None:
        image_only = patches.image_only_processor_class()
        load_processor = ModelManager._load_processor

        def _load_processor(self: Any, model_id_and_revision: str, gguf_file: Any = None) -> Any:
            if gguf_file is not None:
                return load_processor(self, model_id_and_revision, gguf_file)
            model_id, revision = model_id_and_revision.split("@", 1)
            return image_only.from_pretrained(model_id, revision=revision)

        ModelManager._load_processor = _load_processor
        applied.append(video)

    context = (config.get("text_config") or config).get("max_position_embeddings")
    card = {"id": source, "object": "model", "created": 0, "owned_by": "transformers"}
    card |= {"max_model_len": context} if context else {}

    def listed(cache_dir: str | None = None) -> list[dict[str, Any]]:
        return [card]

    ModelManager.get_gen_models = staticmethod(listed)
    applied.append(
        patches.Patch("list_served_model", "/v1/models lists the served model, not the hub cache")
    )
    # Without a response parser its streamer decodes with skip_special_tokens=True.
    chat_completion.build_response_parser = lambda *args, **kwargs: None
    applied.append(patches.Patch("skip_special_tokens", "answers stream without special tokens"))
    return applied


def _config(source: str) -> dict[str, Any]:
    from transformers import PretrainedConfig

    return PretrainedConfig.get_config_dict(source)[0]
