"""Errors with a stable protocol `code`; rendered as RFC 9457 problem details by the API."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class ApiError(Exception):
    """A refusal the client can act on: HTTP status + stable snake_case `code`."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra or {}

    def problem(self) -> dict[str, Any]:
        return problem_body(self.status, self.code, self.detail, **self.extra)


def problem_body(status: int, code: str, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {
        "type": f"https://pos.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    body.update(extra)
    return body


def validation_failed(errors: list[str] | str) -> ApiError:
    errors = [errors] if isinstance(errors, str) else errors
    return ApiError(422, "validation_failed", "; ".join(errors)[:2000], extra={"errors": errors[:100]})


def error_lines(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Pydantic (or FastAPI) validation errors as `where: what` lines."""
    return [f"{'.'.join(str(p) for p in err.get('loc', ())) or 'body'}: {err.get('msg', '')}" for err in errors]


def parse_model(model: type[M], raw: object) -> M:
    """`raw` (parsed JSON) as `model`, or 422 validation_failed naming every bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_failed(error_lines(exc.errors())) from None
