"""Login guards: throttled password guessing, no API description before login, quiet refusals.

The app tests launch `launch.py`'s own app (tiny model, never loaded here) with a password on a
free 127.0.0.1 port; other clients are other loopback addresses (127.0.0.2, …).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file

import launch
import login as security
from login import LoginThrottle, blank_api_info, client_key
from tabs.domain.events import ASK_OUTPUTS
from workbench.bench.app import free_port

USER, PASSWORD = "admin", "short-pw"  # under 12 characters on purpose
FREE_FAILURES = 3
MAX_CLIENTS = 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(clock: FakeClock, **overrides: Any) -> LoginThrottle:
    options = {"free_failures": 3, "base_delay_s": 1.0, "max_delay_s": 8.0, "clock": clock}
    return LoginThrottle(**{**options, **overrides})


# --- the throttle itself, on a fake clock ---------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "delay"),
    [(0, 0.0), (2, 0.0), (3, 1.0), (4, 2.0), (5, 4.0), (6, 8.0), (7, 8.0), (10_000, 8.0)],
)
def test_delay_doubles_after_the_free_failures_up_to_the_cap(failures, delay):
    assert _throttle(FakeClock()).delay(failures) == delay


def test_default_delays_are_one_second_doubling_to_five_minutes():
    throttle = LoginThrottle()
    assert [throttle.delay(n) for n in (4, 5, 6, 7, 13, 14, 50)] == [0, 1, 2, 4, 256, 300, 300]


def test_tries_past_the_free_ones_must_wait_and_refusals_do_not_count():
    clock = FakeClock()
    throttle = _throttle(clock)
    assert [throttle.admit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert throttle.admit("a") == 1.0
    clock.now += 0.25
    assert throttle.admit("a") == 0.75
    assert throttle.failures("a") == 3
    clock.now += 0.75
    assert throttle.admit("a") == 0.0
    assert throttle.admit("a") == 2.0
    assert throttle.admit("b") == 0.0, "another client is not slowed"


def test_a_success_forgets_the_failures():
    clock = FakeClock()
    throttle = _throttle(clock)
    for _ in range(3):
        throttle.admit("a")
    clock.now += 1
    throttle.admit("a")  # this one succeeds
    throttle.succeeded("a")
    assert len(throttle) == 0
    assert [throttle.admit("a") for _ in range(3)] == [0.0, 0.0, 0.0]


def test_memory_keeps_the_most_recent_clients_only():
    throttle = _throttle(FakeClock(), max_clients=4)
    for number in range(100):
        throttle.admit(f"10.0.0.{number}")
    assert len(throttle) == 4
    assert throttle.failures("10.0.0.99") == 1
    assert throttle.failures("10.0.0.0") == 0


def test_idle_clients_are_forgotten_but_not_while_they_must_wait():
    clock = FakeClock()
    throttle = _throttle(clock, forget_after_s=60, max_delay_s=300, base_delay_s=300)
    throttle.admit("idle")
    for _ in range(3):
        throttle.admit("blocked")  # the third makes the next one wait 300 s
    clock.now += 61
    throttle.admit("new")
    assert (throttle.failures("idle"), throttle.failures("blocked")) == (0, 3)


@pytest.mark.parametrize(
    ("client", "key"),
    [
        (("203.0.113.7", 5000), "203.0.113.7"),
        (("::ffff:203.0.113.7", 5000), "203.0.113.7"),
        (("2001:db8:1:2:aaaa::1", 5000), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:bbbb::9", 5000), "2001:db8:1:2::/64"),
        (("testclient", 50000), "testclient"),
        (None, "unknown"),
    ],
)
def test_client_key_is_the_address_and_an_ipv6_slash_64(client, key):
    assert client_key({"type": "http", "client": client}) == key


@pytest.mark.parametrize(
    ("pairs", "warned"),
    [
        ([("a", "x" * 11), ("b", "x" * 12)], ["a"]),
        ([("a", "correct horse battery staple")], []),
        ([], []),
    ],
)
def test_passwords_under_12_characters_are_warned_about(pairs, warned, caplog):
    with caplog.at_level(logging.WARNING, logger="login"):
        assert security.warn_short_passwords(pairs) == warned
    assert len(caplog.records) == len(warned)
    assert all("x" * 11 not in record.getMessage() for record in caplog.records), "no passwords"


def test_the_random_share_password_is_long_enough(capsys):
    pairs = launch.credentials(launch.parse_args(["--share"]))
    capsys.readouterr()  # the printed password
    assert security.warn_short_passwords(pairs) == []


def test_auth_file_passwords_are_checked_too(tmp_path):
    path = tmp_path / "users.txt"
    path.write_text("ann:tiny\nbob:a-long-enough-password\n", encoding="utf-8")
    pairs = launch.credentials(launch.parse_args(["--auth-file", str(path)]))
    assert security.warn_short_passwords(pairs) == ["ann"]


def test_blank_api_info_replaces_only_the_embedded_description():
    page = (
        b"<script>window.gradio_config = {};</script>"
        b'<script>window.gradio_api_info = {"named_endpoints":{"/a":{"x":";"}}};</script><p>'
    )
    assert blank_api_info(page) == (
        b"<script>window.gradio_config = {};</script>"
        b"<script>window.gradio_api_info = null;</script><p>"
    )


def test_no_auth_means_no_guards():
    assert security.launch_options(None) == {}


# --- launch.py's app, with a password ----------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, LoginThrottle, list[str]]]:
    """Serve launch.py's app with a short password; return its URL, throttle and start-up log."""
    throttle = LoginThrottle(free_failures=FREE_FAILURES, base_delay_s=2.0, max_clients=MAX_CLIENTS)
    port = str(free_port())
    args = launch.parse_args(["--model", "tiny", "--port", port, "--auth", f"{USER}:{PASSWORD}"])
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("login").addHandler(handler)
    try:
        app, url, _ = launch.serve(args, throttle=throttle, quiet=True)
    finally:
        logging.getLogger("login").removeHandler(handler)
    yield url.rstrip("/"), throttle, warnings
    app.close()


