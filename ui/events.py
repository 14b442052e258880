"""What the chat page does: ``ChatUI`` holds the handlers, ``wire`` connects them to a ``Page``.

Per-user data (history, sources, pending question) lives only in Gradio state,
so no answer can reach another session. What the handlers show is built by
``rag.web``; all answering happens in ``rag``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from rag import web
from rag.answer import clean_question
from rag.config import LLMBackend
from rag.errors import BadQuestionError, RagError
from rag.pipeline import RAG
from ui.layout import CHAT_PLACEHOLDER, EMPTY_INDEX_PLACEHOLDER, Page

log = logging.getLogger("app")

Messages = list[dict[str, Any]]


class ChatUI:
    """The event handlers of one app; per-user data lives only in Gradio state."""

    def __init__(self, rag: RAG) -> None:
        self.rag = rag

    # -- status and examples
    def status(self) -> str:
        return web.status_line(self.rag.status())

    def examples(self) -> list[dict[str, str]]:
        try:
            questions = web.example_questions(web.indexed_articles(self.rag))
        except RagError:
            questions = []
        return [{"text": q, "display_text": q} for q in questions]

    def chat_update(self) -> Any:
        """Examples for the current corpus, or a hint when nothing is indexed yet."""
        examples = self.examples()
        placeholder = CHAT_PLACEHOLDER if examples else EMPTY_INDEX_PLACEHOLDER
        return gr.update(examples=examples or None, placeholder=placeholder)

    def on_load(self) -> tuple[str, Any]:
        return self.status(), self.chat_update()

    # -- chat
    @staticmethod
    def take_question(text: str, messages: Messages) -> tuple[Any, Messages, str]:
        """Move the question into the chat at once; answering waits its turn in the queue."""
        try:
            question = clean_question(text)
        except BadQuestionError as exc:
            gr.Warning(str(exc))
            return gr.update(), messages, ""
        messages = [
            *messages,
            {"role": "user", "content": question},
            {"role": "assistant", "content": "*Searching the articles…*"},
        ]
        return "", messages, question

    @staticmethod
    def pick_example(event: gr.SelectData) -> str:
        return str(event.value.get("text", "")) if isinstance(event.value, dict) else ""

    def respond(
        self,
        question: str,
        messages: Messages,
        history: list[dict[str, str]],
        turns: list[str],
        top_k: float,
        backend: LLMBackend,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the draft answer, then show the checked one and its sources."""
        if not question:
            yield messages, history, gr.skip(), turns
            return
        messages = [dict(m) for m in messages]
        turn = len(turns) + 1
        draft = ""
        try:
            events = self.rag.stream(question, history=history, top_k=int(top_k), backend=backend)
            for event in events:
                if event.kind == "status":
                    messages[-1]["content"] = f"*{event.text}*"
                    yield messages, history, web.searching_panel(event.text), turns
                elif event.kind == "delta":
                    draft += event.text
                    messages[-1]["content"] = web.link_citations(draft, turn) + " ▍"
                    yield messages, history, gr.skip(), turns
                elif event.kind == "answer" and event.answer is not None:
                    answer = event.answer
                    messages[-1]["content"] = web.chat_text(answer, turn)
                    turns = [*turns, web.answer_sources(answer, turn)]
                    history = [
                        *history,
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": answer.answer},
                    ]
                    yield messages, history, web.sources_panel(turns), turns
        except RagError as exc:
            gr.Warning(str(exc))
            messages[-1]["content"] = f"*Could not answer: {exc}*"
            yield messages, history, gr.skip(), turns
        except Exception:
            log.exception("answering failed")
            gr.Warning("Answering failed unexpectedly; the server log has the details.")
            messages[-1]["content"] = "*Could not answer: an unexpected error; see the server log.*"
            yield messages, history, gr.skip(), turns

    @staticmethod
    def clear() -> tuple[list[Any], list[Any], list[Any], str, str]:
        return [], [], [], web.sources_panel([]), ""

    # -- adding articles
    def save_files(self, files: list[Any] | None) -> tuple[str, str, list[str], Any]:
        """Check and save uploads into the corpus folder; re-indexing follows."""
        pairs = []
        for item in files or []:
            path = Path(getattr(item, "name", None) or str(item))
            original = getattr(item, "orig_name", None) or path.name
            pairs.append((path, original))
        result = web.save_uploads(
            pairs, self.rag.settings.corpus_dir, self.rag.settings.max_upload_mb
        )
        for error in result.errors:
            gr.Warning(error)
        note = result.markdown()
        shown = f"{note}\n\n*Re-indexing…*" if result.saved else note
        return shown, note, result.saved, None

    def reindex(self, note: str, progress: Any) -> tuple[str, str, Any]:
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
        return text, self.status(), self.chat_update()

    def reindex_button(self, progress: Any = gr.Progress()) -> tuple[str, str, Any]:  # noqa: B008
        return self.reindex("", progress)

    def reindex_uploads(
        self,
        note: str,
        saved: list[str],
        progress: Any = gr.Progress(),  # noqa: B008
    ) -> tuple[str, str, Any]:
        if not saved:
            return gr.skip(), gr.skip(), gr.skip()
        return self.reindex(note, progress)

    # -- Gradio's client API
    def ask_api(
        self, question: str, history: list[dict[str, str]] | None = None, top_k: int | None = None
    ) -> dict[str, Any]:
        """Answer a question about the articles; returns the `rag ask --json` object."""
        try:
            return self.rag.ask(question, history=history or (), top_k=top_k).to_dict()
        except RagError as exc:
            raise gr.Error(str(exc)) from exc


