"""The remote engine: an OpenAI-compatible server (vLLM, SGLang, `transformers serve`).

The official `openai` client does the HTTP: streaming, timeouts and retries. This module turns
the workbench's chat messages into a chat-completions request and the streamed reply into a
`Generation`, and every failure into one `ServerError` naming the server and what to do.

Images go as `data:` URLs, already resized the way Qwen3-VL's processor would resize them for
the visual-token budget: any server then sees exactly the tokens the budget allows, and the
cost line stays true. vLLM and SGLang (their `/models` say `owned_by` "vllm", "sglang") also get
the sampling settings the OpenAI API lacks (top_k, repetition_penalty) and the budget as
`mm_processor_kwargs`, and hold decoding to a `response_format` JSON schema; llama.cpp's
server ("llamacpp") holds it too, and gets its own names for top_k and the repetition penalty;
other servers get the standard fields only (`transformers serve` refuses unknown fields, ignores
`response_format`). The llama.cpp engine runs that server in this process and talks to it here.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import httpx
import openai
from PIL import Image

from workbench.budget import TOKEN_EDGE, Budget, resized, size_bounds
from workbench.engines import tiny
from workbench.engines.base import (
    Generation,
    GenerationParams,
    LoadedInfo,
    Message,
    ModelLoadError,
    ServerError,
)
from workbench.settings import Settings

log = logging.getLogger(__name__)

# Servers that take the extra sampling fields and the budget, and constrain `response_format`.
FULL_SERVERS = ("vllm", "sglang")
LLAMACPP = "llamacpp"  # llama.cpp's server: its own sampling names, and a schema grammar
CONSTRAINING_SERVERS = (*FULL_SERVERS, LLAMACPP)
MODELS_TIMEOUT = 10.0  # seconds for the model list: an unreachable host should not hold a tab
JPEG_QUALITY = 90
ENCODED_KEPT = 8  # images kept encoded: a repair turn or a follow-up sends the same one again


class OpenAIEngine:
    """Streams answers from a model on an OpenAI-compatible server; many at once."""

    name = "openai"

    def __init__(self, client: openai.OpenAI, info: LoadedInfo) -> None:
        self.client = client
        self.info = info
        self._encoded: OrderedDict[int, tuple[weakref.ref, tuple[int, int], str]] = OrderedDict()
        self._lock = threading.Lock()
        self._send_budget = info.served_by in FULL_SERVERS

    @classmethod
    def load(cls, settings: Settings, report: Any) -> OpenAIEngine:
        """Connect and pick the model from `GET /models`; raise ModelLoadError naming the URL."""
        url = settings.base_url
        client = openai.OpenAI(
            base_url=url, api_key=_api_key(settings), timeout=settings.request_timeout
        )
        report(f"asking {url} for its models")
        try:
            listed = client.with_options(timeout=MODELS_TIMEOUT).models.list().data
        except openai.APIError as error:
            failure = server_error(error, url, MODELS_TIMEOUT)
            raise ModelLoadError(failure.reason, failure.hint) from None
        names = [model.id for model in listed]
        if not names:
            raise ModelLoadError(f"The model server at {url} lists no models.", _CHECK_SERVER)
        name = settings.api_model or names[0]
        if name not in names:
            raise ModelLoadError(
                f"The model server at {url} does not serve {name!r}; it serves "
                f"{', '.join(map(repr, names))}.",
                "Pass one of them with --api-model.",
            )
        card = listed[names.index(name)]
        served_by = str(card.owned_by or "")
        extra = card.model_extra or {}
        info = LoadedInfo(
            device="remote",
            dtype="",
            attention="",
            random_weights=tiny.is_tiny(name),  # a server on this machine serving tiny
            visual_tokens=settings.visual_budget("cuda"),
            context_tokens=int(extra.get("max_model_len") or LoadedInfo.context_tokens),
            model=name,
            remote=url,
            served_by=served_by,
            constrains_schema=served_by in CONSTRAINING_SERVERS,
        )
        return cls(client, info)

    def stream(self, messages: list[Message], params: GenerationParams) -> Generation:
        """Send the request when the answer is first iterated; Stop closes its stream."""
        started = time.perf_counter()
        budget = params.visual_tokens or self.info.visual_tokens
        chat, visual = self.chat(messages, budget)
        generation = Generation(pieces=iter(()))
        stats = generation.stats
        stats.visual_tokens = visual
        stats.constrained = params.json_schema is not None and self.info.constrains_schema
        request = self.request(chat, params, budget)
        url, timeout = self.info.remote, self.client.timeout

        def pieces() -> Iterator[str]:
            chunks = 0
            chosen = ChosenTokens() if request.get("logprobs") else None
            try:
                with self._open(request) as response:
                    for chunk in response:
                        if generation.stop_event.is_set():
                            stats.stopped = True
                            break  # leaving `with` closes the stream: the server stops
                        if chunk.usage is not None:
                            stats.prompt_tokens = chunk.usage.prompt_tokens
                            stats.generated_tokens = chunk.usage.completion_tokens
                        for choice in chunk.choices:
                            stats.finish_reason = choice.finish_reason or stats.finish_reason
                            if chosen is not None:
                                chosen.add(choice)
                            if choice.delta.content:
                                chunks += 1
                                if stats.time_to_first_token is None:
                                    stats.time_to_first_token = time.perf_counter() - started
                                yield choice.delta.content
            except (openai.APIError, httpx.HTTPError) as error:
                stats.finish_reason = "error"
                raise server_error(error, url, timeout) from error
            finally:
                stats.total_seconds = time.perf_counter() - started
            if chosen is not None and chosen.tokens:  # a server may ignore the ask
                generation.tokens = chosen.tokens
            if stats.stopped:
                stats.finish_reason = "cancelled"
            # A stopped stream ends before the usage: its counts are the pieces and an estimate.
            if not stats.generated_tokens:
                stats.generated_tokens = chunks
            if not stats.prompt_tokens:
                stats.prompt_tokens = visual + sum(
                    self.count_tokens(part["text"]) for part in _text_parts(chat)
                )

        generation.pieces = pieces()
        return generation

    def _open(self, request: dict[str, Any]) -> Any:
        """Send the request; once vLLM refuses the budget in it, send it without from then on."""
        try:
            return self.client.chat.completions.create(**request)
        except openai.BadRequestError as error:
            extra = request.get("extra_body", {})
            if "mm_processor_kwargs" not in extra or "mm_processor_kwargs" not in str(error):
                raise
        # vLLM ≥ 0.31 takes processor settings per request only when started with
        # --trust-request-mm-kwargs. The images are resized for the budget already.
        log.warning(
            "%s refuses per-request image budgets: sending resized images alone", self.info.remote
        )
        self._send_budget = False
        extra = {k: v for k, v in extra.items() if k != "mm_processor_kwargs"}
        return self.client.chat.completions.create(**{**request, "extra_body": extra})

    def chat(self, messages: list[Message], budget: Budget) -> tuple[list[Message], int]:
        """Return the messages in the OpenAI format, and the visual tokens their images cost."""
        chat, visual = [], 0
        for message in messages:
            content = message["content"]
            if isinstance(content, list):
                parts = []
                for part in content:
                    if part["type"] == "image":
                        url, tokens = self.image_url(part["image"], budget)
                        parts.append({"type": "image_url", "image_url": {"url": url}})
                        visual += tokens
                    else:
                        parts.append(part)
                content = parts
            chat.append({"role": message["role"], "content": content})
        return chat, visual

    def image_url(self, image: Image.Image, budget: Budget) -> tuple[str, int]:
        """Return the image, resized for the budget, as a data: URL, and its visual tokens."""
        size = resized(image.size, budget)
        tokens = (size[0] // TOKEN_EDGE) * (size[1] // TOKEN_EDGE)
        with self._lock:
            kept = self._encoded.get(id(image))
            if kept is not None and kept[0]() is image and kept[1] == size:
                self._encoded.move_to_end(id(image))
                return kept[2], tokens
        url = data_url(image if image.size == size else image.resize(size, Image.BICUBIC))
        with self._lock:
            self._encoded[id(image)] = (weakref.ref(image), size, url)
            while len(self._encoded) > ENCODED_KEPT:
                self._encoded.popitem(last=False)
        return url, tokens

    def request(
        self, chat: list[Message], params: GenerationParams, budget: Budget
    ) -> dict[str, Any]:
        """Return the chat-completions arguments for the `openai` client."""
        request: dict[str, Any] = {
            "model": self.info.model,
            "messages": chat,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": params.max_new_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
        }
        if params.json_schema is not None:
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": params.json_schema, "strict": True},
            }
        if self.info.served_by in CONSTRAINING_SERVERS:
            request["logprobs"] = True  # each token's own probability, for its confidence
        if self.info.served_by in FULL_SERVERS:
            extra: dict[str, Any] = {"repetition_penalty": params.repetition_penalty}
            if params.top_k and not params.greedy:
                extra["top_k"] = params.top_k
            if self._send_budget:
                extra["mm_processor_kwargs"] = {"size": size_bounds(budget)}
            request["extra_body"] = extra
        elif self.info.served_by == LLAMACPP:
            request["extra_body"] = {"repeat_penalty": params.repetition_penalty}
            if params.top_k and not params.greedy:
                request["extra_body"]["top_k"] = params.top_k
        return request

    def count_tokens(self, text: str) -> int:
        """Return an upper estimate of the tokens in `text`: its UTF-8 bytes / 3.

        The tokenizer lives on the server. Qwen's takes about 4 bytes of English and 3 of
        Chinese a token, so this over-counts, and a history fitted with it fits.
        """
        return math.ceil(len(text.encode("utf-8")) / 3)

    def unload(self) -> None:
        """Close the client's connections (streams in flight end with an error)."""
        self.client.close()


