"""Thumbs up/down on an answer, with an optional note, saved by ``rag.feedback``."""

from __future__ import annotations

from typing import Any

import gradio as gr

from rag import feedback
from rag.config import Settings
from ui.chats import message_text
from ui.layout import Page


class FeedbackUI:
    def __init__(self, settings: Settings) -> None:
        self.path = settings.feedback_file

    def rate(
        self,
        messages: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        chat_id: str,
        data: gr.LikeData,
    ) -> tuple[Any, Any, str]:
        """Save the rating of the answer that was clicked; offer a note box for it."""
        liked = data.liked
        if liked in (None, "", False) and not isinstance(liked, bool):
            return gr.skip(), gr.skip(), ""
        rating = "up" if liked is True or liked == "Like" else "down"
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        index = int(index)
        users = [m for m in messages[:index] if m.get("role") == "user"]
        question = message_text(users[-1]) if users else ""
        turn = next((t for t in reversed(turns) if t.get("question") == question), None)
        if turn is None:  # a stopped or failed answer: keep what the chat shows
            turn = {"question": question, "answer": message_text(messages[index])}
        feedback_id = feedback.record(self.path, rating, turn, chat_id)
        gr.Info("Thanks: saved. Add a note below if you like.")
        return feedback_id, gr.update(visible=True), ""

    def add_note(self, feedback_id: str, note: str) -> tuple[Any, str]:
        if feedback_id and note.strip():
            feedback.add_note(self.path, feedback_id, note)
            gr.Info("Note saved.")
        return gr.update(visible=False), ""


def wire_feedback(page: Page, ui: FeedbackUI) -> None:
    p = page
    p.chatbot.like(
        ui.rate, [p.chatbot, p.turns, p.chat_id], [p.feedback, p.note_row, p.note], queue=False
    )
    for event in (p.send_note.click, p.note.submit):
        event(ui.add_note, [p.feedback, p.note], [p.note_row, p.note], queue=False)
