"""Kill -9 a real `rag ingest` at several points of a first ingest and of an incremental
update, ingest again, and compare with an index built cleanly from the same folder: the
same chunk ids, texts, metadata and vectors, the same documents. Edits are never missing
from the store, not even right after the kill, and are reported as "updated" afterwards.
Also: answers and status go on while a long ingest embeds."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from rag import store
from rag.components import build_vector_store
from rag.config import Settings
from rag.index_state import load_docstore
from rag.ingest import ingest
from rag.pipeline import RAG
from tests.conftest import ROOT, make_settings
from tests.fakes import HashEmbedding

BATCH = "2"  # chunks per committed step: a dozen tiny articles make many steps
TOWNS = "Avon Bath Cheddar Dorchester Ely Frome Glastonbury Hythe Ilminster Keynsham".split()

# Runs `rag ingest`, and SIGKILLs itself at the chosen point: right after the Nth call
# of a store function, or just before the docstore's atomic rename (half-written file).
KILLER = """
import os, signal, sys
from rag import store
import rag.index_state as state

point, nth = sys.argv[1], int(sys.argv[2])
calls = [0]

def die_at_nth(fn, before=False):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if before and calls[0] >= nth:
            os.kill(os.getpid(), signal.SIGKILL)
        result = fn(*args, **kwargs)
        if calls[0] >= nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapped

if point == "rename":
    state.os.replace = die_at_nth(os.replace, before=True)
else:
    setattr(store, point, die_at_nth(getattr(store, point)))