class ChosenTokens:
    """Reads (text, log-probability) of each token from streamed chunks' `logprobs`.

    A token's text comes from its `bytes` where the server sends them: a wide character split
    over tokens (and chunks) decodes whole, its pieces' log-probabilities added.
    """

    def __init__(self) -> None:
        self.tokens: list[tuple[str, float]] = []
        self._pending, self._logprob = b"", 0.0

    def add(self, choice: Any) -> None:
        """Take the tokens of one chunk's choice."""
        logprobs = getattr(choice, "logprobs", None)
        for token in getattr(logprobs, "content", None) or ():
            if token.bytes is None:
                self.tokens.append((token.token, token.logprob))
                continue
            self._pending += bytes(token.bytes)
            self._logprob += token.logprob
            try:
                text = self._pending.decode("utf-8")
            except UnicodeDecodeError:
                if len(self._pending) < 4:  # a UTF-8 character is at most 4 bytes
                    continue  # the character goes on in the next token
                text = self._pending.decode("utf-8", "replace")  # never a character: as is
            self.tokens.append((text, self._logprob))
            self._pending, self._logprob = b"", 0.0


def data_url(image: Image.Image) -> str:
    """Return the image as a data: URL, PNG or JPEG, whichever is smaller."""
    rgb = image.convert("RGB")
    encoded = []
    for kind, options in (("PNG", {}), ("JPEG", {"quality": JPEG_QUALITY})):
        buffer = io.BytesIO()
        rgb.save(buffer, kind, **options)
        encoded.append((len(buffer.getvalue()), kind.lower(), buffer.getvalue()))
    _, kind, data = min(encoded)
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _text_parts(chat: list[Message]) -> Iterator[dict[str, Any]]:
    for message in chat:
        content = message["content"]
        if isinstance(content, str):
            yield {"text": content}
        else:
            yield from (part for part in content if part["type"] == "text")


