"""Agents' tools over MCP: `launch.py --mcp --auth` on the tiny model, driven by the `mcp` client.

One app serves the module: the tools are listed and called as an agent would (HTTP Basic auth,
streamable HTTP), the image as a data: URL, an uploaded file's path or a URL. The fetching of
URLs and the login's parsing are tested beside it without the app.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import hashlib
import http.server
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client
from PIL import Image

import launch
from login import NOT_LOGGED_IN, WRONG_PASSWORD, LoginThrottle, basic_credentials
from tabs import agent_images
from tabs.agent_images import FORMS, image_file
from tabs.wording import say
from workbench.bench.app import free_port
from workbench.examples import ensure_examples
from workbench.messages import word

USER, PASSWORD = "agent", "a-long-enough-password"
TOOLS = {"receipts_ask", "screenshots_ask", "homework_ask", "gauges_ask"}
QUICK = {"question": "What is the total?", "max_new_tokens": 8}  # short: a random model


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


LOGIN = _basic(USER, PASSWORD)


@pytest.fixture(scope="module")
def served(cache_dir: Path) -> Iterator[str]:
    """Serve launch.py's app with --mcp behind a password; return its URL (no trailing /)."""
    temp = os.environ.get("GRADIO_TEMP_DIR")
    args = launch.parse_args(
        ["--model", "tiny", "--port", str(free_port()), "--mcp", "--auth", f"{USER}:{PASSWORD}"]
    )
    app, url, _ = launch.serve(args, throttle=LoginThrottle(free_failures=50), quiet=True)
    yield url.rstrip("/")
    app.close()
    os.environ["GRADIO_TEMP_DIR"] = temp or ""  # serve() gave the app a folder of its own


@pytest.fixture(scope="module")
def receipt(cache_dir: Path) -> Path:
    return ensure_examples(cache_dir / "examples")["receipts"][0].image_path


def _data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


async def _session(url: str, headers: dict[str, str], *calls: tuple[str, dict[str, Any]]):
    """Open an MCP session; return the tool list, then each call's result, in order."""
    async with (
        streamablehttp_client(f"{url}/gradio_api/mcp/", headers=headers) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        results: list[Any] = [(await session.list_tools()).tools]
        for name, arguments in calls:
            results.append(await session.call_tool(name, arguments))
        return results


def mcp(url: str, *calls: tuple[str, dict[str, Any]], headers: dict[str, str] = LOGIN):
    """Return the tool list and each call's result, from one MCP session as an agent opens it.

    On a thread of its own: the browser tests leave an event loop running on this one.
    """
    session = asyncio.wait_for(_session(url, headers, *calls), timeout=120)
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, session).result()


def _text(result: Any) -> str:
    return "".join(part.text for part in result.content if part.type == "text")


# --- the tools, listed and called ----------------------------------------------------------


def test_the_tools_are_the_domain_tabs_asks_each_described(served):
    (tools,) = mcp(served)
    by_name = {tool.name: tool for tool in tools}
    # Only the tabs' tools: none of the page's own endpoints (status, stop, clear, cost, …).
    assert set(by_name) == TOOLS
    for tool in tools:
        print(f"{tool.name}: {tool.description.split('. ')[0]}.")
        assert tool.description.startswith("Ask the ")
        assert "Presets: " in tool.description and "Returns: JSON text" in tool.description
        schema = tool.inputSchema
        assert schema["required"] == ["image"]
        assert schema["properties"]["language"]["enum"] == ["en", "zh"]
        assert "data URL" in schema["properties"]["image"]["description"]
    assert {"threshold", "direction"} <= set(by_name["gauges_ask"].inputSchema["properties"])
    assert "threshold" not in by_name["receipts_ask"].inputSchema["properties"]


def test_a_tool_answers_an_image_with_the_checked_report(served, receipt: Path):
    _, result = mcp(served, ("receipts_ask", {"image": _data_url(receipt.read_bytes()), **QUICK}))
    assert not result.isError, _text(result)
    report = json.loads(_text(result))
    assert report["tab"] == "receipts"
    assert report["preset"] == "Extract all fields"  # the tab's first: no preset given
    assert report["question"] == QUICK["question"]
    assert report["image_sha256"] == hashlib.sha256(receipt.read_bytes()).hexdigest()
    assert report["random_weights"] is True and report["model"]
    assert 1 <= len(report["turns"]) <= 2  # a repair turn when the JSON fails its schema
    assert all(turn["tokens"]["generated"] <= QUICK["max_new_tokens"] for turn in report["turns"])
    assert set(report["validation"]) == {"valid", "extraction_error", "errors"}
    assert isinstance(report["checks"], list) and isinstance(report["summary"], list)
    assert report["evidence"] is None or "values" in report["evidence"]


