"""The corpus folder watched with real ``watchfiles`` events and the real embedder: files
added, changed and removed are indexed within seconds; unchanged ones are not re-embedded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rag import store
from rag.config import Settings
from rag.pipeline import RAG
from rag.types import IngestReport
from rag.watch import CorpusWatcher, start_watcher
from tests.conftest import make_settings

SECONDS = 30  # generous for a loaded machine; a quiet one takes about two


def article(town: str, detail: str = "the harbour reopened") -> str:
    return f"---\ntitle: News from {town}\n---\nIn {town} {detail} on Monday.\n"


def wait_for(check: Callable[[], bool], seconds: float = SECONDS) -> None:
    deadline = time.time() + seconds
    while not check():
        assert time.time() < deadline, "the watcher did not catch up in time"
        time.sleep(0.1)


@pytest.fixture
def watched(tmp_path: Path, embedder) -> Iterator[tuple[RAG, CorpusWatcher, list[IngestReport]]]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bath.txt").write_text(article("Bath"))
    (corpus / "ely.txt").write_text(article("Ely"))
    rag = RAG(make_settings(tmp_path, watch_debounce_ms=300), embed_model=embedder, llm=None)
    reports: list[IngestReport] = []
    watcher = start_watcher(rag, on_report=reports.append)
    assert watcher is not None
    wait_for(lambda: watcher.runs >= 1)  # the catch-up ingest at start
    yield rag, watcher, reports
    watcher.stop()
    assert not watcher.alive


def next_report(reports: list[IngestReport], seen: int) -> IngestReport:
    """The first report after ``seen`` that changed something."""
    wait_for(lambda: any(r.changed for r in reports[seen:]))
    return next(r for r in reports[seen:] if r.changed)


def test_added_changed_and_removed_files_are_indexed(watched, tmp_path: Path) -> None:
    rag, watcher, reports = watched
    assert sorted(reports[0].added) == ["bath.txt", "ely.txt"]
    corpus = rag.settings.corpus_dir

    seen = len(reports)
    (corpus / "wells.txt").write_text(article("Wells"))
    (corpus / "sub").mkdir()
    (corpus / "sub" / "frome.txt").write_text(article("Frome"))
    report = next_report(reports, seen)
    wait_for(lambda: "sub/frome.txt" in store.document_ids(rag.vector_store))
    added = {name for r in reports[seen:] for name in r.added}
    assert added == {"wells.txt", "sub/frome.txt"}
    assert "bath.txt" in report.unchanged and report.chunks_embedded <= 2  # no re-embedding
    assert rag.status()["last_report"]["trigger"] == "watch"
    assert watcher.last_error is None

    seen = len(reports)
    (corpus / "bath.txt").write_text(article("Bath", "the bridge closed"))
    report = next_report(reports, seen)
    assert report.updated == ["bath.txt"] and report.chunks_embedded == 1
    assert sorted(report.unchanged) == ["ely.txt", "sub/frome.txt", "wells.txt"]
    answer = rag.ask("What closed in Bath?")
    assert any("bridge closed" in p.text for p in answer.passages)

    seen = len(reports)
    (corpus / "ely.txt").unlink()
    report = next_report(reports, seen)
    assert report.removed == ["ely.txt"] and report.chunks_embedded == 0
    assert "ely.txt" not in store.document_ids(rag.vector_store)
    assert rag.status()["last_report"]["text"] == "1 article removed"


def test_hidden_and_temporary_files_start_no_ingest(watched) -> None:
    rag, watcher, _ = watched
    runs = watcher.runs
    (rag.settings.corpus_dir / ".draft.txt").write_text(article("Hidden"))
    (rag.settings.corpus_dir / "upload.txt.tmp").write_text(article("Partial"))
    time.sleep(2.0)
    assert watcher.runs == runs


def test_the_app_watches_by_default_and_can_be_told_not_to() -> None:
    assert Settings().watch is True
    assert Settings(watch=False).watch is False
    rag = RAG(Settings(watch=False), llm=None)
    assert start_watcher(rag) is None


def test_the_running_app_indexes_a_dropped_file_and_reports_it(tmp_path: Path) -> None:
    from tests.app_server import running_app

    with running_app(tmp_path, RAG_WATCH="true", RAG_WATCH_DEBOUNCE_MS="300") as app:
        (app.corpus / "dropped.txt").write_text(article("Lyme", "a whale was seen"))

        def reported() -> bool:
            status, data = app.request("/api/status")
            return status == 200 and (data.get("last_report") or {}).get("added") == 1

        wait_for(reported, seconds=120)
        _, data = app.request("/api/status")
        assert data["last_report"]["text"] == "1 article added"
        assert data["last_report"]["trigger"] == "watch"
