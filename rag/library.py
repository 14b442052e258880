"""The Articles view, the whole-article page and the chat's date range, as plain functions.

The list reads what the index holds (``RAG.articles``); the article page reads
one file of the corpus, and only a file the index knows, so no request can make
the app read anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.documents import load_file
from rag.web import escape, highlight

if TYPE_CHECKING:
    from rag.config import Settings

SORT_KEYS = ("newest", "oldest", "title")


def filter_articles(
    articles: list[dict[str, Any]], query: str = "", sort: str = "newest"
) -> list[dict[str, Any]]:
    """Articles whose title, publisher, file or date contain every word of ``query``, sorted.

    Undated articles go last in both date orders; each row gains ``story_size``,
    the number of indexed articles sharing its story.
    """
    stories: dict[str, int] = {}
    for a in articles:
        if a.get("story_id"):
            stories[a["story_id"]] = stories.get(a["story_id"], 0) + 1
    words = (query or "").lower().split()
    rows = []
    for a in articles:
        haystack = " ".join(str(a.get(k, "")) for k in ("title", "publisher", "file", "date"))
        if all(w in haystack.lower() for w in words):
            rows.append({**a, "story_size": stories.get(a.get("story_id") or "", 0)})
    if sort == "title":
        return sorted(rows, key=lambda a: str(a["title"]).lower())
    dated = sorted((a for a in rows if a.get("date")), key=lambda a: (a["date"], a["file"]))
    undated = sorted((a for a in rows if not a.get("date")), key=lambda a: a["file"])
    return (dated if sort == "oldest" else dated[::-1]) + undated


def articles_table(rows: list[dict[str, Any]], total: int) -> str:
    """The Articles view as an HTML table: title, publisher, date or "undated", chunks, story."""
    if not total:
        return '<p class="art-empty">No articles are indexed yet: upload some beside this list.</p>'
    head = (
        f'<p class="art-count">{len(rows)} of {total} articles</p><table class="art-table">'
        "<thead><tr><th>Title</th><th>Publisher</th><th>Date</th><th>Chunks</th>"
        "<th>Story</th><th>File</th></tr></thead><tbody>"
    )
    body = []
    for a in rows:
        date = escape(a["date"]) if a.get("date") else '<span class="undated">undated</span>'
        story = f"{a['story_size']} articles" if a.get("story_size", 0) > 1 else "–"
        link = f"article?file={escape(quote_param(a['file']))}"
        body.append(
            f'<tr data-file="{escape(a["file"])}">'
            f'<td><a href="{link}" target="_blank" rel="noopener">{escape(a["title"])}</a></td>'
            f"<td>{escape(a.get('publisher') or '–')}</td><td>{date}</td>"
            f"<td>{int(a.get('chunks', 0))}</td><td>{story}</td>"
            f"<td><code>{escape(a['file'])}</code></td></tr>"
        )
    return head + "".join(body) + "</tbody></table>"


def quote_param(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def corpus_path(settings: Settings, file: str, known: set[str]) -> Path:
    """The corpus file behind an indexed article; ``LookupError`` for anything else.

    Only names the index lists are accepted, and only when they resolve inside
    the corpus folder (no ``..``, no symlink out of it).
    """
    if file not in known:
        raise LookupError(f"{file!r} is not an indexed article.")
    root = settings.corpus_dir.resolve()
    path = (root / file).resolve()
    if not path.is_relative_to(root) or path == root:
        raise LookupError(f"{file!r} is not inside the corpus folder.")
    return path


def article_page(
    settings: Settings,
    article: dict[str, Any],
    start: int | None = None,
    end: int | None = None,
    quote: str = "",
) -> str:
    """A whole article as a small HTML page, the cited passage (and sentence) highlighted."""
    root = settings.corpus_dir.resolve()
    path = corpus_path(settings, article["file"], {article["file"]})
    if not path.is_file():
        raise LookupError(f"{article['file']!r} is no longer in the corpus folder.")
    doc = load_file(path, root)
    text = doc.text
    if start is not None and end is not None and 0 <= start < end <= len(text):
        before, passage, after = text[:start], text[start:end], text[end:]
        body = (
            escape(before)
            + f'<span id="passage" class="passage">{highlight(passage, quote)}</span>'
            + escape(after)
        )
    else:
        body = highlight(text, quote).replace(
            '<mark class="quote">', '<mark id="passage" class="quote">', 1
        )
    meta = " · ".join(
        x
        for x in (
            escape(article.get("publisher") or ""),
            escape(article.get("date") or "undated"),
            f"<code>{escape(article['file'])}</code>",
        )
        if x
    )
    url = str(article.get("url") or "")
    original = (
        f' · <a href="{escape(url)}" rel="noopener">original</a>'
        if url.startswith(("http://", "https://"))
        else ""
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(article.get("title") or article["file"])}</title>
<style>
body {{ font: 16px/1.6 system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em;
  color: #1f2937; }}
.meta {{ opacity: .75; font-size: .9em; }} .text {{ white-space: pre-wrap; }}
.passage {{ background: #fef3c7; border-radius: 3px; }}
mark {{ background: #fde68a; color: inherit; }}
</style></head><body>
<h1>{escape(article.get("title") or article["file"])}</h1>
<p class="meta">{meta}{original}</p>
<div class="text">{body}</div>
<script>
const p = document.getElementById("passage");
if (p) p.scrollIntoView({{ block: "center" }});
</script>
</body></html>"""


def date_window(start: str, end: str) -> dict[str, int | None]:
    """``date_from``/``date_to`` (YYYYMMDD) from what the user typed; ValueError says why not."""
    from rag.documents import date_to_int, normalize_date

    window: dict[str, int | None] = {}
    for key, text in (("date_from", start), ("date_to", end)):
        text = (text or "").strip()
        day = date_to_int(normalize_date(text)) if text else 0
        if text and not day:
            raise ValueError(f"Could not read the date {text!r}: write it as 2026-01-31.")
        window[key] = day or None
    if window["date_from"] and window["date_to"] and window["date_from"] > window["date_to"]:
        raise ValueError("The start date is after the end date.")
    return window
