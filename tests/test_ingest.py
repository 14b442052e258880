"""Chunking and incremental ingestion into a real embedded Chroma."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from llama_index.core.schema import MetadataMode

from rag.components import build_vector_store
from rag.documents import load_corpus
from rag.ingest import chunk_documents, embed_text, ingest
from rag.store import document_ids as stored_document_ids
from rag.tokens import count_tokens
from tests.conftest import make_settings
from tests.fakes import HashEmbedding

SENTENCE = "The river rose {n} centimetres overnight near the old mill in Westbury. "


def long_article(sentences: int = 120) -> str:
    return "---\ntitle: Westbury floods\n---\n" + "".join(
        SENTENCE.format(n=i) for i in range(sentences)
    )


def chunk_texts(settings) -> dict[str, str]:
    collection = build_vector_store(settings).client
    data = collection.get(include=["documents"])
    return dict(zip(data["ids"], data["documents"], strict=True))


def test_chunks_fit_the_embedder_window(seed_corpus: Path, tmp_path: Path, embedder) -> None:
    """Measured with MiniLM's own tokenizer: no chunk is truncated at 256 word pieces."""
    (seed_corpus / "long.txt").write_text(long_article())
    settings = make_settings(tmp_path)
    nodes = chunk_documents(load_corpus(seed_corpus).documents, settings)
    tokenizer = embedder._model.tokenizer
    limit = embedder._model.max_seq_length
    assert limit == 256
    assert len(nodes) > 10
    for node in nodes:
        text = embed_text(node)
        assert count_tokens(text) <= settings.chunk_size + 2
        pieces = len(tokenizer(text, add_special_tokens=True)["input_ids"])
        assert pieces <= limit, (pieces, text[:80])


