"""The gateway to the vector store's contents: the only module besides ``components.py``
that knows the store is Chroma.

llama-index's ``ChromaVectorStore`` covers adding, deleting and querying by
vector; everything that reads the collection as a table (counts, document ids,
the article list, the chunk table for BM25, raw vectors for benchmarks) goes
through the functions here, over one paging loop. Swapping the backend means
rewriting this file and ``components.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from llama_index.core.schema import BaseNode
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

PAGE = 5000  # rows per read; Chroma caps one request near 5,461


@dataclass
class Rows:
    """One page of the collection; fields not asked for stay empty."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    embeddings: Any


def _collection(vector_store: BasePydanticVectorStore) -> Any:
    return vector_store.client  # ChromaVectorStore exposes its collection as .client


def pages(
    vector_store: BasePydanticVectorStore, include: Sequence[str] = ("metadatas",)
) -> Iterator[Rows]:
    """Every row of the collection, ``PAGE`` at a time, with the fields in ``include``."""
    collection = _collection(vector_store)
    offset = 0
    while True:
        batch = collection.get(include=list(include), limit=PAGE, offset=offset)
        ids = list(batch["ids"])
        embeddings = batch.get("embeddings") if "embeddings" in include else None
        yield Rows(
            ids=ids,
            documents=list(batch.get("documents") or []),
            metadatas=[m or {} for m in (batch.get("metadatas") or [])],
            embeddings=embeddings if embeddings is not None else [],
        )
        if len(ids) < PAGE:
            return
        offset += PAGE


def count(vector_store: BasePydanticVectorStore) -> int:
    """Number of chunks in the collection."""
    return int(_collection(vector_store).count())


def document_id(meta: dict[str, Any]) -> str | None:
    doc_id = meta.get("document_id") or meta.get("ref_doc_id")
    return str(doc_id) if doc_id else None


def document_ids(vector_store: BasePydanticVectorStore) -> set[str]:
    """Ids of the documents that have chunks in the collection."""
    return {
        doc_id
        for rows in pages(vector_store)
        for meta in rows.metadatas
        if (doc_id := document_id(meta))
    }


def articles(vector_store: BasePydanticVectorStore) -> list[dict[str, Any]]:
    """One entry per indexed file: title, date, publisher, URL, chunk count; newest first."""
    seen: dict[str, dict[str, Any]] = {}
    for rows in pages(vector_store):
        for meta in rows.metadatas:
            name = str(meta.get("file", ""))
            if not name:
                continue
            entry = seen.get(name)
            if entry is None:
                entry = seen[name] = {
                    "file": name,
                    "title": str(meta.get("title") or name),
                    "date": str(meta.get("date") or ""),
                    "publisher": str(meta.get("source") or ""),
                    "url": str(meta.get("url") or ""),
                    "document_id": document_id(meta) or "",
                    "story_id": str(meta.get("story_id") or ""),
                    "chunks": 0,
                }
            entry["chunks"] += 1
    return sorted(seen.values(), key=lambda a: (a["date"], a["file"]), reverse=True)


def chunk_rows(
    vector_store: BasePydanticVectorStore,
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """Ids, texts and metadata of every chunk, in the collection's order."""
    ids: list[str] = []
    texts: list[str] = []
    metadatas: list[dict[str, Any]] = []
    for rows in pages(vector_store, ("documents", "metadatas")):
        ids.extend(rows.ids)
        texts.extend(rows.documents)
        metadatas.extend(rows.metadatas)
    return ids, texts, metadatas


def vectors(
    vector_store: BasePydanticVectorStore, order: Sequence[str] | None = None
) -> np.ndarray:
    """Every stored embedding as a float32 matrix (rows in ``order`` of ids if given)."""
    ids: list[str] = []
    parts: list[np.ndarray] = []
    for rows in pages(vector_store, ("embeddings",)):
        if rows.ids:
            ids.extend(rows.ids)
            parts.append(np.asarray(rows.embeddings, dtype=np.float32))
    matrix = np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)
    if order is None:
        return matrix
    row = {chunk_id: i for i, chunk_id in enumerate(ids)}
    return matrix[[row[chunk_id] for chunk_id in order]]


def add_rows(
    vector_store: BasePydanticVectorStore,
    ids: Sequence[str],
    embeddings: Any,
    documents: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
) -> None:
    """Write raw rows (synthetic benchmark data), in batches the client accepts."""
    collection = _collection(vector_store)
    step = int(getattr(vector_store, "max_batch", PAGE)) or PAGE
    for start in range(0, len(ids), step):
        end = start + step
        collection.add(
            ids=list(ids[start:end]),
            embeddings=embeddings[start:end],
            documents=list(documents[start:end]),
            metadatas=list(metadatas[start:end]),
        )


def delete_document(vector_store: BasePydanticVectorStore, doc_id: str) -> None:
    """Remove every chunk of one document."""
    vector_store.delete(doc_id)


def upsert_nodes(vector_store: BasePydanticVectorStore, nodes: Sequence[BaseNode]) -> None:
    """Write embedded chunks, replacing rows with the same ids (``add`` would keep the old).

    Rows are built exactly as ``ChromaVectorStore.add`` builds them, so readers
    cannot tell which path wrote a chunk.
    """
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    collection = _collection(vector_store)
    step = int(getattr(vector_store, "max_batch", PAGE)) or PAGE
    flat = bool(getattr(vector_store, "flat_metadata", True))
    for start in range(0, len(nodes), step):
        batch = nodes[start : start + step]
        metadatas = []
        for node in batch:
            meta = node_to_metadata_dict(node, remove_text=True, flat_metadata=flat)
            metadatas.append({k: ("" if v is None else v) for k, v in meta.items()})
        collection.upsert(
            ids=[n.node_id for n in batch],
            embeddings=[n.get_embedding() for n in batch],
            metadatas=metadatas,
            documents=[n.get_content(metadata_mode=MetadataMode.NONE) for n in batch],
        )


def chunk_ids(vector_store: BasePydanticVectorStore, doc_id: str) -> set[str]:
    """Ids of one document's chunks."""
    found = _collection(vector_store).get(where={"document_id": doc_id}, include=[])
    return set(found["ids"])


def delete_chunks(vector_store: BasePydanticVectorStore, ids: Sequence[str]) -> None:
    """Remove chunks by id (an edited article's chunks beyond its new length)."""
    collection = _collection(vector_store)
    for start in range(0, len(ids), PAGE):
        collection.delete(ids=list(ids[start : start + PAGE]))


def set_story_ids(vector_store: BasePydanticVectorStore, story_of: dict[str, str]) -> int:
    """Write each document's story id onto its chunks (only where it changed); rows updated."""
    ids: list[str] = []
    values: list[str] = []
    for rows in pages(vector_store):
        for chunk_id, meta in zip(rows.ids, rows.metadatas, strict=True):
            story = story_of.get(document_id(meta) or "")
            if story and meta.get("story_id") != story:
                ids.append(chunk_id)
                values.append(story)
    collection = _collection(vector_store)
    for start in range(0, len(ids), PAGE):
        collection.update(
            ids=ids[start : start + PAGE],
            metadatas=[{"story_id": v} for v in values[start : start + PAGE]],
        )
    return len(ids)
