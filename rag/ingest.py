"""The indexer: chunk the corpus, embed the chunks, keep Chroma in step with the folder.

Ingestion is incremental and keyed on content hashes kept in a llama-index
docstore: an unchanged file is not re-embedded, an edited file's chunks are
replaced, a removed file's chunks are deleted.

It is built to be interrupted. Chunks are embedded and committed in steps of
``RAG_INGEST_BATCH_CHUNKS``, smallest articles first; a file's hash is saved
(atomically) only once all its chunks are in the store, and an edited file's
new chunks are written over its old ones before the left-over old ones go, so
it is never missing from answers. After a kill at any point the next ingest
finds the store and the docstore out of step where the kill fell, and finishes
the job: an edit is still reported as "updated". One file that cannot be read
or split is skipped by name; the others are indexed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import BaseNode, Document, MetadataMode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from pydantic import Field

from rag import store, stories
from rag.config import Settings
from rag.corpus import ReadRules, corpus_problem
from rag.documents import LoadedCorpus, load_corpus
from rag.errors import ConfigError
from rag.event_dates import EventDates
from rag.index_state import (
    load_docstore,
    persist_docstore,
    write_state,
    writer_lock,
)
from rag.index_state import read_state as read_state  # re-exported: older imports keep working
from rag.tokens import token_counter
from rag.types import IngestReport, SkippedFile

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

ProgressFn = Callable[[int, int], None]
CommitFn = Callable[[], None]


def chunk_id(index: int, document: BaseNode) -> str:
    """Stable chunk ids: re-running an interrupted ingest upserts instead of duplicating."""
    return f"{document.node_id}#{index}"


def make_splitter(settings: Settings) -> SentenceSplitter:
    if settings.chunk_overlap >= settings.chunk_size // 2:
        raise ConfigError("RAG_CHUNK_OVERLAP must be less than half of RAG_CHUNK_SIZE.")
    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=token_counter(),
        paragraph_separator="\n\n",
        id_func=chunk_id,
        include_prev_next_rel=False,
    )


def chunk_documents(documents: Sequence[Document], settings: Settings) -> list[BaseNode]:
    """Sentence-aware chunks of at most ``chunk_size`` tokens, the title counted in."""
    return make_splitter(settings).get_nodes_from_documents(list(documents))


def embed_text(node: BaseNode) -> str:
    """What the embedder sees: the title line, then the chunk."""
    return node.get_content(metadata_mode=MetadataMode.EMBED)


class EmbedNodes(TransformComponent):
    """Embed nodes in length-sorted batches, reporting progress.

    Sorting by length before batching is what ``SentenceTransformer.encode``
    does inside one call; doing it across the whole run keeps padding (wasted
    compute) as low as encoding every text in a single call would.
    """

    embed_model: Any = Field(description="A llama-index BaseEmbedding.")
    batch_size: int = Field(default=32)
    progress: Any = Field(default=None, description="Callable(done, total) or None.")
    show_progress: bool = Field(default=False, description="Draw our own terminal bar.")

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        nodes = list(nodes)
        texts = [embed_text(n) for n in nodes]
        order = sorted(range(len(nodes)), key=lambda i: len(texts[i]))
        bar = None
        if self.show_progress and nodes:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(nodes), desc="Embedding chunks", unit="chunk")
        done = 0
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            vectors = self.embed_model.get_text_embedding_batch([texts[i] for i in batch])
            for i, vector in zip(batch, vectors, strict=True):
                nodes[i].embedding = vector
            done += len(batch)
            if bar is not None:
                bar.update(len(batch))
            if self.progress is not None:
                self.progress(done, len(nodes))
        if bar is not None:
            bar.close()
        return nodes


def _forget(docstore: SimpleDocumentStore, doc_id: str) -> None:
    docstore.delete_document(doc_id, raise_error=False)
    docstore.delete_ref_doc(doc_id, raise_error=False)


def _known(docstore: SimpleDocumentStore) -> set[str]:
    return set(docstore.get_all_ref_doc_info() or {}) | set(
        docstore.get_all_document_hashes().values()
    )


def _reconcile(
    docstore: SimpleDocumentStore, vector_store: BasePydanticVectorStore, loaded: LoadedCorpus
) -> set[str]:
    """Make the docstore agree with what the vector store really holds; the stored ids.

    A wiped Chroma server, or an ingest killed between writing chunks and saving
    the docstore, would otherwise leave files counted as indexed with no chunks,
    or chunks no file accounts for. Chunks of a file still in the corpus are
    left for the plan to overwrite (no hole); others are deleted.
    """
    in_store = store.document_ids(vector_store)
    known = _known(docstore)
    current = {doc.doc_id for doc in loaded.documents}
    for doc_id in known - in_store:
        _forget(docstore, doc_id)
    for doc_id in in_store - known:
        if doc_id not in current and not loaded.is_held(doc_id):
            store.delete_document(vector_store, doc_id)
    return in_store


def _plan(
    loaded: LoadedCorpus, docstore: SimpleDocumentStore, report: IngestReport
) -> IngestReport:
    """Sort the corpus into added, updated, unchanged and removed by content hash."""
    for doc in loaded.documents:
        known_hash = docstore.get_document_hash(doc.doc_id)
        if known_hash is None:
            report.added.append(doc.doc_id)
        elif known_hash != doc.hash:
            report.updated.append(doc.doc_id)
        else:
            report.unchanged.append(doc.doc_id)
    current = {doc.doc_id for doc in loaded.documents}
    report.removed = sorted(d for d in _known(docstore) - current if not loaded.is_held(d))
    return report


def _drop(report: IngestReport, doc_id: str, reason: str) -> None:
    """Report a file that failed past reading as skipped, not added or updated."""
    report.skipped.append(SkippedFile(doc_id, reason))
    for group in (report.added, report.updated):
        if doc_id in group:
            group.remove(doc_id)


class _Writer:
    """Embeds and commits chunks in steps; a document's hash is saved after its last chunk."""

    def __init__(
        self,
        settings: Settings,
        embed_model: BaseEmbedding,
        docstore: SimpleDocumentStore,
        vector_store: BasePydanticVectorStore,
        in_store: set[str],
        total: int,
        report: IngestReport,
    ) -> None:
        self.settings, self.docstore, self.vector_store = settings, docstore, vector_store
        self.in_store, self.total, self.report = in_store, total, report
        self.failed: set[str] = set()
        self.progress: ProgressFn | None = None
        self.on_commit: CommitFn | None = None
        self.embedder = EmbedNodes(
            embed_model=embed_model, batch_size=settings.embed_batch_size, progress=self._step
        )
        self.pending: list[BaseNode] = []
        self.finished: list[tuple[Document, list[BaseNode]]] = []
        self.done = self.embedded = 0
        self.bar: Any = None

    def open_bar(self, show: bool) -> None:
        if show and self.total:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total, desc="Embedding chunks", unit="chunk")

    def _step(self, done: int, _: int) -> None:
        if self.progress is not None:
            self.progress(self.done + done, self.total)

    def add(self, document: Document, nodes: list[BaseNode]) -> None:
        for node in nodes:
            self.pending.append(node)
            if len(self.pending) >= self.settings.ingest_batch_chunks:
                self.commit()
        self.finished.append((document, nodes))
        if len(self.pending) >= self.settings.ingest_batch_chunks:
            self.commit()

    def _embed(self, nodes: list[BaseNode]) -> list[BaseNode]:
        """Embed a step; if that fails, each document alone, skipping the one that fails."""
        nodes = [n for n in nodes if n.ref_doc_id not in self.failed]
        try:
            self.embedder(nodes)
            return nodes
        except Exception:
            kept: list[BaseNode] = []
            for doc_id in dict.fromkeys(n.ref_doc_id for n in nodes):
                group = [n for n in nodes if n.ref_doc_id == doc_id]
                try:
                    self.embedder(group)
                    kept += group
                except Exception as exc:  # one file never costs the others
                    self.failed.add(str(doc_id))
                    _drop(self.report, str(doc_id), f"could not be embedded ({exc!r})")
            return kept

    def commit(self) -> None:
        if self.pending:
            embedded = self._embed(self.pending)
            store.upsert_nodes(self.vector_store, embedded)
            self.embedded += len(embedded)
            self.done += len(self.pending)
            if self.bar is not None:
                self.bar.update(len(self.pending))
            self.pending = []
        if not self.finished:
            return
        for document, nodes in self.finished:
            if document.doc_id in self.failed:
                continue  # an edit keeps its old hash: the next ingest tries it again
            if document.doc_id in self.in_store:  # an edit, or a killed run's leftovers
                stale = store.chunk_ids(self.vector_store, document.doc_id)
                stale -= {node.node_id for node in nodes}
                if stale:
                    store.delete_chunks(self.vector_store, sorted(stale))
            self.docstore.set_document_hash(document.doc_id, document.hash)
        self.finished = []
        persist_docstore(self.docstore, self.settings)
        if self.on_commit is not None:
            self.on_commit()

    def close(self) -> None:
        self.commit()
        if self.bar is not None:
            self.bar.close()


