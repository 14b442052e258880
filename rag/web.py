"""What the web chat shows, as plain functions: no gradio here, so tests need no browser.

Citation markers become links to source cards, sources become escaped HTML
with the cited sentence highlighted, uploads are checked and saved without
ever overwriting an article, and example questions come from the index.
"""

from __future__ import annotations

import html
import os
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from rag.answer import REFUSAL
from rag.citations import CITATION_RE
from rag.documents import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES
from rag.revision import revision_note
from rag.types import Answer, Passage

if TYPE_CHECKING:
    from rag.pipeline import RAG
    from rag.types import IngestReport

UPLOAD_SUFFIXES = sorted(SUPPORTED_SUFFIXES)
CLOSEST_ON_REFUSAL = 3
MAX_NAME_CHARS = 120


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
        return f"{REFUSAL}\n\n*The sources panel shows {shown}.*"
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
    return (
        f"**{status['documents']}** articles · **{status['chunks']}** chunks · "
        f"embedder {status['embedding_model']} · LLM {llm} · "
        f"indexed {last}"
    )


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


# --- uploads -------------------------------------------------------------------------------


@dataclass
class UploadResult:
    saved: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        errors = [f"- **Not added:** {html.escape(e)}" for e in self.errors]
        return "\n".join([f"- {m}" for m in self.messages] + errors)


def safe_name(name: str) -> str:
    """A plain file name: no folders, no hidden files, no odd characters."""
    name = unicodedata.normalize("NFKC", Path(name.replace("\\", "/")).name)
    name = re.sub(r"[^\w.\-]+", "-", name, flags=re.UNICODE).strip(".-_ ")
    name = re.sub(r"-*\.-*", ".", re.sub(r"-{2,}", "-", name))
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        name = stem[: MAX_NAME_CHARS - len(suffix) - 1] + dot + suffix if dot else name
    return name


def upload_suffix_ok(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SIDECAR_SUFFIX) or Path(lower).suffix in SUPPORTED_SUFFIXES


def _free_name(folder: Path, name: str, attempt: int) -> Path:
    if attempt == 1:
        return folder / name
    if name.lower().endswith(SIDECAR_SUFFIX):
        stem, suffix = name[: -len(SIDECAR_SUFFIX)], SIDECAR_SUFFIX
    else:
        stem, suffix = Path(name).stem, Path(name).suffix
    return folder / f"{stem}-{attempt}{suffix}"


def save_upload(source: Path, corpus_dir: Path, name: str, result: UploadResult) -> None:
    """Copy one file into the corpus under a new name if its own is taken by other content."""
    data = source.read_bytes()
    temp = corpus_dir / f".upload-{uuid.uuid4().hex}.tmp"  # hidden: ingest ignores it
    temp.write_bytes(data)
    try:
        for attempt in range(1, 1000):
            target = _free_name(corpus_dir, name, attempt)
            if target.exists() and target.read_bytes() == data:
                result.messages.append(f"`{target.name}` is already in the corpus, unchanged.")
                return
            try:
                os.link(temp, target)  # fails if the name exists: never overwrites
            except FileExistsError:
                continue
            result.saved.append(target.name)
            if target.name == name:
                result.messages.append(f"Saved `{name}`.")
            else:
                result.messages.append(
                    f"Saved as `{target.name}`: a different `{name}` is already in the corpus."
                )
            return
        result.errors.append(f"{name}: too many files with that name.")
    finally:
        temp.unlink(missing_ok=True)


def save_uploads(files: list[tuple[Path, str]], corpus_dir: Path, max_mb: float) -> UploadResult:
    """Check type and size of each (temporary path, original name) and save the good ones."""
    result = UploadResult()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for path, original in files:
        name = safe_name(original)
        size_mb = path.stat().st_size / 1_000_000
        if not name or not upload_suffix_ok(name):
            types = ", ".join(UPLOAD_SUFFIXES)
            result.errors.append(
                f"{original}: unsupported file type; upload {types} files "
                f"(or an article's <file>{SIDECAR_SUFFIX} sidecar)."
            )
        elif size_mb > max_mb:
            result.errors.append(
                f"{original} is {size_mb:.1f} MB; the limit is {max_mb:g} MB (RAG_MAX_UPLOAD_MB)."
            )
        elif size_mb == 0:
            result.errors.append(f"{original} is empty.")
        else:
            save_upload(path, corpus_dir, name, result)
    return result
