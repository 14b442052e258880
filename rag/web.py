"""What the web chat shows, as plain functions: no gradio here, so tests need no browser.

Citation markers become links to source cards, sources become escaped HTML
with the cited sentence highlighted, and example questions come from the index.
Uploads are ``rag.uploads``.
"""

from __future__ import annotations

import html
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rag.answer import REFUSAL
from rag.citations import CITATION_RE
from rag.revision import revision_note
from rag.types import Answer, Passage

if TYPE_CHECKING:
    from rag.pipeline import RAG
    from rag.types import IngestReport

CLOSEST_ON_REFUSAL = 3


# --- text helpers -------------------------------------------------------------------------


def escape(text: object) -> str:
    """HTML-escape, and also the characters a JS template string would interpret."""
    return html.escape(str(text), quote=True).replace("$", "&#36;").replace("`", "&#96;")


def source_anchor(turn: int, number: int) -> str:
    """Element id of a source card: per turn, so older answers keep their own links."""
    return f"src-{turn}-{number}"


def link_citations(text: str, turn: int) -> str:
    """Markdown with each ``[n]`` (or ``[1, 2]``) turned into links to the source cards."""

    def links(match: re.Match[str]) -> str:
        numbers = re.findall(r"\d+", match.group(0))
        space = " " if match.group(0)[:1].isspace() else ""
        return space + "".join(f"[\\[{n}\\]](#{source_anchor(turn, int(n))})" for n in numbers)

    return CITATION_RE.sub(links, text)


def highlight(text: str, quote: str) -> str:
    """Escaped passage text with the cited sentence wrapped in <mark>."""
    quote = quote.strip()
    if quote:
        pattern = r"\s+".join(re.escape(word) for word in quote.split())
        match = re.search(pattern, text)
        if match:
            return (
                escape(text[: match.start()])
                + f'<mark class="quote">{escape(match.group(0))}</mark>'
                + escape(text[match.end() :])
            )
    return escape(text)


# --- the sources panel --------------------------------------------------------------------


def article_link(passage: Passage) -> str:
    """The app's own page for the whole article with this passage highlighted."""
    query = {"file": passage.source}
    if passage.start_char is not None and passage.end_char is not None:
        query.update(start=str(passage.start_char), end=str(passage.end_char))
    if passage.quote:
        query["quote"] = passage.quote[:300]
    return "article?" + urlencode(query)


def also_reported(passage: Passage) -> str:
    """ "also reported by N outlets", naming them on hover; empty when no other outlet."""
    outlets = list(
        dict.fromkeys(o.get("publisher") or o.get("source", "") for o in passage.also_in)
    )
    if not outlets:
        return ""
    n = len(outlets)
    names = ", ".join(o for o in outlets if o)
    return (
        f'<span class="src-also" title="{escape(names)}">'
        f"also reported by {n} outlet{'s' if n != 1 else ''}</span>"
    )


def source_card(passage: Passage, turn: int, cited: bool) -> str:
    meta = [escape(passage.publisher)] if passage.publisher else []
    meta.append(escape(passage.date) if passage.date else '<span class="undated">undated</span>')
    meta.append(f"<code>{escape(passage.source)}</code>")
    meta.append(f'<span title="dense and BM25 ranks, fused">score {passage.score:.3f}</span>')
    also = also_reported(passage)
    if also:
        meta.append(also)
    title = escape(passage.title or passage.source)
    if passage.url.startswith(("http://", "https://")):  # no javascript: links
        title = f'<a href="{escape(passage.url)}" target="_blank" rel="noopener">{title}</a>'
    kind = "cited" if cited else "closest"
    return (
        f'<div class="src-card {kind}" id="{source_anchor(turn, passage.number)}">'
        f'<div class="src-title"><span class="src-num">{passage.number}</span> {title}</div>'
        f'<div class="src-meta">{" · ".join(meta)}</div>'
        f'<div class="src-text">{highlight(passage.text, passage.quote if cited else "")}</div>'
        f'<a class="src-open" href="{escape(article_link(passage))}" target="_blank" '
        'rel="noopener">open the whole article</a>'
        "</div>"
    )


def window_line(answer: Answer) -> str:
    """Which publish dates were searched, when the question was limited to some."""
    window = answer.window or {}
    start, end = window.get("from"), window.get("to")
    if not (start or end or answer.as_of):
        return ""
    if start and end:
        text = f"searched articles dated {start} to {end}"
    elif start:
        text = f"searched articles dated from {start}"
    elif end:
        text = f"searched articles dated up to {end}"
    else:
        text = f"searched articles as of {answer.as_of}"
    return f'<div class="src-window">{escape(text)}</div>'


def conflicts_box(answer: Answer, turn: int) -> str:
    """Where the cited sources disagree: each side next to the other, with its citations."""
    blocks = []
    for conflict in answer.conflicts:
        sides = []
        for side in conflict.get("values", []):
            cites = "".join(
                f'<a href="#{source_anchor(turn, int(n))}">[{int(n)}]</a>'
                for n in side.get("citations", [])
                if str(n).isdigit()
            )
            sides.append(
                f'<div class="conflict-side">{escape(side.get("value", ""))} {cites}</div>'
            )
        blocks.append(
            f'<div class="src-conflict"><div class="conflict-about">⚠ The sources disagree '
            f"about {escape(conflict.get('about', 'this'))}</div>"
            f'<div class="conflict-sides">{"".join(sides)}</div></div>'
        )
    return "".join(blocks)


