"""The result and option types every interface shares: no pipeline code, no heavy imports.

``Passage`` and ``Answer`` are what the CLI, the app, the HTTP API and the evals
read; ``AskOptions`` is the one way to say how a question is asked;
``IngestReport`` is what an ingest did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from rag.text import Sentence

Style = Literal["cited", "short"]
LLMBackend = Literal["local", "openai", "extractive"]
StreamKind = Literal["status", "delta", "answer"]


@dataclass(frozen=True)
class AskOptions:
    """How one question is asked; every field optional.

    ``history`` holds earlier turns as role/content dicts; ``as_of`` (YYYYMMDD)
    keeps only articles dated on or before that day; ``date_from``/``date_to``
    (YYYYMMDD, inclusive) bound the publish dates searched; ``dated_only`` drops
    undated articles (kept by default); ``files`` (corpus file names, as the
    Articles list shows them) keeps the search to those articles; ``style`` "short" asks for a
    bare phrase (the benchmark's open-ended form); ``top_k`` overrides the number
    of passages; ``backend`` picks another configured LLM backend.
    """

    history: tuple[dict[str, str], ...] = ()
    as_of: int | None = None
    date_from: int | None = None
    date_to: int | None = None
    dated_only: bool = False
    files: tuple[str, ...] = ()
    style: Style = "cited"
    top_k: int | None = None
    backend: LLMBackend | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "history", tuple(self.history or ()))
        object.__setattr__(self, "files", tuple(self.files or ()))

    @classmethod
    def of(cls, options: AskOptions | None = None, **fields: Any) -> AskOptions:
        """``options`` with ``fields`` replaced (None values ignored): lets callers pass either."""
        base = options or cls()
        changes = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            return base
        from dataclasses import replace

        return replace(base, **changes)


@dataclass
class SkippedFile:
    """A corpus file that could not be indexed, and why (shown to the user by name)."""

    path: str
    reason: str


@dataclass
class Passage:
    """A retrieved chunk as the answer chain numbers and shows it."""

    number: int
    chunk_id: str
    source: str
    title: str
    date: str
    url: str
    text: str
    score: float
    publisher: str = ""
    start_char: int | None = None
    end_char: int | None = None
    sentences: list[Sentence] = field(default_factory=list)
    selected: list[int] = field(default_factory=list)
    in_prompt: bool = True
    quote: str = ""
    story_id: str = ""
    also_in: list[dict[str, str]] = field(default_factory=list)

    def context_text(self) -> str:
        """The selected sentences in their original order, gaps marked with an ellipsis."""
        if not self.selected:
            return self.text
        parts: list[str] = []
        previous = None
        for i in sorted(self.selected):
            if previous is not None and i != previous + 1:
                parts.append("…")
            parts.append(self.sentences[i].text)
            previous = i
        return " ".join(parts)

    def header(self) -> str:
        details = ", ".join(x for x in (self.publisher, self.date) if x)
        return f"[{self.number}] {self.title}" + (f" ({details})" if details else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.number,
            "source": self.source,
            "title": self.title,
            "date": self.date,
            "text": self.text,
            "score": round(float(self.score), 6),
            "url": self.url,
            "publisher": self.publisher,
            "story_id": self.story_id or None,
            "also_in": list(self.also_in),
            "quote": self.quote,
            "chunk_id": self.chunk_id,
            "start_char": self.start_char,
            "end_char": self.end_char,
        }


@dataclass
class Answer:
    """What the CLI, the app, the HTTP API and the evals all read.

    ``low_confidence``: the retrieved passages look unrelated to the question
    (``rag.confidence``); a cited answer then opens with ``LOW_CONFIDENCE_NOTE``.
    """

    question: str
    answer: str
    refused: bool
    citations: list[Passage]
    passages: list[Passage] = field(default_factory=list)
    standalone_question: str = ""
    search_query: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    raw_answer: str = ""
    route: str = "draft"
    as_of: str | None = None
    window: dict[str, str | None] | None = None
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    low_confidence: bool = False

    def to_dict(self, details: bool = False) -> dict[str, Any]:
        """The ``rag ask --json`` object; ``details`` adds passages, timings and usage."""
        keys = (
            "id",
            "source",
            "title",
            "date",
            "publisher",
            "url",
            "text",
            "score",
            "story_id",
            "also_in",
        )
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [{k: c.to_dict()[k] for k in keys} for c in self.citations],
            "as_of": self.as_of,
            "window": self.window,
            "conflicts": self.conflicts,
            "low_confidence": self.low_confidence,
        }
        if details:
            data["citations"] = [c.to_dict() for c in self.citations]
            data["standalone_question"] = self.standalone_question
            data["search_query"] = self.search_query
            data["passages"] = [p.to_dict() for p in self.passages]
            data["timings"] = {k: round(v, 4) for k, v in self.timings.items()}
            data["usage"] = self.usage
            data["raw_answer"] = self.raw_answer
            data["route"] = self.route
        return data


@dataclass
class StreamEvent:
    """``kind`` is 'status', 'delta' (text) or 'answer' (the final, checked Answer)."""

    kind: Literal["status", "delta", "answer"]
    text: str = ""
    answer: Answer | None = None


@dataclass
class IngestReport:
    """What one ``rag ingest`` did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    chunks_embedded: int = 0
    documents_total: int = 0
    chunks_total: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["skipped"] = [asdict(s) for s in self.skipped]
        return data

    def summary(self) -> str:
        """The one-line account every interface prints."""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"removed {len(self.removed)}, unchanged {len(self.unchanged)}, "
            f"skipped {len(self.skipped)} files; embedded {self.chunks_embedded} chunks; "
            f"index: {self.documents_total} documents, {self.chunks_total} chunks "
            f"({self.seconds:.1f} s)"
        )
