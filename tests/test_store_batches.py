"""The Chroma store takes any number of chunks: adds go in batches the client accepts."""

from __future__ import annotations

from pathlib import Path

from llama_index.core.schema import TextNode

from rag.components import build_chroma_client, build_vector_store
from rag.config import Settings


def test_add_splits_into_client_sized_batches(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    client = build_chroma_client(settings)
    store = build_vector_store(settings, client)
    assert store.max_batch == client.get_max_batch_size() > 0
    store.max_batch = 3
    nodes = [TextNode(id_=f"n{i}", text=f"text {i}", embedding=[1.0, float(i)]) for i in range(7)]
    assert store.add(nodes) == [f"n{i}" for i in range(7)]
    assert store.client.count() == 7
