"""The Articles tab: the list of indexed articles, delete, uploads and re-indexing.

``ArticlesUI`` holds the handlers and ``wire_articles`` connects them; one
ingest (or delete) runs at a time across all sessions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from rag import library, uploads, web
from rag.errors import RagError
from ui.events import ChatUI
from ui.layout import Page


class ArticlesUI:
    """Handlers of the Articles tab; they share the chat's ``RAG`` and refresh its status."""

    def __init__(self, chat: ChatUI) -> None:
        self.chat = chat
        self.rag = chat.rag

    def listing(self, query: str = "", sort: str = "newest") -> tuple[str, Any]:
        """The table for this search and order, and the delete menu's choices."""
        try:
            articles = self.rag.articles()
        except RagError as exc:
            return f"*Could not read the index: {web.escape(exc)}*", gr.update(choices=[])
        rows = library.filter_articles(articles, query, sort)
        menu = [(f"{a['title']} ({a['file']})", a["file"]) for a in rows]
        return library.articles_table(rows, len(articles)), gr.update(choices=menu, value=None)

    def delete(self, file: str | None, query: str, sort: str) -> tuple[Any, ...]:
        """Remove one article's file and chunks, then redraw the list and the status."""
        if not file:
            gr.Warning("Pick the article to delete first.")
            return (gr.skip(),) * 5
        try:
            report = self.rag.delete_article(file)
        except LookupError as exc:
            gr.Warning(str(exc))
            return (gr.skip(),) * 5
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        note = (
            f"Deleted `{file}` from the corpus folder and the index "
            f"({report.documents_total} articles, {report.chunks_total} chunks left)."
        )
        table, menu = self.listing(query, sort)
        return note, table, menu, self.chat.status(), self.chat.chat_update()

    # -- adding articles
    def save_files(self, files: list[Any] | None) -> tuple[str, str, list[str], Any]:
        """Check and save uploads into the corpus folder; re-indexing follows."""
        pairs = []
        for item in files or []:
            path = Path(getattr(item, "name", None) or str(item))
            original = getattr(item, "orig_name", None) or path.name
            pairs.append((path, original))
        result = uploads.save_uploads(
            pairs, self.rag.settings.corpus_dir, self.rag.settings.max_upload_mb
        )
        for error in result.errors:
            gr.Warning(error)
        note = result.markdown()
        shown = f"{note}\n\n*Re-indexing…*" if result.saved else note
        return shown, note, result.saved, None

    def reindex(self, note: str, query: str, sort: str, progress: Any) -> tuple[Any, ...]:
        """Run the incremental ingest with a progress bar and say what changed."""
        progress(0, desc="Reading the corpus")

        def on_progress(done: int, total: int) -> None:
            if total:
                progress(done / total, desc=f"Embedding {done}/{total} chunks")

        try:
            report = self.rag.ingest(progress=on_progress)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        text = web.report_markdown(report)
        if note:
            text = f"{note}\n\n{text}"
        table, menu = self.listing(query, sort)
        return text, self.chat.status(), self.chat.chat_update(), table, menu

    def reindex_button(
        self,
        query: str,
        sort: str,
        progress: Any = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        return self.reindex("", query, sort, progress)

    def reindex_uploads(
        self,
        note: str,
        saved: list[str],
        query: str,
        sort: str,
        progress: Any = gr.Progress(),  # noqa: B008
    ) -> tuple[Any, ...]:
        if not saved:
            return (gr.skip(),) * 5
        return self.reindex(note, query, sort, progress)


def wire_articles(demo: gr.Blocks, page: Page, ui: ArticlesUI) -> None:
    """The list, delete, uploads and the Re-index button."""
    p = page
    listed = [p.articles, p.to_delete]
    view = [p.search, p.sort]
    refreshed = [p.report, p.status, p.chatbot, *listed]
    for event in (p.search.change, p.sort.change):
        event(ui.listing, view, listed, queue=False, show_progress="hidden")
    demo.load(ui.listing, view, listed, api_visibility="private")
    p.delete.click(
        ui.delete,
        [p.to_delete, *view],
        [p.delete_report, *listed, p.status, p.chatbot],
        concurrency_id="ingest",
        concurrency_limit=1,
        api_visibility="private",
    )
    p.upload.upload(
        ui.save_files,
        [p.upload],
        [p.report, p.upload_note, p.saved, p.upload],
        api_visibility="private",
    ).then(
        ui.reindex_uploads,
        [p.upload_note, p.saved, *view],
        refreshed,
        concurrency_id="ingest",
        concurrency_limit=1,
        api_visibility="private",
    )
    p.reindex.click(
        ui.reindex_button,
        view,
        refreshed,
        concurrency_id="ingest",
        concurrency_limit=1,
        api_visibility="private",
    )
