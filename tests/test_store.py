"""The store gateway over a real embedded Chroma: batched writes and one paging loop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from llama_index.core.schema import TextNode

from rag import store
from rag.components import build_chroma_client, build_vector_store
from rag.config import Settings
from rag.ingest import ingest
from tests.fakes import HashEmbedding


def test_add_splits_into_client_sized_batches(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    client = build_chroma_client(settings)
    vector_store = build_vector_store(settings, client)
    assert vector_store.max_batch == client.get_max_batch_size() > 0
    vector_store.max_batch = 3
    nodes = [TextNode(id_=f"n{i}", text=f"text {i}", embedding=[1.0, float(i)]) for i in range(7)]
    assert vector_store.add(nodes) == [f"n{i}" for i in range(7)]
    assert store.count(vector_store) == 7


@pytest.fixture
def indexed(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Three articles ingested, with pages of 2 rows so every read crosses page borders."""
    for name, date, body in (
        ("harbour.txt", "2026-03-02", "The harbour reopened. " * 80),
        ("mayor.txt", "2026-03-05", "The mayor resigned on Friday. " * 60),
        ("undated.txt", "", "Cranes were repainted yellow."),
    ):
        header = f"Title: {name[:-4].title()}\nDate: {date}\n\n" if date else ""
        (corpus / name).write_text(header + body, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", chunk_size=64)
    vector_store = build_vector_store(settings)
    ingest(settings, embed_model=HashEmbedding(), vector_store=vector_store)
    monkeypatch.setattr(store, "PAGE", 2)
    return vector_store


def test_reads_page_through_the_whole_collection(indexed) -> None:
    total = store.count(indexed)
    ids, texts, metadatas = store.chunk_rows(indexed)
    assert total > 4 and len(ids) == len(set(ids)) == len(texts) == len(metadatas) == total
    assert store.document_ids(indexed) == {"harbour.txt", "mayor.txt", "undated.txt"}


def test_articles_are_one_entry_per_file_newest_first(indexed) -> None:
    articles = store.articles(indexed)
    assert [a["file"] for a in articles] == ["mayor.txt", "harbour.txt", "undated.txt"]
    assert sum(a["chunks"] for a in articles) == store.count(indexed)
    assert articles[-1]["date"] == "" and articles[0]["chunks"] > 1


def test_vectors_follow_the_requested_order(indexed) -> None:
    ids, _, _ = store.chunk_rows(indexed)
    order = list(reversed(ids))
    matrix = store.vectors(indexed, order=order)
    assert matrix.shape == (len(ids), 64) and matrix.dtype == np.float32
    first = store.vectors(indexed, order=[order[0]])
    assert np.allclose(matrix[0], first[0])


def test_add_rows_and_delete_document(indexed) -> None:
    before = store.count(indexed)
    vecs = np.eye(5, 64, dtype=np.float32)
    metas = [{"file": "synthetic.txt", "document_id": "synthetic.txt"}] * 5
    store.add_rows(indexed, [f"s{i}" for i in range(5)], vecs, ["x"] * 5, metas)
    assert store.count(indexed) == before + 5
    store.delete_document(indexed, "mayor.txt")
    assert "mayor.txt" not in store.document_ids(indexed)
