"""What the web chat shows, as plain functions: no gradio here, so tests need no browser.

Citation markers become links to source cards, sources become escaped HTML
with the cited sentence highlighted, uploads are checked and saved without
ever overwriting an article, and example questions come from the index.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answer import REFUSAL
from rag.citations import CITATION_RE
from rag.documents import SIDECAR_SUFFIX, SUPPORTED_SUFFIXES
from rag.types import Answer, Passage

if TYPE_CHECKING:
    from rag.pipeline import RAG
    from rag.types import IngestReport

UPLOAD_SUFFIXES = sorted(SUPPORTED_SUFFIXES)
CLOSEST_ON_REFUSAL = 3
MAX_NAME_CHARS = 120
MAX_SIDECAR_BYTES = 64_000


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


def source_card(passage: Passage, turn: int, cited: bool) -> str:
    meta = [escape(x) for x in (passage.publisher, passage.date) if x]
    meta.append(f"<code>{escape(passage.source)}</code>")
    meta.append(f'<span title="dense and BM25 ranks, fused">score {passage.score:.3f}</span>')
    title = escape(passage.title or passage.source)
    if passage.url.startswith(("http://", "https://")):  # no javascript: links
        title = f'<a href="{escape(passage.url)}" target="_blank" rel="noopener">{title}</a>'
    kind = "cited" if cited else "closest"
    return (
        f'<div class="src-card {kind}" id="{source_anchor(turn, passage.number)}">'
        f'<div class="src-title"><span class="src-num">{passage.number}</span> {title}</div>'
        f'<div class="src-meta">{" · ".join(meta)}</div>'
        f'<div class="src-text">{highlight(passage.text, passage.quote if cited else "")}</div>'
        "</div>"
    )


def answer_sources(answer: Answer, turn: int) -> str:
    """One turn's sources: the cited passages, or on a refusal the closest ones and why."""
    question = escape(answer.question)
    searched = ""
    if answer.standalone_question and answer.standalone_question != answer.question:
        searched = (
            f'<div class="src-searched">searched as: {escape(answer.standalone_question)}</div>'
        )
    head = f'<div class="src-question">{question}</div>{searched}'
    if answer.refused:
        closest = answer.passages[:CLOSEST_ON_REFUSAL]
        if closest:
            note = "No answer: none of these passages supports one. The closest passages found:"
        else:
            note = "No answer: nothing in the index matched the question."
        cards = "".join(source_card(p, turn, cited=False) for p in closest)
        return f'<div class="src-turn refused">{head}<p class="src-note">{note}</p>{cards}</div>'
    cards = "".join(source_card(p, turn, cited=True) for p in answer.citations)
    return f'<div class="src-turn">{head}{cards}</div>'


def sources_panel(turns: list[str]) -> str:
    """The latest turn's sources open, earlier turns folded below it (newest first)."""
    if not turns:
        return (
            '<div class="src-empty">Sources of the latest answer appear here: each cited '
            "passage with its article, date, file and score, the cited sentence highlighted."
            "</div>"
        )
    latest, earlier = turns[-1], turns[:-1]
    folded = "".join(
        f'<details class="src-earlier"><summary>Earlier answer {i}</summary>{body}</details>'
        for i, body in reversed(list(enumerate(earlier, start=1)))
    )
    return f'<div class="sources">{latest}{folded}</div>'


def searching_panel(text: str) -> str:
    return f'<div class="src-empty">{escape(text)}</div>'


def chat_text(answer: Answer, turn: int) -> str:
    """The checked answer as the chat shows it."""
    if answer.refused:
        shown = "the closest passages" if answer.passages else "that nothing matched"
        return f"{REFUSAL}\n\n*The sources panel shows {shown}.*"
    return link_citations(answer.answer, turn)


# --- corpus status, examples, ingest reports -------------------------------------------------