def test_chunks_carry_title_ids_and_offsets(seed_corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    docs = load_corpus(seed_corpus).documents
    nodes = chunk_documents(docs, settings)
    texts = {d.doc_id: d.text for d in docs}
    for i, node in enumerate(n for n in nodes if n.ref_doc_id == docs[0].doc_id):
        assert node.node_id == f"{docs[0].doc_id}#{i}"
    for node in nodes:
        assert embed_text(node).startswith(f"title: {node.metadata['title']}")
        assert "source" not in node.get_content(metadata_mode=MetadataMode.EMBED).split("\n\n")[0]
        doc_text = texts[node.ref_doc_id]
        assert doc_text[node.start_char_idx : node.end_char_idx] == node.get_content()
        # Chunks end at a sentence or line boundary, never inside a sentence.
        after = doc_text[node.end_char_idx : node.end_char_idx + 1]
        assert after in ("", "\n") or node.get_content().rstrip()[-1] in '.!?"”', node.node_id


def test_second_ingest_embeds_nothing(seed_corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    fake = HashEmbedding()
    first = ingest(settings, embed_model=fake)
    assert sorted(first.added) == sorted(p.name for p in seed_corpus.glob("*.txt"))
    assert first.chunks_embedded == first.chunks_total > 0
    assert fake.texts_embedded == first.chunks_total
    fake.reset()
    second = ingest(settings, embed_model=fake)
    assert fake.texts_embedded == 0
    assert second.chunks_embedded == 0
    assert sorted(second.unchanged) == sorted(first.added)
    assert not second.changed
    assert second.chunks_total == first.chunks_total


def test_edit_replaces_chunks_and_delete_removes_them(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    fake = HashEmbedding()
    (corpus / "keep.txt").write_text("---\ntitle: Kept\n---\nThe museum reopened in May.")
    (corpus / "edit.txt").write_text("---\ntitle: Edited\n---\nThe bridge cost 40 million.")
    (corpus / "gone.txt").write_text("---\ntitle: Gone\n---\nThe stadium will close.")
    ingest(settings, embed_model=fake)

    (corpus / "edit.txt").write_text(
        "---\ntitle: Edited\n---\nThe bridge cost 55 million in the end."
    )
    (corpus / "gone.txt").unlink()
    fake.reset()
    report = ingest(settings, embed_model=fake)
    assert report.updated == ["edit.txt"]
    assert report.removed == ["gone.txt"]
    assert report.unchanged == ["keep.txt"]
    assert fake.texts_embedded == report.chunks_embedded == 1
    texts = " ".join(chunk_texts(settings).values())
    assert "55 million" in texts
    assert "40 million" not in texts
    assert "stadium" not in texts
    assert stored_document_ids(build_vector_store(settings)) == {"keep.txt", "edit.txt"}
    assert report.documents_total == 2 and report.chunks_total == 2


def test_bad_files_are_reported_and_the_rest_indexed(corpus: Path, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    (corpus / "good.txt").write_text("The harbour reopened after the storm.")
    (corpus / "bad.txt").write_bytes(bytes(range(256)) * 4)
    report = ingest(settings, embed_model=HashEmbedding())
    assert report.added == ["good.txt"]
    assert [s.path for s in report.skipped] == ["bad.txt"]
    assert report.chunks_total == 1
    # What the app's status line and /api/status show: the reason, not only the name.
    last = json.loads(settings.state_path.read_text())["last_report"]
    assert last["skipped"] == ["bad.txt"]
    assert "binary" in last["skipped_reasons"]["bad.txt"]
    assert last["text"].startswith("1 article added, 1 skipped (bad.txt: ")


def test_wiped_store_is_rebuilt(seed_corpus: Path, tmp_path: Path) -> None:
    """If the Chroma collection loses its chunks, the next ingest re-embeds them."""
    settings = make_settings(tmp_path)
    first = ingest(settings, embed_model=HashEmbedding())
    store = build_vector_store(settings)
    store.client.delete(ids=store.client.get()["ids"])
    again = ingest(settings, embed_model=HashEmbedding())
    assert sorted(again.added) == sorted(first.added)
    assert again.chunks_total == first.chunks_total


def test_empty_corpus_folder_and_missing_folder(tmp_path: Path) -> None:
    from rag.errors import ConfigError

    settings = make_settings(tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        ingest(settings, embed_model=HashEmbedding())
    settings.corpus_dir.mkdir()
    report = ingest(settings, embed_model=HashEmbedding())
    assert report.chunks_total == 0 and not report.skipped


def test_cli_ingest_exit_status_says_whether_files_were_skipped(
    corpus: Path, tmp_path: Path
) -> None:
    (corpus / "good.txt").write_text("The harbour reopened after the storm.")
    env = {"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp_path / "index"), "PATH": ""}
    run = [sys.executable, "-m", "rag.cli", "ingest"]
    ok = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert "added 1" in ok.stdout
    (corpus / "bad.bin.txt").write_bytes(b"\x00\x00")
    skipped = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
    assert skipped.returncode == 3
    assert "skipped bad.bin.txt: looks binary" in skipped.stderr
    assert "unchanged 1" in skipped.stdout


def test_cli_corrupt_pdf_is_reported_once_by_name(corpus: Path, tmp_path: Path) -> None:
    """pypdf's own "EOF marker not found" line, naming no file, is not shown."""
    (corpus / "good.txt").write_text("The harbour reopened after the storm.")
    (corpus / "bad.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ngarbage")
    env = {"RAG_CORPUS_DIR": str(corpus), "RAG_INDEX_DIR": str(tmp_path / "index"), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("skipped bad.pdf: ") for line in lines), lines


def test_corpus_that_is_a_file_or_missing_creates_nothing(tmp_path: Path) -> None:
    from rag.errors import ConfigError
    from rag.pipeline import RAG

    a_file = tmp_path / "passwd"
    a_file.write_text("root:x:0:0")
    settings = make_settings(tmp_path, corpus_dir=a_file, index_dir=tmp_path / "x" / "chroma")
    with pytest.raises(ConfigError, match="passwd is not a folder"):
        RAG(settings).ingest()  # checked before the models load or the store opens
    missing = settings.model_copy(update={"corpus_dir": tmp_path / "missing"})
    with pytest.raises(ConfigError, match="does not exist"):
        RAG(missing).ingest()
    assert not (tmp_path / "x").exists()


def test_cli_ingest_of_a_missing_corpus_creates_no_index(tmp_path: Path) -> None:
    env = {"RAG_CORPUS_DIR": str(tmp_path / "missing"), "RAG_INDEX_DIR": str(tmp_path / "x")}
    for argv in (["ingest"], ["ask", "What happened?"]):
        result = subprocess.run(
            [sys.executable, "-m", "rag.cli", *argv],
            env={**env, "PATH": ""},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "x").exists()
