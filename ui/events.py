"""What the chat does: ``ChatUI`` holds the handlers, ``wire`` connects them to a ``Page``.

Per-user data (history, sources, pending question) lives only in Gradio state
and in the user's own browser (``ui.chats``), so no answer can reach another
session. What the handlers show is built by ``rag.web``; all answering happens
in ``rag``. One answer at a time per page: Ask is disabled and Stop enabled
while one is written, and a question sent meanwhile is refused with a note.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from rag import library, web
from rag.answer import clean_question
from rag.config import LLMBackend
from rag.errors import BadQuestionError, RagError
from rag.pipeline import RAG
from ui import chats
from ui.layout import CHAT_PLACEHOLDER, EMPTY_INDEX_PLACEHOLDER, Page

log = logging.getLogger("app")

Messages = list[dict[str, Any]]
FIRST_STAGE = "Searching the articles"
STOPPED_NOTE = "*Stopped: this draft was not checked against the passages.*"


def controls(busy: bool, can_regenerate: bool = True) -> tuple[Any, Any, Any, bool]:
    """Updates for Ask, Stop and Regenerate, and the busy flag."""
    return (
        gr.update(interactive=not busy),
        gr.update(interactive=busy),
        gr.update(interactive=not busy and can_regenerate),
        busy,
    )


class ChatUI:
    """The chat's event handlers; per-user data lives only in Gradio state."""

    def __init__(self, rag: RAG) -> None:
        self.rag = rag

    # -- status and examples
    def status(self) -> str:
        return web.status_line(self.rag.status())

    def article_choices(self, chosen: list[str] | None) -> Any:
        """The indexed articles to keep a chat to, refreshed whenever the list is opened."""
        try:
            articles = web.indexed_articles(self.rag)
        except RagError:
            articles = []
        choices = [(f"{a['title']} ({a['file']})", a["file"]) for a in articles]
        known = {file for _, file in choices}
        return gr.update(choices=choices, value=[f for f in chosen or [] if f in known])

    def examples(self) -> list[dict[str, str]]:
        try:
            questions = web.example_questions(web.indexed_articles(self.rag))
        except RagError:
            questions = []
        return [{"text": q, "display_text": q} for q in questions]

    def chat_update(self, **changes: Any) -> Any:
        """Examples for the current corpus, or a hint when nothing is indexed yet."""
        examples = self.examples()
        placeholder = CHAT_PLACEHOLDER if examples else EMPTY_INDEX_PLACEHOLDER
        return gr.update(examples=examples or None, placeholder=placeholder, **changes)

    def on_load(self, store: chats.Store | None) -> tuple[Any, ...]:
        """Status, examples, and the chat this browser had open, restored."""
        chat = chats.get(store, (store or {}).get("current"))
        chat_id = (store or {}).get("current") if chat else chats.new_id()
        chat = chat or {"messages": [], "history": [], "turns": []}
        turns = chat["turns"]
        return (
            self.status(),
            self.chat_update(value=chat["messages"]),
            chat["history"],
            turns,
            web.sources_panel(turns),
            chat_id,
            gr.update(choices=chats.choices(store), value=chat_id if turns else None),
            self.export_update(chat_id, turns, chat.get("title", "")),
            gr.update(interactive=bool(turns)),
        )

    # -- asking
    @staticmethod
    def take_question(text: str, messages: Messages, busy: bool) -> tuple[Any, ...]:
        """Move the question into the chat at once; answering waits its turn in the queue."""
        if busy:
            gr.Warning("Still answering the last question: wait, or press Stop.")
            return (gr.skip(), gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), True)
        try:
            question = clean_question(text)
        except BadQuestionError as exc:
            gr.Warning(str(exc))
            return (gr.skip(), gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), gr.skip(), False)
        messages = [
            *messages,
            {"role": "user", "content": question},
            {"role": "assistant", "content": f"*{FIRST_STAGE}…*"},
        ]
        return ("", messages, question, web.stage_line(FIRST_STAGE, time.time()), *controls(True))

    @staticmethod
    def pick_example(event: gr.SelectData) -> str:
        return str(event.value.get("text", "")) if isinstance(event.value, dict) else ""

    @staticmethod
    def regenerate(
        messages: Messages, history: list[dict[str, str]], turns: list[dict[str, Any]], busy: bool
    ) -> tuple[Any, ...]:
        """Drop the last answer (and its sources) and ask its question again."""
        users = [i for i, m in enumerate(messages) if m.get("role") == "user"]
        if busy or not users:
            return (*(gr.skip(),) * 4, "", *(gr.skip(),) * 4, busy)
        question = chats.message_text(messages[users[-1]])
        if turns and turns[-1]["question"] == question:
            turns = turns[:-1]
            history = history[:-2]
        messages = [
            *messages[: users[-1]],
            {"role": "user", "content": question},
            {"role": "assistant", "content": f"*{FIRST_STAGE}…*"},
        ]
        stage = web.stage_line(FIRST_STAGE, time.time())
        return (
            messages,
            history,
            turns,
            web.sources_panel(turns),
            question,
            stage,
            *controls(True),
        )

    def respond(
        self,
        question: str,
        messages: Messages,
        history: list[dict[str, str]],
        turns: list[dict[str, Any]],
        top_k: float,
        backend: LLMBackend,
        date_from: str = "",
        date_to: str = "",
        files: list[str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Stream the stages and the draft, then show the checked answer and its sources.

        Yields (chatbot, history, sources, turns, stage, ask, stop, regenerate, busy).
        """
        if not question:  # refused by take_question: leave the answer under way alone
            yield (gr.skip(),) * 9
            return
        messages = [dict(m) for m in messages]
        turn = len(turns) + 1
        draft = ""
        started = time.time()
        busy = controls(True)
        try:
            window = library.date_window(date_from, date_to)
        except ValueError as exc:
            gr.Warning(str(exc))
            messages[-1]["content"] = f"*Not asked: {exc} (Settings, date range)*"
            yield messages, history, gr.skip(), turns, "", *controls(False)
            return
        try:
            events = self.rag.stream(
                question,
                history=history,
                top_k=int(top_k),
                backend=backend,
                files=tuple(files or ()),
                **window,
            )
            for event in events:
                if event.kind == "status":
                    if not draft:
                        messages[-1]["content"] = f"*{event.text}…*"
                    stage = web.stage_line(event.text, started)
                    yield messages, history, gr.skip(), turns, stage, *busy
                elif event.kind == "delta":
                    draft += event.text
                    messages[-1]["content"] = web.link_citations(draft, turn) + " ▍"
                    yield messages, history, gr.skip(), turns, gr.skip(), *busy
                elif event.kind == "answer" and event.answer is not None:
                    answer = event.answer
                    messages[-1]["content"] = web.chat_text(answer, turn, draft)
                    turns = [*turns, web.turn_record(answer, turn, draft)]
                    history = [
                        *history,
                        {"role": "user", "content": question},
                        {"role": "assistant", "content": answer.answer},
                    ]
                    done = web.stage_line(f"Answered in {time.time() - started:.1f} s", done=True)
                    yield messages, history, web.sources_panel(turns), turns, done, *controls(False)
        except RagError as exc:
            gr.Warning(str(exc))
            messages[-1]["content"] = f"*Could not answer: {exc}*"
            yield messages, history, gr.skip(), turns, "", *controls(False)
        except Exception:
            log.exception("answering failed")
            gr.Warning("Answering failed unexpectedly; the server log has the details.")
            messages[-1]["content"] = "*Could not answer: an unexpected error; see the server log.*"
            yield messages, history, gr.skip(), turns, "", *controls(False)

    @staticmethod
    def stop(messages: Messages) -> tuple[Any, ...]:
        """Keep the conversation; mark the unfinished answer as a stopped, unchecked draft."""
        messages = [dict(m) for m in messages]
        if messages and messages[-1].get("role") == "assistant":
            text = chats.message_text(messages[-1])
            if text.endswith("▍"):
                messages[-1]["content"] = text.rstrip("▍ ") + "\n\n" + STOPPED_NOTE
            elif text.startswith("*") and text.endswith("…*"):
                messages[-1]["content"] = "*Stopped before an answer was written.*"
        return (messages, web.stage_line("Stopped", done=True), "", *controls(False))

    # -- the chats kept in the browser
    @staticmethod
    def export_update(chat_id: str, turns: list[dict[str, Any]], title: str = "") -> Any:
        path = chats.export_file(chat_id, turns, title or chats.chat_title(turns, []))
        return gr.update(value=path, interactive=path is not None)

    def save_chat(
        self,
        store: chats.Store | None,
        chat_id: str,
        messages: Messages,
        history: list[dict[str, str]],
        turns: list[dict[str, Any]],
    ) -> tuple[Any, Any, Any]:
        """Keep this chat in the browser; refresh the list of past chats and the export."""
        store = chats.save(store, chat_id, messages, history, turns)
        listed = gr.update(choices=chats.choices(store), value=chat_id if messages else None)
        return store, listed, self.export_update(chat_id, turns)

    @staticmethod
    def new_chat(store: chats.Store | None) -> tuple[Any, ...]:
        """An empty chat; the previous one stays in the list of past chats."""
        chat_id = chats.new_id()
        store = {**(store or {}), "current": chat_id}
        return (
            [],
            [],
            [],
            web.sources_panel([]),
            "",
            chat_id,
            store,
            gr.update(value=None),
            gr.update(value=None, interactive=False),
            "",
            *controls(False, can_regenerate=False),
        )

    def open_chat(self, chat_id: str, store: chats.Store | None) -> tuple[Any, ...]:
        """Reopen a past chat where it was left."""
        chat = chats.get(store, chat_id)
        if chat is None:
            gr.Warning("That chat is no longer kept in this browser.")
            return (gr.skip(),) * 13
        store = {**(store or {}), "current": chat_id}
        turns = chat["turns"]
        return (
            chat["messages"],
            chat["history"],
            turns,
            web.sources_panel(turns),
            "",
            chat_id,
            store,
            self.export_update(chat_id, turns, chat.get("title", "")),
            "",
            *controls(False, can_regenerate=bool(turns)),
        )

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


def wire(demo: gr.Blocks, page: Page, ui: ChatUI) -> list[Any]:
    """Connect the chat's events to ``ui``; returns the answering events others may cancel."""
    p = page
    buttons = [p.ask, p.stop, p.regenerate, p.busy]
    saving = (
        [p.store, p.chat_id, p.chatbot, p.history, p.turns],
        [p.store, p.past_chats, p.export],
    )
    answering = wire_answering(page, ui, buttons, saving)
    p.files.focus(ui.article_choices, [p.files], [p.files], queue=False)
    demo.load(ui.article_choices, [p.files], [p.files], api_visibility="private")
    p.stop.click(
        ui.stop,
        [p.chatbot],
        [p.chatbot, p.stage, p.pending, *buttons],
        queue=False,
        cancels=answering,
    ).then(ui.save_chat, *saving, queue=False)
    shown = [p.chatbot, p.history, p.turns, p.sources, p.pending, p.chat_id, p.store]
    for clear in (p.new_chat.click, p.chatbot.clear):
        clear(
            ui.new_chat,
            [p.store],
            [*shown, p.past_chats, p.export, p.stage, *buttons],
            queue=False,
            cancels=answering,
        )
    p.past_chats.input(
        ui.open_chat,
        [p.past_chats, p.store],
        [*shown, p.export, p.stage, *buttons],
        queue=False,
        cancels=answering,
    )
    loaded = [p.status, p.chatbot, p.history, p.turns, p.sources, p.chat_id, p.past_chats]
    demo.load(ui.on_load, [p.store], [*loaded, p.export, p.regenerate], api_visibility="private")
    gr.api(ui.ask_api, api_name="ask")
    return answering


def wire_answering(page: Page, ui: ChatUI, buttons: list[Any], saving: tuple) -> list[Any]:
    """Ask by Enter, by the button, by an example or again; returns the answering events."""
    p = page
    asked = [p.question, p.chatbot, p.busy]
    taken = [p.question, p.chatbot, p.pending, p.stage, *buttons]
    answer_inputs = [
        *(p.pending, p.chatbot, p.history, p.turns, p.top_k, p.backend),
        *(p.date_from, p.date_to, p.files),
    ]
    answer_outputs = [p.chatbot, p.history, p.sources, p.turns, p.stage, *buttons]

    def answer(event: Any) -> Any:
        return event.then(
            ui.respond,
            answer_inputs,
            answer_outputs,
            api_visibility="private",
            show_progress="hidden",
        )

    answering = []
    for trigger in (p.question.submit, p.ask.click):
        answering.append(answer(trigger(ui.take_question, asked, taken, queue=False)))
    answering.append(
        answer(
            p.chatbot.example_select(ui.pick_example, None, p.question, queue=False).then(
                ui.take_question, asked, taken, queue=False
            )
        )
    )
    answering.append(
        answer(
            p.regenerate.click(
                ui.regenerate,
                [p.chatbot, p.history, p.turns, p.busy],
                [p.chatbot, p.history, p.turns, p.sources, p.pending, p.stage, *buttons],
                queue=False,
            )
        )
    )
    for event in answering:
        event.then(ui.save_chat, *saving, queue=False)
    return answering