from rag.cli import main
sys.exit(main(["ingest", "--json"]))
"""


def article(town: str, sentences: int = 3, version: str = "") -> str:
    body = " ".join(
        f"In {town} the council met on day {i} and agreed budget line {i}{version}."
        for i in range(sentences)
    )
    return f"---\ntitle: News from {town}\ndate: 2026-01-{len(town):02d}\n---\n{body}\n"


def make_corpus(folder: Path) -> None:
    folder.mkdir(parents=True)
    for i, town in enumerate(TOWNS):
        (folder / f"{town.lower()}.txt").write_text(article(town, 3 + 20 * (i % 3)))


def edit_corpus(folder: Path) -> dict[str, list[str]]:
    """Two edits (one shrinks from 3 chunks to 1), one new file, one removed."""
    (folder / "bath.txt").write_text(article("Bath", 3, version=" (revised)"))
    (folder / "cheddar.txt").write_text(article("Cheddar", 2, version=" (cut)"))
    (folder / "lyme.txt").write_text(article("Lyme", 5))
    (folder / "ely.txt").unlink()
    return {"updated": ["bath.txt", "cheddar.txt"], "added": ["lyme.txt"], "removed": ["ely.txt"]}


def env_for(settings: Settings) -> dict[str, str]:
    return {
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "RAG_INDEX_DIR": str(settings.index_dir),
        "RAG_INGEST_BATCH_CHUNKS": BATCH,
        "PATH": "",
    }


def kill_ingest(settings: Settings, point: str, nth: int) -> None:
    run = subprocess.run(
        [sys.executable, "-c", KILLER, point, str(nth)],
        env=env_for(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == -signal.SIGKILL, (point, nth, run.returncode, run.stderr[-2000:])


def snapshot(settings: Settings) -> dict[str, tuple[str, str, str]]:
    collection = build_vector_store(settings)
    ids, texts, metas = store.chunk_rows(collection)
    return {
        i: (t, str(m.get("file")), str(m.get("title")))
        for i, t, m in zip(ids, texts, metas, strict=True)
    }


def assert_same_index(settings: Settings, clean: Settings) -> None:
    assert snapshot(settings) == snapshot(clean)
    got, want = build_vector_store(settings), build_vector_store(clean)
    order = sorted(snapshot(clean))
    assert np.allclose(store.vectors(got, order), store.vectors(want, order), atol=1e-5)
    hashes = load_docstore(settings).get_all_document_hashes()
    assert hashes == load_docstore(clean).get_all_document_hashes()


@pytest.fixture(scope="module")
def clean_indexes(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict[str, Settings]:
    """The first and the edited corpus, each indexed in one uninterrupted run."""
    out = {}
    for name in ("first", "edited"):
        base = tmp_path_factory.mktemp(f"clean-{name}")
        make_corpus(base / "corpus")
        if name == "edited":
            edit_corpus(base / "corpus")
        settings = make_settings(base)
        ingest(settings, embed_model=embedder)
        out[name] = settings
    return out


@pytest.mark.parametrize(
    ("point", "nth"),
    [("upsert_nodes", 1), ("upsert_nodes", 4), ("rename", 3)],
)
def test_kill_during_first_ingest_recovers_the_clean_index(
    point: str, nth: int, tmp_path: Path, embedder, clean_indexes
) -> None:
    make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, ingest_batch_chunks=int(BATCH))
    kill_ingest(settings, point, nth)
    assert 0 < store.count(build_vector_store(settings)) < len(snapshot(clean_indexes["first"]))
    report = ingest(settings, embed_model=embedder)
    assert sorted(report.added + report.unchanged) == sorted(f"{t.lower()}.txt" for t in TOWNS)
    assert report.added and not report.updated and not report.removed
    assert_same_index(settings, clean_indexes["first"])


def test_external_kill_mid_ingest_recovers(tmp_path: Path, embedder, clean_indexes) -> None:
    """SIGKILL from outside, as soon as the first step is committed."""
    make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, ingest_batch_chunks=int(BATCH))
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest"],
        env=env_for(settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 300
    while not settings.docstore_path.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the ingest ended before it was killed"
    ingest(settings, embed_model=embedder)
    assert_same_index(settings, clean_indexes["first"])


@pytest.mark.parametrize(
    ("point", "nth"),
    [("delete_document", 1), ("upsert_nodes", 1), ("delete_chunks", 1), ("rename", 2)],
)
def test_kill_during_an_update_never_loses_an_edit(
    point: str, nth: int, tmp_path: Path, embedder, clean_indexes
) -> None:
    shutil.copytree(clean_indexes["first"].corpus_dir, tmp_path / "corpus")
    shutil.copytree(clean_indexes["first"].index_dir, tmp_path / "index")
    settings = make_settings(tmp_path, ingest_batch_chunks=int(BATCH))
    expected = edit_corpus(settings.corpus_dir)
    kill_ingest(settings, point, nth)
    in_store = store.document_ids(build_vector_store(settings))
    assert set(expected["updated"]) <= in_store  # right after the kill, no edit is missing

    report = ingest(settings, embed_model=embedder)
    for name in expected["updated"]:
        assert name not in report.added, report.summary()
    assert set(report.updated) <= set(expected["updated"])
    assert set(report.added) <= set(expected["added"])
    assert_same_index(settings, clean_indexes["edited"])


def test_an_edit_is_written_before_its_old_chunks_go(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    settings = make_settings(tmp_path, ingest_batch_chunks=1)
    ingest(settings, embed_model=HashEmbedding())
    edit_corpus(corpus)
    vector_store = build_vector_store(settings)
    seen: list[set[str]] = []
    real_upsert = store.upsert_nodes

    def upsert_and_look(vs, nodes) -> None:
        seen.append(store.document_ids(vs))
        real_upsert(vs, nodes)

    monkeypatch.setattr(store, "upsert_nodes", upsert_and_look)
    report = ingest(settings, embed_model=HashEmbedding(), vector_store=vector_store)
    assert sorted(report.updated) == ["bath.txt", "cheddar.txt"]
    assert len(seen) == report.chunks_embedded
    assert all({"bath.txt", "cheddar.txt"} <= ids for ids in seen)
    texts = " ".join(t for t, _, _ in snapshot(settings).values())
    assert "(revised)" in texts and "(cut)" in texts
    assert "Bath the council met on day 0 and agreed budget line 0." not in texts


class SlowEmbedding(HashEmbedding):
    """Slow in the ingest thread only, so an ingest lasts long enough to ask during it
    (the answer path embeds sentences too and must stay quick)."""

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        if threading.current_thread().name == "ingest":
            time.sleep(0.2 * len(texts))
        return [self._get_text_embedding(t) for t in texts]


def test_answers_and_status_go_on_while_an_ingest_embeds(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    settings = make_settings(tmp_path, ingest_batch_chunks=4)
    rag = RAG(settings, embed_model=SlowEmbedding(), llm=None)
    rag.ingest()
    rag.ask("What did the council in Bath agree?")  # the reader warmed up before
    for i in range(40):
        (corpus / f"more-{i}.txt").write_text(article(f"Town{i}", 6))
    spans: list[float] = []

    def timed_ingest() -> None:
        started = time.perf_counter()
        rag.ingest()
        spans.append(time.perf_counter() - started)

    worker = threading.Thread(target=timed_ingest, name="ingest")
    worker.start()
    time.sleep(0.5)
    timings = []
    while worker.is_alive() and len(timings) < 5:
        started = time.perf_counter()
        status = rag.status()
        answer = rag.ask("What did the council in Bath agree?")
        timings.append(time.perf_counter() - started)
        assert status["chunks"] > 0 and answer.passages
    worker.join()
    assert len(timings) >= 2, "the ingest ended before any question was asked"
    # A reader held back by the writer would wait for most of the ingest; a free one
    # takes a small part of it, however busy the machine (no fixed time to flake on).
    assert max(timings) < spans[0] / 3, (timings, spans)
    assert rag.status()["last_report"]["text"] == "40 articles added"


class PoisonEmbedding(HashEmbedding):
    """Fails on any text holding POISON, as a model might on input it cannot take."""

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        if any("POISON" in t for t in texts):
            raise ValueError("cannot embed this")
        return [self._get_text_embedding(t) for t in texts]


def test_a_file_that_cannot_be_embedded_costs_only_itself(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    (corpus / "bad.txt").write_text("POISON in the well. " * 3)
    settings = make_settings(tmp_path, ingest_batch_chunks=64)
    report = ingest(settings, embed_model=PoisonEmbedding())
    assert [s.path for s in report.skipped] == ["bad.txt"]
    assert "could not be embedded" in report.skipped[0].reason
    assert sorted(report.added) == sorted(f"{t.lower()}.txt" for t in TOWNS)
    assert "bad.txt" not in store.document_ids(build_vector_store(settings))
    assert report.chunks_embedded == report.chunks_total
    again = ingest(settings, embed_model=PoisonEmbedding())
    assert [s.path for s in again.skipped] == ["bad.txt"] and not again.added
