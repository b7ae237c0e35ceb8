"""Server error reporting (core/sentry.py) with a real sentry-sdk client and a local
transport: an unhandled error becomes one event, with PINs, secrets, tokens and
authorization headers scrubbed out; nothing is sent anywhere (no network)."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest
import sentry_sdk
from fastapi import Request
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from sync_server.api.main import create_app
from sync_server.core.config import Settings
from sync_server.core.sentry import FILTERED, init_sentry, scrub_event

pytestmark = pytest.mark.anyio
DSN = "https://public@sentry.invalid/1"


class Kept(Transport):
    """Sentry's transport interface, keeping envelopes in memory instead of sending them."""

    envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        Kept.envelopes.append(envelope)


@pytest.fixture
def sentry_events():
    Kept.envelopes = []
    yield Kept.envelopes
    sentry_sdk.init()  # no DSN: reporting off again for the tests after this one


def _events(envelopes: list[Envelope]) -> list[dict]:
    return [item.payload.json for envelope in envelopes for item in envelope.items if item.type == "event"]


async def test_an_unhandled_error_is_reported_without_credentials(tmp_path, sentry_events) -> None:
    # Made here, so that no secret is in this file's source (which Sentry shows around a frame).
    token, signature, cookie, pin, code, body_pin = (uuid.uuid4().hex for _ in range(6))
    settings = Settings(db_url=f"sqlite:///{tmp_path / 's.sqlite3'}", admin_token=token)
    app = create_app(settings)
    assert init_sentry(DSN, environment="test", transport=Kept)

    @app.post("/boom")
    def boom(request: Request) -> None:
        # locals the stack frame carries into the event (from the request: not in this source)
        pin = request.query_params["manager_pin"]  # noqa: F841
        terminal_secret = request.headers["X-Signature"]  # noqa: F841
        raise RuntimeError(f"failed for {request.headers['Authorization']}")

    headers = {"Authorization": f"Bearer {token}", "X-Signature": signature, "Cookie": f"session={cookie}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test") as client:
        answer = await client.post(f"/boom?enrollment_code={code}&manager_pin={pin}", json={"pin": body_pin},
                                   headers=headers)
    assert answer.status_code == 500 and answer.json()["code"] == "internal_error"
    sentry_sdk.flush(timeout=5)

    events = _events(sentry_events)
    assert events, "the error was reported"
    text = json.dumps(events)
    assert "RuntimeError" in text and "boom" in text  # the report is useful
    for secret in (token, signature, cookie, pin, code, body_pin):
        where = [m.start() for m in re.finditer(re.escape(secret), text)]
        assert not where, f"{secret!r} reached the Sentry event: " + "; ".join(text[max(0, i - 150):i + 20] for i in where[:3])
    assert FILTERED in text


def test_the_scrubber_on_its_own() -> None:
    event = {
        "request": {"headers": [["Authorization", "Bearer t0k"], ["X-Terminal-Id", "T-1"]],
                    "data": {"orders": [{"cashier_id": "anna"}]}, "cookies": {"s": "c"},
                    "env": {"REMOTE_ADDR": "10.0.0.9"}},
        "user": {"ip_address": "10.0.0.9", "id": "T-1"},
        "extra": {"manager_pin": "9999", "nested": {"api_key": "k", "fine": "kept"}},
        "breadcrumbs": {"values": [{"message": "GET with basic dXNlcjpwYXNz"}]},
    }
    scrubbed = scrub_event(event, {})
    text = json.dumps(scrubbed)
    for gone in ("t0k", "anna", "10.0.0.9", "9999", "dXNlcjpwYXNz", '"k"'):
        assert gone not in text
    assert scrubbed["request"]["headers"][1] == ["X-Terminal-Id", "T-1"]
    assert scrubbed["extra"]["nested"]["fine"] == "kept"


def test_off_by_default_and_a_missing_sdk_is_said_in_words(monkeypatch) -> None:
    assert Settings(db_url="sqlite://").sentry_dsn is None
    assert init_sentry(None) is False
    import builtins

    real_import = builtins.__import__

    def no_sentry(name, *args, **kwargs):
        if name == "sentry_sdk":
            raise ModuleNotFoundError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sentry)
    with pytest.raises(ValueError, match=r"pos-sync-server\[sentry\]"):
        init_sentry(DSN)
