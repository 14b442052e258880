"""The chat page's components and where they sit; no event handlers here (see ``events``).

Chat and sources side by side, "Add articles" and "Settings" folded below. The
``Page`` holds every component the events read or write, so the wiring needs no
knowledge of the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag import web
from rag.config import LLMBackend, Settings

BACKEND_LABELS = {
    "local": "local model (in-process)",
    "openai": "OpenAI-compatible server",
    "extractive": "extractive (no LLM, instant)",
}
CHAT_PLACEHOLDER = "Ask about the articles, or pick an example."
EMPTY_INDEX_PLACEHOLDER = "No articles are indexed yet: add some under **Add articles** below."


@dataclass
class Page:
    """The components of one chat page, and the per-session state behind them."""

    history: gr.State  # the conversation as the pipeline sees it (checked answers)
    turns: gr.State  # one sources-panel HTML block per answer
    pending: gr.State  # the question taken from the textbox, waiting for its answer
    upload_note: gr.State  # what the upload saved, shown again above the ingest report
    saved: gr.State  # files the upload saved; none means no re-index
    status: gr.Markdown
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new_chat: gr.Button
    sources: gr.HTML
    upload: gr.File
    reindex: gr.Button
    report: gr.Markdown
    top_k: gr.Slider
    backend: gr.Dropdown


@dataclass
class ChatColumn:
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    new_chat: gr.Button


def build_page(
    settings: Settings, backends: list[LLMBackend], status: str, examples: list[dict[str, str]]
) -> Page:
    """Lay the page out inside the current ``gr.Blocks``; ``status`` and ``examples`` seed it."""
    history, turns, pending = gr.State([]), gr.State([]), gr.State("")
    upload_note, saved = gr.State(""), gr.State([])
    with gr.Row(equal_height=False):
        gr.Markdown("## News RAG · answers from the articles, every claim cited")
    status_md = gr.Markdown(status, elem_id="status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=360):
            chat = chat_column(examples)
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### Sources")
            sources = gr.HTML(web.sources_panel([]), elem_id="sources", js_on_load=None)
    upload, reindex, report = add_articles_panel(settings)
    top_k, backend = settings_panel(settings, backends)
    return Page(
        history=history,
        turns=turns,
        pending=pending,
        upload_note=upload_note,
        saved=saved,
        status=status_md,
        chatbot=chat.chatbot,
        question=chat.question,
        ask=chat.ask,
        new_chat=chat.new_chat,
        sources=sources,
        upload=upload,
        reindex=reindex,
        report=report,
        top_k=top_k,
        backend=backend,
    )


def chat_column(examples: list[dict[str, str]]) -> ChatColumn:
    """The chat, and below it the question box with its buttons."""
    chatbot = gr.Chatbot(
        elem_id="chat",
        label="Chat",
        height=560,
        examples=examples or None,
        placeholder=CHAT_PLACEHOLDER,
        buttons=["copy", "copy_all"],
        feedback_options=None,
        latex_delimiters=[],
    )
    with gr.Row():
        question = gr.Textbox(
            placeholder="Ask a question about the articles…",
            show_label=False,
            container=False,
            scale=6,
            elem_id="question",
            max_lines=4,
        )
        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
        new_chat = gr.Button("New chat", scale=1, elem_id="new-chat")
    return ChatColumn(chatbot, question, ask, new_chat)


def add_articles_panel(settings: Settings) -> tuple[gr.File, gr.Button, gr.Markdown]:
    """Upload or re-index, folded; the report says what the ingest changed."""
    limit = f"{settings.max_upload_mb:g} MB"
    with gr.Accordion("Add articles", open=False, elem_id="add-articles"):
        gr.Markdown(
            f"Upload {', '.join(web.UPLOAD_SUFFIXES)} files (up to {limit} each), or copy "
            f"them into `{settings.corpus_dir}` and press **Re-index**. Front matter or a "
            "`<file>.meta.json` sidecar gives title, source, date and URL."
        )
        upload = gr.File(
            label="Upload articles",
            file_count="multiple",
            file_types=[*web.UPLOAD_SUFFIXES, ".json"],
            elem_id="upload",
        )
        reindex = gr.Button("Re-index", elem_id="reindex")
        report = gr.Markdown(elem_id="report")
    return upload, reindex, report


def settings_panel(settings: Settings, backends: list[LLMBackend]) -> tuple[gr.Slider, gr.Dropdown]:
    """Per-session top-k and backend; the backend is fixed when only one can answer."""
    with gr.Accordion("Settings", open=False, elem_id="settings"):
        top_k = gr.Slider(
            1, 20, value=settings.top_k, step=1, label="Passages retrieved per question (top-k)"
        )
        backend = gr.Dropdown(
            [(BACKEND_LABELS[b], b) for b in backends],
            value=backends[0],
            label="Answer with",
            interactive=len(backends) > 1,
        )
    return top_k, backend
