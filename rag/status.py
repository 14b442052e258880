"""What is indexed, read from the ingest state file: no model loaded, no store opened.

``rag ingest`` (``rag.ingest.write_state``) records the article, story and chunk
counts and what changed after every run, so ``rag status`` answers in a fraction of a second;
``rag status --exact`` (``RAG.status``) counts in the store instead.
"""

from __future__ import annotations

import json
from typing import Any

from rag.components import embedder_label, llm_label
from rag.config import Settings


def read_state(settings: Settings) -> dict[str, Any] | None:
    """The ingest state, or None when no ingest has written one (or it is unreadable)."""
    try:
        state = json.loads(settings.state_path.read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def quick_status(settings: Settings) -> dict[str, Any] | None:
    """The same keys as ``RAG.status``, from the state file; None when there is none.

    ``stories`` is there when the ingest recorded it (ingests from before it was
    recorded did not), ``last_report`` always, as in ``RAG.status``.
    """
    state = read_state(settings)
    if state is None or "chunks" not in state:
        return None
    return status_from_state(settings, state)


def empty_status(settings: Settings) -> dict[str, Any]:
    """Status of an index that does not exist yet: nothing indexed, nothing created."""
    return status_from_state(settings, {"documents": 0, "stories": 0, "chunks": 0})


def index_exists(settings: Settings) -> bool:
    """Whether there is an index to open; opening the embedded store creates its folder.

    A Chroma server is asked, never created, so it counts as existing.
    """
    return bool(settings.chroma_url) or settings.chroma_path.exists()


def status_from_state(settings: Settings, state: dict[str, Any]) -> dict[str, Any]:
    counts: dict[str, Any] = {"documents": int(state.get("documents", 0))}
    if "stories" in state:
        counts["stories"] = int(state["stories"])
    return {
        **counts,
        "chunks": int(state.get("chunks", 0)),
        "corpus_dir": str(settings.corpus_dir),
        "index_dir": str(settings.index_dir),
        "store": settings.store_kind,
        "chroma_url": settings.chroma_url,
        "collection": settings.collection,
        "embedding_model": embedder_label(settings),
        "llm_backend": settings.llm,
        "llm": llm_label(settings),
        "top_k": settings.top_k,
        "last_ingest": state.get("last_ingest"),
        "last_report": state.get("last_report"),
    }
