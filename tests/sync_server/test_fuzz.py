"""Property-based fuzz of the real server from its own /openapi.json (schemathesis).

Requests are signed as an enrolled terminal (admin routes get the bearer token), so the
fuzz reaches validation and the database instead of stopping at 401. Bounded examples.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.checks import not_a_server_error

from sync_server.signing import signed_headers

from .conftest import ADMIN_TOKEN
from .servers import serve
from .test_races import _setup_shop

pytestmark = pytest.mark.slow


class _SignAsTerminalOrAdmin(requests.auth.AuthBase):
    def __init__(self, terminal_id: str, secret: str) -> None:
        self.terminal_id, self.secret = terminal_id, secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if request.path_url.startswith("/v1/admin/"):
            request.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
            return request
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        request.headers.update(signed_headers(self.terminal_id, self.secret, request.method, request.path_url, body))
        return request


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, sqlite_template):
    import shutil

    directory = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, directory / "fuzz.sqlite3")
    with serve(f"sqlite:///{directory / 'fuzz.sqlite3'}", directory, ADMIN_TOKEN) as base_url:
        (terminal_id, secret), = _setup_shop(base_url, stock="1000", terminals=1)
        session = requests.Session()
        session.auth = _SignAsTerminalOrAdmin(terminal_id, secret)
        yield base_url, session


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_api_never_500s_and_honours_its_schema(live_server) -> None:
    base_url, session = live_server
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:

        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            case.call_and_validate(base_url=base_url, session=session, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc
