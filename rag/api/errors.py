"""Errors answered as JSON: pipeline errors mapped to HTTP statuses, bad bodies to a 400.

Every route runs through ``guarded`` so a caller gets ``{"error": {...}}``, never a
traceback.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from rag.errors import (
    BadQuestionError,
    ConfigError,
    IndexEmptyError,
    LLMError,
    ModelNotFoundError,
    RagError,
    StoreError,
)

log = logging.getLogger("rag.api")

INTERNAL_ERROR = "Internal error; see the server log."


class ApiError(Exception):
    """An error answered as JSON with an HTTP status."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": {"message": self.message, "type": self.kind}}, status_code=self.status
        )


def error_for(exc: RagError) -> ApiError:
    """Map a pipeline error onto an HTTP status; the message is the user's next step."""
    if isinstance(exc, BadQuestionError):
        return ApiError(400, str(exc))
    if isinstance(exc, IndexEmptyError | StoreError):
        return ApiError(503, str(exc), "service_unavailable")
    if isinstance(exc, LLMError):
        return ApiError(502, str(exc), "llm_error")
    if isinstance(exc, ConfigError | ModelNotFoundError):
        return ApiError(500, str(exc), "configuration_error")
    return ApiError(500, str(exc), "server_error")


async def guarded(work: Awaitable[Any]) -> Any:
    """Run a coroutine, turning our errors into JSON answers, never a traceback."""
    try:
        return await work
    except ApiError as exc:
        return exc.response()
    except RagError as exc:
        return error_for(exc).response()
    except Exception:
        log.exception("API request failed")
        return ApiError(500, INTERNAL_ERROR, "server_error").response()


M = TypeVar("M", bound=BaseModel)


async def parse_body(request: Request, model: type[M]) -> M:
    """Parse and validate a JSON body; problems become a 400 that names the field.

    Deep nesting and lone UTF-16 surrogates (``"\\ud800"``) parse in Python but
    break later (recursion, UTF-8 encoding), so they are refused here.
    """
    try:
        data = await request.json()
    except RecursionError as exc:
        raise ApiError(400, "The request body is nested too deeply.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}") from exc
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except RecursionError as exc:
        raise ApiError(400, "The request body is nested too deeply.") from exc
    except UnicodeEncodeError as exc:
        raise ApiError(
            400, "The request body holds a lone UTF-16 surrogate (like \\ud800): not text."
        ) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise ApiError(400, f"Invalid request: {problems}") from exc
