"""Guards for an app behind a password: slow login guessing, keep the API out of the login page,
and the MCP endpoint behind the same login.

Not a tab. Gradio 6 has no option for any, so all are small ASGI middlewares handed to
`Blocks.launch(app_kwargs={"middleware": ...})`. They sit inside Gradio's own middlewares (so
they see pages before compression) and read only the Gradio app's `auth`, `auth_dependency`,
`tokens` and `cookie_id` attributes, to tell a logged-in visitor.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import inspect
import ipaddress
import json
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 12
LOGIN_PATHS = ("/login", "/login/")
AUTH_MESSAGE = (
    "Several wrong passwords in a row pause the login for a while: "
    "if Login does nothing, wait a little and try again."
)
# The page Gradio serves at `/` ends its JSON (escaped: no `<` inside) with `;</script>`.
_API_INFO = re.compile(rb"(window\.gradio_api_info\s*=\s*).*?(;\s*</script>)", re.DOTALL)


def warn_short_passwords(
    pairs: Sequence[tuple[str, str]], min_length: int = MIN_PASSWORD_LENGTH
) -> list[str]:
    """Log a warning for each password shorter than min_length; return those users."""
    short = [user for user, password in pairs if len(password) < min_length]
    for user in short:
        log.warning(
            "the password of user %r is under %d characters: it can be guessed; use a longer one",
            user,
            min_length,
        )
    return short


@dataclass
class _Client:
    failures: int = 0  # logins in a row that did not succeed, the one in flight included
    blocked_until: float = 0.0
    last_seen: float = 0.0


class LoginThrottle:
    """Failed logins per client: after a few, each next try must wait twice as long as the last.

    Every admitted try counts as failed until it succeeds, so a burst of parallel tries cannot
    slip past the count; a success forgets the client. Memory holds at most `max_clients`
    entries, the least recently seen dropped first, and a client idle `forget_after_s` is dropped.
    """

    def __init__(
        self,
        free_failures: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 300.0,
        forget_after_s: float = 3600.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if free_failures < 1 or max_clients < 1 or not 0 < base_delay_s <= max_delay_s:
            raise ValueError("need free_failures >= 1, max_clients >= 1, 0 < base <= max delay")
        self.free_failures = free_failures
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.forget_after_s = forget_after_s
        self.max_clients = max_clients
        self._clock = clock
        self._clients: OrderedDict[str, _Client] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    def delay(self, failures: int) -> float:
        """Return how long a client must wait after this many failed logins in a row."""
        if failures < self.free_failures:
            return 0.0
        doublings = min(failures - self.free_failures, 64)  # 2**64 s is past any cap
        return min(self.base_delay_s * 2**doublings, self.max_delay_s)

    def failures(self, client: str) -> int:
        """Return the client's failed logins in a row (0 when it is not tracked)."""
        entry = self._clients.get(client)
        return entry.failures if entry else 0

    def admit(self, client: str) -> float:
        """Return 0 and count the try as failed until it succeeds, or the seconds left to wait."""
        now = self._clock()
        self._forget_stale(now)
        entry = self._clients.get(client)
        if entry is None:
            entry = self._clients[client] = _Client()
            if len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
        if now < entry.blocked_until:
            return entry.blocked_until - now
        entry.failures += 1
        entry.last_seen = now
        entry.blocked_until = now + self.delay(entry.failures)
        self._clients.move_to_end(client)
        return 0.0

    def succeeded(self, client: str) -> None:
        """Forget the client's failed logins."""
        self._clients.pop(client, None)

    def _forget_stale(self, now: float) -> None:
        # Entries are in order of last try, so the stale ones are at the front.
        while self._clients:
            entry = next(iter(self._clients.values()))
            if now - entry.last_seen < self.forget_after_s or now < entry.blocked_until:
                return
            self._clients.popitem(last=False)


def client_key(scope: Scope) -> str:
    """Return who is asking: the peer's IP address, an IPv6 one widened to its /64 network."""
    client = scope.get("client")
    host = client[0] if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        # One machine often holds a whole /64, so counting single addresses would not slow it.
        return str(ipaddress.IPv6Network((address.packed, 64), strict=False))
    return str(address)


def _route(scope: Scope) -> str:
    """Return the request path without the app's root path."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class LoginThrottleMiddleware:
    """Refuse `POST /login` with 429 and Retry-After while the client must wait."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle) -> None:
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or _route(scope) not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        client = client_key(scope)
        wait = self.throttle.admit(client)
        if wait > 0:
            await _too_many_requests(send, wait)
            return
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:  # before the client can see the response and try again
                    self.throttle.succeeded(client)
            await send(message)

        await self.app(scope, receive, send_noting_status)
        if status == 200:
            return
        failures = self.throttle.failures(client)
        pause = self.throttle.delay(failures)
        if pause:
            log.warning(
                "%d failed logins in a row from %s; its next try must wait %.0f s",
                failures,
                client,
                pause,
            )


