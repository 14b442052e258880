"""The HTTP API: our JSON contract and an OpenAI-compatible chat endpoint.

``build_router`` returns FastAPI routes the web app mounts next to the chat UI:

* ``POST /api/ask``: ``{"question", "history"}`` in, the ``rag ask --json`` object out;
* ``GET /api/status``: the ``rag status --json`` object;
* ``POST /api/timeline``: ``{"topic", "date_from", "date_to"}`` in, the ``rag timeline
  --json`` object out (``/api/ask`` also takes ``as_of``, ``date_from``, ``date_to``,
  ``dated_only``: ``rag.api.dates``);
* ``GET /v1/models`` and ``POST /v1/chat/completions`` (streaming or not), so any
  OpenAI client or chat front end can use the corpus. The citations travel in
  an extra top-level ``citations`` field (in the last chunk when streaming).

Pipeline calls block (retrieval, llama.cpp), so they run in the thread pool and
never on the event loop. Nothing here imports gradio.

Modules: ``routes`` (our routes and the router), ``openai`` (the ``/v1`` endpoints),
``errors`` (JSON errors, body parsing, FastAPI's 422s and wrong methods in our shape),
``auth`` (basic auth), ``backends``, ``limits`` (request-size and history limits, the
upload type check), ``dates`` (the date fields).
"""

from __future__ import annotations

from rag.api.auth import BasicAuthMiddleware
from rag.api.backends import MODEL_ID, available_backends
from rag.api.errors import ApiError, error_for, parse_body
from rag.api.openai import OpenAIMessage, history_from_messages
from rag.api.routes import build_router

__all__ = [
    "MODEL_ID",
    "ApiError",
    "BasicAuthMiddleware",
    "OpenAIMessage",
    "available_backends",
    "build_router",
    "error_for",
    "history_from_messages",
    "parse_body",
]
