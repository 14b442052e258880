"""The Timeline tab's HTML, as a plain function: no gradio here, so tests need no browser.

``rag.timeline`` gives the events in the order they happened; this draws one
line per event (its day, its text, its citation numbers) with the articles
that tell it below: title, publisher and date, the quoted sentence, and a link
to the app's own page of the article with that sentence highlighted. Every
piece of article text is escaped.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from rag.web import escape

PRECISION_HINTS = {
    "month": "the articles give the month, not the day",
    "year": "the articles give the year only",
}


def event_label(event: dict[str, Any]) -> str:
    """The day as a person reads it; a month-precise event reads 'March 2026', never '1 March'."""
    if event.get("label"):
        return str(event["label"])
    iso, precision = str(event.get("date", "")), event.get("precision", "day")
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso or "undated"
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return day.strftime("%B %Y")
    return f"{day.day} {day.strftime('%B %Y')}"


def citation_link(citation: dict[str, Any]) -> str:
    """``article?file=...&quote=...``: the article page the app serves, the sentence marked."""
    query = {"file": str(citation.get("source", ""))}
    quote = str(citation.get("quote", "")).strip()
    if quote:
        query["quote"] = quote[:300]
    return "article?" + urlencode(query)


def citation_line(citation: dict[str, Any], publishers: dict[str, str]) -> str:
    """One article telling the event: title (linked), publisher · date, the quoted sentence."""
    source = str(citation.get("source", ""))
    number = escape(citation.get("id", ""))
    title = escape(citation.get("title") or source)
    meta = [escape(publishers[source])] if publishers.get(source) else []
    day = citation.get("date")
    meta.append(escape(day) if day else '<span class="undated">undated</span>')
    quote = str(citation.get("quote", "")).strip()
    quoted = f' <q class="tl-quote">{escape(quote)}</q>' if quote else ""
    return (
        f'<li class="tl-cite" data-source="{escape(source)}">'
        f'<span class="tl-num">[{number}]</span> '
        f'<a class="tl-title" href="{escape(citation_link(citation))}" target="_blank" '
        f'rel="noopener">{title}</a> <span class="tl-meta">{" · ".join(meta)}</span>{quoted}'
        "</li>"
    )


def event_line(event: dict[str, Any], publishers: dict[str, str]) -> str:
    precision = str(event.get("precision", "day"))
    hint = PRECISION_HINTS.get(precision, "")
    title = f' title="{escape(hint)}"' if hint else ""
    citations = event.get("citations") or []
    refs = "".join(f"[{escape(c.get('id', ''))}]" for c in citations)
    cites = "".join(citation_line(c, publishers) for c in citations)
    return (
        f'<li class="tl-event" data-date="{escape(event.get("date", ""))}" '
        f'data-precision="{escape(precision)}">'
        f'<div class="tl-line"><span class="tl-date {escape(precision)}"{title}>'
        f"{escape(event_label(event))}</span> "
        f'<span class="tl-text">{escape(event.get("text", ""))}</span> '
        f'<span class="tl-refs">{refs}</span></div>'
        f'<ul class="tl-cites">{cites}</ul></li>'
    )


def window_text(date_from: str = "", date_to: str = "") -> str:
    if date_from and date_to:
        return f" from {date_from} to {date_to}"
    if date_from:
        return f" from {date_from} on"
    if date_to:
        return f" up to {date_to}"
    return ""


def timeline_html(
    timeline: dict[str, Any],
    publishers: dict[str, str] | None = None,
    date_from: str = "",
    date_to: str = "",
) -> str:
    """The whole timeline: a heading line, then the events in the order they happened.

    ``publishers`` maps an article's file to its publisher, which the timeline's
    citations do not carry; ``date_from``/``date_to`` are only echoed in the heading.
    """
    publishers = publishers or {}
    topic = escape(timeline.get("topic", ""))
    window = escape(window_text(date_from, date_to))
    events = sorted(timeline.get("events") or [], key=lambda e: str(e.get("date", "")))
    if not events:
        return (
            f'<div class="timeline empty"><p class="tl-head">No dated events found about '
            f"“{topic}”{window}. Try other words, or a wider date range.</p></div>"
        )
    n = len(events)
    head = f"{n} event{'s' if n != 1 else ''} about “{topic}”{window}, in the order they happened"
    lines = "".join(event_line(e, publishers) for e in events)
    return (
        f'<div class="timeline"><p class="tl-head">{head}</p>'
        f'<ol class="tl-events">{lines}</ol></div>'
    )


def timeline_message(text: str) -> str:
    """A note in place of the timeline: what to do, never a traceback."""
    return f'<div class="timeline note"><p class="tl-note">{escape(text)}</p></div>'


TIMELINE_PLACEHOLDER = timeline_message(
    "Type a topic (a story, a person, a place) and press Build timeline: the dated events "
    "the articles report appear in the order they happened, each with its sources."
)
