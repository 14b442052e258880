"""The Timeline tab: a topic and an optional date range in, the dated, cited events out.

``TimelineUI.build`` checks what was typed (a clear note, never a traceback),
asks ``RAG.timeline`` and draws the result with ``rag.timeline_view``.
"""

from __future__ import annotations

import logging

from rag import library
from rag.errors import RagError
from rag.pipeline import RAG
from rag.timeline_view import timeline_html, timeline_message
from ui.layout import Page

log = logging.getLogger(__name__)
MAX_TOPIC = 300


class TimelineUI:
    """The handler of the Timeline tab; it shares the chat's ``RAG``."""

    def __init__(self, rag: RAG) -> None:
        self.rag = rag

    def build(self, topic: str, date_from: str = "", date_to: str = "") -> str:
        """The timeline's HTML, or a note saying what to change."""
        topic = " ".join((topic or "").split())
        if not topic:
            return timeline_message("Type a topic first, e.g. the name of a story or a place.")
        if len(topic) > MAX_TOPIC:
            return timeline_message(f"The topic is too long: keep it under {MAX_TOPIC} characters.")
        try:
            window = library.date_window(date_from, date_to)
        except ValueError as exc:
            return timeline_message(f"{exc} (Timeline, From/To)")
        try:
            timeline = self.rag.timeline(topic, window["date_from"], window["date_to"])
            publishers = {a["file"]: str(a.get("publisher") or "") for a in self.rag.articles()}
        except RagError as exc:
            return timeline_message(f"Could not build the timeline: {exc}")
        except Exception:
            log.exception("timeline failed")
            return timeline_message("Could not build the timeline; the server log has the details.")
        return timeline_html(
            timeline, publishers, (date_from or "").strip(), (date_to or "").strip()
        )


def wire_timeline(page: Page, ui: TimelineUI) -> None:
    """The button and Enter in the topic box both build the timeline."""
    inputs = [page.timeline_topic, page.timeline_from, page.timeline_to]
    for event in (page.timeline_go.click, page.timeline_topic.submit):
        event(ui.build, inputs, page.timeline, api_visibility="private")
