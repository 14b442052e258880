"""The web chat: `make run` serves it on http://127.0.0.1:7860 (RAG_HOST, RAG_PORT).

One server holds one ``RAG`` and offers three doors onto it: the Gradio chat
page at ``/`` (the ``ui`` package), our JSON API and an OpenAI-compatible API
(``rag/api/``). This file only starts it: settings, an index, the models, the
server. All answering happens in ``rag/``.
"""

from __future__ import annotations

import os
import socket
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

from rag.env import prepare_process

prepare_process()  # before gradio and the models load

import uvicorn  # noqa: E402

from rag.config import load_settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.exposure import check_exposure  # noqa: E402
from rag.pipeline import RAG  # noqa: E402
from rag.watch import start_watcher  # noqa: E402
from ui import build_ui, create_app  # noqa: E402

__all__ = ["build_ui", "create_app", "main"]


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, checked before minutes of model loading."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (
                f"cannot listen on {host}:{port} ({exc.strerror or exc}): is the app already "
                f"running? Stop it, or pick another port: RAG_PORT={port + 1} python app.py"
            )
    return None


def main() -> int:
    """Index the corpus if the index is empty, load the models, then serve until stopped."""
    try:
        settings = load_settings()
        check_exposure(settings)  # before minutes of loading, not after
        problem = port_problem(settings.host, settings.port)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 1
        rag = RAG(settings)
        settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        report = rag.ensure_index()
        if report is not None:
            print(f"indexed {settings.corpus_dir}: {report.summary()}", file=sys.stderr)
        rag.warm_up()
    except RagError as exc:  # a bad setting or an empty corpus: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = create_app(rag)
    watcher = start_watcher(rag)  # corpus changes indexed as they land; RAG_WATCH=0 turns off
    print(f"News RAG chat on http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
    finally:
        if watcher is not None:
            watcher.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
