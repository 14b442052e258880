"""Chats kept in the browser: save, list and reopen past conversations, export one.

The store is a ``gr.BrowserState`` (the browser's localStorage, encrypted with
a key kept in the index folder so chats survive a server restart). Nothing
here is shared between users: each browser holds only its own chats.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from rag import transcript, web
from rag.config import Settings

MAX_CHATS = 30
KEY_FILE = "browser-state.key"

Store = dict[str, Any]


def browser_secret(settings: Settings) -> str:
    """The key that encrypts the chats kept in browsers; made once, then reused."""
    path = settings.index_dir / KEY_FILE
    try:
        key = path.read_text().strip()
        if len(key) >= 16:
            return key
    except OSError:
        pass
    key = secrets.token_urlsafe(24)
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(key)
        path.chmod(0o600)
    except OSError:
        pass  # a read-only index folder: chats then last until the server restarts
    return key


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def message_text(message: dict[str, Any]) -> str:
    """A chat message's text, whether Gradio hands it over as a string or as parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def chat_title(turns: list[dict[str, Any]], messages: list[dict[str, Any]]) -> str:
    if turns:
        return web.shorten(turns[0]["question"], 60)
    users = [message_text(m) for m in messages if m.get("role") == "user"]
    return web.shorten(users[0], 60) if users else "Empty chat"


def save(
    store: Store | None,
    chat_id: str,
    messages: list[dict[str, Any]],
    history: list[dict[str, str]],
    turns: list[dict[str, Any]],
) -> Store:
    """The store with this chat saved (empty chats are not kept), the oldest beyond 30 dropped."""
    chats = dict((store or {}).get("chats") or {})
    if messages:
        chats[chat_id] = {
            "title": chat_title(turns, messages),
            "updated": time.time(),
            "messages": messages,
            "history": history,
            "turns": turns,
        }
    newest = sorted(chats, key=lambda c: chats[c].get("updated", 0), reverse=True)
    return {"current": chat_id, "chats": {c: chats[c] for c in newest[:MAX_CHATS]}}


def choices(store: Store | None) -> list[tuple[str, str]]:
    """(label, id) of every kept chat, newest first."""
    chats = (store or {}).get("chats") or {}
    rows = sorted(chats.items(), key=lambda kv: kv[1].get("updated", 0), reverse=True)
    return [(f"{c.get('title', 'chat')} · {_when(c.get('updated', 0))}", i) for i, c in rows]


def _when(seconds: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(seconds))


def get(store: Store | None, chat_id: str | None) -> dict[str, Any] | None:
    return ((store or {}).get("chats") or {}).get(chat_id or "")


def export_file(chat_id: str, turns: list[dict[str, Any]], title: str) -> str | None:
    """The conversation as a Markdown file to download; None when nothing was answered yet."""
    if not turns:
        return None
    folder = Path(tempfile.gettempdir()) / "news-rag-exports"
    folder.mkdir(exist_ok=True)
    slug = re.sub(r"[^\w-]+", "-", title.lower()).strip("-")[:40] or "chat"
    path = folder / f"{slug}-{chat_id}.md"
    path.write_text(transcript.conversation_markdown(title, turns), encoding="utf-8")
    return str(path)