async def _too_many_requests(send: Send, wait: float) -> None:
    seconds = max(1, math.ceil(wait))
    detail = f"Too many failed logins. Try again in {seconds} s."
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def blank_api_info(page: bytes) -> bytes:
    """Return the page with its embedded API description replaced by null."""
    return _API_INFO.sub(rb"\1null\2", page, count=1)


def _logged_in(scope: Scope) -> bool:
    """Return whether the request carries a Gradio login cookie; False when unsure."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True  # no login to pass
    if not isinstance(tokens, dict) or not cookie_id:
        return False
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(
        f"access-token-unsecure-{cookie_id}"
    )
    return token is not None and token in tokens


class HideApiInfoMiddleware:
    """Blank the API description Gradio embeds in its HTML pages, for visitors not logged in.

    Gradio's page script fetches `/gradio_api/info` when the embedded one is null, so even a
    logged-in user who got a blank page would still see "Use via API".
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or _logged_in(scope):
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # an HTML page's start, sent once its body is blanked
        chunks: list[bytes] = []

        async def send_blanked(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and _is_html(message):
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = blank_api_info(b"".join(chunks))
            headers = [(k, v) for k, v in held["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**held, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, send_blanked)


def _is_html(start: Message) -> bool:
    return any(
        key.lower() == b"content-type" and value.lower().startswith(b"text/html")
        for key, value in start.get("headers", [])
    )


def launch_options(
    auth: Sequence[tuple[str, str]] | Callable[[str, str], bool] | None,
    throttle: LoginThrottle | None = None,
) -> dict[str, Any]:
    """Return the `Blocks.launch` arguments that guard a login: none when there is no auth."""
    if not auth:
        return {}
    middleware = [
        Middleware(
            LoginThrottleMiddleware, throttle=LoginThrottle() if throttle is None else throttle
        ),
        Middleware(HideApiInfoMiddleware),
    ]
    return {"auth": auth, "auth_message": AUTH_MESSAGE, "app_kwargs": {"middleware": middleware}}


# ------------------------------------------------------------ the MCP endpoint behind the login
# Gradio mounts its MCP server (`/gradio_api/mcp/…`) outside its own login check, so behind
# `--auth` a request gets through only with the page's login cookie or an `Authorization: Basic`
# header holding one of the app's user:password pairs. Wrong passwords count in the login
# page's `LoginThrottle`, so guessing is no faster here.

MCP_PATH = "/gradio_api/mcp"
NOT_LOGGED_IN = (
    "This app needs a login: send its user and password as HTTP Basic auth "
    "(Authorization: Basic base64(user:password))."
)
WRONG_PASSWORD = "Wrong user or password for this app's MCP server."


def mcp_middleware(throttle: LoginThrottle) -> Middleware:
    """Return the middleware that guards the MCP endpoint, counting failures in `throttle`."""
    return Middleware(McpLoginMiddleware, throttle=throttle)


class McpLoginMiddleware:
    """Refuse MCP requests (401) that carry neither the login cookie nor a right password."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle) -> None:
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _route(scope)
        guarded = route == MCP_PATH or route.startswith(MCP_PATH + "/")
        if scope["type"] != "http" or not guarded or _logged_in(scope):
            await self.app(scope, receive, send)
            return
        pair = basic_credentials(Headers(scope=scope).get("authorization", ""))
        if pair is None:
            await _unauthorized(send, NOT_LOGGED_IN)
            return
        client = client_key(scope)
        wait = self.throttle.admit(client)
        if wait > 0:
            await _too_many_requests(send, wait)
            return
        if not await password_ok(scope.get("app"), *pair):
            log.warning("a wrong password for the MCP server from %s", client)
            await _unauthorized(send, WRONG_PASSWORD)
            return
        self.throttle.succeeded(client)
        await self.app(scope, receive, send)


def basic_credentials(header: str) -> tuple[str, str] | None:
    """Return the (user, password) of an `Authorization: Basic …` header; None for any other."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


async def password_ok(app: Any, user: str, password: str) -> bool:
    """Return whether the Gradio app's login takes this user and password (as its /login does)."""
    auth = getattr(app, "auth", None)
    if callable(auth):
        accepted = auth(user, password)
        return bool(await accepted if inspect.isawaitable(accepted) else accepted)
    if not isinstance(auth, dict) or user not in auth:
        return False
    return hmac.compare_digest(password.encode(), str(auth[user]).encode())


async def _unauthorized(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Basic realm="workbench", charset="UTF-8"'),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})
