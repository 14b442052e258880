"""The public facade: one object that ingests, answers and reports status.

``RAG`` wires the stages together from one ``Settings``; callers may inject
the outside boundary (embedder, vector store, LLM) for tests or custom
backends. The CLI, the web app and the evals all go through it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rag import store
from rag.answer import AnswerChain, clean_question
from rag.components import (
    build_embedder,
    build_llm,
    build_vector_store,
    embedder_label,
    llm_label,
)
from rag.config import Settings
from rag.env import prepare_process
from rag.errors import BadOptionError, IndexEmptyError
from rag.index_state import read_state
from rag.ingest import ProgressFn, check_corpus, ingest
from rag.retrieve import HybridRetriever
from rag.types import Answer, AskOptions, IngestReport, LLMBackend, StreamEvent

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.llms import LLM
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

_UNSET: Any = object()
REFRESH_SECONDS = 10.0  # least time between reader refreshes while an ingest goes on


class RAG:
    """Question answering over the articles in ``settings.corpus_dir``."""

    def __init__(
        self,
        settings: Settings | None = None,
        embed_model: BaseEmbedding | None = None,
        vector_store: BasePydanticVectorStore | None = None,
        llm: LLM | None = _UNSET,
    ) -> None:
        prepare_process(quiet=False)
        self.settings = settings or Settings()
        self._embed_model = embed_model
        self._vector_store = vector_store
        self._llm = llm
        self._retriever: HybridRetriever | None = None
        self._chain: AnswerChain | None = None
        self._other_chains: dict[str, AnswerChain] = {}
        self._lock = threading.RLock()  # builds the parts; never held while embedding
        self._ingest_lock = threading.Lock()  # one writer at a time in this process
        self._refreshed = 0.0
        self.last_report: IngestReport | None = None
        self._articles: tuple[tuple[int, str], list[dict[str, Any]]] | None = None

    # -- lazily built parts (status must not load models)
    @property
    def embed_model(self) -> BaseEmbedding:
        with self._lock:
            if self._embed_model is None:
                self._embed_model = build_embedder(self.settings)
            return self._embed_model

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        with self._lock:
            if self._vector_store is None:
                self._vector_store = build_vector_store(self.settings)
            return self._vector_store

    @property
    def llm(self) -> LLM | None:
        with self._lock:
            if self._llm is _UNSET:
                self._llm = build_llm(self.settings)
            return self._llm

    @property
    def retriever(self) -> HybridRetriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = HybridRetriever(
                    self.settings, self.embed_model, self.vector_store
                )
            return self._retriever

    @property
    def chain(self) -> AnswerChain:
        with self._lock:
            if self._chain is None:
                self._chain = AnswerChain(self.settings, self.retriever, self.llm)
            return self._chain

    def chain_for(self, backend: LLMBackend | None = None) -> AnswerChain:
        """The answer chain for another LLM backend, sharing this retriever.

        Lets the app switch between configured backends per question without
        loading the embedder or the chunk table twice.
        """
        if backend is None or backend == self.settings.llm:
            return self.chain
        with self._lock:
            if backend not in self._other_chains:
                settings = self.settings.model_copy(update={"llm": backend})
                self._other_chains[backend] = AnswerChain(
                    settings, self.retriever, build_llm(settings)
                )
            return self._other_chains[backend]

    def warm_up(self) -> None:
        """Load the models and the chunk table now, not on the first question."""
        self.retriever.refresh()
        llm = self.llm
        if llm is not None and hasattr(llm, "load"):
            llm.load()

    # -- indexing
    def chunk_count(self) -> int:
        return store.count(self.vector_store)

    def ingest(
        self,
        show_progress: bool = False,
        progress: ProgressFn | None = None,
        trigger: str = "ingest",
    ) -> IngestReport:
        """Index what changed in the corpus folder while questions go on being answered.

        Only the ingest lock is held while embedding; readers keep the chunk
        table they have, refreshed after committed steps (at most every
        ``REFRESH_SECONDS``) and at the end. A missing corpus folder is an error
        before the models load or the index folder is created.
        """
        check_corpus(self.settings)
        embed_model, vector_store = self.embed_model, self.vector_store
        with self._ingest_lock:
            report = ingest(
                self.settings,
                embed_model=embed_model,
                vector_store=vector_store,
                show_progress=show_progress,
                progress=progress,
                on_commit=self._committed,
                trigger=trigger,
            )
            retriever = self._retriever
            if retriever is not None and (report.changed or retriever.size == 0):
                retriever.refresh()
                self._refreshed = time.monotonic()
            self.last_report = report
            return report

    def _committed(self) -> None:
        """After a committed step of a long ingest: let answers see the new chunks."""
        retriever = self._retriever
        if retriever is not None and time.monotonic() - self._refreshed >= REFRESH_SECONDS:
            retriever.refresh()
            self._refreshed = time.monotonic()

    def ensure_index(
        self, show_progress: bool = False, progress: ProgressFn | None = None
    ) -> IngestReport | None:
        """Ingest when the index is empty; None when there was nothing to do.

        Raises ``IndexEmptyError`` when the corpus gives no chunk at all, so no
        caller goes on to ask questions of an empty index.
        """
        if self.chunk_count() > 0:
            return None
        report = self.ingest(show_progress=show_progress, progress=progress)
        if report.chunks_total == 0:
            raise IndexEmptyError(
                f"No articles could be indexed from {self.settings.corpus_dir}: add .txt, .md, "
                ".html or .pdf files there and run `rag ingest`."
            )
        return report

    # -- answering
    def ask(self, question: str, options: AskOptions | None = None, /, **fields: Any) -> Answer:
        """Answer one question; ``fields`` are ``AskOptions`` fields (``history=...``)."""
        options = AskOptions.of(options, **fields)
        self.check_options(options)
        return self.chain_for(options.backend).ask(question, options)

    def stream(
        self, question: str, options: AskOptions | None = None, /, **fields: Any
    ) -> Iterator[StreamEvent]:
        """Like ``ask``, yielding status and text deltas before the checked Answer.

        The options are checked on the first ``next``, where a bad question is
        found too, so callers meet every bad input in one place.
        """
        options = AskOptions.of(options, **fields)
        self.check_options(options)
        yield from self.chain_for(options.backend).stream(question, options)

    def check_options(self, options: AskOptions) -> None:
        """``BadOptionError`` for a day that is no YYYYMMDD date or a file the index lacks.

        An unknown file would only find nothing, so a typo would read as "the
        articles don't say"; the names are the ones ``articles`` (and ``/article``) know.
        """
        from rag.days import from_int

        for name in ("as_of", "date_from", "date_to"):
            value = getattr(options, name)
            try:
                from_int(value)
            except (TypeError, ValueError) as exc:
                raise BadOptionError(f"{name}: {value!r} is not a YYYYMMDD date.") from exc
        if options.files:
            known = {a["file"] for a in self.articles()}
            unknown = [f for f in dict.fromkeys(options.files) if f not in known]
            if unknown:
                raise BadOptionError(not_indexed(unknown, known))

    def delete_article(self, file: str) -> IngestReport:
        """Remove one indexed article: its file (and sidecar) from the corpus, its chunks.

        Only a file the index lists, inside the corpus folder, is ever removed
        (``LookupError`` otherwise); the ingest that follows brings the ingest
        state in step.
        """
        from rag.documents import SIDECAR_SUFFIX
        from rag.library import corpus_path

        with self._lock:
            known = {a["file"]: a for a in self.articles()}
            path = corpus_path(self.settings, file, set(known))
            path.unlink(missing_ok=True)
            path.with_name(path.name + SIDECAR_SUFFIX).unlink(missing_ok=True)
            report = self.ingest()  # the file is gone: its chunks leave, the state follows
            # Also when the ingest record had lost track of the file's chunks.
            store.delete_document(self.vector_store, known[file]["document_id"] or file)
            if self._retriever is not None:
                self._retriever.refresh()  # BM25 and the chunk table forget it too
            report.chunks_total = self.chunk_count()
            return report

    def timeline(
        self,
        topic: str,
        date_from: int | str | None = None,
        date_to: int | str | None = None,
        limit: int = 15,
    ) -> dict[str, Any]:
        """The dated, cited events of ``topic`` in order (``rag.timeline``); no LLM needed.

        ``date_from``/``date_to`` bound the event days: YYYYMMDD ints or YYYY-MM-DD.
        """
        from rag.dates import as_date
        from rag.timeline import build_timeline

        topic = clean_question(topic, "topic")
        return build_timeline(
            self.retriever, topic, as_date(date_from), as_date(date_to), limit=limit
        )

    # -- status
    def articles(self) -> list[dict[str, Any]]:
        """Every indexed article (see ``store.articles``), read once per index change."""
        key = (self.chunk_count(), str(read_state(self.settings).get("generation", "")))
        with self._lock:
            if self._articles is None or self._articles[0] != key:
                self._articles = (key, store.articles(self.vector_store))
            return self._articles[1]

    def status(self) -> dict[str, Any]:
        state = read_state(self.settings)
        articles = self.articles()
        return {
            "documents": len({a["document_id"] or a["file"] for a in articles}),
            "stories": len({a.get("story_id") or a["file"] for a in articles}),
            "chunks": self.chunk_count(),
            "corpus_dir": str(self.settings.corpus_dir),
            "index_dir": str(self.settings.index_dir),
            "store": self.settings.store_kind,
            "chroma_url": self.settings.chroma_url,
            "collection": self.settings.collection,
            "embedding_model": embedder_label(self.settings),
            "llm_backend": self.settings.llm,
            "llm": llm_label(self.settings),
            "top_k": self.settings.top_k,
            "last_ingest": state.get("last_ingest"),
            "last_report": state.get("last_report"),
        }


def not_indexed(files: list[str], known: set[str]) -> str:
    """The message for unknown article names, with the closest indexed name for a typo."""
    from difflib import get_close_matches

    names = ", ".join(repr(f) for f in files)
    verb = "is not an indexed article" if len(files) == 1 else "are not indexed articles"
    close = get_close_matches(files[0], sorted(known), n=1)
    if close:
        return f"{names} {verb}; did you mean {close[0]!r}?"
    return f"{names} {verb}; use corpus file names as the Articles list shows them."
