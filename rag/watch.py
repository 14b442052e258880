"""The corpus folder as the source of truth: changes in it are indexed within seconds.

A ``CorpusWatcher`` runs one incremental ingest when it starts (changes made
while nothing watched), then one after each burst of file events in the
folder, once it has been quiet for ``RAG_WATCH_DEBOUNCE_MS``. The ingest is the
ordinary incremental one: unchanged files are not re-embedded, edits replace
their chunks, deletes remove them. Events that land during an ingest are kept
by ``watchfiles`` and start the next one. `rag watch` runs it in the
foreground; the app runs it in a thread unless ``RAG_WATCH=0``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import Change, DefaultFilter, watch

from rag.types import IngestReport

if TYPE_CHECKING:
    from rag.pipeline import RAG

log = logging.getLogger(__name__)
ReportFn = Callable[[IngestReport], None]
RETRY_SECONDS = 5.0


class CorpusFilter(DefaultFilter):
    """Editor droppings and hidden files (which the loader leaves out) start no ingest."""

    def __init__(self, corpus_dir: Path, index_dir: Path) -> None:
        super().__init__(ignore_paths=[index_dir.resolve()])
        self.root = corpus_dir.resolve()

    def __call__(self, change: Change, path: str) -> bool:
        try:
            parts = Path(path).resolve().relative_to(self.root).parts
        except ValueError:
            parts = Path(path).parts[-1:]
        if any(part.startswith(".") or part.endswith(".tmp") for part in parts):
            return False
        return super().__call__(change, path)


class CorpusWatcher:
    """Keeps one ``RAG``'s index in step with its corpus folder, in a background thread."""

    def __init__(self, rag: RAG, on_report: ReportFn | None = None) -> None:
        self.rag = rag
        self.on_report = on_report
        self.runs = 0
        self.last_report: IngestReport | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> CorpusWatcher:
        self._thread = threading.Thread(target=self.run, name="corpus-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run(self) -> None:
        """Catch up, then index after every quiet burst of changes, until stopped."""
        settings = self.rag.settings
        corpus = settings.corpus_dir
        quiet = settings.watch_debounce_ms
        self.ingest_once()
        while not self._stop.is_set():
            try:
                corpus.mkdir(parents=True, exist_ok=True)
                for changes in watch(
                    corpus,
                    watch_filter=CorpusFilter(corpus, settings.index_dir),
                    step=quiet,
                    debounce=max(10 * quiet, 5000),
                    stop_event=self._stop,
                    raise_interrupt=False,
                    ignore_permission_denied=True,
                ):
                    log.info("corpus changed: %d file events", len(changes))
                    self.ingest_once()
            except Exception as exc:  # the folder went away, too many watches...: retry
                self.last_error = f"watching {corpus} failed: {exc}"
                log.warning("%s; retrying in %.0f s", self.last_error, RETRY_SECONDS)
                self._stop.wait(RETRY_SECONDS)

    def ingest_once(self) -> IngestReport | None:
        """One incremental ingest; a failure is logged and kept, never raised."""
        try:
            report = self.rag.ingest(trigger="watch")
        except Exception as exc:
            self.last_error = f"indexing the corpus failed: {exc}"
            log.warning(self.last_error)
            return None
        self.runs += 1
        self.last_report = report
        self.last_error = None
        if self.on_report is not None:
            self.on_report(report)
        return report


def start_watcher(rag: RAG, on_report: ReportFn | None = None) -> CorpusWatcher | None:
    """The app's watcher, started; None when ``RAG_WATCH`` is off."""
    if not rag.settings.watch:
        return None
    return CorpusWatcher(rag, on_report).start()
