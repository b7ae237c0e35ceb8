"""Signing in to the back office: a signed session cookie, a CSRF token per session.

The cookie (`pos_office`) is signed with itsdangerous under the key kept in the database
(`services.office_users.session_key`, shared by every worker) and carries the user, the
user's session epoch and the session's CSRF token; it lasts `SESSION_MAX_AGE_S`. Logout
bumps the epoch, so the cookie (and any copy of it) stops being accepted. A visitor who
has not signed in gets a cookie with a CSRF token only, which the login form must echo.

Every form that changes something carries the token as `csrf_token` (htmx sends it as the
`X-CSRF-Token` header, set once in base.html); `check_csrf` compares it in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, replace

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine

from ..db.session import read_connection, write_transaction
from ..services import office_users
from ..services.office_users import OfficeAccount

COOKIE = "pos_office"
COOKIE_PATH = "/office"
SESSION_MAX_AGE_S = 8 * 3600  # a working day at the office
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class SignInRequired(Exception):
    """No valid session: the page answers with the login page instead (pages.install)."""


class CsrfRefused(Exception):
    """A form without this session's token: refused with nothing changed."""


@dataclass(frozen=True)
class OfficeSession:
    csrf: str
    account: OfficeAccount | None = None


def _serializer(request: Request, engine: Engine) -> URLSafeTimedSerializer:
    key = getattr(request.app.state, "office_session_key", None)
    if key is None:
        with write_transaction(engine) as conn:
            key = office_users.session_key(conn)
        request.app.state.office_session_key = key
    return URLSafeTimedSerializer(key, salt="pos-office-session")


def read_session(request: Request, engine: Engine) -> OfficeSession:
    """The session the cookie carries, or a fresh anonymous one (a new CSRF token)."""
    raw = request.cookies.get(COOKIE)
    data = None
    if raw:
        try:
            data = _serializer(request, engine).loads(raw, max_age=SESSION_MAX_AGE_S)
        except BadSignature:  # tampered, expired or signed under another key
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        return OfficeSession(csrf=secrets.token_urlsafe(24))
    session = OfficeSession(csrf=data["c"])
    user_id, epoch = data.get("u"), data.get("e")
    if isinstance(user_id, str) and isinstance(epoch, int):
        with read_connection(engine) as conn:
            account = office_users.account(conn, user_id)
        if account is not None and account.session_epoch == epoch:
            session = replace(session, account=account)
    return session


def write_session(request: Request, response: Response, engine: Engine, session: OfficeSession) -> None:
    data: dict[str, object] = {"c": session.csrf}
    if session.account is not None:
        data |= {"u": session.account.user_id, "e": session.account.session_epoch}
    response.set_cookie(COOKIE, _serializer(request, engine).dumps(data), max_age=SESSION_MAX_AGE_S, path=COOKIE_PATH,
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def signed_in(session: OfficeSession) -> OfficeSession:
    """Only a session with an account may see a page; else the login page (SignInRequired)."""
    if session.account is None:
        raise SignInRequired()
    return session


def check_csrf(request: Request, session: OfficeSession, form_token: str | None) -> None:
    given = form_token or request.headers.get(CSRF_HEADER, "")
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise CsrfRefused()


def fresh_csrf() -> str:
    return secrets.token_urlsafe(24)