def _chunk_each(
    documents: Sequence[Document], settings: Settings, report: IngestReport
) -> list[tuple[Document, list[BaseNode]]]:
    """Every document's chunks, smallest first; one that cannot be split is skipped by name."""
    splitter = make_splitter(settings)
    chunked = []
    for doc in documents:
        try:
            nodes = splitter.get_nodes_from_documents([doc])
            if settings.event_dates:
                nodes = list(EventDates()(nodes))
        except Exception as exc:  # one file never costs the others
            _drop(report, doc.doc_id, f"could not be split into chunks ({exc!r})")
            continue
        chunked.append((doc, nodes))
    chunked.sort(key=lambda item: len(item[1]))  # a huge file goes last and costs only itself
    return chunked


def check_corpus(settings: Settings) -> None:
    """``ConfigError`` when the corpus folder is missing or not a folder, before anything
    (the index folder included) is created for it."""
    if problem := corpus_problem(settings.corpus_dir):
        raise ConfigError(problem)


def ingest(
    settings: Settings,
    embed_model: BaseEmbedding | None = None,
    vector_store: BasePydanticVectorStore | None = None,
    show_progress: bool = False,
    progress: ProgressFn | None = None,
    on_commit: CommitFn | None = None,
    trigger: str = "ingest",
) -> IngestReport:
    """Bring the index in line with the corpus folder and say what changed.

    ``on_commit`` is called after each committed step, so a reader can refresh
    while a long ingest goes on.
    """
    from rag.components import build_embedder, build_vector_store

    started = time.perf_counter()
    corpus = settings.corpus_dir
    check_corpus(settings)
    with writer_lock(settings):
        loaded = load_corpus(corpus, ReadRules.from_settings(settings))
        vector_store = vector_store if vector_store is not None else build_vector_store(settings)
        docstore = load_docstore(settings)
        in_store = _reconcile(docstore, vector_store, loaded)

        report = _plan(loaded, docstore, IngestReport(skipped=loaded.skipped))
        for doc_id in report.removed:
            store.delete_document(vector_store, doc_id)
            _forget(docstore, doc_id)
        if report.removed:
            persist_docstore(docstore, settings)
            if on_commit is not None:
                on_commit()

        wanted = set(report.added) | set(report.updated)
        todo = [doc for doc in loaded.documents if doc.doc_id in wanted]
        chunked = _chunk_each(todo, settings, report)
        if chunked:
            embed_model = embed_model if embed_model is not None else build_embedder(settings)
            total = sum(len(nodes) for _, nodes in chunked)
            writer = _Writer(settings, embed_model, docstore, vector_store, in_store, total, report)
            writer.progress, writer.on_commit = progress, on_commit
            writer.open_bar(show_progress)
            for document, nodes in chunked:
                writer.add(document, nodes)
            writer.close()
            report.chunks_embedded = writer.embedded
        elif progress is not None:
            progress(0, 0)
        if report.changed and not settings.docstore_path.exists():
            persist_docstore(docstore, settings)

        story_count = stories.update(settings, loaded.documents, vector_store, force=report.changed)
        report.documents_total = len(_known(docstore))
        report.chunks_total = store.count(vector_store)
        report.seconds = time.perf_counter() - started
        write_state(settings, report, trigger, stories=story_count)
    return report
