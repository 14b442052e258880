"""The page's components and where they sit; no event handlers here (see ``events``).

Three tabs: **Chat** (chat and sources side by side, the stage of the answer
under way, past chats, export, settings folded below), **Timeline** (a topic's
dated events in order, each cited) and **Articles** (every indexed article,
searchable, with delete, and the upload box beside it). The
``Page`` holds every component the events read or write, so the wiring needs
no knowledge of the layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag import uploads, web
from rag.config import LLMBackend, Settings
from rag.timeline_view import TIMELINE_PLACEHOLDER

BACKEND_LABELS = {
    "local": "local model (in-process)",
    "openai": "OpenAI-compatible server",
    "extractive": "extractive (no LLM, instant)",
}
CHAT_PLACEHOLDER = "Ask about the articles, or pick an example."
EMPTY_INDEX_PLACEHOLDER = "No articles are indexed yet: add some under the **Articles** tab."
SORTS = [("newest first", "newest"), ("oldest first", "oldest"), ("title", "title")]


@dataclass
class Page:
    """The components of one page, and the per-session state behind them."""

    history: gr.State  # the conversation as the pipeline sees it (checked answers)
    turns: gr.State  # one record per answer: question, answer, sources HTML, sources
    pending: gr.State  # the question taken from the textbox, waiting for its answer
    busy: gr.State  # True while an answer is under way: a second question waits
    chat_id: gr.State  # which stored chat this conversation is
    store: gr.BrowserState  # every chat of this browser, kept in its localStorage
    feedback: gr.State  # the id of the latest thumbs up/down, for its note
    upload_note: gr.State  # what the upload saved, shown again above the ingest report
    saved: gr.State  # files the upload saved; none means no re-index
    status: gr.Markdown
    chatbot: gr.Chatbot
    stage: gr.HTML
    question: gr.Textbox
    ask: gr.Button
    stop: gr.Button
    regenerate: gr.Button
    new_chat: gr.Button
    past_chats: gr.Dropdown
    export: gr.DownloadButton
    note_row: gr.Row
    note: gr.Textbox
    send_note: gr.Button
    sources: gr.HTML
    articles: gr.HTML
    search: gr.Textbox
    sort: gr.Dropdown
    to_delete: gr.Dropdown
    delete: gr.Button
    delete_report: gr.Markdown
    upload: gr.File
    reindex: gr.Button
    report: gr.Markdown
    top_k: gr.Slider
    backend: gr.Dropdown
    date_from: gr.Textbox
    date_to: gr.Textbox
    files: gr.Dropdown
    timeline_topic: gr.Textbox
    timeline_from: gr.Textbox
    timeline_to: gr.Textbox
    timeline_go: gr.Button
    timeline: gr.HTML


def build_page(
    settings: Settings,
    backends: list[LLMBackend],
    status: str,
    examples: list[dict[str, str]],
    secret: str,
) -> Page:
    """Lay the page out inside the current ``gr.Blocks``; ``status`` and ``examples`` seed it.

    ``secret`` encrypts the chats kept in the browser; a stable one lets them
    survive a restart of the server.
    """
    parts: dict[str, object] = {
        "history": gr.State([]),
        "turns": gr.State([]),
        "pending": gr.State(""),
        "busy": gr.State(False),
        "chat_id": gr.State(""),
        "store": gr.BrowserState({}, storage_key="news-rag-chats", secret=secret),
        "feedback": gr.State(""),
        "upload_note": gr.State(""),
        "saved": gr.State([]),
    }
    gr.Markdown("## News RAG · answers from the articles, every claim cited")
    parts["status"] = gr.Markdown(status, elem_id="status")
    with gr.Tabs(elem_id="tabs"):
        with gr.Tab("Chat", id="chat-tab", elem_id="chat-tab"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=320):
                    parts.update(chat_column(examples))
                with gr.Column(scale=2, min_width=280, elem_id="sources-column"):
                    gr.Markdown("### Sources")
                    parts["sources"] = gr.HTML(web.sources_panel([]), elem_id="sources")
            parts.update(settings_panel(settings, backends))
        with gr.Tab("Timeline", id="timeline-tab", elem_id="timeline-tab"):
            parts.update(timeline_panel())
        with (
            gr.Tab("Articles", id="articles-tab", elem_id="articles-tab"),
            gr.Row(equal_height=False),
        ):
            with gr.Column(scale=3, min_width=320):
                parts.update(articles_panel())
            with gr.Column(scale=2, min_width=280):
                parts.update(add_articles_panel(settings))
    return Page(**parts)  # type: ignore[arg-type]


def chat_column(examples: list[dict[str, str]]) -> dict[str, object]:
    """The chat, the stage of the answer under way, the question box and its buttons."""
    chatbot = gr.Chatbot(
        elem_id="chat",
        label="Chat",
        height="62vh",
        min_height=320,
        examples=examples or None,
        placeholder=CHAT_PLACEHOLDER,
        buttons=["copy", "copy_all"],
        feedback_options=("Like", "Dislike"),
        latex_delimiters=[],
    )
    stage = gr.HTML("", elem_id="stage")
    with gr.Row(elem_id="note-row", visible=False) as note_row:
        note = gr.Textbox(
            placeholder="Optional: what was wrong or right? (e.g. the correct answer)",
            show_label=False,
            container=False,
            scale=5,
            elem_id="feedback-note",
        )
        send_note = gr.Button("Add note", scale=1, size="sm", elem_id="send-note")
    with gr.Row(elem_id="ask-row"):
        question = gr.Textbox(
            placeholder="Ask a question about the articles…",
            show_label=False,
            container=False,
            scale=6,
            elem_id="question",
            max_lines=4,
        )
        ask = gr.Button("Ask", variant="primary", scale=1, min_width=70, elem_id="ask")
        stop = gr.Button("Stop", variant="stop", scale=1, min_width=70, elem_id="stop")
    with gr.Row(elem_id="chat-tools"):
        regenerate = gr.Button("↻ Regenerate", size="sm", interactive=False, elem_id="regenerate")
        new_chat = gr.Button("New chat", size="sm", elem_id="new-chat")
        export = gr.DownloadButton(
            "Export (Markdown)", size="sm", interactive=False, elem_id="export"
        )
        past_chats = gr.Dropdown(
            [],
            value=None,
            label="Past chats",
            show_label=False,
            container=False,
            scale=2,
            elem_id="past-chats",
        )
    return {
        "chatbot": chatbot,
        "stage": stage,
        "note_row": note_row,
        "note": note,
        "send_note": send_note,
        "question": question,
        "ask": ask,
        "stop": stop,
        "regenerate": regenerate,
        "new_chat": new_chat,
        "export": export,
        "past_chats": past_chats,
    }


def articles_panel() -> dict[str, object]:
    """Every indexed article: search, sort, and delete one (its file and its chunks)."""
    with gr.Row():
        search = gr.Textbox(
            placeholder="Search titles, publishers, files…",
            show_label=False,
            container=False,
            scale=3,
            elem_id="article-search",
        )
        sort = gr.Dropdown(
            SORTS, value="newest", show_label=False, container=False, scale=1, elem_id="sort"
        )
    articles = gr.HTML(elem_id="articles")
    with gr.Row(elem_id="delete-row"):
        to_delete = gr.Dropdown(
            [], value=None, label="Delete an article", scale=3, elem_id="to-delete"
        )
        delete = gr.Button("Delete", variant="stop", scale=1, elem_id="delete-article")
    delete_report = gr.Markdown(elem_id="delete-report")
    return {
        "articles": articles,
        "search": search,
        "sort": sort,
        "to_delete": to_delete,
        "delete": delete,
        "delete_report": delete_report,
    }


def add_articles_panel(settings: Settings) -> dict[str, object]:
    """Upload or re-index; the report says what the ingest changed."""
    limit = f"{settings.max_upload_mb:g} MB"
    with gr.Group(elem_id="add-articles"):
        gr.Markdown(
            f"### Add articles\nUpload {', '.join(uploads.UPLOAD_SUFFIXES)} files (up to {limit} "
            f"each), or copy them into `{settings.corpus_dir}` and press **Re-index**. Front "
            "matter or a `<file>.meta.json` sidecar gives title, source, date and URL.",
            padding=True,
        )
        upload = gr.File(
            label="Upload articles",
            file_count="multiple",
            file_types=[*uploads.UPLOAD_SUFFIXES, ".json"],
            elem_id="upload",
        )
        reindex = gr.Button("Re-index", elem_id="reindex")
    report = gr.Markdown(elem_id="report")
    return {"upload": upload, "reindex": reindex, "report": report}


def settings_panel(settings: Settings, backends: list[LLMBackend]) -> dict[str, object]:
    """Per-session top-k, backend, date range and articles; the backend is fixed when only one
    answers."""
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
        with gr.Row():
            date_from = gr.Textbox(
                label="Only articles dated from", placeholder="2026-01-01", elem_id="date-from"
            )
            date_to = gr.Textbox(label="to", placeholder="2026-04-30", elem_id="date-to")
        files = gr.Dropdown(
            [],
            value=[],
            multiselect=True,
            label="Only these articles (empty: all)",
            elem_id="only-articles",
        )
        gr.Markdown(
            f"Thumbs up/down and notes are saved to `{settings.feedback_file}` "
            "(RAG_FEEDBACK_PATH); `rag eval feedback` turns them into gold questions. "
            "Chats are kept in this browser only."
        )
    return {
        "top_k": top_k,
        "backend": backend,
        "date_from": date_from,
        "date_to": date_to,
        "files": files,
    }


def timeline_panel() -> dict[str, object]:
    """A topic, an optional range of event days, and the dated events found."""
    with gr.Row(elem_id="timeline-row", equal_height=True):
        topic = gr.Textbox(
            label="Topic",
            placeholder="e.g. the Tollan bus strike",
            scale=4,
            max_lines=1,
            elem_id="timeline-topic",
        )
        date_from = gr.Textbox(
            label="Events from", placeholder="2026-01-01", scale=1, elem_id="timeline-from"
        )
        date_to = gr.Textbox(label="to", placeholder="2026-04-30", scale=1, elem_id="timeline-to")
        go = gr.Button("Build timeline", variant="primary", scale=1, elem_id="timeline-go")
    timeline = gr.HTML(TIMELINE_PLACEHOLDER, elem_id="timeline")
    return {
        "timeline_topic": topic,
        "timeline_from": date_from,
        "timeline_to": date_to,
        "timeline_go": go,
        "timeline": timeline,
    }
