"""Start the workbench: `python launch.py [--share] [--model tiny] …` (see --help)."""

from __future__ import annotations

import argparse
import atexit
import gc
import logging
import os
import secrets
import shutil
import signal
import sys
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from workbench import settings as settings_module
from workbench.engines.choice import LLAMACPP_SLOTS, choose_engine
from workbench.intake.cache import limit_malloc_arenas

if TYPE_CHECKING:  # hints only: Gradio is imported when serve() needs it
    import gradio as gr

    from login import LoginThrottle

SHARE_USER = "workbench"
REMOTE_CONCURRENCY = 8


def _environ_int(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else None


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    """Return the launcher's arguments: server flags plus the model settings."""
    return build_parser(prog).parse_args(argv)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Return the launcher's parser (docs/cli.md is generated from it)."""
    parser = argparse.ArgumentParser(
        prog=prog, description="The workbench: vision answers you can check."
    )
    parser.add_argument("--host", default=os.environ.get("WORKBENCH_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WORKBENCH_PORT", 7860)))
    parser.add_argument("--share", action="store_true", help="also serve a public share link")
    parser.add_argument("--auth", help="user:password required to open the app")
    parser.add_argument("--auth-file", type=Path, help="file of user:password lines")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=_environ_int("WORKBENCH_CONCURRENCY"),
        help=f"questions answered at once (default: {REMOTE_CONCURRENCY} with --engine openai, "
        f"whose server batches them; {LLAMACPP_SLOTS} with llama.cpp, its slots; 1 with "
        "transformers)",
    )
    parser.add_argument(
        "--mcp",
        action="store_true",
        default=os.environ.get("WORKBENCH_MCP", "").lower() in ("1", "true", "yes", "on"),
        help="also serve the tabs' ask endpoints as MCP tools for agents, at /gradio_api/mcp/",
    )
    settings_module.add_arguments(parser)
    return parser


def credentials(args: argparse.Namespace) -> list[tuple[str, str]] | None:
    """Return the login pairs; a share link without any gets a fresh random password."""
    lines = [args.auth] if args.auth else []
    if args.auth_file:
        lines += args.auth_file.read_text(encoding="utf-8").split()
    pairs = []
    for line in lines:
        user, sep, password = line.partition(":")
        if not (sep and user and password):
            raise SystemExit(f"error: credentials must look like user:password; got {line!r}")
        pairs.append((user, password))
    if pairs or not args.share:
        return pairs or None
    password = secrets.token_urlsafe(12)
    print(f"* Share link login: user {SHARE_USER!r}, password {password!r}", flush=True)
    return [(SHARE_USER, password)]


def serve(
    args: argparse.Namespace, throttle: LoginThrottle | None = None, quiet: bool = False
) -> tuple[gr.Blocks, str, str | None]:
    """Build the app and start serving it in the background; return it, its URL and share URL."""
    try:
        settings = settings_module.from_environment(args)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None
    concurrency = questions_at_once(args, settings)
    auth = credentials(args)
    private_temp_dir()

    # Start-up makes a few million long-lived objects (Gradio, the widgets): collecting garbage
    # among them only slows the page coming up, and later collections need not walk them again.
    gc.disable()
    import login as security
    from tabs.agents import serve_only_tools
    from tabs.app import AGENT_TABS, build_app, create_context, launch_options

    security.warn_short_passwords(auth or [])
    ctx = create_context(settings, concurrency=concurrency)
    # --preload: a demo's first question should not wait for the load; a remote server is one
    # request, and the status line then tells at once whether it answers.
    if settings.preload or settings.remote:
        ctx.session.preload()
    app = build_app(ctx)
    app.queue(default_concurrency_limit=concurrency)
    gc.freeze()
    gc.enable()
    throttle = throttle if throttle is not None else security.LoginThrottle()
    guards = security.launch_options(auth, throttle)
    if args.mcp and auth:  # Gradio serves MCP outside its login: the app's login guards it
        guards["app_kwargs"]["middleware"].append(security.mcp_middleware(throttle))
    with warnings.catch_warnings():  # about the page's own endpoints, which are no tools
        warnings.filterwarnings("ignore", "This MCP server includes a tool that has a gr.State")
        _, local_url, share_url = app.launch(
            server_name=args.host,
            server_port=args.port,
            share=args.share,
            prevent_thread_lock=True,
            quiet=quiet,
            mcp_server=args.mcp,
            **launch_options(ctx),
            **guards,
        )
    if args.mcp:
        serve_only_tools(app, AGENT_TABS, login=auth[0] if auth else None)
    return app, local_url, share_url


def questions_at_once(args: argparse.Namespace, settings: settings_module.Settings) -> int:
    """Return --concurrency, by default 8 for a remote engine (its server batches), llama.cpp's
    slots for llama.cpp, and 1 for transformers here."""
    default = {"openai": REMOTE_CONCURRENCY, "llamacpp": LLAMACPP_SLOTS}
    concurrency = args.concurrency or default.get(choose_engine(settings).engine, 1)
    if concurrency < 1:
        raise SystemExit(f"error: --concurrency must be at least 1; got {concurrency}")
    return concurrency


def private_temp_dir() -> Path:
    """Give this process its own folder for uploads and exports, removed when it exits.

    Gradio keeps uploads and served files in `GRADIO_TEMP_DIR` (read when it is imported):
    inside it the app's `delete_cache` ages them out while it runs, and nothing is left
    behind when it stops.
    """
    parent = os.environ.get("GRADIO_TEMP_DIR")
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="workbench-", dir=parent))
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def main(argv: list[str] | None = None, prog: str | None = None) -> None:
    """Build the app and serve it until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    # A service manager stops the app with SIGTERM: exit as on Ctrl-C, so the cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    limit_malloc_arenas()  # before the server's threads allocate: memory stays bounded all day
    args = parse_args(argv, prog)
    app, local_url, share_url = serve(args)
    if args.share and not share_url:
        print(f"* No share link could be made (no internet?); still serving at {local_url}")
    try:
        app.block_thread()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
