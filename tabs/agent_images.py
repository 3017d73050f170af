"""The image an agent hands a tool, as a local file: a URL, a data: URL, or a file it uploaded.

A URL is fetched only from a public address (as Gradio fetches one: an agent cannot make the
server read its own network), at most `MAX_FILE_BYTES`, into Gradio's cache, where files age
out as uploads do. A file uploaded to `/gradio_api/upload` is named by the path that returned,
or by its `/gradio_api/file=` URL; nothing outside the upload folder is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
import socket
from pathlib import Path
from urllib.parse import unquote, urljoin

import httpx
from gradio.processing_utils import is_public_ip
from gradio.utils import get_upload_folder

from tabs.domain.context import mistake
from tabs.wording import say
from workbench.engines.base import one_line
from workbench.intake.images import MAX_FILE_BYTES, ImageError

FETCHED = "workbench-agents"  # in Gradio's cache: what was fetched or decoded for a tool
FETCH_TIMEOUT_S = 20
MAX_REDIRECTS = 5
FILE_URL = "/gradio_api/file="
# The facts every message about the image names, alike in both languages.
FORMS = {
    "web": "http(s)",
    "data": "data:",
    "upload": "/gradio_api/upload",
    "example": "data:image/png;base64,…",
    "encoding": "base64",
}


class _Unfetched(Exception):
    """A URL that gave no image; `reason` is worded for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def image_file(value: str | None, language: str = "en") -> Path:
    """Return the image as a local file; gr.Error says what is wrong and what to give instead."""
    text = (value or "").strip()
    if not text:
        raise mistake(say("agent.image_missing", language, **FORMS))
    if text.startswith("data:"):
        kind = text[5:].partition(";")[0].partition(",")[0].strip().lower()
        return _kept(_decoded(text, language), f"data-url{mimetypes.guess_extension(kind) or ''}")
    uploaded = _uploaded(text)
    if uploaded is not None:
        if not uploaded.is_file():  # uploads age out of the cache after a few hours
            raise mistake(say("image.gone", language))
        return uploaded
    if re.match(r"https?://", text, re.IGNORECASE):
        try:
            data = _fetched(text, language)
        except _Unfetched as error:
            raise mistake(
                say("agent.image_fetch", language, url=text, reason=error.reason, **FORMS)
            ) from None
        except ImageError as error:
            raise mistake(error.text(language)) from None
        return _kept(data, _file_name(text))
    raise mistake(say("agent.image_unknown", language, value=text, **FORMS))


def _uploaded(text: str) -> Path | None:
    """Return the file in the upload folder that `text` names (a path or a file URL), if any."""
    _, marker, rest = text.partition(FILE_URL)
    named = unquote(rest) if marker else text
    if not named.startswith("/"):
        return None
    path = Path(named).resolve()
    return path if path.is_relative_to(Path(get_upload_folder()).resolve()) else None


def _decoded(data_url: str, language: str) -> bytes:
    """Return a base64 data: URL's bytes; gr.Error for another kind or past the byte limit."""
    header, comma, payload = data_url.partition(",")
    if not comma or not header.lower().endswith(";base64"):
        raise mistake(say("agent.data_url", language, **FORMS))
    if len(payload) * 3 // 4 > MAX_FILE_BYTES:  # before decoding it
        raise mistake(ImageError("data_too_big", name="data:", limit=_limit_mb()).text(language))
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise mistake(say("agent.data_url", language, **FORMS)) from None


def _fetched(url: str, language: str) -> bytes:
    """Return the body of a URL on a public address, following a few redirects; _Unfetched or
    ImageError (past the byte limit) if not."""
    for _ in range(MAX_REDIRECTS + 1):
        location = httpx.URL(url)
        address = _public_address(location.host, language)
        # Connect to the address checked, not to whatever the name resolves to next.
        pinned = location.copy_with(host=address)
        headers = {"Host": location.netloc.decode("ascii")}
        try:
            with (
                httpx.Client(timeout=FETCH_TIMEOUT_S) as client,
                client.stream(
                    "GET", pinned, headers=headers, extensions={"sni_hostname": location.host}
                ) as response,
            ):
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code != 200:
                    raise _Unfetched(
                        say("agent.fetch.status", language, status=response.status_code)
                    )
                return _read_capped(response, _file_name(url))
        except httpx.HTTPError as error:
            raise _Unfetched(one_line(error)) from None
    raise _Unfetched(say("agent.fetch.redirects", language, limit=MAX_REDIRECTS))


def _public_address(host: str, language: str) -> str:
    """Return a public IP address of `host`; _Unfetched when it has none or does not resolve."""
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _Unfetched(say("agent.fetch.unknown_host", language, host=host)) from None
    for *_, address in found:
        if is_public_ip(address[0]):
            return address[0]
    raise _Unfetched(say("agent.fetch.not_public", language, host=host))


def _read_capped(response: httpx.Response, name: str) -> bytes:
    """Return the response's body; ImageError as soon as it passes the byte limit."""
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > MAX_FILE_BYTES:
            raise ImageError("data_too_big", name=name, limit=_limit_mb())
    return bytes(data)


def _kept(data: bytes, name: str) -> Path:
    """Return where the bytes are kept in Gradio's cache, by their digest."""
    path = Path(get_upload_folder()) / FETCHED / hashlib.sha256(data).hexdigest()[:32] / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def _file_name(url: str) -> str:
    """Return a file name for what a URL gave: its last path segment, made safe; else "image"."""
    last = unquote(httpx.URL(url).path.rstrip("/").rpartition("/")[2])
    return re.sub(r"[^\w.-]+", "_", last)[-80:].lstrip(".") or "image"


def _limit_mb() -> int:
    return MAX_FILE_BYTES // 2**20
