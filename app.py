"""The web chat: `make run` serves it on http://127.0.0.1:7860 (RAG_HOST, RAG_PORT).

One server holds one ``RAG`` and offers three doors onto it: the Gradio chat
page at ``/``, our JSON API and an OpenAI-compatible API (``rag/api.py``).
This file only wires the UI; what it shows is built in ``rag/web.py`` and all
answering happens in ``rag/``. Each browser session keeps its own chat history
in Gradio state, so no answer can reach another user.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

from rag.env import prepare_process

prepare_process()

import gradio as gr  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402

from rag import config, web  # noqa: E402
from rag.answer import clean_question  # noqa: E402
from rag.api import BasicAuthMiddleware, available_backends, build_router  # noqa: E402
from rag.config import LLMBackend, Settings  # noqa: E402
from rag.errors import BadQuestionError, ConfigError, RagError  # noqa: E402
from rag.pipeline import RAG  # noqa: E402

BACKEND_LABELS = {
    "local": "local model (in-process)",
    "openai": "OpenAI-compatible server",
    "extractive": "extractive (no LLM, instant)",
}

CSS = """
#chat a[href^="#src-"] {
  display: inline-block; margin: 0 1px; padding: 0 .4em; border-radius: .7em;
  font-size: .78em; font-weight: 600; line-height: 1.5; text-decoration: none;
  background: var(--color-accent-soft); color: var(--color-accent);
  border: 1px solid var(--color-accent); vertical-align: .1em;
}
#sources { max-height: 640px; overflow-y: auto; }
#sources .src-question { font-weight: 600; margin-bottom: .2em; }
#sources .src-searched, #sources .src-meta { font-size: .85em; opacity: .75; }
#sources .src-note { margin: .4em 0 .6em; font-weight: 600; }
#sources .src-empty { opacity: .7; padding: .6em 0; }
#sources .src-card {
  border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: .6em .8em; margin: .6em 0; scroll-margin: 12px;
}
#sources .src-card.closest { border-style: dashed; }
#sources .src-card.flash { outline: 3px solid var(--color-accent); }
#sources .src-title { font-weight: 600; }
#sources .src-num {
  display: inline-block; min-width: 1.5em; text-align: center; border-radius: .7em;
  background: var(--color-accent-soft); color: var(--color-accent); font-size: .85em;
}
#sources .src-text { margin-top: .4em; font-size: .92em; line-height: 1.45; white-space: pre-wrap; }
#sources mark.quote { background: #fde68a; color: #1f2937; padding: 0 .1em; border-radius: 3px; }
#sources details.src-earlier { margin-top: .8em; opacity: .9; }
#sources details.src-earlier summary { cursor: pointer; font-size: .9em; }
"""

# A click on a citation scrolls to its source card (opening an earlier answer's fold).
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  const fold = card.closest("details");
  if (fold) fold.open = true;
  card.scrollIntoView({ behavior: "smooth", block: "nearest" });
  card.classList.remove("flash");
  void card.offsetWidth;
  card.classList.add("flash");
  setTimeout(() => card.classList.remove("flash"), 1600);
}, true);
</script>
"""

log = logging.getLogger("app")

SYSTEM_FONTS = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def load_settings() -> Settings:
    """Settings from RAG_* variables; a bad value is a one-line message, not a traceback."""
    try:
        return config.load_settings()
    except ConfigError as exc:
        sys.exit(f"error: {exc}")


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
        placeholder = (
            "Ask about the articles, or pick an example."
            if examples
            else "No articles are indexed yet: add some under **Add articles** below."
        )
        return gr.update(examples=examples or None, placeholder=placeholder)

    def on_load(self) -> tuple[str, Any]:
        return self.status(), self.chat_update()

    # -- chat
    @staticmethod
    def take_question(
        text: str, messages: list[dict[str, Any]]
    ) -> tuple[Any, list[dict[str, Any]], str]:
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
        messages: list[dict[str, Any]],
        history: list[dict[str, str]],
        turns: list[str],
        top_k: float,
        backend: LLMBackend,
    ) -> Any:
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