# --- wiring --------------------------------------------------------------------------------


def wire(demo: gr.Blocks, page: Page, ui: ChatUI) -> None:
    """Connect the page's events to ``ui``; call it inside ``demo``'s ``with`` block."""
    answering = wire_answering(page, ui)
    for clear in (page.new_chat.click, page.chatbot.clear):  # a new chat stops the answer under way
        clear(
            ui.clear,
            None,
            [page.chatbot, page.history, page.turns, page.sources, page.pending],
            queue=False,
            cancels=answering,
        )
    wire_articles(page, ui)
    demo.load(ui.on_load, None, [page.status, page.chatbot], api_visibility="private")
    gr.api(ui.ask_api, api_name="ask")


def wire_answering(page: Page, ui: ChatUI) -> list[Any]:
    """Ask by Enter, by the button or by an example; returns the events a new chat cancels."""
    asked = [page.question, page.chatbot]
    taken = [page.question, page.chatbot, page.pending]
    answer_inputs = [page.pending, page.chatbot, page.history, page.turns, page.top_k, page.backend]
    answer_outputs = [page.chatbot, page.history, page.sources, page.turns]
    answering = []
    for trigger in (page.question.submit, page.ask.click):
        answering.append(
            trigger(ui.take_question, asked, taken, queue=False).then(
                ui.respond, answer_inputs, answer_outputs, api_visibility="private"
            )
        )
    answering.append(
        page.chatbot.example_select(ui.pick_example, None, page.question, queue=False)
        .then(ui.take_question, asked, taken, queue=False)
        .then(ui.respond, answer_inputs, answer_outputs, api_visibility="private")
    )
    return answering


def wire_articles(page: Page, ui: ChatUI) -> None:
    """Uploads and the Re-index button; one ingest at a time across all sessions."""
    refreshed = [page.report, page.status, page.chatbot]
    page.upload.upload(
        ui.save_files,
        [page.upload],
        [page.report, page.upload_note, page.saved, page.upload],
        api_visibility="private",
    ).then(
        ui.reindex_uploads,
        [page.upload_note, page.saved],
        refreshed,
        concurrency_id="ingest",
        concurrency_limit=1,
        api_visibility="private",
    )
    page.reindex.click(
        ui.reindex_button,
        None,
        refreshed,
        concurrency_id="ingest",
        concurrency_limit=1,
        api_visibility="private",
    )
