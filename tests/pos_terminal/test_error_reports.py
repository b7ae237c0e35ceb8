"""Issue 12 item 6 (till side): optional Sentry error reports with the shop's secrets out.

A real sentry-sdk client sends its envelopes over HTTP to a local endpoint (what a Sentry
server would receive, read back here); nothing is mocked but the Sentry server itself,
which cannot run here.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from pos_terminal.error_reports import FILTERED, scrub_text, start_error_reports
from pos_terminal.services.till import ApproverPin

# What the till holds at run time; never in source next to a frame the report quotes.
TYPED = {"pin": "9999", "token": "sekrit-token-value", "secret": "s3cr3t-hmac-key",
         "enrollment_code": "ABCD-EFGH", "password": "hunter2"}
SECRETS = tuple(TYPED.values())


class Endpoint:
    """Collects the envelopes a Sentry DSN pointing here receives."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.cond = threading.Condition()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                elif encoding == "br":
                    import brotli  # only if the SDK found it installed
                    body = brotli.decompress(body)
                with endpoint.cond:
                    endpoint.bodies.append(body)
                    endpoint.cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def dsn(self) -> str:
        return f"http://publickey@127.0.0.1:{self.server.server_address[1]}/42"

    def events(self, count: int, timeout: float = 15) -> list[dict]:
        with self.cond:
            assert self.cond.wait_for(lambda: len(self._events()) >= count, timeout), self.bodies
            return self._events()

    def _events(self) -> list[dict]:
        found = []
        for body in self.bodies:
            lines = body.split(b"\n")
            for header, payload in zip(lines[1::2], lines[2::2]):
                if json.loads(header).get("type") == "event":
                    found.append(json.loads(payload))
        return found


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    ep = Endpoint()
    yield ep
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    ep.server.shutdown()


def sign_in_with(pin: str, typed: dict[str, str]) -> None:
    approver = ApproverPin("m1", pin)  # noqa: F841 - locals the report shows
    terminal_secret = typed["secret"]
    headers = {"Authorization": f"Bearer {typed['token']}", "X-Correlation-ID": "cid-1"}  # noqa: F841
    config = {"store": {"password": typed["password"], "name": "Demo"}}  # noqa: F841
    raise PermissionError(f"manager m1 refused: pin={pin} with secret='{terminal_secret}'")


def test_reports_carry_the_error_but_no_pin_secret_or_token(endpoint: Endpoint) -> None:
    assert start_error_reports(endpoint.dsn, environment="test")
    try:
        sign_in_with(TYPED["pin"], TYPED)
    except PermissionError:
        sentry_sdk.capture_exception()
    logging.getLogger("pos_terminal.sync.enrollment").error(
        "enrollment refused: enrollment_code=%s token=%s", TYPED["enrollment_code"], TYPED["token"])
    sentry_sdk.flush(10)

    events = endpoint.events(2)
    raw = json.dumps(events)
    for secret in SECRETS:
        assert secret not in raw, f"{secret!r} reached the report"
    [crash] = [e for e in events if "exception" in e]
    [exception] = crash["exception"]["values"]
    assert exception["type"] == "PermissionError" and "manager m1 refused" in exception["value"]
    frame = exception["stacktrace"]["frames"][-1]
    assert frame["function"] == "sign_in_with"
    local = frame["vars"]
    assert local["terminal_secret"] == FILTERED and local["pin"] == FILTERED
    assert local["headers"]["Authorization"] == FILTERED and local["headers"]["X-Correlation-ID"] == "'cid-1'"
    assert local["config"]["store"]["password"] == FILTERED and local["config"]["store"]["name"] == "'Demo'"
    assert "m1" in local["approver"]  # who approved stays readable
    [logged] = [e for e in events if "exception" not in e]
    assert "enrollment refused" in json.dumps(logged)
    assert crash["environment"] == "test" and crash["release"].startswith("pos-terminal@")
    assert "user" not in crash or "ip_address" not in crash.get("user", {})


def test_off_without_a_dsn() -> None:
    assert not start_error_reports("")
    assert not sentry_sdk.get_client().is_active()


def test_a_dsn_without_sentry_sdk_installed_says_how_to_get_it(monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # import fails as if not installed
    with caplog.at_level(logging.WARNING):
        assert not start_error_reports("http://k@127.0.0.1:9/1")
    assert "pip install 'pos-terminal[sentry]'" in caplog.text


def test_secrets_written_inside_text_are_filtered() -> None:
    assert scrub_text("ApproverPin(user_id='m1', pin='9999')") == f"ApproverPin(user_id='m1', pin='{FILTERED}')"
    assert scrub_text('{"secret": "abc", "code": "paper_empty"}') == f'{{"secret": "{FILTERED}", "code": "paper_empty"}}'
    assert "tok" not in scrub_text("Authorization: Bearer tok.en")
    assert scrub_text("outbox key=order-1 spin=3") == "outbox key=order-1 spin=3"


def test_the_dsn_comes_from_the_file_or_the_environment_and_stays_out_of_reprs(tmp_path, monkeypatch) -> None:
    from pos_terminal.config import DEFAULT_CONFIG, load_config

    monkeypatch.delenv("POS_TERMINAL_SENTRY_DSN", raising=False)
    assert load_config().sentry_dsn == ""  # the shipped shop reports nothing
    path = tmp_path / "terminal.toml"
    path.write_text(DEFAULT_CONFIG.read_text().replace('dsn = ""', 'dsn = "http://filekey@sentry.invalid/1"'))
    assert load_config(path).sentry_dsn == "http://filekey@sentry.invalid/1"
    monkeypatch.setenv("POS_TERMINAL_SENTRY_DSN", "http://envkey@sentry.invalid/2")
    config = load_config(path)
    assert config.sentry_dsn == "http://envkey@sentry.invalid/2"
    assert "envkey" not in repr(config)
