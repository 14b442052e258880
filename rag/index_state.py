"""What an index remembers between runs, written so a kill never leaves half a file.

``state.json`` holds the last ingest's time, counts and report (what the app
shows as "2 articles added"); the docstore holds each indexed file's content
hash; a lock file keeps two writers (the app's watcher and `rag ingest`) from
working on one index at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from llama_index.core.storage.docstore import SimpleDocumentStore

from rag.config import Settings
from rag.types import IngestReport


def read_state(settings: Settings) -> dict[str, Any]:
    try:
        return json.loads(settings.state_path.read_text())
    except (OSError, ValueError):
        return {}


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a kill leaves the old or the new file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


SKIPS_NAMED = 3  # skipped files named with their reason in the status line


def describe(report: IngestReport) -> str:
    """What changed, in words for the UI: '2 articles added, 1 removed'."""
    parts = [
        f"{len(items)} {word}"
        for items, word in (
            (report.added, "added"),
            (report.updated, "updated"),
            (report.removed, "removed"),
            (report.skipped, "skipped"),
        )
        if items
    ]
    if not parts:
        return "no changes"
    first, *others = parts
    count, word = first.split(" ", 1)
    noun = "article" if count == "1" else "articles"
    text = ", ".join([f"{count} {noun} {word}", *others])
    if report.skipped:  # the app's status line is where a web user learns why
        named = "; ".join(f"{s.path}: {s.reason}" for s in report.skipped[:SKIPS_NAMED])
        more = len(report.skipped) - SKIPS_NAMED
        text += f" ({named}{f'; {more} more' if more > 0 else ''})"
    return text


def write_state(
    settings: Settings, report: IngestReport, trigger: str = "ingest", stories: int | None = None
) -> None:
    """Record the counts ``rag status`` shows without opening the store."""
    state = read_state(settings)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    state.update(
        {
            "last_ingest": now,
            "documents": report.documents_total,
            "chunks": report.chunks_total,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
        }
    )
    if stories is not None:
        state["stories"] = stories
    if report.changed or "last_report" not in state:
        state["last_report"] = {
            "at": now,
            "trigger": trigger,
            "text": describe(report),
            "added": len(report.added),
            "updated": len(report.updated),
            "removed": len(report.removed),
            "skipped": [s.path for s in report.skipped],
            "skipped_reasons": {s.path: s.reason for s in report.skipped},
        }
    if report.changed or "generation" not in state:
        state["generation"] = uuid.uuid4().hex
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(settings.state_path, json.dumps(state, indent=2))


@contextlib.contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """One writer per index across processes (the app's watcher and `rag ingest`)."""
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / "ingest.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # not on Windows: one process at a time is the user's care
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_docstore(settings: Settings) -> SimpleDocumentStore:
    if settings.docstore_path.exists():
        try:
            return SimpleDocumentStore.from_persist_path(str(settings.docstore_path))
        except (OSError, ValueError):
            pass  # unreadable: start empty, _reconcile re-adopts what the store holds
    return SimpleDocumentStore()


def persist_docstore(docstore: SimpleDocumentStore, settings: Settings) -> None:
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    tmp = settings.docstore_path.with_name(settings.docstore_path.name + ".tmp")
    docstore.persist(str(tmp))
    os.replace(tmp, settings.docstore_path)