def _client_from(address: str) -> httpx.Client:
    """Return an HTTP client whose requests come from this loopback address."""
    try:
        with socket.socket() as probe:
            probe.bind((address, 0))
    except OSError:
        pytest.skip(f"{address} is not a loopback address here")
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def _login(client: httpx.Client, url: str, password: str) -> httpx.Response:
    return client.post(f"{url}/login", data={"username": USER, "password": password})


def test_the_short_password_is_warned_about_at_start_up(served):
    _, _, warnings = served
    assert any(f"user {USER!r}" in line and "12 characters" in line for line in warnings)
    assert all(PASSWORD not in line for line in warnings)


def test_wrong_logins_past_the_threshold_get_429_and_other_clients_still_log_in(served):
    url, throttle, _ = served
    with _client_from("127.0.0.2") as guesser, _client_from("127.0.0.1") as user:
        codes = [_login(guesser, url, f"guess-{n}").status_code for n in range(FREE_FAILURES)]
        assert codes == [400] * FREE_FAILURES
        refused = _login(guesser, url, "guess-again")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"
        assert "Too many failed logins" in refused.json()["detail"]
        assert _login(guesser, url, PASSWORD).status_code == 429, "even the right one waits"

        assert _login(user, url, PASSWORD).status_code == 200, "another client is not slowed"

        time.sleep(float(refused.headers["retry-after"]) + 0.2)
        assert _login(guesser, url, PASSWORD).status_code == 200
        assert throttle.failures("127.0.0.2") == 0, "a success resets the count"
        assert _login(guesser, url, "wrong").status_code == 400


def test_the_throttle_memory_is_bounded(served):
    url, throttle, _ = served
    for last in range(10, 10 + 2 * MAX_CLIENTS):
        with _client_from(f"127.0.0.{last}") as client:
            assert _login(client, url, "wrong").status_code == 400
    assert len(throttle) == MAX_CLIENTS


def test_the_login_page_does_not_describe_the_api(served):
    url, _, _ = served
    for path in ("/", "/gradio_api/runs"):  # both pages embed the API description
        page = httpx.get(f"{url}{path}", timeout=10)
        assert page.status_code == 200
        assert "window.gradio_api_info = null;" in page.text
        assert "receipts_ask" not in page.text
    assert httpx.get(f"{url}/gradio_api/info", timeout=10).status_code == 401


def test_a_logged_in_user_still_gets_the_api(served):
    url, _, _ = served
    with httpx.Client(timeout=10) as browser:
        assert _login(browser, url, PASSWORD).status_code == 200
        page = browser.get(f"{url}/")
        assert "/receipts_ask" in page.text
        assert "window.gradio_api_info = null;" not in page.text
        assert "/receipts_ask" in browser.get(f"{url}/gradio_api/info").json()["named_endpoints"]
    client = Client(url, auth=(USER, PASSWORD), verbose=False)
    assert (
        "/receipts_ask"
        in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    )


API_OUTPUTS = [name for name in ASK_OUTPUTS if name != "conversation"]


def test_a_refused_image_logs_one_line_and_no_traceback(served, tmp_path: Path, capfd, caplog):
    url, _, _ = served
    fake = tmp_path / "notes.png"
    fake.write_text("these are notes, not pixels\n" * 20, encoding="utf-8")
    client = Client(url, auth=(USER, PASSWORD), verbose=False)
    capfd.readouterr()
    with caplog.at_level(logging.INFO):
        outputs = client.predict(
            image={"image": handle_file(str(fake)), "boxes": []},
            question="What is this?",
            api_name="/receipts_ask",
        )
    run_line = dict(zip(API_OUTPUTS, outputs, strict=True))["run_status"]
    assert "not an image" in run_line  # said in the tab, every other area left as it was
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    lines = [r.getMessage() for r in caplog.records if "not an image" in r.getMessage()]
    lines += [line for line in err.splitlines() if "not an image" in line]
    assert len(lines) == 1, lines