def answer_sources(answer: Answer, turn: int) -> str:
    """One turn's sources: the cited passages, or on a refusal the closest ones and why."""
    question = escape(answer.question)
    searched = ""
    if answer.standalone_question and answer.standalone_question != answer.question:
        searched = (
            f'<div class="src-searched">searched as: {escape(answer.standalone_question)}</div>'
        )
    head = f'<div class="src-question">{question}</div>{searched}{window_line(answer)}'
    if answer.refused:
        closest = answer.passages[:CLOSEST_ON_REFUSAL]
        if closest:
            note = "No answer: none of these passages supports one. The closest passages found:"
        else:
            note = "No answer: nothing in the index matched the question."
        cards = "".join(source_card(p, turn, cited=False) for p in closest)
        return f'<div class="src-turn refused">{head}<p class="src-note">{note}</p>{cards}</div>'
    cards = "".join(source_card(p, turn, cited=True) for p in answer.citations)
    return f'<div class="src-turn">{head}{conflicts_box(answer, turn)}{cards}</div>'


def turn_record(answer: Answer, turn: int, draft: str = "") -> dict[str, Any]:
    """What the page keeps of one answer: enough to redraw its sources and to export it."""
    shown = answer.passages[:CLOSEST_ON_REFUSAL] if answer.refused else answer.citations
    keys = ("number", "title", "publisher", "date", "source", "url", "quote")
    return {
        "turn": turn,
        "question": answer.question,
        "answer": answer.answer,
        "refused": answer.refused,
        "revised": bool(revision_note(draft, answer)) if draft else False,
        "html": answer_sources(answer, turn),
        "sources": [{k: getattr(p, k) for k in keys} for p in shown],
    }


def sources_panel(turns: list[dict[str, Any]]) -> str:
    """The latest turn's sources open, earlier turns folded below it (newest first)."""
    if not turns:
        return (
            '<div class="src-empty">Sources of the latest answer appear here: each cited '
            "passage with its article, date, file and score, the cited sentence highlighted."
            "</div>"
        )
    latest, earlier = turns[-1], turns[:-1]
    folded = "".join(
        f'<details class="src-earlier"><summary>{i}. {escape(shorten(t["question"]))}</summary>'
        f"{t['html']}</details>"
        for i, t in reversed(list(enumerate(earlier, start=1)))
    )
    return f'<div class="sources">{latest["html"]}{folded}</div>'


def shorten(text: str, limit: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stage_line(text: str, started: float | None = None, done: bool = False) -> str:
    """The answer's current stage; ``started`` (epoch seconds) lets the page tick its timer."""
    if not text:
        return ""
    if done or started is None:
        return f'<div class="stage done">{escape(text)}</div>'
    elapsed = max(0.0, time.time() - started)
    return (
        f'<div class="stage" data-started="{started * 1000:.0f}"><span class="spinner"></span>'
        f'{escape(text)}… <span class="elapsed">{elapsed:.0f} s</span></div>'
    )


def chat_text(answer: Answer, turn: int, draft: str = "") -> str:
    """The checked answer as the chat shows it, saying so when it differs from the draft."""
    if answer.refused:
        shown = "the closest passages" if answer.passages else "that nothing matched"
        return f"{answer.answer or REFUSAL}\n\n*The sources panel shows {shown}.*"
    text = link_citations(answer.answer, turn)
    note = revision_note(draft, answer)
    if note:
        text += f"\n\n<small>✎ *{note}*</small>"
    if answer.conflicts:
        text += "\n\n<small>⚠ *The sources disagree on a point: see the Sources panel.*</small>"
    return text


# --- corpus status, examples, ingest reports -------------------------------------------------


def status_line(status: dict[str, Any], llm: str | None = None) -> str:
    last = str(status.get("last_ingest") or "never").replace("T", " ").replace("+00:00", " UTC")
    llm = llm or str(status["llm"])
    if llm.endswith(".gguf"):  # a model file: its name, not where it happens to live
        llm = llm.replace("\\", "/").rsplit("/", 1)[-1]
    line = (
        f"**{status['documents']}** articles · **{status['chunks']}** chunks · "
        f"embedder {status['embedding_model']} · LLM {llm} · "
        f"indexed {last}"
    )
    report = status.get("last_report") or {}
    if report.get("text") and report.get("trigger") == "watch":  # the folder watcher's news
        at = str(report.get("at") or "").replace("T", " ").replace("+00:00", " UTC")
        line += f" · corpus folder: {escape(report['text'])}" + (f" ({at})" if at else "")
    return line


def indexed_articles(rag: RAG) -> list[dict[str, str]]:
    """Title, date and file of every indexed article, newest first."""
    return [{k: str(a[k]) for k in ("file", "title", "date")} for a in rag.articles()]


def example_questions(articles: list[dict[str, str]], limit: int = 4) -> list[str]:
    """Questions about the newest articles, so the examples fit whatever corpus is indexed."""
    titles = list(dict.fromkeys(a["title"] for a in articles))
    return [f"What does the article “{title}” report?" for title in titles[:limit]]


def _names(paths: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"`{p}`" for p in paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "")


def report_markdown(report: IngestReport) -> str:
    lines = [f"**Re-indexed in {report.seconds:.1f} s.**"]
    for label, paths in (
        ("Added", report.added),
        ("Updated", report.updated),
        ("Removed", report.removed),
    ):
        if paths:
            lines.append(f"- {label} ({len(paths)}): {_names(paths)}")
    lines.append(f"- Unchanged: {len(report.unchanged)}")
    for skipped in report.skipped:
        lines.append(f"- Skipped `{skipped.path}`: {skipped.reason}")
    lines.append(
        f"- Index: {report.documents_total} articles, {report.chunks_total} chunks "
        f"({report.chunks_embedded} embedded now)"
    )
    return "\n".join(lines)
