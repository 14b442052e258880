"""Server mode: RAG_CHROMA_URL against a real `chroma run` process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.components import build_chroma_client
from rag.errors import StoreError
from rag.ingest import ingest
from rag.pipeline import RAG
from tests.conftest import free_port, make_settings


def test_ingest_and_ask_through_a_chroma_server(
    chroma_server: str, seed_corpus: Path, tmp_path: Path, embedder
) -> None:
    settings = make_settings(tmp_path, chroma_url=chroma_server, collection="server_test")
    report = ingest(settings, embed_model=embedder)
    assert report.chunks_total > 0
    assert not (settings.index_dir / "chroma").exists()  # nothing embedded locally
    again = ingest(settings, embed_model=embedder)
    assert again.chunks_embedded == 0

    rag = RAG(settings, embed_model=embedder, llm=None)
    answer = rag.ask("Where were the wounded taken?")
    assert "Et-Tanf" in answer.answer
    status = rag.status()
    assert status["store"] == "server" and status["chroma_url"] == chroma_server
    assert status["chunks"] == report.chunks_total

    # The chunks really live in the server: a separate client sees them.
    client = build_chroma_client(settings)
    assert client.get_collection("server_test").count() == report.chunks_total


def test_cli_with_chroma_url(chroma_server: str, seed_corpus: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RAG_CORPUS_DIR": str(seed_corpus),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "RAG_CHROMA_URL": chroma_server,
        "RAG_COLLECTION": "cli_server_test",
        "RAG_LLM": "extractive",
    }
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", "Who is Syria's foreign minister?", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Shibani" in json.loads(result.stdout)["answer"]


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError, match="chroma run"):
        build_chroma_client(settings)
