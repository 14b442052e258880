"""The indexer: chunk the corpus, embed the chunks, keep Chroma in step with the folder.

Ingestion is incremental and keyed on content hashes, through llama-index's
``IngestionPipeline`` with a persisted docstore and the ``upserts_and_delete``
strategy: an unchanged file is not re-embedded, an edited file's chunks are
replaced, a removed file's chunks are deleted.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import BaseNode, Document, MetadataMode, TransformComponent
from llama_index.core.storage.docstore import SimpleDocumentStore
from pydantic import Field

from rag import store, stories
from rag.config import Settings
from rag.documents import load_corpus
from rag.errors import ConfigError
from rag.tokens import token_counter
from rag.types import IngestReport

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

ProgressFn = Callable[[int, int], None]


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

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        nodes = list(nodes)
        texts = [embed_text(n) for n in nodes]
        order = sorted(range(len(nodes)), key=lambda i: len(texts[i]))
        bar = None
        if kwargs.get("show_progress") and nodes:
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


def read_state(settings: Settings) -> dict[str, Any]:
    try:
        return json.loads(settings.state_path.read_text())
    except (OSError, ValueError):
        return {}


def write_state(settings: Settings, report: IngestReport) -> None:
    state = read_state(settings)
    state.update(
        {
            "last_ingest": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": report.documents_total,
            "chunks": report.chunks_total,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
        }
    )
    if report.changed or "generation" not in state:
        state["generation"] = uuid.uuid4().hex
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    settings.state_path.write_text(json.dumps(state, indent=2))


def _load_docstore(settings: Settings) -> SimpleDocumentStore:
    if settings.docstore_path.exists():
        return SimpleDocumentStore.from_persist_path(str(settings.docstore_path))
    return SimpleDocumentStore()


def _reconcile(docstore: SimpleDocumentStore, vector_store: BasePydanticVectorStore) -> None:
    """Make the docstore agree with what the vector store really holds.

    A wiped Chroma server, or an ingest interrupted between writing chunks and
    saving the docstore, would otherwise leave files counted as indexed with no
    chunks, or chunks no file accounts for.
    """
    in_store = store.document_ids(vector_store)
    known = set(docstore.get_all_ref_doc_info() or {}) | set(
        docstore.get_all_document_hashes().values()
    )
    for doc_id in known - in_store:
        docstore.delete_document(doc_id, raise_error=False)
        docstore.delete_ref_doc(doc_id, raise_error=False)
    for doc_id in in_store - known:
        store.delete_document(vector_store, doc_id)


def _plan(
    documents: Sequence[Document], docstore: SimpleDocumentStore, report: IngestReport
) -> IngestReport:
    """Sort the corpus into added, updated, unchanged and removed by content hash."""
    for doc in documents:
        known_hash = docstore.get_document_hash(doc.doc_id)
        if known_hash is None:
            report.added.append(doc.doc_id)
        elif known_hash != doc.hash:
            report.updated.append(doc.doc_id)
        else:
            report.unchanged.append(doc.doc_id)
    current = {doc.doc_id for doc in documents}
    report.removed = sorted(set(docstore.get_all_document_hashes().values()) - current)
    return report


def _pipeline(
    settings: Settings,
    embed_model: BaseEmbedding,
    docstore: SimpleDocumentStore,
    vector_store: BasePydanticVectorStore,
    progress: ProgressFn | None,
) -> IngestionPipeline:
    """Split, embed and upsert; the docstore's hashes decide what is re-embedded."""
    return IngestionPipeline(
        transformations=[
            make_splitter(settings),
            EmbedNodes(
                embed_model=embed_model, batch_size=settings.embed_batch_size, progress=progress
            ),
        ],
        docstore=docstore,
        vector_store=vector_store,
        docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE,
        disable_cache=True,
    )


def ingest(
    settings: Settings,
    embed_model: BaseEmbedding | None = None,
    vector_store: BasePydanticVectorStore | None = None,
    show_progress: bool = False,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus folder and say what changed."""
    from rag.components import build_embedder, build_vector_store

    started = time.perf_counter()
    corpus = settings.corpus_dir
    if not corpus.is_dir():
        raise ConfigError(
            f"The corpus folder {corpus} does not exist: create it and put articles in it, "
            "or point RAG_CORPUS_DIR at your articles."
        )
    loaded = load_corpus(corpus)
    vector_store = vector_store if vector_store is not None else build_vector_store(settings)
    docstore = _load_docstore(settings)
    _reconcile(docstore, vector_store)

    report = _plan(loaded.documents, docstore, IngestReport(skipped=loaded.skipped))
    for doc_id in report.removed:
        # Done here, not by the pipeline: its delete path expects document texts
        # in the docstore, which we do not keep (the corpus folder has them).
        store.delete_document(vector_store, doc_id)
        docstore.delete_document(doc_id, raise_error=False)
        docstore.delete_ref_doc(doc_id, raise_error=False)

    if report.added or report.updated:
        embed_model = embed_model if embed_model is not None else build_embedder(settings)
        pipeline = _pipeline(settings, embed_model, docstore, vector_store, progress)
        nodes = pipeline.run(
            documents=loaded.documents, show_progress=show_progress, store_doc_text=False
        )
        report.chunks_embedded = len(nodes)
    elif progress is not None:
        progress(0, 0)
    if report.changed:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        docstore.persist(str(settings.docstore_path))

    stories.update(settings, loaded.documents, vector_store, force=report.changed)
    report.documents_total = len({doc.doc_id for doc in loaded.documents})
    report.chunks_total = store.count(vector_store)
    report.seconds = time.perf_counter() - started
    write_state(settings, report)
    return report
