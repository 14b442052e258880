"""The HTTP API: our JSON contract and an OpenAI-compatible chat endpoint.

``build_router`` returns FastAPI routes the web app mounts next to the chat UI:

* ``POST /api/ask``: ``{"question", "history"}`` in, the ``rag ask --json`` object out;
* ``GET /api/status``: the ``rag status --json`` object;
* ``GET /v1/models`` and ``POST /v1/chat/completions`` (streaming or not), so any
  OpenAI client or chat front end can use the corpus. The citations travel in
  an extra top-level ``citations`` field (in the last chunk when streaming).

Pipeline calls block (retrieval, llama.cpp), so they run in the thread pool and
never on the event loop. Nothing here imports gradio.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from rag.config import LLMBackend, Settings
from rag.errors import (
    BadQuestionError,
    ConfigError,
    IndexEmptyError,
    LLMError,
    ModelNotFoundError,
    RagError,
    StoreError,
)
from rag.pipeline import RAG
from rag.types import Answer, AskOptions, StreamEvent

log = logging.getLogger("rag.api")

MODEL_ID = "news-rag"


# --- which LLM backends can answer --------------------------------------------------------


def available_backends(settings: Settings) -> list[LLMBackend]:
    """Backends that can answer now: extractive always, the others when configured.

    The configured default comes first. ``local`` needs its GGUF on disk (the
    default one assembled by ``rag models``); ``openai`` needs RAG_LLM_BASE_URL.
    """
    from rag.models import default_gguf_path

    found: list[LLMBackend] = [settings.llm]
    local_ok = (
        Path(settings.llm_model).expanduser().is_file()
        if settings.llm_model
        else _exists(lambda: default_gguf_path(settings.cache_dir, assemble=False))
    )
    if local_ok:
        found.append("local")
    if settings.llm_base_url:
        found.append("openai")
    found.append("extractive")
    return list(dict.fromkeys(found))


def _exists(locate: Any) -> bool:
    try:
        locate()
    except ModelNotFoundError:
        return False
    return True


def model_ids(backends: Sequence[LLMBackend]) -> dict[str, LLMBackend | None]:
    """OpenAI model names: ``news-rag`` is the default backend, ``news-rag-<backend>`` each one."""
    ids: dict[str, LLMBackend | None] = {MODEL_ID: None}
    ids.update({f"{MODEL_ID}-{b}": b for b in backends})
    return ids


# --- request bodies ---------------------------------------------------------------------


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    """Body of ``POST /api/ask``."""

    model_config = ConfigDict(extra="forbid")

    question: str
    history: list[ChatTurn] = Field(default_factory=list)
    top_k: int | None = Field(None, ge=1, le=50)
    backend: LLMBackend | None = None
    details: bool = False


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The text of a message; content parts other than text are ignored."""
        if isinstance(self.content, list):
            return "\n".join(
                str(part.get("text", "")) for part in self.content if part.get("type") == "text"
            )
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """The fields of an OpenAI chat request we use; the rest (temperature...) are accepted."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    top_k: int | None = Field(None, ge=1, le=50)


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


M = TypeVar("M", bound=BaseModel)


async def parse_body(request: Request, model: type[M]) -> M:
    """Parse and validate a JSON body; problems become a 400 that names the field."""
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise ApiError(400, f"Invalid request: {problems}") from exc


def history_from_messages(messages: Sequence[OpenAIMessage]) -> tuple[str, list[dict[str, str]]]:
    """The last user message is the question; earlier user/assistant turns are the history."""
    if messages[-1].role != "user":
        raise ApiError(400, "The last message must come from the user: it is the question.")
    history = [
        {"role": m.role, "content": m.text()}
        for m in messages[:-1]
        if m.role in ("user", "assistant") and m.text()
    ]
    return messages[-1].text(), history


def openai_usage(answer: Answer) -> dict[str, int]:
    prompt = int(answer.usage.get("prompt_tokens") or 0)
    completion = int(answer.usage.get("completion_tokens") or 0)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def citations_of(answer: Answer) -> list[dict[str, Any]]:
    """The citations exactly as ``rag ask --json`` shows them."""
    return answer.to_dict()["citations"]


def completion_object(answer: Answer, model: str, completion_id: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer},
                "finish_reason": "stop",
            }
        ],
        "usage": openai_usage(answer),
        "citations": citations_of(answer),
        "refused": answer.refused,
    }


def chunk_object(
    completion_id: str, model: str, delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def sse(data: dict[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"


# --- routes ------------------------------------------------------------------------------


def build_router(rag: RAG, backends: Sequence[LLMBackend] | None = None) -> APIRouter:
    """The API routes over one shared ``RAG``; ``backends`` limits what callers may pick."""
    backends = list(backends or available_backends(rag.settings))
    models = model_ids(backends)
    router = APIRouter()

    def check_backend(backend: LLMBackend | None) -> None:
        if backend is not None and backend not in backends:
            raise ApiError(
                400, f"The backend {backend!r} is not configured here; use one of {backends}."
            )

    async def guarded(work: Any) -> Any:
        """Run a coroutine, turning our errors into JSON answers, never a traceback."""
        try:
            return await work
        except ApiError as exc:
            return exc.response()
        except RagError as exc:
            return error_for(exc).response()
        except Exception:
            log.exception("API request failed")
            return ApiError(500, "Internal error; see the server log.", "server_error").response()

    @router.post("/api/ask", tags=["rag"], summary="Answer a question (rag ask --json)")
    async def api_ask(request: Request) -> Any:
        async def work() -> Any:
            body = await parse_body(request, AskRequest)
            check_backend(body.backend)
            options = AskOptions(
                history=tuple(t.model_dump() for t in body.history),
                top_k=body.top_k,
                backend=body.backend,
            )
            answer = await run_in_threadpool(rag.ask, body.question, options)
            return JSONResponse(answer.to_dict(details=body.details))

        return await guarded(work())

    @router.get("/api/status", tags=["rag"], summary="What is indexed (rag status --json)")
    async def api_status() -> Any:
        async def work() -> Any:
            return JSONResponse(await run_in_threadpool(rag.status))

        return await guarded(work())

    @router.get("/v1/models", tags=["openai"], summary="OpenAI-compatible model list")
    async def list_models() -> Any:
        created = int(time.time())
        return {
            "object": "list",
            "data": [
                {"id": name, "object": "model", "created": created, "owned_by": MODEL_ID}
                for name in models
            ],
        }

    @router.post("/v1/chat/completions", tags=["openai"], summary="OpenAI-compatible chat")
    async def chat_completions(request: Request) -> Any:
        async def work() -> Any:
            body = await parse_body(request, ChatCompletionRequest)
            question, history = history_from_messages(body.messages)
            backend = models.get(body.model)  # unknown names get the default backend
            model = body.model if body.model in models else MODEL_ID
            completion_id = f"chatcmpl-{uuid.uuid4().hex}"
            if not body.stream:
                options = AskOptions(history=tuple(history), top_k=body.top_k, backend=backend)
                answer = await run_in_threadpool(rag.ask, question, options)
                return JSONResponse(completion_object(answer, model, completion_id))
            events = rag.stream(question, history=history, top_k=body.top_k, backend=backend)
            # Pull the first event here: a bad question is still a 400, not a broken stream.
            first = await run_in_threadpool(next, events, None)
            include_usage = bool((body.stream_options or {}).get("include_usage"))
            return StreamingResponse(
                stream_chunks(first, events, model, completion_id, include_usage),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )

        return await guarded(work())

    return router


async def stream_chunks(
    first: StreamEvent | None,
    events: Iterator[StreamEvent],
    model: str,
    completion_id: str,
    include_usage: bool,
) -> AsyncIterator[str]:
    """OpenAI ``chat.completion.chunk`` events, then ``data: [DONE]``.

    Deltas are the model's draft as it is generated; the last chunk carries the
    checked answer (``answer``), ``refused`` and ``citations``: a client that can
    should show ``answer`` in place of the streamed text.
    """
    try:
        async for text in _chunks(first, events, model, completion_id, include_usage):
            yield text
    finally:
        _close(events)


def _close(events: Iterator[StreamEvent]) -> None:
    """Stop generation when the client has gone (the generator's cleanup cancels it)."""
    close = getattr(events, "close", None)
    if close is not None:
        # ValueError: still running in a worker thread; it ends on its own.
        with contextlib.suppress(ValueError):
            close()


async def _chunks(
    first: StreamEvent | None,
    events: Iterator[StreamEvent],
    model: str,
    completion_id: str,
    include_usage: bool,
) -> AsyncIterator[str]:
    yield sse(chunk_object(completion_id, model, {"role": "assistant", "content": ""}))
    answer: Answer | None = None

    def chunk_for(event: StreamEvent) -> str | None:
        nonlocal answer
        if event.kind == "answer":
            answer = event.answer
        elif event.kind == "delta" and event.text:
            return sse(chunk_object(completion_id, model, {"content": event.text}))
        return None

    try:
        if first is not None and (text := chunk_for(first)):
            yield text
        async for event in iterate_in_threadpool(events):
            if text := chunk_for(event):
                yield text
    except RagError as exc:
        error = error_for(exc)
        yield sse({"error": {"message": error.message, "type": error.kind}})
        yield sse("[DONE]")
        return
    except Exception:
        log.exception("streamed answer failed")
        yield sse(
            {"error": {"message": "Internal error; see the server log.", "type": "server_error"}}
        )
        yield sse("[DONE]")
        return
    if answer is not None:
        last = chunk_object(completion_id, model, {}, finish="stop")
        last.update(
            {"citations": citations_of(answer), "refused": answer.refused, "answer": answer.answer}
        )
        yield sse(last)
        if include_usage:
            usage = chunk_object(completion_id, model, {})
            usage.update({"choices": [], "usage": openai_usage(answer)})
            yield sse(usage)
    yield sse("[DONE]")


# --- basic auth for the whole server ------------------------------------------------------


class BasicAuthMiddleware:
    """HTTP basic auth in front of every route (chat page, Gradio's API and ours).

    Browsers ask once and resend the credentials with every same-origin request,
    which covers the page, its queue calls and its event streams.
    """

    def __init__(self, app: ASGIApp, credentials: str, realm: str = MODEL_ID) -> None:
        user, _, password = credentials.partition(":")
        self.app = app
        self.user, self.password = user.encode(), password.encode()
        self.realm = realm

    def allowed(self, scope: Scope) -> bool:
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        # Both compared, always: no early exit that would time the user name.
        ok_user = secrets.compare_digest(user, self.user)
        ok_password = secrets.compare_digest(password, self.password)
        return ok_user and ok_password

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allowed(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = JSONResponse(
            {"error": {"message": "Authentication required.", "type": "unauthorized"}},
            status_code=401,
            headers={"WWW-Authenticate": f'Basic realm="{self.realm}", charset="UTF-8"'},
        )
        await response(scope, receive, send)
