"""Our JSON routes (``/api/ask``, ``/api/status``) and the router that holds every route."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt
from starlette.concurrency import run_in_threadpool

from rag.api.backends import available_backends
from rag.api.dates import DateFields
from rag.api.errors import ApiError, guarded, parse_body, refuse_other_methods
from rag.api.limits import check_history
from rag.api.openai import add_openai_routes
from rag.config import LLMBackend, Settings
from rag.pipeline import RAG
from rag.types import AskOptions


class ChatTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class AskRequest(DateFields):
    """Body of ``POST /api/ask``; the date fields are ``DateFields``.

    Strict types: ``"top_k": true`` or ``"details": "yes"`` is a 400, not a guess.
    """

    model_config = ConfigDict(extra="forbid")

    question: str
    history: list[ChatTurn] = Field(default_factory=list)
    top_k: StrictInt | None = Field(None, ge=1, le=50)
    backend: LLMBackend | None = None
    details: StrictBool = False


def bounded_history(turns: Sequence[tuple[str, str]], settings: Settings) -> None:
    """A 400 for a history too long or holding too long a turn (see ``check_history``)."""
    from rag.answer import MAX_QUESTION_CHARS

    check_history(turns, settings.max_history_turns, settings.max_turn_chars, MAX_QUESTION_CHARS)


def public_status(status: dict[str, Any]) -> dict[str, Any]:
    """``rag status`` for the network: folder and model names, never absolute paths."""
    shown = dict(status)
    for key in ("corpus_dir", "index_dir", "embedding_model", "llm"):
        value = shown.get(key)
        if isinstance(value, str) and ("/" in value or "\\" in value) and "://" not in value:
            shown[key] = PurePath(value.replace("\\", "/")).name
    url = shown.get("chroma_url")
    if isinstance(url, str) and "@" in url:  # user:password@host
        scheme, _, rest = url.partition("://")
        shown["chroma_url"] = f"{scheme}://{rest.rpartition('@')[2]}"
    return shown


class TimelineRequest(DateFields):
    """Body of ``POST /api/timeline``: a topic and optional event-day bounds."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    limit: StrictInt = Field(15, ge=1, le=50)


def build_router(rag: RAG, backends: Sequence[LLMBackend] | None = None) -> APIRouter:
    """The API routes over one shared ``RAG``; ``backends`` limits what callers may pick."""
    backends = list(backends or available_backends(rag.settings))
    router = APIRouter()

    def check_backend(backend: LLMBackend | None) -> None:
        if backend is not None and backend not in backends:
            raise ApiError(
                400, f"The backend {backend!r} is not configured here; use one of {backends}."
            )

    @router.post("/api/ask", tags=["rag"], summary="Answer a question (rag ask --json)")
    async def api_ask(request: Request) -> Any:
        async def work() -> Any:
            body = await parse_body(request, AskRequest)
            check_backend(body.backend)
            bounded_history([(t.role, t.content) for t in body.history], rag.settings)
            options = AskOptions(
                history=tuple(t.model_dump() for t in body.history),
                top_k=body.top_k,
                backend=body.backend,
                **body.date_options(),
            )
            answer = await run_in_threadpool(rag.ask, body.question, options)
            return JSONResponse(answer.to_dict(details=body.details))

        return await guarded(work())

    @router.post("/api/timeline", tags=["rag"], summary="Dated, cited events (rag timeline)")
    async def api_timeline(request: Request) -> Any:
        async def work() -> Any:
            body = await parse_body(request, TimelineRequest)
            if body.files:
                raise ApiError(400, "files: a timeline covers every article; leave it out.")
            dates = body.date_options()
            timeline = await run_in_threadpool(
                rag.timeline, body.topic, dates["date_from"], dates["date_to"], body.limit
            )
            return JSONResponse(timeline)

        return await guarded(work())

    @router.get("/api/status", tags=["rag"], summary="What is indexed (rag status --json)")
    async def api_status() -> Any:
        async def work() -> Any:
            return JSONResponse(public_status(await run_in_threadpool(rag.status)))

        return await guarded(work())

    add_openai_routes(router, rag, backends)
    refuse_other_methods(router)
    return router
