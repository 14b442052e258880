"""A conversation as Markdown: the questions, the checked answers and the sources they cite.

The web chat's export button writes this; it reads the per-answer records that
``rag.web.turn_record`` keeps, so an exported chat needs no index.
"""

from __future__ import annotations

from typing import Any


def conversation_markdown(title: str, turns: list[dict[str, Any]]) -> str:
    """A conversation with its sources, as Markdown a reader can keep or share."""
    lines = [f"# {title or 'Conversation'}", ""]
    for t in turns:
        lines += [f"## {t['question']}", "", str(t["answer"]), ""]
        if t.get("sources"):
            lines.append("Closest passages:" if t.get("refused") else "Sources:")
            lines.append("")
        for s in t.get("sources", []):
            meta = ", ".join(x for x in (s.get("publisher"), s.get("date") or "undated") if x)
            name = s.get("title") or s.get("source")
            url = s.get("url", "")
            link = f"[{name}]({url})" if url.startswith(("http://", "https://")) else name
            lines.append(f"- [{s['number']}] {link} ({meta}; `{s.get('source', '')}`)")
            if s.get("quote"):
                lines.append(f"  > {' '.join(str(s['quote']).split())}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
