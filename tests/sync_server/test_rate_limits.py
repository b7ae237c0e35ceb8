"""Rate limits (api/ratelimit.py): enrollment, admin, sign-in; per address and per store;
429 with Retry-After as an RFC 9457 problem; shared through real Redis by two real servers."""

from __future__ import annotations

import uuid

import httpx
import pytest
import redis
from fastapi import Depends, FastAPI, Request

from sync_server.api import errors
from sync_server.api.main import create_app
from sync_server.api.ratelimit import Limiter, RateLimit
from sync_server.core.config import Settings
from tools.launcher import ServerProcess

from .conftest import ADMIN_TOKEN

REDIS_URL = "redis://127.0.0.1:6379"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
pytestmark = pytest.mark.anyio


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sync.test")


def _guess() -> dict[str, str]:
    return {"enrollment_code": "AAAA-BBBB-CCCC", "terminal_name": "till"}


def _assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    problem = response.json()
    assert problem["code"] == "rate_limited" and problem["status"] == 429
    assert problem["retry_after_s"] == int(response.headers["Retry-After"])
    assert "try again in" in problem["detail"]


@pytest.fixture
def redis_up() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({exc}): the shared-limit test needs it")


async def test_enrollment_guesses_are_refused_after_the_limit(db_url, engine) -> None:
    app = create_app(Settings(db_url=db_url, rate_limit_enroll="3/minute"), engine)
    async with _client(app) as client:
        answers = [await client.post("/v1/terminals/enroll", json=_guess()) for _ in range(4)]
    assert [a.status_code for a in answers] == [403, 403, 403, 429]
    _assert_rate_limited(answers[3])


async def test_admin_limits_count_per_store_and_count_wrong_tokens(db_url, engine) -> None:
    settings = Settings(db_url=db_url, admin_token=ADMIN_TOKEN, rate_limit_admin="5/minute",
                        rate_limit_admin_per_store="2/minute")
    async with _client(create_app(settings, engine)) as client:
        s1 = [await client.put("/v1/admin/stores/S1", json={"name": "One"}, headers=ADMIN) for _ in range(3)]
        s2 = await client.put("/v1/admin/stores/S2", json={"name": "Two"}, headers=ADMIN)
        assert [r.status_code for r in s1] == [201, 200, 429] and s2.status_code == 201
        _assert_rate_limited(s1[2])
        guesses = [await client.get("/v1/admin/stores/S3/terminals", headers={"Authorization": f"Bearer guess{i}"})
                   for i in range(2)]
        # 4 of the address's 5 were spent above (the refused one counts too): one guess, then 429
        assert [g.status_code for g in guesses] == [401, 429]


async def test_sign_in_dependency_counts_per_address_and_per_store() -> None:
    """The back office's sign-in wires the same dependency; a store named in the body counts."""
    settings = Settings(db_url="sqlite://", rate_limit_sign_in="4/minute", rate_limit_sign_in_per_store="2/minute")
    app = FastAPI()
    app.state.rate_limiter = Limiter(settings)
    errors.install(app)

    def store_of(request: Request) -> str | None:
        return request.query_params.get("store")

    @app.post("/sign-in", dependencies=[Depends(RateLimit("sign_in", store_of=store_of))])
    def sign_in() -> dict[str, str]:
        return {"signed_in": "yes"}

    async with _client(app) as client:
        a = [(await client.post("/sign-in?store=A")).status_code for _ in range(3)]
        b = (await client.post("/sign-in?store=B")).status_code
        over = await client.post("/sign-in?store=C")
    assert a == [200, 200, 429] and b == 200  # A's two, then A's limit; B still open
    _assert_rate_limited(over)  # and the address has used its four (a refused one counts too)


def test_a_bad_limit_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        Limiter(Settings(db_url="sqlite://", rate_limit_admin="lots per minute"))


def _serve(tmp_path, db_url: str, prefix: str, storage: str, name: str) -> ServerProcess:
    env = {"POS_SYNC_RATE_LIMIT_STORAGE": storage, "POS_SYNC_RATE_LIMIT_PREFIX": prefix,
           "POS_SYNC_RATE_LIMIT_ENROLL": "4/minute", "POS_SYNC_LOG_LEVEL": "WARNING"}
    return ServerProcess(db_url, env=env, log_path=tmp_path / f"{name}.log")


def _enroll_guesses(urls: list[str], count: int) -> list[int]:
    """`count` wrong codes, alternating between the servers."""
    return [httpx.post(urls[i % len(urls)] + "/v1/terminals/enroll", json=_guess(), timeout=10).status_code
            for i in range(count)]


@pytest.mark.slow
def test_two_server_processes_share_the_limit_through_redis(tmp_path, redis_up) -> None:
    db_url = f"sqlite:///{tmp_path / 'sync.sqlite3'}"
    prefix = f"test-{uuid.uuid4()}"
    with _serve(tmp_path, db_url, prefix, REDIS_URL, "a") as a, _serve(tmp_path, db_url, prefix, REDIS_URL, "b") as b:
        statuses = _enroll_guesses([a.url, b.url], 6)
        refused = httpx.post(b.url + "/v1/terminals/enroll", json=_guess(), timeout=10)
    assert statuses == [403, 403, 403, 403, 429, 429]  # 2 on each server, then both refuse
    _assert_rate_limited(refused)
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
    assert keys, "the counters are in Redis"


@pytest.mark.slow
def test_memory_counters_are_per_process_and_a_dead_redis_lets_requests_through(tmp_path) -> None:
    """The control for the shared test: without Redis each process counts alone; and a
    configured Redis that is down does not stop enrollments (it is logged)."""
    db_url = f"sqlite:///{tmp_path / 'sync.sqlite3'}"
    with _serve(tmp_path, db_url, "p", "memory://", "m1") as a, _serve(tmp_path, db_url, "p", "memory://", "m2") as b:
        assert _enroll_guesses([a.url, b.url], 8) == [403] * 8  # four on each
    with _serve(tmp_path, db_url, "p", "redis://127.0.0.1:1", "dead") as dead:
        assert _enroll_guesses([dead.url], 6) == [403] * 6
    assert "rate limit storage unavailable" in (tmp_path / "dead.log").read_text()
