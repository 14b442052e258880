"""Errors answered as JSON: pipeline errors mapped to HTTP statuses, bad bodies to a 400.

Every route runs through ``guarded`` so a caller gets ``{"error": {...}}``, never a
traceback; ``add_error_handlers`` and ``refuse_other_methods`` give FastAPI's own
422s and wrong methods the same shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

from rag.errors import (
    BadOptionError,
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

    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        """``{"error": {"message", "type"}}``, plus OpenAI's ``code`` when there is one."""
        error = {"message": self.message, "type": self.kind}
        if self.code:
            error["code"] = self.code
        return JSONResponse({"error": error}, status_code=self.status, headers=headers)


def error_for(exc: RagError) -> ApiError:
    """Map a pipeline error onto an HTTP status; the message is the user's next step."""
    if isinstance(exc, BadQuestionError | BadOptionError):
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
        raise ApiError(400, invalid(exc.errors())) from exc


def invalid(errors: Sequence[Any]) -> str:
    """One line naming each bad field: ``Invalid request: top_k: Input should be ...``."""
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in errors
    )
    return f"Invalid request: {problems}"


def add_error_handlers(app: FastAPI) -> None:
    """FastAPI's own errors (a missing query parameter's 422) in our format, as a 400."""

    async def on_invalid(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return ApiError(400, invalid(exc.errors())).response()

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return ApiError(exc.status_code, str(exc.detail)).response(exc.headers)

    app.add_exception_handler(RequestValidationError, on_invalid)
    app.add_exception_handler(HTTPException, on_http)


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def refuse_other_methods(router: APIRouter) -> None:
    """A 405 naming the allowed methods for any other method on the router's paths.

    The chat page is mounted at ``/`` after these routes, so without this it would
    take ``GET /api/ask`` and answer a bare 404.
    """
    allowed: dict[str, set[str]] = {}
    for route in router.routes:
        if isinstance(route, APIRoute):
            allowed.setdefault(route.path, set()).update(route.methods)
    for path, methods in allowed.items():
        others = [m for m in METHODS if m not in methods and not (m == "HEAD" and "GET" in methods)]
        router.add_api_route(
            path, _refusal(path, sorted(methods)), methods=others, include_in_schema=False
        )


def _refusal(path: str, methods: list[str]) -> Callable[[Request], Awaitable[JSONResponse]]:
    allow = ", ".join(methods)

    async def refuse(request: Request) -> JSONResponse:
        message = f"{request.method} is not allowed on {path}; use {allow}."
        return ApiError(405, message).response({"Allow": allow})

    return refuse
