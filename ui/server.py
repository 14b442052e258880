"""One FastAPI server: our API routes first, the Gradio chat page at ``/``, optional basic auth.

The page's CSS and JavaScript are plain files under ``ui/static``, read when the
app is built.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from fastapi import FastAPI

from rag import uploads
from rag.api import BasicAuthMiddleware, available_backends, build_router
from rag.api.errors import add_error_handlers
from rag.api.limits import RequestLimitMiddleware
from rag.config import LLMBackend
from rag.exposure import check_exposure
from rag.pipeline import RAG
from ui.article_route import build_article_router
from ui.articles import ArticlesUI, wire_articles
from ui.chats import browser_secret
from ui.events import ChatUI, wire
from ui.feedback import FeedbackUI, wire_feedback
from ui.layout import build_page
from ui.timeline import TimelineUI, wire_timeline

STATIC = Path(__file__).resolve().parent / "static"
SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def static_text(name: str) -> str:
    """A file under ``ui/static``, as text."""
    return (STATIC / name).read_text(encoding="utf-8")


def page_head() -> str:
    """The ``<head>`` addition: the citation-link script."""
    return f"<script>\n{static_text('app.js')}</script>\n"


def build_ui(rag: RAG, backends: list[LLMBackend]) -> gr.Blocks:
    """The page: Chat (chat, sources, settings), Timeline, and Articles (list, uploads)."""
    ui = ChatUI(rag)
    secret = browser_secret(rag.settings)
    # Uploads are moved into the corpus and removed from Gradio's cache at once; the
    # cache sweep catches any left by an interrupted upload.
    with gr.Blocks(
        title="News RAG", analytics_enabled=False, fill_width=True, delete_cache=(3600, 3600)
    ) as demo:
        page = build_page(rag.settings, backends, ui.status(), ui.examples(), secret)
        wire(demo, page, ui)
        # The folder watcher indexes in the background: the status line shows what it did.
        gr.Timer(10).tick(ui.status, None, page.status, queue=False, show_progress="hidden")
        wire_articles(demo, page, ArticlesUI(ui))
        wire_timeline(page, TimelineUI(rag))
        wire_feedback(page, FeedbackUI(rag.settings))
    return demo


def upload_name_ok(name: str) -> bool:
    """What the upload handler would take, judged on the name before anything is stored."""
    return uploads.upload_suffix_ok(uploads.safe_name(name))


def create_app(rag: RAG, backends: list[LLMBackend] | None = None) -> FastAPI:
    """One FastAPI server: our API routes first, the Gradio page at /, optional basic auth.

    Refuses (ConfigError) to serve a non-loopback RAG_HOST without RAG_AUTH. Every
    request body passes the size limits first, and Gradio's upload route only ever
    stores the file types the corpus takes.
    """
    settings = rag.settings
    check_exposure(settings)
    backends = backends or available_backends(settings)
    app = FastAPI(title="News RAG", docs_url="/api/docs", openapi_url="/api/openapi.json")
    add_error_handlers(app)  # FastAPI's own 422s in our {"error": ...} shape
    app.include_router(build_router(rag, backends))
    app.include_router(build_article_router(rag))
    demo = build_ui(rag, backends)
    # The local model answers one question at a time; queueing shows users their place.
    demo.queue(default_concurrency_limit=1 if backends[0] == "local" else 4, max_size=128)
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        footer_links=[],  # one Settings on the page: ours
        run_history=False,
        max_file_size=int(settings.max_upload_mb * 1_000_000),
        theme=gr.themes.Soft(font=SYSTEM_FONTS, font_mono=MONO_FONTS),
        css=static_text("app.css"),
        head=page_head(),
    )
    app.add_middleware(
        RequestLimitMiddleware,
        max_body=int(settings.max_request_mb * 1_000_000),
        max_upload_file=int(settings.max_upload_mb * 1_000_000),
        upload_name_ok=upload_name_ok,
        upload_hint=f"upload {', '.join(uploads.UPLOAD_SUFFIXES)} files.",
    )
    if settings.auth:  # added last, so it runs first: no body is read before the password
        app.add_middleware(BasicAuthMiddleware, credentials=settings.auth)
    return app