def build_ui(rag: RAG, backends: list[LLMBackend]) -> gr.Blocks:
    """The chat page: chat and sources side by side, articles and settings folded below."""
    ui = ChatUI(rag)
    settings = rag.settings
    limit = f"{settings.max_upload_mb:g} MB"
    with gr.Blocks(title="News RAG", analytics_enabled=False, fill_width=True) as demo:
        history = gr.State([])
        turns = gr.State([])
        pending = gr.State("")
        upload_note = gr.State("")
        saved = gr.State([])
        with gr.Row(equal_height=False):
            gr.Markdown("## News RAG · answers from the articles, every claim cited")
        status = gr.Markdown(ui.status(), elem_id="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                chatbot = gr.Chatbot(
                    elem_id="chat",
                    label="Chat",
                    height=560,
                    examples=ui.examples() or None,
                    placeholder="Ask about the articles, or pick an example.",
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
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                sources = gr.HTML(web.sources_panel([]), elem_id="sources", js_on_load=None)
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

        answer_inputs = [pending, chatbot, history, turns, top_k, backend]
        answer_outputs = [chatbot, history, sources, turns]
        answering = []
        for trigger in (question.submit, ask.click):
            answering.append(
                trigger(
                    ui.take_question, [question, chatbot], [question, chatbot, pending], queue=False
                ).then(ui.respond, answer_inputs, answer_outputs, api_visibility="private")
            )
        answering.append(
            chatbot.example_select(ui.pick_example, None, question, queue=False)
            .then(ui.take_question, [question, chatbot], [question, chatbot, pending], queue=False)
            .then(ui.respond, answer_inputs, answer_outputs, api_visibility="private")
        )
        for clear in (new_chat.click, chatbot.clear):  # a new chat stops the answer under way
            clear(
                ui.clear,
                None,
                [chatbot, history, turns, sources, pending],
                queue=False,
                cancels=answering,
            )
        upload.upload(
            ui.save_files, [upload], [report, upload_note, saved, upload], api_visibility="private"
        ).then(
            ui.reindex_uploads,
            [upload_note, saved],
            [report, status, chatbot],
            concurrency_id="ingest",
            concurrency_limit=1,
            api_visibility="private",
        )
        reindex.click(
            ui.reindex_button,
            None,
            [report, status, chatbot],
            concurrency_id="ingest",
            concurrency_limit=1,
            api_visibility="private",
        )
        demo.load(ui.on_load, None, [status, chatbot], api_visibility="private")
        gr.api(ui.ask_api, api_name="ask")
    return demo


def create_app(rag: RAG, backends: list[LLMBackend] | None = None) -> FastAPI:
    """One FastAPI server: our API routes first, the Gradio page at /, optional basic auth."""
    settings = rag.settings
    backends = backends or available_backends(settings)
    app = FastAPI(title="News RAG", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.include_router(build_router(rag, backends))
    demo = build_ui(rag, backends)
    # The local model answers one question at a time; queueing shows users their place.
    demo.queue(default_concurrency_limit=1 if backends[0] == "local" else 4, max_size=128)
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        footer_links=["api", "settings"],
        run_history=False,
        max_file_size=int(2 * settings.max_upload_mb * 1_000_000),  # ours says why, below that
        theme=gr.themes.Soft(font=SYSTEM_FONTS, font_mono=MONO_FONTS),
        css=CSS,
        head=HEAD,
    )
    if settings.auth:
        app.add_middleware(BasicAuthMiddleware, credentials=settings.auth)
    return app


def quiet_libraries() -> None:
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    for name in ("chromadb", "httpx", "sentence_transformers", "llama_index"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main() -> int:
    quiet_libraries()
    settings = load_settings()
    rag = RAG(settings)
    try:
        settings.corpus_dir.mkdir(parents=True, exist_ok=True)
        report = rag.ensure_index()
        if report is not None:
            print(f"indexed {settings.corpus_dir}: {report.summary()}", file=sys.stderr)
        rag.warm_up()
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = create_app(rag)
    print(f"News RAG chat on http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
