"""Thumbs up/down on answers, kept locally as JSONL, one event a line.

A rating line holds the question, the checked answer and its sources; a note
added later is a second line with the same ``id``. ``read`` merges them, and
``rag eval feedback`` turns the result into gold questions.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


def _append(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK, path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


def record(path: Path, rating: str, turn: dict[str, Any], chat_id: str = "") -> str:
    """Append one rating ("up" or "down") of an answer; returns its id for a later note."""
    if rating not in {"up", "down"}:
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
    feedback_id = uuid.uuid4().hex[:12]
    _append(
        path,
        {
            "id": feedback_id,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": rating,
            "question": turn.get("question", ""),
            "answer": turn.get("answer", ""),
            "refused": bool(turn.get("refused")),
            "sources": turn.get("sources", []),
            "chat_id": chat_id,
        },
    )
    return feedback_id


def add_note(path: Path, feedback_id: str, note: str) -> None:
    """Attach a free-text note to an earlier rating."""
    _append(path, {"id": feedback_id, "note": note.strip()})


def read(path: Path) -> list[dict[str, Any]]:
    """Every rating with its latest note, in the order given; broken lines are skipped."""
    merged: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if not isinstance(item, dict) or not item.get("id"):
            continue
        entry = merged.setdefault(str(item["id"]), {"note": ""})
        entry.update(item)
    return [e for e in merged.values() if e.get("rating") in {"up", "down"}]
