"""When things happened: dates written inside articles, resolved against the publish date.

"On Monday" in an article of Thursday 8 October 2026 is 5 October 2026;
"last year" is 2025; "in March" is March of that year (or the coming one
when the sentence speaks of the future: "will open in March"). A timeline
needs these event dates, not the publish dates, and a reader needs both.

Each chunk keeps its dated sentences in one compact metadata string (Chroma
metadata must be flat): ``"20261005@0:85 20260300@86:200"``, a day per
sentence and the sentence's characters in the chunk; a month-precise date
ends in ``00``, a year-precise one in ``0000``. ``event_dates`` is a pure
function; ``EventDates`` is the ingest step that fills the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from llama_index.core.schema import BaseNode, TransformComponent

from rag.dates import (
    FUTURE,
    MONTHS,
    WEEKDAY_PHRASE,
    date_phrases,
    from_int,
    span,
)
from rag.text import split_sentences

if TYPE_CHECKING:
    from rag.retrieve import HybridRetriever

META_KEY = "event_dates"

# Sentences without any of these cannot hold a date: skip the parser for them (ingest speed).
_DATEISH = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
    r"\b(mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(19|20)\d\d\b|"
    r"\b(yesterday|today|tomorrow|ago|tonight)\b|\b(last|next|this|previous) "
    r"(week|month|year|spring|summer|autumn|fall|winter)\b",
    re.I,
)


@dataclass(frozen=True)
class EventDate:
    """A sentence (``start``:``end`` in its text) and the day it reports, as YYYYMMDD.

    ``day`` ends in 00 when only the month is known, 0000 when only the year.
    """

    day: int
    start: int
    end: int

    @property
    def precision(self) -> str:
        if self.day % 10000 == 0:
            return "year"
        return "month" if self.day % 100 == 0 else "day"

    @property
    def iso(self) -> str:
        """YYYY-MM-DD, the first day of the month or year when only that is known."""
        year, month, day = self.day // 10000, self.day // 100 % 100 or 1, self.day % 100 or 1
        return date(year, month, day).isoformat()


def _code(first: date, last: date) -> int | None:
    """The YYYYMMDD code for a span: a day, a whole month (00) or year (0000); None for weeks."""
    if first == last:
        return first.year * 10000 + first.month * 100 + first.day
    if (first.year, first.month) == (last.year, last.month) and first.day == 1:
        return first.year * 10000 + first.month * 100
    if first.year == last.year and (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return first.year * 10000
    return None


def _day_and_month(phrase: str) -> bool:
    """'10 February', 'Oct. 1': a day of a month with no year."""
    words = re.findall(r"[a-z]+|\d+", phrase.lower())
    return (
        any(w in MONTHS for w in words)
        and any(w.isdigit() and len(w) <= 2 for w in words)
        and not any(w.isdigit() and len(w) == 4 for w in words)
    )


def _nearest_year(covered: tuple[date, date], published: date) -> tuple[date, date]:
    """A day-and-month without a year is the occurrence nearest the publish date: an article
    of 2 February 2026 saying "on 10 February" means 2026, whatever the tense."""
    day = covered[0]
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    best = min(options, key=lambda d: abs((d - published).days))
    return best, best


def sentence_date(sentence: str, published: date) -> int | None:
    """The event day of one sentence, relative to the article's publish date; None if none."""
    if not _DATEISH.search(sentence):
        return None
    codes: list[int] = []
    for core, _, start in date_phrases(sentence, published, {"now", "today", "tonight"}):
        weekday = WEEKDAY_PHRASE.search(core)
        if weekday and not any(w in MONTHS for w in re.findall(r"[a-z]+", core.lower())):
            core = weekday[0]  # "52 to 40 on Tuesday": the day, not the year 1940
        # Future only when the words just before the date say so: "will meet on Friday",
        # not "will cost 2 million, the city said on Wednesday".
        lead = " ".join(sentence[:start].split()[-4:])
        prefer = "future" if FUTURE.search(lead) or core.lower().startswith("next") else "past"
        covered = span(core, published, prefer)
        if covered and _day_and_month(core):
            covered = _nearest_year(covered, published)
        if covered and abs(covered[0].year - published.year) <= 30 and (code := _code(*covered)):
            codes.append(code)
    # A day ("on Thursday") says when more exactly than a month ("moved to August").
    days = [c for c in codes if c % 100]
    return (days or codes or [None])[0]


def event_dates(text: str, published: date | None) -> list[EventDate]:
    """Every sentence of ``text`` that says when something happened, with that day.

    Pure: the same text and publish date always give the same list. Undated
    articles (``published`` None) give none, since "on Monday" means nothing then.
    """
    if published is None:
        return []
    found = []
    for sentence in split_sentences(text):
        code = sentence_date(sentence.text, published)
        if code:
            found.append(EventDate(code, sentence.start, sentence.end))
    return found


def encode(dates: Sequence[EventDate]) -> str:
    return " ".join(f"{d.day}@{d.start}:{d.end}" for d in dates)


def decode(value: str) -> list[EventDate]:
    """The list ``encode`` wrote; malformed entries are skipped."""
    dates = []
    for item in (value or "").split():
        m = re.fullmatch(r"(\d{8})@(\d+):(\d+)", item)
        if m:
            dates.append(EventDate(int(m[1]), int(m[2]), int(m[3])))
    return dates


def published_date(meta: dict[str, Any]) -> date | None:
    try:
        return from_int(int(meta.get("date_int") or 0))
    except (TypeError, ValueError):
        return None


def chunk_event_dates(text: str, meta: dict[str, Any]) -> list[EventDate]:
    """A chunk's event dates: from its metadata when ingest stored them, else computed now."""
    if META_KEY in meta:
        return decode(str(meta[META_KEY]))
    return event_dates(text, published_date(meta))


class EventDates(TransformComponent):
    """The ingest step: store each chunk's event dates in its metadata (not embedded)."""

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        for node in nodes:
            node.metadata[META_KEY] = encode(
                event_dates(node.get_content(), published_date(node.metadata))
            )
            for keys in (node.excluded_embed_metadata_keys, node.excluded_llm_metadata_keys):
                if META_KEY not in keys:
                    keys.append(META_KEY)
        return nodes


def event_day(retriever: HybridRetriever, name: str, as_of: int | None = None) -> date | None:
    """The day of a named event ("the vote") as the articles tell it; None if they do not.

    The best BM25 match whose text names the event gives the event date of the
    sentence naming it, or else its publish date.
    """
    words = [w for w in re.findall(r"[a-z]+", name.lower()) if w not in {"the", "a", "an"}]
    if not words:
        return None
    table = retriever.table
    for chunk_id, _ in retriever.bm25_search(name, 10, as_of):
        i = table.position.get(chunk_id)
        if i is None:
            continue
        text, meta = table.texts[i], table.metadatas[i] or {}
        if not re.search(rf"\b{re.escape(words[-1])}", text, re.I):
            continue
        for event in chunk_event_dates(text, meta):
            if event.precision == "day" and re.search(
                rf"\b{re.escape(words[-1])}", text[event.start : event.end], re.I
            ):
                return from_int(event.day)
        return published_date(meta)
    return None