def test_bad_images_are_refused_clearly_and_the_app_keeps_serving(served, receipt: Path):
    notes = b"these are notes, not pixels\n" * 20
    loopback = f"{served}/favicon.ico"  # the server's own network: never fetched
    _, *results = mcp(
        served,
        ("receipts_ask", {"image": _data_url(notes), **QUICK}),
        ("receipts_ask", {"image": loopback, **QUICK}),
        ("receipts_ask", {"image": "receipt.png", **QUICK}),
        ("receipts_ask", {"image": "data:image/png,not-base64", **QUICK}),
        ("receipts_ask", {"image": _data_url(receipt.read_bytes()), "preset": "nope", **QUICK}),
    )
    unreadable = word("image_error.unreadable_with_pdf", "en", name="data-url.png")
    not_public = say("agent.fetch.not_public", host="127.0.0.1")
    expected = [
        unreadable,
        say("agent.image_fetch", url=loopback, reason=not_public, **FORMS),
        say("agent.image_unknown", value="receipt.png", **FORMS),
        say("agent.data_url", **FORMS),
        "receipts has no preset called 'nope'; its presets: extract-all-fields,",
    ]
    for result, message in zip(results, expected, strict=True):
        assert result.isError
        assert message in _text(result)
        assert "Traceback" not in _text(result)
    # The app goes on answering, here an image uploaded as a file, named by its path.
    with httpx.Client(timeout=30) as browser:
        browser.post(f"{served}/login", data={"username": USER, "password": PASSWORD})
        with receipt.open("rb") as file:
            uploaded = browser.post(f"{served}/gradio_api/upload", files={"files": file})
    path = uploaded.json()[0]
    free_text = {"preset": "describe-the-instrument", "threshold": 80, **QUICK}
    _, answered = mcp(served, ("gauges_ask", {"image": path, **free_text}))
    assert not answered.isError, _text(answered)
    report = json.loads(_text(answered))
    assert (report["tab"], report["preset"]) == ("gauges", "Describe the instrument")
    assert report["parsed"] is None and report["checks"] == []  # free text: nothing to check
    assert report["parameters"]["alarm"] == {"threshold": 80.0, "direction": "above"}


# --- the login --------------------------------------------------------------------------


def test_mcp_without_the_login_is_refused(served):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    accept = {"Accept": "application/json, text/event-stream"}
    refusals = [
        ({}, NOT_LOGGED_IN),
        ({"Authorization": "Bearer x"}, NOT_LOGGED_IN),
        (_basic(USER, "wrong"), WRONG_PASSWORD),
    ]
    for headers, detail in refusals:
        for path in ("/gradio_api/mcp/", "/gradio_api/mcp/schema", "/gradio_api/mcp/sse"):
            refused = httpx.post(
                f"{served}{path}", json=initialize, headers={**accept, **headers}, timeout=10
            )
            assert refused.status_code == 401, (path, headers)
            assert refused.headers["www-authenticate"].startswith("Basic ")
            assert refused.json()["detail"] == detail
    with httpx.Client(timeout=10) as browser:  # the page's login cookie lets a browser in
        assert browser.get(f"{served}/gradio_api/mcp/").status_code == 401
        browser.post(f"{served}/login", data={"username": USER, "password": PASSWORD})
        assert browser.get(f"{served}/gradio_api/mcp/").status_code == 200


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic " + base64.b64encode(b"ann:pw:with:colons").decode(), ("ann", "pw:with:colons")),
        ("basic " + base64.b64encode(b"ann:").decode(), ("ann", "")),
        ("Basic " + base64.b64encode(b"no-colon").decode(), None),
        ("Basic not base64!", None),
        ("Bearer abc", None),
        ("", None),
    ],
)
def test_basic_credentials(header: str, expected: tuple[str, str] | None):
    assert basic_credentials(header) == expected


# --- fetching a URL, without the app ------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Serve tmp_path on a loopback port, taken here as public; return its URL."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(agent_images, "is_public_ip", lambda address: True)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_url_is_fetched_into_the_cache_and_its_limits_hold(web, tmp_path, monkeypatch):
    picture = tmp_path / "dial.png"
    Image.new("RGB", (64, 48), "white").save(picture)
    fetched = image_file(f"{web}/dial.png")
    assert fetched.read_bytes() == picture.read_bytes() and fetched.name == "dial.png"
    (tmp_path / "scans").mkdir()  # a folder redirects to its slash form, then lists itself
    assert image_file(f"{web}/scans").read_bytes().lower().startswith(b"<!doctype html")
    with pytest.raises(gr.Error, match="the server answered 404"):
        image_file(f"{web}/missing.png")
    monkeypatch.setattr(agent_images, "MAX_FILE_BYTES", 100)
    with pytest.raises(gr.Error, match=r"dial\.png is over"):
        image_file(f"{web}/dial.png")


@pytest.mark.parametrize("where", ["outside", "/etc/passwd", "../../etc/passwd"])
def test_only_files_in_the_upload_folder_are_read(where: str, tmp_path: Path):
    outside = tmp_path / "secret.png"
    Image.new("RGB", (16, 16)).save(outside)
    named = str(outside) if where == "outside" else where
    with pytest.raises(gr.Error, match="is not an image this tool can take"):
        image_file(named)