def status_line(status: dict[str, Any], llm: str | None = None) -> str:
    last = str(status.get("last_ingest") or "never").replace("T", " ").replace("+00:00", " UTC")
    return (
        f"**{status['documents']}** articles · **{status['chunks']}** chunks · "
        f"embedder {status['embedding_model']} · LLM {llm or status['llm']} · "
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


def _create(path: Path, data: bytes) -> bool:
    """Write a new file; False if the name is taken (never overwrites)."""
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except FileExistsError:
        return False
    return True


def save_upload(
    source: Path, corpus_dir: Path, name: str, result: UploadResult, sidecar: bytes | None = None
) -> None:
    """Copy one file into the corpus under a new name if its own is taken by other content.

    A name whose ``.meta.json`` sidecar already lies in the folder counts as taken, so
    an upload never adopts stale metadata. ``sidecar`` (the metadata uploaded with this
    article) is written first, next to the name the article then takes: it can only
    ever describe this new file, never an article already in the corpus.
    """
    data = source.read_bytes()
    temp = corpus_dir / f".upload-{uuid.uuid4().hex}.tmp"  # hidden: ingest ignores it
    temp.write_bytes(data)
    try:
        for attempt in range(1, 1000):
            target = _free_name(corpus_dir, name, attempt)
            meta = target.with_name(target.name + SIDECAR_SUFFIX)
            if target.exists() and target.read_bytes() == data:
                result.messages.append(f"`{target.name}` is already in the corpus, unchanged.")
                if sidecar is not None:
                    result.errors.append(
                        f"{name}{SIDECAR_SUFFIX}: the metadata of an article already in the "
                        "corpus is not changed by upload; edit it in the corpus folder."
                    )
                return
            if target.exists() or meta.exists():
                continue
            if sidecar is not None and not _create(meta, sidecar):
                continue
            try:
                os.link(temp, target)  # fails if the name exists: never overwrites
            except FileExistsError:
                if sidecar is not None:
                    meta.unlink(missing_ok=True)
                continue
            result.saved.append(target.name)
            if sidecar is not None:
                result.saved.append(meta.name)
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


def _upload_problem(path: Path, original: str, name: str, max_mb: float) -> str | None:
    size_mb = path.stat().st_size / 1_000_000
    if not name or not upload_suffix_ok(name):
        types = ", ".join(UPLOAD_SUFFIXES)
        return (
            f"{original}: unsupported file type; upload {types} files "
            f"(with, in the same upload, an article's <file>{SIDECAR_SUFFIX} sidecar)."
        )
    if size_mb > max_mb:
        return f"{original} is {size_mb:.1f} MB; the limit is {max_mb:g} MB (RAG_MAX_UPLOAD_MB)."
    if size_mb == 0:
        return f"{original} is empty."
    if name.lower().endswith(SIDECAR_SUFFIX):
        if path.stat().st_size > MAX_SIDECAR_BYTES:
            return f"{original}: a metadata sidecar is at most {MAX_SIDECAR_BYTES // 1000} kB."
        try:
            meta = json.loads(path.read_bytes())
        except ValueError:
            meta = None
        if not isinstance(meta, dict):
            return f"{original}: a metadata sidecar must be a JSON object."
    return None


def save_uploads(files: list[tuple[Path, str]], corpus_dir: Path, max_mb: float) -> UploadResult:
    """Check type and size of each (temporary path, original name) and save the good ones.

    An article's ``<file>.meta.json`` sidecar is taken only in the same upload as its
    article, and only if that article is saved as a new file: uploading a sidecar
    alone could rewrite the title, URL and date of an article already indexed.
    Each temporary file is removed once handled, saved or not, so nothing refused
    lingers where the web server keeps uploads.
    """
    result = UploadResult()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    try:
        articles: list[tuple[Path, str]] = []
        sidecars: dict[str, tuple[str, bytes]] = {}
        for path, original in files:
            name = safe_name(original)
            problem = _upload_problem(path, original, name, max_mb)
            if problem:
                result.errors.append(problem)
            elif name.lower().endswith(SIDECAR_SUFFIX):
                sidecars[name[: -len(SIDECAR_SUFFIX)]] = (original, path.read_bytes())
            else:
                articles.append((path, name))
        for path, name in articles:
            _, meta = sidecars.pop(name, ("", None))
            save_upload(path, corpus_dir, name, result, meta)
        for article, (original, _) in sidecars.items():
            result.errors.append(
                f"{original}: metadata is accepted only together with its article "
                f"(`{article}`) in the same upload, so it cannot change an article "
                "already in the corpus."
            )
    finally:
        for path, _ in files:
            path.unlink(missing_ok=True)
    return result
