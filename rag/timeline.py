"""Timelines: the events of a story in the order they happened, each line dated and cited.

No LLM is needed: the chunks closest to the topic are retrieved, their dated
sentences (``rag.event_dates``) are scored against the topic the way the
answer chain scores sentences (embedding cosine plus word overlap), and the
best are kept. Articles that tell the same event (same day, similar words or
meaning) become one line citing all of them, and the lines are ordered by the
day the event happened, not by publish date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.context import cosine_matrix, overlap
from rag.dates import long_date, to_int
from rag.event_dates import chunk_event_dates
from rag.text import content_stems

if TYPE_CHECKING:
    from rag.retrieve import HybridRetriever

CANDIDATE_CHUNKS = 40
MIN_SCORE = 0.6  # below this a dated sentence is about something else
SAME_EVENT_COSINE = 0.75
SAME_EVENT_OVERLAP = 0.5


@dataclass
class Event:
    """One timeline line: its day (YYYYMMDD, 00 for a month, 0000 for a year) and tellings."""

    day: int
    text: str
    score: float
    vector: np.ndarray
    tellings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def iso(self) -> str:
        year, month, day = self.day // 10000, self.day // 100 % 100 or 1, self.day % 100 or 1
        return date(year, month, day).isoformat()

    @property
    def precision(self) -> str:
        if self.day % 10000 == 0:
            return "year"
        return "month" if self.day % 100 == 0 else "day"

    def label(self) -> str:
        """How a person reads the day: '5 October 2026', 'March 2026', '2025'."""
        year, month = self.day // 10000, self.day // 100 % 100
        if self.precision == "year":
            return str(year)
        if self.precision == "month":
            return date(year, month, 1).strftime("%B %Y")
        return long_date(date.fromisoformat(self.iso))


def _in_range(day: int, since: int | None, until: int | None) -> bool:
    """Whether an event day falls in the range; a month or year counts if it overlaps it."""
    last = day
    if day % 10000 == 0:
        last = day + 1231
    elif day % 100 == 0:
        last = day + 31
    return (not since or last >= since) and (not until or day <= until)


def _same_event(a: Event, b: Event, stems_a: set[str], stems_b: set[str]) -> bool:
    if a.day != b.day:
        return False
    cos = float(cosine_matrix(a.vector[None, :], b.vector[None, :])[0, 0])
    shared = len(stems_a & stems_b) / max(1, min(len(stems_a), len(stems_b)))
    return cos >= SAME_EVENT_COSINE or shared >= SAME_EVENT_OVERLAP


def build_timeline(
    retriever: HybridRetriever,
    topic: str,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 15,
) -> dict[str, Any]:
    """``{"topic", "events": [{"date", "text", "citations": [...]}]}`` in event order.

    ``date_from``/``date_to`` bound the event days (inclusive). Each citation is
    ``{"id", "source", "title", "date", "url", "quote"}``; ids number the
    articles of the whole timeline from 1.
    """
    topic = " ".join(topic.split())
    since = to_int(date_from) if date_from else None
    until = to_int(date_to) if date_to else None
    nodes = retriever.search(topic, top_k=CANDIDATE_CHUNKS, dated_only=True, recency_weight=0.0)
    candidates: list[tuple[int, str, dict[str, Any]]] = []  # (day, sentence, chunk metadata)
    for item in nodes:
        node, meta = item.node, item.node.metadata
        text = node.get_content()
        for event in chunk_event_dates(text, meta):
            if _in_range(event.day, since, until):
                candidates.append((event.day, text[event.start : event.end].strip(), meta))
    if not candidates:
        return {"topic": topic, "events": []}
    embed = retriever.embed_model
    q_vec = np.asarray(embed.get_query_embedding(topic))
    vectors = np.asarray(embed.get_text_embedding_batch([c[1] for c in candidates]))
    cos = cosine_matrix(q_vec[None, :], vectors)[0]
    q_stems = set(content_stems(topic))
    # A sentence is scored with the best dated sentence of its chunk: in a chunk that is
    # about the topic, "On Wednesday the builder reported a steel shortage" belongs to the
    # stadium's story though it does not repeat the stadium's name.
    own = [float(cos[i]) + 0.5 * overlap(q_stems, c[1]) for i, c in enumerate(candidates)]
    chunk_best: dict[int, float] = {}
    for i, c in enumerate(candidates):
        key = id(c[2])
        chunk_best[key] = max(chunk_best.get(key, -1.0), own[i])
    scored = sorted(
        ((0.5 * own[i] + 0.5 * chunk_best[id(c[2])], i) for i, c in enumerate(candidates)),
        reverse=True,
    )
    events: list[Event] = []
    stems: list[set[str]] = []
    for score, i in scored:
        if score < MIN_SCORE:
            break
        day, text, meta = candidates[i]
        telling = {"meta": meta, "quote": text}
        event = Event(day, text, score, vectors[i], [telling])
        event_stems = set(content_stems(text))
        pairs = zip(events, stems, strict=True)
        same = next((e for e, s in pairs if _same_event(e, event, s, event_stems)), None)
        if same is not None:
            if all(t["meta"].get("file") != meta.get("file") for t in same.tellings):
                same.tellings.append(telling)
            continue
        if len(events) < limit:
            events.append(event)
            stems.append(event_stems)
    events.sort(key=lambda e: (e.day, -e.score))
    return {"topic": topic, "events": _cited(events)}


def _cited(events: list[Event]) -> list[dict[str, Any]]:
    """Events as JSON, one id per article across the whole timeline."""
    ids: dict[str, int] = {}
    out = []
    for event in events:
        citations = []
        for telling in event.tellings:
            meta = telling["meta"]
            source = str(meta.get("file", ""))
            number = ids.setdefault(source, len(ids) + 1)
            citations.append(
                {
                    "id": number,
                    "source": source,
                    "title": str(meta.get("title", "")),
                    "date": str(meta.get("date", "")),
                    "url": str(meta.get("url", "")),
                    "quote": telling["quote"],
                }
            )
        out.append(
            {
                "date": event.iso,
                "precision": event.precision,
                "label": event.label(),
                "text": event.text,
                "relevance": round(event.score, 3),
                "citations": citations,
            }
        )
    return out


def format_timeline(timeline: dict[str, Any]) -> str:
    """The text ``rag timeline`` prints: one dated, cited line per event, then the sources."""
    if not timeline["events"]:
        return f"No dated events found about {timeline['topic']!r}."
    lines = []
    sources: dict[int, dict[str, Any]] = {}
    for event in timeline["events"]:
        refs = "".join(f"[{c['id']}]" for c in event["citations"])
        lines.append(f"{event['label']}: {event['text']} {refs}")
        for c in event["citations"]:
            sources.setdefault(c["id"], c)
    lines.append("")
    for number, c in sorted(sources.items()):
        details = ", ".join(x for x in (c["date"] or "undated", c["source"]) if x)
        lines.append(f"[{number}] {c['title']} ({details})")
    return "\n".join(lines)
