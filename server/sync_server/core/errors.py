"""Domain errors: a refusal named by its protocol code, raised by services and dependencies.

They know no HTTP. `api/errors.py` holds the one table that gives each `ErrorCode` its
status (and headers) and renders the RFC 9457 problem the client sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pos_protocol.codes import ErrorCode

M = TypeVar("M", bound=BaseModel)


class DomainError(Exception):
    """A refusal the client can act on: a stable `code`, a `detail` for people, and any
    `extra` members of the problem body (e.g. `errors` of validation_failed)."""

    def __init__(self, code: ErrorCode, detail: str | None = None, *, extra: dict[str, Any] | None = None,
                 retry_after_s: int | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.extra = extra or {}
        self.retry_after_s = retry_after_s
        """When the client may try again (a rate limit's window); None: whenever it likes."""

    def __repr__(self) -> str:
        return f"DomainError({self.code.value!r}, {self.detail!r})"


def validation_failed(errors: list[str] | str) -> DomainError:
    errors = [errors] if isinstance(errors, str) else errors
    return DomainError(ErrorCode.VALIDATION_FAILED, "; ".join(errors)[:2000], extra={"errors": errors[:100]})


def rate_limited(retry_after_s: int, what: str) -> DomainError:
    return DomainError(ErrorCode.RATE_LIMITED, f"too many {what} from here; try again in {retry_after_s} s",
                       extra={"retry_after_s": retry_after_s}, retry_after_s=retry_after_s)


def store_unknown(store_id: str) -> DomainError:
    return DomainError(ErrorCode.STORE_UNKNOWN, f"store {store_id} does not exist")


def error_lines(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Pydantic (or FastAPI) validation errors as `where: what` lines."""
    return [f"{'.'.join(str(p) for p in err.get('loc', ())) or 'body'}: {err.get('msg', '')}" for err in errors]


def parse_model(model: type[M], raw: object) -> M:
    """`raw` (parsed JSON) as `model`, or validation_failed naming every bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_failed(error_lines(exc.errors())) from None