def _api_key(settings: Settings) -> str:
    """Return the key from the variable `--api-key-env` names; servers without keys get "EMPTY"."""
    variable = settings.api_key_env
    if not variable:
        return "EMPTY"
    key = os.environ.get(variable, "")
    if not key:
        raise ModelLoadError(
            f"--api-key-env names {variable}, which is not set or empty.",
            f"Set it to the server's API key: export {variable}=…",
        )
    return key


_CHECK_SERVER = "Check that it runs and that --base-url is right; the next question tries again."


def server_error(error: BaseException, url: str, timeout: Any) -> ServerError:
    """Return a failed request as one message naming the server and what to do."""
    if isinstance(error, openai.APITimeoutError):
        seconds = getattr(timeout, "read", timeout)
        return ServerError(
            f"The model server at {url} did not answer within {seconds:g} s.",
            "It may be busy or stuck: try again, or raise --request-timeout.",
            recheck=True,
        )
    if isinstance(error, openai.APIConnectionError):
        cause = _first_line(error.__cause__) or "connection failed"
        return ServerError(
            f"The model server at {url} cannot be reached ({cause}).", _CHECK_SERVER, recheck=True
        )
    if isinstance(error, openai.APIStatusError):
        code, detail = error.status_code, _detail(error)
        if code >= 500:
            return ServerError(
                f"The model server at {url} failed (HTTP {code}: {detail}).",
                "See the server's log; the next question tries again.",
                recheck=True,
            )
        return ServerError(
            f"The model server at {url} refused the request (HTTP {code}: {detail}).",
            _STATUS_HINTS.get(code, "See the server's log for what it expects."),
        )
    if isinstance(error, httpx.HTTPError):  # the connection broke while streaming
        return ServerError(
            f"The model server at {url} stopped answering mid-stream ({_first_line(error)}).",
            "It may have crashed or restarted; the next question tries again.",
            recheck=True,
        )
    # An error event inside the stream: the server failed while generating.
    return ServerError(
        f"The model server at {url} failed while answering ({_first_line(error)}).",
        "See the server's log; the next question tries again.",
        recheck=True,
    )


_STATUS_HINTS = {
    400: "The server does not take this request: see its log; a smaller image budget may help.",
    401: "Check the API key: --api-key-env names the variable that holds it.",
    403: "Check the API key: --api-key-env names the variable that holds it.",
    404: "Check --base-url (it usually ends in /v1) and --api-model.",
    413: "The request is too large: lower the image budget.",
    422: "The server does not take this request: see its log; a smaller image budget may help.",
    429: "The server is busy: try again in a moment.",
}


def _detail(error: openai.APIStatusError) -> str:
    """Return what the server said was wrong, shortened to one line."""
    body = error.body
    if isinstance(body, str) and body.strip():
        return _first_line(body)[:300]
    if isinstance(body, dict):
        inner = body.get("error")
        said = inner.get("message") if isinstance(inner, dict) else inner
        said = said or body.get("detail") or body.get("message")
        if said:
            return _first_line(said)[:300]
    return _first_line(error.message)[:300]


def _first_line(what: object) -> str:
    lines = str(what or "").strip().splitlines()
    return lines[0] if lines else ""
