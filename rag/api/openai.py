"""The OpenAI-compatible endpoints: ``GET /v1/models`` and ``POST /v1/chat/completions``.

Any OpenAI client or chat front end can use the corpus through them. The answer's
citations travel in an extra top-level ``citations`` field (in the last chunk when
streaming), next to ``refused``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from rag.api.backends import MODEL_ID
from rag.api.dates import DateFields
from rag.api.errors import INTERNAL_ERROR, ApiError, error_for, guarded, parse_body
from rag.api.limits import check_history
from rag.config import LLMBackend
from rag.errors import RagError
from rag.pipeline import RAG
from rag.types import Answer, AskOptions, StreamEvent

log = logging.getLogger("rag.api")


Role = Literal["system", "developer", "user", "assistant"]


class OpenAIMessage(BaseModel):
    """One chat message; system/developer ones are read past (our prompt is fixed)."""

    model_config = ConfigDict(extra="allow")

    role: Role
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The text of a message; content parts other than text are ignored."""
        if isinstance(self.content, list):
            return "\n".join(
                str(part.get("text", "")) for part in self.content if part.get("type") == "text"
            )
        return self.content or ""


class ChatCompletionRequest(DateFields):
    """The OpenAI chat fields we take; any other field is a 400 that names it.

    ``temperature`` and ``max_tokens`` are accepted for compatibility: answers are
    always greedy and as short as the settings make them. ``as_of``, ``date_from``
    and ``date_to`` (YYYYMMDD or YYYY-MM-DD) are our extra body fields.
    """

    model_config = ConfigDict(extra="forbid")

    model: StrictStr | None = None  # missing: the default, as ``/v1/models`` lists first
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: StrictBool = False
    stream_options: dict[str, Any] | None = None
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: StrictInt | None = Field(None, ge=1)
    n: Literal[1] | None = None
    user: str | None = Field(None, max_length=256)
    top_k: StrictInt | None = Field(None, ge=1, le=50)

    @field_validator("temperature", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError("must be a number between 0 and 2")
        return value


def model_ids(backends: Sequence[LLMBackend]) -> dict[str, LLMBackend | None]:
    """OpenAI model names: ``news-rag`` is the default backend, ``news-rag-<backend>`` each one."""
    ids: dict[str, LLMBackend | None] = {MODEL_ID: None}
    ids.update({f"{MODEL_ID}-{b}": b for b in backends})
    return ids


def pick_model(name: str | None, models: dict[str, LLMBackend | None]) -> str:
    """The model id asked for, the default when none is given; 404 for any other name.

    Answering ``gpt-4`` as ``news-rag`` would hide a misconfigured client, so an
    unknown name gets OpenAI's own ``model_not_found``.
    """
    if name is None:
        return MODEL_ID
    if name not in models:
        raise ApiError(
            404,
            f"The model {name!r} does not exist here; use one of {', '.join(models)} "
            "(GET /v1/models lists them).",
            code="model_not_found",
        )
    return name


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


# --- response objects ------------------------------------------------------------------------


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
        "as_of": answer.as_of,
        "window": answer.window,
        "low_confidence": answer.low_confidence,
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


# --- routes ------------------------------------------------------------------------------------


def add_openai_routes(router: APIRouter, rag: RAG, backends: Sequence[LLMBackend]) -> None:
    """Add the ``/v1`` routes; each backend is also offered as its own model name."""
    from rag.answer import MAX_QUESTION_CHARS

    models = model_ids(backends)
    settings = rag.settings

    def check_turns(earlier: Sequence[OpenAIMessage]) -> None:
        check_history(
            [(m.role, m.text()) for m in earlier],
            settings.max_history_turns,
            settings.max_turn_chars,
            MAX_QUESTION_CHARS,
        )

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
            check_turns(body.messages[:-1])
            dates = body.date_options()
            model = pick_model(body.model, models)
            backend = models[model]
            completion_id = f"chatcmpl-{uuid.uuid4().hex}"
            if not body.stream:
                options = AskOptions(
                    history=tuple(history),
                    top_k=body.top_k,
                    backend=backend,
                    **dates,
                )
                answer = await run_in_threadpool(rag.ask, question, options)
                return JSONResponse(completion_object(answer, model, completion_id))
            events = rag.stream(
                question, history=history, top_k=body.top_k, backend=backend, **dates
            )
            # Pull the first event here: a bad question is still a 400, not a broken stream.
            first = await run_in_threadpool(next, events, None)
            include_usage = bool((body.stream_options or {}).get("include_usage"))
            return StreamingResponse(
                stream_chunks(first, events, model, completion_id, include_usage),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )

        return await guarded(work())


# --- streaming ---------------------------------------------------------------------------------


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
        yield sse({"error": {"message": INTERNAL_ERROR, "type": "server_error"}})
        yield sse("[DONE]")
        return
    if answer is not None:
        yield sse(last_chunk(answer, model, completion_id))
        if include_usage:
            usage = chunk_object(completion_id, model, {})
            usage.update({"choices": [], "usage": openai_usage(answer)})
            yield sse(usage)
    yield sse("[DONE]")


def last_chunk(answer: Answer, model: str, completion_id: str) -> dict[str, Any]:
    """The closing chunk: the checked answer, whether it was refused, and its citations."""
    last = chunk_object(completion_id, model, {}, finish="stop")
    last.update(
        {
            "citations": citations_of(answer),
            "refused": answer.refused,
            "answer": answer.answer,
            "as_of": answer.as_of,
            "window": answer.window,
            "low_confidence": answer.low_confidence,
        }
    )
    return last
